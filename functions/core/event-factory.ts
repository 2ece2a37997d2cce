// Builds schema-version-1 events with ids that are stable for the change they describe, their texts within the byte
// budgets of text/event-budgets.ts.
import * as crypto from 'node:crypto';
import type { EventType, WatcherEvent } from './model.js';
import { withinEventBudgets } from './text/event-budgets.js';

/** The source an event comes from, as the event and its text name it. */
export interface EventSourceInfo {
  readonly id: string;
  readonly type: string;
  readonly vendor: string;
  readonly url: string;
  readonly name?: string;
  /** The configured region label, used when an incident names none. */
  readonly region?: string;
}

/**
 * SHA-256 of the UTF-8 text: the one-shot `crypto.hash` (Node 20.12+, several times cheaper for the short strings
 * the diff hashes by the thousand) where there is one, else a Hash object; both give the same digest.
 */
const sha256: (text: string, encoding: 'hex' | 'base64url') => string =
  typeof crypto.hash === 'function'
    ? (text, encoding) => crypto.hash('sha256', text, encoding)
    : (text, encoding) => crypto.createHash('sha256').update(text).digest(encoding);

/**
 * A stable id for one change: the same change always gets the same id, whichever run detects it (and, for an item of a
 * scope, whichever of the scope's sources), so consumers can deduplicate deliveries on it. `owner` is the source id, or
 * the item's scope.
 */
export function eventId(owner: string, itemId: string, changeKey: string): string {
  return sha256(`${owner}\u0000${itemId}\u0000${changeKey}`, 'hex').slice(0, 32);
}

/** Hash of a string, for fingerprints. */
export function contentHash(text: string): string {
  return sha256(text, 'base64url').slice(0, 22);
}

/** What an event says beyond its source, type and detection time; `scope`, when set, is what its id is computed over. */
export type EventBody = Omit<WatcherEvent, 'schemaVersion' | 'id' | 'type' | 'source' | 'sourceType' | 'vendor' | 'detectedAt'>;

export function makeEvent(
  source: EventSourceInfo,
  type: EventType,
  changeKey: string,
  detectedAt: Date,
  body: EventBody,
): WatcherEvent {
  const event: WatcherEvent = {
    schemaVersion: 1,
    // An item of a scope is the scope's, not the source's: the change gets one id whichever source saw it.
    id: eventId(body.scope ?? source.id, body.itemId, changeKey),
    type,
    source: source.id,
    scope: body.scope,
    sourceType: source.type,
    vendor: source.vendor,
    detectedAt: detectedAt.toISOString(),
    ...body,
  };
  // Drop undefined optionals so the JSON is tidy and stable.
  const tidy = Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)) as unknown as WatcherEvent;
  return withinEventBudgets(tidy, source.url);
}

/** Shortens text to at most `max` characters on a word boundary, with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
