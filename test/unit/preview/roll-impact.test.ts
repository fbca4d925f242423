import { rollImpact } from '../../../lib/preview/roll-impact';

describe('rollImpact', () => {
  it('uses the EKS defaults: one node at a time, DEFAULT strategy, surge of 2 × AZs', () => {
    const impact = rollImpact({
      nodes: 3,
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      updateConfig: {},
      force: false,
    });
    expect(impact).toMatchObject({
      nodesToReplace: 3,
      updateStrategy: 'DEFAULT',
      maxUnavailable: '1',
      nodesPerBatch: 1,
      batches: 3,
      maxExtraInstances: 4,
    });
    expect(impact.summary).toBe(
      'will replace 3 nodes in eu-west-1a, eu-west-1b, 1 at a time (3 batches, DEFAULT strategy, maxUnavailable 1); up to 4 extra instances while it runs',
    );
  });

  it('takes maxUnavailable when it is larger than twice the AZ count', () => {
    const impact = rollImpact({
      nodes: 20,
      availabilityZones: ['a'],
      updateConfig: { maxUnavailable: 5 },
      force: true,
    });
    expect(impact).toMatchObject({ nodesPerBatch: 5, batches: 4, maxExtraInstances: 5, force: true });
    expect(impact.summary).toContain('force');
  });

  it('turns a percentage into nodes per batch and MINIMAL into no surge', () => {
    const impact = rollImpact({
      nodes: 10,
      availabilityZones: ['a', 'b', 'c'],
      updateConfig: { maxUnavailablePercentage: 25, updateStrategy: 'MINIMAL' },
      force: false,
    });
    expect(impact).toMatchObject({
      maxUnavailable: '25%',
      nodesPerBatch: 2,
      batches: 5,
      maxExtraInstances: 0,
    });
    expect(impact.summary).toContain('old nodes terminated before new ones launch');
  });

  it('says so when there is nothing to replace', () => {
    const impact = rollImpact({ nodes: 0, availabilityZones: [], updateConfig: {}, force: false });
    expect(impact).toMatchObject({ batches: 0, maxExtraInstances: 0 });
    expect(impact.summary).toBe('no nodes to replace (the node group is scaled to 0) in unknown AZs');
  });
});
