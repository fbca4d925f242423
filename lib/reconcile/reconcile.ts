import {
  ConcurrentUpdateError,
  EnclavePoolError,
  errorMessage,
  OwnershipConflictError,
  SpecInvalidError,
  TerminalAwsError,
} from '../errors';
import { log } from '../log';
import type { Variables } from '../manifests/deployment-variables';
import { Outcome, type ReconcileOutcome } from '../outcome';
import { type ActionResult, applyActionResult, historyEventFor } from '../plan/action-result';
import { plan } from '../plan/plan';
import type { Action, Desired, Observed, Plan, PlanPolicy, PlanRecord } from '../plan/plan-types';
import type { PoolSpec, StoredSpec, Violation } from '../pool-spec';
import { amiParameterFor } from '../render/ami-parameter-name';
import { canonicalHash } from '../render/canonical-json';
import { renderLaunchTemplateData } from '../render/launch-template-data';
import type { LiveFacts } from '../rules/live-facts';
import type { LiveRuleInput } from '../rules/live-rules';
import {
  type ConditionInput,
  ConditionStatus,
  ConditionType,
  falseCondition,
  Reason,
} from '../status/conditions';
import { type StatusRow, statusRowChanged } from '../status/status-row';
import { conditionsForViolations } from '../status/violation-conditions';
import { desiredPresent } from './desired-state';
import { executeAction } from './execute-action';
import { nextStatusRow, type PassReport } from './next-status-row';
import { observe, observeForDeletion } from './observe';
import type {
  AmiParametersPort,
  LaunchTemplatesPort,
  NodegroupsPort,
  NodeRolesPort,
  SpecSource,
  StatusTablePort,
} from './ports';
import { MAX_STEPS_PER_PASS } from './reconcile-settings';

/** The spec rules (lib/manifests, lib/rules): offline validation of the document, and the rules that need AWS facts. */
export interface SpecChecks {
  /**
   * `spec` only when no offline rule failed; `liveInput` whenever the manifests could be read far
   * enough for the live rules, so one pass reports offline and live problems together.
   */
  validate(
    text: string,
    options: { variables: Variables; poolId: string },
  ): { spec?: PoolSpec; liveInput?: LiveRuleInput; violations: Violation[] };
  checkLive(input: PoolSpec | LiveRuleInput, facts: LiveFacts): Violation[];
  /** The resource condition a rule is reported on besides SpecValid (e.g. LaunchTemplateReady). */
  conditionTypeForRule?(rule: string): string | undefined;
}

export interface ReconcileDeps {
  specStores: SpecSource[];
  specChecks: SpecChecks;
  /** Reads what the live rules and the renderer need; called at most once per pass. */
  readLiveFacts(input: PoolSpec | LiveRuleInput): Promise<LiveFacts>;
  launchTemplates: LaunchTemplatesPort;
  nodegroups: NodegroupsPort;
  amiParameters: AmiParametersPort;
  nodeRoles: NodeRolesPort;
  statusTable: StatusTablePort;
  variables: Variables;
  policy: PlanPolicy;
  clock: () => Date;
}

type SpecInfo = NonNullable<PassReport['spec']>;

/** Actions that change what the pool is (not bookkeeping like pruning or tagging). */
const CONVERGING_ACTIONS = new Set<Action['kind']>([
  'CreateLaunchTemplate',
  'CreateLaunchTemplateVersion',
  'CreateNodegroup',
  'UpdateNodegroupVersion',
  'UpdateNodegroupConfig',
]);

/** An error with the condition it should be reported on. */
class PhaseError extends Error {
  constructor(
    readonly conditionType: string,
    readonly reason: string,
    readonly error: unknown,
  ) {
    super(errorMessage(error));
  }
}

function isTerminal(error: unknown): boolean {
  return (
    error instanceof TerminalAwsError ||
    error instanceof SpecInvalidError ||
    error instanceof OwnershipConflictError
  );
}

async function inPhase<T>(conditionType: string, reason: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    throw new PhaseError(conditionType, reason, error);
  }
}

