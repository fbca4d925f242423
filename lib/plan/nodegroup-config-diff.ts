import type { Taint, UpdateConfig } from '../pool-spec';
import type {
  DesiredNodegroup,
  LabelChanges,
  NodegroupConfigChanges,
  ObservedNodegroup,
  ScalingConfig,
  TaintChanges,
} from './plan-types';

/**
 * What UpdateNodegroupConfig must change so the node group's labels, taints, scaling and update
 * config match the spec; undefined when they already do. Labels and taints not in the spec are
 * removed (the spec is the whole truth for a node group this system owns).
 */
export function diffNodegroupConfig(
  desired: DesiredNodegroup,
  observed: ObservedNodegroup,
): NodegroupConfigChanges | undefined {
  const changes: NodegroupConfigChanges = {};
  const labels = diffLabels(desired.labels, observed.labels);
  if (labels) changes.labels = labels;
  const taints = diffTaints(desired.taints, observed.taints);
  if (taints) changes.taints = taints;
  if (scalingDiffers(desired.scaling, observed.scaling)) changes.scaling = desired.scaling;
  if (updateConfigDiffers(desired.updateConfig, observed.updateConfig))
    changes.updateConfig = desired.updateConfig;
  return Object.keys(changes).length > 0 ? changes : undefined;
}

function diffLabels(
  desired: Record<string, string>,
  observed: Record<string, string>,
): LabelChanges | undefined {
  const addOrUpdate: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) if (observed[key] !== value) addOrUpdate[key] = value;
  const remove = Object.keys(observed)
    .filter((key) => !(key in desired))
    .sort();
  return Object.keys(addOrUpdate).length > 0 || remove.length > 0 ? { addOrUpdate, remove } : undefined;
}

/** EKS identifies a taint by key and effect; an empty value and no value are the same. */
function taintId(t: Taint): string {
  return `${t.key}\u0000${t.effect}`;
}

function sameTaint(a: Taint, b: Taint): boolean {
  return taintId(a) === taintId(b) && (a.value ?? '') === (b.value ?? '');
}

function diffTaints(desired: readonly Taint[], observed: readonly Taint[]): TaintChanges | undefined {
  const addOrUpdate = desired.filter((d) => !observed.some((o) => sameTaint(d, o)));
  const desiredIds = new Set(desired.map(taintId));
  const remove = observed.filter((o) => !desiredIds.has(taintId(o)));
  return addOrUpdate.length > 0 || remove.length > 0 ? { addOrUpdate, remove } : undefined;
}

function scalingDiffers(desired: ScalingConfig, observed: Partial<ScalingConfig> | undefined): boolean {
  return (
    observed?.minSize !== desired.minSize ||
    observed?.maxSize !== desired.maxSize ||
    observed?.desiredSize !== desired.desiredSize
  );
}

/** Only what the spec sets is compared: an empty updateConfig leaves EKS's default alone. */
function updateConfigDiffers(desired: UpdateConfig, observed: UpdateConfig | undefined): boolean {
  if (desired.maxUnavailable !== undefined && observed?.maxUnavailable !== desired.maxUnavailable)
    return true;
  if (
    desired.maxUnavailablePercentage !== undefined &&
    observed?.maxUnavailablePercentage !== desired.maxUnavailablePercentage
  ) {
    return true;
  }
  return (
    desired.updateStrategy !== undefined && (observed?.updateStrategy ?? 'DEFAULT') !== desired.updateStrategy
  );
}

/** Tags the node group lacks or holds with another value. Tags added by others are left alone. */
export function missingTags(
  desired: Record<string, string>,
  observed: Record<string, string>,
): Record<string, string> | undefined {
  const missing: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) if (observed[key] !== value) missing[key] = value;
  return Object.keys(missing).length > 0 ? missing : undefined;
}

/**
 * Fields EKS cannot change on an existing node group (they need a new node group). Reported,
 * never acted on: replacing a node group is a decision for its owner.
 */
export function immutableDrift(desired: DesiredNodegroup, observed: ObservedNodegroup): string[] {
  const drift: string[] = [];
  if (observed.capacityType && observed.capacityType !== desired.capacityType) {
    drift.push(`capacityType is ${observed.capacityType}, the spec says ${desired.capacityType}`);
  }
  if (observed.amiType && observed.amiType !== desired.amiType) {
    drift.push(`amiType is ${observed.amiType}, the spec needs ${desired.amiType}`);
  }
  if (desired.subnetsExplicit) {
    const have = [...observed.subnets].sort().join(',');
    const want = [...desired.subnets].sort().join(',');
    if (have !== want) drift.push(`subnets are [${have}], the spec says [${want}]`);
  }
  const roleName = observed.nodeRoleArn?.split('/').pop();
  if (roleName && roleName !== desired.nodeRoleName) {
    drift.push(`the node role is ${roleName}, the spec says ${desired.nodeRoleName}`);
  }
  return drift;
}
