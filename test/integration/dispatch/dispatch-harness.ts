import { join } from 'node:path';
import { provisionResources } from '../../../infra/local/provision';
import { loadServiceDefinition } from '../../../infra/local/service-definition';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { PoolQueue } from '../../../lib/aws/pool-queue';
import { resolveResourceNames } from '../../../lib/config';
import {
  DEFAULT_PASS_BUDGET,
  type DispatchDeps,
  type QueueRecord,
} from '../../../lib/dispatch/reconcile-batch';
import { Outcome, type ReconcileOutcome } from '../../../lib/outcome';
import { resetSandbox, sandboxClients } from '../../support/sandbox';

/**
 * What the dispatch tests share: a fresh sandbox with serverless.yml's tables and queues, the S3
 * event a spec write sends, and the dispatch wiring the reconcile function gets, with a recording
 * reconcile in place of the real pass. Each test file adds its own leases, queue and clock.
 */

export const names = resolveResourceNames();

/** Resets the sandbox and creates serverless.yml's resources; returns admin clients and the queue URL. */
export async function provisionDispatchSandbox(): Promise<{ clients: AwsClients; queueUrl: string }> {
  await resetSandbox();
  const clients = sandboxClients();
  const definition = await loadServiceDefinition(join(__dirname, '../../..'));
  const resources = await provisionResources(clients, definition, process.env.AWS_REGION ?? 'eu-west-1');
  return { clients, queueUrl: resources.queueUrls.ReconcileQueue ?? '' };
}

/** The S3 "Object Created" event for a pool's spec, as EventBridge delivers it to the queue. */
export const s3Record = (id: string, poolId: string, receiveCount = 1): QueueRecord => ({
  messageId: id,
  receiveCount,
  body: JSON.stringify({
    source: 'aws.s3',
    'detail-type': 'Object Created',
    detail: { bucket: { name: names.specBucket }, object: { key: `${names.specPrefix}${poolId}.yaml` } },
  }),
});

/**
 * Dispatch wiring around a recording reconcile: `reconciled` lists the pools passed, in order.
 * `parts` supplies the leases and queue (and anything to override); the dead-letter queue is the
 * sandbox's, sent to with `adminClients`.
 */
export function dispatchDeps(
  adminClients: AwsClients,
  parts: Pick<DispatchDeps, 'leases' | 'queue' | 'holderId'> & Partial<DispatchDeps>,
  outcomes: (poolId: string) => Promise<ReconcileOutcome> | ReconcileOutcome = () => Outcome.done('in sync'),
): { deps: DispatchDeps; reconciled: string[] } {
  const reconciled: string[] = [];
  const deps: DispatchDeps = {
    reconcile: async (poolId) => {
      reconciled.push(poolId);
      return outcomes(poolId);
    },
    triggerContext: {
      specBucket: names.specBucket,
      poolIdFromKey: (key) => /^pools\/([a-z0-9-]+)\.yaml$/.exec(key)?.[1],
    },
    deadLetters: { send: (body) => new PoolQueue(adminClients, names.deadLetterQueue).sendJson(body) },
    budget: DEFAULT_PASS_BUDGET,
    maxReceives: 5,
    reportDeadLetter: async () => {},
    newToken: () => `token-${parts.holderId}`,
    ...parts,
  };
  return { deps, reconciled };
}
