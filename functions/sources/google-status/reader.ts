// Reads Google Cloud's or Google Workspace's incidents.json, one incident item per record ('google-status').
import type { IncidentItem, ItemUpdate, ParseResult, Severity } from '../../core/model.js';
import { markdownToText } from '../formats/html-text.js';
import { isRecord, parseJson, stringField } from '../formats/json-records.js';
import { parseEachDocument, type DocumentParse } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import type { GoogleStatusSourceConfig } from './config-schema.js';

/** Update labels by the update's `status`; anything else (a status Google adds later) reads as a plain Update. */
const STATUS_LABELS: ReadonlyMap<string, string> = new Map([
  ['SERVICE_OUTAGE', 'Outage'],
  ['SERVICE_DISRUPTION', 'Disruption'],
  ['SERVICE_INFORMATION', 'Update'],
  ['AVAILABLE', 'Resolved'],
]);

const IMPACTS: ReadonlyMap<string, Severity> = new Map([
  ['high', 'critical'],
  ['medium', 'major'],
  ['low', 'minor'],
]);

/** Google's dates are ISO 8601 with an offset ("2023-03-10T14:26:17+00:00"); `Date.parse` alone accepts far looser text. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * Google posts its incident reports as a new update days after the end, headed "# Incident Report" or
 * "# Mini Incident Report" [likely: public consumers look for that heading]. One posted this long after `end`
 * is the postmortem; an update posted with the resolution and later rewritten keeps its time, so it stays the
 * Resolved update and the core sees the rewrite as the RCA.
 */
const INCIDENT_REPORT = /^(?:mini\s+)?incident\s+report\b/i;
const REPORT_AFTER_END_MS = 60 * 60 * 1000;

/** One record could not be read; turned into the parse's failure reason, never thrown out of the module. */
class IncidentRecordError extends Error {
  override readonly name = 'IncidentRecordError';
}

export function requests(config: GoogleStatusSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'json' }];
}

export function parse(documents: readonly FetchedDocument[], config: GoogleStatusSourceConfig): ParseResult {
  return parseEachDocument(documents, (document) => parseIncidentsJson(document, config));
}

/** What a body that should have been an array is instead, for the failure reason. */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (isRecord(value)) {
    const keys = Object.keys(value);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
    return keys.length > 0 ? `a JSON object (keys: ${shown})` : 'an empty JSON object';
  }
  return `a JSON ${typeof value}`;
}

/**
 * Parses one incidents.json body: an array of incidents, open while `end` is absent. With `products` configured,
 * only incidents naming one of them (case-insensitive) are kept.
 */
