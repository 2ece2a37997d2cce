// Classifies an Auth0 change-log entry that arrives without its type, from the wording of its title and the start of
// its description. Rules about wording only: no list of known entries, titles or ids.
import type { ChangeType } from '../../core/model.js';

/** Where a rule looks: the title, the lead (first sentences) of the description, or its first paragraphs. */
type Scope = 'title' | 'lead' | 'body';

interface ClassificationRule {
  readonly type: ChangeType;
  readonly scope: Scope;
  readonly pattern: RegExp;
}

/** How much of the description counts: announcements state what happens in their first sentences. */
const LEAD_MAX_CHARS = 280;
/** The first paragraphs, where a notice states what is deprecated and when it is enforced. */
const BODY_MAX_CHARS = 500;

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*';
/** A date or a month named in a title ("November 2024", "on September 11, 2025", "May 2023"). */
const DATED = String.raw`(?:${MONTH}\.? (?:\d{1,2}(?:st|nd|rd|th)?,? )?\d{4}|\b\d{4}-\d{2})`;

/** One case-insensitive pattern matching any of the alternatives. */
function anyOf(...alternatives: readonly string[]): RegExp {
  return new RegExp(alternatives.join('|'), 'i');
}

/**
 * First match wins, in this order. Tense matters: an announced future removal or deprecation is
 * upcoming-deprecation, a deprecation announced now is deprecated, a removal that happened is removed, a behaviour
 * that now works differently is changed. The description is read only for wording that announces such a thing in
 * so many words ("has been deprecated", "will no longer", "is now enforced"): ordinary additions mention "change"
 * and "removal" all the time, so the bare nouns count only in titles.
 */
