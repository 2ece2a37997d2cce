// The watcher's own health in words: the titles of its `source.*` events and how renderers lead with them, so that a
// source the watcher cannot read, or an output it cannot deliver to, reads as the watcher's trouble and not as the
// vendor's outage ("Watcher cannot read GitHub status (3 failures)"), in email subjects, Slack and digests (pure).
import { familyOf, type EventType } from './event-types.js';
import { plural } from './text/words.js';

/** A source's `source.failing` title: `Watcher cannot read <source> (<n> failures)`; `label` is the source's name or id. */
export function cannotReadTitle(label: string, failures: number): string {
  return `Watcher cannot read ${label} (${plural(failures, 'failure')})`;
}

/** A source's `source.recovered` title: `Watcher reads <source> again`. */
export function readsAgainTitle(label: string): string {
  return `Watcher reads ${label} again`;
}

/** An output's `source.failing` title: `Watcher cannot deliver to <output> (<n> failed runs)`. */
export function cannotDeliverTitle(outputId: string, failedRuns: number): string {
  return `Watcher cannot deliver to ${outputId} (${plural(failedRuns, 'failed run')})`;
}

/** An output's `source.recovered` title: `Watcher delivers to <output> again`. */
export function deliversAgainTitle(outputId: string): string {
  return `Watcher delivers to ${outputId} again`;
}

/** An output's parked event: `Watcher: output <output> refused an event: <event title>`. */
export function parkedTitle(outputId: string, eventTitle: string): string {
  return `Watcher: output ${outputId} refused an event: ${eventTitle}`;
}

/** Whether an event is about the watcher's own health (a source it cannot read, an output it cannot deliver to). */
export function isWatcherHealth(type: EventType): boolean {
  return familyOf(type) === 'source';
}

/**
 * What a health event leads with (subject, headline, Slack header): its title, which names the watcher; an event
 * from before titles did ("github is failing") is led by `Watcher: `.
 */
export function watcherHeadline(title: string): string {
  return /^Watcher\b/.test(title) ? title : `Watcher: ${title}`;
}
