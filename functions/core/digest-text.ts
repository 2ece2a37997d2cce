// The digest's text: the prepared digest laid out for a person, headline and overview first, then the sections
// (digest-sections.ts) and watcher health, each list showing at most as many entries as the size allows (pure).
import { periodEndInstant, type PreparedDigest } from './digest-model.js';
import {
  advisorySection,
  changeLogSection,
  healthSection,
  needAttention,
  openSection,
  otherUpdateEntry,
  rcaSection,
  resolvedSection,
  type ListRenderer,
} from './digest-sections.js';
import { endOfLifeSection } from './digest-eol.js';
import { hasTenantSection, tenantSection } from './digest-tenant.js';
import { subscriptionSummary } from './subscription-health.js';
import { cleanLine } from './text/clean-line.js';
import { formatInZone, formatTime, isUtcZone, usableTimeZone } from './text/time.js';
import { plural } from './text/words.js';
import { wrap } from './text/wrap.js';

/** How many entries each list shows, and how many sources. */
export interface Caps {
  readonly entries: number;
  readonly sources: number;
}

/**
 * The digest's plain text with at most `caps` entries per list: headline, overview, the sections, watcher health and
 * a footer saying what the period covers. A shortened list ends "…and N more (where to look)".
 */
export function composeDigest(digest: PreparedDigest, caps: Caps): string {
  const { input } = digest;
  const zone = input.timeZone;
  const shortened = { any: false };
  const list = <T>(items: readonly T[], render: (item: T) => string[], more: string, cap = caps.entries): string[] => {
    const shown = items.slice(0, cap).flatMap(render);
    if (items.length <= cap) return shown;
    shortened.any = true;
    return [...shown, `  …and ${items.length - cap} more (${more})`];
  };

  const lines: string[] = [...headline(digest), ''];
  if (digest.quiet) {
    const period = `between ${formatTime(input.from, zone)} and ${formatTime(input.to, zone)}`;
    lines.push(...wrap(`All quiet: no new incidents, change-log entries or advisories ${period}.`, ''));
    lines.push(...caution(digest));
    lines.push(...subscriptionAlert(digest));
    if (input.openItems.length > 0) lines.push('', ...openSection(digest, list));
    if (digest.rcaOwed.length > 0) lines.push('', ...rcaSection(digest, list, { published: false }));
    if (input.endsOfLife) lines.push('', ...endOfLifeSection(input.endsOfLife, list));
    if (hasTenantSection(digest.tenant)) lines.push('', ...tenantSection(digest.tenant, list, zone));
  } else {
    lines.push(...overview(digest));
    lines.push(...subscriptionAlert(digest));
    lines.push('', ...openSection(digest, list));
    lines.push('', ...resolvedSection(digest, list));
    lines.push('', ...rcaSection(digest, list, { published: true }));
    lines.push('', ...changeLogSection(digest, list));
    lines.push('', ...advisorySection(digest, list));
    if (input.endsOfLife) lines.push('', ...endOfLifeSection(input.endsOfLife, list));
    if (digest.otherUpdates.length > 0) {
      lines.push('', `OTHER UPDATES (${digest.otherUpdates.length})`);
      lines.push(...list(digest.otherUpdates, (item) => otherUpdateEntry(item, zone), 'see the status page'));
    }
    if (hasTenantSection(digest.tenant)) lines.push('', ...tenantSection(digest.tenant, list, zone));
  }
  lines.push('', ...healthSection(digest, list, caps.sources));
  lines.push(
    '',
    // "-- " is the plain-text signature separator mail clients recognise.
    '-- ',
    ...wrap(
      `Covers events detected from ${formatTime(input.from, zone)} to ${formatTime(input.to, zone)}; ` +
        'the next digest starts where this one ends. ' +
        `Open items, owed root-cause analyses and ${input.subscriptions ? 'source and subscription' : 'source'} health ` +
        `are as of ${formatTime(input.generatedAt, zone)}. ` +
        (isUtcZone(zone) ? 'All times are UTC.' : `Times are ${usableTimeZone(zone)} time.`),
      '',
    ),
  );
  if (shortened.any) {
    lines.push(...wrap('Long lists are shortened to fit one email; each entry links to the full record.', ''));
  }
  lines.push('Sent by auth0-ops-watcher.');
  return lines.join('\n') + '\n';
}

