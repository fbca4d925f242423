/**
 * `npm start` as a user runs it (the start script itself, on free ports so it never meets a
 * sandbox someone already runs): the sandbox, serverless-offline running the functions, the event
 * path from serverless.yml, and the example pool reaching Ready.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findFreePort } from '../../../infra/sandbox/sandbox-process';

jest.setTimeout(180000);

const PROJECT_ROOT = join(__dirname, '../../..');

it('brings the example pool to Ready through serverless-offline, then stops everything it started', async () => {
  const sandboxPort = await findFreePort();
  const lambdaPort = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SANDBOX_PORT: String(sandboxPort),
    OFFLINE_LAMBDA_PORT: String(lambdaPort),
  };
  delete env.AWS_ENDPOINT_URL;
  const child = spawn(
    join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    ['infra/scripts/start.ts', '--exit-when-ready'],
    {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  expect({ code, output }).toMatchObject({ code: 0 });
  expect(output).toContain(`endpoint     http://127.0.0.1:${sandboxPort}`);
  expect(output).toContain(`Functions (serverless-offline) on http://127.0.0.1:${lambdaPort}`);
  expect(output).toMatch(
    /my-node-pool: Ready=True {2}SpecValid=True {2}LaunchTemplateReady=True {2}EKSNodegroupReady=True/,
  );
  expect(output).toMatch(/my-node-pool is Ready: [\d.]+ s after the spec was written/);
  // Everything it started is gone: the sandbox port is free again.
  await expect(fetch(`http://127.0.0.1:${sandboxPort}/moto-api/`)).rejects.toThrow();
});
