import {
  type AttributeValue,
  DeleteTableCommand,
  PutItemCommand,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { freshPoolTable, sandboxClients } from '../../support/sandbox';

/**
 * The sandbox's projected Scan (moto_ext/dynamodb_scan) gives what moto's own Scan gives: pages cut
 * at 1 MB of whole scanned items (AWS: "If the total size of scanned items exceeds the maximum
 * dataset size limit of 1 MB, the scan completes"), the same items and keys per page. moto's own
 * code still answers a Scan without a projection, so that is the reference here.
 */

const TABLE = 'scan-equivalence';
let clients: AwsClients;

/** ~4 KB items, like status rows with history: 300 of them are more than one 1 MB page. */
function item(i: number): Record<string, AttributeValue> {
  return {
    poolId: { S: `pool-${String(i).padStart(4, '0')}` },
    ...(i % 7 === 0 ? { deleted: { BOOL: true } } : {}),
    conditions: {
      L: ['Ready', 'Valid'].map((type) => ({ M: { type: { S: type }, status: { S: 'True' } } })),
    },
    history: {
      L: Array.from({ length: 20 }, (_, n) => ({
        M: { at: { S: `2026-12-01T10:00:${String(n).padStart(2, '0')}Z` }, message: { S: 'x'.repeat(180) } },
      })),
    },
    counts: { NS: ['1', '2.5'] },
  };
}

beforeAll(async () => {
  clients = sandboxClients();
  await freshPoolTable(clients, TABLE);
  for (let i = 0; i < 300; i++)
    await clients.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item(i) }));
});

afterAll(async () => {
  await clients.dynamodb.send(new DeleteTableCommand({ TableName: TABLE }));
});

async function pages(input: Omit<ScanCommandInput, 'TableName'>) {
  const out: Array<{ keys: string[]; items: Array<Record<string, AttributeValue>>; scanned?: number }> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await clients.dynamodb.send(
      new ScanCommand({ TableName: TABLE, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    out.push({
      keys: (page.Items ?? []).map((i) => i.poolId?.S ?? ''),
      items: page.Items ?? [],
      ...(page.ScannedCount !== undefined ? { scanned: page.ScannedCount } : {}),
    });
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

describe('projected Scan on the sandbox', () => {
  it('cuts its pages where the whole items reach 1 MB, and returns only the projected attributes', async () => {
    const whole = await pages({});
    const projected = await pages({ ProjectionExpression: 'poolId, deleted' });
    expect(whole.length).toBeGreaterThan(1);
    expect(projected.map((p) => p.keys)).toEqual(whole.map((p) => p.keys));
    expect(projected.map((p) => p.scanned)).toEqual(whole.map((p) => p.scanned));
    const expected = whole.map((p) =>
      p.items.map((i) => ({ poolId: i.poolId, ...(i.deleted ? { deleted: i.deleted } : {}) })),
    );
    expect(projected.map((p) => p.items)).toEqual(expected);
  });

  it('projects nested paths and list elements as moto does, per segment', async () => {
    const input = {
      ProjectionExpression: '#p, conditions[1].#s, history[0].#at, counts, absent',
      ExpressionAttributeNames: { '#p': 'poolId', '#s': 'status', '#at': 'at' },
      Segment: 1,
      TotalSegments: 4,
    };
    const projected = await pages(input);
    const whole = await pages({ Segment: 1, TotalSegments: 4 });
    expect(projected.map((p) => p.keys)).toEqual(whole.map((p) => p.keys));
    expect(projected.flatMap((p) => p.items)).toEqual(
      whole.flatMap((p) =>
        p.items.map((i) => ({
          poolId: i.poolId,
          conditions: { L: [{ M: { status: { S: 'True' } } }] },
          history: { L: [{ M: { at: i.history?.L?.[0]?.M?.at } }] },
          counts: i.counts,
        })),
      ),
    );
  });
});
