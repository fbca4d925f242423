import path from 'node:path';
import {
  ensurePackagedTemplate,
  loadPackagedPolicies,
  type PackagedPolicies,
} from '../../../infra/iam/packaged-policies';
import { type AuthorizationRequest, PolicyEvaluator } from '../../../infra/iam/policy-evaluator';
import { renderPipeEvent } from '../../../infra/local/pipe-runner';

/**
 * The template `npx osls package` writes, read as AWS will read it: IAM statements with nothing left
 * for the framework to resolve, condition values AWS actually sets, a pipe template that renders
 * JSON, and the reconcile role's guards evaluated by the IAM evaluator the sandbox uses.
 */

const projectRoot = path.resolve(__dirname, '../../..');
const region = 'eu-west-1';
const account = '123456789012';
let packaged: PackagedPolicies;

beforeAll(() => {
  ensurePackagedTemplate(projectRoot);
  packaged = loadPackagedPolicies(projectRoot, region);
}, 120_000);

type Json = unknown;

/** Every policy document in the template: role policies and resource policies. */
function policyDocuments(): Array<{ where: string; document: Json }> {
  const documents: Array<{ where: string; document: Json }> = [];
  for (const [logicalId, resource] of Object.entries(packaged.template.Resources)) {
    const properties = resource.Properties ?? {};
    for (const policy of (properties.Policies ?? []) as Array<{ PolicyDocument: Json }>) {
      documents.push({ where: `${logicalId} (inline policy)`, document: policy.PolicyDocument });
    }
    for (const key of ['PolicyDocument', 'AssumeRolePolicyDocument']) {
      if (properties[key]) documents.push({ where: `${logicalId}.${key}`, document: properties[key] });
    }
  }
  return documents;
}

function walk(
  value: Json,
  visit: (key: string | undefined, value: Json, path: string) => void,
  at = '',
): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, visit, `${at}[${index}]`);
    });
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      visit(key, item, `${at}.${key}`);
      walk(item, visit, `${at}.${key}`);
    }
    return;
  }
  visit(undefined, value, at);
}