function conditionForAction(action: Action): { type: string; reason: string } {
  switch (action.kind) {
    case 'CreateLaunchTemplate':
    case 'CreateLaunchTemplateVersion':
    case 'PruneLaunchTemplateVersions':
    case 'DeleteLaunchTemplate':
      return { type: ConditionType.LaunchTemplateReady, reason: Reason.LaunchTemplateReconcileFailed };
    default:
      return { type: ConditionType.EKSNodegroupReady, reason: Reason.NodegroupReconcileFailed };
  }
}

function mergeRecord(into: PlanRecord, next: PlanRecord): PlanRecord {
  return {
    ...into,
    ...Object.fromEntries(
      Object.entries(next).filter(([key, value]) => key !== 'events' && value !== undefined),
    ),
    events: [...into.events, ...next.events],
  };
}

/** Folds a step's bookkeeping into `observed.previous`, so the next step plans from it. */
function carryRecord(observed: Observed, record: PlanRecord): Observed {
  const previous = { ...observed.previous };
  if (record.lastKnownGoodVersion !== undefined) previous.lastKnownGoodVersion = record.lastKnownGoodVersion;
  if (record.failedRoll === null) delete previous.failedRoll;
  else if (record.failedRoll) previous.failedRoll = record.failedRoll;
  if (record.failedConfigUpdate === null) delete previous.failedConfigUpdate;
  else if (record.failedConfigUpdate) previous.failedConfigUpdate = record.failedConfigUpdate;
  if (observed.update) previous.update = observed.update;
  return { ...observed, previous };
}

function countActions(actions: Action[], counts: Record<string, number>): void {
  for (const action of actions) counts[action.kind] = (counts[action.kind] ?? 0) + 1;
}

/**
 * One pass over one pool. Collects what the status row needs in a PassReport; never throws.
 */
class Pass {
  private readonly report: PassReport;
  private readonly executed: Record<string, number> = {};

  constructor(
    private readonly poolId: string,
    private readonly previous: StatusRow | undefined,
    private readonly deps: ReconcileDeps,
  ) {
    this.report = {
      poolId,
      now: deps.clock(),
      conditions: [],
      record: { events: [] },
      actionEvents: [],
      outcome: Outcome.done('nothing to do'),
    };
  }

  async run(): Promise<{ report: PassReport; wroteToAws: boolean }> {
    try {
      this.report.outcome = await this.reconcile();
    } catch (error: unknown) {
      this.report.outcome = this.failed(error);
    }
    return { report: this.report, wroteToAws: Object.keys(this.executed).length > 0 };
  }

  private failed(error: unknown): ReconcileOutcome {
    const phase = error instanceof PhaseError ? error : undefined;
    const cause = phase ? phase.error : error;
    const message = errorMessage(cause);
    if (!isTerminal(cause)) {
      log(cause instanceof EnclavePoolError ? 'warn' : 'error', 'reconcile.transient-error', {
        poolId: this.poolId,
        error: message,
        ...(cause instanceof EnclavePoolError ? { context: cause.context } : {}),
      });
      // Keep the previous conditions: a throttled call says nothing new about the pool.
      this.report.conditions = [];
      return Outcome.transient(message);
    }
    const type = phase?.conditionType ?? ConditionType.EKSNodegroupReady;
    const reason = phase?.reason ?? Reason.NodegroupReconcileFailed;
    this.report.conditions = [
      ...this.report.conditions.filter((c) => c.type !== type),
      falseCondition(type, reason, message),
    ];
    log('error', 'reconcile.terminal-error', { poolId: this.poolId, error: message });
    return Outcome.terminal(reason, message);
  }

  private async reconcile(): Promise<ReconcileOutcome> {
    const stored = await inPhase(ConditionType.SpecValid, Reason.SpecUnreadable, () => this.loadSpec());
    if (stored === 'conflict') return this.report.outcome;
    if (!stored) return this.reconcileDeletion();
    return this.reconcileSpec(stored);
  }

