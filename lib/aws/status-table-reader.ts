import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { StatusRow } from '../status/status-row';
import type { AwsClients } from './client-factory';
import { awsErrorName, translateAwsError } from './translate-error';

/**
 * Reads every pool's status row, for `get pools`. A scan is fine here: the table holds one small
 * item per pool, and the CLI reads it on demand, never on the reconcile path.
 */
export async function listStatusRows(
  clients: Pick<AwsClients, 'documents'>,
  tableName: string,
): Promise<StatusRow[] | undefined> {
  const rows: StatusRow[] = [];
  let startKey: Record<string, unknown> | undefined;
  try {
    do {
      const out = await clients.documents.send(
        new ScanCommand({ TableName: tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      rows.push(...((out.Items ?? []) as StatusRow[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  } catch (error: unknown) {
    // No table yet means nothing was ever deployed or reconciled here: no pools, not a failure.
    if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
    throw translateAwsError(error, { resourceId: tableName });
  }
  return rows.sort((a, b) => (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0));
}
