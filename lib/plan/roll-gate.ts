import { maintenanceWindowState } from '../maintenance-window';
import { ConditionSeverity, ConditionType, falseCondition, Reason } from '../status/conditions';
import type { TemplateTarget } from './launch-template-target';
import type { PlanBuilder } from './plan-builder';
import type { DesiredPresent, Observed, Plan } from './plan-types';

/** What the waiting roll would change, in one line (`enclave-pools plan -f` shows the field diff). */
function rollSummary(desired: DesiredPresent, observed: Observed, template: TemplateTarget): string {
  const { pinned, version } = template;
  const from = template.launchTemplate.versions.find((candidate) => candidate.number === pinned);
  const image =
    from?.imageId && version.imageId && from.imageId !== version.imageId
      ? `, image ${from.imageId} → ${version.imageId}`
      : '';
  const nodes = observed.nodegroup?.scaling?.desiredSize;
  const replaces = nodes !== undefined ? `, replaces ${nodes} node${nodes === 1 ? '' : 's'}` : '';
  return `launch template version ${pinned ?? '?'} → ${version.number} (data ${desired.launchTemplate.dataHash.slice(0, 12)}${image})${replaces}`;
}

/** The next time the window opens, when the roll must wait for it; undefined when it may start now. */
function windowWait(
  desired: DesiredPresent,
  observed: Observed,
): { opensAt: Date; seconds: number } | undefined {
  const window = desired.policies.maintenanceWindow;
  if (!window) return undefined;
  // No clock in the input means no way to know: wait (a roll outside its window is the worse error).
  const now = observed.now ? new Date(observed.now) : undefined;
  if (!now) return { opensAt: new Date(0), seconds: desired.policy.requeueSeconds.updating };
  const state = maintenanceWindowState(window, now);
  if (state.open) return undefined;
  return {
    opensAt: state.next,
    seconds: Math.max(1, Math.ceil((state.next.getTime() - now.getTime()) / 1000)),
  };
}

/**
 * Staged and windowed rolls (decision 0121), asked before a roll starts (never of one in flight):
 * `roll: manual` waits for `enclave-pools roll NAME`, which approves the spec's data; a
 * maintenance window holds the roll until it opens and requeues the pass for that moment. The
 * new version is cut and validated either way: only the roll waits. Returns the plan when the
 * roll waits for the window (a requeue); for a missing approval it sets a terminal RollPending
 * (the CLI enqueues the next pass) and returns undefined so config changes still apply.
 */
export function planRollGate(
  desired: DesiredPresent,
  observed: Observed,
  builder: PlanBuilder,
  template: TemplateTarget,
): { wait: Plan | undefined } | undefined {
  const summary = rollSummary(desired, observed, template);
  const pool = desired.poolId;
  const approved = observed.previous.rollApproval?.dataHash === desired.launchTemplate.dataHash;
  if (desired.policies.roll === 'manual' && !approved) {
    builder.stop(
      falseCondition(
        ConditionType.EKSNodegroupReady,
        Reason.RollPending,
        `the roll waits for approval (roll policy manual): ${summary}. Approve it with "enclave-pools roll ${pool}"`,
        ConditionSeverity.Info,
      ),
    );
    return { wait: undefined };
  }
  const wait = windowWait(desired, observed);
  if (!wait) return undefined;
  const window = desired.policies.maintenanceWindow?.text ?? '';
  builder.set(
    falseCondition(
      ConditionType.EKSNodegroupReady,
      Reason.RollWaitingForWindow,
      `the roll waits for the maintenance window "${window}"${wait.opensAt.getTime() > 0 ? `, which opens at ${wait.opensAt.toISOString()}` : ''}: ${summary}`,
      ConditionSeverity.Info,
    ),
  );
  builder.actions.push(...template.prune);
  return { wait: builder.requeue(wait.seconds, Reason.RollWaitingForWindow).build() };
}
