import {
  ConditionType,
  falseCondition,
  findCondition,
  mergeConditions,
  summarizeReady,
  trueCondition,
} from '../../../lib/status/conditions';
import { conditionsForViolations } from '../../../lib/status/violation-conditions';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:05:00Z');

describe('mergeConditions', () => {
  it('changes lastTransitionTime only when the status changes', () => {
    // Prepare
    const first = mergeConditions(
      [],
      [trueCondition('LaunchTemplateReady', 'LaunchTemplateUpToDate', 'v1')],
      T0,
      1,
    );

    // Act
    const sameStatus = mergeConditions(
      first,
      [trueCondition('LaunchTemplateReady', 'LaunchTemplateUpToDate', 'v2')],
      T1,
      2,
    );
    const flipped = mergeConditions(
      first,
      [falseCondition('LaunchTemplateReady', 'LaunchTemplateNotOwned', 'x')],
      T1,
      2,
    );

    // Assess
    expect(sameStatus[0]).toMatchObject({
      message: 'v2',
      lastTransitionTime: T0.toISOString(),
      observedGeneration: 2,
    });
    expect(flipped[0]).toMatchObject({ status: 'False', lastTransitionTime: T1.toISOString() });
  });

  it('keeps conditions that were not recomputed and orders them stably', () => {
    const before = mergeConditions(
      [],
      [
        trueCondition('EKSNodegroupReady', 'NodegroupActive'),
        trueCondition('Custom', 'X'),
        trueCondition('Ready', 'Ready'),
      ],
      T0,
      1,
    );
    const after = mergeConditions(before, [falseCondition('SpecValid', 'SpecInvalid', 'bad')], T1, 2);
    expect(after.map((c) => c.type)).toEqual(['Ready', 'SpecValid', 'EKSNodegroupReady', 'Custom']);
    expect(findCondition(after, 'EKSNodegroupReady')?.observedGeneration).toBe(1);
  });
});

describe('summarizeReady', () => {
  it('is True when every condition is good and no update is in flight', () => {
    const ready = summarizeReady([
      trueCondition('SpecValid', 'SpecValid'),
      trueCondition('LaunchTemplateReady', 'LaunchTemplateUpToDate'),
      trueCondition('EKSNodegroupReady', 'NodegroupActive'),
      falseCondition('NodegroupUpdating', 'NoUpdateInProgress', '', ''),
    ]);
    expect(ready).toMatchObject({ type: 'Ready', status: 'True', reason: 'Ready' });
  });

  it('carries the most severe failing condition', () => {
    const ready = summarizeReady([
      trueCondition('SpecValid', 'SpecValid'),
      falseCondition('LaunchTemplateReady', 'NitroEnclaveEdgeZoneUnsupported', 'edge', 'Error'),
      falseCondition('EKSNodegroupReady', 'NodegroupCreating', 'wait', 'Info'),
    ]);
    expect(ready).toMatchObject({
      status: 'False',
      reason: 'NitroEnclaveEdgeZoneUnsupported',
      message: 'LaunchTemplateReady: edge',
      severity: 'Error',
    });
  });

  it('is False with Info severity while an update is in flight', () => {
    const ready = summarizeReady([
      trueCondition('EKSNodegroupReady', 'NodegroupUpdating'),
      trueCondition('NodegroupUpdating', 'UpdateInProgress', 'rolling'),
    ]);
    expect(ready).toMatchObject({ status: 'False', reason: 'UpdateInProgress', severity: 'Info' });
  });
});

describe('conditionsForViolations', () => {
  const edge = {
    path: 'AWSManagedMachinePool/my-node-pool: spec.subnetIDs[0]',
    value: 'subnet-lz',
    rule: 'NitroEnclaveEdgeZoneUnsupported',
    severity: 'Error' as const,
    message: 'Nitro Enclaves are not supported in Local Zones or Wavelength Zones',
  };

  it('puts every error on SpecValid and CAPA rules on their resource condition', () => {
    const conditions = conditionsForViolations([edge]);
    expect(conditions.map((c) => [c.type, c.status, c.reason, c.severity])).toEqual([
      ['SpecValid', 'False', 'NitroEnclaveEdgeZoneUnsupported', 'Error'],
      ['LaunchTemplateReady', 'False', 'NitroEnclaveEdgeZoneUnsupported', 'Error'],
    ]);
    expect(conditions[1]?.message).toContain(edge.message);
  });

  it('uses SpecInvalid when several rules fail, and a mapping supplied by the spec rules', () => {
    const other = { ...edge, rule: 'InstanceTypeNotEnclaveCapable', path: 'x: instanceType' };
    const conditions = conditionsForViolations([edge, other], (rule) =>
      rule === 'InstanceTypeNotEnclaveCapable' ? ConditionType.LaunchTemplateReady : undefined,
    );
    expect(conditions[0]?.reason).toBe('SpecInvalid');
    expect(conditions[1]?.message).toContain('x: instanceType');
  });

  it('keeps a spec with only warnings valid, naming the warnings', () => {
    const [only] = conditionsForViolations([{ ...edge, severity: 'Warning' }]);
    expect(only).toMatchObject({ type: 'SpecValid', status: 'True' });
    expect(only?.message).toContain('warnings');
  });
});
