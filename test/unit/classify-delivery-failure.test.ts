// Delivery failures sorted by what they are about: the route (held), one event (parked after a few runs), or passing.
import { describe, expect, it } from 'vitest';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import { PublishError, SecretError } from '../../functions/core/errors.js';
import { classifyDeliveryFailure } from '../../functions/delivery/classify-delivery-failure.js';

const fromSlack = (code: string, permanent: boolean) =>
  new PublishError('e1', `slack route incidents: Slack chat.postMessage failed: ${code}`, {
    cause: new SlackError(code, permanent, `Slack chat.postMessage failed: ${code}`),
  });

/** An AWS SDK v3 service error as the SNS client throws it. */
function awsError(name: string, message: string, status: number, fault: 'client' | 'server'): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}
const fromSns = (error: Error) => new PublishError('e1', `SNS publish failed: ${error.name}: ${error.message}`, { cause: error });
const fsError = (code: string, syscall: string) => Object.assign(new Error(`${code}: failed, ${syscall} '/tmp/x'`), { code, syscall });
const fromFile = (error: Error) => new PublishError('e1', `cannot append to /tmp/x: ${error.message}`, { cause: error });

describe('classifyDeliveryFailure', () => {
  it.each([
    ['invalid_auth', true],
    ['token_revoked', true],
    ['account_inactive', true],
    ['channel_not_found', true],
    ['not_in_channel', true],
    ['is_archived', true],
    ['missing_scope', true],
    ['no_permission', true],
    ['invalid_token', true], // webhook 403
    ['channel_is_archived', true], // webhook 410
    ['no_service', true], // webhook 404
  ])('holds the route when Slack answers %s', (code, permanent) => {
    expect(classifyDeliveryFailure('slack:incidents', fromSlack(code, permanent)).scope).toBe('route');
  });

  it.each(['msg_too_long', 'invalid_blocks', 'invalid_arguments', 'no_text', 'invalid_payload', 'thread_not_found'])(
    'takes %s as a refusal of the one event',
    (code) => {
      expect(classifyDeliveryFailure('slack:incidents', fromSlack(code, true)).scope).toBe('event');
    },
  );

  it.each(['ratelimited', 'http_503', 'request_error', 'delivery_in_progress', 'thread_root_pending'])('retries %s next run', (code) => {
    expect(classifyDeliveryFailure('slack:incidents', fromSlack(code, false)).scope).toBe('transient');
  });

  it('holds the route on an unknown permanent Slack refusal: holding loses nothing', () => {
    expect(classifyDeliveryFailure('slack:incidents', fromSlack('some_new_refusal', true)).scope).toBe('route');
  });

  it('holds a route whose secret cannot be resolved', () => {
    const error = new PublishError('e1', 'slack route incidents: environment variable SLACK_BOT_TOKEN is not set', {
      cause: new SecretError('environment variable SLACK_BOT_TOKEN is not set'),
    });
    expect(classifyDeliveryFailure('slack:incidents', error).scope).toBe('route');
  });

  it('sorts SNS errors: topic and credentials, the message, throttling and 5xx', () => {
    const classify = (error: Error) => classifyDeliveryFailure('sns:arn:aws:sns:eu-west-1:1:t', fromSns(error)).scope;
    expect(classify(awsError('AuthorizationErrorException', 'not authorized', 403, 'client'))).toBe('route');
    expect(classify(awsError('NotFoundException', 'Topic does not exist', 404, 'client'))).toBe('route');
    expect(classify(awsError('InvalidParameterException', 'Invalid parameter: Message too long', 400, 'client'))).toBe('event');
    expect(classify(awsError('InvalidParameterException', 'Invalid parameter: TopicArn', 400, 'client'))).toBe('route');
    expect(classify(awsError('ThrottledException', 'Rate exceeded', 400, 'client'))).toBe('transient');
    expect(classify(awsError('InternalErrorException', 'internal error', 500, 'server'))).toBe('transient');
    expect(classifyDeliveryFailure('sns:t', new PublishError('e1', 'SNS publish failed: event does not fit in 262144 bytes')).scope).toBe('event');
  });

  it('holds a jsonl path that cannot be written, and retries a full disk or a network error', () => {
    expect(classifyDeliveryFailure('jsonl:/tmp/x', fromFile(fsError('EISDIR', 'open'))).scope).toBe('route');
    expect(classifyDeliveryFailure('jsonl:/tmp/x', fromFile(fsError('EACCES', 'open'))).scope).toBe('route');
    expect(classifyDeliveryFailure('jsonl:/tmp/x', fromFile(fsError('ENOSPC', 'write'))).scope).toBe('transient');
    expect(classifyDeliveryFailure('sns:t', fromSns(fsError('ECONNREFUSED', 'connect'))).scope).toBe('transient');
  });

  it('names the output and keeps the reason, never a feed URL', () => {
    const error = classifyDeliveryFailure('slack:incidents', fromSlack('token_revoked', true));
    expect(error.message).toBe('output slack:incidents: slack route incidents: Slack chat.postMessage failed: token_revoked');
    expect(error.outputId).toBe('slack:incidents');
  });

  it('retries what it does not know', () => {
    expect(classifyDeliveryFailure('console', new TypeError('boom')).scope).toBe('transient');
  });
});
