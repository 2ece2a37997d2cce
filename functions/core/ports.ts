// Ports the use cases are built from; adapters implement them, handlers and the CLI choose which.
import type { WatcherEvent } from './model.js';
import type { OutboxEntry, SourceState, TrackedItem } from './tracked.js';

/** What kind of body a request expects; a body of another kind (an HTML error page, say) fails the source. */
export type ContentFamily = 'xml' | 'json' | 'markdown';

export interface FetchRequest {
  readonly url: string;
  readonly expect: ContentFamily;
  /** Extra, non-secret request headers (Accept, API version). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A secret reference (`env:…`, `ssm:…`) sent as `Authorization: Bearer …`; resolved by the poller, never logged. */
  readonly bearerToken?: string;
  /** Follow RFC 8288 `Link: <…>; rel="next"` headers, up to the fetcher's page limit. */
  readonly paginate?: 'link-header';
}

/** One fetched page. */
export interface FetchedDocument {
  /** The URL asked for (for paginated requests: the page's URL). */
  readonly url: string;
  /** Where the body came from after redirects (equal to `url` when there were none). */
  readonly finalUrl: string;
  readonly contentType: string;
  readonly body: string;
}

export interface Clock {
  now(): Date;
}

/** HTTP cache validators remembered per request URL for conditional GETs. */
export interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

export type FetchOutcome =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      /** The request's pages, in order. */
      readonly documents: readonly FetchedDocument[];
      /** Validators of the response, for the next conditional GET; only set when the request fit in one page. */
      readonly validators?: Validators;
      readonly bytes: number;
    };

export interface FetchOptions {
  readonly validators?: Validators;
  readonly bearerToken?: string;
  /** Per-source overrides of the fetcher's defaults. */
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

export interface Fetcher {
  /**
   * Fetches one request (all its pages). Sends `If-None-Match`/`If-Modified-Since` when validators are given.
   * Throws `FetchError` naming the URL and the reason for anything that is not a usable body.
   */
  fetch(request: FetchRequest, options: FetchOptions): Promise<FetchOutcome>;
}

/** One answer of Auth0's Management API: the URL read, its status and its JSON body. */
export interface ManagementApiAnswer {
  readonly url: string;
  readonly status: number;
  readonly body: unknown;
}

/**
 * Auth0's Management API read with a machine-to-machine token (adapters/auth0-management-client.ts): the token cached,
 * rate limits, retries, errors naming the missing scope (`ManagementApiError`).
 */
export interface ManagementApi {
  /** The tenant's origin (`https://acme.us.auth0.com`). */
  readonly origin: string;
  /** GETs `path` (with its query); a 200 answer, or one whose status is in `accept` (a meaningful 404), is returned. */
  getJson(path: string, scope: string, options?: { readonly accept?: readonly number[] }): Promise<ManagementApiAnswer>;
}

/** The tenant, the application and the scopes its reads need (named when the token is refused). */
export interface ManagementApiCredentials {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** @default `<url>/api/v2/` */
  readonly audience?: string;
  readonly scopes: readonly string[];
  /** Deadline of one request, ms. */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Opens a Management API client for one run. */
export type ConnectManagementApi = (credentials: ManagementApiCredentials) => ManagementApi;

/** Delivers one event; throws `PublishError` when it could not. Must be safe to call again with the same event. */
export interface Publisher {
  publish(event: WatcherEvent): Promise<void>;
}

/** Resolves a secret reference (`env:NAME`, `ssm:/name`, `secretsmanager:name`) to its value. */
export interface SecretResolver {
  resolve(ref: string): Promise<string>;
}

/** Structured logging: a message and keys such as `source`, `itemId`, `eventType`, `url`, `reason`. */
export interface Logger {
  debug(message: string, keys?: Record<string, unknown>): void;
  info(message: string, keys?: Record<string, unknown>): void;
  warn(message: string, keys?: Record<string, unknown>): void;
  error(message: string, keys?: Record<string, unknown>): void;
}

/** A stored record with its outbox and optimistic-locking version. */
export interface StoredRecord<T> {
  readonly value: T;
  readonly outbox: readonly OutboxEntry[];
  readonly version: number;
}

/** Where an outbox lives: the source record (itemId undefined) or one item record. */
export interface OutboxRef {
  readonly sourceId: string;
  readonly itemId?: string;
}

export interface PutOptions {
  /** The version read before; undefined when the record must not exist yet. */
  readonly expectedVersion: number | undefined;
  /** Events to add to the record's outbox in the same write. */
  readonly outbox?: readonly OutboxEntry[];
  /** With a lease: the write succeeds only when no other run holds the source (leaseUntil absent or before this time). */
  readonly leaseFreeAt?: string;
}

/**
 * What the watcher remembers. Every write is conditional on the version read before, so two runs cannot both
 * apply a change; a write returns false when another run got there first.
 */
export interface StateStore {
  getSource(sourceId: string): Promise<StoredRecord<SourceState> | undefined>;
  putSource(sourceId: string, state: SourceState, options: PutOptions): Promise<boolean>;
  listItems(sourceId: string): Promise<ReadonlyArray<StoredRecord<TrackedItem>>>;
  putItem(sourceId: string, item: TrackedItem, options: PutOptions): Promise<boolean>;
  /** Takes an outbox entry for publishing if nobody holds it (unclaimed, or claimed before `staleBefore`). */
  claimOutbox(ref: OutboxRef, eventId: string, claimedAt: string, staleBefore: string): Promise<boolean>;
  /** Gives an entry back after a failed publish, so the next run retries it at once. */
  releaseOutbox(ref: OutboxRef, eventId: string): Promise<void>;
  /** Removes a published entry. */
  ackOutbox(ref: OutboxRef, eventId: string): Promise<void>;
  /**
   * Records an event in the event log the digests read, keyed by its detection time and id, so writing it
   * again is harmless. Written before each publish attempt, hence soon after detection even when publishing fails.
   */
  logEvent(event: WatcherEvent): Promise<void>;
}

/** A Slack message: fallback text (notifications, screen readers) and Block Kit blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: ReadonlyArray<Record<string, unknown>>;
}