  private async loadSpec(): Promise<StoredSpec | undefined | 'conflict'> {
    const found = (await Promise.all(this.deps.specStores.map((store) => store.load(this.poolId)))).filter(
      (s): s is StoredSpec => s !== undefined,
    );
    if (found.length <= 1) return found[0];
    const where = found.map((s) => s.location).join(' and ');
    const message = `pool ${this.poolId} is defined in more than one store (${where}); delete it from all but one`;
    this.report.conditions = [falseCondition(ConditionType.SpecValid, Reason.SpecConflict, message)];
    this.report.outcome = Outcome.terminal(Reason.SpecConflict, message);
    return 'conflict';
  }

  private invalid(violations: Violation[]): ReconcileOutcome {
    this.report.conditions = conditionsForViolations(violations, (rule) =>
      this.deps.specChecks.conditionTypeForRule?.(rule),
    );
    const errors = violations.filter((v) => v.severity === 'Error');
    const first = errors[0];
    return Outcome.terminal(
      errors.length === 1 && first ? first.rule : Reason.SpecInvalid,
      errors.map((v) => `${v.path}: ${v.message}`).join('; '),
    );
  }

  private async reconcileSpec(stored: StoredSpec): Promise<ReconcileOutcome> {
    const specInfo: SpecInfo = {
      source: stored.source,
      location: stored.location,
      generation: stored.generation,
      ...(this.previous?.clusterName ? { clusterName: this.previous.clusterName } : {}),
      ...(this.previous?.nodegroupName ? { nodegroupName: this.previous.nodegroupName } : {}),
    };
    this.report.spec = specInfo;
    const { spec, liveInput, violations } = this.deps.specChecks.validate(stored.text, {
      variables: this.deps.variables,
      poolId: this.poolId,
    });
    if (!spec || violations.some((v) => v.severity === 'Error')) {
      // Report the live problems too (reads only), so one edit can fix everything.
      if (!liveInput) return this.invalid(violations);
      const facts = await inPhase(ConditionType.SpecValid, Reason.LiveFactsUnavailable, () =>
        this.deps.readLiveFacts(liveInput),
      );
      return this.invalid([...violations, ...this.deps.specChecks.checkLive(liveInput, facts)]);
    }
    specInfo.clusterName = spec.clusterName;
    specInfo.nodegroupName = spec.nodegroupName;

    const facts = await inPhase(ConditionType.SpecValid, Reason.LiveFactsUnavailable, () =>
      this.deps.readLiveFacts(spec),
    );
    const allViolations = [...violations, ...this.deps.specChecks.checkLive(spec, facts)];
    if (allViolations.some((v) => v.severity === 'Error')) return this.invalid(allViolations);
    const specHash = canonicalHash(spec);
    specInfo.specHash = specHash;

    const image = await inPhase(ConditionType.LaunchTemplateReady, Reason.LaunchTemplateReconcileFailed, () =>
      this.resolveImage(spec, facts, specHash),
    );
    if ('violation' in image) return this.invalid([...allViolations, image.violation]);
    const rootDeviceName = spec.launchTemplate.rootVolume
      ? await inPhase(ConditionType.LaunchTemplateReady, Reason.LaunchTemplateReconcileFailed, () =>
          this.deps.amiParameters.rootDeviceName(image.imageId),
        )
      : undefined;
    const rendered = renderLaunchTemplateData(spec, facts.cluster, image.imageId, {
      ...(rootDeviceName ? { rootDeviceName } : {}),
      ...(this.deps.policy.deploymentId ? { deploymentId: this.deps.policy.deploymentId } : {}),
    });
    if (!rendered.ok) return this.invalid([...allViolations, ...rendered.violations]);
    this.report.launchTemplateName = rendered.rendered.name;
    this.report.desiredDataHash = rendered.rendered.dataHash;
    this.report.desiredImageId = image.imageId;

    const desired = desiredPresent({
      spec,
      generation: stored.generation,
      specHash,
      statusRevision: this.previous?.revision ?? 0,
      rendered: rendered.rendered,
      facts,
      policy: this.deps.policy,
    });
    const observed = await inPhase(ConditionType.EKSNodegroupReady, Reason.NodegroupReconcileFailed, () =>
      observe(
        {
          clusterName: spec.clusterName,
          launchTemplateName: rendered.rendered.name,
          nodegroupName: spec.nodegroupName,
          nodeRoleName: spec.nodeRoleName,
        },
        this.previous,
        this.deps,
      ),
    );
    const warnings = conditionsForViolations(allViolations);
    const outcome = await this.converge(desired, observed, { specHash, generation: stored.generation });
    // The planner's SpecValid says "valid"; keep the validator's warnings in its message.
    this.report.conditions = this.report.conditions.map((c) =>
      c.type === ConditionType.SpecValid && c.status === ConditionStatus.True ? (warnings[0] ?? c) : c,
    );
    return outcome;
  }

