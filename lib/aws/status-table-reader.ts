import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { AwsClients } from './client-factory';
import { awsErrorName, translateAwsError } from './translate-error';

/**
 * Pool ids of every status row that is not marked deleted, for the resync sweep. The scan projects
 * two attributes, so the response is small, though pages and read capacity still count whole rows
 * (~4 KB with history and the cached facts). The table is scanned in parallel segments: each
 * segment is one paginated Scan over its share.
 */
export async function listLiveStatusPoolIds(
  clients: Pick<AwsClients, 'documents'>,
  tableName: string,
  segments = STATUS_SCAN_SEGMENTS,
): Promise<string[]> {
  const rows = await scanProjected<{ poolId: string; deleted?: boolean }>(
    clients,
    tableName,
    ['poolId', 'deleted'],
    segments,
  );
  return (rows ?? [])
    .filter((row) => row.deleted !== true)
    .map((row) => row.poolId)
    .sort();
}

/**
 * Four segments read in parallel. A Scan page is cut at 1 MB of whole scanned items, projection or
 * not (DynamoDB API Reference, Scan), so 1,000 rows of ~4 KB are ~4 pages: about one per segment;
 * 10,000 are ~10 pages per segment, without a thundering herd on small tables.
 */
export const STATUS_SCAN_SEGMENTS = 4;

/** A parallel Scan returning only `attributes` (top-level names or document paths); undefined when no table. */
export async function scanProjected<T>(
  clients: Pick<AwsClients, 'documents'>,
  tableName: string,
  attributes: readonly string[],
  segments = STATUS_SCAN_SEGMENTS,
): Promise<T[] | undefined> {
  const names: Record<string, string> = {};
  const projection = attributes.map((path) =>
    path
      .split('.')
      .map((part) => {
        const [name, index] = part.split('[') as [string, string | undefined];
        const placeholder = `#${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
        names[placeholder] = name;
        return index === undefined ? placeholder : `${placeholder}[${index}`;
      })
      .join('.'),
  );
  const scanSegment = async (segment: number): Promise<T[]> => {
    const items: T[] = [];
    const pages = paginateScan(
      { client: clients.documents },
      {
        TableName: tableName,
        ProjectionExpression: projection.join(', '),
        ExpressionAttributeNames: names,
        ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as T[]));
    return items;
  };
  try {
    const parts = await Promise.all(Array.from({ length: segments }, (_, segment) => scanSegment(segment)));
    return parts.flat();
  } catch (error: unknown) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
    throw translateAwsError(error, { resourceId: tableName });
  }
}
