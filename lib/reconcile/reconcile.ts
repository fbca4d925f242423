import {
  ConcurrentUpdateError,
  EnclavePoolError,
  errorMessage,
  isRetryable,
  StatusRowInvalidError,
} from '../errors';
import { type Logger, poolLogger } from '../logger';
import type { Variables } from '../manifests/deployment-variables';
import { Outcome, type ReconcileOutcome } from '../outcome';
import { type ActionResult, applyActionResult, historyEventFor } from '../plan/action-result';
import { autoscalerTagsHash } from '../plan/autoscaler-tags';
import { plan } from '../plan/plan';
import type {
  Action,
  Desired,
  Observed,
  ObservedNodegroup,
  Plan,
  PlanPolicy,
  PlanRecord,
} from '../plan/plan-types';
import type { PoolSpec, StoredSpec, Violation } from '../pool-spec';
import { amiParameterFor } from '../render/ami-parameter-name';
import { canonicalHash } from '../render/canonical-json';
import { type RenderedLaunchTemplate, renderLaunchTemplateData } from '../render/launch-template-data';
import type { LiveFacts, LiveFactsCache } from '../rules/live-facts';
import type { LiveRuleInput } from '../rules/live-rules';
import { Rule, ruleSeverity } from '../rules/rules';
import { type ConditionInput, ConditionType, falseCondition, Reason } from '../status/conditions';
import { specSummaryOf } from '../status/spec-summary';
import { type HistoryEntry, type StatusRow, statusRowChanged } from '../status/status-row';
import { conditionsForViolations } from '../status/violation-conditions';
import { desiredPresent } from './desired-state';
import { type ExecutionContext, executeAction, untouchedSince } from './execute-action';
import { nextStatusRow, type PassReport } from './next-status-row';
import { launchTemplateDrift, observe, observeForDeletion } from './observe';
import type {
  AmiParametersPort,
  AutoScalingGroupsPort,
  InstancesPort,
  LaunchTemplatesPort,
  NodegroupsPort,
  NodeRolesPort,
  SpecSource,
  StatusTablePort,
} from './ports';
import { MAX_STEPS_PER_PASS } from './reconcile-settings';
import { foldIntoFresherRow, knownUpdateIds, type PassNews } from './status-race';

