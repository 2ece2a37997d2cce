// The config of a 'github-advisories' source: which packages' advisories to ask GitHub for, and an optional token.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';
import { DEFAULT_ADVISORY_PACKAGES } from './default-packages.js';

/** The ecosystems GitHub's advisory database knows (its `ecosystem` parameter). */
export const ADVISORY_ECOSYSTEMS = [
  'actions',
  'composer',
  'erlang',
  'go',
  'maven',
  'npm',
  'nuget',
  'other',
  'pip',
  'pub',
  'rubygems',
  'rust',
  'swift',
] as const;

export interface PackageRef {
  readonly ecosystem: (typeof ADVISORY_ECOSYSTEMS)[number];
  readonly name: string;
}

export function githubAdvisoriesConfigSchema({ z, sourceBase, sourceUrl, secretRef }: SourceSchemaKit) {
  const packageRef = z.strictObject({
    ecosystem: z.enum(ADVISORY_ECOSYSTEMS),
    name: z.string().min(1).max(214),
  });
  return z.strictObject({
    ...sourceBase,
    type: z.literal('github-advisories'),
    url: sourceUrl.default('https://api.github.com/advisories'),
    packages: z.array(packageRef).min(1).default(() => DEFAULT_ADVISORY_PACKAGES.map((p) => ({ ...p }))),
    token: secretRef.optional(),
  });
}

export type GithubAdvisoriesSourceConfig = z.infer<ReturnType<typeof githubAdvisoriesConfigSchema>>;
