import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import { startIamGate } from '../iam/iam-gate';
import { ensurePackagedTemplate } from '../iam/packaged-policies';

/**
 * Starts and stops the local AWS sandbox (moto plus infra/sandbox/moto_ext) from Node: the test
 * harness and `npm start` use this; the shell scripts start.sh/stop.sh do the same from a terminal.
 */

/** What GET /_sandbox/health of this project's sandbox answers. */
export const SANDBOX_SERVICE_NAME = 'enclave-pools-sandbox';
export const DEFAULT_SANDBOX_PORT = 4566;

const repoRoot = path.resolve(__dirname, '..', '..');
const sandboxDir = path.join(repoRoot, 'infra', 'sandbox');
const stateDir = path.join(repoRoot, '.sandbox');
const venvPython = path.join(sandboxDir, '.venv', 'bin', 'python');
const launcher = path.join(sandboxDir, 'launcher.py');

/**
 * How long a start may take to answer `ok`. Start-up plus warm-up takes ~3 s on a quiet machine but
 * was measured at 31-33 s (with and without the strict checks) at load average 22 on 2 cores, when
 * several engineers' suites start sandboxes at once; 30 s failed whole runs in global setup.
 */
const READY_TIMEOUT_MS = 120_000;

export interface SandboxHealth {
  status: string;
  service: string;
  moto: string;
  pid: number;
}

export interface StartSandboxOptions {
  /** Port on 127.0.0.1; default SANDBOX_PORT or 4566. */
  port?: number;
  /** Extra environment for the server (e.g. SANDBOX_ROLL_SECONDS). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds to wait for readiness; default 30 s. */
  readyTimeoutMs?: number;
  /** Make the server exit when this Node process dies (test runs); default true. */
  exitWithParent?: boolean;
  /** Use a sandbox of this project that already answers on the port instead of failing; default true. */
  reuseRunning?: boolean;
  /** Where the server's output goes; default .sandbox/sandbox-<port>.log. */
  logFile?: string;
  /**
   * Evaluate each function's calls against its packaged IAM role (infra/iam/iam-gate.ts) in front
   * of moto on `port`; default true. moto itself then listens on a free internal port.
   */
  iamGate?: boolean;
}

export interface SandboxHandle {
  endpoint: string;
  port: number;
  pid: number;
  logFile: string;
  /** True when an already running sandbox was adopted; stop() then leaves it running. */
  reused: boolean;
  stop(): Promise<void>;
}

export class SandboxStartError extends Error {
  override name = 'SandboxStartError';
}

/** The folder (gitignored) for sandbox logs and pid files. */
export const SANDBOX_STATE_DIR = stateDir;

export function sandboxEndpoint(port: number): string {
  return `http://127.0.0.1:${port}`;
}

function logFileFor(port: number): string {
  return path.join(stateDir, `sandbox-${port}.log`);
}

function pidFileFor(port: number): string {
  return path.join(stateDir, `sandbox-${port}.pid`);
}

function logTail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log written)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** One health probe: the sandbox's identity, or undefined when nothing (or something else) answers. */
export async function probeSandbox(endpoint: string, timeoutMs = 1000): Promise<SandboxHealth | undefined> {
  try {
    const response = await fetch(`${endpoint}/_sandbox/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const health = (await response.json()) as Partial<SandboxHealth>;
    return health.service === SANDBOX_SERVICE_NAME ? (health as SandboxHealth) : undefined;
  } catch {
    return undefined;
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portIsListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port that was free a moment ago (the OS picks it), for sandboxes that must not collide. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the OS assigned'));
      });
    });
  });
}

export interface WaitForSandboxOptions {
  timeoutMs?: number;
  /** The server process, so an early exit fails fast instead of waiting for the timeout. */
  child?: ChildProcess;
  /** Returns a reason when start-up can no longer succeed (e.g. the spawn failed). */
  failure?: () => string | undefined;
  logFile?: string;
}

/** Polls GET /_sandbox/health until this project's sandbox answers at `endpoint`. */
export async function waitForSandbox(
  endpoint: string,
  options: WaitForSandboxOptions = {},
): Promise<SandboxHealth> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const tail = () =>
    options.logFile ? `\nLast lines of ${options.logFile}:\n${logTail(options.logFile)}` : '';
  for (;;) {
    const child = options.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new SandboxStartError(
        `The sandbox server exited during start-up (code ${child.exitCode}, signal ${child.signalCode}).${tail()}`,
      );
    }
    const failure = options.failure?.();
    if (failure) throw new SandboxStartError(`The sandbox server could not start: ${failure}.${tail()}`);
    const health = await probeSandbox(endpoint, 500);
    if (health?.status === 'ok') return health;
    if (Date.now() >= deadline) {
      throw new SandboxStartError(`The sandbox at ${endpoint} was not ready after ${timeoutMs} ms.${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts the sandbox on 127.0.0.1:`port` with the project's venv python and waits until it serves.
 * Fails with the log tail when it cannot start, and refuses a port that another program holds.
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxHandle> {
  const port = options.port ?? Number(process.env.SANDBOX_PORT || DEFAULT_SANDBOX_PORT);
  const endpoint = sandboxEndpoint(port);
  const logFile = options.logFile ?? logFileFor(port);

  const running = await probeSandbox(endpoint);
  if (running) {
    if (options.reuseRunning === false) {
      throw new SandboxStartError(`A sandbox already runs on port ${port} (pid ${running.pid}).`);
    }
    await waitForSandbox(endpoint, { timeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS });
    return { endpoint, port, pid: running.pid, logFile, reused: true, stop: async () => {} };
  }
  if (await portIsListening(port)) {
    throw new SandboxStartError(
      `Port ${port} is in use by another program; stop it or choose another port (SANDBOX_PORT).`,
    );
  }
  if (!existsSync(venvPython)) {
    throw new SandboxStartError(
      `The sandbox's Python environment is missing (${venvPython}); run \`npm run sandbox:setup\` first.`,
    );
  }

  const gated = options.iamGate ?? true;
  // The gate evaluates against the packaged template: package first when serverless.yml is newer.
  if (gated) ensurePackagedTemplate(repoRoot);
  const motoPort = gated ? await findFreePort() : port;
  const motoEndpoint = sandboxEndpoint(motoPort);

  mkdirSync(stateDir, { recursive: true });
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'w');
  const args = [launcher, '--host', '127.0.0.1', '--port', String(motoPort)];
  if (options.exitWithParent ?? true) args.push('--parent-pid', String(process.pid));
  const child = spawn(venvPython, args, {
    cwd: repoRoot,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
    stdio: ['ignore', log, log],
  });
  // The child holds its own copy of the log descriptor.
  closeSync(log);
  let spawnError: string | undefined;
  child.once('error', (error) => {
    spawnError = error.message;
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new SandboxStartError(`Could not spawn ${venvPython}.\n${logTail(logFile)}`);
  }
  writeFileSync(pidFileFor(port), `${pid}\n`);

  let gate: Awaited<ReturnType<typeof startIamGate>> | undefined;
  const stop = async (): Promise<void> => {
    await gate?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 2000);
      }
    }
    rmSync(pidFileFor(port), { force: true });
  };

  try {
    await waitForSandbox(motoEndpoint, {
      timeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
      child,
      failure: () => spawnError,
      logFile,
    });
    if (gated) gate = await startIamGate({ port, upstream: motoEndpoint, projectRoot: repoRoot });
  } catch (error: unknown) {
    await stop();
    throw error;
  }
  return { endpoint, port, pid, logFile, reused: false, stop };
}
