// The schema pieces every source plug-in builds its config schema from (id, URL, secrets, cadence, vendor), handed to
// each plug-in's `configSchema` by config.ts. Plug-ins import only this module's types, so that the Lambda bundles,
// which carry the plug-ins, carry no schema library (the stack validates the config at synth).
import * as z from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** `https://` everywhere; `http://` only for loopback hosts (local tests and demos). */
export function isAllowedSourceUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.'));
}

export const sourceUrl = z
  .string()
  .refine(isAllowedSourceUrl, 'must be an https:// URL (http:// is accepted only for loopback hosts)');

/** Secrets are referenced, never written into config: `env:NAME` locally, `ssm:/name` or `secretsmanager:name` on AWS. */
export const secretRef = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:\/[\w./-]+|secretsmanager:[\w/+=.@-]+)$/,
    'must reference a secret as env:NAME, ssm:/parameter/name or secretsmanager:name, never hold the value itself',
  );
export type SecretRef = z.infer<typeof secretRef>;

/** An Auth0 region label ("US-1"), for sources and routing rules alike. */
export const regionLabel = z.string().regex(/^[A-Z]{2}-\d+$/, 'must be a region label such as "US-1"');

/** The fields every source has besides `type` and `url`. */
const sourceBase = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)'),
  /** Human label; defaults to the id. */
  name: z.string().min(1).max(80).optional(),
  everyMinutes: z.number().int().min(1).max(1440).optional(),
  failureThreshold: z.number().int().min(1).max(100).optional(),
  // Stays well under the poll Lambda's 60 s timeout.
  timeoutMs: z.number().int().min(100).max(30_000).optional(),
  maxBytes: z.number().int().min(1024).max(50_000_000).optional(),
};

/** What `configSchema` of a source plug-in receives. */
export const SOURCE_SCHEMA_KIT = {
  z,
  sourceBase,
  sourceUrl,
  secretRef,
  regionLabel,
  /** Who a third-party source is about, for people and routing rules ("GitHub", "Google Workspace"). */
  vendorName: z.string().min(1).max(60),
  /** Component or product names a source narrows its items to. */
  componentNames: z.array(z.string().min(1)).min(1),
  /** Days a resolved incident of this source stays tracked (overrides the config's `trackResolvedDays`). */
  trackResolvedDays: z.number().int().min(1).max(365).optional(),
} as const;

export type SourceSchemaKit = typeof SOURCE_SCHEMA_KIT;
