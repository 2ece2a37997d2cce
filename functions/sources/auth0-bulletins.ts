// Source 'auth0-bulletins': the legacy Auth0 Security Bulletins page (Markdown table). The page was removed on
// 2026-07-08 and redirects elsewhere; this module exists so that a watcher still polling it reports it broken.
import type { Auth0BulletinsSourceConfig } from '../config/config.js';
import type { AdvisoryItem, ParseResult } from '../core/model.js';
import { decodeHtmlEntities } from './html-text.js';
import type { FetchedDocument, FetchRequest, SourceModule } from './source.js';

/** Bulletin links on the page are site-relative. */
const SITE = 'https://auth0.com';

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const LINK = /^\[([^\]]*)\]\(\s*<?([^)\s>]+)>?\s*\)$/;
const CVE = /^CVE-\d{4}-\d{4,}$/i;

class BulletinRowError extends Error {
  override readonly name = 'BulletinRowError';
}

function requests(config: Auth0BulletinsSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'markdown' }];
}

/** The cells of a Markdown table row; `\|` is a literal bar inside a cell. */
function cellsOf(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return undefined;
  const inner = trimmed.replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.replace(/\\\|/g, '|').trim());
}

function isHeader(cells: readonly string[]): boolean {
  return (
    cells.length >= 4 &&
    /^date$/i.test(cells[0] ?? '') &&
    /^bulletin number\b/i.test(cells[1] ?? '') &&
    /^title$/i.test(cells[2] ?? '') &&
    /^affected software$/i.test(cells[3] ?? '')
  );
}

/** "December 21, 2022" → UTC midnight. */
function dateOf(text: string, where: string): string {
  const match = /^([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})$/.exec(text);
  const month = MONTHS.indexOf(match?.[1]?.toLowerCase() ?? '');
  const day = Number(match?.[2]);
  const year = Number(match?.[3]);
  const date = new Date(Date.UTC(year, month, day));
  if (!match || month < 0 || date.getUTCDate() !== day) {
    throw new BulletinRowError(`${where} has an unreadable date "${text}" (expected like "December 21, 2022")`);
  }
  return date.toISOString();
}

function toItem(cells: readonly string[], where: string): AdvisoryItem {
  const [dateCell = '', numberCell = '', titleCell = '', softwareCell = ''] = cells;
  const number = LINK.exec(numberCell);
  if (!number?.[2]) throw new BulletinRowError(`${where} has no bulletin link in its number cell "${numberCell}"`);
  const link = new URL(number[2], SITE).toString();
  const numberText = (number[1] ?? '').trim();
  const title = decodeHtmlEntities(titleCell).trim();
  if (!title) throw new BulletinRowError(`${where} has no title`);
  const software = LINK.exec(softwareCell);
  const softwareName = decodeHtmlEntities(software ? (software[1] ?? '') : softwareCell).trim();
  return {
    kind: 'advisory',
    itemId: link,
    title,
    url: link,
    publishedAt: dateOf(dateCell, where),
    vendorSeverity: 'unknown',
    ...(CVE.test(numberText) ? { cveId: numberText.toUpperCase() } : {}),
    packages: softwareName ? [{ ecosystem: 'other', name: softwareName }] : [],
    text: title,
  };
}

function parseDocument(document: FetchedDocument): ParseResult {
  const lines = document.body.replace(/\r\n?/g, '\n').split('\n');
  const headerIndex = lines.findIndex((line) => {
    const cells = cellsOf(line);
    return cells !== undefined && isHeader(cells);
  });
  const items: AdvisoryItem[] = [];
  if (headerIndex >= 0) {
    // Rows follow the header and its `| --- |` delimiter row, up to the first line that is not a table row.
    for (let index = headerIndex + 2; index < lines.length; index += 1) {
      const cells = cellsOf(lines[index] ?? '');
      if (!cells) break;
      try {
        items.push(toItem(cells, `bulletin table row ${index - headerIndex - 1}`));
      } catch (error) {
        if (error instanceof BulletinRowError) return { ok: false, reason: error.message };
        throw error;
      }
    }
  }
  if (items.length === 0) {
    // The page has always listed bulletins: no table, or an empty one, means it changed under us.
    const redirected = document.finalUrl !== document.url ? ` after redirect to ${document.finalUrl}` : '';
    return { ok: false, reason: `page no longer lists bulletins (no bulletin table found)${redirected}` };
  }
  return { ok: true, items };
}

function parse(documents: readonly FetchedDocument[]): ParseResult {
  const [document] = documents;
  if (!document) return { ok: false, reason: 'no document was fetched' };
  return parseDocument(document);
}

export const auth0BulletinsSource: SourceModule<Auth0BulletinsSourceConfig> = {
  type: 'auth0-bulletins',
  vendor: 'Auth0',
  requests,
  parse,
};
