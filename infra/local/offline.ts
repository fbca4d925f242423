import { type ChildProcess, spawn } from 'node:child_process';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SqsInvoker } from './sqs-event-source';

/**
 * The functions of serverless.yml run by the Serverless Framework's offline mode (serverless-offline
 * through osls), pointed at the sandbox. It serves the Lambda Invoke API on `lambdaPort`, and runs
 * the scheduled resync itself.
 */
export interface RunningOffline {
  lambdaEndpoint: string;
  /** Invokes a function by its deployed name (`<service>-<stage>-<function>`). */
  invoker(functionName: string): SqsInvoker;
  stop(): Promise<void>;
}

export interface OfflineOptions {
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  lambdaPort?: number;
  /** Its HTTP server's port; default lambdaPort - 2 (serverless.yml's 3000 beside 3002). */
  httpPort?: number;
  startTimeoutMs?: number;
  /** Offline's own output (function logs), line by line. */
  onOutput?: (line: string) => void;
}

export async function startOffline(options: OfflineOptions): Promise<RunningOffline> {
  const lambdaPort = options.lambdaPort ?? 3002;
  const child = spawn(
    `${options.projectRoot}/node_modules/.bin/osls`,
    [
      'offline',
      'start',
      '--lambdaPort',
      String(lambdaPort),
      '--httpPort',
      String(options.httpPort ?? lambdaPort - 2),
    ],
    { cwd: options.projectRoot, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lambdaEndpoint = `http://127.0.0.1:${lambdaPort}`;
  await waitForListening(child, options, lambdaEndpoint);

  const lambda = new LambdaClient({
    endpoint: lambdaEndpoint,
    region: options.env.AWS_REGION ?? 'eu-west-1',
    credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    maxAttempts: 1,
  });
  return {
    lambdaEndpoint,
    invoker: (functionName) => async (event: SQSEvent) => {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
      );
      const payload = Buffer.from(out.Payload ?? []).toString('utf8');
      if (out.FunctionError) throw new Error(`${functionName} failed: ${payload}`);
      return payload ? (JSON.parse(payload) as SQSBatchResponse) : undefined;
    },
    stop: () => stopChild(child),
  };
}

function waitForListening(child: ChildProcess, options: OfflineOptions, endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const output: string[] = [];
    const timer = setTimeout(() => {
      settled = true;
      void stopChild(child);
      reject(
        new Error(
          `serverless-offline did not start within ${options.startTimeoutMs ?? 60000} ms:\n${output.join('\n')}`,
        ),
      );
    }, options.startTimeoutMs ?? 60000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        options.onOutput?.(line);
        if (!settled && line.includes(`listening on ${endpoint}`)) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`serverless-offline exited with ${code} before it was ready:\n${output.join('\n')}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT');
  });
}
