// Deprecation notices (`depnote`): the tenant still uses a feature Auth0 is retiring. Announced once per feature and
// client, again only after `silenceDays` without a notice; notices of one run are counted into one event.
import { FIELD_CHARS, logClient, logText, type TenantLogRecord } from './log-fields.js';
import { DAY_MS, MAX_KEYS, keepNewest, minuteIso, tenantEvent, type DeprecationState, type Run, type TenantDetectorState } from './state.js';
import type { TenantDetectorSettings } from './settings.js';

interface Pending {
  key: string;
  at: number;
  count: number;
  featureId: string;
  featureName?: string;
  clientId?: string;
  clientName?: string;
  description?: string;
  documentation?: string;
  logType: string;
}

/** The notices of this run waiting to be announced, by key (a run's announcements go out when it settles). */
export type PendingDeprecations = Map<string, Pending>;

export function countDeprecationLog(run: Run, pending: PendingDeprecations, log: TenantLogRecord, at: number): void {
  const featureId =
    logText(log, 'details.feature.id', FIELD_CHARS.id) ?? logText(log, 'details.id', FIELD_CHARS.id) ?? 'unknown';
  const client = logClient(log);
  const key = `depnote:${featureId}:${client.clientId ?? 'tenant'}`;
  const waiting = pending.get(key);
  if (waiting !== undefined) {
    waiting.count += 1;
    const known = run.state.deprecations[key];
    if (known !== undefined) seenAgain(known, at);
    return;
  }
  const known = run.state.deprecations[key];
  const silenceMs = run.ctx.settings.deprecations.silenceDays * DAY_MS;
  if (known !== undefined && at - known.last < silenceMs) {
    seenAgain(known, at);
    return;
  }
  const featureName = logText(log, 'details.feature.name', FIELD_CHARS.name);
  run.state.deprecations[key] = {
    announced: at,
    last: at,
    count: 1,
    ...(featureName !== undefined && { name: featureName }),
    ...(client.clientName !== undefined && { clientName: client.clientName }),
  };
  keepNewest(run.state.deprecations, MAX_KEYS.deprecations, (value) => value.last);
  pending.set(key, {
    key,
    at,
    count: 1,
    featureId,
    featureName: logText(log, 'details.feature.name', FIELD_CHARS.path),
    ...client,
    // The description repeats the feature's name and "This feature is being deprecated"; the feature's own text says more.
    description: logText(log, 'details.feature.description', FIELD_CHARS.path) ?? logText(log, 'description', FIELD_CHARS.path),
    documentation: logText(log, 'details.feature.documentation', FIELD_CHARS.path),
    logType: log.type,
  });
}

function seenAgain(known: DeprecationState, at: number): void {
  known.last = Math.max(known.last, at);
  known.count = (known.count ?? 1) + 1;
}

/**
 * Announces the run's new notices, oldest first; forgets features silent for longer than `silenceDays`. A notice is
 * announced by whichever path sees it first; an older notice of the same feature and client read later is counted.
 */
export function settleDeprecations(run: Run, pending: PendingDeprecations, clock: number): void {
  const notices = [...pending.values()].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
  for (const notice of notices) {
    const client =
      notice.clientName !== undefined ? notice.clientName : notice.clientId !== undefined ? notice.clientId : 'the tenant';
    const feature = notice.featureName ?? notice.featureId;
    const docs = notice.documentation === undefined ? '' : ` Migration guide: ${notice.documentation}`;
    run.events.push(
      tenantEvent(run.ctx, 'tenant.deprecation_notice', {
        itemId: notice.key,
        changeKey: `deprecation:${minuteIso(notice.at)}`,
        occurredAt: notice.at,
        title: `Deprecated feature in use by ${client}: ${feature}`,
        summary: `${notice.description ?? 'Auth0 logged a deprecation notice for this feature.'}${docs}`,
        facts: {
          logType: notice.logType,
          count: notice.count,
          clientId: notice.clientId,
          clientName: notice.clientName,
          feature: { id: notice.featureId, ...(notice.featureName !== undefined && { name: notice.featureName }) },
          from: new Date(notice.at).toISOString(),
        },
      }),
    );
  }
  pending.clear();
  // Forgetting is the poll's: silence is judged at the horizon, never from logs seen ahead of it.
  if (run.ahead) return;
  const silenceMs = run.ctx.settings.deprecations.silenceDays * DAY_MS;
  for (const [key, known] of Object.entries(run.state.deprecations)) {
    if (clock - known.last >= silenceMs) delete run.state.deprecations[key];
  }
}

/** A deprecation notice still active: the feature was last seen in use less than `silenceDays` ago. */
export interface ActiveDeprecation {
  /** The detector's key, `depnote:<feature id>:<client id or "tenant">` (the `itemId` of its events). */
  readonly key: string;
  readonly feature: { readonly id: string; readonly name?: string };
  readonly clientId?: string;
  readonly clientName?: string;
  /** ISO 8601: when it was last announced, and the newest notice seen since. */
  readonly announcedAt: string;
  readonly lastSeenAt: string;
  /** Notices seen since the announcement, where the state kept the count. */
  readonly count?: number;
}

const DEPRECATION_KEY = /^depnote:(.+):([^:]+)$/;

/**
 * The deprecation notices of a tenant-log source's detector state still active at `now` (last seen less than
 * `silenceDays` before it), most recently seen first. State that is missing or not of the expected shape yields none;
 * a key or time that cannot be read is passed over.
 */
export function activeDeprecations(
  state: TenantDetectorState | undefined,
  now: Date,
  settings: Pick<TenantDetectorSettings, 'deprecations'>,
): ActiveDeprecation[] {
  const known: unknown = state?.deprecations;
  if (typeof known !== 'object' || known === null || Array.isArray(known)) return [];
  const silenceMs = settings.deprecations.silenceDays * DAY_MS;
  const active: ActiveDeprecation[] = [];
  for (const [key, value] of Object.entries(known as Record<string, Partial<DeprecationState> | null>)) {
    const match = DEPRECATION_KEY.exec(key);
    const last = value?.last;
    if (match === null || typeof last !== 'number' || !Number.isFinite(last)) continue;
    if (now.getTime() - last >= silenceMs) continue;
    const announced = typeof value?.announced === 'number' && Number.isFinite(value.announced) ? value.announced : last;
    const text = (field: unknown): string | undefined => (typeof field === 'string' && field !== '' ? field : undefined);
    const name = text(value?.name);
    const clientName = text(value?.clientName);
    const clientId = match[2] === 'tenant' ? undefined : match[2];
    active.push({
      key,
      feature: { id: match[1]!, ...(name !== undefined && { name }) },
      ...(clientId !== undefined && { clientId }),
      ...(clientName !== undefined && { clientName }),
      announcedAt: new Date(announced).toISOString(),
      lastSeenAt: new Date(last).toISOString(),
      ...(typeof value?.count === 'number' && Number.isFinite(value.count) && { count: value.count }),
    });
  }
  return active.sort((a, b) => (a.lastSeenAt === b.lastSeenAt ? (a.key < b.key ? -1 : 1) : a.lastSeenAt < b.lastSeenAt ? 1 : -1));
}
