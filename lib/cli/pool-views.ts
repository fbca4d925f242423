import { NodegroupStatus, UpdateStatus } from '../plan/eks-status';
import type { PoolSpec, StoredSpecRef, Violation } from '../pool-spec';
import { type Condition, ConditionStatus, ConditionType, findCondition, Reason } from '../status/conditions';
import { specSummaryOf } from '../status/spec-summary';
import type { RollProgressRecord, RollZoneProgress, SpecSummary, StatusRow } from '../status/status-row';
import { formatAge, formatDuration } from './duration-format';
import { formatTable } from './table-format';
import type { Styler } from './terminal';

/**
 * What `get pools` and `describe pool` show, built from the two places a pool lives: its spec in
 * a store (what the user asked for) and its status row (what the reconciler last saw and did).
 * Either may be missing: a spec not reconciled yet, or a pool whose spec was deleted.
 */

export interface PoolSources {
  poolId: string;
  row?: StatusRow;
  stored?: StoredSpecRef;
  /** The spec as validated offline, when it is valid. */
  spec?: PoolSpec;
  /** Instead of `spec`: the row's summary of this very spec (same location and generation). */
  summary?: SpecSummary;
  violations?: Violation[];
  /** The stored spec could not be read (why); the pool is listed with this instead of its spec. */
  unreadable?: string;
  /** The status table's item is not a status row (why); the pool is listed with this instead of its row. */
  rowUnreadable?: string;
}

export type EnclaveSummary = SpecSummary['enclaves'];

export interface PoolSummary {
  name: string;
  cluster?: string;
  nodegroup?: string;
  instanceType?: string;
  enclaves?: EnclaveSummary;
  pinnedVersion?: number;
  nodegroupStatus?: string;
  ready: ConditionStatus;
  readyReason: string;
  /** ISO time of the oldest thing known about the pool (its first recorded event). */
  since?: string;
  spec?: { source: string; location: string; generation: number };
  deleted: boolean;
  conditions: Condition[];
  /** The roll in flight, as the reconciler last counted it (status row rollProgress). */
  rollProgress?: RollProgressRecord;
}

function readyOf(sources: PoolSources): { status: ConditionStatus; reason: string; message: string } {
  const row = sources.row;
  if (sources.rowUnreadable)
    return { status: ConditionStatus.False, reason: 'StatusRowUnreadable', message: sources.rowUnreadable };
  if (sources.unreadable)
    return { status: ConditionStatus.False, reason: Reason.SpecUnreadable, message: sources.unreadable };
  if (row?.deleted && !sources.stored)
    return { status: ConditionStatus.False, reason: 'Deleted', message: 'the pool was deleted' };
  if (!row) {
    return {
      status: ConditionStatus.Unknown,
      reason: 'NotReconciled',
      message: 'the spec is stored but no reconcile has written a status yet',
    };
  }
  if (!sources.stored) {
    return {
      status: ConditionStatus.False,
      reason: 'Deleting',
      message: 'the spec was deleted; its resources are being removed',
    };
  }
  const ready = findCondition(row.conditions, ConditionType.Ready);
  if (!ready)
    return {
      status: ConditionStatus.Unknown,
      reason: 'NoReadyCondition',
      message: 'no Ready condition recorded yet',
    };
  if (
    ready.status === ConditionStatus.True &&
    row.observedGeneration !== undefined &&
    sources.stored.generation > row.observedGeneration
  ) {
    return {
      status: ConditionStatus.Unknown,
      reason: 'NewGenerationPending',
      message: `generation ${sources.stored.generation} is stored; the status is from generation ${row.observedGeneration}`,
    };
  }
  return { status: ready.status, reason: ready.reason, message: ready.message };
}

