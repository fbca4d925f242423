/**
 * Which clusters and node roles specs may name in this deployment (docs/security.md "Trust
 * boundary"): serverless.yml params allowedClusters / allowedNodeRoles, given to the functions as
 * ALLOWED_CLUSTERS / ALLOWED_NODE_ROLES. IAM enforces them with resource ARNs; validation enforces
 * them too, so a spec naming another cluster or role is refused with a rule and a fix before any AWS
 * call, instead of an AccessDenied halfway through a pass.
 *
 * Entries are comma (or space) separated and use IAM's wildcards (`*` any run of characters, `?` one
 * character), as the IAM resource ARNs do. An unset or empty setting means no restriction (the CLI
 * outside a deployment); `*` allows everything, as the default allowedClusters does.
 */

export const ALLOWED_CLUSTERS_SETTING = 'ALLOWED_CLUSTERS';
export const ALLOWED_NODE_ROLES_SETTING = 'ALLOWED_NODE_ROLES';

export interface DeploymentAllowList {
  /** undefined: any cluster. */
  clusters?: readonly string[];
  /** undefined: any role. */
  nodeRoles?: readonly string[];
}

function entries(value: string | undefined): string[] | undefined {
  const list = (value ?? '').split(/[\s,]+/).filter(Boolean);
  return list.length > 0 ? list : undefined;
}

export function allowListFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): DeploymentAllowList {
  const clusters = entries(env[ALLOWED_CLUSTERS_SETTING]);
  const nodeRoles = entries(env[ALLOWED_NODE_ROLES_SETTING]);
  return { ...(clusters ? { clusters } : {}), ...(nodeRoles ? { nodeRoles } : {}) };
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** True when `name` matches one entry of the list (or the list does not restrict). */
export function allowedBy(list: readonly string[] | undefined, name: string): boolean {
  return list === undefined || list.some((pattern) => wildcard(pattern).test(name));
}