function headline(digest: PreparedDigest): string[] {
  const { input } = digest;
  const zone = usableTimeZone(input.timeZone);
  const end = periodEndInstant(input);
  const day =
    end === undefined
      ? 'unknown date'
      : formatInZone(end, zone, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const when = input.frequency === 'weekly' ? `week ending ${day}` : day;
  return [
    ...wrap(`Auth0 ops digest — ${when} (${input.frequency})`, ''),
    `Period: from ${formatTime(input.from, zone)} to ${formatTime(input.to, zone)}`,
  ];
}

function overview(digest: PreparedDigest): string[] {
  const parts: string[] = [];
  const resolvedCount = digest.resolved.length;
  if (digest.incidentsOpened > 0) parts.push(`${plural(digest.incidentsOpened, 'incident')} opened`);
  if (resolvedCount > 0) {
    parts.push(`${digest.incidentsOpened > 0 ? resolvedCount : plural(resolvedCount, 'incident')} resolved`);
  }
  if (digest.incidentUpdates > 0) parts.push(plural(digest.incidentUpdates, 'incident update'));
  if (digest.rcaPublished.length > 0) parts.push(`${plural(digest.rcaPublished.length, 'RCA')} published`);
  const changes = digest.changesNeedingAttention.length + digest.otherChanges.length;
  if (changes > 0) {
    const attention = digest.changesNeedingAttention.length;
    const needing = attention > 0 ? ` (${needAttention(attention)})` : '';
    parts.push(`${plural(changes, 'change-log entry', 'change-log entries')}${needing}`);
  }
  if (digest.advisories.length > 0) parts.push(plural(digest.advisories.length, 'advisory', 'advisories'));
  if (digest.maintenanceEvents > 0) parts.push(plural(digest.maintenanceEvents, 'maintenance update'));
  if (digest.tenant.eventCount > 0) parts.push(plural(digest.tenant.eventCount, 'tenant-log event'));
  if (parts.length === 0 && digest.sourceEvents.length > 0) {
    parts.push(plural(digest.sourceEvents.length, 'watcher health change'));
  }
  const now: string[] = [
    plural(digest.openIncidentCount, 'incident'),
    ...(digest.openMaintenance.length > 0 ? [`${digest.openMaintenance.length} maintenance`] : []),
  ];
  const owed = digest.rcaOwed.length > 0 ? `; ${plural(digest.rcaOwed.length, 'RCA')} owed` : '';
  return [
    ...wrap(`In this period: ${parts.join(', ')}; ${healthSummary(digest)}.`, ''),
    ...wrap(`Now: ${now.join(' and ')} open${owed}.`, ''),
  ];
}

function healthSummary(digest: PreparedDigest): string {
  const failing = digest.sources.filter((entry) => entry.state === 'failing').length;
  const neverPolled = digest.sources.filter((entry) => entry.state === 'never-polled').length;
  const silent = digest.sources.filter((entry) => entry.state === 'silent').length;
  const problems: string[] = [];
  if (failing > 0) problems.push(`${plural(failing, 'source')} failing`);
  if (silent > 0) problems.push(`${plural(silent, 'source')} silent`);
  if (neverPolled > 0) problems.push(`${plural(neverPolled, 'source')} not yet polled`);
  if (problems.length > 0) return problems.join(', ');
  if (digest.sources.length === 0) return 'no sources configured';
  return digest.sources.length === 1 ? 'the 1 source is OK' : `all ${digest.sources.length} sources OK`;
}

/** Email subscriptions that receive nothing, or could not be checked: said at the top, so nobody misses them. */
function subscriptionAlert(digest: PreparedDigest): string[] {
  const summary = digest.input.subscriptions && subscriptionSummary(digest.input.subscriptions);
  return summary === undefined ? [] : wrap(summary, '');
}

/** In a quiet digest: silence from a blind source means nothing, so say so. */
function caution(digest: PreparedDigest): string[] {
  const blind = digest.sources.filter((entry) => entry.state !== 'ok');
  if (blind.length === 0) return [];
  const names = blind.map((entry) => cleanLine(entry.source.id, 60)).join(', ');
  const one = blind.length === 1;
  return wrap(
    `Caution: ${one ? 'this source was' : 'these sources were'} not read successfully at the end of the period, ` +
      `so silence from ${one ? 'it' : 'them'} proves nothing: ${names}. See WATCHER HEALTH.`,
    '',
  );
}
