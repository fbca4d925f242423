import type { Violation } from '../../../lib/pool-spec';
import {
  ConditionType,
  conditionForRule,
  conditionsForRule,
  violationsByAdditionalCondition,
} from '../../../lib/rules/rule-conditions';
import { RULES } from '../../../lib/rules/rules';

describe('rule → condition mapping', () => {
  it('sends the edge-zone rule to LaunchTemplateReady as well as SpecValid', () => {
    expect(conditionForRule('NitroEnclaveEdgeZoneUnsupported')).toBe(ConditionType.LaunchTemplateReady);
    expect(conditionsForRule('NitroEnclaveEdgeZoneUnsupported')).toEqual([
      'SpecValid',
      'LaunchTemplateReady',
    ]);
  });

  it('sends every other rule to SpecValid only', () => {
    for (const rule of Object.keys(RULES).filter((r) => r !== 'NitroEnclaveEdgeZoneUnsupported')) {
      expect(conditionsForRule(rule)).toEqual(['SpecValid']);
    }
    expect(conditionForRule('SomethingNew')).toBe('SpecValid');
  });

  it('groups Error violations by the extra condition they set', () => {
    const v = (rule: string, severity: 'Error' | 'Warning'): Violation => ({
      path: 'p',
      value: 1,
      rule,
      severity,
      message: 'm',
    });
    const grouped = violationsByAdditionalCondition([
      v('NitroEnclaveEdgeZoneUnsupported', 'Error'),
      v('InstanceTypeUnknown', 'Error'),
      v('NitroEnclaveEdgeZoneUnsupported', 'Warning'),
    ]);
    expect(Object.keys(grouped)).toEqual(['LaunchTemplateReady']);
    expect(grouped.LaunchTemplateReady).toHaveLength(1);
  });
});