export function summarizePool(sources: PoolSources): PoolSummary {
  const { row, stored, spec } = sources;
  const ready = readyOf(sources);
  const summary = spec ? specSummaryOf(spec) : sources.summary;
  // Rows written before createdAt existed fall back to their oldest remembered event.
  const since = row?.createdAt ?? row?.history[0]?.at;
  return {
    name: sources.poolId,
    ...((spec?.clusterName ?? row?.clusterName) ? { cluster: spec?.clusterName ?? row?.clusterName } : {}),
    ...((spec?.nodegroupName ?? row?.nodegroupName)
      ? { nodegroup: spec?.nodegroupName ?? row?.nodegroupName }
      : {}),
    ...(summary ? { instanceType: summary.instanceType, enclaves: summary.enclaves } : {}),
    ...(row?.launchTemplate?.pinnedVersion !== undefined
      ? { pinnedVersion: row.launchTemplate.pinnedVersion }
      : {}),
    ...(row?.nodegroup?.status ? { nodegroupStatus: row.nodegroup.status } : {}),
    ready: ready.status,
    readyReason: ready.reason,
    ...(since ? { since } : {}),
    ...(stored
      ? { spec: { source: stored.source, location: stored.location, generation: stored.generation } }
      : {}),
    deleted: row?.deleted === true && !stored,
    conditions: row?.conditions ?? [],
    ...(row?.rollProgress ? { rollProgress: row.rollProgress } : {}),
  };
}

function enclavesCell(enclaves: EnclaveSummary | undefined): string {
  if (!enclaves) return '-';
  if (!enclaves.enabled) return 'off';
  const cpus =
    enclaves.cpuCount !== undefined
      ? `${enclaves.cpuCount} CPU`
      : enclaves.cpuPool
        ? `CPUs ${enclaves.cpuPool}`
        : undefined;
  const memory = enclaves.memoryMib !== undefined ? `${enclaves.memoryMib} MiB` : undefined;
  return cpus && memory ? `${cpus}, ${memory}` : 'on';
}

/** "eu-west-1a 1/1, eu-west-1b 0/2": each zone's nodes replaced out of its live nodes. */
export function zoneCounts(zones: readonly RollZoneProgress[]): string {
  return zones.map((z) => `${z.zone} ${z.replaced}/${z.total}`).join(', ');
}

/** The ETA as time left from `now` ("~2m"), "any moment" once past it; undefined before the first node. */
function etaText(progress: RollProgressRecord, now: Date): string | undefined {
  if (progress.etaAt === undefined) return undefined;
  const left = Date.parse(progress.etaAt) - now.getTime();
  return left > 0 ? `~${formatDuration(left)}` : 'any moment';
}

/** The ROLL cell of `get pools`: "1/3 ~2m" while a roll runs, "-" otherwise. */
function rollCell(progress: RollProgressRecord | undefined, now: Date): string {
  if (!progress) return '-';
  const eta = etaText(progress, now);
  return `${progress.replaced}/${progress.total}${eta ? ` ${eta}` : ''}`;
}

/** describe's "Roll progress" line. */
function rollProgressText(progress: RollProgressRecord, now: Date): string {
  const zones = progress.zones.length > 0 ? ` (${zoneCounts(progress.zones)})` : '';
  const pace =
    progress.nodesPerMinute !== undefined
      ? `, ${progress.nodesPerMinute} nodes/min since the roll started`
      : ', no node replaced yet';
  const eta = etaText(progress, now);
  const etaPart = eta && progress.etaAt ? `, ETA ${eta} (${progress.etaAt})` : '';
  return `${progress.replaced}/${progress.total} nodes replaced${zones}${pace}${etaPart}; counted ${ago(progress.countedAt, now)}`;
}

function colourStatus(status: string, style: Styler): string {
  if (status === ConditionStatus.True || status === NodegroupStatus.Active) return style.green(status);
  if (status === ConditionStatus.False || /FAILED|DEGRADED/.test(status)) return style.red(status);
  return style.yellow(status);
}

export function poolTable(pools: PoolSummary[], now: Date, style: Styler): string {
  const rows = pools.map((pool) => [
    pool.name,
    pool.cluster ?? '-',
    pool.instanceType ?? '-',
    enclavesCell(pool.enclaves),
    pool.pinnedVersion !== undefined ? String(pool.pinnedVersion) : '-',
    pool.nodegroupStatus ? colourStatus(pool.nodegroupStatus, style) : '-',
    pool.ready === ConditionStatus.True
      ? colourStatus('True', style)
      : `${colourStatus(pool.ready, style)} (${pool.readyReason})`,
    rollCell(pool.rollProgress, now),
    pool.since ? formatAge(now.getTime() - Date.parse(pool.since)) : '-',
  ]);
  return formatTable(
    ['NAME', 'CLUSTER', 'INSTANCE TYPE', 'ENCLAVES', 'PINNED', 'NODEGROUP', 'READY', 'ROLL', 'AGE'],
    rows,
  );
}