/** The spec rules (lib/manifests, lib/rules): offline validation of the document, and the rules that need AWS facts. */
export interface SpecChecks {
  /**
   * `spec` only when no offline rule failed; `liveInput` whenever the manifests could be read far
   * enough for the live rules, so one pass reports offline and live problems together.
   */
  validate(
    text: string,
    options: { variables: Variables; poolId: string; sizeBytes?: number },
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
  /**
   * The same for a spec that passed the offline rules, reusing the facts the status row keeps
   * while they are still valid (lib/aws/live-facts-reader.ts gatherCached). Without it every
   * pass reads them.
   */
  readCachedLiveFacts?(
    spec: PoolSpec,
    cached: LiveFactsCache | undefined,
  ): Promise<{ facts: LiveFacts; cache: LiveFactsCache }>;
  /** Deps for the passes of one queue batch: DescribeCluster is then read once per cluster. */
  forBatch?(): ReconcileDeps;
  launchTemplates: LaunchTemplatesPort;
  nodegroups: NodegroupsPort;
  autoScalingGroups: AutoScalingGroupsPort;
  instances: InstancesPort;
  amiParameters: AmiParametersPort;
  nodeRoles: NodeRolesPort;
  statusTable: StatusTablePort;
  variables: Variables;
  policy: PlanPolicy;
  clock: () => Date;
  /**
   * A new spec is acted on only once it has been unchanged this long since it was written
   * (SETTLE_SECONDS; 0 or unset: at once).
   */
  settleSeconds?: number;
}

type SpecInfo = NonNullable<PassReport['spec']>;

/** What the dispatcher knows about why a pass runs (none of it is needed for a correct pass). */
export interface PassContext {
  /**
   * The spec-store events for this pool in the batch (an S3 event names its object). The store
   * the status row names is read directly at the row's location unless one of its events names
   * another location (a renamed object: then it is listed); another store is read only when it has
   * an event here, when the row names no source, or when the spec is gone from where the row says.
   */
  specEvents?: ReadonlyArray<{ source: 's3' | 'dynamodb'; location?: string }>;
  /**
   * The hourly drift check (a resync message saying so): the launch template is read from EC2
   * and every spec store is read, whatever the status row says.
   */
  driftCheck?: boolean;
}

/**
 * What a pass has learned and done so far: the status row's input without the outcome, plus the
 * actions it executed. Phases return a new state; none is mutated, so a failure reports exactly
 * what the pass knew when it happened.
 */
interface PassState extends Omit<PassReport, 'poolId' | 'now' | 'outcome'> {
  /** Actions executed, by kind. */
  executed: Readonly<Record<string, number>>;
}

interface PassEnd {
  outcome: ReconcileOutcome;
  state: PassState;
  /** The spec is still settling: nothing was read but the spec, nothing is written. */
  deferred?: true;
}

const FRESH: PassState = { conditions: [], record: { events: [] }, actionEvents: [], executed: {} };

/** Actions that change what the pool is (not bookkeeping like pruning or tagging). */
const CONVERGING_ACTIONS = new Set<Action['kind']>([
  'CreateLaunchTemplate',
  'CreateLaunchTemplateVersion',
  'CreateNodegroup',
  'UpdateNodegroupVersion',
  'UpdateNodegroupConfig',
]);

/** An error with the condition it should be reported on, and the pass's state when it happened. */
class PhaseError extends Error {
  constructor(
    readonly conditionType: string,
    readonly reason: string,
    readonly error: unknown,
    readonly state: PassState,
  ) {
    super(errorMessage(error));
  }
}

async function inPhase<T>(
  conditionType: string,
  reason: string,
  state: PassState,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    throw new PhaseError(conditionType, reason, error, state);
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
  if (record.rollback === null) delete previous.rollback;
  else if (record.rollback) previous.rollback = record.rollback;
  if (observed.update) previous.update = observed.update;
  // What observe found (0094) and an ended update are news once: the first step recorded them.
  const { found: _found, endedUpdate: _ended, ...rest } = observed;
  return { ...rest, previous };
}

function countAction(executed: Readonly<Record<string, number>>, kind: string): Record<string, number> {
  return { ...executed, [kind]: (executed[kind] ?? 0) + 1 };
}

/** How a converge loop ended: the last plan decides, unless the step budget ran out. */
function convergeOutcome(current: Plan | undefined, desired: Desired, executed: Record<string, number>) {
  if (!current) return Outcome.done('nothing planned');
  if (current.actions.length > 0) {
    // The step budget ran out with work left: come back soon rather than loop here.
    return Outcome.requeue(desired.policy.requeueSeconds.busy, 'more steps remain');
  }
  if (current.terminal) return Outcome.terminal(current.terminal.reason, current.terminal.message);
  if (current.requeueAfterSeconds !== undefined) {
    return Outcome.requeue(current.requeueAfterSeconds, current.requeueReason ?? 'waiting');
  }
  const summary = Object.entries(executed)
    .map(([kind, n]) => `${kind}×${n}`)
    .join(', ');
  return Outcome.done(summary ? `applied ${summary}` : 'in sync');
}

/**
 * Since when an update unknown to the status row counts as one a lost pass started for this spec:
 * the spec's write time (no pass can have started an update for it earlier), else the row's last
 * write (the pass that lost its record had read that row). No row: no pass has run before.
 * Undefined too when the node group is untouched since then: no lookup could find one (0084).
 */
function unrecordedAfter(
  stored: StoredSpec,
  previous: StatusRow | undefined,
  nodegroup: ObservedNodegroup | undefined,
): string | undefined {
  if (!previous) return undefined;
  const after = stored.writtenAt ?? previous.updatedAt;
  return untouchedSince(nodegroup, after) ? undefined : after;
}

/**
 * Seconds the spec must still stay unchanged before a pass acts on it (0: act now). Only a write
 * the status row has not seen settles; the quiet period is measured from the spec's own write
 * time, so how fast or loaded the event path is does not matter: a burst of writes gives one
 * pass on its last spec. S3 reports LastModified to the second, so its write may have been up to
 * a second later: the period starts at the end of that second. A store that gives no write time
 * (an item written without `updatedAt`) is acted on at once.
 */
function settlingSeconds(
  stored: StoredSpec,
  previous: StatusRow | undefined,
  settleSeconds: number | undefined,
  now: Date,
): number {
  const settle = settleSeconds ?? 0;
  if (settle <= 0 || !stored.writtenAt) return 0;
  if (previous?.observedGeneration === stored.generation && previous.specLocation === stored.location)
    return 0;
  const precisionMs = stored.source === 's3' ? 1000 : 0;
  const quietMs = now.getTime() - (Date.parse(stored.writtenAt) + precisionMs);
  const leftMs = settle * 1000 - quietMs;
  // Never longer than the period itself: a writer's clock ahead of ours cannot hold a pool for long.
  return leftMs > 0 ? Math.min(settle, Math.ceil(leftMs / 1000)) : 0;
}

type LoadedSpec =
  | { kind: 'none' }
  | { kind: 'found'; spec: StoredSpec }
  | { kind: 'conflict'; message: string };

/** A validated spec with the live facts it was checked against. */
interface ValidSpec {
  spec: PoolSpec;
  facts: LiveFacts;
  liveFacts?: LiveFactsCache;
  specHash: string;
  violations: Violation[];
}

/**
 * One pass over one pool: load, validate, render, observe, then plan → execute → fold. Each
 * phase returns the pass's state; the report for the status row is assembled once, at the end.
 * Never throws.
 */
class Pass {
  constructor(
    private readonly poolId: string,
    private readonly previous: StatusRow | undefined,
    private readonly deps: ReconcileDeps,
    /** Every line it writes carries the pool id. */
    private readonly log: Logger,
    private readonly context: PassContext = {},
  ) {}

