/**
 * `npm run smoke:aws -- --cluster NAME --region R --yes-i-have-a-test-account`
 *
 * One pass against a REAL account, for a human to run (it cannot run in the sandbox or in CI): deploy
 * a throw-away stage, apply one enclave pool to an existing EKS cluster, wait for Ready (the CLI's
 * watch shows progress), check that the launch template, the node group and its instances have
 * enclaves on, then delete the pool and remove the stage, also when a step failed. It costs money:
 * one m5.xlarge for the duration. Refuses without the flag, without credentials, and when
 * AWS_ENDPOINT_URL points somewhere else (the sandbox).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAwsClients } from '../../lib/aws/all-clients';
import { clientSettingsFromEnv } from '../../lib/aws/client-factory';
import { credentialsProblem, enclaveChecks } from '../../lib/aws/smoke-checks';

const ROOT = path.join(__dirname, '..', '..');
const FLAG = 'yes-i-have-a-test-account';
const USAGE = `usage: npm run smoke:aws -- --cluster NAME --region REGION --${FLAG} [--stage NAME] [--kubernetes-version 1.35]`;

export interface SmokeIo {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Runs a command in the repository, output shown; returns its exit code. */
  run: (command: string, args: string[], env: NodeJS.ProcessEnv) => number;
}

const defaultIo: SmokeIo = {
  env: process.env,
  log: (line) => console.log(line),
  run: (command, args, env) => spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' }).status ?? 1,
};

export async function smoke(argv: string[], io: SmokeIo = defaultIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        cluster: { type: 'string' },
        region: { type: 'string' },
        stage: { type: 'string' },
        'kubernetes-version': { type: 'string' },
        [FLAG]: { type: 'boolean' },
      },
    }));
  } catch (error: unknown) {
    io.log(`smoke:aws refused: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const cluster = values.cluster as string | undefined;
  const region = values.region as string | undefined;
  if (values[FLAG] !== true) {
    io.log(
      `smoke:aws refused: it creates a stage, a node group and an EC2 instance in a real account and costs money; ` +
        `pass --${FLAG} to confirm the account is a test account\n${USAGE}`,
    );
    return 2;
  }
  if (!cluster || !region) {
    io.log(`smoke:aws refused: --cluster and --region are required\n${USAGE}`);
    return 2;
  }
  if (io.env.AWS_ENDPOINT_URL) {
    io.log(
      `smoke:aws refused: AWS_ENDPOINT_URL is ${io.env.AWS_ENDPOINT_URL}; this is for real AWS, unset it`,
    );
    return 2;
  }
  const env: NodeJS.ProcessEnv = { ...io.env, AWS_REGION: region };
  const clients = createAwsClients(clientSettingsFromEnv(env));
  const noCredentials = await credentialsProblem(clients);
  if (noCredentials) {
    io.log(
      `smoke:aws refused: no AWS credentials (${noCredentials}); set a profile or keys for the test account`,
    );
    return 2;
  }

  const stamp = Date.now().toString(36);
  const stage = (values.stage as string | undefined) ?? `smoke-${stamp}`;
  const pool = `smoke-${stamp}`;
  const stageEnv: NodeJS.ProcessEnv = {
    ...env,
    STAGE: stage,
    SPEC_BUCKET: `enclave-pools-${stage}-specs-${stamp}`,
    KUBERNETES_VERSION:
      (values['kubernetes-version'] as string | undefined) ?? env.KUBERNETES_VERSION ?? '1.35',
  };
  const cli = (...args: string[]) => io.run('npx', ['enclave-pools', ...args], stageEnv);
  const step = (name: string) => io.log(`\n== smoke:aws: ${name}`);
  let deployed = false;
  let applied = false;
  let failed = false;
  try {
    step(`deploy stage ${stage} to ${region}`);
    if (io.run('npx', ['osls', 'deploy', '--stage', stage, '--region', region], stageEnv) !== 0) return 1;
    deployed = true;

    step(`apply pool ${pool} to cluster ${cluster}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'smoke-aws-'));
    const file = path.join(dir, `${pool}.yaml`);
    const seed = readFileSync(path.join(ROOT, 'examples', 'enclave-pool.yaml'), 'utf8');
    writeFileSync(file, seed.replaceAll('my-node-pool', pool).replaceAll('my-cluster', cluster));
    if (cli('apply', '-f', file, '--no-preview') !== 0) return 1;
    applied = true;

    step('wait for Ready (progress below)');
    if (cli('watch', pool, '--timeout', '45m') !== 0) return 1;

    step('check enclaves on the launch template, the node group and the instances');
    const checks = await enclaveChecks(clients, cluster, pool);
    for (const check of checks) io.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.what}: ${check.detail}`);
    failed = checks.some((c) => !c.ok);
    return failed ? 1 : 0;
  } finally {
    if (applied) {
      step(`delete pool ${pool}`);
      if (cli('delete', 'pool', pool, '--yes', '--wait', '--timeout', '30m') !== 0)
        io.log('delete failed: clean up by hand');
    }
    if (deployed) {
      step(`remove stage ${stage}`);
      if (io.run('npx', ['osls', 'remove', '--stage', stage, '--region', region], stageEnv) !== 0) {
        io.log(`osls remove failed: empty the stage's bucket ${stageEnv.SPEC_BUCKET} and run it again`);
      }
    }
  }
}

if (require.main === module) {
  smoke(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
