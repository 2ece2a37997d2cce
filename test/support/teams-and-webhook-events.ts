// Test support for the Teams and webhook channels: real events to deliver. The real January 2021 Auth0 incidents
// (test/fixtures/auth0-status/real-seq-*.atom, written from a capture of the status page: see that folder's README)
// read by the auth0-status reader and diffed as four polls over eight days: 8 events, opened → updated → resolved.
import { readFileSync } from 'node:fs';
import type { IncidentItem, WatcherEvent } from '../../functions/core/model.js';
import type { Auth0StatusSourceConfig } from '../../functions/sources/auth0-status/config-schema.js';
import { auth0StatusSource } from '../../functions/sources/auth0-status/plugin.js';
import { AUTH0_US_1_SOURCE, playAuth0Us1Polls } from './diff-context.js';

const POLLS = [
  ['real-seq-01-2021-01-20T1230.atom', '2021-01-20T12:30:00Z'],
  ['real-seq-02-2021-01-20T1530.atom', '2021-01-20T15:30:00Z'],
  ['real-seq-03-2021-01-20T1830.atom', '2021-01-20T18:30:00Z'],
  ['real-seq-04-2021-01-27T0430.atom', '2021-01-27T04:30:00Z'],
] as const;

const CONFIG: Auth0StatusSourceConfig = { id: AUTH0_US_1_SOURCE.id, type: 'auth0-status', url: AUTH0_US_1_SOURCE.url, region: 'US-1' };

function incidents(name: string): IncidentItem[] {
  const body = readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
  const result = auth0StatusSource.parse([{ url: CONFIG.url, finalUrl: CONFIG.url, contentType: 'application/atom+xml', body }], CONFIG);
  if (!result.ok) throw new Error(`fixture ${name} no longer parses: ${result.reason}`);
  return result.items as IncidentItem[];
}

/** The sequence's events in the order the polls announced them. */
export function realJanuary2021Events(): WatcherEvent[] {
  return playAuth0Us1Polls(POLLS.map(([name, now]) => ({ now, items: incidents(name) }))).flatMap((outcome) => outcome.events);
}

/**
 * The Dashboard incident's real "Identified" update text: it quotes a URL in parentheses, as
 * `(https://auth0.com/docs/api/management/v2)`, which Markdown would make part of a link.
 */
export function dashboardIdentifiedText(): string {
  const item = incidents(POLLS[3][0]).find((candidate) => candidate.itemId === 'vt61qk2xqysz');
  const text = item?.updates.find((update) => update.label === 'Identified')?.text;
  if (text === undefined) throw new Error('fixture changed: no Identified update of vt61qk2xqysz');
  return text;
}
