import { NodegroupStatus, UpdateStatus, UpdateType } from '../plan/eks-status';
import type { ObservedNodegroup } from '../plan/plan-types';
import { rollFailureHint } from '../plan/roll-failure-hints';
import { ConditionType, findCondition } from '../status/conditions';
import type { RollProgressRecord, StatusRow, UpdateRecord } from '../status/status-row';
import { formatDuration } from './duration-format';
import { zoneCounts } from './pool-views';
import { previousRollDurations, type RollProgress, rollProgress } from './roll-progress';
import { progressBar, StatusLine, type Styler, type TerminalStream } from './terminal';

/**
 * Follows a pool's node group update live: finds the update (in the status row, or in flight at
 * EKS when the reconciler has just started it, or after waiting for the reconciler to pick up a
 * newer spec generation), polls DescribeUpdate / DescribeNodegroup and the status row (whose
 * rollProgress the reconciler counts from the group's instances), draws progress, and ends with the outcome once the reconciler has recorded it. A config update that
 * precedes a roll is followed by the roll.
 */

export interface WatchPorts {
  statusRow(poolId: string): Promise<StatusRow | undefined>;
  /** Generation of the pool's stored spec; undefined when it has none. */
  storedGeneration(poolId: string): Promise<number | undefined>;
  describeUpdate(cluster: string, nodegroup: string, updateId: string): Promise<UpdateRecord | undefined>;
  findInProgressUpdate(cluster: string, nodegroup: string): Promise<UpdateRecord | undefined>;
  describeNodegroup(cluster: string, nodegroup: string): Promise<ObservedNodegroup | undefined>;
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
}

export interface WatchOptions {
  poolId: string;
  intervalMs: number;
  timeoutMs: number;
  /** How long to wait for the status row to record an update's end before saying so and stopping. */
  recordWaitMs: number;
}

export const WatchResult = {
  Succeeded: 'succeeded',
  Failed: 'failed',
  NothingToWatch: 'nothing-to-watch',
  TimedOut: 'timed-out',
  NotFound: 'not-found',
} as const;
export type WatchResult = (typeof WatchResult)[keyof typeof WatchResult];

interface Target {
  cluster: string;
  nodegroup: string;
}

function targetOf(row: StatusRow | undefined): Target | undefined {
  return row?.clusterName && row.nodegroupName
    ? { cluster: row.clusterName, nodegroup: row.nodegroupName }
    : undefined;
}

/** "nodes replaced 1/3 (eu-west-1a 1/1, eu-west-1b 0/2), 0.5/min"; the zones only when there are two or more. */
function nodesText(nodes: RollProgress['nodes']): string {
  if (!nodes) return 'nodes replaced: not counted yet';
  const zones = nodes.zones.length > 1 ? ` (${zoneCounts(nodes.zones)})` : '';
  const pace = nodes.nodesPerMinute !== undefined ? `, ${nodes.nodesPerMinute}/min` : '';
  return `nodes replaced ${nodes.replaced}/${nodes.total}${zones}${pace}`;
}

function updateLabel(update: UpdateRecord): string {
  if (update.type === UpdateType.VersionUpdate) {
    return `roll to launch template version ${update.launchTemplateVersion ?? '?'}`;
  }
  return update.type === UpdateType.ConfigUpdate ? 'node group config update' : update.type;
}

export class RollWatcher {
  private readonly line: StatusLine;
  private readonly followed = new Set<string>();

  constructor(
    private readonly ports: WatchPorts,
    private readonly options: WatchOptions,
    private readonly out: TerminalStream,
    private readonly style: Styler,
  ) {
    this.line = new StatusLine(out);
  }

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  private say(text: string): void {
    this.line.finish();
    this.out.write(`${text}\n`);
  }

  private stamp(): string {
    return this.tty ? '' : `${this.ports.now().toISOString()} `;
  }

  async run(): Promise<WatchResult> {
    const deadline = this.ports.now().getTime() + this.options.timeoutMs;
    let lastResult: WatchResult = WatchResult.NothingToWatch;
    for (;;) {
      const found = await this.findUpdate(deadline);
      if (found.kind === 'none') return this.followed.size > 0 ? lastResult : found.result;
      lastResult = await this.follow(found.target, found.update, found.row, deadline);
      if (lastResult !== WatchResult.Succeeded) return lastResult;
      const recorded = await this.waitForRecord(found.update.id, deadline);
      if (!recorded) return lastResult;
      const next = recorded.update;
      // The pass that recorded the end may have started the next update (a roll after a config change).
      if (!(next && next.status === UpdateStatus.InProgress && !this.followed.has(next.id))) {
        this.reportReady(recorded);
        return lastResult;
      }
    }
  }

