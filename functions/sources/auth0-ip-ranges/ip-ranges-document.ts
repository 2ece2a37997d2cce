// Reads Auth0's ip-ranges.json strictly (pure): `{ last_updated_at, regions: { <REGION>: { ipv4_cidrs: [...] } },
// changelog: [{ date, region, action, ipv4_cidrs }] }`. Anything that is not that shape is a reason, never an empty
// list: a firewall team told "no addresses" would remove every rule. The changelog is context only, so an entry that
// cannot be read is left out rather than failing the list.
import { isRecord, parseJson, stringField } from '../formats/json-records.js';
import { cleanLine } from '../../core/text/clean-line.js';
import { listWithMore } from '../../core/text/words.js';

/** More CIDRs than this in the whole list is refused: the state keeps every watched one (about 100 today). */
export const MAX_CIDRS = 2000;
/** More regions than this is refused (six today). */
const MAX_REGIONS = 50;
/** Changelog entries read at most (the real file carries history from 2017 on). */
const MAX_CHANGELOG_ENTRIES = 1000;

/** One entry of Auth0's changelog, as read: the region key upper-cased, CIDRs as listed (cleaned, bounded). */
export interface IpRangesChangelogEntry {
  /** `YYYY-MM-DD` when the entry gives a readable date. */
  readonly date?: string;
  readonly region: string;
  /** `add`, `remove`, or what the entry says (lower-cased, cleaned). */
  readonly action: string;
  readonly cidrs: readonly string[];
}

export interface IpRangesDocument {
  /** `last_updated_at`, ISO 8601 UTC. */
  readonly lastUpdatedAt: string;
  /** Region key (upper-cased) → its CIDRs, each once, in address order. */
  readonly regions: Readonly<Record<string, readonly string[]>>;
  readonly changelog: readonly IpRangesChangelogEntry[];
}

export type IpRangesRead = { readonly ok: true; readonly document: IpRangesDocument } | { readonly ok: false; readonly reason: string };

const OCTET = '(0|[1-9]\\d{0,2})';
const IPV4_CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(0|[1-9]\\d?)$`);
/** Shorter prefixes than this are refused: an allow-list entry that wide (0.0.0.0/0) is a broken or hostile list. */
const MIN_PREFIX = 8;

/** Why `text` is not an IPv4 CIDR fit for an allow-list (`a.b.c.d/n`, octets 0–255 without leading zeros), or undefined. */
export function cidrProblem(text: string): string | undefined {
  const match = IPV4_CIDR.exec(text);
  if (!match) return 'is not an IPv4 CIDR (a.b.c.d/n)';
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((octet) => octet > 255)) return 'is not an IPv4 CIDR (an octet above 255)';
  const prefix = Number(match[5]);
  if (prefix > 32) return 'is not an IPv4 CIDR (prefix above /32)';
  if (prefix < MIN_PREFIX) return `is wider than /${MIN_PREFIX}, which no allow-list entry should be`;
  return undefined;
}

/** A CIDR's place in address order: its address as a number, then its prefix length as a fraction. */
function cidrOrder(cidr: string): number {
  const [address = '', prefix = '0'] = cidr.split('/');
  return address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0) + Number(prefix) / 64;
}

/** The CIDRs in address order: by the address's number, then by prefix length (each key computed once). */
export function sortCidrs(cidrs: Iterable<string>): string[] {
  return [...cidrs]
    .map((cidr) => ({ cidr, order: cidrOrder(cidr) }))
    .sort((a, b) => a.order - b.order)
    .map(({ cidr }) => cidr);
}

/** Vendor text quoted in a reason: one clean, short line. */
const quote = (value: unknown): string => JSON.stringify(cleanLine(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value), 60));

/** Reads the body of ip-ranges.json. */
export function readIpRanges(body: string): IpRangesRead {
  const parsed = parseJson(body);
  if (!parsed.ok) return fail(`not JSON: ${cleanLine(parsed.message, 160)}`);
  const root = parsed.value;
  if (!isRecord(root)) return fail('not a JSON object');
  const regions = readRegions(root);
  if (!regions.ok) return regions;
  const lastUpdated = stringField(root, 'last_updated_at');
  const lastUpdatedMs = lastUpdated === undefined ? Number.NaN : Date.parse(lastUpdated);
  if (Number.isNaN(lastUpdatedMs)) return fail('no readable "last_updated_at" time');
  const changelog = readChangelog(root['changelog']);
  if (!changelog.ok) return changelog;
  return {
    ok: true,
    document: { lastUpdatedAt: new Date(lastUpdatedMs).toISOString(), regions: regions.value, changelog: changelog.value },
  };
}

type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };
const fail = (reason: string) => ({ ok: false as const, reason });

function readRegions(root: Record<string, unknown>): Read<Record<string, readonly string[]>> {
  const regions = root['regions'];
  if (!isRecord(regions)) {
    const keys = Object.keys(root).map((key) => cleanLine(key, 40));
    return fail(`no "regions" object (the document has ${keys.length === 0 ? 'no keys' : listWithMore(keys, 5)})`);
  }
  const entries = Object.entries(regions);
  if (entries.length === 0) return fail('"regions" lists no region');
  if (entries.length > MAX_REGIONS) return fail(`"regions" lists ${entries.length} regions, more than ${MAX_REGIONS}`);
  const out: Record<string, readonly string[]> = {};
  let total = 0;
  for (const [key, value] of entries) {
    if (!/^[A-Za-z]{2,10}$/.test(key)) return fail(`region key ${quote(key)} is not a region code`);
    const region = key.toUpperCase();
    if (Object.hasOwn(out, region)) return fail(`region ${region} is listed twice`);
    const list = isRecord(value) ? value['ipv4_cidrs'] : undefined;
    if (!Array.isArray(list)) return fail(`region ${region} has no "ipv4_cidrs" list`);
    const cidrs = new Set<string>();
    for (const cidr of list) {
      if (typeof cidr !== 'string') return fail(`region ${region}: ${quote(cidr)} is not a string`);
      const problem = cidrProblem(cidr);
      if (problem) return fail(`region ${region}: ${quote(cidr)} ${problem}`);
      cidrs.add(cidr);
    }
    total += cidrs.size;
    if (total > MAX_CIDRS) return fail(`the list has more than ${MAX_CIDRS} CIDRs`);
    out[region] = sortCidrs(cidrs);
  }
  return { ok: true, value: out };
}

function readChangelog(value: unknown): Read<IpRangesChangelogEntry[]> {
  if (value === undefined) return { ok: true, value: [] };
  if (!Array.isArray(value)) return fail('"changelog" is not a list');
  const entries: IpRangesChangelogEntry[] = [];
  for (const raw of value.slice(0, MAX_CHANGELOG_ENTRIES)) {
    if (!isRecord(raw)) continue;
    const region = stringField(raw, 'region');
    const action = stringField(raw, 'action');
    const list = raw['ipv4_cidrs'];
    if (region === undefined || action === undefined || !Array.isArray(list)) continue;
    const cidrs = list.filter((cidr): cidr is string => typeof cidr === 'string' && cidrProblem(cidr) === undefined);
    if (cidrs.length === 0) continue;
    const date = stringField(raw, 'date');
    entries.push({
      ...(date !== undefined && isCalendarDate(date) && { date }),
      region: cleanLine(region, 20).toUpperCase(),
      action: cleanLine(action, 20).toLowerCase(),
      cidrs,
    });
  }
  return { ok: true, value: entries };
}

/** `YYYY-MM-DD` naming a real day. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
