import { canonicalHash } from '../render/canonical-json';
import { idempotencyToken } from '../render/resource-names';
import { ConditionType, falseCondition, Reason } from '../status/conditions';
import type { TemplateTarget } from './launch-template-target';
import { diffNodegroupConfig, immutableDrift, missingTags } from './nodegroup-config-diff';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, NodegroupConfigChanges, Observed, ObservedNodegroup } from './plan-types';
import { blocksRetry, effectiveFailure, failureMessage } from './update-outcome';

/**
 * Labels, taints, scaling and update config: one UpdateNodegroupConfig, also after a failed roll,
 * unless the same change failed before and the spec has not been written since. Missing tags are
 * put back, old template versions pruned, and fields EKS cannot change in place are reported (terminal). Returns the changes
 * planned, for the summary.
 */
export function planConfigUpdate(
  desired: DesiredPresent,
  observed: Observed,
  nodegroup: ObservedNodegroup,
  builder: PlanBuilder,
  template: TemplateTarget,
): NodegroupConfigChanges | undefined {
  const name = desired.nodegroup.name;
  const changes = diffNodegroupConfig(desired.nodegroup, nodegroup);
  const failedConfig = effectiveFailure(
    builder.record.failedConfigUpdate,
    observed.previous.failedConfigUpdate,
  );
  if (changes && failedConfig && blocksRetry(failedConfig, desired)) {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupUpdateFailed,
        failureMessage(failedConfig, 'the node group config update'),
      ),
    );
  } else if (changes) {
    builder.record.failedConfigUpdate = null;
    builder.actions.push({
      kind: 'UpdateNodegroupConfig',
      clusterName: desired.clusterName,
      nodegroupName: name,
      changes,
      clientRequestToken: idempotencyToken(
        'config',
        desired.poolId,
        canonicalHash(changes),
        desired.specHash,
        desired.generation,
        desired.statusRevision,
      ),
    });
  }
  // All desired tags, not only the missing ones: the IAM policy allows TagResource only on requests
  // that carry the ownership tag.
  if (missingTags(desired.nodegroup.tags, nodegroup.tags) && nodegroup.arn) {
    builder.actions.push({ kind: 'TagNodegroup', nodegroupArn: nodegroup.arn, tags: desired.nodegroup.tags });
  }
  builder.actions.push(...template.prune);
  const drift = immutableDrift(desired.nodegroup, nodegroup);
  if (drift.length > 0) {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.NodegroupImmutableFieldChanged,
        `node group ${name} cannot change in place: ${drift.join('; ')}. Revert the spec, or delete the pool spec and write it again to replace the node group`,
      ),
    );
  }
  return changes;
}
