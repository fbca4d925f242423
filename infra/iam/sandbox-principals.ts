/**
 * Who is calling the sandbox, told by the SigV4 access key id (the sandbox checks no signature). Each
 * function of serverless.yml has its own key, which the IAM gate maps to that function's packaged
 * role; the operator key maps to the CLI's documented policy (docs/operator-policy.json). Every
 * other key (the tests' and seeding's `test`, a user's own CLI) is the sandbox's administrator, as
 * today: set-up and inspection are not what is being checked.
 */

export interface SandboxCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const ADMIN_ACCESS_KEY_ID = 'test';
const FUNCTION_KEY_PREFIX = 'SANDBOXFN';
export const OPERATOR_ACCESS_KEY_ID = 'SANDBOXOPERATOR';
const SECRET = 'sandbox-secret';

/** The credentials a function's code runs with on the sandbox (Lambda gives each function its role's). */
export function functionCredentials(functionKey: string): SandboxCredentials {
  return { accessKeyId: `${FUNCTION_KEY_PREFIX}${functionKey.toUpperCase()}`, secretAccessKey: SECRET };
}

/** The credentials of an operator holding exactly the documented CLI policy. */
export function operatorCredentials(): SandboxCredentials {
  return { accessKeyId: OPERATOR_ACCESS_KEY_ID, secretAccessKey: SECRET };
}

export function adminCredentials(): SandboxCredentials {
  return { accessKeyId: ADMIN_ACCESS_KEY_ID, secretAccessKey: SECRET };
}

export type SandboxPrincipal =
  | { kind: 'admin' }
  | { kind: 'function'; functionKey: string }
  | { kind: 'operator' };

export function principalForAccessKey(accessKeyId: string): SandboxPrincipal {
  if (accessKeyId === OPERATOR_ACCESS_KEY_ID) return { kind: 'operator' };
  if (accessKeyId.startsWith(FUNCTION_KEY_PREFIX) && accessKeyId.length > FUNCTION_KEY_PREFIX.length) {
    return { kind: 'function', functionKey: accessKeyId.slice(FUNCTION_KEY_PREFIX.length).toLowerCase() };
  }
  return { kind: 'admin' };
}
