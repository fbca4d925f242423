import type { Violation } from '../pool-spec';
import { ruleCondition } from '../rules/rules';
import {
  type ConditionInput,
  ConditionSeverity,
  ConditionType,
  falseCondition,
  Reason,
  trueCondition,
} from './conditions';

/**
 * Conditions for a spec that cannot be applied. SpecValid carries every error at once (a user
 * fixes them in one edit, not one per pass); rules that CAPA reports on a resource condition also
 * set that condition, e.g. NitroEnclaveEdgeZoneUnsupported on LaunchTemplateReady, so tools that
 * read CAPA's conditions see the same thing here.
 */
export type ConditionTypeForRule = (rule: string) => string | undefined;

/** The catalogue says which resource condition a rule also sets (lib/rules/rules.ts). */
function defaultConditionTypeForRule(rule: string): string | undefined {
  return ruleCondition(rule);
}

function describe(violation: Violation): string {
  return `${violation.path}: ${violation.message}`;
}

export function conditionsForViolations(
  violations: readonly Violation[],
  conditionTypeForRule: ConditionTypeForRule = defaultConditionTypeForRule,
): ConditionInput[] {
  const errors = violations.filter((v) => v.severity === 'Error');
  const warnings = violations.filter((v) => v.severity === 'Warning');
  if (errors.length === 0) {
    return [
      trueCondition(
        ConditionType.SpecValid,
        Reason.SpecValid,
        warnings.length > 0
          ? `valid, with warnings: ${warnings.map(describe).join('; ')}`
          : 'the spec is valid',
      ),
    ];
  }
  const first = errors[0];
  const conditions: ConditionInput[] = [
    falseCondition(
      ConditionType.SpecValid,
      errors.length === 1 && first ? first.rule : Reason.SpecInvalid,
      errors.map(describe).join('; '),
    ),
  ];
  const byType = new Map<string, Violation[]>();
  for (const violation of errors) {
    const mapped = conditionTypeForRule(violation.rule);
    const type =
      mapped && mapped !== ConditionType.SpecValid ? mapped : defaultConditionTypeForRule(violation.rule);
    if (!type) continue;
    byType.set(type, [...(byType.get(type) ?? []), violation]);
  }
  for (const [type, list] of byType) {
    const lead = list[0];
    if (!lead) continue;
    conditions.push(falseCondition(type, lead.rule, list.map(describe).join('; '), ConditionSeverity.Error));
  }
  return conditions;
}
