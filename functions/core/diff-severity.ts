// The diff's severities: how much attention an item deserves, from its kind and content, then the config's
// `severityRules`; an incident's only ever rises (pure).
import type { DiffContext } from './diff-shared.js';
import {
  ATTENTION_CHANGE_TYPES,
  type AdvisoryItem,
  type ChangelogItem,
  type IncidentItem,
  type Item,
  type Severity,
} from './model.js';
import { ruledSeverity } from './severity-rules.js';

/**
 * A service that is out: an outage, unavailability, a service disruption, downtime, something that "is down" (not
 * "slowing down" or "tracked down"), or people who cannot log in.
 */
const OUTAGE =
  /\b(?:outages?|unavailab\w*|service disruption|downtime|(?:is|are|was|were|be|been|being|went|goes|going|gone|re|s)\s+(?:\w+ly\s+|still\s+)?down|back down|down (?:hard|again|briefly|for)|(?:unable to|cannot|can't|could not|couldn't|not able to) (?:log ?in|sign ?in|authenticate))\b/i;

/** What people do to get in: log in, sign in or up, authenticate, MFA, single sign-on, tokens being issued. */
const SIGN_IN =
  /\b(?:log(?:-| )?ins?|logging in|sign(?:-| )?(?:in|on|up)s?|signing (?:in|up)|authenticat\w*|mfa|multi-?factor|two-?factor|2fa|one-time passwords?|sso|saml|universal login|passwordless|token (?:issuance|issuing|generation|creation|exchange|endpoint|requests?)|(?:issu\w*|generat\w*|creat\w*|exchang\w*|refresh\w*) (?:of )?(?:access |id |refresh |auth )?tokens?)\b/i;

/** It going wrong: errors, failures, people unable, issues, interruptions, timeouts, delays, rejections. */
const FAILING =
  /\b(?:errors?|erroring|fail\w*|unable|cannot|can't|could not|couldn't|not able|issues?|problems?|interrupt\w*|disrupt\w*|broken|time-?outs?|timing out|timed out|not working|delay(?:s|ed)?|rejected|denied)\b/i;

/** A sentence saying that something was spared ("logins are not affected", "no customer impact", "no downtime"). */
const SPARED =
  /\b(?:not (?:been )?(?:affected|impacted)|unaffected|no (?:\w+ ){0,2}(?:impact|downtime|outage|(?:was|were) (?:affected|impacted))|(?:working|operating|functioning) (?:normally|as expected))\b/i;

/** A notice of planned work, which is never an emergency however it words the impact. */
const PLANNED_WORK = /\b(?:scheduled|planned) maintenance\b/i;

const sentencesOf = (text: string) => text.split(/(?<=[.!?])\s+|\n+/);

/**
 * Whether the text tells of an outage or of errors in signing in: a sentence telling of an outage, or naming a way in
 * (login, authentication, sign-up, MFA, token issuance) and its failing, unless the sentence says it was spared.
 */
function speaksOfOutage(texts: readonly string[]): boolean {
  return texts
    .flatMap(sentencesOf)
    .some((sentence) => (OUTAGE.test(sentence) || (SIGN_IN.test(sentence) && FAILING.test(sentence))) && !SPARED.test(sentence));
}

/**
 * An incident with no impact rating of the vendor's own: `critical` when its title or text tells of an outage,
 * unavailability, or errors or failures in login, authentication, sign-up, token issuance or MFA; else `major`. A
 * notice of scheduled maintenance is never `critical` by its wording.
 */
export function incidentSeverity(item: Pick<IncidentItem, 'title' | 'updates'>): Severity {
  if (PLANNED_WORK.test(item.title)) return 'major';
  return speaksOfOutage([item.title, ...item.updates.map((u) => u.text)]) ? 'critical' : 'major';
}

export function changelogSeverity(item: ChangelogItem): Severity {
  return ATTENTION_CHANGE_TYPES.includes(item.changeType) ? 'major' : 'info';
}

export function advisorySeverity(item: AdvisoryItem): Severity {
  switch (item.vendorSeverity) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'major';
    case 'medium':
      return 'minor';
    case 'low':
      return 'info';
    case 'unknown':
      return 'major'; // an advisory without a severity is treated as worth attention
  }
}

/** The severity by kind and content alone: maintenance `info`, an incident the vendor's rating else its wording. */
export function defaultSeverity(item: Item): Severity {
  switch (item.kind) {
    case 'maintenance':
      return 'info';
    case 'incident':
      return item.impact ?? incidentSeverity(item);
    case 'changelog':
      return changelogSeverity(item);
    case 'advisory':
      return advisorySeverity(item);
  }
}

/**
 * The severity of an item as of this poll: the first of the context's `severityRules` that matches it, else its
 * default. `regions`: those the item's events carry (an incident's, worked out by the caller); none for other kinds.
 * An incident's remembered severity still only rises (the caller keeps the higher).
 */
export function itemSeverity(ctx: DiffContext, item: Item, regions: readonly string[] = []): Severity {
  const computed = defaultSeverity(item);
  if (!ctx.severityRules || ctx.severityRules.length === 0) return computed;
  const incident = item.kind === 'incident' || item.kind === 'maintenance' ? item : undefined;
  const texts = item.kind === 'changelog' || item.kind === 'advisory' ? [item.text] : item.updates.map((u) => u.text);
  return ruledSeverity(
    ctx.severityRules,
    {
      source: ctx.source.id,
      vendor: ctx.source.vendor,
      regions,
      components: incident?.components ?? [],
      text: [item.title, ...texts].join('\n'),
    },
    computed,
  );
}
