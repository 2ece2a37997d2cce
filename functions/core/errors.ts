// Error classes of the watcher; each is turned into an outcome in exactly one place (the poll use case or the CLI).

/** A source could not be read: names the source, the URL and the reason. */
export class SourceError extends Error {
  override readonly name: string = 'SourceError';
  constructor(
    readonly sourceId: string,
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`source ${sourceId}: ${reason} (${url})`, options);
  }
}

/** The HTTP layer failed: network error, timeout, HTTP status, redirect, content type, size. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason} (${url})`, options);
  }
}

/**
 * A probe (a check run each time: a synthetic login, the IP allow-list, tenant checks) could not read what it checks:
 * names the URL and the reason, never a secret. The probe use case counts it toward `source.failing` and keeps the
 * probe's state.
 */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason} (${url})`, options);
  }
}

/**
 * The Auth0 Management API (or its token endpoint) could not be read: names the URL and the reason, never a secret.
 * `rateLimited` means a rate limit outlasted the reader's wait budget (the run stops early and the next one continues
 * from its checkpoint); `missingScope` names the scope a 401/403 asks for (`read:logs`).
 */
export class ManagementApiError extends Error {
  override readonly name = 'ManagementApiError';
  readonly status?: number;
  readonly rateLimited?: boolean;
  readonly missingScope?: string;
  constructor(
    readonly url: string,
    readonly reason: string,
    options: { status?: number; rateLimited?: boolean; missingScope?: string; cause?: unknown } = {},
  ) {
    super(`${reason} (${url})`, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
    if (options.rateLimited !== undefined) this.rateLimited = options.rateLimited;
    if (options.missingScope !== undefined) this.missingScope = options.missingScope;
  }
}

/** Publishing an event failed; the event stays in the outbox and is retried by a later run. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly eventId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A secret reference could not be resolved. The message names the reference, never the value. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
}

/**
 * A delivery channel refused or could not be reached after retries: `code` is the channel's own word for why
 * (`channel_not_found`, `http_503`), and `permanent` errors will not heal by retrying. Each channel plug-in throws its
 * own subclass (functions/channels/<type>/), and sorts it into route, event or transient itself.
 */
export class ChannelError extends Error {
  override readonly name: string = 'ChannelError';
  constructor(
    readonly code: string,
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What a delivery failure is about, which decides what happens to the output's queue (local mode):
 * `transient` (rate limit, 5xx, network: retried next run), `route` (the output itself is unusable: a revoked token,
 * a channel gone, a path that cannot be written; its queue is held until it works) or `event` (the output refuses
 * this one event: it is retried a bounded number of runs, then parked while the rest go on).
 */
export type DeliveryScope = 'transient' | 'route' | 'event';

/** An output could not take an event: names the output (never a feed URL, never a secret), the scope and the reason. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly outputId: string,
    readonly scope: DeliveryScope,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`output ${outputId}: ${reason}`, options);
  }
}