  /**
   * `ami.id` as written; otherwise the EKS-optimized image from SSM, looked up again only when
   * the spec changed since the last lookup (see StatusRow.resolvedImage).
   */
  private async resolveImage(
    spec: PoolSpec,
    facts: LiveFacts,
    specHash: string,
  ): Promise<{ imageId: string } | { violation: Violation }> {
    const ami = spec.launchTemplate.ami;
    if (ami.kind === 'id') return { imageId: ami.id };
    const architecture = facts.instanceTypes[spec.launchTemplate.instanceType]?.architecture;
    const parameter = amiParameterFor(
      ami,
      spec.kubernetesVersion ?? facts.cluster?.kubernetesVersion,
      architecture,
    );
    if ('violation' in parameter) return parameter;
    const pinned = this.previous?.resolvedImage;
    if (pinned && pinned.parameterName === parameter.parameterName && pinned.specHash === specHash) {
      this.report.resolvedImage = pinned;
      return { imageId: pinned.imageId };
    }
    const imageId = await this.deps.amiParameters.imageId(parameter.parameterName);
    if (!imageId) {
      return {
        violation: {
          path: 'AWSManagedMachinePool: spec.awsLaunchTemplate.ami.eksLookupType',
          value: parameter.parameterName,
          rule: 'AmiNotFound',
          severity: 'Error',
          message: `SSM parameter ${parameter.parameterName} does not exist in this region (no EKS-optimized AL2023 image for that Kubernetes version and architecture); change the version or set awsLaunchTemplate.ami.id`,
        },
      };
    }
    this.report.resolvedImage = { imageId, parameterName: parameter.parameterName, specHash };
    return { imageId };
  }

  private async reconcileDeletion(): Promise<ReconcileOutcome> {
    const found = await inPhase(ConditionType.EKSNodegroupReady, Reason.NodegroupReconcileFailed, () =>
      observeForDeletion(this.poolId, this.previous, this.deps, this.deps.policy.deploymentId),
    );
    if (!this.previous && !found.observed.launchTemplate && !found.observed.nodegroup) {
      return Outcome.done(`pool ${this.poolId} has no spec and no resources`);
    }
    const desired: Desired = {
      kind: 'absent',
      poolId: this.poolId,
      ...(found.clusterName ? { clusterName: found.clusterName } : {}),
      ...(found.nodegroupName ? { nodegroupName: found.nodegroupName } : {}),
      policy: this.deps.policy,
    };
    return this.converge(desired, found.observed, {
      specHash: this.previous?.specHash ?? '',
      generation: this.previous?.observedGeneration ?? 0,
    });
  }

  /**
   * The last pass ended converged on this very spec: any write it takes now to converge is
   * repairing a change made outside this system (drift), which is worth telling the user.
   */
  private convergedOn(context: { specHash: string; generation: number }): boolean {
    const previous = this.previous;
    return (
      previous !== undefined &&
      !previous.deleted &&
      previous.outcome.kind === 'done' &&
      previous.specHash === context.specHash &&
      previous.observedGeneration === context.generation
    );
  }

