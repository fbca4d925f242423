import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsCallCounter } from '../../../infra/local/aws-call-counter';
import type { AwsClients } from '../../../lib/aws/client-factory';
import {
  createLiveFactsReader,
  DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS,
  liveFactsRefreshAgeMs,
} from '../../../lib/aws/live-facts-reader';
import { runCli } from '../../../lib/cli/main';
import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';
import type { Violation } from '../../../lib/pool-spec';
import { checkLiveRules, liveFactsRequest } from '../../../lib/rules/live-rules';
import { namedClients } from '../../support/run-cli';
import { type SeededWorld, sandboxClients, seedWorld } from '../../support/sandbox';
import { captureIo } from '../../unit/cli/cli-test-io';

/**
 * The live rules against the sandbox's real EC2/EKS answers: its Local Zone and Wavelength Zone
 * subnets, a non-enclave instance type, unknown ids. Every test also proves that validation made
 * no AWS write (a middleware counts every command that is not a Describe, Get or List call).
 */

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'specs');
const SEED = readFileSync(path.join(FIXTURES, 'valid', 'seed-pool.yaml'), 'utf8');
const variables = { KUBERNETES_VERSION: '1.35' };

let world: SeededWorld;
let clients: AwsClients;
let counter: AwsCallCounter;

beforeEach(async () => {
  world = await seedWorld();
  clients = sandboxClients();
  counter = new AwsCallCounter(clients);
});

afterEach(() => {
  expect(counter.writes()).toEqual([]);
});

async function validateLive(text: string): Promise<Violation[]> {
  const offline = validatePoolSpec(text, { variables });
  if (!offline.liveInput) return offline.violations;
  const facts = await createLiveFactsReader(clients).gather(liveFactsRequest(offline.liveInput));
  return [...offline.violations, ...checkLiveRules(offline.liveInput, facts)];
}

function withSubnets(ids: string[]): string {
  return SEED.replace('  amiType: CUSTOM\n', `  amiType: CUSTOM\n  subnetIDs: [${ids.join(', ')}]\n`);
}

function withZones(names: string[]): string {
  return SEED.replace(
    '  amiType: CUSTOM\n',
    `  amiType: CUSTOM\n  availabilityZones: [${names.join(', ')}]\n`,
  );
}

