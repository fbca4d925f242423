import { smoke } from '../../../infra/scripts/smoke-aws';

/** The smoke test cannot run here (no real account); what can be tested is that it refuses to. */

function io(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const commands: string[] = [];
  return {
    lines,
    commands,
    io: {
      env,
      log: (line: string) => lines.push(line),
      run: (command: string, args: string[]) => {
        commands.push([command, ...args].join(' '));
        return 0;
      },
    },
  };
}

/** No credentials anywhere: no keys, no profile files, no instance metadata. */
const NO_CREDENTIALS = {
  PATH: process.env.PATH,
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const ARGS = ['--cluster', 'c1', '--region', 'eu-west-1'];

describe('npm run smoke:aws', () => {
  it('refuses without --yes-i-have-a-test-account, and runs nothing', async () => {
    const run = io({ ...NO_CREDENTIALS, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' });
    expect(await smoke(ARGS, run.io)).toBe(2);
    expect(run.lines.join('\n')).toContain('pass --yes-i-have-a-test-account');
    expect(run.commands).toEqual([]);
  });

  it('refuses without credentials, and runs nothing', async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, NO_CREDENTIALS);
    try {
      const run = io(NO_CREDENTIALS);
      expect(await smoke([...ARGS, '--yes-i-have-a-test-account'], run.io)).toBe(2);
      expect(run.lines.join('\n')).toContain('smoke:aws refused: no AWS credentials');
      expect(run.commands).toEqual([]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('refuses to run against the sandbox endpoint', async () => {
    const run = io({ ...NO_CREDENTIALS, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(await smoke([...ARGS, '--yes-i-have-a-test-account'], run.io)).toBe(2);
    expect(run.lines.join('\n')).toContain('AWS_ENDPOINT_URL');
    expect(run.commands).toEqual([]);
  });

  it('refuses without --cluster or --region', async () => {
    const run = io(NO_CREDENTIALS);
    expect(await smoke(['--yes-i-have-a-test-account', '--region', 'eu-west-1'], run.io)).toBe(2);
    expect(run.lines.join('\n')).toContain('--cluster and --region are required');
  });
});