const CLASSIFICATION_RULES: readonly ClassificationRule[] = [
  // Titles.
  {
    type: 'fixed',
    scope: 'title',
    pattern: anyOf(String.raw`^(?:bug ?)?fix(?:es|ed)?\b`, String.raw`\bfix(?:es|ed)? for\b`),
  },
  {
    type: 'upcoming-deprecation',
    scope: 'title',
    pattern: anyOf(
      String.raw`\b(?:upcoming|planned|scheduled|future) (?:deprecation|removal|retirement|end[- ]of[- ]life|sunset|shut ?down)`,
      String.raw`\b(?:will|to) be (?:deprecated|removed|retired|sunset|discontinued|disabled|deleted|turned off)\b`,
      String.raw`\bwill (?:no longer|be read-only|stop)\b`,
      String.raw`\bread-only\b`,
      String.raw`\b(?:deprecation|end[- ]of[- ]life|eol)\b.*${DATED}`,
      String.raw`${DATED}.*\b(?:end[- ]of[- ]life|eol|shut ?down)\b`,
    ),
  },
  {
    type: 'deprecated',
    scope: 'title',
    pattern: anyOf(
      String.raw`\bdeprecat\w*`,
      String.raw`\bend[- ]of[- ]life\b`,
      String.raw`\bretir(?:e|ed|es|ing|ement)\b`,
      String.raw`\bsunset`,
    ),
  },
  {
    type: 'removed',
    scope: 'title',
    pattern: anyOf(String.raw`\bremov(?:e|ed|es|al|ing)\b`, String.raw`\bno longer\b`, String.raw`\bdiscontinu\w*`),
  },
  {
    type: 'changed',
    scope: 'title',
    pattern: anyOf(
      String.raw`\bupcoming changes?\b`,
      String.raw`\b(?:breaking )?changes? (?:to|in|for)\b`,
      String.raw`\bis changing\b`,
      String.raw`\bbehaviou?r change\b`,
      String.raw`\bstricter\b`,
      String.raw`\bbreaking\b`,
      String.raw`\bnow (?:requires?|enforces?|rejects?)\b`,
      String.raw`\brequired\b`,
    ),
  },
  { type: 'fixed', scope: 'title', pattern: anyOf(String.raw`\bfix(?:es|ed|ing)?\b`, String.raw`\bbugs?\b`) },
  // The lead of the description.
  {
    type: 'upcoming-deprecation',
    scope: 'lead',
    pattern: anyOf(
      String.raw`\b(?:will|to) be (?:deprecated|removed|retired|discontinued)\b`,
      String.raw`\bwill no longer\b`,
      String.raw`\bwill impose\b`,
      String.raw`\bin the process of deprecating\b`,
      String.raw`\bare (?:deprecating|discontinuing|retiring)\b`,
    ),
  },
  {
    type: 'deprecated',
    scope: 'lead',
    pattern: anyOf(
      String.raw`\b(?:is|are|has been|have been|was|were|now) deprecated\b`,
      String.raw`\b(?:we|has|have) (?:have )?deprecated\b`,
      String.raw`\bis ending\b`,
      String.raw`\bend[- ]of[- ]life\b`,
    ),
  },
  // A bare future "will remove" is weaker evidence than a present "is ending", so it comes after the deprecation words.
  {
    type: 'upcoming-deprecation',
    scope: 'lead',
    pattern: anyOf(String.raw`\bwill (?:remove|retire|discontinue|deprecate|sunset|stop supporting|end support)\b`),
  },
  {
    type: 'removed',
    scope: 'lead',
    pattern: anyOf(
      String.raw`^remov(?:e|ed)\b`,
      String.raw`\b(?:has|have) (?:now )?been removed\b`,
      String.raw`\bno longer (?:be )?(?:available|supported)\b`,
    ),
  },
  {
    type: 'changed',
    scope: 'lead',
    pattern: anyOf(
      String.raw`\b(?:can|will) no longer\b`,
      String.raw`\bno longer (?:be )?(?:able|allowed|accepted|retain\w*)\b`,
      String.raw`\bnow (?:enforc\w*|requires?|rejects?)\b`,
      String.raw`\bwe (?:are )?now enforcing\b`,
      String.raw`\binstead of \S+ by default\b`,
    ),
  },
  // A behaviour described against how it was, or an existing thing acted on.
  {
    type: 'changed',
    scope: 'lead',
    pattern: anyOf(
      String.raw`\bup till now\b`,
      String.raw`\buntil now\b`,
      String.raw`\b(?:now|no longer) returns?\b`,
      String.raw`\bgoing forward\b`,
      String.raw`^(?:renamed|consolidated|upgraded|suppressed|replaced|restricted|limited)\b`,
      String.raw`\b(?:flow|behaviou?r|process|default)\b[^.]{0,40}\b(?:has|have) been (?:updated|changed|modified)\b`,
    ),
  },
  // A dated notice that puts a new obligation on customers ("Starting May 2nd, 2024, team owners ... would need to").
  {
    type: 'changed',
    scope: 'lead',
    pattern: anyOf(
      String.raw`^(?:starting|beginning|as of|effective)\b[^.]{0,100}\b(?:would need|will need|must|will only|will be required|will require)\b`,
    ),
  },
  // Further in: a notice states what "is deprecated" and promises "timelines for enforcing this change".
  {
    type: 'deprecated',
    scope: 'body',
    pattern: anyOf(
      String.raw`\b(?:is|are|has been|have been|being) deprecated\b`,
      String.raw`\btimelines? for enforc\w*`,
      String.raw`\benforcing this change\b`,
    ),
  },
  {
    type: 'fixed',
    scope: 'lead',
    pattern: anyOf(
      String.raw`^\W*fix(?:ed|es)\b`,
      String.raw`\bfix(?:es|ed)? (?:an? |the |some |several |a few )?(?:\w+ )?(?:issues?|bugs?|problems?|errors?)\b`,
      String.raw`\b(?:issue|bug) where\b`,
    ),
  },
  {
    type: 'updated',
    scope: 'title',
    pattern: anyOf(
      String.raw`\bnow generally available\b`,
      String.raw`\bimprov\w*`,
      String.raw`\benhanc\w*`,
      String.raw`\bupdat\w*`,
      String.raw`\bupgrad\w*`,
    ),
  },
];

/** A description without its URLs (their words say nothing about the change), white space folded. */
function withoutUrls(text: string): string {
  return text.replace(/https?:\/\/\S+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Classifies a change-log entry that carries no type: rules over the title, then over the lead and the first
 * paragraphs of the description (plain text); `added` when nothing matches.
 */
export function classifyChangeType(title: string, text: string): ChangeType {
  const body = withoutUrls(text).slice(0, BODY_MAX_CHARS);
  const scopes: Record<Scope, string> = { title, lead: body.slice(0, LEAD_MAX_CHARS), body };
  const rule = CLASSIFICATION_RULES.find((candidate) => candidate.pattern.test(scopes[candidate.scope]));
  return rule?.type ?? 'added';
}
