// Adapter of the Teams plug-in: one POST per message to a Teams Workflows webhook (the "Post to a channel when a webhook
// request is received" flow), which answers 202 Accepted and posts the card on its own. Retries through the shared
// JSON poster (adapters/http-json-post.ts). The URL is a secret: its signature (`sig=`) lets anyone post.
import { isPostableUrl, postJson, type JsonPostOptions } from '../../adapters/http-json-post.js';
import type { TeamsMessage } from './teams-card.js';
import { TeamsError } from './teams-error.js';

export interface TeamsWorkflowOptions extends JsonPostOptions {
  /** The workflow's HTTP POST URL (resolved from its secret reference). Never quoted in an error or a log line. */
  readonly url: string;
  /** Posts to this origin (and path prefix) instead, with the URL's path and query: tests point it at a local server. */
  readonly apiBaseUrl?: string;
}

export interface TeamsWorkflow {
  post(message: TeamsMessage): Promise<void>;
}

/** Builds the poster. Throws `TeamsError` at once when the URL is unusable, without quoting it. */
export function makeTeamsWorkflow(options: TeamsWorkflowOptions): TeamsWorkflow {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new TeamsError('invalid_webhook_url', true, 'the Teams webhook URL is not a valid URL');
  }
  if (!isPostableUrl(parsed)) {
    throw new TeamsError('invalid_webhook_url', true, 'the Teams webhook URL must be an https:// URL (http:// only for loopback hosts)');
  }
  const url = options.apiBaseUrl === undefined ? parsed.href : `${options.apiBaseUrl.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
  // What must never be quoted: the URL, its path and query, and the signature on its own.
  const secretParts = [options.url, parsed.href, url, `${parsed.pathname}${parsed.search}`, parsed.search, parsed.searchParams.get('sig') ?? ''];
  const target = { url, name: 'the Teams workflow', secretParts };
  return {
    async post(message) {
      const body = JSON.stringify(message);
      await postJson(target, () => ({ body }), (code, permanent, text) => new TeamsError(code, permanent, text), options);
    },
  };
}
