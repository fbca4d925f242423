import type { PoolSpec } from '../../../lib/pool-spec';
import { seedPoolSpec } from '../../support/pool-spec-fixture';

/** PoolSpecs for the workload lint: the seed pool (test/support) and a few other allocator sizes. */
export { seedPoolSpec };

function withHardware(instanceType: string, cpuCount: number, memoryMib: number): PoolSpec {
  const seed = seedPoolSpec();
  return {
    ...seed,
    launchTemplate: { ...seed.launchTemplate, instanceType },
    bootstrap: { ...seed.bootstrap, allocator: { cpuCount, memoryMib } },
  };
}

export const POOL_SPECS: Record<string, PoolSpec> = {
  seed: seedPoolSpec(),
  'seed-tainted': seedPoolSpec({ taints: [{ key: 'enclaves', value: 'true', effect: 'NO_SCHEDULE' }] }),
  'gib-4096': withHardware('m5.2xlarge', 4, 4096),
  'mixed-2560': withHardware('m5.2xlarge', 4, 2560),
  'graviton-768': withHardware('m6g.xlarge', 2, 768),
  /** examples/nitro-sandbox-pool.yaml: no allocator, no device-plugin label, a custom AMI. */
  sandbox: seedPoolSpec({
    name: 'sandbox-pool',
    nodegroupName: 'sandbox-pool',
    kubernetesVersion: '1.36',
    enclaveMode: 'nitro-sandbox',
    labels: {},
    launchTemplate: { ...seedPoolSpec().launchTemplate, ami: { kind: 'id', id: 'ami-0123456789abcdef0' } },
    bootstrap: { preNodeadmCommands: [] },
  }),
  'sandbox-tainted': seedPoolSpec({
    name: 'sandbox-pool',
    nodegroupName: 'sandbox-pool',
    kubernetesVersion: '1.36',
    enclaveMode: 'nitro-sandbox',
    labels: {},
    taints: [{ key: 'sandbox', value: 'true', effect: 'NO_SCHEDULE' }],
    launchTemplate: { ...seedPoolSpec().launchTemplate, ami: { kind: 'id', id: 'ami-0123456789abcdef0' } },
    bootstrap: { preNodeadmCommands: [] },
  }),
};