  /** The pass's one clock reading: the status row's times and plan()'s maintenance windows. */
  private now = new Date(0);

  async run(): Promise<{ report: PassReport; wroteToAws: boolean; deferred: boolean }> {
    const now = this.deps.clock();
    this.now = now;
    let end: PassEnd;
    try {
      end = await this.reconcile();
    } catch (error: unknown) {
      end = this.failed(error);
    }
    const { executed, ...findings } = end.state;
    return {
      report: { poolId: this.poolId, now, ...findings, outcome: end.outcome },
      wroteToAws: Object.keys(executed).length > 0,
      deferred: end.deferred === true,
    };
  }

  private failed(error: unknown): PassEnd {
    const phase = error instanceof PhaseError ? error : undefined;
    const state = phase?.state ?? FRESH;
    const cause = phase ? phase.error : error;
    const message = errorMessage(cause);
    if (isRetryable(cause)) {
      this.log[cause instanceof EnclavePoolError ? 'warn' : 'error']('reconcile.transient-error', {
        error: message,
        ...(cause instanceof EnclavePoolError ? { context: cause.context } : {}),
      });
      // Keep the previous conditions: a throttled call says nothing new about the pool.
      return { outcome: Outcome.transient(message), state: { ...state, conditions: [] } };
    }
    const type = phase?.conditionType ?? ConditionType.EKSNodegroupReady;
    const reason = phase?.reason ?? Reason.NodegroupReconcileFailed;
    this.log.error('reconcile.terminal-error', { error: message });
    const conditions = [
      ...state.conditions.filter((c) => c.type !== type),
      falseCondition(type, reason, message),
    ];
    return { outcome: Outcome.terminal(reason, message), state: { ...state, conditions } };
  }

