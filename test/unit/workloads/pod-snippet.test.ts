import { parse } from 'yaml';
import { lintPodTemplates } from '../../../lib/workloads/lint-pods';
import { podSnippet } from '../../../lib/workloads/pod-snippet';
import { extractPodTemplates } from '../../../lib/workloads/pod-templates';
import { poolWorkloadProfile } from '../../../lib/workloads/pool-profile';
import { POOL_SPECS, seedPoolSpec } from './pool-specs';

function lintSnippet(spec: Parameters<typeof poolWorkloadProfile>[0]) {
  const profile = poolWorkloadProfile(spec);
  const snippet = podSnippet(profile);
  if ('error' in snippet) throw new Error(snippet.error);
  const scan = extractPodTemplates(snippet.yaml);
  return { scan, lint: lintPodTemplates(scan.templates, profile, { claims: scan.claims }) };
}

describe('podSnippet', () => {
  it.each(Object.keys(POOL_SPECS))(
    'fits pool %s: lint-pods finds nothing and checks it as an enclave workload',
    (name) => {
      const spec = POOL_SPECS[name];
      if (!spec) throw new Error(name);
      const { scan, lint } = lintSnippet(spec);
      expect(scan.errors).toEqual([]);
      expect(lint.findings).toEqual([]);
      expect(lint.usage.map((u) => u.workload)).toEqual([`Deployment/${spec.name}-app`]);
    },
  );

  it('selects on the label a pool names for its own device-plugin DaemonSet', () => {
    const spec = seedPoolSpec({
      labels: { 'example.com/enclaves': 'on' },
      devicePluginSelector: { key: 'example.com/enclaves', value: 'on' },
    });
    const snippet = podSnippet(poolWorkloadProfile(spec));
    if ('error' in snippet) throw new Error(snippet.error);
    expect(parse(snippet.yaml).spec.template.spec.nodeSelector).toEqual({
      'example.com/enclaves': 'on',
      'enclave-pools.aws/pool': 'my-node-pool',
    });
    expect(lintSnippet(spec).lint.findings).toEqual([]);
  });

  it('takes the larger page size of a mixed reservation (2560 MiB → 2 × 1 GiB + 256 × 2 MiB)', () => {
    const profile = poolWorkloadProfile(POOL_SPECS['mixed-2560'] ?? seedPoolSpec());
    const snippet = podSnippet(profile);
    if ('error' in snippet) throw new Error(snippet.error);
    expect(snippet.summary).toBe('1 enclave of 4 CPUs and 2048 MiB (hugepages-1Gi: 2Gi)');
  });

  it('refuses a pool with enclaves off, saying why and what to do', () => {
    const seed = seedPoolSpec();
    const snippet = podSnippet(
      poolWorkloadProfile({ ...seed, launchTemplate: { ...seed.launchTemplate, enclavesEnabled: false } }),
    );
    expect(snippet).toEqual({
      error:
        'pool my-node-pool has enclaveOptions.enabled off, so no pod can use enclaves there; enable enclaves in its launch template first',
    });
  });
});
