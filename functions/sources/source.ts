// The contract every source module fulfils: what to fetch (declarative) and a pure parse of what came back.
import type { SecretRef, SourceConfig } from '../config/config.js';
import type { ParseResult } from '../core/model.js';

/** What kind of body a request expects; a body of another kind (an HTML error page, say) fails the source. */
export type ContentFamily = 'xml' | 'json' | 'markdown';

export interface FetchRequest {
  readonly url: string;
  readonly expect: ContentFamily;
  /** Extra, non-secret request headers (Accept, API version). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A secret sent as `Authorization: Bearer …` when configured; resolved by the poller, never logged. */
  readonly bearerToken?: SecretRef;
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

export interface SourceModule<C extends SourceConfig = SourceConfig> {
  readonly type: C['type'];
  /** Who the items are about, for people ("Auth0"). */
  readonly vendor: string;
  /** The requests one poll makes. */
  requests(config: C): readonly FetchRequest[];
  /** Pure: documents in, items or a reason out. Documents are in request order, pages in order. */
  parse(documents: readonly FetchedDocument[], config: C): ParseResult;
  /**
   * Where the source's items are tracked, when several sources read the same items: sources whose module returns the
   * same scope track each item once, together (one state, one event per change, one thread), and an item id must mean
   * the same item in all of them. A scope starts with `@`, which source ids cannot contain. Unset: the source's items
   * are its own, tracked under its id.
   */
  itemScope?(config: C): string;
}
