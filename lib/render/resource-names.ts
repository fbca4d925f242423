import { sha256Hex } from './canonical-json';

/**
 * Deterministic names, ownership tags and idempotency tokens for what a pool creates. Everything
 * here is derived from the pool id and the cluster name, so every pass (and every retry of a
 * pass) arrives at the same names without remembering them.
 */

export const MANAGED_BY_VALUE = 'enclave-pools';

export const OwnershipTagKey = {
  ManagedBy: 'enclave-pools:managed-by',
  Pool: 'enclave-pools:pool',
  Cluster: 'enclave-pools:cluster',
  /** On the launch template only: lets a deletion find the node group without the spec. */
  Nodegroup: 'enclave-pools:nodegroup',
  /** The deployment (service + stage) that owns the resource; see resolveDeploymentId. */
  Deployment: 'enclave-pools:deployment',
} as const;

/** Prefix of a launch template version's description that carries the hash of its data. */
export const DATA_HASH_DESCRIPTION_PREFIX = 'enclave-pools:data-hash=';

/** EC2 launch template names: 3-128 characters of `[a-zA-Z0-9().\-/_]`. */
const LAUNCH_TEMPLATE_NAME_MAX = 128;
const LAUNCH_TEMPLATE_NAME_INVALID = /[^a-zA-Z0-9().\-/_]/g;

/**
 * `enclave-pools-<cluster>-<pool>`. The cluster is part of the name (unlike CAPA's
 * `<controlPlane>-<pool>`) so two clusters with a pool of the same name never share a template.
 * Over-long names are cut and suffixed with a hash of the full name, so they stay unique.
 */
export function launchTemplateName(clusterName: string, poolId: string): string {
  const full = `enclave-pools-${clusterName}-${poolId}`.replace(LAUNCH_TEMPLATE_NAME_INVALID, '_');
  if (full.length <= LAUNCH_TEMPLATE_NAME_MAX) return full;
  const suffix = `-${sha256Hex(full).slice(0, 12)}`;
  return `${full.slice(0, LAUNCH_TEMPLATE_NAME_MAX - suffix.length)}${suffix}`;
}

/** The tags that mark a launch template or node group as this system's, for this pool. */
export function ownershipTags(
  clusterName: string,
  poolId: string,
  deploymentId?: string,
): Record<string, string> {
  return {
    [OwnershipTagKey.ManagedBy]: MANAGED_BY_VALUE,
    [OwnershipTagKey.Pool]: poolId,
    [OwnershipTagKey.Cluster]: clusterName,
    ...(deploymentId ? { [OwnershipTagKey.Deployment]: deploymentId } : {}),
  };
}

/**
 * Why a resource's tags do not make it ours, or undefined when they do. Every ownership tag must
 * be present with our value: a template named like ours but made by hand, or by another pool
 * whose name sanitised to the same string, is reported and never adopted.
 */
export function ownershipProblem(
  tags: Record<string, string> | undefined,
  clusterName: string,
  poolId: string,
  deploymentId?: string,
): string | undefined {
  const expected = ownershipTags(clusterName, poolId, deploymentId);
  const missing = Object.entries(expected)
    .filter(([key, value]) => tags?.[key] !== value)
    .map(([key, value]) => `${key}=${value}`);
  if (missing.length === 0) return undefined;
  return `it lacks the ownership tag(s) ${missing.join(', ')}`;
}

/** The version description that records the data hash. EC2 limits descriptions to 255 characters. */
export function dataHashDescription(dataHash: string): string {
  return `${DATA_HASH_DESCRIPTION_PREFIX}${dataHash}`;
}

export function dataHashFromDescription(description: string | undefined): string | undefined {
  if (!description?.startsWith(DATA_HASH_DESCRIPTION_PREFIX)) return undefined;
  const hash = description.slice(DATA_HASH_DESCRIPTION_PREFIX.length).trim();
  return /^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
}

/**
 * Idempotency tokens (EC2 `ClientToken`, EKS `clientRequestToken`; both at most 64 ASCII
 * characters). The parts name what the request means (pool, data hash, the version it builds on),
 * so an SDK-level retry of the same request reuses the token, while a later, different request
 * (even for the same data, after the spec changed back) gets a new one.
 */
export function idempotencyToken(kind: string, ...parts: Array<string | number>): string {
  return `ep-${kind}-${sha256Hex([kind, ...parts].join('\u0000')).slice(0, 40)}`;
}