  private async reconcile(): Promise<PassEnd> {
    const loaded = await inPhase(ConditionType.SpecValid, Reason.SpecUnreadable, FRESH, () =>
      this.loadSpec(),
    );
    switch (loaded.kind) {
      case 'none':
        return this.reconcileDeletion();
      case 'found': {
        const settling = settlingSeconds(loaded.spec, this.previous, this.deps.settleSeconds, this.now);
        if (settling > 0) {
          const { writtenAt, location } = loaded.spec;
          return {
            outcome: {
              ...Outcome.requeue(settling, Reason.SpecSettling),
              ...(writtenAt ? { settlingWrittenAt: writtenAt, settlingLocation: location } : {}),
            },
            state: FRESH,
            deferred: true,
          };
        }
        return this.reconcileSpec(loaded.spec);
      }
      case 'conflict':
        return {
          outcome: Outcome.terminal(Reason.SpecConflict, loaded.message),
          state: {
            ...FRESH,
            conditions: [falseCondition(ConditionType.SpecValid, Reason.SpecConflict, loaded.message)],
          },
        };
    }
  }

  /**
   * The row's store at the row's location, plus any store with an event of its own; every store
   * (listing S3) when the row names none, on the drift check, or when the spec is gone from there.
   */
  private async loadSpec(): Promise<LoadedSpec> {
    const row = this.previous;
    const rowStore =
      !this.context.driftCheck && row && !row.deleted && row.specLocation
        ? this.deps.specStores.find((store) => store.source === row.specSource && store.loadAt)
        : undefined;
    const location = row?.specLocation;
    if (rowStore?.loadAt && location) {
      const events = this.context.specEvents ?? [];
      const moved = events.some(
        (event) =>
          event.source === rowStore.source && event.location !== undefined && event.location !== location,
      );
      const others = this.deps.specStores.filter(
        (store) => store !== rowStore && events.some((event) => event.source === store.source),
      );
      const [atRow, ...elsewhere] = await Promise.all([
        moved ? rowStore.load(this.poolId) : rowStore.loadAt(this.poolId, location),
        ...others.map((store) => store.load(this.poolId)),
      ]);
      if (atRow) return this.oneSpec([atRow, ...elsewhere]);
    }
    return this.oneSpec(await Promise.all(this.deps.specStores.map((store) => store.load(this.poolId))));
  }

  private oneSpec(loaded: Array<StoredSpec | undefined>): LoadedSpec {
    const found = loaded.filter((s): s is StoredSpec => s !== undefined);
    const [only] = found;
    if (found.length === 0 || !only) return { kind: 'none' };
    if (found.length === 1) return { kind: 'found', spec: only };
    const where = found.map((s) => s.location).join(' and ');
    return {
      kind: 'conflict',
      message: `pool ${this.poolId} is defined in more than one store (${where}); delete it from all but one`,
    };
  }

  private invalid(violations: Violation[], state: PassState): PassEnd {
    const conditions = conditionsForViolations(violations, (rule) =>
      this.deps.specChecks.conditionTypeForRule?.(rule),
    );
    const errors = violations.filter((v) => v.severity === 'Error');
    const first = errors[0];
    const outcome = Outcome.terminal(
      errors.length === 1 && first ? first.rule : Reason.SpecInvalid,
      errors.map((v) => `${v.path}: ${v.message}`).join('; '),
    );
    return { outcome, state: { ...state, conditions } };
  }

