// The ops topic's notification of an alarm: what CloudWatch would have published, built from the Lambda-action payload.
import { readFileSync } from 'node:fs';
import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { alarmConsoleUrl, alarmPublishInput, isNotifiable } from '../../functions/ops/alarm-notification.js';
import { snsWorstCaseMs } from '../../functions/adapters/sns-publisher.js';
import { RELAY_SNS_CLIENT, RELAY_TIMEOUT_SECONDS } from '../../functions/contract.js';

const EVENT = JSON.parse(
  readFileSync(new URL('../fixtures/cloudwatch/alarm-lambda-action.json', import.meta.url), 'utf8'),
) as CloudWatchAlarmEvent;
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ops';

function published(event: CloudWatchAlarmEvent) {
  const input = alarmPublishInput(event, TOPIC);
  const message = JSON.parse(input.Message!) as { default: string; email: string };
  return { input, json: JSON.parse(message.default) as Record<string, unknown>, email: message.email };
}

describe('alarm notification', () => {
  it("publishes to the given topic with a JSON structure: CloudWatch's alarm keys for programs, text for email", () => {
    const { input, json } = published(EVENT);
    expect(input).toMatchObject({ TopicArn: TOPIC, MessageStructure: 'json' });
    expect(json).toEqual({
      AlarmName: EVENT.alarmData.alarmName,
      AlarmDescription: EVENT.alarmData.configuration.description,
      AWSAccountId: '111122223333',
      Region: 'eu-west-1',
      AlarmArn: EVENT.alarmArn,
      NewStateValue: 'ALARM',
      NewStateReason: EVENT.alarmData.state.reason,
      StateChangeTime: '2026-11-26T09:15:42.611+0000',
      OldStateValue: 'OK',
    });
  });

  it('subjects it like CloudWatch does: the new state, the alarm name and the region', () => {
    expect(published(EVENT).input.Subject).toBe(`ALARM: "${EVENT.alarmData.alarmName}" in eu-west-1`);
  });

  it('says in the email what the alarm means, why it fired, since when and where to look', () => {
    const { email } = published(EVENT);
    expect(email.split('\n')).toEqual([
      `The Auth0 ops watcher alarm "${EVENT.alarmData.alarmName}" is now ALARM (was OK).`,
      '',
      EVENT.alarmData.configuration.description,
      '',
      `Reason: ${EVENT.alarmData.state.reason}`,
      'Since: 2026-11-26T09:15:42.611+0000',
      'Account 111122223333, region eu-west-1',
      `Alarm: ${alarmConsoleUrl('eu-west-1', EVENT.alarmData.alarmName)}`,
      '',
    ]);
    expect(alarmConsoleUrl('eu-west-1', 'a b/c')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b%2Fc',
    );
  });

  it('keeps the subject ASCII, on one line and under the 100 characters SNS allows, like every subject', () => {
    const long: CloudWatchAlarmEvent = {
      ...EVENT,
      alarmData: { ...EVENT.alarmData, alarmName: `Überwachung\n${'x'.repeat(200)}` },
    };
    const subject = published(long).input.Subject!;
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^ALARM: "Uberwachung x+\.\.\.$/);
  });

  it('cuts a subject of exactly 100 characters, which SNS refuses', () => {
    const name = `Auth0OpsWatcher-${'A'.repeat(62)}`;
    const exact: CloudWatchAlarmEvent = { ...EVENT, alarmData: { ...EVENT.alarmData, alarmName: name } };
    expect(`ALARM: "${name}" in eu-west-1`).toHaveLength(100);
    expect(published(exact).input.Subject).toBe(`ALARM: "${name}" in...`);
  });

  it('copes with an alarm that has no description and no previous state', () => {
    const bare = {
      ...EVENT,
      alarmData: { ...EVENT.alarmData, configuration: { metrics: [] }, previousState: undefined },
    } as unknown as CloudWatchAlarmEvent;
    const { json, email } = published(bare);
    expect(json).toMatchObject({ AlarmDescription: null, OldStateValue: null });
    expect(email.split('\n')[0]).toBe(`The Auth0 ops watcher alarm "${EVENT.alarmData.alarmName}" is now ALARM.`);
    expect(email).not.toContain('undefined');
  });

  /** The fixture's alarm moved to `state` from `previous`. */
  function transition(state: string, previous: string | undefined): CloudWatchAlarmEvent {
    return {
      ...EVENT,
      alarmData: {
        ...EVENT.alarmData,
        state: { ...EVENT.alarmData.state, value: state, reason: `Threshold Crossed: now ${state}` },
        previousState: previous === undefined ? undefined : { ...EVENT.alarmData.previousState!, value: previous },
      },
    } as unknown as CloudWatchAlarmEvent;
  }

  it('says plainly that the watcher recovered when an alarm goes back to OK, keeping CloudWatch\'s keys for programs', () => {
    const { input, json, email } = published(transition('OK', 'ALARM'));
    expect(input.Subject).toBe(`RECOVERED: "${EVENT.alarmData.alarmName}" in eu-west-1`);
    expect(json).toMatchObject({ NewStateValue: 'OK', OldStateValue: 'ALARM' });
    const lines = email.split('\n');
    expect(lines[0]).toBe(`Recovered: the Auth0 ops watcher alarm "${EVENT.alarmData.alarmName}" is OK again (was ALARM). Nothing to do.`);
    expect(lines[2]).toBe(`It had fired because: ${EVENT.alarmData.configuration.description}`);
  });

  it('relays alarms and recoveries only, not the OK an alarm reaches after a deploy (from INSUFFICIENT_DATA)', () => {
    expect(isNotifiable(transition('ALARM', 'OK'))).toBe(true);
    expect(isNotifiable(transition('ALARM', 'INSUFFICIENT_DATA'))).toBe(true);
    expect(isNotifiable(transition('ALARM', undefined))).toBe(true);
    expect(isNotifiable(transition('OK', 'ALARM'))).toBe(true);
    expect(isNotifiable(transition('OK', 'INSUFFICIENT_DATA'))).toBe(false);
    expect(isNotifiable(transition('OK', undefined))).toBe(false);
    expect(isNotifiable(transition('INSUFFICIENT_DATA', 'ALARM'))).toBe(false);
  });

  it("fits every retry of the relay's publish inside its Lambda timeout", () => {
    // 3 attempts of (2 s connect + 5 s answer) and the SDK's longest backoffs before the two retries (1 s, 2 s).
    expect(snsWorstCaseMs(RELAY_SNS_CLIENT)).toBe(24_000);
    // Plus 5 s for the cold start and the log line around the publish.
    expect(RELAY_TIMEOUT_SECONDS * 1000).toBeGreaterThanOrEqual(snsWorstCaseMs(RELAY_SNS_CLIENT) + 5_000);
    // The client every other function uses would not have fitted the relay's former 30 s: 4 × 13 s + 7 s.
    expect(snsWorstCaseMs()).toBe(59_000);
  });
});

