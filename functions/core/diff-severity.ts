// The diff's severities: how much attention an item deserves, from its kind and content; only ever raised (pure).
import {
  ATTENTION_CHANGE_TYPES,
  type AdvisoryItem,
  type ChangelogItem,
  type IncidentItem,
  type Severity,
} from './model.js';

const CRITICAL_WORDS =
  /\b(outage|unavailab\w*|service disruption|down(time)?|unable to (log ?in|sign ?in|authenticate)|cannot (log ?in|sign ?in|authenticate))\b/i;

export function incidentSeverity(item: IncidentItem): Severity {
  const text = [item.title, ...item.updates.map((u) => u.text)].join('\n');
  return CRITICAL_WORDS.test(text) ? 'critical' : 'major';
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
