// Ports the use cases are built from; adapters implement them, handlers and the CLI choose which.
import type { WatcherEvent } from './model.js';
import type { FetchedDocument, FetchRequest } from '../sources/source.js';

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

export interface Fetcher {
  /**
   * Fetches one request (all its pages). Sends `If-None-Match`/`If-Modified-Since` when validators are given.
   * Throws `FetchError` naming the URL and the reason for anything that is not a usable body.
   */
  fetch(request: FetchRequest, options: { validators?: Validators; bearerToken?: string }): Promise<FetchOutcome>;
}

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
