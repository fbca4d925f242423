import { ConditionType, Reason, trueCondition } from '../status/conditions';
import { planAutoscalerTags } from './autoscaler-tags';
import { planDeletion } from './deletion';
import { planDriftReport } from './drift-report';
import { planEnclavesVerified, promoteSucceededRoll } from './enclave-verification';
import { recordFoundResources } from './found-history';
import { planLaunchTemplateTarget } from './launch-template-target';
import { planNodegroupLifecycle, planUpdateInFlight } from './nodegroup-busy';
import { planConfigUpdate } from './nodegroup-config-update';
import { planNodegroupCreate } from './nodegroup-create';
import { planRoll } from './nodegroup-roll';
import { planSummary } from './nodegroup-summary';
import { planOwnership } from './ownership';
import { PlanBuilder } from './plan-builder';
import type { Desired, DesiredPresent, Observed, Plan } from './plan-types';
import { recordFailedVerification } from './rollback';
import { recordUpdateOutcome } from './update-outcome';

/**
 * plan(desired, observed): the next actions that move the pool toward its spec, the conditions
 * that describe where it stands, and whether to come back later. Pure: the same inputs give the
 * same plan. A plan holds only actions whose inputs are known now (creating a node group needs
 * the version number that creating the template returns), so reconcile() executes a plan, folds
 * the results into `observed` and plans again until nothing is left to do.
 */
export function plan(desired: Desired, observed: Observed): Plan {
  return desired.kind === 'present' ? planPresent(desired, observed) : planDeletion(desired, observed);
}

/** The words the validator uses (lib/status/violation-conditions.ts), so the row reads the same. */
function specValidMessage(desired: DesiredPresent): string {
  const warnings = desired.specWarnings ?? [];
  return warnings.length > 0 ? `valid, with warnings: ${warnings.join('; ')}` : 'the spec is valid';
}

/**
 * The decisions for a pool with a spec, in the order they are taken. Each one either ends the
 * plan (returns it) or adds its conditions and actions and lets the next one look; the order is
 * the point: ownership before anything, the template before the node group that runs it, nothing
 * started while an update is in flight, a roll before config changes.
 */
function planPresent(desired: DesiredPresent, observed: Observed): Plan {
  const builder = new PlanBuilder();
  builder.set(trueCondition(ConditionType.SpecValid, Reason.SpecValid, specValidMessage(desired)));

  const notOurs = planOwnership(desired, observed, builder);
  if (notOurs) return notOurs;
  recordFoundResources(observed, builder);
  recordUpdateOutcome(desired, observed, builder);
  const drifted = planDriftReport(desired, observed, builder);
  if (drifted) return drifted;

  const templateDecision = planLaunchTemplateTarget(desired, observed, builder);
  if ('plan' in templateDecision) return templateDecision.plan;
  const template = templateDecision.target;

  const nodegroup = observed.nodegroup;
  if (!nodegroup) return planNodegroupCreate(desired, observed, builder, template);
  planEnclavesVerified(desired, observed, builder);
  recordFailedVerification(desired, observed, builder);
  promoteSucceededRoll(observed, builder);
  planAutoscalerTags(desired, observed, builder);
  const ended =
    planNodegroupLifecycle(desired, nodegroup, builder, template) ??
    planUpdateInFlight(desired, observed, nodegroup, builder, template) ??
    planRoll(desired, observed, builder, template);
  if (ended) return ended;

  const changes = planConfigUpdate(desired, observed, nodegroup, builder, template);
  return planSummary(desired, observed, nodegroup, builder, template, changes);
}