  /** plan → execute → fold, until a plan has nothing left to do. */
  private async converge(
    desired: Desired,
    initial: Observed,
    context: { specHash: string; generation: number },
  ): Promise<ReconcileOutcome> {
    let observed = initial;
    let record: PlanRecord = { events: [] };
    let current: Plan | undefined;
    let driftReported = false;
    for (let step = 0; step < MAX_STEPS_PER_PASS; step++) {
      current = plan(desired, observed);
      record = mergeRecord(record, current.record);
      observed = carryRecord(observed, current.record);
      this.report.conditions = current.conditions;
      this.report.record = record;
      this.report.observed = observed;
      if (current.actions.length === 0) break;
      for (const action of current.actions) {
        if (
          !driftReported &&
          desired.kind === 'present' &&
          this.convergedOn(context) &&
          CONVERGING_ACTIONS.has(action.kind)
        ) {
          driftReported = true;
          this.report.actionEvents.push({
            event: 'DriftDetected',
            message:
              `the spec is unchanged since the last converged pass, but AWS no longer matches it ` +
              `(changed outside enclave-pools); converging back with ${action.kind}`,
          });
          log('warn', 'reconcile.drift', { poolId: this.poolId, action: action.kind });
        }
        let result: ActionResult;
        try {
          result = await executeAction(action, this.deps, context);
        } catch (error: unknown) {
          const { type, reason } = conditionForAction(action);
          throw new PhaseError(type, reason, error);
        }
        countActions([action], this.executed);
        log('info', 'reconcile.action', { poolId: this.poolId, action: action.kind, result: result.kind });
        const event = historyEventFor(result);
        if (event) this.report.actionEvents.push(event);
        observed = applyActionResult(observed, result);
        this.report.observed = observed;
      }
    }
    if (!current) return Outcome.done('nothing planned');
    if (current.actions.length > 0) {
      // The step budget ran out with work left: come back soon rather than loop here.
      return Outcome.requeue(desired.policy.requeueSeconds.busy, 'more steps remain');
    }
    if (current.terminal) return Outcome.terminal(current.terminal.reason, current.terminal.message);
    if (current.requeueAfterSeconds !== undefined) {
      return Outcome.requeue(current.requeueAfterSeconds, current.requeueReason ?? 'waiting');
    }
    const summary = Object.entries(this.executed)
      .map(([kind, n]) => `${kind}×${n}`)
      .join(', ');
    return Outcome.done(summary ? `applied ${summary}` : 'in sync');
  }
}

function conditionsSummary(conditions: readonly ConditionInput[]): Record<string, string> {
  return Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
}

/**
 * Reconciles one pool: reads its newest spec (S3 or DynamoDB) and what AWS has, converges the
 * launch template and node group, and records the outcome in the status table. Level-triggered:
 * it never looks at what event caused it. Never throws: every ending is one ReconcileOutcome.
 *
 * @example
 *   const outcome = await reconcile('my-node-pool', createReconcileDeps());
 *   if (outcome.kind === 'requeue') await queue.send(poolId, outcome.afterSeconds);
 */
export async function reconcile(poolId: string, deps: ReconcileDeps): Promise<ReconcileOutcome> {
  let previous: StatusRow | undefined;
  try {
    previous = await deps.statusTable.get(poolId);
  } catch (error: unknown) {
    log('warn', 'reconcile.status-read-failed', { poolId, error: errorMessage(error) });
    return isTerminal(error)
      ? Outcome.terminal('StatusTableUnreadable', errorMessage(error))
      : Outcome.transient(errorMessage(error));
  }
  const { report, wroteToAws } = await new Pass(poolId, previous, deps).run();
  const outcome = report.outcome;
  const nothingKnown = !previous && outcome.kind === 'done' && !report.spec && !report.observed;
  // A transient failure keeps the previous row, unless this pass already changed AWS.
  const skipWrite = nothingKnown || (outcome.kind === 'transient' && !wroteToAws);
  if (!skipWrite) {
    const next = nextStatusRow(previous, report);
    if (statusRowChanged(previous, next)) {
      try {
        await deps.statusTable.put(next, previous?.revision ?? 0);
      } catch (error: unknown) {
        if (error instanceof ConcurrentUpdateError) {
          log('warn', 'reconcile.status-conflict', { poolId, error: error.message });
          return Outcome.requeue(deps.policy.requeueSeconds.busy, 'status row changed concurrently');
        }
        log('warn', 'reconcile.status-write-failed', { poolId, error: errorMessage(error) });
        return Outcome.transient(errorMessage(error));
      }
    }
    log('info', 'reconcile.outcome', {
      poolId,
      outcome: outcome.kind,
      statusWritten: statusRowChanged(previous, next),
      conditions: conditionsSummary(next.conditions),
    });
  }
  return outcome;
}
