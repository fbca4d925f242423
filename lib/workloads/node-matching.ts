import type { Taint, TaintEffect } from '../pool-spec';
import { isObject } from './pod-templates';

/**
 * Whether a pod's node selector, node affinity and tolerations let it onto a pool's nodes.
 * Three-valued: some labels (zone, hostname) are only known per node, and a requirement on them
 * can neither be proven to match nor to fail before the nodes exist.
 */

export const Match = { Yes: 'yes', No: 'no', Unknown: 'unknown' } as const;
export type Match = (typeof Match)[keyof typeof Match];

export interface NodeLabels {
  labels: Record<string, string>;
  labelsWithUnknownValues: string[];
}

export interface RequirementResult {
  match: Match;
  /** "kubernetes.io/arch In [arm64]" for messages. */
  text: string;
}

function matchAll(results: Match[]): Match {
  if (results.includes(Match.No)) return Match.No;
  return results.includes(Match.Unknown) ? Match.Unknown : Match.Yes;
}

function matchAny(results: Match[]): Match {
  if (results.includes(Match.Yes)) return Match.Yes;
  return results.includes(Match.Unknown) ? Match.Unknown : Match.No;
}

export function matchNodeSelector(selector: Record<string, string>, node: NodeLabels): RequirementResult[] {
  return Object.entries(selector).map(([key, value]) =>
    requirementMatch({ key, operator: 'In', values: [value] }, node, `${key}=${value}`),
  );
}

interface Requirement {
  key: string;
  operator: string;
  values: string[];
}

function requirementMatch(requirement: Requirement, node: NodeLabels, text?: string): RequirementResult {
  const { key, operator, values } = requirement;
  const label = node.labels[key];
  const unknown = label === undefined && node.labelsWithUnknownValues.includes(key);
  const describe = text ?? `${key} ${operator}${values.length > 0 ? ` [${values.join(', ')}]` : ''}`;
  const result = (match: Match): RequirementResult => ({ match, text: describe });
  switch (operator) {
    case 'In':
      if (unknown) return result(Match.Unknown);
      return result(label !== undefined && values.includes(label) ? Match.Yes : Match.No);
    case 'NotIn':
      if (unknown) return result(Match.Unknown);
      return result(label === undefined || !values.includes(label) ? Match.Yes : Match.No);
    case 'Exists':
      return result(label !== undefined || unknown ? Match.Yes : Match.No);
    case 'DoesNotExist':
      return result(label === undefined && !unknown ? Match.Yes : Match.No);
    case 'Gt':
    case 'Lt': {
      if (unknown) return result(Match.Unknown);
      const bound = Number(values[0]);
      const actual = Number(label);
      if (label === undefined || !Number.isInteger(actual) || !Number.isInteger(bound))
        return result(Match.No);
      return result((operator === 'Gt' ? actual > bound : actual < bound) ? Match.Yes : Match.No);
    }
    default:
      return result(Match.Unknown);
  }
}

export interface TermResult {
  match: Match;
  failed: string[];
}

/** One NodeSelectorTerm: all its expressions must hold. matchFields name single nodes: unknown here. */
export function matchNodeSelectorTerm(term: unknown, node: NodeLabels): TermResult {
  if (!isObject(term)) return { match: Match.Unknown, failed: [] };
  const expressions = Array.isArray(term.matchExpressions) ? term.matchExpressions : [];
  const results = expressions.filter(isObject).map((expression) =>
    requirementMatch(
      {
        key: String(expression.key ?? ''),
        operator: String(expression.operator ?? ''),
        values: Array.isArray(expression.values) ? expression.values.map(String) : [],
      },
      node,
    ),
  );
  const fields = Array.isArray(term.matchFields) && term.matchFields.length > 0 ? [Match.Unknown] : [];
  // An empty term selects no node at all (Kubernetes treats it as matching nothing).
  if (results.length === 0 && fields.length === 0) return { match: Match.No, failed: ['(empty term)'] };
  return {
    match: matchAll([...results.map((r) => r.match), ...fields]),
    failed: results.filter((r) => r.match === Match.No).map((r) => r.text),
  };
}

/** Terms are ORed. */
export function matchNodeSelectorTerms(terms: unknown[], node: NodeLabels): TermResult {
  const results = terms.map((term) => matchNodeSelectorTerm(term, node));
  return { match: matchAny(results.map((r) => r.match)), failed: results.flatMap((r) => r.failed) };
}

/** EKS spells taint effects NO_SCHEDULE; Kubernetes spells them NoSchedule. */
export const KUBERNETES_TAINT_EFFECT: Record<TaintEffect, string> = {
  NO_SCHEDULE: 'NoSchedule',
  NO_EXECUTE: 'NoExecute',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
};

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function readTolerations(value: unknown): Toleration[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((t) => ({
    ...(t.key === undefined || t.key === null ? {} : { key: String(t.key) }),
    ...(t.operator === undefined || t.operator === null ? {} : { operator: String(t.operator) }),
    ...(t.value === undefined || t.value === null ? {} : { value: String(t.value) }),
    ...(t.effect === undefined || t.effect === null ? {} : { effect: String(t.effect) }),
  }));
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  const effect = KUBERNETES_TAINT_EFFECT[taint.effect];
  if (toleration.effect && toleration.effect !== effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** A toleration with `operator: Exists` and no key tolerates every taint, cordons included. */
export function toleratesEverything(toleration: Toleration): boolean {
  return toleration.operator === 'Exists' && !toleration.key;
}

export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${KUBERNETES_TAINT_EFFECT[taint.effect]}`;
}