  /** Offline rules, then the live ones; one pass reports every problem it can see. */
  private async validate(stored: StoredSpec, state: PassState): Promise<ValidSpec | PassEnd> {
    const { spec, liveInput, violations } = this.deps.specChecks.validate(stored.text, {
      variables: this.deps.variables,
      poolId: this.poolId,
      ...(stored.sizeBytes !== undefined ? { sizeBytes: stored.sizeBytes } : {}),
    });
    if (!spec || violations.some((v) => v.severity === 'Error')) {
      // Report the live problems too (reads only), so one edit can fix everything.
      if (!liveInput) return this.invalid(violations, state);
      const facts = await inPhase(ConditionType.SpecValid, Reason.LiveFactsUnavailable, state, () =>
        this.deps.readLiveFacts(liveInput),
      );
      return this.invalid([...violations, ...this.deps.specChecks.checkLive(liveInput, facts)], state);
    }
    const { facts, cache } = await inPhase(
      ConditionType.SpecValid,
      Reason.LiveFactsUnavailable,
      state,
      async (): Promise<{ facts: LiveFacts; cache?: LiveFactsCache }> =>
        this.deps.readCachedLiveFacts
          ? this.deps.readCachedLiveFacts(spec, this.previous?.liveFacts)
          : { facts: await this.deps.readLiveFacts(spec) },
    );
    const allViolations = [...violations, ...this.deps.specChecks.checkLive(spec, facts)];
    if (allViolations.some((v) => v.severity === 'Error')) return this.invalid(allViolations, state);
    return {
      spec,
      facts,
      ...(cache ? { liveFacts: cache } : {}),
      specHash: canonicalHash(spec),
      violations: allViolations,
    };
  }

  private async reconcileSpec(stored: StoredSpec): Promise<PassEnd> {
    const storedInfo: SpecInfo = {
      source: stored.source,
      location: stored.location,
      generation: stored.generation,
      ...(stored.writtenAt ? { writtenAt: stored.writtenAt } : {}),
      ...(this.previous?.clusterName ? { clusterName: this.previous.clusterName } : {}),
      ...(this.previous?.nodegroupName ? { nodegroupName: this.previous.nodegroupName } : {}),
    };
    const valid = await this.validate(stored, { ...FRESH, spec: storedInfo });
    if ('outcome' in valid) return valid;
    const { spec, facts, specHash, violations, liveFacts } = valid;
    const specInfo: SpecInfo = {
      ...storedInfo,
      clusterName: spec.clusterName,
      nodegroupName: spec.nodegroupName,
      specHash,
      summary: specSummaryOf(spec),
    };
    let state: PassState = { ...FRESH, spec: specInfo, ...(liveFacts ? { liveFacts } : {}) };

    const built = await this.launchTemplateData(spec, facts, specHash, violations, state);
    if ('outcome' in built) return built;
    const { template } = built;
    state = built.state;

    const desired = desiredPresent({
      spec,
      generation: stored.generation,
      specHash,
      statusRevision: this.previous?.revision ?? 0,
      rendered: template,
      facts,
      policy: this.deps.policy,
      specWarnings: violations.filter((v) => v.severity === 'Warning').map((v) => `${v.path}: ${v.message}`),
    });
    const target = {
      clusterName: spec.clusterName,
      launchTemplateName: template.name,
      nodegroupName: spec.nodegroupName,
      nodeRoleName: spec.nodeRoleName,
      dataHash: template.dataHash,
      driftCheck: this.context.driftCheck === true,
      // Drift policy report lists instances without enclaves (decision 0103): the drift check reads them.
      ...(this.context.driftCheck === true && desired.policies.drift === 'report'
        ? { instancesDriftCheck: true }
        : {}),
      ...(desired.autoscalerTags &&
      this.previous?.autoscalerTags?.hash !== autoscalerTagsHash(desired.autoscalerTags)
        ? { autoscalerTagsStale: true }
        : {}),
    };
    const observed = await inPhase(
      ConditionType.EKSNodegroupReady,
      Reason.NodegroupReconcileFailed,
      state,
      async () => ({ ...(await observe(target, this.previous, this.deps)), now: this.now.toISOString() }),
    );
    const drift = this.context.driftCheck
      ? launchTemplateDrift(this.previous, observed.launchTemplate)
      : undefined;
    if (drift) {
      this.log.warn('reconcile.launch-template-drift', { drift });
      state = { ...state, actionEvents: [{ event: 'LaunchTemplateDriftDetected', message: drift }] };
    }
    const after = unrecordedAfter(stored, this.previous, observed.nodegroup);
    const context: ExecutionContext = {
      specHash,
      generation: stored.generation,
      knownUpdateIds: knownUpdateIds(this.previous),
      ...(after ? { unrecordedAfter: after } : {}),
    };
    return this.converge(desired, observed, context, state);
  }

