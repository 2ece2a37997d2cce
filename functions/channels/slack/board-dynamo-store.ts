// The Slack status board's record in the watcher's table, beside the channel's thread roots
// (dynamo-slack-thread-store.ts): pk = SLACK#<channel>, sk = BOARD. Only GetItem and UpdateItem, like the threads.
import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { conditionalWrite } from '../../adapters/dynamo-conditional-write.js';
import type { BoardState } from '../../core/slack-board.js';
import type { SlackBoardStore, StoredBoard } from './board-ports.js';
import { SLACK_KEY_PREFIX } from './dynamo-slack-thread-store.js';

/*
 * pk = SLACK#<channel>, sk = BOARD   state (JSON: what the board shows), version (raised by each change of state),
 *                                    shownVersion (what the message shows), ts, pinned, postingSince, leaseToken, leaseUntil
 */
const BOARD_SK = 'BOARD';

interface RawBoard {
  readonly state?: string;
  readonly version?: number;
  readonly shownVersion?: number;
  readonly ts?: string;
  readonly pinned?: boolean;
  readonly postingSince?: string;
  readonly leaseToken?: string;
  readonly leaseUntil?: string;
}

function boardOf(item: Record<string, AttributeValue> | undefined): StoredBoard | undefined {
  if (!item) return undefined;
  const raw = unmarshall(item) as RawBoard;
  return {
    ...(raw.state !== undefined && { state: JSON.parse(raw.state) as BoardState }),
    version: raw.version ?? 0,
    shownVersion: raw.shownVersion ?? 0,
    pinned: raw.pinned === true,
    ...(raw.ts !== undefined && { ts: raw.ts }),
    ...(raw.postingSince !== undefined && { postingSince: raw.postingSince }),
    ...(raw.leaseToken !== undefined && { leaseToken: raw.leaseToken }),
    ...(raw.leaseUntil !== undefined && { leaseUntil: raw.leaseUntil }),
  };
}

export function makeDynamoSlackBoardStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): SlackBoardStore {
  const Key = (channel: string) => marshall({ pk: `${SLACK_KEY_PREFIX}#${channel}`, sk: BOARD_SK });

  /** An update whose condition may fail: the board after it, or undefined when it did not hold. */
  async function updated(command: UpdateItemCommand): Promise<StoredBoard | undefined> {
    let after: Record<string, AttributeValue> | undefined;
    const applied = await conditionalWrite(async () => {
      after = (await client.send(command)).Attributes;
    });
    return applied ? boardOf(after) : undefined;
  }

  return {
    async getBoard(channel) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: Key(channel), ConsistentRead: true }));
      return boardOf(Item);
    },

    saveBoardState(channel, state, expectedVersion) {
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: Key(channel),
            UpdateExpression: 'SET #state = :state, version = :next',
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(version) OR version = :expected' : 'version = :expected',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: marshall({ ':state': JSON.stringify(state), ':next': expectedVersion + 1, ':expected': expectedVersion }),
          }),
        ),
      );
    },

    takeBoardLease(channel, { token, now, until }) {
      return updated(
        new UpdateItemCommand({
          TableName: tableName,
          Key: Key(channel),
          UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeValues: marshall({ ':token': token, ':until': until, ':now': now }),
          ReturnValues: 'ALL_NEW',
        }),
      );
    },

    changeBoardMessage(channel, token, change) {
      const set: string[] = [];
      const remove: string[] = change.release ? ['leaseToken', 'leaseUntil'] : [];
      const values: Record<string, unknown> = { ':token': token };
      const field = (name: 'ts' | 'pinned' | 'postingSince' | 'shownVersion', value: unknown) => {
        if (value === undefined) return;
        if (value === null) remove.push(name);
        else {
          set.push(`${name} = :${name}`);
          values[`:${name}`] = value;
        }
      };
      field('ts', change.ts);
      field('pinned', change.pinned);
      field('postingSince', change.postingSince);
      field('shownVersion', change.shownVersion);
      const update = [set.length > 0 ? `SET ${set.join(', ')}` : '', remove.length > 0 ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
      return updated(
        new UpdateItemCommand({
          TableName: tableName,
          Key: Key(channel),
          UpdateExpression: update || 'SET leaseToken = :token',
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeValues: marshall(values),
          ReturnValues: 'ALL_NEW',
        }),
      );
    },
  };
}