  private async findUpdate(
    deadline: number,
  ): Promise<
    | { kind: 'update'; target: Target; update: UpdateRecord; row: StatusRow | undefined }
    | { kind: 'none'; result: WatchResult }
  > {
    let announcedWait = false;
    for (;;) {
      const [row, generation] = await Promise.all([
        this.ports.statusRow(this.options.poolId),
        this.ports.storedGeneration(this.options.poolId),
      ]);
      if (!row && generation === undefined) {
        this.say(
          `error: pool ${this.options.poolId} not found (no spec and no status); check the name with "enclave-pools get pools"`,
        );
        return { kind: 'none', result: WatchResult.NotFound };
      }
      const target = targetOf(row);
      const recorded =
        row?.update?.status === UpdateStatus.InProgress && !this.followed.has(row.update.id)
          ? row.update
          : undefined;
      const live =
        !recorded && target
          ? await this.ports.findInProgressUpdate(target.cluster, target.nodegroup)
          : undefined;
      const update = recorded ?? (live && !this.followed.has(live.id) ? live : undefined);
      if (target && update) return { kind: 'update', target, update, row };

      const pending =
        generation !== undefined && (row?.observedGeneration ?? Number.NEGATIVE_INFINITY) < generation;
      if (!pending) {
        if (this.followed.size === 0) this.reportIdle(row);
        return { kind: 'none', result: row?.failedRoll ? WatchResult.Failed : WatchResult.NothingToWatch };
      }
      if (this.ports.now().getTime() > deadline) {
        this.say(
          `error: the reconciler has not picked up generation ${generation} of pool ${this.options.poolId} in time; check the event path (queue, DLQ) and run watch again`,
        );
        return { kind: 'none', result: WatchResult.TimedOut };
      }
      if (!announcedWait) {
        this.say(
          `${this.stamp()}waiting for the reconciler to pick up generation ${generation} of pool ${this.options.poolId}...`,
        );
        announcedWait = true;
      }
      await this.ports.sleep(this.options.intervalMs);
    }
  }

  private reportIdle(row: StatusRow | undefined): void {
    const last = row?.update;
    const ready = row ? findCondition(row.conditions, ConditionType.Ready) : undefined;
    const lastText = last ? `; last update ${last.id} (${updateLabel(last)}) ${last.status}` : '';
    this.say(`no update in flight for pool ${this.options.poolId}${lastText}`);
    if (row?.failedRoll) {
      this.say(
        this.style.red(`the last roll failed: ${row.failedRoll.errorCode}: ${row.failedRoll.errorMessage}`),
      );
      this.say(`hint: ${row.failedRoll.hint}`);
    } else if (ready) {
      this.say(
        `Ready: ${ready.status}${ready.status === 'True' ? '' : ` (${ready.reason}: ${ready.message})`}`,
      );
    }
  }

  private async follow(
    target: Target,
    first: UpdateRecord,
    row: StatusRow | undefined,
    deadline: number,
  ): Promise<WatchResult> {
    this.followed.add(first.id);
    const durations = previousRollDurations(row?.history ?? []);
    const startedAt = first.createdAt ?? this.ports.now().toISOString();
    const what = updateLabel(first);
    this.say(
      `${this.stamp()}following ${what} of pool ${this.options.poolId} (update ${first.id}, node group ${target.nodegroup})`,
    );
    // The last count the reconciler made for this update: kept for the outcome line, since the
    // pass that records the end drops it from the row.
    let recorded: RollProgressRecord | undefined;
    let lastPlain = '';
    let lastPlainAt = 0;
    for (;;) {
      const [update, nodegroup, current] = await Promise.all([
        this.ports.describeUpdate(target.cluster, target.nodegroup, first.id),
        this.ports.describeNodegroup(target.cluster, target.nodegroup),
        this.ports.statusRow(this.options.poolId),
      ]);
      if (current?.rollProgress?.updateId === first.id) recorded = current.rollProgress;
      const status = update?.status ?? 'Unknown';
      const progress = rollProgress({
        startedAt,
        now: this.ports.now(),
        status,
        ...(recorded ? { recorded } : {}),
        previousRollDurations: first.type === UpdateType.VersionUpdate ? durations : [],
      });
      if (status !== UpdateStatus.InProgress) {
        this.line.finish();
        return this.outcome(update, first, progress, nodegroup);
      }
      const text = this.progressText(progress, nodegroup);
      if (this.tty) {
        this.line.update(text);
      } else {
        // Plain output: a line when something other than the clock changed, or once a minute.
        const key = this.progressText(
          { ...progress, elapsedMs: 0, ...(progress.remainingMs !== undefined ? { remainingMs: 0 } : {}) },
          nodegroup,
        );
        const nowMs = this.ports.now().getTime();
        if (key !== lastPlain || nowMs - lastPlainAt >= 60_000) {
          this.out.write(`${this.stamp()}${text}\n`);
          lastPlain = key;
          lastPlainAt = nowMs;
        }
      }
      if (this.ports.now().getTime() > deadline) {
        this.say(
          `error: update ${first.id} is still in progress after ${formatDuration(this.options.timeoutMs)}; it keeps running at EKS: run "enclave-pools watch ${this.options.poolId}" again, or raise --timeout`,
        );
        return WatchResult.TimedOut;
      }
      await this.ports.sleep(this.options.intervalMs);
    }
  }

