/**
 * Deployment settings read from the environment. One place, so the Lambda, the CLI, the sandbox
 * and the tests agree on the region and the resource names.
 */

/** The region used when neither AWS_REGION nor AWS_DEFAULT_REGION is set (documented in README). */
export const DEFAULT_REGION = 'eu-west-1';

export function resolveRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
}

/**
 * Who this deployment is, as stamped on everything it creates (`enclave-pools:deployment`): two
 * stages in one account then refuse each other's templates and node groups instead of fighting
 * over them. serverless.yml sets STAGE; DEPLOYMENT_ID overrides the whole value.
 */
export function resolveDeploymentId(env: NodeJS.ProcessEnv = process.env): string {
  return env.DEPLOYMENT_ID || `enclave-pools-${env.STAGE || 'dev'}`;
}

export interface ResourceNames {
  specBucket: string;
  specPrefix: string;
  specTable: string;
  statusTable: string;
  leaseTable: string;
  reconcileQueue: string;
  deadLetterQueue: string;
  eventBus: string;
}

/** Names default to the ones serverless.yml creates for the `dev` stage. */
export function resolveResourceNames(env: NodeJS.ProcessEnv = process.env): ResourceNames {
  const stage = env.STAGE || 'dev';
  const base = `enclave-pools-${stage}`;
  return {
    specBucket: env.SPEC_BUCKET || `${base}-specs`,
    specPrefix: env.SPEC_PREFIX ?? 'pools/',
    specTable: env.SPEC_TABLE || `${base}-specs`,
    statusTable: env.STATUS_TABLE || `${base}-status`,
    leaseTable: env.LEASE_TABLE || `${base}-leases`,
    reconcileQueue: env.RECONCILE_QUEUE || `${base}-reconcile`,
    deadLetterQueue: env.DEAD_LETTER_QUEUE || `${base}-reconcile-dlq`,
    eventBus: env.EVENT_BUS || 'default',
  };
}
