import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { lintPodTemplates } from '../../../lib/workloads/lint-pods';
import { extractPodTemplates } from '../../../lib/workloads/pod-templates';
import { poolWorkloadProfile } from '../../../lib/workloads/pool-profile';
import { WorkloadRule } from '../../../lib/workloads/workload-rule';
import { POOL_SPECS, seedPoolSpec } from './pool-specs';

const CORPUS = join(__dirname, '../../fixtures/workloads');
const seedPod = readFileSync(join(CORPUS, 'ok-seed-enclave-pod.yaml'), 'utf8');

function lint(text: string, spec = POOL_SPECS.seed!) {
  return lintPodTemplates(extractPodTemplates(text).templates, poolWorkloadProfile(spec));
}

describe('lintPodTemplates', () => {
  it('has a corpus file for every rule that judges a workload', () => {
    const expected = new Set(
      readdirSync(CORPUS).flatMap((file) => {
        const line = /^# expect: (.+)$/m.exec(readFileSync(join(CORPUS, file), 'utf8'))?.[1] ?? '';
        return line.split(/,\s*/);
      }),
    );
    const uncovered = Object.values(WorkloadRule).filter(
      (rule) => rule !== WorkloadRule.PoolAllocatorUnknown && !expected.has(rule),
    );
    expect(uncovered).toEqual([]);
  });

  it('explains a page-size mismatch with the pool numbers and the fix', () => {
    const text = seedPod
      .replaceAll('hugepages-2Mi: 768Mi', 'hugepages-1Gi: 1Gi')
      .replace('HugePages-2Mi', 'HugePages-1Gi');
    const [finding] = lint(text).findings;
    expect(finding).toMatchObject({
      rule: 'HugepageSizeMismatch',
      severity: 'Error',
      workload: 'Pod/hello-enclave',
      document: 1,
      path: 'Pod/hello-enclave: spec.containers[*].resources.limits.hugepages-1Gi',
      value: 'hugepages-1Gi',
    });
    expect(finding?.message).toBe(
      'the pod asks for hugepages-1Gi but pool my-node-pool reserves memory_mib 768 as 384 × 2 MiB pages (hugepages-2Mi: 768Mi) on x86_64, so nodes advertise no hugepages-1Gi and the pod stays Pending; ask for hugepages-2Mi instead, or change memory_mib',
    );
  });

  it('leaves pods with nothing enclave-related alone', () => {
    const result = lint(
      'kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: a}]}}}',
    );
    expect(result.findings).toEqual([]);
    expect(result.notEnclaveWorkloads).toEqual(['Deployment/web']);
    expect(result.usage).toEqual([]);
  });

  it('warns once when the pool sets no allocator sizes and skips the size checks', () => {
    const seed = seedPoolSpec();
    const result = lint(seedPod.replaceAll('768Mi', '64Gi'), {
      ...seed,
      bootstrap: { preNodeadmCommands: [] },
    });
    expect(result.findings.map((f) => [f.rule, f.severity])).toEqual([['PoolAllocatorUnknown', 'Warning']]);
  });

  it('treats a PreferNoSchedule taint as a warning', () => {
    const result = lint(seedPod, seedPoolSpec({ taints: [{ key: 'soft', effect: 'PREFER_NO_SCHEDULE' }] }));
    expect(result.findings.map((f) => [f.rule, f.severity, f.value])).toEqual([
      ['TaintNotTolerated', 'Warning', 'soft:PreferNoSchedule'],
    ]);
  });

  it('checks init containers for request == limit but does not count them as enclave users', () => {
    const text = seedPod.replace(
      '  containers:',
      `  initContainers:
    - name: warm
      image: busybox
      resources:
        requests: { hugepages-2Mi: 2Mi, cpu: 10m }
        limits: { hugepages-2Mi: 4Mi, cpu: 10m }
      volumeMounts: [{ name: hugepage, mountPath: /dev/hugepages }]
  containers:`,
    );
    const result = lint(text);
    expect(result.findings.map((f) => [f.rule, f.path])).toEqual([
      [
        'HugepagesRequestNotEqualLimit',
        'Pod/hello-enclave: spec.initContainers[0].resources.requests.hugepages-2Mi',
      ],
    ]);
    expect(result.usage[0]).toMatchObject({ enclaveSlots: 1, hugepagesMib: { 'hugepages-2Mi': 768 } });
  });

  it('counts what DaemonSets take from every node before packing the other workloads', () => {
    const podSpec = (hugepages: string) => ({
      nodeSelector: { 'aws-nitro-enclaves-k8s-dp': 'enabled' },
      containers: [
        {
          name: 'enclave',
          resources: {
            limits: { 'aws.ec2.nitro/nitro_enclaves': '1', 'hugepages-2Mi': hugepages, cpu: '250m' },
          },
          volumeMounts: [{ name: 'hp', mountPath: '/dev/hugepages' }],
        },
      ],
      volumes: [{ name: 'hp', emptyDir: { medium: 'HugePages-2Mi' } }],
    });
    const manifests = (replicas: number) =>
      [
        { kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { template: { spec: podSpec('256Mi') } } },
        {
          kind: 'ReplicaSet',
          metadata: { name: 'app' },
          spec: { replicas, template: { spec: podSpec('512Mi') } },
        },
      ]
        .map((m) => stringify(m))
        .join('---\n');
    // memory_mib 1022 is all 2 MiB pages; the DaemonSet takes 256 of each node's 1022, leaving room
    // for one 512 MiB pod per node. Enclave slots: cpu_count 8 → 4 per node, not the bottleneck.
    const spec = seedPoolSpec({ scaling: { minSize: 1, maxSize: 3 } });
    const pool = { ...spec, bootstrap: { ...spec.bootstrap, allocator: { cpuCount: 8, memoryMib: 1022 } } };
    expect(lint(manifests(3), pool).findings).toEqual([]);
    const over = lint(manifests(4), pool).findings;
    expect(over.map((f) => [f.rule, f.severity, f.value])).toEqual([['PoolCapacityExceeded', 'Warning', 4]]);
    expect(over[0]?.message).toContain(
      'ReplicaSet/app: 4 × (enclaves 1 of 4, hugepages-2Mi 512Mi of 1022Mi) → 4 nodes',
    );
    expect(over[0]?.message).toContain('the pool scales to 3');
  });
});
