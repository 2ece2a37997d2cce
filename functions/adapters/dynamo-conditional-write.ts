// For the DynamoDB adapters: a conditional write whose condition does not hold is an answer (false), not an error.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Runs one conditional write (`() => client.send(new PutItemCommand({ …, ConditionExpression }))`): true when DynamoDB
 * applied it, false when its condition did not hold. Every other error propagates.
 */
export async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
