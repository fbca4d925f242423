import type { PoolSpec } from '../pool-spec';
import type { SpecSummary } from './status-row';

/** The part of a validated spec the pool list shows (instance type, enclave reservation). */
export function specSummaryOf(spec: PoolSpec): SpecSummary {
  const allocator = spec.bootstrap.allocator;
  return {
    instanceType: spec.launchTemplate.instanceType,
    enclaves: {
      enabled: spec.launchTemplate.enclavesEnabled,
      ...(allocator?.cpuCount !== undefined ? { cpuCount: allocator.cpuCount } : {}),
      ...(allocator?.cpuPool !== undefined ? { cpuPool: allocator.cpuPool } : {}),
      ...(allocator ? { memoryMib: allocator.memoryMib } : {}),
    },
  };
}
