import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../lib/cli/main';
import { captureIo, noAwsServices } from './cli-test-io';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'specs');
const SEED = path.join(FIXTURES, 'valid', 'seed-pool.yaml');
const AMI_TYPE = path.join(FIXTURES, 'invalid', 'ami-type-al2.yaml');
const LABEL_MISSING = path.join(FIXTURES, 'invalid', 'device-plugin-label-missing.yaml');
const ENV = { KUBERNETES_VERSION: '1.35' };

async function run(args: string[], env: Record<string, string> = ENV) {
  const io = captureIo(env);
  const code = await runCli(args, io, noAwsServices());
  return { code, out: io.out(), err: io.err() };
}

describe('enclave-pools validate', () => {
  it('exits 0 and prints a summary for the seed', async () => {
    expect(await run(['validate', SEED])).toEqual({
      code: 0,
      out: `${SEED}: valid (0 errors, 0 warnings)\n`,
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
    const { code, out } = await run(['validate', LABEL_MISSING]);
    expect(code).toBe(0);
    expect(out).toContain('WARNING DevicePluginLabelMissing');
    expect(out).toContain('valid (0 errors, 1 warning)');
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
    [['validate', SEED, '--bogus'], "Unknown option '--bogus'"],
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
