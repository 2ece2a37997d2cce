// The contract every source plug-in fulfils: one module object per source type that declares what the rest of the
// system needs to know about it (config schema, vendor, region, cadence, secrets, whether empty is normal) and, for a
// feed, what to fetch (declarative) and a pure parse of what came back.
import type { ZodType } from 'zod';
import type { SecretRef, SourceSchemaKit } from '../config/source-schema-kit.js';
import type { EventSourceInfo } from '../core/event-factory.js';
import type { ParseResult, WatcherEvent } from '../core/model.js';

import type { ConnectManagementApi, FetchedDocument, Fetcher, FetchRequest, Logger } from '../core/ports.js';
export type { ContentFamily, FetchedDocument, FetchRequest } from '../core/ports.js';

/** What every source config has, whatever its type (see `sourceBase` in config/source-schema-kit.ts). */
export interface SourceConfigBase {
  readonly id: string;
  readonly type: string;
  readonly url: string;
  readonly name?: string;
  readonly everyMinutes?: number;
  readonly failureThreshold?: number;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly trackResolvedDays?: number;
}

/** A secret reference a source config holds, and the field it sits in (for error messages: `field "token"`). */
export interface SourceSecretRef {
  readonly field: string;
  readonly ref: SecretRef;
}

/**
 * How a source is read. `feed`: a list of items fetched and diffed against remembered state (every source today).
 * `stream`: records read on from a checkpoint and classified into events (tenant logs). `probe`: a check run each
 * time, judged against its previous state, with measurements (a synthetic login, the IP allow-list, tenant checks).
 */
export type SourceKind = 'feed' | 'stream' | 'probe';

/** What every kind of plug-in declares. */
interface SourcePluginFacts<C extends SourceConfigBase> {
  readonly type: C['type'];
  readonly kind: SourceKind;
  /**
   * The config schema of this type, built from the shared pieces (config/source-schema-kit.ts). A function of the kit
   * rather than a schema, so that the plug-in does not import the schema library: the Lambda bundles carry the
   * plug-ins, and zod would cost them some 60 KB (they check the config's shape only; the stack validated it).
   */
  configSchema(kit: SourceSchemaKit): ZodType<C>;
  /** Poll cadence in minutes (on AWS) when a source sets no `everyMinutes`. */
  readonly defaultEveryMinutes: number;
  /** Who the items are about, for people and routing rules ("Auth0"); for third-party pages, what to call the type. */
  readonly vendor: string;
  /** How the config names the vendor, overriding `vendor` (third-party pages: their config's `vendor`). Unset: `vendor`. */
  vendorOf?(config: C): string;
  /** The region label the source's events carry when an item names none. Unset: none. */
  regionOf?(config: C): string | undefined;
  /**
   * The secret references the config holds, with their fields. The stack grants the poll function read access to each
   * and refuses one AWS cannot resolve; a reference left out here silently gets no grant. Unset: none.
   */
  secretRefsOf?(config: C): readonly SourceSecretRef[];
  /**
   * Where the source's items are tracked, when several sources read the same items: sources whose module returns the
   * same scope track each item once, together (one state, one event per change, one thread), and an item id must mean
   * the same item in all of them. A scope starts with `@`, which source ids cannot contain. Unset: the source's items
   * are its own, tracked under its id.
   */
  itemScope?(config: C): string;
}

/** A source read as a list of items: fetched, parsed, diffed against what the store remembers. */
export interface FeedSourceModule<C extends SourceConfigBase = SourceConfigBase> extends SourcePluginFacts<C> {
  readonly kind: 'feed';
  /** The requests one poll makes. */
  requests(config: C): readonly FetchRequest[];
  /** Pure: documents in, items or a reason out. Documents are in request order, pages in order. */
  parse(documents: readonly FetchedDocument[], config: C): ParseResult;
  /**
   * Whether a parse with no items, where the last good poll had some, is normal: a feed of open events only, or a
   * list narrowed to a few components. Unset or false: the source fails as "suddenly empty".
   */
  emptyIsNormal?(config: C): boolean;
}

/**
 * A source read on from a checkpoint: records (the tenant's logs) archived page by page before the checkpoint moves,
 * then classified into events by detectors. The stream use case (functions/stream/poll-stream.ts) does the reading,
 * archiving and publishing; the plug-in declares the config and the facts every source has.
 */
export interface StreamSourceModule<C extends SourceConfigBase = SourceConfigBase> extends SourcePluginFacts<C> {
  readonly kind: 'stream';
}

/**
 * What a probe remembers between runs: plain JSON, bounded (a few KB: it is stored on the source record, and a DynamoDB
 * item holds at most 400 KB). Its shape is the plug-in's own.
 */
export type ProbeState = { readonly [key: string]: unknown };

/** What one probe run is given. */
export interface ProbeContext {
  /** The source as events name it: pass it to `makeEvent` (core/event-factory.ts). */
  readonly source: EventSourceInfo;
  readonly now: Date;
  /** The config's secret references (`secretRefsOf`) resolved, by field: `{ clientSecret: '…', password: '…' }`. */
  readonly secrets: Readonly<Record<string, string>>;
  /** WHATWG fetch, for requests the feed fetcher does not make (a token request, the Management API). */
  readonly fetch: typeof fetch;
  /** The feeds' HTTP fetcher: GETs of documents with timeouts, size caps, content-type checks and conditional GET. */
  readonly fetcher: Fetcher;
  readonly logger: Logger;
  /** Opens Auth0's Management API for the run (token, retries, rate limits, errors naming the scope); set by the wiring. */
  readonly managementApi?: ConnectManagementApi;
}

/** What one probe run found. */
export interface ProbeRunResult {
  /** The state the next run is judged against. */
  readonly state: ProbeState;
  readonly events: readonly WatcherEvent[];
  /** Numbers to record: printed locally, a CloudWatch metric per probe on AWS (`{ latencyMs: 312 }`). */
  readonly measurements?: Readonly<Record<string, number>>;
  /** The check did not run (a paused probe), and why; `state` is still saved. */
  readonly skipped?: string;
}

/**
 * A check run each time (a synthetic login, the IP allow-list, tenant checks, a documentation page): it reads what it
 * needs and judges it against the state its previous run returned. The probe use case (functions/probe/run-probe.ts)
 * stores the state, publishes the events and keeps the source's health.
 */
export interface ProbeSourceModule<C extends SourceConfigBase = SourceConfigBase> extends SourcePluginFacts<C> {
  readonly kind: 'probe';
  /**
   * One run. `previous` is undefined on the first run (a baseline). Throws `ProbeError`, `FetchError` or
   * `ManagementApiError` (core/errors.ts) naming the URL and the reason when what it checks cannot be read: the use
   * case counts a failure toward `source.failing` and keeps the previous state.
   */
  run(config: C, previous: ProbeState | undefined, ctx: ProbeContext): Promise<ProbeRunResult>;
}

/** A source plug-in of any kind. */
export type SourceModule<C extends SourceConfigBase = SourceConfigBase> =
  | FeedSourceModule<C>
  | StreamSourceModule<C>
  | ProbeSourceModule<C>;

/** The config type a plug-in reads. */
export type ConfigOf<M> = M extends SourceModule<infer C> ? C : never;
