import type { HistoryEntry, StatusRow } from '../status/status-row';
import { appendHistory } from '../status/status-row';

/**
 * What a pass must not lose when another writer changed the status row before it: its history
 * lines and the update it started or found. Everything else on the fresher row stays (it was
 * written later, from a newer view); the pass requeues, and its follow-up recomputes the rest.
 */

/** The update ids a status row knows: the recorded update, recorded failures, history lines. */
export function knownUpdateIds(row: StatusRow | undefined): string[] {
  if (!row) return [];
  const ids = new Set<string>();
  if (row.update) ids.add(row.update.id);
  if (row.failedRoll) ids.add(row.failedRoll.updateId);
  if (row.failedConfigUpdate) ids.add(row.failedConfigUpdate.updateId);
  for (const entry of row.history) if (entry.updateId) ids.add(entry.updateId);
  return [...ids];
}

function sameEntry(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.event === b.event && a.message === b.message && a.updateId === b.updateId;
}

/** What a pass did to AWS, for a status row another writer changed first. */
export interface PassNews {
  /** History lines of the actions it executed (outcomes it merely observed are seen again by its follow-up). */
  actionEvents: HistoryEntry[];
  /** The update it started or found, when the row it read did not record that one. */
  update?: StatusRow['update'];
  /** The update id the row it read recorded. */
  readUpdateId?: string;
}

/**
 * The fresher row with this pass's news folded in: action lines the fresher row lacks (a
 * concurrent pass that got the same update back from the same token wrote the same line), and
 * the update this pass started when the fresher row still records the one this pass read, or
 * none. Undefined when there is nothing to add. Pure.
 */
export function foldIntoFresherRow(fresher: StatusRow, news: PassNews): StatusRow | undefined {
  const lines = news.actionEvents.filter((entry) => !fresher.history.some((f) => sameEntry(f, entry)));
  const update =
    news.update &&
    news.update.id !== news.readUpdateId &&
    (!fresher.update || fresher.update.id === news.readUpdateId)
      ? news.update
      : undefined;
  if (lines.length === 0 && !update) return undefined;
  return {
    ...fresher,
    ...(update ? { update } : {}),
    history: appendHistory(fresher.history, lines),
  };
}
