// What the Slack plug-in throws: Slack refused, or could not be reached after retries.
import { ChannelError } from '../../core/errors.js';

/** Slack refused or could not be reached after retries. `permanent` errors (invalid_auth, channel_not_found) will not heal by retrying. */
export class SlackError extends ChannelError {
  override readonly name = 'SlackError';
}