  /**
   * The launch template data the spec asks for: the image (as written, or looked up), its root
   * device when the spec sizes the root volume, and the rendered data. An image the lookup cannot
   * find or data over the user-data budget ends the pass as invalid.
   */
  private async launchTemplateData(
    spec: PoolSpec,
    facts: LiveFacts,
    specHash: string,
    violations: Violation[],
    before: PassState,
  ): Promise<PassEnd | { template: RenderedLaunchTemplate; state: PassState }> {
    let state = before;
    const image = await inPhase(
      ConditionType.LaunchTemplateReady,
      Reason.LaunchTemplateReconcileFailed,
      state,
      () => this.resolveImage(spec, facts, specHash),
    );
    if ('violation' in image) return this.invalid([...violations, image.violation], state);
    if (image.resolved) state = { ...state, resolvedImage: image.resolved };
    const rootDeviceName = spec.launchTemplate.rootVolume
      ? await inPhase(ConditionType.LaunchTemplateReady, Reason.LaunchTemplateReconcileFailed, state, () =>
          this.rootDeviceName(image.imageId),
        )
      : undefined;
    if (rootDeviceName)
      state = { ...state, rootDevice: { imageId: image.imageId, deviceName: rootDeviceName } };
    const rendered = renderLaunchTemplateData(spec, facts.cluster, image.imageId, {
      ...(rootDeviceName ? { rootDeviceName } : {}),
      ...(this.deps.policy.deploymentId ? { deploymentId: this.deps.policy.deploymentId } : {}),
    });
    if (!rendered.ok) return this.invalid([...violations, ...rendered.violations], state);
    const template = rendered.rendered;
    state = {
      ...state,
      launchTemplateName: template.name,
      desiredDataHash: template.dataHash,
      desiredImageId: image.imageId,
    };
    return { template, state };
  }

  /** An image's root device never changes: DescribeImages once per image, kept in the status row. */
  private async rootDeviceName(imageId: string): Promise<string | undefined> {
    const known = this.previous?.rootDevice;
    if (known && known.imageId === imageId) return known.deviceName;
    return this.deps.amiParameters.rootDeviceName(imageId);
  }

  /**
   * `ami.id` as written; otherwise the EKS-optimized image from SSM, looked up again only when
   * the spec changed since the last lookup (see StatusRow.resolvedImage).
   */
  private async resolveImage(
    spec: PoolSpec,
    facts: LiveFacts,
    specHash: string,
  ): Promise<{ imageId: string; resolved?: StatusRow['resolvedImage'] } | { violation: Violation }> {
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
      return { imageId: pinned.imageId, resolved: pinned };
    }
    const imageId = await this.deps.amiParameters.imageId(parameter.parameterName);
    if (!imageId) {
      return {
        violation: {
          path: 'AWSManagedMachinePool: spec.awsLaunchTemplate.ami.eksLookupType',
          value: parameter.parameterName,
          rule: Rule.AmiNotFound,
          severity: ruleSeverity(Rule.AmiNotFound),
          message: `SSM parameter ${parameter.parameterName} does not exist in this region (no EKS-optimized AL2023 image for that Kubernetes version and architecture); change the version or set awsLaunchTemplate.ami.id`,
        },
      };
    }
    return { imageId, resolved: { imageId, parameterName: parameter.parameterName, specHash } };
  }

