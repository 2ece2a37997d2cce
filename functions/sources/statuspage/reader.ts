// Reads any Atlassian Statuspage page (GitHub, SendGrid, Twilio, …) through its public JSON API (incidents and
// scheduled maintenances) or, where a page does not serve the API, through its history.atom feed ('statuspage').
import type { IncidentItem, ItemUpdate, ParseResult, Severity } from '../../core/model.js';
import { htmlToText, markdownToText } from '../formats/html-text.js';
import { isoDateOf, isRecord, parseJson, stringField } from '../formats/json-records.js';
import { pageNameOfFeedTitle, parseStatusFeed, STATUS_PAGE_LINK } from '../formats/status-page-feed.js';
import { parseEachDocument, type DocumentParse } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import type { StatuspageSourceConfig } from './config-schema.js';

/** Statuspage update and incident statuses, as the page shows them. */
const STATUS_LABELS: Readonly<Record<string, string>> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
  update: 'Update',
};

const MAINTENANCE_STATUSES = new Set(['scheduled', 'in_progress', 'verifying', 'completed']);

const IMPACT_SEVERITIES: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  major: 'major',
  minor: 'minor',
  none: 'info',
  maintenance: 'info',
};

/** Statuspage ids are short alphanumerics (incident.io's: 26 upper-case); anything else would not make a safe `/incidents/<id>` link. */
const RECORD_ID = /^[a-z0-9]{1,64}$/i;

/** The public API carries no postmortem text, only the incident status; this stands in for it. */
const POSTMORTEM_TEXT = 'A postmortem was published on the status page.';

/** One record could not be read; turned into the parse's failure reason in `parseApiDocument`, never thrown out of the module. */
class StatuspageRecordError extends Error {
  override readonly name = 'StatuspageRecordError';
}

function baseUrlOf(config: StatuspageSourceConfig): string {
  return config.url.replace(/\/+$/, '');
}

export function requests(config: StatuspageSourceConfig): readonly FetchRequest[] {
  const base = baseUrlOf(config);
  if (config.mode === 'feed') return [{ url: `${base}/history.atom`, expect: 'xml' }];
  return [
    { url: `${base}/api/v2/incidents.json`, expect: 'json' },
    { url: `${base}/api/v2/scheduled-maintenances.json`, expect: 'json' },
  ];
}

/**
 * API mode: incidents.json then scheduled-maintenances.json, an item listed in both counting once. Feed mode:
 * history.atom, read by the status-page feed reader (formats/status-page-feed.ts; Auth0's status page has the same
 * markup). `components` narrows only in API mode: the feed names no components, so there it is ignored (config
 * validation is the place to reject the combination).
 */
export function parse(documents: readonly FetchedDocument[], config: StatuspageSourceConfig): ParseResult {
  // The page names itself in every answer (API: `page.name`; feeds: their title): the vendor when the config names none.
  const pageNames: string[] = [];
  const parsed =
    config.mode === 'feed'
      ? parseEachDocument(documents, (document) => parseFeedDocument(document, pageNames))
      : parseEachDocument(documents, (document) => parseApiDocument(document, baseUrlOf(config), pageNames));
  if (!parsed.ok) return parsed;
  const vendor = config.vendor === undefined ? pageNames[0] : undefined;
  const wanted = config.mode === 'api' && config.components ? new Set(config.components.map(foldName)) : undefined;
  const affectsWanted = (item: IncidentItem): boolean => (item.components ?? []).some((name) => wanted!.has(foldName(name)));
  return {
    ok: true,
    items: wanted ? parsed.items.filter(affectsWanted) : parsed.items,
    ...(parsed.skipped !== undefined && parsed.skipped.length > 0 ? { skipped: parsed.skipped } : {}),
    ...(vendor !== undefined ? { vendor } : {}),
  };
}

/** A page's name as a vendor: trimmed, one line, at most 60 characters (what a configured `vendor` may be). */
function vendorNameOf(name: string | undefined): string | undefined {
  const cleaned = name?.replace(/\s+/g, ' ').trim().slice(0, 60).trim();
  return cleaned === undefined || cleaned === '' ? undefined : cleaned;
}

function parseFeedDocument(document: FetchedDocument, pageNames: string[]): DocumentParse<IncidentItem> {
  const parsed = parseStatusFeed(document.body, { link: STATUS_PAGE_LINK });
  if (!parsed.ok) return { ok: false, reason: `${document.url}: ${parsed.reason}` };
  const pageName = vendorNameOf(pageNameOfFeedTitle(parsed.title ?? ''));
  if (pageName !== undefined) pageNames.push(pageName);
  // The feed parser finds Auth0 region labels ("US-1") in the text; they mean nothing on a third-party page.
  return {
    ok: true,
    items: parsed.items.map((item) => ({ ...item, regions: [] })),
    skipped: parsed.skipped.map((reason) => `${document.url}: ${reason}`),
  };
}

function foldName(name: string): string {
  return name.trim().toLowerCase();
}

