import { COMMANDS } from '../../../lib/cli/main';
import { runCliCaptured } from '../../support/run-cli';

describe('--help', () => {
  it.each(COMMANDS.map((c) => [c.name]))('%s --help prints its usage and exits 0', async (name) => {
    const run = await runCliCaptured([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^usage: enclave-pools ${name} `));
  });

  it('lists every command', async () => {
    const run = await runCliCaptured(['--help']);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name} `);
    expect(COMMANDS.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'apply',
        'plan',
        'get',
        'describe',
        'watch',
        'delete',
        'roll',
        'validate',
        'lint-pods',
        'manifests',
      ]),
    );
  });

  it.each([
    [['get'], 'get needs a resource: pools'],
    [['get', 'pools', '-o', 'csv'], '-o csv is not an output format'],
    [['describe', 'pool'], 'describe pool needs the pool name'],
    [['describe', 'nodes', 'x'], '"nodes" is not a resource; use pool'],
    [['describe', 'pool', 'a', 'b'], 'describe shows one pool at a time'],
    [['describe', 'pool', 'a', '-o', 'table'], '-o table is not an output format; use one of json, yaml'],
    [['watch'], 'watch needs the pool name'],
    [['watch', 'a', 'b'], 'watch follows one pool'],
    [['watch', 'a', '--interval', 'fast'], '--interval fast is not a duration'],
    [['delete'], 'delete needs the pool name'],
    [['delete', 'a', 'b'], 'delete removes one pool at a time'],
    [['apply'], 'apply needs the pool spec: -f FILE'],
    [['apply', '-f', 'a.yaml', 'b.yaml'], 'apply takes one spec file'],
    [['apply', '-f', 'a.yaml', '--store', 'redis'], '--store redis is not a spec store'],
    [['plan'], 'plan needs the pool spec: -f FILE'],
    [['plan', 'a.yaml', 'b.yaml'], 'plan takes one spec file'],
    [['plan', '-f', 'a.yaml', '-o', 'yaml'], '--output must be "text" or "json"'],
    [['plan', '-f', '/nonexistent.yaml'], 'cannot read /nonexistent.yaml: no such file'],
  ])('%p is a usage error (exit 2) that says what to do', async (argv, message) => {
    const run = await runCliCaptured(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(2);
  });
});
