import { resolveDeploymentId } from '../config';
import type { PlanPolicy } from '../plan/plan-types';

/**
 * Requeue delays and version retention. The defaults suit AWS: a roll takes minutes to hours and
 * EKS sends no completion event, so a pass in flight checks back every 30 s (well under SQS's
 * 900 s delay cap). `RECONCILE_REQUEUE_SECONDS` sets every delay at once, so tests and the sandbox
 * can run a whole roll in seconds.
 */
export const DEFAULT_REQUEUE_SECONDS = {
  creating: 30,
  updating: 30,
  deleting: 20,
  busy: 15,
} as const;

export const DEFAULT_MAX_LAUNCH_TEMPLATE_VERSIONS = 5;

/** Plans and executes at most this many times per pass; each step is one batch of actions. */
export const MAX_STEPS_PER_PASS = 6;

function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function planPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): PlanPolicy {
  const all = positiveInteger(env.RECONCILE_REQUEUE_SECONDS);
  const max = positiveInteger(env.LAUNCH_TEMPLATE_VERSIONS_KEPT);
  return {
    deploymentId: resolveDeploymentId(env),
    requeueSeconds: {
      creating: all ?? DEFAULT_REQUEUE_SECONDS.creating,
      updating: all ?? DEFAULT_REQUEUE_SECONDS.updating,
      deleting: all ?? DEFAULT_REQUEUE_SECONDS.deleting,
      busy: all ?? DEFAULT_REQUEUE_SECONDS.busy,
    },
    maxLaunchTemplateVersions: max !== undefined && max >= 2 ? max : DEFAULT_MAX_LAUNCH_TEMPLATE_VERSIONS,
  };
}
