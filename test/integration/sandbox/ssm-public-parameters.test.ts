import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { eksOptimizedAmiParameterName } from '../../../infra/sandbox/seed-world';
import type { AwsClients } from '../../../lib/aws/client-factory';
import { type SeededWorld, sandboxClients, seedWorld } from '../../support/sandbox';

let clients: AwsClients;
let world: SeededWorld;

beforeEach(async () => {
  world = await seedWorld();
  clients = sandboxClients();
});

describe('EKS-optimized AMI parameters under the reserved /aws path', () => {
  it.each(['1.33', '1.34', '1.35', '1.36'])(
    'resolves %s for both architectures to a registered AMI',
    async (version) => {
      for (const architecture of ['x86_64', 'arm64'] as const) {
        const { Parameter } = await clients.ssm.send(
          new GetParameterCommand({ Name: eksOptimizedAmiParameterName(version, architecture) }),
        );
        expect(Parameter).toMatchObject({
          Value: world.amis[version]?.[architecture].imageId,
          Type: 'String',
          DataType: 'aws:ec2:image',
        });
      }
    },
  );

  it('lists them by path', async () => {
    const { Parameters } = await clients.ssm.send(
      new GetParametersByPathCommand({ Path: '/aws/service/eks/optimized-ami/1.35', Recursive: true }),
    );
    expect(Parameters?.map((p) => p.Name).sort()).toEqual([
      eksOptimizedAmiParameterName('1.35', 'arm64'),
      eksOptimizedAmiParameterName('1.35', 'x86_64'),
    ]);
  });

  it('keeps every other /aws name reserved, as in AWS', async () => {
    await expect(
      clients.ssm.send(new PutParameterCommand({ Name: '/aws/service/other/x', Value: 'v', Type: 'String' })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('overwrites a seeded parameter with a new version', async () => {
    const name = eksOptimizedAmiParameterName('1.35', 'x86_64');
    await clients.ssm.send(
      new PutParameterCommand({ Name: name, Value: 'ami-0abc', Type: 'String', Overwrite: true }),
    );

    const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: name }));
    expect(Parameter).toMatchObject({ Value: 'ami-0abc', Version: 2 });
  });
});
