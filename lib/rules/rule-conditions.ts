import type { Violation } from '../pool-spec';
import { Rule } from './rules';

/**
 * Which status condition a violation drives. Every violation is part of `SpecValid` (False, with the
 * first Error's rule as reason, when any Error exists). A few rules also set a CAPA-compatible
 * condition, so tooling that watches CAPA's conditions sees the same reason CAPA would give.
 */
export const ConditionType = {
  SpecValid: 'SpecValid',
  LaunchTemplateReady: 'LaunchTemplateReady',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Rules that additionally set another condition to False with the rule as reason (severity Error). */
export const ADDITIONAL_CONDITION_BY_RULE: Readonly<Partial<Record<Rule, ConditionType>>> = {
  [Rule.NitroEnclaveEdgeZoneUnsupported]: ConditionType.LaunchTemplateReady,
};

/** The conditions a violation of `rule` sets: always SpecValid, plus the CAPA-compatible one if any. */
export function conditionsForRule(rule: string): ConditionType[] {
  const extra = ADDITIONAL_CONDITION_BY_RULE[rule as Rule];
  return extra ? [ConditionType.SpecValid, extra] : [ConditionType.SpecValid];
}

/** The most specific condition for a rule (the CAPA-compatible one when it has one). */
export function conditionForRule(rule: string): ConditionType {
  return ADDITIONAL_CONDITION_BY_RULE[rule as Rule] ?? ConditionType.SpecValid;
}

/** Errors grouped by the extra condition they set, e.g. LaunchTemplateReady → [edge-zone violations]. */
export function violationsByAdditionalCondition(
  violations: readonly Violation[],
): Partial<Record<ConditionType, Violation[]>> {
  const grouped: Partial<Record<ConditionType, Violation[]>> = {};
  for (const violation of violations) {
    const type = ADDITIONAL_CONDITION_BY_RULE[violation.rule as Rule];
    if (!type || violation.severity !== 'Error') continue;
    grouped[type] = [...(grouped[type] ?? []), violation];
  }
  return grouped;
}
