// Reads Auth0's "Deprecations and Migrations" page in its Markdown form (pure): each `## <title>` section that carries
// a `**Deprecated**: <date>` or `**End of life**: <date>` line is an entry. The labels are written several ways
// (`**Deprecated**:`, `**Deprecated:**`, `**End-of-life:**`, `**End of Life:**`) and so are the dates (doc-dates.ts);
// a date that cannot be read is kept as written and reported, never guessed. Sections without such a line ("Learn
// more") are not entries.
import { cleanLine } from '../../core/text/clean-line.js';
import { shorten } from '../../core/event-factory.js';
import { htmlToText, markdownToText } from '../formats/html-text.js';
import { readDocDate } from './doc-dates.js';

/** A date as the page writes it (cleaned, bounded) and the calendar day it names, when it names one. */
export interface PageDate {
  readonly text: string;
  /** `YYYY-MM-DD`; absent when the text is not a date ("TBA"). */
  readonly day?: string;
}

export interface PageEntry {
  /** The heading's anchor on the page (`weak-tls-12-cipher-suites`): the entry's identity. */
  readonly id: string;
  readonly title: string;
  /** The page's address with the entry's anchor. */
  readonly url: string;
  readonly deprecated?: PageDate;
  readonly endOfLife?: PageDate;
  /** The entry's first paragraph, plain text, shortened. */
  readonly summary: string;
}

export type PageRead =
  | { readonly ok: true; readonly entries: readonly PageEntry[] }
  | { readonly ok: false; readonly reason: string };

/** More entries than this is not the page the reader knows (it lists about twenty). */
export const MAX_PAGE_ENTRIES = 200;
const TITLE_CHARS = 200;
const DATE_TEXT_CHARS = 80;
const SUMMARY_CHARS = 400;

const FRONT_MATTER = /^---\n[\s\S]*?\n---\n/;
const FENCE = /^\s*(```|~~~)/;
const SECTION_HEADING = /^[ \t]{0,3}##[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;
/** `**Label**: value`, `**Label:** value`, `__Label__: value`, optionally as a list item. */
const LABEL_LINE = /^[ \t]*(?:[-*+][ \t]+)?(\*\*|__)([^*_\n]{2,40}?)[ \t]*(:?)[ \t]*\1[ \t]*(:?)[ \t]*(.*)$/;
const HTML_PAGE = /^\s*(?:<!doctype html|<html[\s>])/i;

type Lifecycle = 'deprecated' | 'endOfLife';
const LABELS: Readonly<Record<string, Lifecycle>> = {
  deprecated: 'deprecated',
  'deprecated on': 'deprecated',
  'deprecation date': 'deprecated',
  'end of life': 'endOfLife',
  'end of life date': 'endOfLife',
  eol: 'endOfLife',
};

/** The entries of the page, in page order; `pageUrl` is the human page the entries' links point into. */
export function readDeprecationsPage(markdown: string, pageUrl: string): PageRead {
  if (HTML_PAGE.test(markdown)) return { ok: false, reason: 'the page came as HTML, not as Markdown' };
  const text = (markdown.includes('\r') ? markdown.replace(/\r\n?/g, '\n') : markdown).replace(FRONT_MATTER, '');
  const sections: { heading: string; lines: string[] }[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) fenced = !fenced;
    const heading = fenced ? null : SECTION_HEADING.exec(line);
    if (heading) sections.push({ heading: heading[1]!, lines: [] });
    else if (!fenced) sections[sections.length - 1]?.lines.push(line);
  }
  const entries: PageEntry[] = [];
  const anchors = new Map<string, number>();
  for (const section of sections) {
    const dates: Partial<Record<Lifecycle, PageDate>> = {};
    const body: string[] = [];
    for (const line of section.lines) {
      const label = LABEL_LINE.exec(line);
      const lifecycle = label ? LABELS[normalLabel(label[2]!)] : undefined;
      if (label && (label[3] || label[4]) && lifecycle !== undefined) {
        dates[lifecycle] ??= pageDate(label[5]!);
      } else if (label && (label[3] || label[4])) {
        continue; // another milestone ("Read-only transition"): not part of the summary
      } else body.push(line);
    }
    if (dates.deprecated === undefined && dates.endOfLife === undefined) continue;
    if (entries.length >= MAX_PAGE_ENTRIES) {
      return { ok: false, reason: `the page lists more than ${MAX_PAGE_ENTRIES} deprecations, which is not the page this source reads` };
    }
    const title = cleanLine(markdownToText(htmlToText(section.heading)), TITLE_CHARS) || '(untitled)';
    const anchor = uniqueAnchor(anchorOf(title) || `entry-${entries.length + 1}`, anchors);
    entries.push({
      id: anchor,
      title,
      url: `${pageUrl}#${anchor}`,
      ...(dates.deprecated !== undefined && { deprecated: dates.deprecated }),
      ...(dates.endOfLife !== undefined && { endOfLife: dates.endOfLife }),
      summary: firstParagraph(body),
    });
  }
  return { ok: true, entries };
}

/** "End-of-life" and "End of Life" alike: lower case, hyphens as spaces. */
function normalLabel(label: string): string {
  return label.toLowerCase().replace(/[-\s]+/g, ' ').trim();
}

function pageDate(raw: string): PageDate {
  const text = cleanLine(markdownToText(htmlToText(raw)), DATE_TEXT_CHARS);
  const day = readDocDate(text);
  return day === undefined ? { text } : { text, day };
}

/** The anchor the docs site gives a heading: lower case, letters, digits and hyphens. */
export function anchorOf(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-')
    .slice(0, 100)
    .replace(/-+$/, '');
}

/** A second heading with the same anchor gets `-2`, a third `-3`. */
function uniqueAnchor(anchor: string, seen: Map<string, number>): string {
  const count = (seen.get(anchor) ?? 0) + 1;
  seen.set(anchor, count);
  return count === 1 ? anchor : `${anchor}-${count}`;
}

/** The first paragraph of the entry's text, plain and shortened. */
function firstParagraph(lines: readonly string[]): string {
  const paragraph: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      if (paragraph.length > 0) break;
      continue;
    }
    paragraph.push(line);
  }
  return shorten(cleanLine(markdownToText(htmlToText(paragraph.join('\n')))), SUMMARY_CHARS);
}
