// What the paging channels (PagerDuty, Opsgenie) make of an event, the same for both: the key one incident's alert is
// filed under, whether the event closes it, its facts as labelled values, and its link. Vendor text is cleaned to
// bounded plain lines here; each channel only lays them out in its own API's fields.
import { createHash } from 'node:crypto';
import { threadKeyOf } from '../core/event-chain.js';
import { EVENT_TYPE_FACTS } from '../core/event-types.js';
import { eventFactLines } from '../core/fact-lines.js';
import type { WatcherEvent } from '../core/model.js';
import { cleanLine } from '../core/text/clean-line.js';
import { formatUtc } from '../core/text/time.js';
import { listWithMore } from '../core/text/words.js';

/** Characters kept as they are in a key: safe in a URL path segment and in every vendor's key. */
const UNSAFE = /[^A-Za-z0-9@._:-]+/g;
const HASH_CHARS = 16;

/**
 * The key of one incident's alert (PagerDuty's `dedup_key`, Opsgenie's `alias`), one per thread (scope or source, and
 * item): `aow:<thread key, made URL-safe and cut to fit>:<16 hex digits of the thread key's SHA-256>`, at most
 * `maxChars` characters. The readable part shows an operator which item the alert is about; the hash keeps two threads
 * apart whatever cleaning and cutting did to their readable parts. Open alerts are found by it: it never changes.
 */
export function alertKeyOf(event: Pick<WatcherEvent, 'source' | 'scope' | 'itemId'>, maxChars: number): string {
  const thread = threadKeyOf(event);
  const hash = createHash('sha256').update(thread).digest('hex').slice(0, HASH_CHARS);
  const room = Math.max(0, maxChars - 'aow:'.length - HASH_CHARS - 1);
  const readable = thread.replace(/#/g, ':').replace(UNSAFE, '-').slice(0, room);
  return `aow:${readable}:${hash}`;
}

/** Whether the event ends its item (resolved, completed, recovered, check passed: the table's `endsItem`): its alert closes. */
export function closesAlert(event: Pick<WatcherEvent, 'type'>): boolean {
  return EVENT_TYPE_FACTS[event.type].endsItem;
}

/** The event's own words: its update's text, else its summary, as one clean line of at most `maxChars`. */
export function alertTextOf(event: Pick<WatcherEvent, 'update' | 'summary'>, maxChars: number): string {
  return cleanLine(event.update?.text ?? event.summary, maxChars);
}

/** The vendor's page for the event, when it is an http(s) URL (vendor text: anything else is not linked). */
export function alertLinkOf(event: Pick<WatcherEvent, 'url'>): string | undefined {
  try {
    const url = new URL(event.url);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Values listed per detail (regions, components, packages); the rest are counted ("and 3 more"). */
const MAX_LISTED = 10;

/**
 * The event's useful fields as `[label, value]` pairs, in a fixed order, each value one clean line of at most
 * `maxValueChars` characters; only the fields the event has. Shared by PagerDuty's `custom_details` and Opsgenie's
 * `details`.
 */
export function alertDetailsOf(event: WatcherEvent, maxValueChars = 500): Array<readonly [string, string]> {
  const line = (value: string) => cleanLine(value, maxValueChars);
  const list = (values: readonly string[] | undefined) =>
    values && values.length > 0 ? line(listWithMore(values.map((value) => cleanLine(value, 60)).filter(Boolean), MAX_LISTED)) : '';
  const pairs: Array<readonly [string, string]> = [
    ['Event', `${event.type} (${EVENT_TYPE_FACTS[event.type].phrase})`],
    ['Status', line(event.status ?? EVENT_TYPE_FACTS[event.type].impliedStatus)],
    ['Severity', event.severity],
    ['Vendor', line(event.vendor)],
    ['Source', line(event.source)],
    ['Regions', list(event.regions)],
    ['Components', list(event.components)],
    ['Change type', event.changeType ?? ''],
    ['Packages', list(event.packages?.map((pkg) => `${pkg.ecosystem}/${pkg.name}`))],
    ['Occurred', formatUtc(event.occurredAt)],
    ['Detected', formatUtc(event.detectedAt)],
    ['Latest update', event.update ? `${line(event.update.label) || 'Update'}, ${formatUtc(event.update.at)}` : ''],
    [event.update ? 'Update text' : 'Summary', alertTextOf(event, maxValueChars)],
    ...eventFactLines(event).map(([label, value]) => [label, line(value)] as const),
    ['Link', alertLinkOf(event) ?? ''],
    ['Watcher event', line(event.id)],
  ];
  return pairs.filter(([, value]) => value !== '');
}
