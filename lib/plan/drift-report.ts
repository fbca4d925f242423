import type { Taint } from '../pool-spec';
import {
  ConditionSeverity,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from '../status/conditions';
import type { VerificationRecord } from '../status/status-row';
import { verificationCondition, verifyInstances } from './enclave-verification';
import { verificationDue } from './fleet-reads';
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

/** An instance running without the Nitro Enclaves its launch template turns on, one field each. */
function instanceDrift(
  desired: DesiredPresent,
  check: Omit<VerificationRecord, 'at'> | undefined,
): DriftedField[] {
  if (!desired.launchTemplate.data.EnclaveOptions.Enabled || !check) return [];
  return check.withoutEnclaves.map((id) => ({
    field: `instances.${id}.EnclaveOptions.Enabled`,
    observed: 'false',
    desired: 'true',
  }));
}

/**
 * The check of the instances this pass listed while the group was settled (the hourly drift
 * check, or the check after a create or an update), in EnclavesVerified's terms; undefined when
 * the pass listed none. It answers the update the check was due for, or keeps the recorded one.
 */
function freshCheck(desired: DesiredPresent, observed: Observed): Omit<VerificationRecord, 'at'> | undefined {
  const { fleet, nodegroup } = observed;
  const pinned = nodegroup?.launchTemplate?.version;
  if (!fleet || fleet.duringUpdateId !== undefined || !nodegroup || pinned === undefined) return undefined;
  const recorded = observed.previous.verification;
  const due = verificationDue(nodegroup, observed.update, recorded);
  const afterUpdateId = due ? observed.update?.id : recorded?.afterUpdateId;
  return {
    ...verifyInstances(fleet, pinned, {
      enclavesWanted: desired.launchTemplate.data.EnclaveOptions.Enabled,
      ...(nodegroup.launchTemplate?.id ? { launchTemplateId: nodegroup.launchTemplate.id } : {}),
    }),
    ...(afterUpdateId ? { afterUpdateId } : {}),
  };
}

/**
 * Everything of the pool that differs from the spec, field by field: the launch template and its
 * matching version, the pinned version, labels, taints, scaling, update config, tags, and the
 * instances without enclaves (from `check`: this pass's listing, or the last recorded one).
 */
export function driftedFields(
  desired: DesiredPresent,
  observed: Observed,
  check: Omit<VerificationRecord, 'at'> | undefined = observed.previous.verification,
): DriftedField[] {
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
  return [...fields, ...instanceDrift(desired, check)];
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
  const fresh = freshCheck(desired, observed);
  const fields = convergedOnSpec(desired, observed)
    ? driftedFields(desired, observed, fresh ?? observed.previous.verification)
    : [];
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
  if (fresh && observed.fleet) {
    // The plan ends here, before planEnclavesVerified: the listing is recorded and shown here, so
    // the next pass neither lists the instances again nor forgets what this one found.
    builder.record.verification = fresh;
    builder.set(
      verificationCondition(
        fresh,
        observed.fleet.autoScalingGroup.name,
        desired.launchTemplate.data.EnclaveOptions.Enabled,
      ),
    );
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
