/**
 * The whole event path on the sandbox, with no direct reconcile() call: specs are written to S3 or
 * DynamoDB and everything else happens through EventBridge, SQS, the pipe runner and the reconcile
 * handler. Assertions read the world: launch template versions, the node group, status rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DynamoDbSpecStore } from '../../../lib/aws/spec-stores';
import { resolveResourceNames } from '../../../lib/config';
import { launchTemplateName } from '../../../lib/render/resource-names';
import type { StatusRow } from '../../../lib/status/status-row';
import { conditionStatus, startEventPath, type TestEventPath } from '../../support/event-path';
import { quietLogs } from '../../support/quiet-logs';
import { configureSandbox, sandboxClients, seedWorld } from '../../support/sandbox';

// Read by the handler and the service definition when the event path starts: short waits.
process.env.SETTLE_SECONDS = '2';
process.env.RECONCILE_REQUEUE_SECONDS = '1';

jest.setTimeout(90000);

const POOL = 'my-node-pool';
const CLUSTER = 'my-cluster';
const seedSpec = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');
const names = resolveResourceNames();
const objectKey = `${names.specPrefix}${POOL}.yaml`;

let path: TestEventPath;

quietLogs();

beforeEach(async () => {
  await seedWorld();
  await configureSandbox({ rollSeconds: 2, nodegroupCreateSeconds: 1, nodegroupDeleteSeconds: 1 });
  path = await startEventPath();
});

afterEach(async () => {
  await path.stop();
  expect(path.errors).toEqual([]);
});

const isReady = (row: StatusRow | undefined) => conditionStatus(row, 'Ready') === 'True';

async function putSpec(text: string): Promise<void> {
  await sandboxClients().s3.send(
    new PutObjectCommand({
      Bucket: names.specBucket,
      Key: objectKey,
      Body: text,
      ContentType: 'application/yaml',
    }),
  );
}

async function templateVersions(): Promise<LaunchTemplateVersion[]> {
  const out = await sandboxClients().ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: launchTemplateName(CLUSTER, POOL) }),
  );
  return (out.LaunchTemplateVersions ?? []).sort((a, b) => (a.VersionNumber ?? 0) - (b.VersionNumber ?? 0));
}

async function nodegroup() {
  const out = await sandboxClients().eks.send(
    new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: POOL }),
  );
  return out.nodegroup;
}

function userData(version: LaunchTemplateVersion | undefined): string {
  return Buffer.from(version?.LaunchTemplateData?.UserData ?? '', 'base64').toString('utf8');
}

const withMemory = (mib: number) => seedSpec.replace('memory_mib: 768', `memory_mib: ${mib}`);

describe('spec stores → EventBridge → SQS → reconcile, on the sandbox', () => {
  it('turns the seed spec written to S3 into a Ready pool with an enclave launch template and a node group', async () => {
    await putSpec(seedSpec);
    const row = await path.waitForStatus(POOL, isReady, { what: 'Ready' });

    const versions = await templateVersions();
    expect(versions).toHaveLength(1);
    expect(versions[0]?.LaunchTemplateData?.EnclaveOptions?.Enabled).toBe(true);
    expect(userData(versions[0])).toContain('memory_mib: 768');
    const group = await nodegroup();
    expect(group?.status).toBe('ACTIVE');
    expect(group?.launchTemplate?.version).toBe('1');
    expect(group?.labels?.['aws-nitro-enclaves-k8s-dp']).toBe('enabled');
    expect(row?.specSource).toBe('s3');
  });

  it('does the same for a spec written as a DynamoDB item (stream → pipe → bus)', async () => {
    const store = new DynamoDbSpecStore(sandboxClients().documents, { table: names.specTable });
    await store.put(POOL, seedSpec);
    const row = await path.waitForStatus(POOL, isReady, { what: 'Ready' });

    expect(row?.specSource).toBe('dynamodb');
    expect(await templateVersions()).toHaveLength(1);
    expect((await nodegroup())?.status).toBe('ACTIVE');
  });

  it('rolls an updated object to completion with exactly one new version', async () => {
    await putSpec(seedSpec);
    await path.waitForStatus(POOL, isReady, { what: 'Ready' });

    await putSpec(withMemory(1024));
    const row = await path.waitForStatus(
      POOL,
      (r) => isReady(r) && r?.launchTemplate?.lastKnownGoodVersion === 2,
      { what: 'Ready on version 2', timeoutMs: 60000 },
    );

    const versions = await templateVersions();
    expect(versions.map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect(userData(versions[1])).toContain('memory_mib: 1024');
    expect((await nodegroup())?.launchTemplate?.version).toBe('2');
    expect(row?.history.filter((entry) => entry.event === 'RollStarted')).toHaveLength(1);
  });

  it('deletes the node group and the launch template when the object is deleted', async () => {
    await putSpec(seedSpec);
    await path.waitForStatus(POOL, isReady, { what: 'Ready' });

    await sandboxClients().s3.send(new DeleteObjectCommand({ Bucket: names.specBucket, Key: objectKey }));
    const row = await path.waitForStatus(POOL, (r) => r?.deleted === true, {
      what: 'deleted',
      timeoutMs: 60000,
    });

    expect(row?.deleted).toBe(true);
    await expect(nodegroup()).rejects.toThrow(/No node group found|ResourceNotFound/);
    const templates = await sandboxClients().ec2.send(
      new DescribeLaunchTemplatesCommand({
        Filters: [{ Name: 'launch-template-name', Values: [launchTemplateName(CLUSTER, POOL)] }],
      }),
    );
    expect(templates.LaunchTemplates ?? []).toEqual([]);
  });

  it('makes one version when the same event is delivered ten times', async () => {
    await putSpec(seedSpec);
    // Nine more copies of the S3 event, as at-least-once delivery may produce.
    const duplicate = JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: names.specBucket }, object: { key: objectKey } },
    });
    await sandboxClients().sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: path.reconcileQueueUrl,
        Entries: Array.from({ length: 9 }, (_, i) => ({ Id: String(i), MessageBody: duplicate })),
      }),
    );
    await path.waitForStatus(POOL, isReady, { what: 'Ready' });
    // Let every duplicate be handled before counting.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    expect(await templateVersions()).toHaveLength(1);
    expect((await nodegroup())?.launchTemplate?.version).toBe('1');
  });

  it('makes one version, for the final spec, out of 50 writes within a second', async () => {
    // A pass acts only once the spec has been unchanged for the settle period (2 s here) since its
    // own write time (S3 LastModified), so however slowly the writes land, the first version is
    // made from the last of them.
    for (let i = 1; i <= 50; i++) await putSpec(withMemory(512 + 2 * i));

    await path.waitForStatus(POOL, isReady, { what: 'Ready' });
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const versions = await templateVersions();
    expect(versions).toHaveLength(1);
    expect(userData(versions[0])).toContain('memory_mib: 612');
  });
});
