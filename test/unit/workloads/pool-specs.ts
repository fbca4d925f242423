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
};
