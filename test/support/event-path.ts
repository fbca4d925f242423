import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import { functionCredentials } from '../../infra/iam/sandbox-principals';
import { type LocalEventPath, startLocalEventPath } from '../../infra/local/event-path';
import { StatusTable } from '../../lib/aws/status-table';
import { resolveResourceNames } from '../../lib/config';
import type { StatusRow } from '../../lib/status/status-row';
import { sandboxClients } from './sandbox';

/**
 * The whole event path on this worker's sandbox, for e2e tests: the resources of serverless.yml,
 * moto's S3 → EventBridge → SQS delivery, the pipe runner, and an SQS event source that hands each
 * batch to the reconcile function's handler in-process (the same module Lambda and serverless-offline
 * load, with the same event shape). Call after seedWorld(), stop() in afterEach.
 *
 *   const path = await startEventPath();
 *   await path.waitForStatus('my-node-pool', (row) => readyStatus(row) === 'True');
 */
export interface TestEventPath extends LocalEventPath {
  status(poolId: string): Promise<StatusRow | undefined>;
  waitForStatus(
    poolId: string,
    predicate: (row: StatusRow | undefined) => boolean,
    options?: { timeoutMs?: number; what?: string },
  ): Promise<StatusRow | undefined>;
  /** Errors the runners reported (the function's own failures are in the status rows). */
  errors: string[];
}

export function conditionStatus(row: StatusRow | undefined, type: string): string | undefined {
  return row?.conditions.find((condition) => condition.type === type)?.status;
}

export async function startEventPath(): Promise<TestEventPath> {
  // The function runs with its own role's credentials, as Lambda gives them (environment variables):
  // the sandbox's IAM gate evaluates each of its calls against that role. Jest gives each test file
  // its own process.env, and every other client here carries the administrator's credentials.
  const credentials = functionCredentials('reconcile');
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  // Loaded here, not at the top: the handler builds its clients from the environment on import.
  const { handler } = await import('../../functions/reconcile-queue');
  const clients = sandboxClients();
  const errors: string[] = [];
  const path = await startLocalEventPath({
    projectRoot: join(__dirname, '../..'),
    region: process.env.AWS_REGION ?? 'eu-west-1',
    clients,
    invokeReconcile: async (event: SQSEvent) => {
      // What Lambda hands the handler that it reads: the request id and the time left (120 s timeout).
      const stopAt = Date.now() + 120_000;
      const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => stopAt - Date.now() };
      return (await handler(event, context as unknown as Context)) ?? undefined;
    },
    onError: (where, error) => errors.push(`${where}: ${String(error)}`),
  });
  const statusTable = new StatusTable(clients, resolveResourceNames().statusTable);
  const waitForStatus: TestEventPath['waitForStatus'] = async (poolId, predicate, options = {}) => {
    const deadline = Date.now() + (options.timeoutMs ?? 30000);
    let row: StatusRow | undefined;
    while (Date.now() < deadline) {
      row = await statusTable.get(poolId);
      if (predicate(row)) return row;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `pool ${poolId} did not reach ${options.what ?? 'the expected status'} in time; last row: ${JSON.stringify(
        row?.conditions ?? row,
      )}; runner errors: ${errors.join('; ') || 'none'}`,
    );
  };
  return { ...path, status: (poolId) => statusTable.get(poolId), waitForStatus, errors };
}
