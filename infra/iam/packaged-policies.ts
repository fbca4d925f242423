import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveIntrinsics, SANDBOX_ACCOUNT_ID } from '../local/provision';

/**
 * The IAM roles of the packaged template (`osls package` → .serverless/), with their policies resolved
 * for the sandbox's account and region: what the IAM gate evaluates each call against, and what the
 * template tests read. Nothing here is hand-copied from serverless.yml: a change there is a change
 * in what the sandbox enforces.
 */

export const PACKAGED_TEMPLATE = path.join('.serverless', 'cloudformation-template-update-stack.json');

/** The files whose change makes the packaged template stale. */
const TEMPLATE_INPUTS = ['serverless.yml', path.join('infra', 'iam', 'policy-parts.cjs')];

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PackagedRole {
  logicalId: string;
  roleName: string;
  roleArn: string;
  /** Inline policies, as in the template (intrinsics resolved). */
  policies: Array<{ name: string; document: PolicyDocument }>;
}

export interface PackagedPolicies {
  /** Every AWS::IAM::Role by logical id. */
  roles: Record<string, PackagedRole>;
  /** The function keys of serverless.yml (`reconcile`, `resync`) → their role's logical id. */
  functionRoles: Record<string, string>;
  /** The template as packaged (unresolved), for static checks. */
  template: CloudFormationTemplate;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** True when .serverless/ holds a template at least as new as serverless.yml and its IAM parts. */
export function packagedTemplateIsFresh(projectRoot: string): boolean {
  const template = path.join(projectRoot, PACKAGED_TEMPLATE);
  if (!existsSync(template)) return false;
  const packagedAt = statSync(template).mtimeMs;
  return TEMPLATE_INPUTS.every((input) => statSync(path.join(projectRoot, input)).mtimeMs <= packagedAt);
}

/** Runs `osls package` when the packaged template is missing or older than its inputs. */
export function ensurePackagedTemplate(projectRoot: string, env: NodeJS.ProcessEnv = process.env): void {
  if (packagedTemplateIsFresh(projectRoot)) return;
  execFileSync(path.join(projectRoot, 'node_modules', '.bin', 'osls'), ['package'], {
    cwd: projectRoot,
    env: { ...env, SLS_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export function readPackagedTemplate(projectRoot: string): CloudFormationTemplate {
  const file = path.join(projectRoot, PACKAGED_TEMPLATE);
  if (!existsSync(file)) {
    throw new Error(`${PACKAGED_TEMPLATE} is missing: run \`npm run package\` (osls package) first`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as CloudFormationTemplate;
}

/**
 * The physical names and attributes the policies refer to, derived from the resources' own
 * properties the way CloudFormation and the sandbox name them (the provisioner uses the same names).
 */
function sandboxAttributes(template: CloudFormationTemplate, region: string) {
  const physicalIds: Record<string, string> = {};
  const attributes: Record<string, Record<string, string>> = {};
  const account = SANDBOX_ACCOUNT_ID;
  const resolve = (value: unknown) => resolveIntrinsics(value, physicalIds, attributes, region);
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = String(properties.TableName ?? logicalId);
        const arn = `arn:aws:dynamodb:${region}:${account}:table/${name}`;
        physicalIds[logicalId] = name;
        // The stream label is a creation timestamp, unknown until the table exists.
        attributes[logicalId] = { Arn: arn, StreamArn: `${arn}/stream/*` };
        break;
      }
      case 'AWS::SQS::Queue': {
        const name = String(properties.QueueName ?? logicalId);
        physicalIds[logicalId] = `http://sqs.${region}.localhost/${account}/${name}`;
        attributes[logicalId] = { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name };
        break;
      }
      case 'AWS::S3::Bucket': {
        const name = String(properties.BucketName ?? logicalId.toLowerCase());
        physicalIds[logicalId] = name;
        attributes[logicalId] = { Arn: `arn:aws:s3:::${name}` };
        break;
      }
      case 'AWS::Events::Rule': {
        const name = String(properties.Name ?? logicalId);
        physicalIds[logicalId] = name;
        attributes[logicalId] = { Arn: `arn:aws:events:${region}:${account}:rule/${name}` };
        break;
      }
    }
  }
  // Roles last: their names may refer to the region (Fn::Join).
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const name = String(resolve(resource.Properties?.RoleName ?? logicalId));
    physicalIds[logicalId] = name;
    attributes[logicalId] = { Arn: `arn:aws:iam::${account}:role/${name}` };
  }
  return { physicalIds, attributes, resolve };
}

/** The packaged roles, resolved for the sandbox (account 123456789012, the given region). */
export function loadPackagedPolicies(projectRoot: string, region: string): PackagedPolicies {
  const template = readPackagedTemplate(projectRoot);
  const { physicalIds, attributes, resolve } = sandboxAttributes(template, region);
  const roles: Record<string, PackagedRole> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const inline = (resource.Properties?.Policies ?? []) as Array<{
      PolicyName: unknown;
      PolicyDocument: unknown;
    }>;
    roles[logicalId] = {
      logicalId,
      roleName: physicalIds[logicalId] ?? logicalId,
      roleArn: attributes[logicalId]?.Arn ?? '',
      policies: inline.map((policy) => ({
        name: String(resolve(policy.PolicyName)),
        document: resolve(policy.PolicyDocument) as PolicyDocument,
      })),
    };
  }
  const functionRoles: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !logicalId.endsWith('LambdaFunction')) continue;
    const role = resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = role?.['Fn::GetAtt']?.[0];
    if (!roleId) continue;
    // The framework names a function's resource <Key>LambdaFunction with the key's first letter upper-cased.
    const base = logicalId.slice(0, -'LambdaFunction'.length);
    functionRoles[base.charAt(0).toLowerCase() + base.slice(1)] = roleId;
  }
  return { roles, functionRoles, template };
}
