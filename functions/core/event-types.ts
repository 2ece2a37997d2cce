// The event-type table: everything the watcher knows about each event type, in one row per type. Emails, Slack
// messages and digests read it; the compiler demands a row for every type (pure data, no I/O).

/**
 * The event types of schema version 1. A new type is one member here plus one row in {@link EVENT_TYPE_FACTS} (the
 * compiler refuses the table without it) and the diff rule that emits it.
 */
export type EventType =
  | 'incident.opened'
  | 'incident.updated'
  | 'incident.resolved'
  | 'incident.rca_published'
  | 'maintenance.scheduled'
  | 'maintenance.started'
  | 'maintenance.updated'
  | 'maintenance.completed'
  | 'changelog.published'
  | 'advisory.published'
  | 'advisory.updated'
  | 'advisory.withdrawn'
  | 'source.failing'
  | 'source.recovered'
  | 'tenant.rate_limited'
  | 'tenant.rate_limit_warning'
  | 'tenant.rate_limit_recovered'
  | 'tenant.deprecation_notice'
  | 'tenant.login_failures_spike'
  | 'tenant.extensibility_failed'
  | 'tenant.security_signal'
  | 'tenant.logs_gap'
  | 'tenant.check_failed'
  | 'tenant.check_passed'
  | 'synthetic.failing'
  | 'synthetic.degraded'
  | 'synthetic.misconfigured'
  | 'synthetic.recovered'
  | 'allowlist.changed'
  | 'deprecation.announced'
  | 'deprecation.eol_approaching';

type FamilyOf<T> = T extends `${infer F}.${string}` ? F : never;
/** Events group into families by their type prefix: one Slack root layout and one routing wildcard (`incident.*`) each. */
export type EventFamily = FamilyOf<EventType>;

/**
 * Where a digest shows an event: `updates` (the activity of an incident or maintenance still open, else OTHER
 * UPDATES), `resolved` (RESOLVED IN THIS PERIOD, maintenance under "Maintenance completed"), `rca` (ROOT-CAUSE
 * ANALYSES), `change-log`, `advisories`, `health` (WATCHER HEALTH's health changes), `tenant` (YOUR TENANT: what the
 * tenant's own logs showed).
 */
export type DigestSection = 'updates' | 'resolved' | 'rca' | 'change-log' | 'advisories' | 'health' | 'tenant';

/**
 * What an event did to its item, in the digest's words, in the order an item's activity lists them ("opened, 3
 * updates, resolved"); `update` is counted. Advisories say `new`, `updated` or `withdrawn` instead.
 */
export const DIGEST_ACTIVITIES = [
  'opened',
  'scheduled',
  'started',
  'update',
  'resolved',
  'completed',
  'root-cause analysis published',
  'new',
  'updated',
  'withdrawn',
] as const;
export type DigestActivity = (typeof DIGEST_ACTIVITIES)[number];

/** What the watcher knows about one event type. */
export interface EventTypeFacts<T extends EventType = EventType> {
  /** The type's prefix. */
  readonly family: FamilyOf<T>;
  /** What happened, in words: "Auth0 <phrase>: <title>" in subjects, headlines and Slack notifications. */
  readonly phrase: string;
  /** The status shown when the vendor gave none. */
  readonly impliedStatus: string;
  /** The item is over after it (resolved, completed, recovered): its Slack root shows ✅. */
  readonly endsItem: boolean;
  /** It publishes the item's root-cause analysis: the item's Slack root says so from then on. */
  readonly publishesRca?: true;
  /** A Slack reply that is also sent to the channel, so the milestone is seen without opening the thread. */
  readonly broadcast: boolean;
  /** What a Slack reply leads with (already Slack-safe: our own words). */
  readonly replyLabel: string;
  /** The reply leads with the vendor's update label instead ("Identified"), {@link replyLabel} when there is none. */
  readonly replyUsesVendorLabel: boolean;
  /** Where a digest shows it, and what it did to its item there. */
  readonly digest: { readonly section: DigestSection; readonly activity?: DigestActivity };
}

