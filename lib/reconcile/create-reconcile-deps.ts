import { AmiParameters } from '../aws/ami-parameters';
import { AutoScalingGroups } from '../aws/auto-scaling-groups';
import {
  type AwsClients,
  type ClientBuilders,
  type ClientSettings,
  clientSettingsFromEnv,
  lazyClients,
} from '../aws/client-factory';
import { LaunchTemplates } from '../aws/launch-templates';
import { createLiveFactsReader, type LiveFactsReaderOptions } from '../aws/live-facts-reader';
import { NodeRoles } from '../aws/node-roles';
import { NodegroupInstances } from '../aws/nodegroup-instances';
import { Nodegroups } from '../aws/nodegroups';
import { buildAutoScaling } from '../aws/sdk-clients/auto-scaling';
import { buildDocuments, buildDynamoDb } from '../aws/sdk-clients/dynamodb';
import { buildEc2 } from '../aws/sdk-clients/ec2';
import { buildEks } from '../aws/sdk-clients/eks';
import { buildIam } from '../aws/sdk-clients/iam';
import { buildS3 } from '../aws/sdk-clients/s3';
import { buildSsm } from '../aws/sdk-clients/ssm';
import { DynamoDbSpecStore, S3SpecStore } from '../aws/spec-stores';
import { StatusTable } from '../aws/status-table';
import { resolveResourceNames } from '../config';
import { allowListFromEnvironment } from '../manifests/deployment-allow-list';
import { variablesFromEnvironment } from '../manifests/deployment-variables';
import { validatePoolSpec } from '../manifests/validate-pool-spec';
import { checkLiveRules, liveFactsRequest } from '../rules/live-rules';
import { ruleCondition } from '../rules/rules';
import type { ReconcileDeps } from './reconcile';
import { planPolicyFromEnv } from './reconcile-settings';

/** The clients a reconcile pass calls; nothing else is bundled into the functions that run it. */
export type ReconcileClients = Pick<
  AwsClients,
  'ec2' | 'autoScaling' | 'eks' | 'ssm' | 'iam' | 'dynamodb' | 'documents' | 's3'
>;

export const RECONCILE_CLIENT_BUILDERS: ClientBuilders<keyof ReconcileClients> = {
  ec2: buildEc2,
  autoScaling: buildAutoScaling,
  eks: buildEks,
  ssm: buildSsm,
  iam: buildIam,
  dynamodb: buildDynamoDb,
  documents: buildDocuments,
  s3: buildS3,
};

export function reconcileClients(settings: ClientSettings): ReconcileClients {
  return lazyClients(settings, RECONCILE_CLIENT_BUILDERS);
}

/** SETTLE_SECONDS (serverless.yml `settleSeconds`); unset or invalid: 0, act at once. */
export function settleSecondsFromEnv(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.SETTLE_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/**
 * The real dependencies of reconcile(): SDK clients from the one client factory, both spec stores
 * (S3 and DynamoDB), the status table, the deployment's `${VAR}` variables and the requeue policy,
 * all from the environment (resource names as in lib/config.ts). Pass `clients` to share clients
 * built elsewhere (a test that counts calls, a handler that built them at cold start).
 *
 * @example
 *   const outcome = await reconcile(poolId, createReconcileDeps());
 */
export function createReconcileDeps(
  env: NodeJS.ProcessEnv = process.env,
  clients: ReconcileClients = reconcileClients(clientSettingsFromEnv(env)),
): ReconcileDeps {
  const names = resolveResourceNames(env);
  const allowList = allowListFromEnvironment(env);
  const maxAgeSeconds = liveFactsMaxAgeFromEnv(env);
  // A new reader per pass: its cache must never serve one pass's facts to the next. Only the
  // cluster reads may be shared, by the passes of one batch (`forBatch`).
  const factsReader = (options: LiveFactsReaderOptions) =>
    createLiveFactsReader(clients, { ...options, ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}) });
  const withClusters = (clusters?: LiveFactsReaderOptions['clusters']) => ({
    readLiveFacts: (input: Parameters<ReconcileDeps['readLiveFacts']>[0]) =>
      factsReader(clusters ? { clusters } : {}).gather(liveFactsRequest(input)),
    readCachedLiveFacts: (
      spec: Parameters<ReconcileDeps['readLiveFacts']>[0],
      cached: Parameters<NonNullable<ReconcileDeps['readCachedLiveFacts']>>[1],
    ) => factsReader(clusters ? { clusters } : {}).gatherCached(liveFactsRequest(spec), cached),
  });
  const deps: ReconcileDeps = {
    specStores: [
      new S3SpecStore(clients.s3, { bucket: names.specBucket, prefix: names.specPrefix }),
      new DynamoDbSpecStore(clients.documents, { table: names.specTable }),
    ],
    specChecks: {
      // The deployment's allow-lists join every validation, so a refused cluster or role stops the pass first.
      validate: (text, options) => validatePoolSpec(text, { ...options, allowList }),
      checkLive: checkLiveRules,
      conditionTypeForRule: ruleCondition,
    },
    ...withClusters(),
    forBatch: () => ({ ...deps, ...withClusters(new Map()) }),
    launchTemplates: new LaunchTemplates(clients),
    nodegroups: new Nodegroups(clients),
    autoScalingGroups: new AutoScalingGroups(clients),
    instances: new NodegroupInstances(clients),
    amiParameters: new AmiParameters(clients),
    nodeRoles: new NodeRoles(clients),
    statusTable: new StatusTable(clients, names.statusTable),
    variables: variablesFromEnvironment(env),
    policy: planPolicyFromEnv(env),
    clock: () => new Date(),
    settleSeconds: settleSecondsFromEnv(env),
  };
  return deps;
}

/** LIVE_FACTS_MAX_AGE_SECONDS: the longest a pool's cached live facts are reused (default a day). */
export function liveFactsMaxAgeFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.LIVE_FACTS_MAX_AGE_SECONDS;
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
