/**
 * The variables `${VAR}` placeholders may use: by ALLOW-LIST, only the names the deployment declares
 * (KUBERNETES_VERSION, plus the names listed in SPEC_VARIABLES, serverless.yml's `specVariables`),
 * taken from its environment (the Lambda's, or the shell running the CLI), plus explicit overrides
 * (`--var NAME=VALUE`). A Lambda's environment holds credentials, the runtime API, table names and
 * whatever secrets an operator added under any name: a deny-list cannot know them all, so nothing
 * undeclared is ever offered; a placeholder naming it is VariableUnset.
 *
 * Names that look like credentials are never offered, even when set: a spec author must not be able
 * to copy the reconciler's AWS keys into node labels or user data by writing
 * `${AWS_SECRET_ACCESS_KEY}`. Overrides given on the command line are taken as the user meant them.
 */

export type Variables = Readonly<Record<string, string>>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const CREDENTIAL_NAME =
  /^(AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN|PROFILE|CONTAINER_AUTHORIZATION_TOKEN\w*|CONTAINER_CREDENTIALS\w*)|.*(SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY).*)$/i;

export function isCredentialLikeName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** Always declared: the cluster's Kubernetes version for `spec.version`. */
export const BUILT_IN_SPEC_VARIABLES = ['KUBERNETES_VERSION'] as const;
/** The environment variable that lists further declared names (comma or space separated). */
export const SPEC_VARIABLES_SETTING = 'SPEC_VARIABLES';

function declaredVariableNames(env: Readonly<Record<string, string | undefined>>): string[] {
  const listed = (env[SPEC_VARIABLES_SETTING] ?? '').split(/[\s,]+/).filter(Boolean);
  return [...new Set([...BUILT_IN_SPEC_VARIABLES, ...listed])].filter(
    (name) => isVariableName(name) && !isCredentialLikeName(name),
  );
}

export function variablesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string>> = {},
): Variables {
  const variables: Record<string, string> = {};
  for (const name of declaredVariableNames(env)) {
    const value = env[name];
    if (value !== undefined) variables[name] = value;
  }
  for (const [name, value] of Object.entries(overrides)) variables[name] = value;
  return variables;
}
