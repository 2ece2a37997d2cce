// Plug-in 'auth0-deprecations': Auth0's "Deprecations and Migrations" documentation page, read in its Markdown form
// every few hours: `deprecation.announced` for an entry not seen before (the first run is a silent baseline) and
// `deprecation.eol_approaching` 90, 30 and 7 days before each end of life (judge.ts). A page that cannot be read, or
// lists nothing, fails the source and keeps what the previous run knew.
import { endsOfLifeAhead } from '../../core/deprecations/countdown.js';
import { ProbeError } from '../../core/errors.js';
import type { ProbeSourceModule, ProbeState } from '../source.js';
import { auth0DeprecationsConfigSchema, markdownUrlOf, pageUrlOf, type Auth0DeprecationsSourceConfig } from './config-schema.js';
import { judgeDeprecations } from './judge.js';
import { readDeprecationsPage } from './page.js';

export const auth0DeprecationsSource: ProbeSourceModule<Auth0DeprecationsSourceConfig> = {
  type: 'auth0-deprecations',
  kind: 'probe',
  configSchema: auth0DeprecationsConfigSchema,
  // The page changes a few times a month and its countdowns are counted in days: four hours puts every warning within
  // a few hours of its day for six small GETs a day, and a broken page is reported (after the failure threshold) the
  // same day.
  defaultEveryMinutes: 240,
  vendor: 'Auth0',

  async run(config, previous, ctx) {
    const url = markdownUrlOf(config);
    // No conditional GET: the countdown moves with the calendar even when the page does not, and the judge needs the
    // page's text for the warnings; the page is some 20 KB.
    const outcome = await ctx.fetcher.fetch(
      { url, expect: 'markdown' },
      {
        ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
        ...(config.maxBytes !== undefined && { maxBytes: config.maxBytes }),
      },
    );
    if (outcome.status === 'not-modified') throw new ProbeError(url, 'answered 304 Not Modified to a request without validators');
    const [document, ...more] = outcome.documents;
    if (document === undefined || more.length > 0) throw new ProbeError(url, `expected one document, got ${outcome.documents.length}`);
    if (document.finalUrl !== url) ctx.logger.warn('the deprecations page redirected', { source: config.id, url, finalUrl: document.finalUrl });
    const read = readDeprecationsPage(document.body, pageUrlOf(config));
    if (!read.ok) throw new ProbeError(url, read.reason);
    const judged = judgeDeprecations(read.entries, previous, { source: ctx.source, now: ctx.now, url });
    if (judged.unreadable.length > 0) {
      ctx.logger.warn('dates on the deprecations page that are not dates; those entries have no countdown', {
        source: config.id,
        url,
        unreadable: judged.unreadable,
      });
    }
    if (judged.removed.length > 0) ctx.logger.info('deprecations no longer on the page', { source: config.id, removed: judged.removed });
    const ahead = endsOfLifeAhead(judged.state, ctx.now);
    return {
      state: judged.state as ProbeState,
      events: judged.events,
      measurements: {
        entries: read.entries.length,
        endsOfLifeWithin90Days: ahead.upcoming.length,
        unreadableDates: judged.unreadable.length,
      },
    };
  },
};
