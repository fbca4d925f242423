import { UpdateStatus } from '../plan/eks-status';
import type { HistoryEntry, RollProgressRecord, RollZoneProgress } from '../status/status-row';

/**
 * How far a roll has come and how long it may still take, as `watch` shows it. EKS reports only
 * the update's status; the node counts, pace and ETA are the reconciler's, counted from the node
 * group's instances at its passes during the roll and kept in the status row (rollProgress). Before
 * the row has a count for this update, the estimate comes from how long this pool's last roll took.
 */

export interface RollProgressInput {
  /** ISO time the update was created. */
  startedAt: string;
  now: Date;
  status: string;
  /** The status row's count for this very update, when a pass has made one. */
  recorded?: RollProgressRecord;
  /** Durations (ms) of this pool's earlier successful rolls, newest last. */
  previousRollDurations: number[];
}

export const EstimateBasis = { Pace: 'pace', PreviousRoll: 'previous-roll', None: 'none' } as const;
export type EstimateBasis = (typeof EstimateBasis)[keyof typeof EstimateBasis];

export interface RollProgress {
  status: string;
  elapsedMs: number;
  /** Present once the reconciler has counted the instances during this roll. */
  nodes?: { replaced: number; total: number; zones: RollZoneProgress[]; nodesPerMinute?: number };
  /** 0–1, from nodes or the previous roll; undefined when nothing supports a number. */
  fraction?: number;
  remainingMs?: number;
  basis: EstimateBasis;
}

function nodeCounts(recorded: RollProgressRecord | undefined): RollProgress['nodes'] {
  if (!recorded || recorded.total === 0) return undefined;
  return {
    replaced: recorded.replaced,
    total: recorded.total,
    zones: recorded.zones,
    ...(recorded.nodesPerMinute !== undefined ? { nodesPerMinute: recorded.nodesPerMinute } : {}),
  };
}

export function rollProgress(input: RollProgressInput): RollProgress {
  const elapsedMs = Math.max(0, input.now.getTime() - Date.parse(input.startedAt));
  const nodes = nodeCounts(input.recorded);
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
  const eta = input.recorded?.etaAt;
  if (nodes && nodes.replaced > 0 && eta !== undefined) {
    // The reconciler's ETA, from the pace at its last count; past it, "any moment".
    return {
      status: input.status,
      elapsedMs,
      nodes,
      fraction: nodes.replaced / nodes.total,
      remainingMs: Math.max(0, Date.parse(eta) - input.now.getTime()),
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
