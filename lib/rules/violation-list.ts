import type { Violation } from '../pool-spec';
import { type Rule, ruleSeverity } from './rules';

/**
 * Collects violations while a spec is read. Severity comes from the rule catalogue, so a rule can
 * never be an Error in one place and a Warning in another.
 */
export class ViolationList {
  readonly items: Violation[] = [];

  add(rule: Rule, path: string, value: unknown, message: string): void {
    this.items.push({ path, value: boundedValue(value), rule, severity: ruleSeverity(rule), message });
  }

  addAll(violations: readonly Violation[]): void {
    this.items.push(...violations);
  }

  hasErrors(): boolean {
    return hasErrors(this.items);
  }

  /** Number of violations recorded so far; lets a reader tell whether one step added any. */
  get size(): number {
    return this.items.length;
  }
}

/**
 * At most `perRule` violations of one rule are kept, plus one line saying how many more there were:
 * a hostile spec with thousands of bad labels should not produce thousands of messages.
 */
export function capPerRule(violations: readonly Violation[], perRule = 20): Violation[] {
  const counts = new Map<string, number>();
  const kept: Violation[] = [];
  for (const v of violations) {
    const count = (counts.get(v.rule) ?? 0) + 1;
    counts.set(v.rule, count);
    if (count <= perRule) kept.push(v);
  }
  for (const [rule, count] of counts) {
    if (count <= perRule) continue;
    const first = violations.find((v) => v.rule === rule);
    if (!first) continue;
    kept.push({
      path: 'document',
      value: count - perRule,
      rule,
      severity: first.severity,
      message: `${count - perRule} more ${rule} violations are not shown; fix the ones above and validate again`,
    });
  }
  return kept;
}

export function hasErrors(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.severity === 'Error');
}

const MAX_VALUE_CHARS = 200;

/**
 * Violations end up in DynamoDB status rows and terminal output: a hostile document must not be
 * able to make them huge, so long strings are cut and structures are summarised.
 */
function boundedValue(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) {
    return value;
  }
  const text = safeJson(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : value;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A value as it appears inside a message: strings quoted, everything else as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = typeof value === 'string' ? JSON.stringify(value) : safeJson(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