/** One row per event type; the order is the order types are listed in (the README, per-type counts). */
export const EVENT_TYPE_FACTS: { readonly [T in EventType]: EventTypeFacts<T> } = {
  'incident.opened': {
    family: 'incident',
    phrase: 'incident opened',
    impliedStatus: 'open',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Incident opened',
    replyUsesVendorLabel: true,
    digest: { section: 'updates', activity: 'opened' },
  },
  'incident.updated': {
    family: 'incident',
    phrase: 'incident updated',
    impliedStatus: 'open, updated',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Incident updated',
    replyUsesVendorLabel: true,
    digest: { section: 'updates', activity: 'update' },
  },
  'incident.resolved': {
    family: 'incident',
    phrase: 'incident resolved',
    impliedStatus: 'resolved',
    endsItem: true,
    broadcast: true,
    replyLabel: '✅ Resolved',
    replyUsesVendorLabel: false,
    digest: { section: 'resolved', activity: 'resolved' },
  },
  'incident.rca_published': {
    family: 'incident',
    phrase: 'root-cause analysis published',
    impliedStatus: 'resolved, root-cause analysis published',
    endsItem: true,
    publishesRca: true,
    broadcast: true,
    replyLabel: '📝 Root-cause analysis published',
    replyUsesVendorLabel: false,
    digest: { section: 'rca', activity: 'root-cause analysis published' },
  },
  'maintenance.scheduled': {
    family: 'maintenance',
    phrase: 'maintenance scheduled',
    impliedStatus: 'scheduled',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Maintenance scheduled',
    replyUsesVendorLabel: false,
    digest: { section: 'updates', activity: 'scheduled' },
  },
  'maintenance.started': {
    family: 'maintenance',
    phrase: 'maintenance started',
    impliedStatus: 'in progress',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Maintenance started',
    replyUsesVendorLabel: false,
    digest: { section: 'updates', activity: 'started' },
  },
  'maintenance.updated': {
    family: 'maintenance',
    phrase: 'maintenance updated',
    impliedStatus: 'updated',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Maintenance updated',
    replyUsesVendorLabel: false,
    digest: { section: 'updates', activity: 'update' },
  },
  'maintenance.completed': {
    family: 'maintenance',
    phrase: 'maintenance completed',
    impliedStatus: 'completed',
    endsItem: true,
    broadcast: false,
    replyLabel: '✅ Maintenance completed',
    replyUsesVendorLabel: false,
    digest: { section: 'resolved', activity: 'completed' },
  },
  'changelog.published': {
    family: 'changelog',
    phrase: 'change-log entry',
    impliedStatus: 'published',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Change-log entry',
    replyUsesVendorLabel: false,
    digest: { section: 'change-log' },
  },
  'advisory.published': {
    family: 'advisory',
    phrase: 'security advisory',
    impliedStatus: 'published',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Security advisory',
    replyUsesVendorLabel: false,
    digest: { section: 'advisories', activity: 'new' },
  },
  'advisory.updated': {
    family: 'advisory',
    phrase: 'security advisory updated',
    impliedStatus: 'updated',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Security advisory updated',
    replyUsesVendorLabel: false,
    digest: { section: 'advisories', activity: 'updated' },
  },
  'advisory.withdrawn': {
    family: 'advisory',
    phrase: 'security advisory withdrawn',
    impliedStatus: 'withdrawn',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Security advisory withdrawn',
    replyUsesVendorLabel: false,
    digest: { section: 'advisories', activity: 'withdrawn' },
  },
  'source.failing': {
    family: 'source',
    phrase: 'source failing',
    impliedStatus: 'failing',
    endsItem: false,
    broadcast: false,
    replyLabel: '⚠️ Source failing',
    replyUsesVendorLabel: false,
    digest: { section: 'health' },
  },
  'source.recovered': {
    family: 'source',
    phrase: 'source recovered',
    impliedStatus: 'recovered',
    endsItem: true,
    broadcast: true,
    replyLabel: '✅ Recovered',
    replyUsesVendorLabel: false,
    digest: { section: 'health' },
  },
  'tenant.rate_limited': {
    family: 'tenant',
    phrase: 'tenant rate limited',
    impliedStatus: 'rate_limited',
    endsItem: false,
    broadcast: false,
    replyLabel: '🚦 Rate limited',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.rate_limit_warning': {
    family: 'tenant',
    phrase: 'tenant rate limit warning',
    impliedStatus: 'warning',
    endsItem: false,
    broadcast: false,
    replyLabel: '⚠️ Rate limit warning',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.rate_limit_recovered': {
    family: 'tenant',
    phrase: 'tenant rate limit recovered',
    impliedStatus: 'recovered',
    endsItem: true,
    broadcast: true,
    replyLabel: '✅ Rate limit recovered',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.deprecation_notice': {
    family: 'tenant',
    phrase: 'tenant deprecation notice',
    impliedStatus: 'deprecation',
    endsItem: false,
    broadcast: false,
    replyLabel: '⚠️ Deprecation notice',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.login_failures_spike': {
    family: 'tenant',
    phrase: 'tenant login failures spike',
    impliedStatus: 'spike',
    endsItem: false,
    broadcast: false,
    replyLabel: '🔴 Login failures spike',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.extensibility_failed': {
    family: 'tenant',
    phrase: 'tenant extensibility failed',
    impliedStatus: 'failing',
    endsItem: false,
    broadcast: false,
    replyLabel: '⚠️ Extensibility failing',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.security_signal': {
    family: 'tenant',
    phrase: 'tenant security signal',
    impliedStatus: 'signal',
    endsItem: false,
    broadcast: false,
    replyLabel: '🛡️ Security signal',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.logs_gap': {
    family: 'tenant',
    phrase: 'tenant logs gap',
    impliedStatus: 'gap',
    endsItem: false,
    broadcast: false,
    replyLabel: '⚠️ Tenant logs gap',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.check_failed': {
    family: 'tenant',
    phrase: 'tenant check failing',
    impliedStatus: 'failing',
    endsItem: false,
    broadcast: false,
    replyLabel: '⚠️ Check failing',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'tenant.check_passed': {
    family: 'tenant',
    phrase: 'tenant check passing again',
    impliedStatus: 'passing',
    endsItem: true,
    broadcast: true,
    replyLabel: '✅ Check passing',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'synthetic.failing': {
    family: 'synthetic',
    phrase: 'synthetic login failing',
    impliedStatus: 'failing',
    endsItem: false,
    broadcast: true,
    replyLabel: '🔴 Synthetic login failing',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'synthetic.degraded': {
    family: 'synthetic',
    phrase: 'synthetic login slow',
    impliedStatus: 'slow',
    endsItem: false,
    broadcast: false,
    replyLabel: '🟡 Synthetic login slow',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'synthetic.misconfigured': {
    family: 'synthetic',
    phrase: 'synthetic login misconfigured',
    impliedStatus: 'paused',
    endsItem: false,
    broadcast: true,
    replyLabel: '⏸️ Synthetic login misconfigured',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'synthetic.recovered': {
    family: 'synthetic',
    phrase: 'synthetic login recovered',
    impliedStatus: 'passing',
    endsItem: true,
    broadcast: true,
    replyLabel: '✅ Synthetic login recovered',
    replyUsesVendorLabel: false,
    digest: { section: 'tenant' },
  },
  'allowlist.changed': {
    family: 'allowlist',
    phrase: 'allow-list changed',
    impliedStatus: 'changed',
    endsItem: false,
    broadcast: false,
    replyLabel: 'IP allow-list changed',
    replyUsesVendorLabel: false,
    digest: { section: 'change-log' },
  },
  'deprecation.announced': {
    family: 'deprecation',
    phrase: 'deprecation announced',
    impliedStatus: 'announced',
    endsItem: false,
    broadcast: false,
    replyLabel: 'Deprecation announced',
    replyUsesVendorLabel: false,
    digest: { section: 'change-log' },
  },
  'deprecation.eol_approaching': {
    family: 'deprecation',
    phrase: 'end of life approaching',
    impliedStatus: 'end of life approaching',
    endsItem: false,
    broadcast: true,
    replyLabel: '⏳ End of life approaching',
    replyUsesVendorLabel: false,
    digest: { section: 'change-log' },
  },
};

/**
 * Every event type, in the table's order (the keys of a record over {@link EventType} are exactly its members).
 * Marked pure, so that a bundle that never reads the list or the table leaves both out.
 */
export const EVENT_TYPES = /* @__PURE__ */ Object.keys(EVENT_TYPE_FACTS) as readonly EventType[] as readonly [
  EventType,
  ...EventType[],
];

/** The human phrase for an event type, e.g. "incident resolved" or "change-log entry". */
export function describeEventType(type: EventType): string {
  return EVENT_TYPE_FACTS[type].phrase;
}

/** Whether a Slack reply of this type is also sent to the channel (resolution, root-cause analysis, recovery). */
export function isBroadcast(type: EventType): boolean {
  return EVENT_TYPE_FACTS[type].broadcast;
}

/** The family of an event type (its prefix). */
export function familyOf(type: EventType): EventFamily {
  return EVENT_TYPE_FACTS[type].family;
}
