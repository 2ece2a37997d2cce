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
 * Google posts an incident's reports as new updates after its end, days or weeks later, headed "# Incident Report",
 * "**Mini Incident Report**", "# Preliminary Incident Report", "## \\# Incident Report", "## Addendum to Incident
 * Report" and the like (read here from the plain text, so whatever markup wrapped the heading is gone).
 */
const REPORT_HEADING =
  /^(?:(?:preliminary|mini|full|final|updated)\s+)?incident[\s-]+report\b|^addendum\s+to\s+(?:the\s+)?(?:\w+\s+)?incident\s+report\b/i;
/** Reports posted without a heading: the mini report's "Incident Start:" line, or the full report's "Root Cause" section. */
const REPORT_SECTION = /^(?:incident start\s*:|(?:preliminary\s+)?root cause:?$)/im;

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
  // `begin`: when the impact started, often well before Google's first update.
  const startedAt = isoDate(record['begin'], 'begin', name);
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
    ...(startedAt !== undefined ? { startedAt } : {}),
    regions: regionsOf(record),
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
 * The regions an incident names: the ids ("us-central1", "global") of its current and previous locations and of
 * each update's, in that order, each once; a location without an id by its title.
 */
function regionsOf(record: Record<string, unknown>): string[] {
  const updates = Array.isArray(record['updates']) ? record['updates'].filter(isRecord) : [];
  const lists = [record['currently_affected_locations'], record['previously_affected_locations'], ...updates.map((u) => u['affected_locations'])];
  const regions = new Set<string>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const location of list) {
      const region = isRecord(location) ? (stringField(location, 'id') ?? stringField(location, 'title')) : undefined;
      if (region !== undefined && region.trim() !== '') regions.add(region.trim());
    }
  }
  return [...regions];
}

interface DatedUpdate {
  readonly at: string;
  readonly ms: number;
  readonly status: string;
  readonly text: string;
  readonly index: number;
}

/** Whether an update is one of Google's incident reports (preliminary, mini, full, addendum). */
function isReport(update: DatedUpdate): boolean {
  return REPORT_HEADING.test(update.text) || REPORT_SECTION.test(update.text);
}

/**
 * The update history, newest first, labelled by each update's status while the incident is open (`end` absent; an
 * AVAILABLE update then reads "Available").
 *
 * Once `end` is set, exactly one update says Resolved: the one that closed the incident. Google dates `end` by when
 * the impact ended, usually minutes to hours before the closing update is posted, so the time alone cannot tell it
 * from the updates after it; what can is that Google closes an incident with AVAILABLE updates and that everything it
 * posts afterwards is AVAILABLE too. The closing update is the oldest update of that final run of AVAILABLE updates
 * that is not a report, or, when the run holds none (the closing update kept a disruption status), the newest update
 * before the run. Every update after it is post-resolution: a report says Postmortem (the first one announces the
 * root-cause analysis, later ones are updates), any other note says Completed. As long as Google posts what follows
 * the closing update as AVAILABLE or as a report (every capture seen does), an update posted later never relabels an
 * earlier one.
 */
function updatesOf(record: Record<string, unknown>, end: string | undefined, name: string): ItemUpdate[] {
  let raw = Array.isArray(record['updates']) ? record['updates'] : [];
  // An incident always has at least one update; should the list ever be missing, the summary copy stands in.
  if (raw.length === 0 && isRecord(record['most_recent_update'])) raw = [record['most_recent_update']];
  if (raw.length === 0) throw new IncidentRecordError(`${name} has no updates`);

  const dated = raw.map((update, index): DatedUpdate => {
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

  const closing = end !== undefined ? closingIndex(dated) : undefined;
  return dated.map((update, position): ItemUpdate => {
    let label: string;
    if (closing === undefined || position > closing) {
      label = STATUS_LABELS.get(update.status) ?? 'Update';
      if (label === 'Resolved') label = 'Available';
    } else if (position === closing) {
      label = 'Resolved';
    } else {
      label = isReport(update) ? 'Postmortem' : 'Completed';
    }
    return { label, at: update.at, text: update.text };
  });
}

/** The position (in the newest-first list) of the update that closed an ended incident; see {@link updatesOf}. */
function closingIndex(newestFirst: readonly DatedUpdate[]): number {
  let runEnd = 0; // the final run of AVAILABLE updates (and reports) is newestFirst[0 .. runEnd - 1]
  while (runEnd < newestFirst.length && (newestFirst[runEnd]!.status === 'AVAILABLE' || isReport(newestFirst[runEnd]!))) {
    runEnd += 1;
  }
  for (let position = runEnd - 1; position >= 0; position -= 1) {
    if (!isReport(newestFirst[position]!)) return position;
  }
  if (runEnd < newestFirst.length) return runEnd;
  // Nothing but reports: the oldest update stands for the closing one.
  return newestFirst.length - 1;
}
