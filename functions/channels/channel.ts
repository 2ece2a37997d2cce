// The contract every channel plug-in fulfils: one module object per output type that declares what the rest of the
// system needs to know about it (config schema, secrets, how its records are keyed, how its failures sort, how its
// notifier is deployed) and how one route of it posts one event. The delivery boundary (deliver-to-channel.ts) holds
// the claim → post → complete protocol and knows nothing of any channel.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ZodType } from 'zod';
import type { ChannelSchemaKit } from '../config/channel-schema-kit.js';
import type { DeliveryScope } from '../core/errors.js';
import type { WatcherEvent } from '../core/model.js';
import type { Clock, Logger, SecretResolver } from '../core/ports.js';
import type { RouteRules } from '../core/routing.js';
import type { DeliveryStore } from './delivery-store.js';
import type { TableItemAction } from '../contract.js';

/** What every route config has, whatever its channel. */
export interface ChannelConfigBase {
  readonly type: string;
  /** Names the route (AWS resources, logs, its local queue); defaults to `<type>-<index among the outputs>`. */
  readonly id?: string;
  readonly rules: RouteRules;
}

/** A route with its id filled in (see `routeIdOf`): how the stack, the notifier and the CLI hold it. */
export type Routed<C extends ChannelConfigBase> = C & { readonly id: string };

/** A secret reference a route holds, and the field it sits in (for error messages: `field "botToken"`). */
export interface ChannelSecretRef {
  readonly field: string;
  readonly ref: string;
}

/** How a channel's notifier is deployed, one function per route (lib/channel-notifier.ts). */
export interface ChannelNotifierFacts<C extends ChannelConfigBase> {
  /**
   * The notifier's Lambda handler module, `handler.ts` in the plug-in's folder (a `file:` URL). Its bundle carries this
   * plug-in only, and the benchmarks name it after the folder.
   */
  readonly entry: string;
  /** The notifier's `POWERTOOLS_SERVICE_NAME`, the `service` key of its log lines. */
  readonly serviceName: string;
  /** How the route posts, for the function's description: `bot, channel C0123ABCD`. */
  describe(route: Routed<C>): string;
  /**
   * Table item operations the channel's own state sends, beyond the delivery records' and the event log's (GetItem,
   * PutItem, UpdateItem). Unset: none.
   */
  readonly tableActions?: readonly TableItemAction[];
}

/** Retry and timeout settings of a channel's HTTP client (tests shorten them); the client's defaults otherwise. */
export interface ChannelHttpOptions {
  /** Retries of 5xx, network errors and timeouts (429 waits Retry-After and retries too). */
  readonly retries?: number;
  readonly minRetryDelayMs?: number;
  readonly timeoutMs?: number;
}

