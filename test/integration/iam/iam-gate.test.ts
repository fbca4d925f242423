import path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { type RunningIamGate, startIamGate } from '../../../infra/iam/iam-gate';
import { loadPackagedPolicies, type PackagedPolicies } from '../../../infra/iam/packaged-policies';
import { functionCredentials } from '../../../infra/iam/sandbox-principals';
import { createAwsClients } from '../../../lib/aws/all-clients';
import { createReconcileDeps, reconcile } from '../../../lib/reconcile';
import { iamGateStats, sandboxEndpoint } from '../../support/sandbox';
import { POOL_ID, SEED_SPEC, useReconcileHarness } from '../reconcile/reconcile-harness';

/**
 * The sandbox's IAM gate evaluates each function call against the function's packaged role. Proof
 * that it is on and that it bites: the same scenario, through a gate whose policy lacks one needed
 * permission, fails exactly where AWS would, with AWS's error.
 */

const projectRoot = path.resolve(__dirname, '../../..');
const region = process.env.AWS_REGION ?? 'eu-west-1';

/** The packaged policies with `action` removed from every statement of the reconcile role. */
function withoutPermission(action: string) {
  return (policyRegion: string): PackagedPolicies => {
    const policies = loadPackagedPolicies(projectRoot, policyRegion);
    const role = policies.roles[policies.functionRoles.reconcile ?? ''];
    if (!role) throw new Error('no reconcile role in the packaged template');
    let removed = 0;
    for (const policy of role.policies) {
      policy.document.Statement = policy.document.Statement.flatMap((statement) => {
        const actions = [statement.Action ?? []].flat();
        if (!actions.includes(action)) return [statement];
        removed++;
        const rest = actions.filter((a) => a !== action);
        return rest.length > 0 ? [{ ...statement, Action: rest }] : [];
      });
    }
    if (removed === 0) throw new Error(`the reconcile role never grants ${action}`);
    return policies;
  };
}

const h = useReconcileHarness();
let gate: RunningIamGate | undefined;
beforeEach(async () => {
  await h.s3Specs.put(POOL_ID, SEED_SPEC);
});
afterEach(async () => {
  await gate?.close();
  gate = undefined;
});

async function reconcileThroughGate(missing: string) {
  // A second gate, in front of the worker's sandbox, with one permission fewer.
  gate = await startIamGate({
    port: 0,
    upstream: sandboxEndpoint(),
    projectRoot,
    policies: withoutPermission(missing),
  });
  const env = {
    ...process.env,
    KUBERNETES_VERSION: '1.35',
    RECONCILE_REQUEUE_SECONDS: '1',
    SETTLE_SECONDS: '0',
  };
  const clients = createAwsClients({
    region,
    endpoint: gate.endpoint,
    maxAttempts: 1,
    credentials: functionCredentials('reconcile'),
  });
  const deps = createReconcileDeps(env, clients);
  const outcomes = [];
  for (let pass = 0; pass < 6; pass++) {
    const outcome = await reconcile(POOL_ID, deps);
    outcomes.push(outcome);
    if (outcome.kind !== 'requeue') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return outcomes.at(-1);
}

describe('the IAM gate', () => {
  it('evaluates every call of the reconcile function against its packaged role, and the seed pool needs nothing more', async () => {
    const before = await iamGateStats();
    const outcomes = await h.settle();
    const after = await iamGateStats();

    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
    const role = Object.keys(after.evaluatedRequests).find((arn) => arn.includes('-reconcile-'));
    expect(role).toBeDefined();
    const evaluated =
      (after.evaluatedRequests[role ?? ''] ?? 0) - (before.evaluatedRequests[role ?? ''] ?? 0);
    // Every call the counter saw went through the gate as the reconcile role.
    expect(evaluated).toBeGreaterThanOrEqual(h.counter.calls.length);
    expect(after.denials.length).toBe(before.denials.length);
  });

  it('refuses CreateNodegroup with AccessDeniedException when the role lacks eks:CreateNodegroup: no node group', async () => {
    const outcome = await reconcileThroughGate('eks:CreateNodegroup');

    expect(outcome).toMatchObject({ kind: 'terminal' });
    expect(JSON.stringify(outcome)).toContain('AccessDeniedException');
    expect(JSON.stringify(outcome)).toContain('is not authorized to perform: eks:CreateNodegroup');
    expect(await h.nodegroup()).toBeUndefined();
    // What was allowed happened: the launch template exists.
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1]);
    expect(gate?.stats().denials.map((d) => d.action)).toEqual(['eks:CreateNodegroup']);
  });

  it('refuses CreateNodegroup when the caller may not pass the node role: EKS checks iam:PassRole on the caller', async () => {
    const outcome = await reconcileThroughGate('iam:PassRole');

    expect(JSON.stringify(outcome)).toContain('iam:PassRole');
    expect(await h.nodegroup()).toBeUndefined();
    expect(gate?.stats().denials.map((d) => d.action)).toEqual(['iam:PassRole']);
  });

  it('refuses CreateNodegroup when the caller may not run instances from the launch template', async () => {
    const outcome = await reconcileThroughGate('ec2:RunInstances');

    expect(JSON.stringify(outcome)).toContain('ec2:RunInstances');
    expect(await h.nodegroup()).toBeUndefined();
  });

  it("answers a refused call in each service's own error shape", async () => {
    gate = await startIamGate({
      port: 0,
      upstream: sandboxEndpoint(),
      projectRoot,
      // A role with no permission at all.
      policies: (policyRegion) => {
        const policies = loadPackagedPolicies(projectRoot, policyRegion);
        for (const policy of policies.roles[policies.functionRoles.reconcile ?? '']?.policies ?? []) {
          policy.document.Statement = [];
        }
        return policies;
      },
    });
    const clients = createAwsClients({
      region,
      endpoint: gate.endpoint,
      maxAttempts: 1,
      credentials: functionCredentials('reconcile'),
    });
    const errorName = (call: Promise<unknown>) =>
      call.then(
        () => 'allowed',
        (error: unknown) => (error instanceof Error ? error.name : String(error)),
      );

    expect(await errorName(clients.ec2.send(new DescribeLaunchTemplatesCommand({})))).toBe(
      'UnauthorizedOperation',
    );
    expect(
      await errorName(clients.eks.send(new DescribeClusterCommand({ name: h.world.cluster.name }))),
    ).toBe('AccessDeniedException');
    expect(
      await errorName(
        clients.dynamodb.send(
          new GetItemCommand({ TableName: 'enclave-pools-dev-status', Key: { poolId: { S: 'x' } } }),
        ),
      ),
    ).toBe('AccessDeniedException');
    expect(
      await errorName(clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'enclave-pools-dev-reconcile' }))),
    ).toBe('AccessDenied');
    expect(await errorName(clients.ssm.send(new GetParameterCommand({ Name: '/aws/service/eks/x' })))).toBe(
      'AccessDeniedException',
    );
    expect(
      await errorName(
        clients.s3.send(new GetObjectCommand({ Bucket: 'enclave-pools-dev-specs', Key: 'pools/x.yaml' })),
      ),
    ).toBe('AccessDenied');
    expect(await errorName(clients.iam.send(new GetRoleCommand({ RoleName: 'x' })))).toBe('AccessDenied');
  });
});
