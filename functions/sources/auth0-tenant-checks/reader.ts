// The tenant checks' reads: one Management API client for the run (core/ports.ts ManagementApi, opened by the wiring),
// then each configured check's one GET, in order, judged by checks.ts. A refusal, a rate limit past the wait budget or a
// lasting 5xx throws ManagementApiError (naming the URL and, for 401/403, the missing scope) and ends the run: no check
// is judged on a partial read.
import type { ProbeContext } from '../source.js';
import { CHECK_PATHS, judgeEmailProvider, judgeLogStreams, judgeSyntheticPrerequisites, type CheckFinding } from './checks.js';
import { CHECK_SCOPES, checksOf, scopesOf, type Auth0TenantChecksSourceConfig } from './config-schema.js';

export async function readTenantChecks(
  config: Auth0TenantChecksSourceConfig,
  ctx: Pick<ProbeContext, 'managementApi' | 'secrets' | 'fetch'>,
): Promise<CheckFinding[]> {
  const connect = ctx.managementApi;
  if (connect === undefined) throw new Error(`source ${config.id}: the probe use case was wired without the Management API client`);
  const clientSecret = ctx.secrets['clientSecret'];
  if (clientSecret === undefined) throw new Error(`source ${config.id}: the client secret was not resolved`);
  const api = connect({
    url: config.url,
    clientId: config.clientId,
    clientSecret,
    scopes: scopesOf(config),
    fetch: ctx.fetch,
    ...(config.audience !== undefined && { audience: config.audience }),
    ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
  });
  const findings: CheckFinding[] = [];
  for (const check of checksOf(config)) {
    const path = CHECK_PATHS[check];
    const scope = CHECK_SCOPES[check];
    switch (check) {
      case 'email-provider':
        // 404 inexistent_email_provider is the finding itself (the built-in test provider), not a failure to read.
        findings.push(judgeEmailProvider(await api.getJson(path, scope, { accept: [404] })));
        break;
      case 'log-stream':
        findings.push(...judgeLogStreams(await api.getJson(path, scope)));
        break;
      case 'synthetic-prerequisites':
        findings.push(judgeSyntheticPrerequisites(await api.getJson(path, scope)));
        break;
    }
  }
  return findings;
}
