// What each tenant check makes of its Management API answer (pure): a finding per checked thing, passing or failing, with
// what to do. Answers are untrusted: each is checked for the fields read (and only those: a log stream's `sink` holds
// credentials and is never read), and an answer of another shape is a ProbeError naming the URL, never "passing".
import { ProbeError } from '../../core/errors.js';
import type { Severity } from '../../core/model.js';
import { cleanLine } from '../../core/text/clean-line.js';
import type { CheckName } from './config-schema.js';

/** One checked thing: the email provider, one log stream, the tenant's default directory. */
export interface CheckFinding {
  /** `email-provider`, `log-stream:<stream id>`, `synthetic-prerequisites`. */
  readonly itemId: string;
  readonly check: CheckName;
  /** What was checked, for people: `Email provider`, `Log stream "Splunk" (splunk)`. */
  readonly subject: string;
  readonly failing?: CheckFailure;
  /** Passing: what was seen (`Email provider "ses" is configured and enabled.`). */
  readonly passing?: string;
}

export interface CheckFailure {
  /** A stable word for what fails (`built-in-provider`, `disabled`, `paused`, `no-default-directory`). */
  readonly reason: string;
  readonly title: string;
  readonly summary: string;
  readonly action: string;
  readonly severity: Severity;
}

/** Where each check's subject is documented: the link of its events. */
export const CHECK_DOCS: Readonly<Record<CheckName, string>> = {
  'email-provider': 'https://auth0.com/docs/customize/email/smtp-email-providers',
  'log-stream': 'https://auth0.com/docs/customize/log-streams',
  'synthetic-prerequisites': 'https://auth0.com/docs/get-started/tenant-settings',
};

/** The Management API paths read, each asking only for the fields judged. */
export const CHECK_PATHS: Readonly<Record<CheckName, string>> = {
  'email-provider': '/api/v2/emails/provider?fields=name,enabled&include_fields=true',
  'log-stream': '/api/v2/log-streams',
  'synthetic-prerequisites': '/api/v2/tenants/settings?fields=default_directory&include_fields=true',
};

/** Log streams judged at most (a tenant has a handful; more is not an answer this check understands). */
export const MAX_LOG_STREAMS = 100;
const PROVIDER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const WORD = /^[A-Za-z0-9_.-]{1,40}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `GET /api/v2/emails/provider`: 404 `inexistent_email_provider` is the built-in test provider; `enabled: false` a disabled one. */
export function judgeEmailProvider(answer: { readonly url: string; readonly status: number; readonly body: unknown }): CheckFinding {
  const base = { itemId: 'email-provider', check: 'email-provider', subject: 'Email provider' } as const;
  const docs = CHECK_DOCS['email-provider'];
  if (answer.status === 404) {
    if (!isObject(answer.body) || answer.body.errorCode !== 'inexistent_email_provider') {
      throw new ProbeError(answer.url, 'HTTP 404 without the errorCode inexistent_email_provider: not an answer about the email provider');
    }
    return {
      ...base,
      failing: {
        reason: 'built-in-provider',
        title: "Email provider: the tenant still uses Auth0's built-in test provider",
        summary:
          "No email provider is configured, so Auth0's built-in email provider sends the tenant's emails (verification, " +
          "password reset, invitations). It is for testing only, not for production: it sends few emails, from Auth0's " +
          'own address, without your templates.',
        action: `Configure your own email provider (Auth0 Dashboard: Branding > Email Provider) and send a test email: ${docs}`,
        severity: 'major',
      },
    };
  }
  const body = answer.body;
  if (answer.status !== 200 || !isObject(body)) throw new ProbeError(answer.url, `HTTP ${answer.status}: not an email provider`);
  const { name, enabled } = body;
  if (typeof name !== 'string' || !PROVIDER_NAME.test(name)) throw new ProbeError(answer.url, 'the email provider has no usable name');
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new ProbeError(answer.url, 'the email provider\'s "enabled" is not true or false');
  // `enabled` defaults to true in the Management API: a provider that does not say is on.
  if (enabled === false) {
    return {
      ...base,
      failing: {
        reason: 'disabled',
        title: `Email provider: "${name}" is configured but disabled`,
        summary: `The tenant's email provider "${name}" is turned off, so it does not send the tenant's emails.`,
        action: `Turn on "Use my own email provider" (Auth0 Dashboard: Branding > Email Provider) and send a test email: ${docs}`,
        severity: 'major',
      },
    };
  }
  return { ...base, passing: `Email provider "${name}" is configured and enabled.` };
}

