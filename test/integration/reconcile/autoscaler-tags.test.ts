import { DeleteTagsCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { AUTOSCALER_TAGS_ANNOTATION } from '../../../lib/manifests/pool-annotations';
import {
  annotated,
  POOL_ID,
  SEED_SPEC,
  specWith,
  useReconcileHarness,
  withMemoryMib,
} from './reconcile-harness';

/** The Cluster Autoscaler node-template tags the reconciler keeps on the node group's Auto Scaling group. */

const T = 'k8s.io/cluster-autoscaler/node-template/';

const h = useReconcileHarness({ sandbox: { rollSeconds: 1 } });

async function groupName(): Promise<string> {
  const nodegroup = await h.nodegroup();
  return nodegroup?.resources?.autoScalingGroups?.[0]?.name ?? '';
}

async function nodeTemplateTags(): Promise<Record<string, string>> {
  const { AutoScalingGroups } = await h.clients.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [await groupName()] }),
  );
  return Object.fromEntries(
    (AutoScalingGroups?.[0]?.Tags ?? [])
      .filter((t) => t.Key?.startsWith(T))
      .map((t) => [t.Key ?? '', t.Value ?? '']),
  );
}

describe('reconcile: Cluster Autoscaler tags on the Auto Scaling group', () => {
  it('tags the group after create with the enclave slots, the hugepages the allocator reserves and the labels', async () => {
    await h.s3Specs.put(POOL_ID, SEED_SPEC);
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });

    // The seed pool: cpu_count 2 on m5.xlarge (2 threads per core) runs 1 enclave; memory_mib 768
    // is 384 pages of 2 MiB.
    expect(await nodeTemplateTags()).toEqual({
      [`${T}resources/aws.ec2.nitro/nitro_enclaves`]: '1',
      [`${T}resources/hugepages-2Mi`]: '768Mi',
      [`${T}label/aws-nitro-enclaves-k8s-dp`]: 'enabled',
      [`${T}label/enclave-pools.aws/pool`]: POOL_ID,
    });
    expect((await h.statusRow())?.autoscalerTags).toMatchObject({
      autoScalingGroupName: await groupName(),
    });

    // In place and recorded: a no-op pass neither reads nor writes the group.
    h.counter.reset();
    await h.run();
    expect(h.counter.calls.filter((c) => c.startsWith('autoScaling:'))).toEqual([]);
  });

  it('follows an allocator change through the roll, removing the tag of the page size no longer reserved, and repairs a tag removed by hand', async () => {
    await h.s3Specs.put(POOL_ID, SEED_SPEC);
    await h.settle();
    const group = await groupName();
    await h.clients.autoScaling.send(
      new DeleteTagsCommand({
        Tags: [
          {
            ResourceId: group,
            ResourceType: 'auto-scaling-group',
            Key: `${T}label/aws-nitro-enclaves-k8s-dp`,
          },
        ],
      }),
    );

    // 1024 MiB is one 1 GiB page: the allocator reserves hugepages-1Gi, and no 2 MiB pages.
    await h.s3Specs.put(POOL_ID, specWith(withMemoryMib(1024)));
    h.counter.reset();
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });

    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect(await nodeTemplateTags()).toEqual({
      [`${T}resources/aws.ec2.nitro/nitro_enclaves`]: '1',
      [`${T}resources/hugepages-1Gi`]: '1Gi',
      [`${T}label/aws-nitro-enclaves-k8s-dp`]: 'enabled',
      [`${T}label/enclave-pools.aws/pool`]: POOL_ID,
    });
    expect((await h.nodegroup())?.launchTemplate?.version).toBe('2');
  });

  it(`sets none with ${AUTOSCALER_TAGS_ANNOTATION}: "false"`, async () => {
    await h.s3Specs.put(POOL_ID, specWith(annotated([`${AUTOSCALER_TAGS_ANNOTATION}: "false"`])));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    expect(await nodeTemplateTags()).toEqual({});
    expect(h.counter.count('CreateOrUpdateTags')).toBe(0);
  });
});
