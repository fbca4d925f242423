import {
  formatTaint,
  Match,
  matchNodeSelector,
  matchNodeSelectorTerm,
  matchNodeSelectorTerms,
  readTolerations,
  tolerates,
  toleratesEverything,
} from '../../../lib/workloads/node-matching';

const node = {
  labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled', 'kubernetes.io/arch': 'amd64', tier: '3' },
  labelsWithUnknownValues: ['topology.kubernetes.io/zone'],
};

const term = (key: string, operator: string, values: string[] = []) => ({
  matchExpressions: [{ key, operator, values }],
});

describe('node selector terms', () => {
  it.each([
    ['aws-nitro-enclaves-k8s-dp', 'In', ['enabled'], Match.Yes],
    ['aws-nitro-enclaves-k8s-dp', 'In', ['true'], Match.No],
    ['aws-nitro-enclaves-k8s-dp', 'NotIn', ['enabled'], Match.No],
    ['missing', 'NotIn', ['x'], Match.Yes],
    ['missing', 'Exists', [], Match.No],
    ['missing', 'DoesNotExist', [], Match.Yes],
    ['tier', 'Gt', ['2'], Match.Yes],
    ['tier', 'Lt', ['2'], Match.No],
    ['aws-nitro-enclaves-k8s-dp', 'Gt', ['2'], Match.No],
    ['topology.kubernetes.io/zone', 'In', ['eu-west-1a'], Match.Unknown],
    ['topology.kubernetes.io/zone', 'NotIn', ['eu-west-1a'], Match.Unknown],
    ['topology.kubernetes.io/zone', 'Gt', ['1'], Match.Unknown],
    ['topology.kubernetes.io/zone', 'Exists', [], Match.Yes],
    ['topology.kubernetes.io/zone', 'DoesNotExist', [], Match.No],
    ['tier', 'Sideways', [], Match.Unknown],
  ])('%s %s %p → %s', (key, operator, values, expected) => {
    expect(matchNodeSelectorTerm(term(key, operator, values), node).match).toBe(expected);
  });

  it('treats an empty term as matching nothing and matchFields as unknowable', () => {
    expect(matchNodeSelectorTerm({}, node).match).toBe(Match.No);
    expect(
      matchNodeSelectorTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }, node)
        .match,
    ).toBe(Match.Unknown);
    expect(matchNodeSelectorTerm('nonsense', node).match).toBe(Match.Unknown);
  });

  it('ORs terms and reports the failing requirements', () => {
    const result = matchNodeSelectorTerms(
      [term('a', 'Exists'), term('kubernetes.io/arch', 'In', ['arm64'])],
      node,
    );
    expect(result.match).toBe(Match.No);
    expect(result.failed).toEqual(['a Exists', 'kubernetes.io/arch In [arm64]']);
    expect(matchNodeSelectorTerms([term('a', 'Exists'), term('tier', 'Exists')], node).match).toBe(Match.Yes);
    expect(
      matchNodeSelectorTerms([term('a', 'Exists'), term('topology.kubernetes.io/zone', 'In', ['z'])], node)
        .match,
    ).toBe(Match.Unknown);
  });

  it('matches a plain nodeSelector key by key', () => {
    const results = matchNodeSelector(
      { 'aws-nitro-enclaves-k8s-dp': 'enabled', 'kubernetes.io/arch': 'arm64' },
      node,
    );
    expect(results.map((r) => [r.text, r.match])).toEqual([
      ['aws-nitro-enclaves-k8s-dp=enabled', Match.Yes],
      ['kubernetes.io/arch=arm64', Match.No],
    ]);
  });
});

describe('tolerations', () => {
  const taint = { key: 'enclaves', value: 'true', effect: 'NO_SCHEDULE' as const };
  it.each([
    [{ key: 'enclaves', operator: 'Equal', value: 'true', effect: 'NoSchedule' }, true],
    [{ key: 'enclaves', value: 'true' }, true],
    [{ key: 'enclaves', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'enclaves', operator: 'Equal', value: 'false', effect: 'NoSchedule' }, false],
    [{ key: 'enclaves', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('%p tolerates enclaves=true:NoSchedule → %p', (toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });

  it('reads tolerations leniently and spots tolerate-everything', () => {
    const read = readTolerations([{ operator: 'Exists', key: null }, 'junk', { key: 'k', value: 1 }]);
    expect(read).toEqual([{ operator: 'Exists' }, { key: 'k', value: '1' }]);
    expect(toleratesEverything(read[0] ?? {})).toBe(true);
    expect(toleratesEverything(read[1] ?? {})).toBe(false);
    expect(readTolerations(undefined)).toEqual([]);
  });

  it('formats taints the Kubernetes way', () => {
    expect(formatTaint(taint)).toBe('enclaves=true:NoSchedule');
    expect(formatTaint({ key: 'dedicated', effect: 'PREFER_NO_SCHEDULE' })).toBe(
      'dedicated:PreferNoSchedule',
    );
  });
});