/** What a route is connected with: where its records are, its secrets, and the watcher's clock and logger. */
export interface ChannelContext {
  /** The route's delivery records, for a channel that must tell a live attempt from a dead one (Slack's thread roots). */
  readonly deliveries: DeliveryStore;
  /** The watcher's table, for a channel that keeps state of its own there (its `tableActions`). */
  readonly table: { readonly client: DynamoDBClient; readonly tableName: string };
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly http?: ChannelHttpOptions;
  /** Waits of the channel's own (Slack: for another attempt posting a root); tests pass a fake. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One attempt at delivering one event, as the boundary hands it to the channel: its claim and its times. */
export interface PostAttempt {
  /** Names this attempt's claim; a claim the channel makes in its own state for this attempt carries it. */
  readonly token: string;
  /** When the attempt started: the time its decisions are measured against. */
  readonly now: Date;
  /** Set when an earlier attempt claimed the event first (since then) and died or gave up: it may have posted. */
  readonly reclaimedSince?: string;
  /** A claim with no sign of life since before this belongs to a dead attempt. */
  readonly deadBefore: string;
  /** A claim taken before this may be taken over however alive its holder looks. */
  readonly staleBefore: string;
  /** Throws when another attempt took the claim over (this one looked dead): call it just before anything visible. */
  assertHeld(): void;
}

/** What a post did: the channel's receipt (kept with the delivery record), and whether an earlier attempt had made it. */
export interface Posted {
  readonly receipt?: string;
  readonly recovered: boolean;
}

/** One route of a channel, connected: its secret resolved, its clients made. What the boundary posts through. */
export interface ChannelConnection {
  /**
   * Where the route posts, as the channel names it (`destinationKey`): its delivery records are keyed by it, and logs
   * show it. Never a secret.
   */
  readonly destination: string;
  /**
   * Posts one event, exactly once as far as the channel allows: when `attempt.reclaimedSince` is set, first look for
   * what the earlier attempt posted. Throws the channel's `ChannelError` when the channel refuses or cannot be reached.
   */
  post(event: WatcherEvent, attempt: PostAttempt): Promise<Posted>;
  /**
   * Finds what an earlier attempt of this event posted since `since` (ISO time), if the channel can be asked; the
   * boundary asks before `post` when the event was reclaimed. Unset: the channel cannot tell, and `post` decides.
   */
  findPosted?(event: WatcherEvent, since: string): Promise<string | undefined>;
  /** The channel's upkeep after each delivery, posted or not (Slack: roots that failed to update). Never throws. */
  afterDelivery?(): Promise<void>;
  /**
   * The channel's upkeep once per batch of a route's queue, after its deliveries (Slack: the status board's one update).
   * Never throws. Local mode does the same in the plug-in's `afterLocalRun`.
   */
  afterBatch?(): Promise<void>;
  /** The channel's own error for the boundary's refusals (another attempt busy, a claim taken over); never permanent. */
  error(code: string, message: string): Error;
}

export interface ChannelPlugin<C extends ChannelConfigBase = ChannelConfigBase> {
  /** The output `type` in the config. */
  readonly type: C['type'];
  /** The channel's name for people and the stack: `Slack` names `SlackNotifier-<route id>` and `Slack route "…"`. */
  readonly label: string;
  /**
   * The route config schema, built from the shared pieces (config/channel-schema-kit.ts). A function of the kit rather
   * than a schema, so that the plug-in, which the notifier's bundle carries, does not import the schema library.
   */
  configSchema(kit: ChannelSchemaKit): ZodType<C>;
  /**
   * Checks the channel's own fields of a route at a notifier's cold start (ROUTE, which the stack validated with the
   * schema at synth): throws `invalid(field, problem)` at the first one that is off.
   */
  checkRoute(route: Readonly<Record<string, unknown>>, invalid: (field: string, problem: string) => Error): void;
  /**
   * The secret references the route holds, with their fields. The stack grants the route's notifier read access to
   * each and refuses one AWS cannot resolve; a reference left out here silently gets no grant.
   */
  secretRefsOf(route: C): readonly ChannelSecretRef[];
  /**
   * The partition prefix of the channel's delivery records (`SLACK` → `SLACK#<destination>`): upper-case letters,
   * digits and `_`. Records already deployed are found by it, so it never changes.
   */
  readonly keyPrefix: string;
  /** The destination a route posts to, as its records are keyed (a channel ID, `webhook:<route id>`); never a secret. */
  destinationKey(route: Routed<C>): string;
  /**
   * Sorts one of this channel's failures: `route` (credentials, permissions, the destination gone: every event would
   * fail), `event` (this one message refused), `transient` (rate limits, 5xx, network). Undefined for an error that is
   * not the channel's own.
   */
  classifyFailure(error: Error): DeliveryScope | undefined;
  readonly notifier: ChannelNotifierFacts<C>;
  /** Connects one route: resolves its secrets and makes its clients. Throws when it cannot (a secret missing). */
  connect(route: Routed<C>, context: ChannelContext): Promise<ChannelConnection>;
  /**
   * Local mode: the channel's upkeep after a run's deliveries (Slack refreshes roots that failed to update, even when
   * the run delivered nothing). Never throws. Unset: none.
   */
  afterLocalRun?(route: Routed<C>, context: ChannelContext): Promise<void>;
  /**
   * Pages: an incident's alert stays open until the event that ends the item (PagerDuty, Opsgenie). A test event sent to
   * such a route is followed by that event, so that no test alert is left open. Unset: not a paging channel.
   */
  readonly keepsAlertsOpen?: true;
}

/** The config type a plug-in reads. */
export type ChannelConfigOf<P> = P extends ChannelPlugin<infer C> ? C : never;

/** The id of a route: its own, or `<type>-<index among the outputs>`. */
export function routeIdOf(route: ChannelConfigBase, index: number): string {
  return route.id ?? `${route.type}-${index}`;
}