export function parseIncidentsJson(
  document: FetchedDocument,
  config: GoogleStatusSourceConfig,
): DocumentParse<IncidentItem> {
  const json = parseJson(document.body);
  if (!json.ok) return { ok: false, reason: `${document.url} did not answer with JSON: ${json.message}` };
  const body = json.value;
  if (!Array.isArray(body)) {
    return { ok: false, reason: `${document.url} answered with ${describeJson(body)}, not an array of incidents` };
  }
  const wanted = config.products ? new Set(config.products.map(foldName)) : undefined;
  const items: IncidentItem[] = [];
  for (const [index, record] of body.entries()) {
    try {
      const item = toItem(record, `incident record ${index} of ${document.url}`, config.url);
      if (wanted && !(item.components ?? []).some((product) => wanted.has(foldName(product)))) continue;
      items.push(item);
    } catch (error) {
      if (error instanceof IncidentRecordError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  return { ok: true, items };
}

function foldName(name: string): string {
  return name.trim().toLowerCase();
}

function isoDate(value: unknown, what: string, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value.trim() : undefined;
  const ms = text !== undefined && ISO_DATE.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new IncidentRecordError(`${where} has an unreadable ${what} ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function toItem(record: unknown, where: string, configUrl: string): IncidentItem {
  if (!isRecord(record)) throw new IncidentRecordError(`${where} is not an incident object`);
  const id = stringField(record, 'id');
  if (!id) throw new IncidentRecordError(`${where} has no id`);
  const name = `incident ${id} (${where})`;
  const title = stringField(record, 'external_desc') ?? stringField(record, 'service_name');
  if (!title) throw new IncidentRecordError(`${name} has neither external_desc nor service_name`);
  const end = isoDate(record['end'], 'end', name);
  const updatedAt = isoDate(record['modified'], 'modified', name);
  const impact = IMPACTS.get(stringField(record, 'severity')?.toLowerCase() ?? '');
  const components = productsOf(record);
  return {
    kind: 'incident',
    itemId: id,
    title,
    url: incidentUrl(stringField(record, 'uri') ?? `incidents/${id}`, configUrl, name),
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    updates: updatesOf(record, end, name),
    regions: [],
    ...(impact !== undefined ? { impact } : {}),
    ...(components.length > 0 ? { components } : {}),
  };
}

/**
 * `uri` is relative to the dashboard ("incidents/<id>"): resolved against the configured URL's directory, which
 * gives status.cloud.google.com/incidents/<id> and www.google.com/appsstatus/dashboard/incidents/<id> alike.
 */
function incidentUrl(uri: string, configUrl: string, name: string): string {
  let url: URL;
  try {
    url = new URL(uri, configUrl);
  } catch {
    throw new IncidentRecordError(`${name} has a uri that is not a URL: ${JSON.stringify(uri)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new IncidentRecordError(`${name} has a uri that is not a web address: ${JSON.stringify(uri)}`);
  }
  return url.href;
}

function productsOf(record: Record<string, unknown>): string[] {
  const products = Array.isArray(record['affected_products'])
    ? record['affected_products'].flatMap((product) => {
        const title = isRecord(product) ? stringField(product, 'title') : undefined;
        return title !== undefined ? [title] : [];
      })
    : [];
  const serviceName = stringField(record, 'service_name');
  if (products.length === 0 && serviceName !== undefined) products.push(serviceName);
  return [...new Set(products)];
}

/**
 * The update history, newest first. Labels come from each update's status, except that `end` decides whether the
 * incident is over. Exactly one update says Resolved, and only once `end` is set: the newest one other than a
 * later incident report (which says Postmortem), whatever its status. Any other AVAILABLE update reads "Available",
 * so an incident Google has not ended stays open.
 */
function updatesOf(record: Record<string, unknown>, end: string | undefined, name: string): ItemUpdate[] {
  let raw = Array.isArray(record['updates']) ? record['updates'] : [];
  // An incident always has at least one update; should the list ever be missing, the summary copy stands in.
  if (raw.length === 0 && isRecord(record['most_recent_update'])) raw = [record['most_recent_update']];
  if (raw.length === 0) throw new IncidentRecordError(`${name} has no updates`);

  const dated = raw.map((update, index) => {
    if (!isRecord(update)) throw new IncidentRecordError(`${name}: update ${index} is not an object`);
    const where = `${name}: update ${index}`;
    const at = isoDate(update['when'], 'update time (when)', where) ?? isoDate(update['created'], 'update time (created)', where);
    if (at === undefined) throw new IncidentRecordError(`${name}: update ${index} has neither when nor created`);
    const status = stringField(update, 'status')?.toUpperCase() ?? '';
    const text = markdownToText(typeof update['text'] === 'string' ? update['text'] : '');
    return { at, ms: Date.parse(at), status, text, index };
  });
  // Newest first; equal times keep the order Google listed them in.
  dated.sort((a, b) => b.ms - a.ms || a.index - b.index);

  const endMs = end !== undefined ? Date.parse(end) : undefined;
  const isReport = (update: (typeof dated)[number]): boolean =>
    endMs !== undefined && update.ms >= endMs + REPORT_AFTER_END_MS && INCIDENT_REPORT.test(update.text);
  const resolving = endMs !== undefined ? (dated.find((update) => !isReport(update)) ?? dated[0]) : undefined;

  return dated.map((update): ItemUpdate => {
    let label = STATUS_LABELS.get(update.status) ?? 'Update';
    if (update === resolving) label = 'Resolved';
    else if (isReport(update)) label = 'Postmortem';
    else if (label === 'Resolved') label = 'Available';
    return { label, at: update.at, text: update.text };
  });
}