/** `GET /api/v2/log-streams`: one finding per stream, failing when its status is not `active`. */
export function judgeLogStreams(answer: { readonly url: string; readonly body: unknown }): CheckFinding[] {
  const { url, body } = answer;
  if (!Array.isArray(body)) throw new ProbeError(url, 'the answer is not a list of log streams');
  if (body.length > MAX_LOG_STREAMS) throw new ProbeError(url, `the answer lists ${body.length} log streams, more than ${MAX_LOG_STREAMS}`);
  const seen = new Set<string>();
  return body.map((stream: unknown, index): CheckFinding => {
    if (!isObject(stream)) throw new ProbeError(url, `log stream ${index + 1} of the answer is not an object`);
    const { id, name, type, status } = stream;
    if (typeof id !== 'string' || !STREAM_ID.test(id) || seen.has(id)) throw new ProbeError(url, `log stream ${index + 1} has no usable id`);
    seen.add(id);
    if (typeof type !== 'string' || !WORD.test(type)) throw new ProbeError(url, `log stream ${id} has no usable type`);
    if (typeof status !== 'string' || !WORD.test(status)) throw new ProbeError(url, `log stream ${id} has no usable status`);
    const label = typeof name === 'string' && cleanLine(name, 80) !== '' ? cleanLine(name, 80) : id;
    const subject = `Log stream "${label}" (${type})`;
    const base = { itemId: `log-stream:${id}`, check: 'log-stream', subject } as const;
    if (status === 'active') return { ...base, passing: `${subject} is active.` };
    return {
      ...base,
      failing: {
        reason: status,
        title: `${subject} is ${status}`,
        summary:
          `${subject}, id ${id}, is ${status}, not active: Auth0 delivers no logs to it while it is. Auth0 pauses a stream ` +
          'after repeated delivery failures (someone may also have paused it).',
        action:
          'Check the stream\'s health in the Auth0 Dashboard (Monitoring > Streams), fix what its sink refused (the endpoint, ' +
          `its credentials, the event bus), then set the stream active again: ${CHECK_DOCS['log-stream']}`,
        severity: 'major',
      },
    };
  });
}

/**
 * `GET /api/v2/tenants/settings`: the realm-less password grant (`grant_type=password`) needs the tenant's default
 * directory; without one Auth0 answers "Authorization server not configured with default connection".
 */
export function judgeSyntheticPrerequisites(answer: { readonly url: string; readonly body: unknown }): CheckFinding {
  const { url, body } = answer;
  if (!isObject(body)) throw new ProbeError(url, 'the answer is not the tenant\'s settings');
  const directory = body.default_directory;
  if (directory !== undefined && directory !== null && typeof directory !== 'string') {
    throw new ProbeError(url, 'the tenant\'s default_directory is not a connection name');
  }
  const base = { itemId: 'synthetic-prerequisites', check: 'synthetic-prerequisites', subject: 'Default directory' } as const;
  const name = typeof directory === 'string' ? cleanLine(directory, 128) : '';
  if (name !== '') return { ...base, passing: `The tenant's default directory is "${name}".` };
  return {
    ...base,
    failing: {
      reason: 'no-default-directory',
      title: 'Default directory: none set, so the realm-less password grant fails',
      summary:
        'The tenant has no default directory, so a password grant without a realm (grant_type=password) fails with ' +
        '"Authorization server not configured with default connection": a synthetic login or application using it cannot log in.',
      action:
        'Set the Default Directory to the connection of the test user (Auth0 Dashboard: Settings > General > API ' +
        'Authorization Settings), or log in with the password-realm grant and a realm (as the auth0-synthetic-login source does).',
      severity: 'major',
    },
  };
}