  private progressText(progress: RollProgress, nodegroup: ObservedNodegroup | undefined): string {
    const parts: string[] = [];
    if (progress.fraction !== undefined)
      parts.push(this.tty ? progressBar(progress.fraction) : `${Math.round(progress.fraction * 100)}%`);
    parts.push(nodesText(progress.nodes));
    parts.push(`elapsed ${formatDuration(progress.elapsedMs)}`);
    if (progress.remainingMs !== undefined) {
      parts.push(
        `remaining ~${formatDuration(progress.remainingMs)} (${progress.basis === 'pace' ? 'from the pace so far' : 'from the last roll'})`,
      );
    } else {
      parts.push('remaining: no estimate yet');
    }
    parts.push(`node group ${nodegroup?.status ?? '?'}`);
    return `${this.style.yellow(progress.status)} ${parts.join('  ')}`;
  }

  private outcome(
    update: UpdateRecord | undefined,
    first: UpdateRecord,
    progress: RollProgress,
    nodegroup: ObservedNodegroup | undefined,
  ): WatchResult {
    const what = updateLabel(first);
    const elapsed = formatDuration(progress.elapsedMs);
    if (update?.status === UpdateStatus.Successful) {
      const nodes = progress.nodes
        ? `, ${progress.nodes.total} node${progress.nodes.total === 1 ? '' : 's'} replaced`
        : '';
      const version = nodegroup?.launchTemplate?.version;
      this.say(
        `${this.stamp()}${this.style.green('succeeded')}: ${what} of pool ${this.options.poolId} in ${elapsed}${nodes}${version !== undefined ? ` (node group ${nodegroup?.status ?? '?'} on launch template version ${version})` : ''}`,
      );
      return WatchResult.Succeeded;
    }
    const status = update?.status ?? 'gone';
    this.say(
      `${this.stamp()}${this.style.red(status)}: ${what} of pool ${this.options.poolId} after ${elapsed}`,
    );
    for (const error of update?.errors ?? []) {
      this.say(
        `  ${error.code}: ${error.message}${error.resourceIds?.length ? ` (${error.resourceIds.join(', ')})` : ''}`,
      );
      this.say(`  hint: ${rollFailureHint(error.code)}`);
    }
    return WatchResult.Failed;
  }

  /** The status row once a pass has recorded the update's end; undefined after the wait. */
  private async waitForRecord(updateId: string, deadline: number): Promise<StatusRow | undefined> {
    const until = Math.min(deadline, this.ports.now().getTime() + this.options.recordWaitMs);
    for (;;) {
      const row = await this.ports.statusRow(this.options.poolId);
      const recorded =
        row?.update?.id === updateId
          ? row.update.status !== UpdateStatus.InProgress
          : row?.update !== undefined;
      // A pass can read the node group an instant before EKS settles it and the update just after:
      // it records the end while the node group still says UPDATING, and requeues. Its Ready is
      // not the answer yet; the next pass's is.
      const settled = row?.nodegroup?.status !== NodegroupStatus.Updating;
      if (row && recorded && settled) return row;
      if (this.ports.now().getTime() >= until) {
        this.say(
          `the status table has not recorded the end of update ${updateId} yet; the reconciler records it at its next pass ("enclave-pools describe pool ${this.options.poolId}")`,
        );
        return undefined;
      }
      await this.ports.sleep(Math.min(this.options.intervalMs, 2000));
    }
  }

  private reportReady(row: StatusRow): void {
    const ready = findCondition(row.conditions, ConditionType.Ready);
    if (!ready) return;
    const text =
      ready.status === 'True'
        ? this.style.green('True')
        : `${ready.status} (${ready.reason}: ${ready.message})`;
    this.say(`pool ${this.options.poolId} Ready: ${text}`);
  }
}
