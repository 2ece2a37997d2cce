// The end-of-life countdown of Auth0's documented deprecations: what the `auth0-deprecations` probe remembers between
// runs (its state, stored on the source record under `probe`), the days left to an end of life, the warning band they
// fall in, and the ends of life coming up, which the digest reads from that state without loading the plug-in (pure).

/** Days before an end of life at which `deprecation.eol_approaching` is sent, once each, farthest first. */
export const EOL_THRESHOLDS = [90, 30, 7] as const;
export type EolThreshold = (typeof EOL_THRESHOLDS)[number];
/** How far ahead the digest lists ends of life. */
export const EOL_HORIZON_DAYS = EOL_THRESHOLDS[0];

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One entry of the page as the probe remembers it. */
export interface RememberedDeprecation {
  readonly title: string;
  readonly url: string;
  /** `YYYY-MM-DD`, where the page's date could be read. */
  readonly deprecatedOn?: string;
  readonly endOfLife?: string;
  /** The end of life as the page writes it, where it could not be read as a date ("TBA"). */
  readonly endOfLifeText?: string;
  /** The thresholds already warned about (or passed over) for this `endOfLife`; cleared when the date moves. */
  readonly warned: readonly EolThreshold[];
  /** The end of life before the page last moved it, for the next warning's text. */
  readonly movedFrom?: string;
  /** ISO 8601: when the probe first saw the entry. */
  readonly firstSeenAt: string;
}

/** The probe's state: the page's entries as the last good read found them, by anchor. */
export interface DeprecationsProbeState {
  readonly [key: string]: unknown;
  readonly entries: Readonly<Record<string, RememberedDeprecation>>;
}

/** Whole days from `now`'s UTC calendar day to `day` (`YYYY-MM-DD`): 0 on the day itself, negative after it. */
export function daysUntil(day: string, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((Date.parse(`${day}T00:00:00Z`) - today) / DAY_MS);
}

/**
 * The warning band `daysLeft` falls in: the nearest threshold not yet passed (20 days left: the 30-day band). None
 * beyond 90 days, and none once the end of life has come.
 */
export function eolBand(daysLeft: number): EolThreshold | undefined {
  if (!Number.isFinite(daysLeft) || daysLeft < 0) return undefined;
  let band: EolThreshold | undefined;
  for (const threshold of EOL_THRESHOLDS) if (daysLeft <= threshold) band = threshold;
  return band;
}

/** An end of life within the horizon, as the digest lists it. */
export interface UpcomingEndOfLife {
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly endOfLife: string;
  readonly daysLeft: number;
  readonly deprecatedOn?: string;
}

/** An entry whose end of life the page writes in words the probe could not read as a date. */
export interface UnreadableEndOfLife {
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly text: string;
}

/**
 * The remembered entries whose end of life is today or within `horizonDays`, soonest first, and those whose end of life
 * could not be read. Reads a stored state defensively: anything malformed is left out, never thrown on.
 */
export function endsOfLifeAhead(
  state: unknown,
  now: Date,
  horizonDays: number = EOL_HORIZON_DAYS,
): { readonly upcoming: UpcomingEndOfLife[]; readonly unreadable: UnreadableEndOfLife[] } {
  const upcoming: UpcomingEndOfLife[] = [];
  const unreadable: UnreadableEndOfLife[] = [];
  const entries = isRecord(state) ? state['entries'] : undefined;
  if (!isRecord(entries)) return { upcoming, unreadable };
  for (const [itemId, value] of Object.entries(entries)) {
    if (!isRecord(value)) continue;
    const title = text(value['title']) ?? itemId;
    const url = text(value['url']) ?? '';
    const endOfLife = text(value['endOfLife']);
    if (endOfLife !== undefined && ISO_DAY.test(endOfLife)) {
      const daysLeft = daysUntil(endOfLife, now);
      if (daysLeft < 0 || daysLeft > horizonDays) continue;
      const deprecatedOn = text(value['deprecatedOn']);
      upcoming.push({ itemId, title, url, endOfLife, daysLeft, ...(deprecatedOn !== undefined && { deprecatedOn }) });
    } else {
      const written = text(value['endOfLifeText']);
      if (written !== undefined) unreadable.push({ itemId, title, url, text: written });
    }
  }
  upcoming.sort((a, b) => a.daysLeft - b.daysLeft || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  unreadable.sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  return { upcoming, unreadable };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