describe('live validation against the sandbox', () => {
  it('passes the seed example, reading only', async () => {
    expect(await validateLive(SEED)).toEqual([]);
    expect(counter.calls.sort()).toEqual(
      [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeSubnets',
        'eks:DescribeCluster',
      ].sort(),
    );
  });

  it('passes explicit subnets in regular zones', async () => {
    expect(await validateLive(withSubnets(world.privateSubnetIds))).toEqual([]);
  });

  it("rejects the Local Zone subnet with CAPA's reason, naming the subnet, its zone and both fixes", async () => {
    const local = world.localZoneSubnet;
    const violations = await validateLive(withSubnets([world.privateSubnetIds[0] ?? '', local.subnetId]));
    expect(violations).toEqual([
      {
        rule: 'NitroEnclaveEdgeZoneUnsupported',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: spec.subnetIDs[1]',
        value: local.subnetId,
        message: expect.stringContaining(`${local.subnetId} in ${local.zoneName}, a Local Zone`),
      },
    ]);
    expect(violations[0]?.message).toContain(
      'Nitro Enclaves are not supported in Local Zones or Wavelength Zones',
    );
    expect(violations[0]?.message).toContain(`either remove subnet ${local.subnetId} from spec.subnetIDs`);
    expect(violations[0]?.message).toContain(
      'or disable enclaves (spec.awsLaunchTemplate.enclaveOptions.enabled: false)',
    );
  });

  it('rejects the Wavelength Zone subnet', async () => {
    const wavelength = world.wavelengthZoneSubnet;
    const violations = await validateLive(withSubnets([wavelength.subnetId]));
    expect(violations.map((v) => [v.rule, v.value])).toEqual([
      ['NitroEnclaveEdgeZoneUnsupported', wavelength.subnetId],
    ]);
    expect(violations[0]?.message).toContain('a Wavelength Zone');
  });

  it('rejects edge zones named in availabilityZones, including the not-opted-in Wavelength Zone', async () => {
    const violations = await validateLive(
      withZones([world.localZoneSubnet.zoneName, world.wavelengthZoneSubnet.zoneName]),
    );
    expect(violations.map((v) => [v.rule, v.path])).toEqual([
      ['NitroEnclaveEdgeZoneUnsupported', 'AWSManagedMachinePool/my-node-pool: spec.availabilityZones[0]'],
      ['NitroEnclaveEdgeZoneUnsupported', 'AWSManagedMachinePool/my-node-pool: spec.availabilityZones[1]'],
    ]);
  });

  it('accepts edge subnets when enclaves are disabled (and the enclave-only parts are removed)', async () => {
    const text = withSubnets([world.localZoneSubnet.subnetId])
      .replace('    enclaveOptions:\n      enabled: true\n', '')
      .replace('  labels:\n    aws-nitro-enclaves-k8s-dp: enabled\n', '')
      .replace(/ {4}- 'sed[^\n]*\n/g, '')
      .replace('    - systemctl enable --now nitro-enclaves-allocator.service\n', '');
    expect(await validateLive(text)).toEqual([]);
  });

  it('rejects an instance type without Nitro Enclaves support', async () => {
    const violations = await validateLive(SEED.replace('instanceType: m5.xlarge', 'instanceType: t3.large'));
    expect(violations.map((v) => [v.rule, v.value])).toEqual([['InstanceTypeNotEnclaveCapable', 't3.large']]);
    expect(violations[0]?.message).toContain('NitroEnclavesSupport');
  });

  it('rejects unknown ids: instance type, subnet, zone and cluster', async () => {
    const text = withSubnets(['subnet-0123456789abcdef0'])
      .replace('instanceType: m5.xlarge', 'instanceType: m5.bogus')
      .replace(/clusterName: my-cluster/g, 'clusterName: no-such-cluster')
      .replace('  amiType: CUSTOM\n', '  amiType: CUSTOM\n  availabilityZones: [eu-west-1z]\n');
    const violations = await validateLive(text);
    expect(violations.map((v) => v.rule).sort()).toEqual(
      ['AvailabilityZoneNotFound', 'ClusterNotFound', 'InstanceTypeUnknown', 'SubnetNotFound'].sort(),
    );
  });

  it('checks the allocator against the real instance shape', async () => {
    const text = SEED.replace('cpu_count: 2/', 'cpu_count: 4/').replace(
      'memory_mib: 768/',
      'memory_mib: 15000/',
    );
    const violations = await validateLive(text);
    expect(violations.map((v) => [v.rule, v.path])).toEqual([
      ['AllocatorCpuExceedsInstance', 'NodeadmConfig/my-node-pool-bootstrap: spec.preNodeadmCommands[1]'],
      ['AllocatorMemoryExceedsInstance', 'NodeadmConfig/my-node-pool-bootstrap: spec.preNodeadmCommands[2]'],
    ]);
  });

  it('reads each fact once per reader', async () => {
    const offline = validatePoolSpec(withSubnets(world.privateSubnetIds), { variables });
    if (!offline.liveInput) throw new Error('expected live input');
    const reader = createLiveFactsReader(clients);
    const request = liveFactsRequest(offline.liveInput);
    const first = await reader.gather(request);
    const second = await reader.gather(request);
    expect(second).toEqual(first);
    expect(first.cluster).toMatchObject({
      name: world.cluster.name,
      endpoint: world.cluster.endpoint,
      certificateAuthority: world.cluster.certificateAuthorityData,
      serviceIpv4Cidr: world.cluster.serviceIpv4Cidr,
      kubernetesVersion: world.cluster.version,
    });
    expect(counter.calls.filter((c) => c === 'eks:DescribeCluster')).toHaveLength(1);
    expect(counter.calls.filter((c) => c === 'ec2:DescribeSubnets')).toHaveLength(1);
  });
});

describe('enclave-pools validate --live', () => {
  const services = () => ({ awsClients: namedClients(clients) });

  it('exits 0 for the seed and 1 for a Local Zone subnet', async () => {
    const seedIo = captureIo(variables);
    expect(
      await runCli(
        ['validate', path.join(FIXTURES, 'valid', 'seed-pool.yaml'), '--live'],
        seedIo,
        services(),
      ),
    ).toBe(0);
    expect(seedIo.out()).toContain('valid (0 errors, 0 warnings)');

    const file = path.join(mkdtempSync(path.join(tmpdir(), 'enclave-pools-live-')), 'local-zone.yaml');
    writeFileSync(file, withSubnets([world.localZoneSubnet.subnetId]));
    const io = captureIo({});
    const code = await runCli(
      ['validate', file, '--live', '--var', 'KUBERNETES_VERSION=1.35'],
      io,
      services(),
    );
    expect(code).toBe(1);
    expect(io.out()).toContain(
      `ERROR NitroEnclaveEdgeZoneUnsupported AWSManagedMachinePool/my-node-pool: spec.subnetIDs[0]: spec.subnetIDs[0] is ${world.localZoneSubnet.subnetId}`,
    );
  });

  it('runs the whole invalid corpus with --live without a single AWS write', async () => {
    const dir = path.join(FIXTURES, 'invalid');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    // One run over every file: one live reader, so the corpus stays well inside the test timeout.
    const io = captureIo({ KUBERNETES_VERSION: '1.35' });
    const code = await runCli(
      ['validate', ...files.map((f) => path.join(dir, f)), '--live', '--output', 'json'],
      io,
      services(),
    );
    expect(code).toBe(1);
    expect(io.err()).toBe('');
    const report = JSON.parse(io.out()) as { files: Array<{ file: string; valid: boolean }> };
    expect(report.files).toHaveLength(files.length);
    const failed = report.files.filter((f) => !f.valid).length;
    expect(failed).toBeGreaterThan(files.length / 2);
    // The live rules really read AWS (the reader reads each fact once per run).
    expect(counter.calls).toEqual(
      expect.arrayContaining(['eks:DescribeCluster', 'ec2:DescribeInstanceTypes']),
    );
  });
});

describe('cached live facts', () => {
  it('are reused until their entry reaches its refresh age, then read again', async () => {
    const offline = validatePoolSpec(SEED, { variables });
    if (!offline.liveInput) throw new Error('the seed example has no live input');
    const request = liveFactsRequest(offline.liveInput);
    const readAt = Date.parse('2026-12-01T00:00:00.000Z');
    const at = (ms: number) => createLiveFactsReader(clients, { now: () => new Date(ms) });
    const { cache } = await at(readAt).gatherCached(request, undefined);
    const refreshAt =
      readAt + Math.ceil(liveFactsRefreshAgeMs(cache, DEFAULT_LIVE_FACTS_MAX_AGE_SECONDS * 1000));

    counter.reset();
    const reused = await at(refreshAt - 1).gatherCached(request, cache);
    expect(reused.cache).toBe(cache);
    expect(counter.calls).toEqual(['eks:DescribeCluster']);

    counter.reset();
    const refreshed = await at(refreshAt).gatherCached(request, cache);
    expect(refreshed.cache.readAt).toBe(new Date(refreshAt).toISOString());
    expect(counter.calls.filter((call) => call.startsWith('ec2:')).sort()).toEqual([
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeInstanceTypeOfferings',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeSubnets',
    ]);
  });
});
