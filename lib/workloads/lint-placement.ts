import type { LintContext } from './lint-context';
import {
  formatTaint,
  KUBERNETES_TAINT_EFFECT,
  Match,
  matchNodeSelector,
  matchNodeSelectorTerms,
  readTolerations,
  tolerates,
  toleratesEverything,
} from './node-matching';
import { isObject, objectAt } from './pod-templates';
import { WorkloadRule } from './workload-rule';

/** Placement: whether the pod's node selector, node affinity and tolerations let it onto the pool's nodes. */

export function lintPlacement(context: LintContext): void {
  lintNodeSelector(context);
  lintNodeAffinity(context);
  lintTolerations(context);
}

function lintNodeSelector(context: LintContext) {
  const { pool, template } = context;
  const selector = objectAt(template.podSpec, 'nodeSelector');
  if (!selector) return;
  const entries = Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)]));
  for (const result of matchNodeSelector(entries, pool)) {
    if (result.match !== Match.No) continue;
    const key = result.text.split('=')[0] ?? '';
    const actual = pool.labels[key];
    context.add(
      WorkloadRule.NodeSelectorMismatch,
      'Error',
      `${template.specPath}.nodeSelector.${key}`,
      entries[key],
      `nodeSelector ${result.text} matches no node of pool ${pool.poolName} (${actual === undefined ? `its nodes have no label ${key}` : `its nodes have ${key}=${actual}`}); select on ${poolLabelHint(context)}`,
    );
  }
}

function lintNodeAffinity(context: LintContext) {
  const { pool, template } = context;
  const nodeAffinity = objectAt(template.podSpec, 'affinity', 'nodeAffinity');
  const required = objectAt(nodeAffinity, 'requiredDuringSchedulingIgnoredDuringExecution');
  const terms = Array.isArray(required?.nodeSelectorTerms) ? required.nodeSelectorTerms : undefined;
  if (terms) {
    const result = matchNodeSelectorTerms(terms, pool);
    if (result.match === Match.No) {
      context.add(
        WorkloadRule.NodeAffinityMismatch,
        'Error',
        `${template.specPath}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`,
        result.failed,
        `no required node affinity term matches pool ${pool.poolName}'s nodes (failing: ${result.failed.join('; ')}); match on ${poolLabelHint(context)}`,
      );
    }
  }
  const preferred = Array.isArray(nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
    ? nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.filter(isObject)
    : [];
  if (preferred.length === 0) return;
  const result = matchNodeSelectorTerms(
    preferred.map((p) => p.preference),
    pool,
  );
  if (result.match === Match.No) {
    context.add(
      WorkloadRule.PreferredNodeAffinityMismatch,
      'Warning',
      `${template.specPath}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`,
      result.failed,
      `no preferred node affinity term matches pool ${pool.poolName}'s nodes (failing: ${result.failed.join('; ')}), so the preference never helps; prefer ${poolLabelHint(context)}`,
    );
  }
}

/** A label of the pool's own (not a well-known one) to suggest selecting on. */
function poolLabelHint({ pool }: LintContext): string {
  const own = Object.keys(pool.labels).filter(
    (key) => !key.includes('kubernetes.io/') && !key.startsWith('eks.amazonaws.com/'),
  );
  const key = own[0] ?? 'eks.amazonaws.com/nodegroup';
  return `${key}=${pool.labels[key] ?? pool.nodegroupName}`;
}

function lintTolerations(context: LintContext) {
  const { pool, template } = context;
  const tolerations = readTolerations(template.podSpec.tolerations);
  for (const taint of pool.taints) {
    if (tolerations.some((t) => tolerates(t, taint))) continue;
    const effect = KUBERNETES_TAINT_EFFECT[taint.effect];
    const hard = effect !== 'PreferNoSchedule';
    context.add(
      WorkloadRule.TaintNotTolerated,
      hard ? 'Error' : 'Warning',
      `${template.specPath}.tolerations`,
      formatTaint(taint),
      `pool ${pool.poolName}'s nodes carry the taint ${formatTaint(taint)} and the pod does not tolerate it, so it ${hard ? 'never schedules there' : 'is scheduled there only as a last resort'}; add a toleration {key: ${taint.key}, operator: ${taint.value ? 'Equal' : 'Exists'}${taint.value ? `, value: ${taint.value}` : ''}, effect: ${effect}}`,
    );
  }
  const everything = tolerations.findIndex(toleratesEverything);
  if (everything >= 0) {
    context.add(
      WorkloadRule.ToleratesAllTaints,
      'Warning',
      `${template.specPath}.tolerations[${everything}]`,
      tolerations[everything],
      `the pod tolerates every taint, including the cordon EKS puts on old nodes during a roll, so it can land back on them and the update fails with PodEvictionFailure after 15 minutes; tolerate the pool's taints by key instead`,
    );
  }
}
