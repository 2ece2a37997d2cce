// Deprecation notices (`depnote`): the tenant still uses a feature Auth0 is retiring. Announced once per feature and
// client, again only after `silenceDays` without a notice; notices of one run are counted into one event.
import { FIELD_CHARS, logClient, logText, type TenantLogRecord } from './log-fields.js';
import { DAY_MS, MAX_KEYS, keepNewest, minuteIso, tenantEvent, type Run } from './state.js';

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
    if (known !== undefined) known.last = Math.max(known.last, at);
    return;
  }
  const known = run.state.deprecations[key];
  const silenceMs = run.ctx.settings.deprecations.silenceDays * DAY_MS;
  if (known !== undefined && at - known.last < silenceMs) {
    known.last = Math.max(known.last, at);
    return;
  }
  run.state.deprecations[key] = { announced: at, last: at };
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

/** Announces the run's new notices, oldest first; forgets features silent for longer than `silenceDays`. */
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
  const silenceMs = run.ctx.settings.deprecations.silenceDays * DAY_MS;
  for (const [key, known] of Object.entries(run.state.deprecations)) {
    if (clock - known.last >= silenceMs) delete run.state.deprecations[key];
  }
}
