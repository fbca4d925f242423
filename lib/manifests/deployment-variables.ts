/**
 * The variables `${VAR}` placeholders may use: the deployment's environment (the Lambda's, or the
 * shell running the CLI) plus explicit overrides (`--var NAME=VALUE`).
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

export function variablesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string>> = {},
): Variables {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !isVariableName(name) || isCredentialLikeName(name)) continue;
    variables[name] = value;
  }
  for (const [name, value] of Object.entries(overrides)) variables[name] = value;
  return variables;
}