/** Which array a document holds follows from the endpoint asked for (summary.json, say, holds both). */
function listKeyFor(url: string): 'incidents' | 'scheduled_maintenances' {
  return /\/scheduled-maintenances(?:\/[a-z]+)?\.json(?:$|[?#])/i.test(url) ? 'scheduled_maintenances' : 'incidents';
}

function parseApiDocument(document: FetchedDocument, base: string, pageNames: string[]): DocumentParse<IncidentItem> {
  const key = listKeyFor(document.url);
  const json = parseJson(document.body);
  if (!json.ok) return { ok: false, reason: `${document.url} is not JSON: ${json.message}` };
  const page = isRecord(json.value) ? json.value['page'] : undefined;
  const pageName = vendorNameOf(isRecord(page) ? stringField(page, 'name') : undefined);
  if (pageName !== undefined) pageNames.push(pageName);
  const list = isRecord(json.value) ? json.value[key] : undefined;
  if (!Array.isArray(list)) {
    return { ok: false, reason: `${document.url} is not a Statuspage API response: it has no "${key}" array` };
  }
  const items: IncidentItem[] = [];
  for (const [index, record] of list.entries()) {
    try {
      items.push(toItem(record, key === 'scheduled_maintenances', base, `${key}[${index}] of ${document.url}`));
    } catch (error) {
      if (error instanceof StatuspageRecordError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  return { ok: true, items };
}

function toItem(record: unknown, listedAsMaintenance: boolean, base: string, where: string): IncidentItem {
  if (!isRecord(record)) throw new StatuspageRecordError(`${where} is not an object`);
  const id = stringField(record, 'id');
  if (id === undefined || !RECORD_ID.test(id)) {
    throw new StatuspageRecordError(`${where} has no usable id${id === undefined ? '' : ` ("${id.slice(0, 80)}")`}`);
  }
  const name = `${where} (${id})`;
  const status = stringField(record, 'status')?.toLowerCase();
  const impactName = stringField(record, 'impact')?.toLowerCase();
  const impact = impactName === undefined ? undefined : IMPACT_SEVERITIES[impactName];
  // incidents.json can list maintenances too: they carry a schedule, the "maintenance" impact or a maintenance status.
  const isMaintenance =
    listedAsMaintenance ||
    stringField(record, 'scheduled_for') !== undefined ||
    impactName === 'maintenance' ||
    (status !== undefined && MAINTENANCE_STATUSES.has(status));
  const updatedAt = isoField(record, 'updated_at', name);
  const rawUpdates = record['incident_updates'] ?? [];
  if (!Array.isArray(rawUpdates)) throw new StatuspageRecordError(`${name} has an incident_updates that is not an array`);
  const updates = rawUpdates.map((update, index) => toUpdate(update, `${name} update ${index}`));

  // The postmortem itself is only on the page; its publication shows as the incident's status (and its updated_at).
  if (status === 'postmortem' && !updates.some((update) => update.label === 'Postmortem')) {
    const at = updatedAt ?? isoField(record, 'resolved_at', name) ?? updates[0]?.at;
    if (at !== undefined) updates.unshift({ label: 'Postmortem', at, text: POSTMORTEM_TEXT });
  }

  const components = componentsOf(record, rawUpdates);
  const startedAt = isoField(record, 'started_at', name) ?? isoField(record, 'created_at', name);
  const scheduledFor = isMaintenance ? isoField(record, 'scheduled_for', name) : undefined;
  const scheduledUntil = isMaintenance ? isoField(record, 'scheduled_until', name) : undefined;
  return {
    kind: isMaintenance ? 'maintenance' : 'incident',
    itemId: id,
    title: stringField(record, 'name') ?? id,
    url: `${base}/incidents/${id}`,
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    updates,
    ...(startedAt !== undefined ? { startedAt } : {}),
    regions: [],
    ...(impact !== undefined ? { impact } : {}),
    ...(components.length > 0 ? { components } : {}),
    ...(scheduledFor !== undefined ? { scheduledFor } : {}),
    ...(scheduledUntil !== undefined ? { scheduledUntil } : {}),
  };
}

function toUpdate(update: unknown, where: string): ItemUpdate {
  if (!isRecord(update)) throw new StatuspageRecordError(`${where} is not an object`);
  const at = isoField(update, 'display_at', where) ?? isoField(update, 'created_at', where);
  if (at === undefined) throw new StatuspageRecordError(`${where} has neither display_at nor created_at`);
  const body = update['body'];
  return {
    label: labelOf(stringField(update, 'status')),
    at,
    text: typeof body === 'string' ? bodyText(body) : '',
  };
}

/**
 * An update body as plain text. Statuspage writes plain text with some HTML; incident.io pages that serve this API
 * (OpenAI's) write Markdown: links become "text (url)", emphasis and heading marks go.
 */
function bodyText(body: string): string {
  return markdownToText(htmlToText(body));
}

function labelOf(status: string | undefined): string {
  if (status === undefined) return 'Update';
  const known = STATUS_LABELS[status.toLowerCase()];
  if (known !== undefined) return known;
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isoField(record: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = stringField(record, key);
  if (value === undefined) return undefined;
  const iso = isoDateOf(value);
  if (iso === undefined) throw new StatuspageRecordError(`${where} has an unreadable ${key} "${value.slice(0, 80)}"`);
  return iso;
}

/**
 * Component names from the incident and from every update's affected components (newest update first), once per
 * component: keyed by its id (`id`, or `code` in an update), so a component renamed during the incident is listed once,
 * under the newest name given (the incident's own list is current). A name without an id counts once by itself.
 */
function componentsOf(record: Record<string, unknown>, updates: readonly unknown[]): string[] {
  const byKey = new Map<string, string>();
  const add = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const entry of list) {
      if (!isRecord(entry)) continue;
      const name = stringField(entry, 'name');
      if (name === undefined) continue;
      const id = stringField(entry, 'id') ?? stringField(entry, 'code');
      const key = id === undefined ? `name:${name}` : `id:${id}`;
      if (!byKey.has(key)) byKey.set(key, name);
    }
  };
  add(record['components']);
  for (const update of updates) if (isRecord(update)) add(update['affected_components']);
  return [...new Set(byKey.values())];
}
