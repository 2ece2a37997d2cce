// The AWS SDK's default credential provider in the Lambda bundles: lib/watcher-function.ts has esbuild resolve
// `@aws-sdk/credential-provider-node` to this module, whose `defaultProvider` every client's runtime config imports.
// Lambda hands a function its execution role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, the first link of the SDK's own chain, so the rest of that chain (profiles and ini files, SSO,
// web identity, process, container and instance metadata) and the STS and SSO clients it carries never run there and
// stay out of the bundles. The CLI and the tests, which are not bundled, keep the full chain.
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * The credentials in the environment, read on every call (a few variables, no I/O): the same as the SDK chain's
 * result in a Lambda, which sets no AWS_PROFILE. Fails with the SDK's own `CredentialsProviderError` when they are
 * missing.
 */
export function defaultProvider(init: FromEnvInit = {}): ReturnType<typeof fromEnv> {
  return fromEnv(init);
}
