import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensurePackagedTemplate } from '../infra/iam/packaged-policies';
import {
  findFreePort,
  SANDBOX_STATE_DIR,
  type SandboxHandle,
  startSandbox,
} from '../infra/sandbox/sandbox-process';

/**
 * Starts one sandbox per jest worker before any test file runs, each on a port the OS hands out,
 * so parallel test files never share state and test runs started at the same time by different
 * people never share a sandbox. setup-env.ts picks a worker's sandbox by JEST_WORKER_ID.
 */

interface JestGlobalConfig {
  maxWorkers: number;
}

declare global {
  var __SANDBOXES__: SandboxHandle[] | undefined;
}

async function startOnFreePort(worker: number): Promise<SandboxHandle> {
  const logFile = path.join(SANDBOX_STATE_DIR, `jest-worker-${worker}.log`);
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      // Warm-up parses every service model: on a saturated machine that alone can pass 30 s.
      return await startSandbox({
        port,
        reuseRunning: false,
        exitWithParent: true,
        logFile,
        readyTimeoutMs: Number(process.env.SANDBOX_READY_TIMEOUT_MS) || 120_000,
      });
    } catch (error: unknown) {
      // Another process may grab the port between the probe and the bind: try a fresh one.
      if (attempt >= 3) throw error;
    }
  }
}

export default async function globalSetup(globalConfig: JestGlobalConfig): Promise<void> {
  // Each project that needs the sandbox runs this; the first one starts it for all.
  if (process.env.SANDBOX_SKIP === '1' || globalThis.__SANDBOXES__) return;
  const root = path.resolve(__dirname, '..');
  execFileSync('bash', [path.join(root, 'infra', 'sandbox', 'setup.sh')], { stdio: 'inherit' });
  // The sandboxes' IAM gate evaluates against the packaged template: package once, before they start.
  ensurePackagedTemplate(root);
  const count = Math.max(1, globalConfig.maxWorkers);
  const sandboxes = await Promise.all(Array.from({ length: count }, (_, i) => startOnFreePort(i + 1)));
  globalThis.__SANDBOXES__ = sandboxes;
  // Workers are forked after global setup and inherit this.
  process.env.SANDBOX_ENDPOINTS = sandboxes.map((s) => s.endpoint).join(',');
}
