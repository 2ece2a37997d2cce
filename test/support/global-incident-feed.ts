// Test support: the Atom feed of one region of status.auth0.com listing a global incident (one that names no region,
// so every region's feed lists it under the same id), cloned from the auth0-status fixture and advanced an update at a
// time. The incident is the fixture's rb4z1181bd4z (a DNS misconfiguration on Apr 22): its Investigating and Resolved
// updates are the fixture's; the Identified and Monitoring between them are illustrative (the README's example thread).
import { readFileSync } from 'node:fs';

export const GLOBAL_INCIDENT = 'rb4z1181bd4z';

/** Oldest first: date as the feed writes it, label, text. */
const UPDATES: ReadonlyArray<readonly [string, string, string, string]> = [
  ['Apr 22, 19:55 UTC', '2026-04-22T19:55:00Z', 'Investigating', 'We are currently investigating an incident.'],
  ['Apr 22, 20:01 UTC', '2026-04-22T20:01:00Z', 'Identified', 'The issue has been identified and a fix is being implemented.'],
  ['Apr 22, 20:09 UTC', '2026-04-22T20:09:00Z', 'Monitoring', 'A fix has been implemented and we are monitoring the results.'],
  [
    'Apr 22, 20:14 UTC',
    '2026-04-22T20:14:00Z',
    'Resolved',
    'Customers experienced service disruption due to a DNS misconfiguration. This issue was resolved after the ' +
      'misconfiguration was manually corrected. We monitored the environment to ensure stability and confirmed that ' +
      'services have been restored.',
  ],
];
export const GLOBAL_INCIDENT_UPDATES = UPDATES.length;

const FIXTURE = readFileSync(new URL('../fixtures/auth0-status/seq-01-baseline.atom', import.meta.url), 'utf8');

/**
 * The feed of the tenant domain `domain` (`acme.us.auth0.com`) listing only the global incident with its first
 * `updates` updates (1: opened, investigating; 4: resolved).
 */
export function globalIncidentFeed(domain: string, updates: number): string {
  const entries = FIXTURE.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
  const entry = entries.find((candidate) => candidate.includes(`/incidents/${GLOBAL_INCIDENT}<`));
  if (!entry || !FIXTURE.includes('example.us.auth0.com')) throw new Error('fixture changed: no global incident entry to clone');
  const shown = UPDATES.slice(0, updates);
  const latest = shown.at(-1)!;
  const body = [...shown]
    .reverse()
    .map(([date, , label, text]) => `<p><small>${date}</small><br><strong>${label}</strong> - ${text}</p>`)
    .join('');
  const advanced = entry
    .replace(/<updated>[^<]*<\/updated>/, `<updated>${latest[1]}</updated>`)
    .replace(/<!\[CDATA\[<p>[\s\S]*?\]\]><\/content>/, `<![CDATA[${body}]]></content>`);
  const head = FIXTURE.slice(0, FIXTURE.indexOf('<entry>'))
    .replace('example.us.auth0.com', domain)
    .replace(/<updated>[^<]*<\/updated>/, `<updated>${latest[1]}</updated>`);
  return `${head}${advanced}\n</feed>\n`;
}
