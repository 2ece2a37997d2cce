// Test support: a tiny source plug-in of a type the watcher does not have ('example-json': a JSON list of incidents),
// written as a new plug-in would be: its config schema, its reader (requests and a pure parse) and its module object.
// In functions/sources/ these would be the three files of its folder (config-schema.ts, reader.ts, plugin.ts); here
// they share one file. Nothing outside this file knows the type: a registry line is all it takes to poll it.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../functions/config/source-schema-kit.js';
import type { IncidentItem, ParseResult } from '../../functions/core/model.js';
import { isoDateOf, isRecord, parseJson, stringField } from '../../functions/sources/formats/json-records.js';
import { parseEachDocument, type DocumentParse } from '../../functions/sources/parse-documents.js';
import type { FetchedDocument, FetchRequest, FeedSourceModule } from '../../functions/sources/source.js';

// --- config schema ---------------------------------------------------------------------------------------------

export function exampleJsonConfigSchema({ z, sourceBase, sourceUrl, vendorName, secretRef }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('example-json'),
    url: sourceUrl,
    vendor: vendorName,
    /** Sent as a bearer token. */
    apiKey: secretRef.optional(),
    /** The list holds open incidents only, so an empty list is all clear. */
    openOnly: z.boolean().default(false),
  });
}

export type ExampleJsonSourceConfig = z.infer<ReturnType<typeof exampleJsonConfigSchema>>;

// --- reader ----------------------------------------------------------------------------------------------------

function requests(config: ExampleJsonSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'json', ...(config.apiKey ? { bearerToken: config.apiKey } : {}) }];
}

/** `{"incidents": [{"id", "title", "status": "open" | "resolved", "at", "text"}]}`, one incident item per record. */
function parseList(document: FetchedDocument): DocumentParse<IncidentItem> {
  const json = parseJson(document.body);
  if (!json.ok) return { ok: false, reason: `${document.url} is not JSON: ${json.message}` };
  const list = isRecord(json.value) ? json.value['incidents'] : undefined;
  if (!Array.isArray(list)) return { ok: false, reason: `${document.url} has no "incidents" array` };
  const items: IncidentItem[] = [];
  for (const [index, record] of list.entries()) {
    const id = isRecord(record) ? stringField(record, 'id') : undefined;
    const at = isRecord(record) ? isoDateOf(stringField(record, 'at') ?? '') : undefined;
    if (!isRecord(record) || id === undefined || at === undefined) {
      return { ok: false, reason: `incident ${index} of ${document.url} has no id or no readable "at"` };
    }
    items.push({
      kind: 'incident',
      itemId: id,
      title: stringField(record, 'title') ?? id,
      url: new URL(`incidents/${encodeURIComponent(id)}`, document.url).href,
      updatedAt: at,
      updates: [{ label: record['status'] === 'resolved' ? 'Resolved' : 'Investigating', at, text: stringField(record, 'text') ?? '' }],
      regions: [],
    });
  }
  return { ok: true, items };
}

function parse(documents: readonly FetchedDocument[]): ParseResult {
  return parseEachDocument(documents, parseList);
}

// --- module object ---------------------------------------------------------------------------------------------

export const exampleJsonSource: FeedSourceModule<ExampleJsonSourceConfig> = {
  type: 'example-json',
  kind: 'feed',
  configSchema: exampleJsonConfigSchema,
  defaultEveryMinutes: 10,
  vendor: 'Example',
  vendorOf: (config) => config.vendor,
  secretRefsOf: (config) => (config.apiKey ? [{ field: 'apiKey', ref: config.apiKey }] : []),
  emptyIsNormal: (config) => config.openOnly,
  requests,
  parse,
};
