import type { NodegroupInstance } from '../aws/nodegroup-instances';
import { UpdateStatus } from '../plan/eks-status';
import type { HistoryEntry } from '../status/status-row';

/**
 * How far a roll has come and how long it may still take. EKS reports only the update's status,
 * so the node count comes from the node group's EC2 instances when they can be read (launched
 * before the update = old, still to be replaced); the estimate comes from the pace so far, or,
 * before the first node is replaced, from how long this pool's last roll took.
 */

export interface RollProgressInput {
  /** ISO time the update was created. */
  startedAt: string;
  now: Date;
  status: string;
  /** Nodes the group had when the roll started (its desired size). */
  totalNodes?: number;
  /** The node group's instances, when they could be listed; undefined when not. */
  instances?: NodegroupInstance[];
  /** Durations (ms) of this pool's earlier successful rolls, newest last. */
  previousRollDurations: number[];
}

export const EstimateBasis = { Pace: 'pace', PreviousRoll: 'previous-roll', None: 'none' } as const;
export type EstimateBasis = (typeof EstimateBasis)[keyof typeof EstimateBasis];

export interface RollProgress {
  status: string;
  elapsedMs: number;
  /** Present when instances could be read and the old ones counted. */
  nodes?: { replaced: number; total: number; launched: number };
  /** 0–1, from nodes or the previous roll; undefined when nothing supports a number. */
  fraction?: number;
  remainingMs?: number;
  basis: EstimateBasis;
}

const LIVE_STATES = new Set(['pending', 'running', 'stopping', 'stopped']);

function nodeCounts(input: RollProgressInput): RollProgress['nodes'] {
  const instances = input.instances;
  if (!instances || instances.length === 0) return undefined;
  const started = Date.parse(input.startedAt);
  const live = instances.filter((i) => LIVE_STATES.has(i.state));
  const old = live.filter((i) => Date.parse(i.launchTime) < started).length;
  const launched = instances.filter((i) => Date.parse(i.launchTime) >= started).length;
  const total = Math.max(input.totalNodes ?? 0, old);
  if (total === 0) return undefined;
  return { replaced: Math.max(0, total - old), total, launched };
}

export function rollProgress(input: RollProgressInput): RollProgress {
  const elapsedMs = Math.max(0, input.now.getTime() - Date.parse(input.startedAt));
  const nodes = nodeCounts(input);
  const done = input.status !== UpdateStatus.InProgress;
  if (done) {
    return {
      status: input.status,
      elapsedMs,
      ...(nodes ? { nodes } : {}),
      ...(input.status === UpdateStatus.Successful ? { fraction: 1, remainingMs: 0 } : {}),
      basis: EstimateBasis.None,
    };
  }
  if (nodes && nodes.replaced > 0) {
    const pace = elapsedMs / nodes.replaced;
    return {
      status: input.status,
      elapsedMs,
      nodes,
      fraction: nodes.replaced / nodes.total,
      remainingMs: Math.round(pace * (nodes.total - nodes.replaced)),
      basis: EstimateBasis.Pace,
    };
  }
  const previous = input.previousRollDurations[input.previousRollDurations.length - 1];
  if (previous !== undefined && previous > 0) {
    // Past the last roll's duration the estimate says "any moment", never a negative time.
    return {
      status: input.status,
      elapsedMs,
      ...(nodes ? { nodes } : {}),
      fraction: Math.min(0.99, elapsedMs / previous),
      remainingMs: Math.max(0, previous - elapsedMs),
      basis: EstimateBasis.PreviousRoll,
    };
  }
  return { status: input.status, elapsedMs, ...(nodes ? { nodes } : {}), basis: EstimateBasis.None };
}

/** Durations of completed rolls from a pool's history: RollStarted → RollSucceeded of one update. */
export function previousRollDurations(history: readonly HistoryEntry[]): number[] {
  const started = new Map<string, number>();
  const durations: number[] = [];
  for (const entry of history) {
    if (!entry.updateId) continue;
    if (entry.event === 'RollStarted') started.set(entry.updateId, Date.parse(entry.at));
    if (entry.event === 'RollSucceeded') {
      const start = started.get(entry.updateId);
      if (start !== undefined) durations.push(Date.parse(entry.at) - start);
    }
  }
  return durations.filter((d) => Number.isFinite(d) && d > 0);
}
