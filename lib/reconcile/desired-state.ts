import type { DesiredNodegroup, DesiredPresent, PlanPolicy } from '../plan/plan-types';
import { type PoolSpec, poolNodeLabels } from '../pool-spec';
import type { RenderedLaunchTemplate } from '../render/launch-template-data';
import { ownershipTags } from '../render/resource-names';
import type { LiveFacts } from '../rules/live-facts';
import { eligibleSubnetIds } from '../rules/live-rules';
import { autoscalerNodeTemplateTags } from '../workloads/autoscaler-tags';
import { poolWorkloadProfile } from '../workloads/pool-profile';

/** The Cluster Autoscaler tags the pool's group should carry; undefined when the pool opts out. */
export function desiredAutoscalerTags(spec: PoolSpec, facts: LiveFacts): Record<string, string> | undefined {
  if (!spec.policies.autoscalerTags) return undefined;
  const profile = poolWorkloadProfile(spec, facts.instanceTypes[spec.launchTemplate.instanceType]);
  return autoscalerNodeTemplateTags(profile, {
    enclavesEnabled: spec.launchTemplate.enclavesEnabled,
    labels: poolNodeLabels(spec),
  });
}

/**
 * Where the node group's nodes go: the spec's subnets when it names them; otherwise the
 * cluster's subnets that sit in regular availability zones (never a Local Zone, Wavelength Zone
 * or Outpost, where Nitro Enclaves do not run), narrowed to the spec's availability zones when it
 * names those. The same selection the live rules check (eligibleSubnetIds), so validation and
 * placement cannot disagree.
 */
function placementSubnets(spec: PoolSpec, facts: LiveFacts): { subnets: string[]; explicit: boolean } {
  if (spec.subnetIds.length > 0) return { subnets: [...spec.subnetIds], explicit: true };
  return { subnets: [...eligibleSubnetIds(spec, facts)].sort(), explicit: false };
}

export function desiredNodegroup(spec: PoolSpec, facts: LiveFacts, deploymentId?: string): DesiredNodegroup {
  const placement = placementSubnets(spec, facts);
  return {
    name: spec.nodegroupName,
    labels: poolNodeLabels(spec),
    taints: [...spec.taints],
    scaling: { minSize: spec.scaling.minSize, maxSize: spec.scaling.maxSize, desiredSize: spec.replicas },
    updateConfig: { ...spec.updateConfig },
    capacityType: spec.capacityType,
    subnets: placement.subnets,
    subnetsExplicit: placement.explicit,
    nodeRoleName: spec.nodeRoleName,
    amiType: 'CUSTOM',
    tags: {
      ...spec.additionalTags,
      [`kubernetes.io/cluster/${spec.clusterName}`]: 'owned',
      ...ownershipTags(spec.clusterName, spec.name, deploymentId),
    },
    force: spec.forceUpdate,
  };
}

export function desiredPresent(input: {
  spec: PoolSpec;
  generation: number;
  specHash: string;
  statusRevision: number;
  rendered: RenderedLaunchTemplate;
  facts: LiveFacts;
  policy: PlanPolicy;
  /** The validator's warnings ("path: message"), for SpecValid. */
  specWarnings?: string[];
}): DesiredPresent {
  const autoscalerTags = desiredAutoscalerTags(input.spec, input.facts);
  return {
    kind: 'present',
    poolId: input.spec.name,
    clusterName: input.spec.clusterName,
    generation: input.generation,
    specHash: input.specHash,
    statusRevision: input.statusRevision,
    launchTemplate: {
      name: input.rendered.name,
      data: input.rendered.data,
      dataHash: input.rendered.dataHash,
      resourceTags: input.rendered.resourceTags,
    },
    nodegroup: desiredNodegroup(input.spec, input.facts, input.policy.deploymentId),
    policy: input.policy,
    policies: input.spec.policies,
    ...(autoscalerTags ? { autoscalerTags } : {}),
    ...(input.specWarnings && input.specWarnings.length > 0 ? { specWarnings: input.specWarnings } : {}),
  };
}
