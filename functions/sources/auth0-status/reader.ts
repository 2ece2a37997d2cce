// Reads the status.auth0.com Atom/RSS feed of one region into incidents and maintenances ('auth0-status'), with the
// status-page feed reader that Statuspage history feeds share.
import type { ParseResult } from '../../core/model.js';
import { parseStatusFeed } from '../formats/status-page-feed.js';
import { parseEachDocument } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import type { Auth0StatusSourceConfig } from './config-schema.js';

export function requests(config: Auth0StatusSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'xml' }];
}

export function parse(documents: readonly FetchedDocument[]): ParseResult {
  // A feed lists each incident once; should a page repeat one, the first (newest) listing wins.
  return parseEachDocument(documents, (document) => parseStatusFeed(document.body));
}
