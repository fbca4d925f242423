import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../lib/cli/main';
import { captureIo, noAwsServices } from './cli-test-io';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'specs');
const SEED = path.join(FIXTURES, 'valid', 'seed-pool.yaml');
const AMI_TYPE = path.join(FIXTURES, 'invalid', 'ami-type-al2.yaml');
const LABEL_MISSING = path.join(FIXTURES, 'invalid', 'device-plugin-label-missing.yaml');
const HOP_LIMIT = path.join(FIXTURES, 'invalid', 'metadata-hop-limit.yaml');
const ENV = { KUBERNETES_VERSION: '1.35' };

async function run(args: string[], env: Record<string, string> = ENV) {
  const io = captureIo(env);
  const code = await runCli(args, io, noAwsServices());
  return { code, out: io.out(), err: io.err() };
}

describe('enclave-pools validate', () => {
  it('exits 0 for the seed, and does not call it "valid" while the AWS-side rules have not run', async () => {
    expect(await run(['validate', SEED])).toEqual({
      code: 0,
      out:
        `${SEED}: no errors (0 errors, 0 warnings); not checked: subnets, zones, instance type offerings and the ` +
        'cluster (existence, version skew, its security group): they need AWS, run with --live\n',
      err: '',
    });
  });

  it('prints one line per violation in the form SEVERITY rule path: message, then a summary', async () => {
    const { code, out } = await run(['validate', AMI_TYPE]);
    expect(code).toBe(1);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^ERROR AmiTypeMustBeCustom AWSManagedMachinePool\/my-node-pool: spec\.amiType: spec\.amiType is "AL2_x86_64"/,
    );
    expect(lines[1]).toBe(`${AMI_TYPE}: invalid (1 error, 0 warnings)`);
  });

  it('exits 0 with warnings only', async () => {
    const { code, out } = await run(['validate', HOP_LIMIT]);
    expect(code).toBe(0);
    expect(out).toContain('WARNING MetadataHopLimitTooLow');
    expect(out).toContain('no errors (0 errors, 1 warning); not checked: ');
  });

  it('exits 1 for an enclave pool without the device-plugin label (the plugin would never land)', async () => {
    const { code, out } = await run(['validate', LABEL_MISSING]);
    expect(code).toBe(1);
    expect(out).toContain(
      'ERROR DevicePluginLabelMissing AWSManagedMachinePool/my-node-pool: spec.labels.aws-nitro-enclaves-k8s-dp: ',
    );
    expect(out).toContain(`${LABEL_MISSING}: invalid (1 error, 0 warnings)`);
  });

  it('prints JSON on request', async () => {
    const { code, out } = await run(['validate', AMI_TYPE, '--output', 'json']);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.valid).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({
        file: AMI_TYPE,
        rule: 'AmiTypeMustBeCustom',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: spec.amiType',
        value: 'AL2_x86_64',
      }),
    ]);
  });

  it('prefixes lines with the file when given several files', async () => {
    const { code, out } = await run(['validate', SEED, AMI_TYPE]);
    expect(code).toBe(1);
    expect(out).toContain(`${AMI_TYPE}: ERROR AmiTypeMustBeCustom`);
    expect(out.trimEnd().split('\n').pop()).toBe('2 files checked: 1 valid, 1 invalid');
  });

  it('takes variables from the environment and from --var, the flag winning', async () => {
    expect((await run(['validate', SEED], {})).code).toBe(1);
    expect((await run(['validate', SEED, '--var', 'KUBERNETES_VERSION=1.34'], {})).code).toBe(0);
    const { out } = await run([
      'validate',
      SEED,
      '--var',
      'KUBERNETES_VERSION=not-a-version',
      '--output',
      'json',
    ]);
    expect(JSON.parse(out).violations[0].rule).toBe('InvalidFieldValue');
  });

  it('checks --pool-id against the MachinePool name', async () => {
    expect((await run(['validate', SEED, '--pool-id', 'my-node-pool'])).code).toBe(0);
    const { code, out } = await run(['validate', SEED, '--pool-id', 'other']);
    expect(code).toBe(1);
    expect(out).toContain('PoolNameMismatch');
  });

  it('reports an oversized file without reading it all', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enclave-pools-cli-'));
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 0x61));
    const { code, out } = await run(['validate', big]);
    expect(code).toBe(1);
    expect(out).toContain('ERROR DocumentTooLarge document: the document is 1048577 bytes');
  });

  it.each([
    [['validate'], 'validate needs at least one FILE'],
    [['validate', SEED, '--output', 'yaml'], '--output must be "human" or "json"'],
    [['validate', SEED, '--var', 'NOEQUALS'], '--var expects NAME=VALUE'],
    [['validate', SEED, '--var', '1BAD=x'], '--var expects NAME=VALUE'],
    [
      ['validate', SEED, '--bogus'],
      'unknown option --bogus; the options are --live, -o/--output, --var, --pool-id',
    ],
    [['validate', SEED, SEED, '--pool-id', 'x'], '--pool-id applies to one FILE'],
    [['validate', '/nonexistent/pool.yaml'], 'cannot read /nonexistent/pool.yaml: no such file'],
    [['validate', FIXTURES], 'it is a directory'],
  ])('usage error %j exits 2 with one line and a hint', async (args, message) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(2);
    expect(out).toBe('');
    const lines = err.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(message);
    expect(lines[1]).toMatch(/^hint: usage: enclave-pools validate FILE\.\.\./);
  });
});

