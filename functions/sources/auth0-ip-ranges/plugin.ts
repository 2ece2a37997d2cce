// Plug-in 'auth0-ip-ranges': Auth0's published outbound IP addresses (https://cdn.auth0.com/ip-ranges.json), read with
// a conditional GET and compared with the list the previous run kept: one `allowlist.changed` per watched region whose
// CIDRs changed, naming them, with Auth0's own changelog lines. The first run is a baseline (silent); a list that cannot
// be read strictly fails the source and keeps the previous list.
import { ProbeError } from '../../core/errors.js';
import type { ProbeSourceModule, ProbeState } from '../source.js';
import { allowlistChangedEvent } from './allowlist-event.js';
import { auth0IpRangesConfigSchema, type Auth0IpRangesSourceConfig } from './config-schema.js';
import { readIpRanges } from './ip-ranges-document.js';
import { judgeIpRanges, readIpRangesState, validatorsToSend, watchOf, type IpRangesState } from './judge.js';

export const auth0IpRangesSource: ProbeSourceModule<Auth0IpRangesSourceConfig> = {
  type: 'auth0-ip-ranges',
  kind: 'probe',
  configSchema: auth0IpRangesConfigSchema,
  // Auth0 announces allow-list changes weeks ahead and the CDN answers an unchanged list with a bodiless 304, so an
  // hourly look costs next to nothing and still tells firewall teams the same day.
  defaultEveryMinutes: 60,
  vendor: 'Auth0',

  async run(config, previous, ctx) {
    const prior = readIpRangesState(previous);
    if (previous !== undefined && prior === undefined) ctx.logger.warn('unreadable allow-list state; this run is a baseline', { source: config.id });
    const watch = watchOf(config.regions);
    const validators = validatorsToSend(prior, config.url, watch);
    const outcome = await ctx.fetcher.fetch(
      { url: config.url, expect: 'json' },
      {
        ...(validators !== undefined && { validators }),
        ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
        ...(config.maxBytes !== undefined && { maxBytes: config.maxBytes }),
      },
    );
    if (outcome.status === 'not-modified') {
      if (previous === undefined) throw new ProbeError(config.url, 'answered 304 Not Modified to a request without validators');
      return { state: previous, events: [] };
    }
    const [document, ...more] = outcome.documents;
    if (document === undefined || more.length > 0) throw new ProbeError(config.url, `expected one document, got ${outcome.documents.length}`);
    const read = readIpRanges(document.body);
    if (!read.ok) throw new ProbeError(config.url, read.reason);
    const judged = judgeIpRanges(prior, read.document, watch);
    if (!judged.ok) throw new ProbeError(config.url, judged.reason);
    const state: IpRangesState = {
      version: 1,
      url: config.url,
      watch,
      ...(outcome.validators !== undefined && { validators: outcome.validators }),
      lastUpdatedAt: read.document.lastUpdatedAt,
      regions: judged.regions,
    };
    const context = { url: config.url, lastUpdatedAt: read.document.lastUpdatedAt, now: ctx.now };
    return {
      state: state as unknown as ProbeState,
      events: judged.changes.map((change) => allowlistChangedEvent(ctx.source, change, context)),
    };
  },
};
