// Reads GitHub's global security advisories for the configured packages (Auth0's SDKs) ('github-advisories').
import type { AdvisoryItem, AffectedPackage, ParseResult } from '../../core/model.js';
import { markdownToText } from '../formats/html-text.js';
import { isoDateOf, isRecord, parseJson, stringField } from '../formats/json-records.js';
import { parseEachDocument, type DocumentParse } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import type { GithubAdvisoriesSourceConfig, PackageRef } from './config-schema.js';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
type VendorSeverity = AdvisoryItem['vendorSeverity'];

/**
 * One request per ecosystem. GitHub's `affects` takes several packages as one comma-separated value
 * (`affects=package1,package2@1.0.0`); each name is URL-encoded, the commas stay separators.
 */
export function requests(config: GithubAdvisoriesSourceConfig): readonly FetchRequest[] {
  const byEcosystem = new Map<PackageRef['ecosystem'], string[]>();
  for (const { ecosystem, name } of config.packages) {
    const names = byEcosystem.get(ecosystem) ?? [];
    if (!names.includes(name)) names.push(name);
    byEcosystem.set(ecosystem, names);
  }
  const joiner = config.url.includes('?') ? '&' : '?';
  return [...byEcosystem].map(([ecosystem, names]): FetchRequest => ({
    url: `${config.url}${joiner}ecosystem=${encodeURIComponent(ecosystem)}&affects=${names
      .map((name) => encodeURIComponent(name))
      .join(',')}&per_page=100`,
    expect: 'json',
    paginate: 'link-header',
    headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
    ...(config.token ? { bearerToken: config.token } : {}),
  }));
}

class AdvisoryRecordError extends Error {
  override readonly name = 'AdvisoryRecordError';
}

function isoField(record: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = stringField(record, key);
  if (value === undefined) return undefined;
  const iso = isoDateOf(value);
  if (iso === undefined) throw new AdvisoryRecordError(`${where} has an unreadable ${key} "${value}"`);
  return iso;
}

function severityOf(value: unknown): VendorSeverity {
  const severity = typeof value === 'string' ? value.toLowerCase() : '';
  // OSV and older GitHub data say "moderate" for what the REST API calls "medium".
  if (severity === 'moderate') return 'medium';
  return SEVERITIES.find((known) => known === severity) ?? 'unknown';
}

/** `first_patched_version` is a string today and was `{ identifier }` in older responses. */
function patchedVersionOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (isRecord(value) && typeof value['identifier'] === 'string') return value['identifier'].trim() || undefined;
  return undefined;
}

function packagesOf(vulnerabilities: unknown): AffectedPackage[] {
  if (!Array.isArray(vulnerabilities)) return [];
  return vulnerabilities.flatMap((vulnerability): AffectedPackage[] => {
    if (!isRecord(vulnerability) || !isRecord(vulnerability['package'])) return [];
    const pkg = vulnerability['package'];
    const ecosystem = stringField(pkg, 'ecosystem');
    const name = stringField(pkg, 'name');
    if (!ecosystem || !name) return [];
    const vulnerableRange = stringField(vulnerability, 'vulnerable_version_range');
    const firstPatchedVersion = patchedVersionOf(vulnerability['first_patched_version']);
    return [
      {
        ecosystem,
        name,
        ...(vulnerableRange !== undefined ? { vulnerableRange } : {}),
        ...(firstPatchedVersion !== undefined ? { firstPatchedVersion } : {}),
      },
    ];
  });
}

function toItem(record: unknown, where: string): AdvisoryItem {
  if (!isRecord(record)) throw new AdvisoryRecordError(`${where} is not an advisory object`);
  const ghsaId = stringField(record, 'ghsa_id');
  const htmlUrl = stringField(record, 'html_url');
  if (!ghsaId) throw new AdvisoryRecordError(`${where} has no ghsa_id`);
  if (!htmlUrl) throw new AdvisoryRecordError(`${where} (${ghsaId}) has no html_url`);
  const publishedAt = isoField(record, 'published_at', where);
  const updatedAt = isoField(record, 'updated_at', where);
  const withdrawnAt = isoField(record, 'withdrawn_at', where);
  const cveId = stringField(record, 'cve_id');
  return {
    kind: 'advisory',
    itemId: ghsaId,
    title: stringField(record, 'summary') ?? ghsaId,
    url: htmlUrl,
    ...(publishedAt !== undefined ? { publishedAt } : {}),
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    ...(withdrawnAt !== undefined ? { withdrawnAt } : {}),
    vendorSeverity: severityOf(record['severity']),
    ...(cveId !== undefined ? { cveId } : {}),
    packages: packagesOf(record['vulnerabilities']),
    text: markdownToText(typeof record['description'] === 'string' ? record['description'] : ''),
  };
}

export function parse(documents: readonly FetchedDocument[]): ParseResult {
  // An advisory affecting packages of several ecosystems comes back once per ecosystem request.
  return parseEachDocument(documents, parsePage);
}

function parsePage(document: FetchedDocument, pageIndex: number): DocumentParse<AdvisoryItem> {
  const page = `page ${pageIndex + 1} (${document.url})`;
  const json = parseJson(document.body);
  if (!json.ok) return { ok: false, reason: `${page} is not JSON: ${json.message}` };
  const body = json.value;
  if (!Array.isArray(body)) {
    const message = isRecord(body) && typeof body['message'] === 'string' ? body['message'] : undefined;
    return {
      ok: false,
      reason:
        message !== undefined
          ? `GitHub answered with an error instead of advisories: "${message}"`
          : `${page} is not a JSON array of advisories`,
    };
  }
  const items: AdvisoryItem[] = [];
  for (const [index, record] of body.entries()) {
    try {
      items.push(toItem(record, `advisory record ${index} of ${page}`));
    } catch (error) {
      if (error instanceof AdvisoryRecordError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  return { ok: true, items };
}
