import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * serverless.yml as the Serverless Framework resolves it (`osls print`), so the local event path is
 * built from the same definitions as a deployment. Resolving takes a few seconds, so the result is
 * cached under .sandbox/ keyed by the file's hash and the variables that feed it.
 */
export interface ServiceDefinition {
  service: string;
  provider: { stage: string; region: string; environment: Record<string, string> };
  functions: Record<string, { handler: string; name?: string; events?: unknown[] }>;
  custom: { maxReceiveCount: number | string; names: Record<string, string> };
  resources: { Resources: Record<string, CloudFormationResource> };
}

export interface CloudFormationResource {
  Type: string;
  Properties: Record<string, unknown>;
}

const execFileAsync = promisify(execFile);

export async function loadServiceDefinition(
  projectRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceDefinition> {
  const source = await readFile(join(projectRoot, 'serverless.yml'), 'utf8');
  const inputs = [
    'AWS_REGION',
    'SPEC_BUCKET',
    'KUBERNETES_VERSION',
    'STAGE',
    'SETTLE_SECONDS',
    'SOURCE_MAP',
  ].map((key) => `${key}=${env[key] ?? ''}`);
  const key = createHash('sha256').update(source).update(inputs.join('\n')).digest('hex').slice(0, 16);
  const cacheDir = join(projectRoot, '.sandbox');
  const cacheFile = join(cacheDir, `service-definition-${key}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as ServiceDefinition;
  } catch {
    // Not cached yet: resolve below.
  }
  const stage = env.STAGE || 'dev';
  const { stdout } = await execFileAsync(
    join(projectRoot, 'node_modules', '.bin', 'osls'),
    ['print', '--format', 'json', '--stage', stage],
    { cwd: projectRoot, env: { ...env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const definition = JSON.parse(stdout) as ServiceDefinition;
  await mkdir(cacheDir, { recursive: true });
  // Write then rename: parallel test workers may resolve the same file at once.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(definition));
  await rename(partial, cacheFile);
  return definition;
}

/** How the event source of one function's SQS event batches, as serverless.yml declares it. */
export interface SqsEventBatching {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
}

/**
 * The batching of the SQS event that feeds `functionName` from the queue resource `queueLogicalId`.
 * Lambda's defaults (batch size 10, window 0) apply to what the event leaves out; a function without
 * that event is a mistake in the caller or in serverless.yml, so it throws.
 */
export function sqsEventBatching(
  definition: ServiceDefinition,
  functionName: string,
  queueLogicalId: string,
): SqsEventBatching {
  const events = definition.functions[functionName]?.events ?? [];
  for (const event of events) {
    const sqs = (event as { sqs?: Record<string, unknown> }).sqs;
    const arn = sqs?.arn as { 'Fn::GetAtt'?: unknown[] } | undefined;
    if (!sqs || arn?.['Fn::GetAtt']?.[0] !== queueLogicalId) continue;
    return {
      batchSize: Number(sqs.batchSize ?? 10),
      maximumBatchingWindowSeconds: Number(sqs.maximumBatchingWindow ?? 0),
    };
  }
  throw new Error(
    `serverless.yml: function ${functionName} has no sqs event on ${queueLogicalId}; ` +
      `add one (functions.${functionName}.events[].sqs.arn: !GetAtt ${queueLogicalId}.Arn)`,
  );
}