describe('runCli', () => {
  it('lists commands on --help and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: enclave-pools <command>/);
    expect(out).toContain('validate');
  });

  it('shows command usage on validate --help', async () => {
    const { code, out } = await run(['validate', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('usage: enclave-pools validate FILE...');
  });

  it('exits 2 for no command and for an unknown command', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      'error: unknown command "frobnicate"\nhint: run "enclave-pools --help" for the list of commands\n',
    );
  });

  it('reports an unexpected failure in one line, with the stack only under --debug', async () => {
    const failing = await run(['validate', SEED, '--live']);
    expect(failing.code).toBe(1);
    expect(failing.err).toBe(
      'error: an offline command tried to create AWS clients\nhint: run again with --debug for details\n',
    );
    const debug = await run(['validate', SEED, '--live', '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.err).toMatch(/^error: an offline command tried to create AWS clients\nError: .*\n\s+at /);
  });
});

describe('enclave-pools validate offline, with the instance facts snapshot', () => {
  const SEED_TEXT = readFileSync(SEED, 'utf8');
  const dir = mkdtempSync(path.join(tmpdir(), 'validate-offline-'));
  const CPU = `'sed -i "s/cpu_count:.*/cpu_count: 2/" /etc/nitro_enclaves/allocator.yaml'`;
  const MEMORY = `'sed -i "s/memory_mib:.*/memory_mib: 768/" /etc/nitro_enclaves/allocator.yaml'`;

  function variant(name: string, replacements: Array<[string, string]>): string {
    let text = SEED_TEXT;
    for (const [from, to] of replacements) {
      if (!text.includes(from)) throw new Error(`${name}: ${from} not in the seed`);
      text = text.replace(from, to);
    }
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  }

  async function errors(file: string) {
    const { code, out } = await run(['validate', file, '--output', 'json']);
    const report = JSON.parse(out);
    return {
      code,
      violations: report.violations as Array<{ rule: string; path: string; value: unknown; message: string }>,
    };
  }

  it.each([
    [
      'an odd cpu_count on m5.xlarge',
      [[CPU, CPU.replace('cpu_count: 2', 'cpu_count: 3')]],
      ['AllocatorCpuNotFullCores', 'AllocatorCpuExceedsInstance'],
      /cpu_count 3 is not a multiple of 2, the threads per core of m5.xlarge.*use 2/,
    ],
    [
      'a cpu_count above vCPUs minus one core',
      [[CPU, CPU.replace('cpu_count: 2', 'cpu_count: 4')]],
      ['AllocatorCpuExceedsInstance'],
      /cpu_count 4 is more than m5.xlarge can give: it has 4 vCPUs.*at most 2; lower it/,
    ],
    [
      "a cpu_pool holding CPU 0's sibling (m5.2xlarge pairs k and k+4)",
      [
        ['instanceType: m5.xlarge', 'instanceType: m5.2xlarge'],
        [
          CPU,
          `'sed -i -e "/^cpu_count:/d" -e "s/^# cpu_pool:.*/cpu_pool: 2,4,6/" /etc/nitro_enclaves/allocator.yaml'`,
        ],
      ],
      ['AllocatorCpuPoolHoldsCpu0Sibling'],
      /cpu_pool 2,4,6 holds CPU 4, the sibling thread of CPU 0 on m5.2xlarge.*remove CPU 4/,
    ],
    [
      'a sed that leaves the stock file unchanged',
      [[MEMORY, MEMORY.replace('s/memory_mib:.*/', 's/memory_mib: 1024/')]],
      ['AllocatorEditHasNoEffect'],
      /matches no line of allocator.yaml.*"memory_mib: 512".*s\/\^memory_mib:\.\*\/memory_mib: …\//,
    ],
    [
      'a cpu_pool next to the remaining stock cpu_count',
      [[CPU, `'sed -i "s/^# cpu_pool:.*/cpu_pool: 1,3/" /etc/nitro_enclaves/allocator.yaml'`]],
      ['AllocatorCpuSettingConflict'],
      /cpu_count: 2 \(it stays from the stock file\) and cpu_pool: 1,3.*sed -i "\/\^cpu_count:\/d"/,
    ],
  ] as const)('rejects %s, naming field, value and fix', async (name, replacements, rules, message) => {
    const { code, violations } = await errors(
      variant(name.replace(/\W+/g, '-'), replacements as unknown as Array<[string, string]>),
    );
    expect(code).toBe(1);
    expect(violations.map((v) => v.rule)).toEqual(rules);
    expect(violations[0]?.path).toMatch(
      /^NodeadmConfig\/my-node-pool-bootstrap: spec\.preNodeadmCommands\[[12]\]$/,
    );
    expect(violations[0]?.value).toBeDefined();
    expect(violations[0]?.message).toMatch(message);
  });

  it('validates the seed and the repository examples clean', async () => {
    const examples = path.join(__dirname, '..', '..', '..', 'examples');
    for (const file of [SEED, ...readdirSync(examples).map((f) => path.join(examples, f))]) {
      const { code, violations } = await errors(file);
      expect([file, code, violations]).toEqual([file, 0, []]);
    }
  });

  it('names a type the snapshot does not know instead of guessing', async () => {
    const file = variant('unknown-type', [['instanceType: m5.xlarge', 'instanceType: m99.xlarge']]);
    const { code, out } = await run(['validate', file]);
    expect(code).toBe(0);
    expect(out).toContain('not checked: instance type m99.xlarge: not in the instance facts snapshot of');
  });
});
