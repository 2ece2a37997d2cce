// Plug-in 'teams': a Microsoft Teams channel through a Workflows webhook, one Adaptive Card per event (teams-card.ts).
// A workflow cannot be asked what it posted, so an attempt that dies in the instant after posting may be repeated by
// the next one; the delivery boundary keeps every other redelivery out.
import type { ChannelPlugin } from '../channel.js';
import { teamsConfigSchema, type TeamsOutputConfig } from './config-schema.js';
import { renderTeamsMessage } from './teams-card.js';
import { classifyTeamsFailure, TeamsError } from './teams-error.js';
import { makeTeamsWorkflow } from './teams-workflow.js';

export const teamsChannel: ChannelPlugin<TeamsOutputConfig> = {
  type: 'teams',
  label: 'Teams',
  configSchema: teamsConfigSchema,

  checkRoute(route, invalid) {
    // A reference (scheme:name), never a value: the resolver reads the secret it names.
    if (typeof route['webhookUrl'] !== 'string' || !/^[a-z]+:./.test(route['webhookUrl'])) {
      throw invalid('webhookUrl', 'must be a secret reference');
    }
    if (route['apiBaseUrl'] !== undefined && typeof route['apiBaseUrl'] !== 'string') throw invalid('apiBaseUrl', 'must be a URL');
  },

  secretRefsOf: (route) => [{ field: 'webhookUrl', ref: route.webhookUrl }],

  // Records `TEAMS#<route id>`: the URL that names the channel is a secret.
  keyPrefix: 'TEAMS',
  destinationKey: (route) => route.id,

  classifyFailure: classifyTeamsFailure,

  notifier: {
    entry: new URL('./handler.ts', import.meta.url).href,
    serviceName: 'auth0-ops-watcher-teams',
    describe: () => 'Workflows webhook, Adaptive Cards',
  },

  async connect(route, context) {
    const url = await context.secrets.resolve(route.webhookUrl);
    const workflow = makeTeamsWorkflow({ url, apiBaseUrl: route.apiBaseUrl, ...context.http, sleep: context.sleep });
    return {
      destination: route.id,
      async post(event, attempt) {
        const message = renderTeamsMessage(event);
        attempt.assertHeld();
        await workflow.post(message);
        return { recovered: false };
      },
      error: (code, message) => new TeamsError(code, false, message),
    };
  },
};
