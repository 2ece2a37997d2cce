// Resolves secret references: env:NAME from the environment (local), ssm:/name and secretsmanager:name on AWS.
// A Lambda bundle carries only the clients of the backends its config references: the stack replaces
// `process.env.WATCHER_SSM_SECRETS` and `process.env.WATCHER_SECRETS_MANAGER_SECRETS` at bundle time with "used" or
// "none" (see `secretBackendDefines` in lib/watcher-function.ts). Unreplaced (the CLI, tests), every backend is there.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SecretError } from '../core/errors.js';
import type { SecretResolver } from '../core/ports.js';

export interface SecretResolverOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Clients are created on first use only, so local runs never build them. */
  readonly ssm?: () => SSMClient;
  readonly secretsManager?: () => SecretsManagerClient;
  /** Cached values are fetched again after this long, so rotated secrets are picked up. */
  readonly cacheMs?: number;
}

/** Fetches each secret lazily and caches it; error messages name the reference, never the value. */
export function makeSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const cacheMs = options.cacheMs ?? 5 * 60_000;
  const cache = new Map<string, { value: Promise<string>; at: number }>();
  let ssm: SSMClient | undefined;
  let secretsManager: SecretsManagerClient | undefined;

  async function load(ref: string): Promise<string> {
    const [scheme, ...rest] = ref.split(':');
    const name = rest.join(':');
    if (scheme === 'env') {
      const value = env[name];
      if (!value) throw new SecretError(`secret ${ref} is not set: export ${name} in the environment`);
      return value;
    }
    // Each backend's test is written out in its condition, not through a constant: esbuild folds the replaced value
    // there, drops the branch, and with it the backend's client from the bundle.
    try {
      if (scheme === 'ssm' && process.env.WATCHER_SSM_SECRETS !== 'none') {
        ssm ??= options.ssm?.() ?? new SSMClient({});
        const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        if (out.Parameter?.Value) return out.Parameter.Value;
      } else if (scheme === 'secretsmanager' && process.env.WATCHER_SECRETS_MANAGER_SECRETS !== 'none') {
        secretsManager ??= options.secretsManager?.() ?? new SecretsManagerClient({});
        const out = await secretsManager.send(new GetSecretValueCommand({ SecretId: name }));
        if (out.SecretString) return out.SecretString;
      } else if (scheme === 'ssm' || scheme === 'secretsmanager') {
        throw new SecretError(`secret ${ref} cannot be read: this function was built for a config with no ${scheme} secret`);
      } else {
        throw new SecretError(`secret reference ${ref} has an unknown scheme`);
      }
    } catch (error) {
      if (error instanceof SecretError) throw error;
      throw new SecretError(`secret ${ref} could not be read: ${(error as Error).name}`, { cause: error });
    }
    throw new SecretError(`secret ${ref} is empty`);
  }

  return {
    resolve(ref) {
      const hit = cache.get(ref);
      if (hit && Date.now() - hit.at < cacheMs) return hit.value;
      const value = load(ref);
      cache.set(ref, { value, at: Date.now() });
      value.catch(() => cache.delete(ref));
      return value;
    },
  };
}
