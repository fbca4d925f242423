import { parseAllDocuments } from 'yaml';
import { USER_DATA_BOUNDARY } from '../../../lib/render/user-data';
import { conditionOf, reportCalls, useReconcileHarness } from './reconcile-harness';

const h = useReconcileHarness();

function mimeParts(userData: string): Array<{ contentType: string; body: string }> {
  const parts = userData.split(`--${USER_DATA_BOUNDARY}`).slice(1, -1);
  return parts.map((part) => {
    const [head = '', ...rest] = part.replace(/^\n/, '').split('\n\n');
    const contentType = /Content-Type: ([^\n]+)/.exec(head)?.[1] ?? '';
    return { contentType, body: rest.join('\n\n') };
  });
}

describe('reconcile: a new pool', () => {
  it('creates the enclave launch template and the node group on it, and reports every condition True', async () => {
    // Prepare
    await h.s3Specs.put('my-node-pool', (await import('./reconcile-harness')).SEED_SPEC);

    // Act
    const outcomes = await h.settle();

    // Assess: the launch template.
    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
    const versions = await h.launchTemplateVersions();
    expect(versions.map((v) => v.VersionNumber)).toEqual([1]);
    const data = versions[0]?.LaunchTemplateData;
    expect(data).toMatchObject({
      InstanceType: 'm5.xlarge',
      ImageId: h.world.amis['1.35']?.x86_64.imageId,
      EnclaveOptions: { Enabled: true },
      MetadataOptions: { HttpTokens: 'required' },
    });
    const userData = Buffer.from(data?.UserData ?? '', 'base64').toString('utf8');
    expect(userData.trimEnd().endsWith(`--${USER_DATA_BOUNDARY}--`)).toBe(true);
    const [shell, nodeConfigPart] = mimeParts(userData);
    expect(shell?.contentType).toContain('text/x-shellscript');
    expect(shell?.body.split('\n').slice(0, 6)).toEqual([
      '#!/bin/bash',
      'set -o errexit -o nounset -o pipefail',
      'dnf install -y aws-nitro-enclaves-cli',
      'sed -i "s/cpu_count:.*/cpu_count: 2/" /etc/nitro_enclaves/allocator.yaml',
      'sed -i "s/memory_mib:.*/memory_mib: 768/" /etc/nitro_enclaves/allocator.yaml',
      'systemctl enable --now nitro-enclaves-allocator.service',
    ]);
    expect(nodeConfigPart?.contentType).toBe('application/node.eks.aws');
    const [nodeConfig] = parseAllDocuments(nodeConfigPart?.body ?? '').map((d) => d.toJS());
    expect(nodeConfig).toMatchObject({
      apiVersion: 'node.eks.aws/v1alpha1',
      kind: 'NodeConfig',
      spec: {
        cluster: {
          name: 'my-cluster',
          apiServerEndpoint: h.world.cluster.endpoint,
          certificateAuthority: h.world.cluster.certificateAuthorityData,
          cidr: h.world.cluster.serviceIpv4Cidr,
        },
      },
    });

    // Assess: the node group.
    const nodegroup = await h.nodegroup();
    expect(nodegroup).toMatchObject({
      status: 'ACTIVE',
      amiType: 'CUSTOM',
      launchTemplate: { id: versions[0]?.LaunchTemplateId, version: '1' },
      labels: { 'aws-nitro-enclaves-k8s-dp': 'enabled' },
      scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 1 },
      nodeRole: h.world.nodeRoleArn,
      tags: expect.objectContaining({
        'enclave-pools:managed-by': 'enclave-pools',
        'enclave-pools:pool': 'my-node-pool',
      }),
    });
    expect([...(nodegroup?.subnets ?? [])].sort()).toEqual([...h.world.privateSubnetIds].sort());

    // Assess: the status row.
    const row = await h.statusRow();
    for (const type of ['Ready', 'SpecValid', 'LaunchTemplateReady', 'EKSNodegroupReady']) {
      expect(row?.conditions.find((c) => c.type === type)?.status).toBe('True');
    }
    expect(conditionOf(row, 'NodegroupUpdating')).toBe('False/NoUpdateInProgress');
    expect(row?.launchTemplate).toMatchObject({
      pinnedVersion: 1,
      targetVersion: 1,
      lastKnownGoodVersion: 1,
    });
    expect(row?.nodegroup).toMatchObject({ status: 'ACTIVE', desiredSize: 1 });
    // The pass that verified the new node group's instances also set its Auto Scaling group's
    // Cluster Autoscaler tags (docs/decisions/0101).
    expect(row?.history.map((e) => e.event)).toEqual([
      'LaunchTemplateCreated',
      'NodegroupCreated',
      'AutoscalerTagsUpdated',
    ]);
  });

  it('makes no write call and no version when reconciled again', async () => {
    // Prepare
    await h.s3Specs.put('my-node-pool', (await import('./reconcile-harness')).SEED_SPEC);
    await h.settle();
    const rowBefore = await h.statusRow();
    h.counter.reset();

    // Act
    const outcome = await h.run();

    // Assess
    reportCalls('no-op reconcile', h.counter);
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(h.counter.writes()).toEqual([]);
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1]);
    expect(await h.statusRow()).toEqual(rowBefore);
  });

  it('reads the spec from the DynamoDB store the same way', async () => {
    await h.dynamoSpecs.put('my-node-pool', (await import('./reconcile-harness')).SEED_SPEC);
    const outcomes = await h.settle();
    expect(outcomes.at(-1)).toMatchObject({ kind: 'done' });
    const row = await h.statusRow();
    expect(row).toMatchObject({ specSource: 'dynamodb', observedGeneration: 1 });
    expect(conditionOf(row, 'Ready')).toBe('True/Ready');
  });

  it('refuses a pool defined in both stores, and writes nothing to AWS', async () => {
    const { SEED_SPEC } = await import('./reconcile-harness');
    await h.s3Specs.put('my-node-pool', SEED_SPEC);
    await h.dynamoSpecs.put('my-node-pool', SEED_SPEC);
    h.counter.reset();
    const outcome = await h.run();
    expect(outcome).toMatchObject({ kind: 'terminal', reason: 'SpecConflict' });
    expect(h.counter.resourceWrites()).toEqual([]);
    expect(conditionOf(await h.statusRow(), 'SpecValid')).toBe('False/SpecConflict');
  });
});
