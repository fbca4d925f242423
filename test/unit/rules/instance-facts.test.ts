import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { INSTANCE_FACTS_SNAPSHOT, snapshotInstanceFacts } from '../../../lib/rules/instance-facts';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('the instance facts snapshot', () => {
  it('is exactly what the generator script makes from the DescribeInstanceTypes data in the sandbox venv', () => {
    const out = execFileSync(
      path.join(ROOT, 'infra', 'sandbox', '.venv', 'bin', 'python'),
      [path.join(ROOT, 'infra', 'scripts', 'instance-facts-snapshot.py'), '--check'],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/up to date \(\d+ types\)/);
    expect(INSTANCE_FACTS_SNAPSHOT.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    [
      'm5.xlarge',
      { vcpus: 4, threadsPerCore: 2, memoryMib: 16384, architecture: 'x86_64', nitroEnclavesSupported: true },
    ],
    [
      'm7g.large',
      { vcpus: 2, threadsPerCore: 1, memoryMib: 8192, architecture: 'arm64', nitroEnclavesSupported: true },
    ],
    [
      't3.large',
      { vcpus: 2, threadsPerCore: 2, memoryMib: 8192, architecture: 'x86_64', nitroEnclavesSupported: false },
    ],
  ])('knows %s', (type, facts) => {
    expect(snapshotInstanceFacts(type)).toMatchObject({ instanceType: type, ...facts });
  });

  it('knows nothing about a type that does not exist', () => {
    expect(snapshotInstanceFacts('m99.xlarge')).toBeUndefined();
  });
});
