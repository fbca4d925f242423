import snapshot from './instance-facts-snapshot.json';
import type { InstanceTypeFacts } from './live-facts';

/**
 * Instance facts for offline validation: a dated snapshot of DescribeInstanceTypes data, generated
 * by infra/scripts/instance-facts-snapshot.py (never edited by hand). `validate --live` reads AWS
 * instead. Only the CLI imports this, so the functions' bundles stay small.
 */

type Row = [number, number, number, string, number, number];

export const INSTANCE_FACTS_SNAPSHOT = { date: snapshot.date, source: snapshot.source } as const;

export function snapshotInstanceFacts(instanceType: string): InstanceTypeFacts | undefined {
  const row = (snapshot.types as unknown as Record<string, Row | undefined>)[instanceType];
  if (!row) return undefined;
  const [vcpus, threadsPerCore, memoryMib, architecture, enclaves, hibernation] = row;
  return {
    instanceType,
    vcpus,
    threadsPerCore,
    memoryMib,
    architecture,
    nitroEnclavesSupported: enclaves === 1,
    hibernationSupported: hibernation === 1,
  };
}
