import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, StatusRowInvalidError } from '../errors';
import type { StatusRow } from '../status/status-row';
import { statusRowProblems, unreadableRowMessage } from '../status/status-row-check';
import type { AwsClients } from './client-factory';
import { isConditionalCheckFailed, translateAwsError } from './translate-error';

/**
 * The status table: one item per pool, key `poolId` (string). Every write is a whole-item put
 * conditional on the revision that was read, so two writers never silently overwrite each other;
 * the loser gets ConcurrentUpdateError and its pass is requeued.
 */
export class StatusTable {
  constructor(
    private readonly clients: Pick<AwsClients, 'documents'>,
    private readonly tableName: string,
  ) {}

  /** The pool's row; StatusRowInvalidError (terminal) when the item is not a status row. */
  async get(poolId: string): Promise<StatusRow | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.clients.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { poolId }, ConsistentRead: true }),
      );
      item = out.Item;
    } catch (error: unknown) {
      throw translateAwsError(error, { poolId, resourceId: this.tableName });
    }
    if (item === undefined) return undefined;
    const problems = statusRowProblems(item);
    if (problems.length > 0) {
      throw new StatusRowInvalidError(unreadableRowMessage(this.tableName, poolId, problems), {
        poolId,
        resourceId: this.tableName,
      });
    }
    return item as unknown as StatusRow;
  }

  /**
   * Writes `row` as revision `expectedRevision + 1`; `expectedRevision` 0 means "no row yet".
   * Returns the row as written.
   */
  async put(row: StatusRow, expectedRevision: number): Promise<StatusRow> {
    const written: StatusRow = { ...row, revision: expectedRevision + 1 };
    try {
      await this.clients.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: written,
          ...(expectedRevision === 0
            ? { ConditionExpression: 'attribute_not_exists(poolId)' }
            : {
                ConditionExpression: '#revision = :expected',
                ExpressionAttributeNames: { '#revision': 'revision' },
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
        }),
      );
      return written;
    } catch (error: unknown) {
      if (isConditionalCheckFailed(error)) {
        throw new ConcurrentUpdateError(
          `status row of pool ${row.poolId} changed since revision ${expectedRevision} was read`,
          { poolId: row.poolId, resourceId: this.tableName },
          { cause: error },
        );
      }
      throw translateAwsError(error, { poolId: row.poolId, resourceId: this.tableName });
    }
  }
}