/** The full record `describe pool -o json|yaml` prints. */
export interface PoolDescription extends PoolSummary {
  launchTemplate?: StatusRow['launchTemplate'];
  nodegroupDetail?: StatusRow['nodegroup'];
  update?: StatusRow['update'];
  failedRoll?: StatusRow['failedRoll'];
  failedConfigUpdate?: StatusRow['failedConfigUpdate'];
  rollback?: StatusRow['rollback'];
  rollApproval?: StatusRow['rollApproval'];
  outcome?: StatusRow['outcome'];
  observedGeneration?: number;
  updatedAt?: string;
  violations?: Violation[];
  history: StatusRow['history'];
}

export function describePool(sources: PoolSources): PoolDescription {
  const row = sources.row;
  return {
    ...summarizePool(sources),
    ...(row?.launchTemplate ? { launchTemplate: row.launchTemplate } : {}),
    ...(row?.nodegroup ? { nodegroupDetail: row.nodegroup } : {}),
    ...(row?.update ? { update: row.update } : {}),
    ...(row?.failedRoll ? { failedRoll: row.failedRoll } : {}),
    ...(row?.failedConfigUpdate ? { failedConfigUpdate: row.failedConfigUpdate } : {}),
    ...(row?.rollback ? { rollback: row.rollback } : {}),
    ...(row?.rollApproval ? { rollApproval: row.rollApproval } : {}),
    ...(row ? { outcome: row.outcome, updatedAt: row.updatedAt } : {}),
    ...(row?.observedGeneration !== undefined ? { observedGeneration: row.observedGeneration } : {}),
    ...(sources.violations && sources.violations.length > 0 ? { violations: sources.violations } : {}),
    history: row?.history ?? [],
  };
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(18)}${value}`;
}

function ago(iso: string | undefined, now: Date): string {
  return iso ? `${formatAge(now.getTime() - Date.parse(iso))} ago` : '';
}

// Long on purpose: `describe`'s sections in print order (identity, spec, template, node group,
// update, failed roll / config update, conditions, violations), each a few lines; a new status-row
// field gets its lines where it prints.
export function describePoolText(d: PoolDescription, now: Date, style: Styler): string {
  const lines: string[] = [];
  lines.push(field('Name', style.bold(d.name)));
  lines.push(field('Cluster', d.cluster ?? '-'));
  const ready =
    d.ready === ConditionStatus.True
      ? style.green('True')
      : `${colourStatus(d.ready, style)} (${d.readyReason})`;
  lines.push(field('Ready', ready));
  if (d.spec) {
    const observed =
      d.observedGeneration !== undefined ? `, observed generation ${d.observedGeneration}` : '';
    lines.push(field('Spec', `${d.spec.location} (generation ${d.spec.generation}${observed})`));
  } else {
    lines.push(field('Spec', d.deleted ? 'deleted' : 'not found in any store'));
  }
  if (d.instanceType) {
    lines.push(field('Instance type', d.instanceType));
    lines.push(field('Enclaves', enclavesCell(d.enclaves)));
  }
  const lt = d.launchTemplate;
  if (lt) {
    const versions = [
      lt.pinnedVersion !== undefined ? `pinned v${lt.pinnedVersion}` : undefined,
      lt.targetVersion !== undefined ? `target v${lt.targetVersion}` : undefined,
      lt.lastKnownGoodVersion !== undefined ? `last known good v${lt.lastKnownGoodVersion}` : undefined,
      lt.latestVersion !== undefined ? `latest v${lt.latestVersion}` : undefined,
    ].filter(Boolean);
    lines.push(
      field('Launch template', `${lt.name} (${lt.id})${versions.length ? `: ${versions.join(', ')}` : ''}`),
    );
    if (lt.imageId) lines.push(field('Image', lt.imageId));
  }
  const ng = d.nodegroupDetail;
  if (ng) {
    const size =
      ng.desiredSize !== undefined
        ? `, ${ng.desiredSize} desired (min ${ng.minSize ?? '?'}, max ${ng.maxSize ?? '?'})`
        : '';
    lines.push(field('Node group', `${ng.name} ${colourStatus(ng.status, style)}${size}`));
    for (const issue of ng.healthIssues)
      lines.push(field('  Health issue', style.red(`${issue.code}: ${issue.message}`)));
  }
  const update = d.update;
  if (update && update.status === UpdateStatus.InProgress) {
    const target =
      update.launchTemplateVersion !== undefined
        ? ` to launch template version ${update.launchTemplateVersion}`
        : '';
    lines.push(
      field(
        'Update',
        `${update.type} ${update.id} ${style.yellow(update.status)}${target}, started ${ago(update.createdAt, now)}`,
      ),
    );
    if (d.rollProgress?.updateId === update.id)
      lines.push(field('Roll progress', rollProgressText(d.rollProgress, now)));
  } else if (update) {
    const status =
      update.status === UpdateStatus.Successful ? style.green(update.status) : style.red(update.status);
    lines.push(field('Last update', `${update.type} ${update.id} ${status}`));
  } else {
    lines.push(field('Update', 'none in flight'));
  }
  if (d.failedRoll) {
    lines.push(
      field(
        'Failed roll',
        style.red(
          `${d.failedRoll.errorCode} (update ${d.failedRoll.updateId}, version ${d.failedRoll.launchTemplateVersion}): ${d.failedRoll.errorMessage}`,
        ),
      ),
    );
    lines.push(field('  Hint', d.failedRoll.hint));
  }
  if (d.rollback) {
    const r = d.rollback;
    const text = `version ${r.fromVersion} → ${r.toVersion}${r.updateId ? ` (update ${r.updateId})` : ''} ${r.status}${r.errorCode ? `: ${r.errorCode}: ${r.errorMessage ?? ''}` : ''}`;
    lines.push(
      field('Rollback', r.status === UpdateStatus.Successful ? style.yellow(text) : style.red(text)),
    );
  }
  if (d.rollApproval) {
    lines.push(
      field(
        'Roll approved',
        `version ${d.rollApproval.launchTemplateVersion} at ${d.rollApproval.approvedAt}`,
      ),
    );
  }
  // What waits and why (roll: manual, a maintenance window): the node group condition says it.
  const held = d.conditions?.find(
    (c) =>
      c.type === ConditionType.EKSNodegroupReady &&
      (c.reason === Reason.RollPending || c.reason === Reason.RollWaitingForWindow),
  );
  if (held) lines.push(field('Roll held', style.yellow(held.message)));
  if (d.failedConfigUpdate) {
    lines.push(
      field(
        'Failed config',
        style.red(`${d.failedConfigUpdate.errorCode}: ${d.failedConfigUpdate.errorMessage}`),
      ),
    );
    lines.push(field('  Hint', d.failedConfigUpdate.hint));
  }
  lines.push('', style.bold('Conditions:'));
  if (d.conditions.length === 0) {
    lines.push('  none recorded yet');
  } else {
    const table = formatTable(
      ['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'],
      d.conditions.map((c) => [
        c.type,
        colourStatus(c.status, style),
        c.reason,
        formatAge(now.getTime() - Date.parse(c.lastTransitionTime)),
        c.message,
      ]),
    );
    lines.push(...table.split('\n').map((line) => `  ${line}`));
  }
  if (d.violations && d.violations.length > 0) {
    lines.push('', style.bold('Spec violations:'));
    for (const v of d.violations)
      lines.push(
        `  ${v.severity === 'Error' ? style.red(v.rule) : style.yellow(v.rule)}  ${v.path}: ${v.message}`,
      );
  }
  lines.push('', style.bold('History (newest last):'));
  if (d.history.length === 0) {
    lines.push('  none');
  } else {
    const table = formatTable(
      ['WHEN', 'EVENT', 'MESSAGE'],
      d.history.map((h) => [ago(h.at, now), h.event, h.message]),
    );
    lines.push(...table.split('\n').map((line) => `  ${line}`));
  }
  return `${lines.join('\n')}\n`;
}
