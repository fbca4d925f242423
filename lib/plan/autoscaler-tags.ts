import { canonicalHash } from '../render/canonical-json';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed } from './plan-types';

/** The hash the status row keeps of the tags the spec asks for (lib/reconcile compares it). */
export function autoscalerTagsHash(tags: Record<string, string>): string {
  return canonicalHash(tags);
}

/**
 * Keeps the Cluster Autoscaler's node-template tags right on the node group's Auto Scaling group
 * (decision 0101), whenever this pass read the group: after a create or a roll (the verification
 * reads it) and whenever the spec asks for other tags (observe reads it then). Writes only the
 * tags whose value differs, and removes only keys this system set before; once the group carries
 * them, records them (values too), so a settled pool does not read the group again, and a spec
 * that asks for other tags is compared with the recorded ones, without reading the group.
 */
export function planAutoscalerTags(desired: DesiredPresent, observed: Observed, builder: PlanBuilder): void {
  const wanted = desired.autoscalerTags;
  const group = observed.fleet?.autoScalingGroup ?? observed.autoscalerGroup;
  if (!wanted || !group) return;
  const put: Record<string, string> = Object.fromEntries(
    Object.entries(wanted).filter(([key, value]) => group.tags[key] !== value),
  );
  const recorded = observed.previous.autoscalerTags;
  const ours = recorded?.autoScalingGroupName === group.name ? recorded.keys : [];
  const remove = ours.filter((key) => !Object.hasOwn(wanted, key) && Object.hasOwn(group.tags, key));
  if (Object.keys(put).length > 0 || remove.length > 0) {
    builder.actions.push({ kind: 'TagAutoScalingGroup', autoScalingGroupName: group.name, put, remove });
    return;
  }
  builder.record.autoscalerTags = {
    autoScalingGroupName: group.name,
    keys: Object.keys(wanted).sort(),
    hash: autoscalerTagsHash(wanted),
    tags: { ...wanted },
  };
}
