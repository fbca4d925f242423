import { readLaunchTemplateVersionData } from '../aws/launch-template-version-data';
import { createLiveFactsReader } from '../aws/live-facts-reader';
import { Nodegroups } from '../aws/nodegroups';
import { variablesFromEnvironment } from '../manifests/deployment-variables';
import { diffNodegroupConfig } from '../plan/nodegroup-config-diff';
import type { PoolSpec, StoredSpec } from '../pool-spec';
import { buildPreview, type Preview } from '../preview/preview';
import { PLANNED_ID, type PreviewPass, runPreviewPass } from '../preview/preview-pass';
import {
  createReconcileDeps,
  RECONCILE_CLIENT_BUILDERS,
  type ReconcileClients,
} from '../reconcile/create-reconcile-deps';
import { desiredNodegroup } from '../reconcile/desired-state';
import type { LiveFacts } from '../rules/live-facts';
import type { CliContext } from './cli-command';
import type { StoreKind } from './command-runtime';
import { loadStoredSpec } from './pool-spec-loader';

/**
 * What reconciling a spec file would do to its pool now, for `plan` and `apply`: a dry reconcile
 * pass (the real pipeline, writes recorded instead of made) plus the reads the diff needs.
 */
const NO_FACTS: LiveFacts = { instanceTypes: {}, subnets: {}, zones: {} };

export interface SpecPreview {
  /** What `plan` shows (and `apply --output json` prints). */
  preview: Preview;
  /** The dry reconcile pass it was built from: its writes, rows and log lines. */
  pass: PreviewPass;
  /** The store that holds the pool now, if any. */
  storedIn?: StoreKind;
}

/** What a reconcile pass calls: the dry run reads as a pass would. */
const PASS_CLIENTS = Object.keys(RECONCILE_CLIENT_BUILDERS) as (keyof ReconcileClients)[];

export async function previewSpec(
  context: CliContext,
  input: {
    spec: PoolSpec;
    text: string;
    source: string;
    overrides: Record<string, string>;
    store?: StoreKind;
    /** Both spec stores must exist (`plan`); else a missing one holds nothing (`apply` creates pools). */
    requireStores?: boolean;
  },
): Promise<SpecPreview> {
  const clients = await context.services.awsClients(...PASS_CLIENTS);
  const env = context.io.env as NodeJS.ProcessEnv;
  const deps = {
    ...createReconcileDeps(env, clients),
    variables: variablesFromEnvironment(env, input.overrides),
  };
  const poolId = input.spec.name;
  const existing = await loadStoredSpec(context, poolId, input.requireStores === true);
  const stored: StoredSpec = {
    poolId,
    source: existing?.kind ?? input.store ?? 's3',
    location: input.source,
    text: input.text,
    // Writing the file makes a new generation; a failed roll of the old one does not block it.
    generation: (existing?.stored.generation ?? 0) + 1,
  };
  const pass = await runPreviewPass(poolId, stored, deps);

  const nodegroup = await new Nodegroups(clients).describe(input.spec.clusterName, input.spec.nodegroupName);
  const pinned = nodegroup?.launchTemplate;
  const pinnedData =
    pinned?.id && pinned.version !== undefined
      ? await readLaunchTemplateVersionData(clients, pinned.id, pinned.version)
      : undefined;
  const creates = pass.writes.some(
    (w) => w.kind === 'CreateLaunchTemplate' || w.kind === 'CreateLaunchTemplateVersion',
  );
  const target = pass.next?.launchTemplate;
  const existingTargetData =
    !creates &&
    target?.id &&
    target.id !== PLANNED_ID &&
    target.targetVersion !== undefined &&
    target.targetVersion !== pinned?.version
      ? await readLaunchTemplateVersionData(clients, target.id, target.targetVersion)
      : undefined;
  const createWrite = pass.writes.find((w) => w.kind === 'CreateNodegroup');
  const subnetIds =
    nodegroup?.subnets ?? (createWrite?.kind === 'CreateNodegroup' ? createWrite.subnets : []);
  const subnets = subnetIds.length > 0 ? await createLiveFactsReader(clients).subnets(subnetIds) : {};
  const zones = [...new Set(Object.values(subnets).map((s) => s.availabilityZone))].sort();

  // The config diff the reconciler itself uses; placement is not part of it, so no facts are needed.
  const pendingConfigChanges = nodegroup
    ? diffNodegroupConfig(desiredNodegroup(input.spec, NO_FACTS), nodegroup)
    : undefined;
  const preview = buildPreview({
    poolId,
    outcome: pass.outcome,
    writes: pass.writes,
    ...(pass.previous ? { previous: pass.previous } : {}),
    ...(pass.next ? { next: pass.next } : {}),
    ...(pinnedData ? { pinnedData } : {}),
    ...(existingTargetData ? { existingTargetData } : {}),
    ...(nodegroup ? { nodegroup } : {}),
    ...(pendingConfigChanges ? { pendingConfigChanges } : {}),
    availabilityZones: zones,
    updateConfig: input.spec.updateConfig,
    force: input.spec.forceUpdate,
  });
  return { preview, pass, ...(existing ? { storedIn: existing.kind } : {}) };
}

/**
 * Why the dry pass could not read the deployment (the status table, a store, AWS), or undefined
 * when it could: a pass that ended transient, or terminal before it had a status row to write.
 * A preview built without those reads would say the pool "matches this spec" about nothing.
 */
export function unreadableDeployment(pass: PreviewPass): string | undefined {
  const { outcome } = pass;
  if (outcome.kind === 'transient') return outcome.error;
  if (outcome.kind === 'terminal' && !pass.next) return `${outcome.reason}: ${outcome.message}`;
  return undefined;
}
