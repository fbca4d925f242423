/**
 * The real executable, spawned as a user runs it (`npx enclave-pools ...` runs bin/enclave-pools.mjs,
 * which runs the compiled CLI in dist/cli/, rebuilt here when older than its sources): exit codes,
 * help, one-line errors without stack traces unless --debug, colour only when asked.
 */

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operatorCredentials } from '../../../infra/iam/sandbox-principals';
import { provisionResources } from '../../../infra/local/provision';
import { loadServiceDefinition } from '../../../infra/local/service-definition';
import { olderThanSources } from '../../support/build-freshness';
import { sandboxClients, seedWorld } from '../../support/sandbox';

jest.setTimeout(120000);

const ROOT = join(__dirname, '../../..');
const BIN = join(ROOT, 'bin/enclave-pools.mjs');

beforeAll(() => {
  if (
    olderThanSources(
      ['dist/cli/main.mjs'],
      ['lib', 'bin', 'infra/scripts/build-cli.mjs', 'package-lock.json'],
    )
  )
    execFileSync(process.execPath, [join(ROOT, 'infra/scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
});

interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  nodeOptions: string[] = [],
): Promise<Spawned> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeOptions, BIN, ...args],
      {
        cwd: ROOT,
        // As an operator holding exactly docs/operator-policy.json (the sandbox's IAM gate checks it).
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: operatorCredentials().accessKeyId,
          AWS_SECRET_ACCESS_KEY: operatorCredentials().secretAccessKey,
          NO_COLOR: '',
          FORCE_COLOR: undefined,
          ...env,
        } as NodeJS.ProcessEnv,
        timeout: 50000,
      },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('bin/enclave-pools.mjs', () => {
  it('applies a spec to the sandbox and lists it, with exit 0 and no colour on a pipe', async () => {
    const world = await seedWorld();
    await provisionResources(sandboxClients(), await loadServiceDefinition(ROOT), world.region);

    const applied = await spawnCli(['apply', '-f', 'examples/enclave-pool.yaml', '--no-preview']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^pool my-node-pool created: s3:\/\/.*\/pools\/my-node-pool\.yaml/);

    const listed = await spawnCli(['get', 'pools']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^my-node-pool\s+my-cluster\s+m5\.xlarge\s+2 CPU, 768 MiB\s+-\s+-\s+Unknown \(NotReconciled\)/m,
    );
    expect(listed.stdout).not.toContain('\u001b[');

    const coloured = await spawnCli(['get', 'pools'], { FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[33mUnknown\u001b[39m');
  });

  it('loads only the SDK clients a command uses: DynamoDB and S3 for get pools, none for --help', async () => {
    const world = await seedWorld();
    await provisionResources(sandboxClients(), await loadServiceDefinition(ROOT), world.region);
    // A module hook that writes down every file the process loads (import and require alike).
    const dir = mkdtempSync(join(tmpdir(), 'cli-loads-'));
    const hook = join(dir, 'record-loads.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) appendFileSync(process.env.LOADED_FILES, url + '\\n');
    return nextLoad(url, context);
  },
});
`,
    );
    const sdkClientsLoaded = async (args: string[]) => {
      const log = join(dir, `${args.join('-').replace(/\W+/g, '-')}.log`);
      writeFileSync(log, '');
      const run = await spawnCli(args, { LOADED_FILES: log }, ['--import', hook]);
      expect(run.code).toBe(0);
      const files = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      // Each SDK client class is defined once in dist/cli (`EC2Client = class extends Client`).
      const defined = files.flatMap((url) =>
        [
          ...readFileSync(fileURLToPath(url), 'utf8').matchAll(
            /\b(\w+Client) = class (?:_\w+ )?extends Client\b/g,
          ),
        ].map((m) => m[1]),
      );
      return [...new Set(defined)].sort();
    };

    expect(await sdkClientsLoaded(['--help'])).toEqual([]);
    expect(await sdkClientsLoaded(['get', 'pools'])).toEqual([
      'DynamoDBClient',
      'DynamoDBDocumentClient',
      'S3Client',
    ]);
  });

  it('exits 2 on a usage error and 0 on --help', async () => {
    const usage = await spawnCli(['get', 'clusters']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(
      'error: "clusters" is not a resource; use pools\nhint: usage: enclave-pools get pools [NAME...] [-o table|json|yaml] [--all]\n',
    );
    const help = await spawnCli(['watch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'usage: enclave-pools watch NAME [--interval DURATION] [--timeout DURATION]',
    );
  });

  it('says a refused connection in its own words: what did not answer and what to start', async () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' };
    const plain = await spawnCli(['get', 'pools'], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(
      'error: nothing answers at http://127.0.0.1:9 (connection refused)\n' +
        'hint: start the local stack with "npm start" (it prints the exports to use), or point AWS_ENDPOINT_URL at a running one\n',
    );

    const debug = await spawnCli(['get', 'pools', '--debug'], env);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('names the option meant when given an unknown one, and prints no npm noise', async () => {
    const run = await spawnCli(['apply', '--file', 'examples/enclave-pool.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: unknown option --file; did you mean -f/--filename?\n' +
        'hint: usage: enclave-pools apply -f FILE [--store s3|dynamodb] [--var NAME=VALUE]... [--no-preview]\n',
    );
  });
});