  private async reconcileDeletion(): Promise<PassEnd> {
    const found = await inPhase(ConditionType.EKSNodegroupReady, Reason.NodegroupReconcileFailed, FRESH, () =>
      observeForDeletion(this.poolId, this.previous, this.deps, this.deps.policy.deploymentId),
    );
    if (!this.previous && !found.observed.launchTemplate && !found.observed.nodegroup) {
      return { outcome: Outcome.done(`pool ${this.poolId} has no spec and no resources`), state: FRESH };
    }
    const desired: Desired = {
      kind: 'absent',
      poolId: this.poolId,
      ...(found.clusterName ? { clusterName: found.clusterName } : {}),
      ...(found.nodegroupName ? { nodegroupName: found.nodegroupName } : {}),
      policy: this.deps.policy,
    };
    const context = {
      specHash: this.previous?.specHash ?? '',
      generation: this.previous?.observedGeneration ?? 0,
    };
    return this.converge(desired, found.observed, context, FRESH);
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

  private driftEvent(action: Action): Omit<HistoryEntry, 'at'> {
    this.log.warn('reconcile.drift', { action: action.kind });
    return {
      event: 'DriftDetected',
      message:
        `the spec is unchanged since the last converged pass, but AWS no longer matches it ` +
        `(changed outside enclave-pools); converging back with ${action.kind}`,
    };
  }

  /** Executes one action and folds its result into the state. */
  private async execute(
    action: Action,
    context: ExecutionContext,
    state: PassState,
    observed: Observed,
  ): Promise<{ state: PassState; observed: Observed }> {
    let result: ActionResult;
    try {
      result = await executeAction(action, this.deps, context);
    } catch (error: unknown) {
      const { type, reason } = conditionForAction(action);
      throw new PhaseError(type, reason, error, state);
    }
    this.log.info('reconcile.action', { action: action.kind, result: result.kind });
    const event = historyEventFor(result);
    const next = applyActionResult(observed, result);
    return {
      observed: next,
      state: {
        ...state,
        executed: countAction(state.executed, action.kind),
        actionEvents: event ? [...state.actionEvents, event] : state.actionEvents,
        observed: next,
      },
    };
  }

  /** plan → execute → fold, until a plan has nothing left to do. */
  private async converge(
    desired: Desired,
    initial: Observed,
    context: ExecutionContext,
    initialState: PassState,
  ): Promise<PassEnd> {
    let state = initialState;
    let observed = initial;
    let current: Plan | undefined;
    let driftReported = false;
    const reportsDrift = desired.kind === 'present' && this.convergedOn(context);
    try {
      for (let step = 0; step < MAX_STEPS_PER_PASS; step++) {
        current = plan(desired, observed);
        observed = carryRecord(observed, current.record);
        const record = mergeRecord(state.record, current.record);
        state = { ...state, conditions: current.conditions, record, observed };
        if (current.actions.length === 0) break;
        for (const action of current.actions) {
          if (reportsDrift && !driftReported && CONVERGING_ACTIONS.has(action.kind)) {
            driftReported = true;
            state = { ...state, actionEvents: [...state.actionEvents, this.driftEvent(action)] };
          }
          ({ state, observed } = await this.execute(action, context, state, observed));
        }
      }
    } catch (error: unknown) {
      // Whatever went wrong, the writes already made must reach the status row.
      if (error instanceof PhaseError) throw error;
      throw new PhaseError(ConditionType.EKSNodegroupReady, Reason.NodegroupReconcileFailed, error, state);
    }
    return { outcome: convergeOutcome(current, desired, { ...state.executed }), state };
  }
}

function conditionsSummary(conditions: readonly ConditionInput[]): Record<string, string> {
  return Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
}

const FOLD_ATTEMPTS = 3;

/**
 * Another writer changed the status row first. What this pass did to AWS (its history lines, the
 * update it started) is folded into the fresher row and written on that row's revision, a few
 * times if the row keeps moving; the rest of the row is the other writer's, and the requeue that
 * follows recomputes it. Never throws: the requeue is the safety net.
 */
async function keepNewsOnFresherRow(
  poolId: string,
  table: StatusTablePort,
  news: PassNews,
  log: Logger,
): Promise<void> {
  try {
    for (let attempt = 1; attempt <= FOLD_ATTEMPTS; attempt++) {
      const fresher = await table.get(poolId);
      const folded = fresher ? foldIntoFresherRow(fresher, news) : undefined;
      if (!fresher || !folded) return;
      try {
        await table.put(folded, fresher.revision);
        return;
      } catch (error: unknown) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
      }
    }
    log.warn('reconcile.status-fold-gave-up', { attempts: FOLD_ATTEMPTS });
  } catch (error: unknown) {
    log.warn('reconcile.status-fold-failed', { error: errorMessage(error) });
  }
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
export async function reconcile(
  poolId: string,
  deps: ReconcileDeps,
  context: PassContext = {},
): Promise<ReconcileOutcome> {
  const log = poolLogger(poolId);
  let previous: StatusRow | undefined;
  try {
    previous = await deps.statusTable.get(poolId);
  } catch (error: unknown) {
    log.warn('reconcile.status-read-failed', { error: errorMessage(error) });
    // Named, so whoever reads the outcome (the queue's log, `plan`) knows which table it was.
    const table = error instanceof EnclavePoolError ? error.context.resourceId : undefined;
    const message =
      table && !(error instanceof StatusRowInvalidError)
        ? `status table ${table}: ${errorMessage(error)}`
        : errorMessage(error);
    return isRetryable(error)
      ? Outcome.transient(message)
      : Outcome.terminal('StatusTableUnreadable', message);
  }
  const { report, wroteToAws, deferred } = await new Pass(poolId, previous, deps, log, context).run();
  const outcome = report.outcome;
  const nothingKnown = !previous && outcome.kind === 'done' && !report.spec && !report.observed;
  // A transient failure keeps the previous row, unless this pass already changed AWS; a pass that
  // waits for the spec to settle has learned nothing about the pool.
  const skipWrite = nothingKnown || deferred || (outcome.kind === 'transient' && !wroteToAws);
  if (!skipWrite) {
    const next = nextStatusRow(previous, report);
    if (statusRowChanged(previous, next)) {
      try {
        await deps.statusTable.put(next, previous?.revision ?? 0);
      } catch (error: unknown) {
        if (error instanceof ConcurrentUpdateError) {
          log.warn('reconcile.status-conflict', { error: error.message });
          await keepNewsOnFresherRow(
            poolId,
            deps.statusTable,
            {
              actionEvents: report.actionEvents.map((e) => ({ at: report.now.toISOString(), ...e })),
              ...(report.observed?.update ? { update: report.observed.update } : {}),
              ...(previous?.update ? { readUpdateId: previous.update.id } : {}),
            },
            log,
          );
          return Outcome.requeue(deps.policy.requeueSeconds.busy, 'status row changed concurrently');
        }
        log.warn('reconcile.status-write-failed', { error: errorMessage(error) });
        return Outcome.transient(errorMessage(error));
      }
    }
    log.info('reconcile.outcome', {
      outcome: outcome.kind,
      statusWritten: statusRowChanged(previous, next),
      conditions: conditionsSummary(next.conditions),
    });
    // The row now holds this: the dispatch copies it onto the lease (the stale check's one read).
    if (next.specWrittenAt) return { ...outcome, recordedSpecWrittenAt: next.specWrittenAt };
  }
  return outcome;
}
