import type { Taint } from '../pool-spec';
import {
  ConditionSeverity,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from '../status/conditions';
import { diffNodegroupConfig, missingTags } from './nodegroup-config-diff';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, NodegroupConfigChanges, Observed, ObservedNodegroup, Plan } from './plan-types';

/** One drifted field: what AWS has, what the spec says. */
export interface DriftedField {
  field: string;
  observed: string;
  desired: string;
}

const show = (value: unknown): string => (value === undefined ? 'none' : JSON.stringify(value));
const taintText = (t: Taint): string => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

function configDrift(
  desired: DesiredPresent,
  nodegroup: ObservedNodegroup,
  changes: NodegroupConfigChanges,
): DriftedField[] {
  const fields: DriftedField[] = [];
  if (changes.labels) {
    const keys = [...Object.keys(changes.labels.addOrUpdate), ...changes.labels.remove].sort();
    for (const key of keys) {
      fields.push({
        field: `labels.${key}`,
        observed: show(nodegroup.labels[key]),
        desired: show(desired.nodegroup.labels[key]),
      });
    }
  }
  if (changes.taints) {
    fields.push({
      field: 'taints',
      observed: `[${nodegroup.taints.map(taintText).join(', ')}]`,
      desired: `[${desired.nodegroup.taints.map(taintText).join(', ')}]`,
    });
  }
  if (changes.scaling) {
    for (const key of ['minSize', 'maxSize', 'desiredSize'] as const) {
      const have = nodegroup.scaling?.[key];
      const want = desired.nodegroup.scaling[key];
      if (have !== want) fields.push({ field: `scaling.${key}`, observed: show(have), desired: show(want) });
    }
  }
  if (changes.updateConfig) {
    fields.push({
      field: 'updateConfig',
      observed: show(nodegroup.updateConfig),
      desired: show(desired.nodegroup.updateConfig),
    });
  }
  return fields;
}

/**
 * Everything of the pool that differs from the spec, field by field: the launch template and its
 * matching version, the pinned version, labels, taints, scaling, update config and tags.
 */
export function driftedFields(desired: DesiredPresent, observed: Observed): DriftedField[] {
  const template = observed.launchTemplate;
  if (!template) return [{ field: 'launchTemplate', observed: 'none', desired: desired.launchTemplate.name }];
  const matching = template.versions
    .filter((version) => version.dataHash === desired.launchTemplate.dataHash)
    .map((version) => version.number);
  const fields: DriftedField[] = [];
  if (matching.length === 0) {
    fields.push({
      field: 'launchTemplate.version',
      observed: 'no version with the spec data',
      desired: `data ${desired.launchTemplate.dataHash.slice(0, 12)}`,
    });
  }
  const nodegroup = observed.nodegroup;
  if (!nodegroup)
    return [...fields, { field: 'nodegroup', observed: 'none', desired: desired.nodegroup.name }];
  const pinned = nodegroup.launchTemplate?.version;
  if (matching.length > 0 && (pinned === undefined || !matching.includes(pinned))) {
    fields.push({
      field: 'launchTemplate.pinnedVersion',
      observed: show(pinned),
      desired: matching.length === 1 ? show(matching[0]) : `one of ${matching.join(', ')}`,
    });
  }
  const changes = diffNodegroupConfig(desired.nodegroup, nodegroup);
  if (changes) fields.push(...configDrift(desired, nodegroup, changes));
  const tags = missingTags(desired.nodegroup.tags, nodegroup.tags);
  for (const key of Object.keys(tags ?? {}).sort()) {
    fields.push({
      field: `tags.${key}`,
      observed: show(nodegroup.tags[key]),
      desired: show(desired.nodegroup.tags[key]),
    });
  }
  return fields;
}

/** The last pass ended converged on this very spec: a difference now was made outside enclave-pools. */
function convergedOnSpec(desired: DesiredPresent, observed: Observed): boolean {
  const converged = observed.previous.converged;
  return converged?.specHash === desired.specHash && converged.generation === desired.generation;
}

/**
 * Drift policy `report` (decision 0122): once the pool has converged on its spec, a difference is
 * reported in `Drifted` (each field with its observed and desired value) and the plan ends with
 * no action at all, so nothing of the pool is written. A spec write applies the spec again.
 * Undefined (planning goes on) for the policy `revert`, before convergence, and when nothing
 * drifted.
 */
export function planDriftReport(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
): Plan | undefined {
  if (desired.policies.drift !== 'report') return undefined;
  const fields = convergedOnSpec(desired, observed) ? driftedFields(desired, observed) : [];
  if (fields.length === 0) {
    builder.set(
      falseCondition(
        ConditionType.Drifted,
        Reason.NoDrift,
        'the pool matches its spec',
        ConditionSeverity.None,
      ),
    );
    return undefined;
  }
  const list = fields.map((f) => `${f.field}: observed ${f.observed}, desired ${f.desired}`).join('; ');
  builder.set({
    ...trueCondition(
      ConditionType.Drifted,
      Reason.DriftReported,
      `changed outside enclave-pools (drift policy report, nothing reverted): ${list}. To put the spec back, write the spec again or set the drift annotation to revert`,
    ),
    severity: ConditionSeverity.Warning,
  });
  return builder.build();
}
