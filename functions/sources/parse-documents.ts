// Shared by the source modules: parse every fetched document (page) and join the items.
import type { Item } from '../core/model.js';
import type { FetchedDocument } from './source.js';

export type DocumentParse<T extends Item> =
  | { ok: true; items: T[]; /** Entries left out, each with why. */ skipped?: string[] }
  | { ok: false; reason: string };

/**
 * Parses each document with `parseOne` and joins their items; an item listed twice (a repeated entry, or an
 * advisory returned once per ecosystem) counts once, the first listing winning. Any document that fails
 * fails the whole parse, and no document at all is a failure too.
 */
export function parseEachDocument<T extends Item>(
  documents: readonly FetchedDocument[],
  parseOne: (document: FetchedDocument, index: number) => DocumentParse<T>,
): DocumentParse<T> {
  if (documents.length === 0) return { ok: false, reason: 'no document was fetched' };
  const items: T[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const [index, document] of documents.entries()) {
    const result = parseOne(document, index);
    if (!result.ok) return result;
    if (result.skipped) skipped.push(...result.skipped);
    for (const item of result.items) {
      if (seen.has(item.itemId)) continue;
      seen.add(item.itemId);
      items.push(item);
    }
  }
  return skipped.length > 0 ? { ok: true, items, skipped } : { ok: true, items };
}
