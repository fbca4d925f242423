import { Buffer } from 'node:buffer';
import { CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import {
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type Nodegroup,
  type Update,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { type SeededWorld, sandboxClients, seedWorld } from '../../support/sandbox';

/** A node group on a launch template with an Enclave-enabled custom AMI, as the product makes them. */
export interface LaunchTemplateNodegroup {
  launchTemplateId: string;
  launchTemplateName: string;
  nodegroupName: string;
}

const userData = Buffer.from('#!/bin/bash\necho sandbox\n').toString('base64');

export async function createLaunchTemplateNodegroup(
  clients: AwsClients,
  world: SeededWorld,
  nodegroupName = 'pool-a',
): Promise<LaunchTemplateNodegroup> {
  const ami = world.amis[world.cluster.version]?.x86_64.imageId;
  const { LaunchTemplate } = await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${nodegroupName}-lt`,
      LaunchTemplateData: {
        ImageId: ami,
        InstanceType: 'm5.xlarge',
        EnclaveOptions: { Enabled: true },
        UserData: userData,
      },
    }),
  );
  const launchTemplateId = LaunchTemplate?.LaunchTemplateId ?? '';
  await clients.eks.send(
    new CreateNodegroupCommand({
      clusterName: world.cluster.name,
      nodegroupName,
      nodeRole: world.nodeRoleArn,
      subnets: world.privateSubnetIds,
      amiType: 'CUSTOM',
      launchTemplate: { id: launchTemplateId, version: '1' },
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
    }),
  );
  return { launchTemplateId, launchTemplateName: `${nodegroupName}-lt`, nodegroupName };
}

/** Adds a launch template version with another AMI and returns its number. */
export async function addLaunchTemplateVersion(
  clients: AwsClients,
  launchTemplateId: string,
  imageId: string,
): Promise<string> {
  const { LaunchTemplateVersion } = await clients.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: launchTemplateId,
      SourceVersion: '1',
      LaunchTemplateData: { ImageId: imageId },
    }),
  );
  return String(LaunchTemplateVersion?.VersionNumber);
}

export async function describeNodegroup(
  clients: AwsClients,
  clusterName: string,
  nodegroupName: string,
): Promise<Nodegroup> {
  const { nodegroup } = await clients.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  if (!nodegroup) throw new Error(`DescribeNodegroup returned no node group for ${nodegroupName}`);
  return nodegroup;
}

/** Before each test: a seeded world, a custom-AMI node group on launch template version 1, and a
 * version 2 with the Kubernetes 1.36 AMI to roll to. */
export interface RollScenario {
  clients: AwsClients;
  world: SeededWorld;
  pool: LaunchTemplateNodegroup;
  newVersion: string;
  describeUpdate(updateId: string, nodegroupName?: string): Promise<Update>;
  rollTo(version: string, extra?: { clientRequestToken?: string; force?: boolean }): Promise<Update>;
}

export function useRollScenario(): RollScenario {
  const scenario = {} as RollScenario;
  beforeEach(async () => {
    const world = await seedWorld();
    const clients = sandboxClients();
    const pool = await createLaunchTemplateNodegroup(clients, world);
    const newVersion = await addLaunchTemplateVersion(
      clients,
      pool.launchTemplateId,
      world.amis['1.36']?.x86_64.imageId ?? '',
    );
    Object.assign(scenario, {
      clients,
      world,
      pool,
      newVersion,
      async describeUpdate(updateId: string, nodegroupName = pool.nodegroupName): Promise<Update> {
        const { update } = await clients.eks.send(
          new DescribeUpdateCommand({ name: world.cluster.name, updateId, nodegroupName }),
        );
        if (!update) throw new Error('DescribeUpdate returned no update');
        return update;
      },
      async rollTo(version: string, extra: { clientRequestToken?: string; force?: boolean } = {}) {
        const { update } = await clients.eks.send(
          new UpdateNodegroupVersionCommand({
            clusterName: world.cluster.name,
            nodegroupName: pool.nodegroupName,
            launchTemplate: { id: pool.launchTemplateId, version },
            ...extra,
          }),
        );
        if (!update?.id) throw new Error('UpdateNodegroupVersion returned no update id');
        return update;
      },
    });
  });
  return scenario;
}
