// Adapter of the Opsgenie plug-in: the Alert API calls it makes (create an alert, add a note, close it), each through
// the shared JSON poster (adapters/http-json-post.ts: 429 retried after its Retry-After; 5xx, timeouts and network
// errors after backoff; any other refusal reported at once). Opsgenie answers each with 202 and a requestId once it
// has queued it: it processes requests asynchronously.
import { postJson, type JsonPostOptions } from '../../adapters/http-json-post.js';
import type { OpsgenieCreateAlert, OpsgenieNote } from './opsgenie-alert.js';
import { OpsgenieError } from './opsgenie-error.js';

export interface OpsgenieAlertApi {
  /** Creates the alert (Opsgenie folds it into an open alert with the same alias). */
  createAlert(alert: OpsgenieCreateAlert): Promise<void>;
  /** Adds a note to the alert with this alias. */
  addNote(alias: string, note: OpsgenieNote): Promise<void>;
  /** Closes the alert with this alias, with a note. */
  closeAlert(alias: string, note: OpsgenieNote): Promise<void>;
}

export interface OpsgenieApiOptions extends JsonPostOptions {
  readonly apiBaseUrl: string;
  /** The API integration's key: a secret, never quoted in an error or a log line. */
  readonly apiKey: string;
}

/** What a refusal of the key means, said where Opsgenie only says "Could not authenticate". */
const KEY_ADVICE: Readonly<Record<string, string>> = {
  http_401: "; Opsgenie refused the API key: check the route's apiKey (an API integration's key) and its region",
  http_403: '; the API key may not do this: give its integration create and update (read-write) access',
};

export function makeOpsgenieAlertApi(options: OpsgenieApiOptions): OpsgenieAlertApi {
  const base = `${options.apiBaseUrl.replace(/\/+$/, '')}/v2/alerts`;
  const headers = { authorization: `GenieKey ${options.apiKey}` };
  const makeError = (code: string, permanent: boolean, message: string) => new OpsgenieError(code, permanent, `${message}${KEY_ADVICE[code] ?? ''}`);
  const post = async (what: string, url: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    await postJson({ url, name: `Opsgenie Alert API (${what})`, secretParts: [options.apiKey] }, () => ({ body, headers }), makeError, options);
  };
  const byAlias = (alias: string, action: string) => `${base}/${encodeURIComponent(alias)}/${action}?identifierType=alias`;
  return {
    createAlert: (alert) => post('create alert', base, alert),
    addNote: (alias, note) => post('add note', byAlias(alias, 'notes'), note),
    closeAlert: (alias, note) => post('close alert', byAlias(alias, 'close'), note),
  };
}
