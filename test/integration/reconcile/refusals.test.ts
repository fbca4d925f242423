import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { CreateNodegroupCommand } from '@aws-sdk/client-eks';
import { StatusTable } from '../../../lib/aws/status-table';
import { createReconcileDeps, reconcile } from '../../../lib/reconcile';
import { runCliCaptured } from '../../support/run-cli';
import {
  conditionOf,
  LAUNCH_TEMPLATE_NAME,
  POOL_ID,
  SEED_SPEC,
  specWith,
  useReconcileHarness,
} from './reconcile-harness';

const h = useReconcileHarness();

const withSubnets = (ids: string[]): Array<[string, string]> => [
  ['  awsLaunchTemplate:\n', `  subnetIDs: [${ids.join(', ')}]\n  awsLaunchTemplate:\n`],
];

describe('reconcile: what it refuses to do', () => {
  it('refuses an edge-zone subnet with NitroEnclaveEdgeZoneUnsupported and no writes, then converges once it is removed', async () => {
    // Prepare
    const edge = h.world.localZoneSubnet.subnetId;
    const regular = h.world.privateSubnetIds[0] ?? '';
    await h.s3Specs.put('my-node-pool', specWith(withSubnets([regular, edge])));

    // Act
    const refused = await h.run();

    // Assess
    expect(refused).toMatchObject({ kind: 'terminal', reason: 'NitroEnclaveEdgeZoneUnsupported' });
    expect(h.counter.resourceWrites()).toEqual([]);
    expect(await h.launchTemplateVersions()).toEqual([]);
    const row = await h.statusRow();
    const condition = row?.conditions.find((c) => c.type === 'LaunchTemplateReady');
    expect(condition).toMatchObject({
      status: 'False',
      reason: 'NitroEnclaveEdgeZoneUnsupported',
      severity: 'Error',
    });
    expect(condition?.message).toContain(
      'Nitro Enclaves are not supported in Local Zones or Wavelength Zones',
    );
    expect(condition?.message).toContain(edge);
    expect(conditionOf(row, 'Ready')).toBe('False/NitroEnclaveEdgeZoneUnsupported');

    // Act: the user removes the edge subnet.
    await h.s3Specs.put('my-node-pool', specWith(withSubnets([regular])));
    const outcomes = await h.settle();

    // Assess
    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
    expect((await h.nodegroup())?.subnets).toEqual([regular]);
    const converged = await h.statusRow();
    expect(conditionOf(converged, 'LaunchTemplateReady')).toBe('True/LaunchTemplateUpToDate');
    expect(conditionOf(converged, 'Ready')).toBe('True/Ready');
  });

  it('does not adopt a launch template of its name that lacks its tags, and says so', async () => {
    // Prepare
    await h.clients.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: LAUNCH_TEMPLATE_NAME,
        LaunchTemplateData: { InstanceType: 't3.large' },
      }),
    );
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    h.counter.reset();

    // Act
    const outcome = await h.run();

    // Assess
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'LaunchTemplateNotOwned' });
    expect(h.counter.resourceWrites()).toEqual([]);
    const versions = await h.launchTemplateVersions();
    expect(versions.map((v) => v.LaunchTemplateData?.InstanceType)).toEqual(['t3.large']);
    expect(await h.nodegroup()).toBeUndefined();
    const condition = (await h.statusRow())?.conditions.find((c) => c.type === 'LaunchTemplateReady');
    expect(condition).toMatchObject({ status: 'False', reason: 'LaunchTemplateNotOwned' });
    expect(condition?.message).toContain('enclave-pools:managed-by=enclave-pools');
  });

  it('does not adopt a node group of its name that lacks its tags', async () => {
    // Prepare: someone else's node group with the pool's name.
    await h.clients.eks.send(
      new CreateNodegroupCommand({
        clusterName: h.world.cluster.name,
        nodegroupName: 'my-node-pool',
        nodeRole: h.world.nodeRoleArn,
        subnets: h.world.privateSubnetIds,
        scalingConfig: { minSize: 1, maxSize: 1, desiredSize: 1 },
      }),
    );
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    h.counter.reset();

    // Act
    const outcome = await h.run();

    // Assess
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'NodegroupNotOwned' });
    expect(h.counter.resourceWrites()).toEqual([]);
    expect(await h.launchTemplateVersions()).toEqual([]);
    expect((await h.nodegroup())?.launchTemplate).toBeUndefined();
    expect(conditionOf(await h.statusRow(), 'EKSNodegroupReady')).toBe('False/NodegroupNotOwned');
  });

  it("leaves another deployment's pool alone: a second stage in the same account refuses it", async () => {
    // Prepare: the dev stage created the pool; a prod stage (own status table, same spec) sees it too.
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    const prodStatusTable = 'enclave-pools-prod-status';
    await h.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: prodStatusTable,
        AttributeDefinitions: [{ AttributeName: 'poolId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'poolId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const prodEnv = {
      ...process.env,
      KUBERNETES_VERSION: '1.35',
      // Act on the spec just written; test/setup-env.ts's 1 s settle period would defer it
      // whenever the put and the pass fall into the same second.
      SETTLE_SECONDS: '0',
      DEPLOYMENT_ID: 'enclave-pools-prod',
      STATUS_TABLE: prodStatusTable,
    };
    const prod = createReconcileDeps(prodEnv, h.clients);
    h.counter.reset();

    // Act
    const outcome = await reconcile(POOL_ID, prod);

    // Assess
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'LaunchTemplateNotOwned' });
    expect(h.counter.resourceWrites()).toEqual([]);
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1]);
    const prodRow = await new StatusTable(h.clients, prodStatusTable).get(POOL_ID);
    const condition = prodRow?.conditions.find((c) => c.type === 'LaunchTemplateReady');
    expect(condition).toMatchObject({ status: 'False', reason: 'LaunchTemplateNotOwned' });
    expect(condition?.message).toContain('enclave-pools:deployment=enclave-pools-prod');
    expect(conditionOf(await h.statusRow(), 'Ready')).toBe('True/Ready');
  });

  it('reports every spec error at once and writes nothing to AWS', async () => {
    await h.s3Specs.put(
      'my-node-pool',
      specWith([
        ['instanceType: m5.xlarge', 'instanceType: t3.large'],
        ...withSubnets([h.world.wavelengthZoneSubnet.subnetId]),
      ]),
    );
    const outcome = await h.run();
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'SpecInvalid' });
    expect(h.counter.resourceWrites()).toEqual([]);
    const specValid = (await h.statusRow())?.conditions.find((c) => c.type === 'SpecValid');
    expect(specValid?.message).toContain('t3.large');
    expect(specValid?.message).toContain(h.world.wavelengthZoneSubnet.subnetId);
  });

  it("refuses a cluster outside the deployment's ALLOWED_CLUSTERS before any EC2 or EKS call, and says so in SpecValid", async () => {
    // Prepare: the same function, deployed with allowedClusters=prod-a,prod-b.
    const env = {
      ...process.env,
      KUBERNETES_VERSION: '1.35',
      SETTLE_SECONDS: '0', // act on the spec just written (see above)
      ALLOWED_CLUSTERS: 'prod-a,prod-b',
    };
    const restricted = createReconcileDeps(env, h.reconcileClients);
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    h.counter.reset();

    // Act
    const outcome = await reconcile(POOL_ID, restricted);

    // Assess
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'ClusterNotAllowed' });
    expect(h.counter.resourceWrites()).toEqual([]);
    expect(h.counter.calls.filter((c) => c.startsWith('ec2:') || c.startsWith('eks:'))).toEqual([]);
    expect(await h.launchTemplateVersions()).toEqual([]);
    const specValid = (await h.statusRow())?.conditions.find((c) => c.type === 'SpecValid');
    expect(specValid).toMatchObject({ status: 'False', reason: 'ClusterNotAllowed', severity: 'Error' });
    expect(specValid?.message).toContain('MachinePool/my-node-pool: spec.clusterName');
    expect(specValid?.message).toContain('only lets specs name the clusters prod-a, prod-b');
  });

  it('apply refuses a cluster and a node role outside the allow-lists before writing, in the words the pass uses', async () => {
    // Prepare: the deployment's lists, in the shell as in the function's environment.
    const lists = { ALLOWED_CLUSTERS: 'prod-a,prod-b', ALLOWED_NODE_ROLES: 'ops-*' };
    const dir = mkdtempSync(join(tmpdir(), 'allow-lists-'));
    const file = join(dir, 'pool.yaml');
    writeFileSync(file, SEED_SPEC);
    h.counter.reset();

    // Act
    const applied = await runCliCaptured(['apply', '-f', file], {
      env: { NO_COLOR: '1', KUBERNETES_VERSION: '1.35', ...lists },
      clients: h.clients,
    });
    rmSync(dir, { recursive: true, force: true });

    // Assess: refused, nothing stored, no status row.
    expect(applied.code).toBe(1);
    expect(applied.stdout).toBe('');
    expect(applied.stderr).toContain(`error: ${file} is invalid; fix the errors above, nothing was written`);
    expect(await h.s3Specs.list()).toEqual([]);
    expect(await h.statusRow()).toBeUndefined();
    const refusal = (rule: string) =>
      applied.stderr
        .split('\n')
        .find((line) => line.startsWith(`ERROR ${rule} `))
        ?.replace(`ERROR ${rule} `, '');
    const cluster = refusal('ClusterNotAllowed');
    const role = refusal('NodeRoleNotAllowed');
    expect(cluster).toContain('only lets specs name the clusters prod-a, prod-b');
    expect(role).toContain('ops-*');

    // The pass, deployed with the same lists, refuses the same spec with the same messages.
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    const env = { ...process.env, KUBERNETES_VERSION: '1.35', SETTLE_SECONDS: '0', ...lists };
    expect(await reconcile(POOL_ID, createReconcileDeps(env, h.reconcileClients))).toMatchObject({
      kind: 'terminal',
    });
    const specValid = (await h.statusRow())?.conditions.find((c) => c.type === 'SpecValid');
    expect(specValid?.message).toContain(cluster);
    expect(specValid?.message).toContain(role);
  });
});