describe('the packaged template', () => {
  it('has no unresolved variable ($-brace) in any IAM statement: not in a key, not in a value once CloudFormation resolves it', () => {
    const unresolved: string[] = [];
    for (const { where, document } of policyDocuments()) {
      walk(document, (key, _value, at) => {
        if (key?.includes('${')) unresolved.push(`${where}${at}: key ${key}`);
      });
    }
    for (const role of Object.values(packaged.roles)) {
      for (const policy of role.policies) {
        walk(policy.document, (key, value, at) => {
          if (key === undefined && typeof value === 'string' && value.includes('${')) {
            unresolved.push(`${role.logicalId}${at}: ${value}`);
          }
        });
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('conditions on aws:CalledVia only with the services that set it (Athena, CloudFormation, DynamoDB, KMS)', () => {
    const setByAws = new Set(
      ['athena', 'cloudformation', 'dynamodb', 'kms'].map((service) => `${service}.amazonaws.com`),
    );
    const wrong: string[] = [];
    let calledViaConditions = 0;
    for (const { where, document } of policyDocuments()) {
      walk(document, (key, value, at) => {
        if (!key || !/^aws:CalledVia(First|Last)?$/i.test(key)) return;
        calledViaConditions++;
        for (const service of [value].flat()) {
          if (typeof service !== 'string' || !setByAws.has(service))
            wrong.push(`${where}${at}: ${String(service)}`);
        }
      });
    }
    expect(wrong).toEqual([]);
    // Today the functions need no CalledVia at all: EKS's checks run on the caller's own permissions.
    expect(calledViaConditions).toBe(0);
  });

  it('caps the reconcile pollers on the event source, not with reserved concurrency a small account cannot give', () => {
    const resources = Object.values(packaged.template.Resources);
    const reserved = resources.filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved).toEqual([]);
    const mappings = resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map((m) => m.Properties?.ScalingConfig)).toEqual([{ MaximumConcurrency: 5 }]);
  });

  it('has a Pipe InputTemplate that renders a DynamoDB stream record as JSON', () => {
    const pipes = Object.entries(packaged.template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Pipes::Pipe',
    );
    expect(pipes.length).toBeGreaterThan(0);
    const record = {
      eventID: '1',
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: { poolId: { S: 'my-node-pool' } },
        SequenceNumber: '100',
        StreamViewType: 'KEYS_ONLY',
      },
    };
    for (const [, pipe] of pipes) {
      const parameters = pipe.Properties?.TargetParameters as { InputTemplate?: string } | undefined;
      const rendered = renderPipeEvent(parameters?.InputTemplate ?? '', record);
      expect(rendered).toEqual({ detail: expect.any(String) });
      expect(JSON.parse((rendered as { detail: string }).detail)).toEqual({
        poolId: 'my-node-pool',
        eventName: 'MODIFY',
      });
    }
  });
});

describe("the reconcile function's role, evaluated", () => {
  const evaluator = new PolicyEvaluator();
  const ours = {
    'enclave-pools:managed-by': 'enclave-pools',
    'enclave-pools:deployment': 'enclave-pools-dev',
  };
  const foreign = { team: 'payments' };
  const tagContext = (prefix: string, tags: Record<string, string>) =>
    Object.fromEntries(Object.entries(tags).map(([key, value]) => [`${prefix}/${key}`, value]));
  const requestTags = (tags: Record<string, string>) => ({
    ...tagContext('aws:RequestTag', tags),
    'aws:TagKeys': Object.keys(tags),
  });
  const nodegroupArn = `arn:aws:eks:${region}:${account}:nodegroup/my-cluster/my-node-pool/0ac8`;
  const launchTemplateArn = `arn:aws:ec2:${region}:${account}:launch-template/lt-0123456789abcdef0`;

  const allowed = async (request: AuthorizationRequest): Promise<boolean> => {
    const roleId = packaged.functionRoles.reconcile ?? '';
    const role = packaged.roles[roleId];
    if (!role) throw new Error('no reconcile role in the packaged template');
    const decision = await evaluator.evaluate({ arn: role.roleArn, policies: role.policies }, request);
    return decision.allowed;
  };

  it('may tag only node groups already ours, only with our tags, and never a cluster', async () => {
    const retag = (resourceTags: Record<string, string>, resource = nodegroupArn) =>
      allowed({
        action: 'eks:TagResource',
        resource,
        context: { ...tagContext('aws:ResourceTag', resourceTags), ...requestTags(ours) },
      });
    expect(await retag(ours)).toBe(true);
    // A foreign node group stamped with our tags would then pass the update / delete guards: refused.
    expect(await retag(foreign)).toBe(false);
    expect(await retag(ours, `arn:aws:eks:${region}:${account}:cluster/my-cluster`)).toBe(false);
  });

  it('creates node groups only with the ownership tags in the request', async () => {
    const create = (tags: Record<string, string>) =>
      allowed({
        action: 'eks:CreateNodegroup',
        resource: `arn:aws:eks:${region}:${account}:cluster/my-cluster`,
        context: requestTags(tags),
      });
    expect(await create(ours)).toBe(true);
    expect(await create(foreign)).toBe(false);
  });

  it('changes and deletes only node groups and launch templates that carry our tags', async () => {
    for (const action of ['eks:UpdateNodegroupVersion', 'eks:UpdateNodegroupConfig', 'eks:DeleteNodegroup']) {
      expect(
        await allowed({ action, resource: nodegroupArn, context: tagContext('aws:ResourceTag', ours) }),
      ).toBe(true);
      expect(
        await allowed({ action, resource: nodegroupArn, context: tagContext('aws:ResourceTag', foreign) }),
      ).toBe(false);
    }
    for (const action of [
      'ec2:CreateLaunchTemplateVersion',
      'ec2:DeleteLaunchTemplateVersions',
      'ec2:DeleteLaunchTemplate',
    ]) {
      const context = (tags: Record<string, string>) => ({
        ...tagContext('aws:ResourceTag', tags),
        ...tagContext('ec2:ResourceTag', tags),
      });
      expect(await allowed({ action, resource: launchTemplateArn, context: context(ours) })).toBe(true);
      expect(await allowed({ action, resource: launchTemplateArn, context: context(foreign) })).toBe(false);
    }
  });

  it('passes and reads only the allowed node roles, and passes them only to EKS', async () => {
    const role = (name: string) => `arn:aws:iam::${account}:role/${name}`;
    const defaultRole = role('eks-nodegroup.cluster-api-provider-aws.sigs.k8s.io');
    const toEks = { 'iam:PassedToService': 'eks.amazonaws.com' };
    expect(await allowed({ action: 'iam:PassRole', resource: defaultRole, context: toEks })).toBe(true);
    expect(await allowed({ action: 'iam:PassRole', resource: role('Admin'), context: toEks })).toBe(false);
    expect(
      await allowed({
        action: 'iam:PassRole',
        resource: defaultRole,
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      }),
    ).toBe(false);
    expect(await allowed({ action: 'iam:GetRole', resource: defaultRole, context: {} })).toBe(true);
    expect(await allowed({ action: 'iam:GetRole', resource: role('Admin'), context: {} })).toBe(false);
  });

  it('lets EKS launch and tag instances from our launch template only, with our tags', async () => {
    const launch = { 'ec2:LaunchTemplate': launchTemplateArn };
    const instance = `arn:aws:ec2:${region}:${account}:instance/*`;
    expect(
      await allowed({
        action: 'ec2:RunInstances',
        resource: instance,
        context: { ...launch, ...requestTags(ours) },
      }),
    ).toBe(true);
    expect(
      await allowed({
        action: 'ec2:RunInstances',
        resource: instance,
        context: { ...launch, ...requestTags(foreign) },
      }),
    ).toBe(false);
    expect(
      await allowed({
        action: 'ec2:RunInstances',
        resource: launchTemplateArn,
        context: { ...launch, ...tagContext('aws:ResourceTag', foreign) },
      }),
    ).toBe(false);
    expect(
      await allowed({
        action: 'ec2:CreateTags',
        resource: instance,
        context: { ...requestTags(ours), 'ec2:CreateAction': 'RunInstances' },
      }),
    ).toBe(true);
    expect(
      await allowed({
        action: 'ec2:CreateTags',
        resource: instance,
        context: { ...requestTags(ours), 'ec2:CreateAction': 'CreateTags' },
      }),
    ).toBe(false);
    // Without a launch template none of the network and image resources may be used.
    expect(
      await allowed({
        action: 'ec2:RunInstances',
        resource: `arn:aws:ec2:${region}:${account}:subnet/subnet-1`,
        context: {},
      }),
    ).toBe(false);
  });

  it('grants nothing the functions never call (ModifyLaunchTemplate, DeleteItem)', () => {
    const actions = Object.values(packaged.roles)
      .filter((role) => Object.values(packaged.functionRoles).includes(role.logicalId))
      .flatMap((role) =>
        role.policies.flatMap((policy) => policy.document.Statement.flatMap((s) => [s.Action ?? []].flat())),
      );
    expect(actions).not.toContain('ec2:ModifyLaunchTemplate');
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });
});
