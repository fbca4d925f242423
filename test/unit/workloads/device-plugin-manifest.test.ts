import { parse } from 'yaml';
import { DEVICE_PLUGIN_IMAGE, devicePluginManifest } from '../../../lib/workloads/device-plugin-manifest';
import { poolWorkloadProfile } from '../../../lib/workloads/pool-profile';
import { POOL_SPECS } from './pool-specs';

type DaemonSet = {
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        nodeSelector: Record<string, string>;
        tolerations?: unknown[];
        priorityClassName: string;
        containers: { image: string; env: { name: string; value: string }[] }[];
      };
    };
  };
};

const envOf = (ds: DaemonSet) =>
  Object.fromEntries((ds.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));

describe('devicePluginManifest', () => {
  it('without a pool, prints the plugin defaults with the standard label', () => {
    const manifest = devicePluginManifest(undefined);
    const ds = parse(manifest.yaml) as DaemonSet;
    expect(ds.metadata).toMatchObject({ name: 'aws-nitro-enclaves-k8s-daemonset', namespace: 'kube-system' });
    expect(ds.spec.template.spec.nodeSelector).toEqual({ 'aws-nitro-enclaves-k8s-dp': 'enabled' });
    expect(ds.spec.template.spec.tolerations).toBeUndefined();
    expect(ds.spec.template.spec.priorityClassName).toBe('system-node-critical');
    expect(ds.spec.template.spec.containers[0]?.image).toBe(DEVICE_PLUGIN_IMAGE);
    expect(DEVICE_PLUGIN_IMAGE).toMatch(/:0\.4\.1$/);
    expect(envOf(ds)).toEqual({ MAX_ENCLAVES_PER_NODE: '4' });
    expect(manifest.yaml).toMatch(/^# .*\n# MAX_ENCLAVES_PER_NODE=4: the plugin default/);
  });

  it('sizes the slots from the pool, pins the node group and tolerates the pool taints', () => {
    const manifest = devicePluginManifest(poolWorkloadProfile(POOL_SPECS['seed-tainted']!));
    const ds = parse(manifest.yaml) as DaemonSet;
    expect(manifest.maxEnclavesPerNode).toBe(1);
    expect(envOf(ds)).toEqual({ MAX_ENCLAVES_PER_NODE: '1' });
    expect(ds.metadata.name).toBe('aws-nitro-enclaves-k8s-daemonset-my-node-pool');
    expect(ds.spec.template.spec.nodeSelector).toEqual({
      'aws-nitro-enclaves-k8s-dp': 'enabled',
      'enclave-pools.aws/pool': 'my-node-pool',
    });
    expect(ds.spec.selector.matchLabels).toEqual(ds.spec.template.metadata.labels);
    expect(ds.spec.template.spec.tolerations).toEqual([
      { key: 'enclaves', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    ]);
    expect(manifest.yaml).toContain("# Tolerates the pool's taints: enclaves=true:NoSchedule.");
    expect(manifest.sizing).toContain('cpu_count 2, memory_mib 768');
  });

  it('honours an explicit slot count, namespace and CPU advertisement', () => {
    const manifest = devicePluginManifest(poolWorkloadProfile(POOL_SPECS['gib-4096']!), {
      maxEnclavesPerNode: 3,
      namespace: 'enclaves',
      cpuAdvertisement: true,
    });
    const ds = parse(manifest.yaml) as DaemonSet;
    expect(ds.metadata.namespace).toBe('enclaves');
    expect(envOf(ds)).toEqual({ MAX_ENCLAVES_PER_NODE: '3', ENCLAVE_CPU_ADVERTISEMENT: 'true' });
  });

  it('never advertises zero slots (the plugin would reset it to 4) and says why', () => {
    const seed = POOL_SPECS.seed!;
    const starved = poolWorkloadProfile({
      ...seed,
      bootstrap: { ...seed.bootstrap, allocator: { cpuCount: 1, memoryMib: 768 } },
    });
    const manifest = devicePluginManifest(starved);
    expect(manifest.maxEnclavesPerNode).toBe(1);
    expect(manifest.sizing).toMatch(/cannot run any enclave/);
  });
});
