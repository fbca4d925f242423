import { ListUpdatesCommand, UpdateNodegroupConfigCommand } from '@aws-sdk/client-eks';
import { Nodegroups } from '../../../lib/aws/nodegroups';
import { configureSandbox, setRollSeconds } from '../../support/sandbox';
import { useRollScenario } from './nodegroup-fixture';

const s = useRollScenario();

/** Four finished config updates, then a roll that stays InProgress: five updates in all. */
async function historyThenRoll(): Promise<string> {
  await configureSandbox({ configUpdateSeconds: 0 });
  for (const desiredSize of [1, 2, 3, 2]) {
    await s.clients.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
        scalingConfig: { desiredSize },
      }),
    );
  }
  await setRollSeconds(600);
  const roll = await s.rollTo(s.newVersion);
  return roll.id ?? '';
}

describe('ListUpdates and the adapter that reads it', () => {
  it('puts the newest of five updates on the second default page, neither first nor last', async () => {
    const rollId = await historyThenRoll();
    const first = await s.clients.eks.send(
      new ListUpdatesCommand({ name: s.world.cluster.name, nodegroupName: s.pool.nodegroupName }),
    );
    expect(first.updateIds).toHaveLength(2);
    expect(first.updateIds).not.toContain(rollId);
    const second = await s.clients.eks.send(
      new ListUpdatesCommand({
        name: s.world.cluster.name,
        nodegroupName: s.pool.nodegroupName,
        nextToken: first.nextToken,
      }),
    );
    expect(second.updateIds?.[0]).toBe(rollId);
  });

  it('finds the roll in flight by reading every page, whatever the order', async () => {
    const rollId = await historyThenRoll();
    const found = await new Nodegroups(s.clients).findInProgressUpdate(
      s.world.cluster.name,
      s.pool.nodegroupName,
    );
    expect(found).toMatchObject({
      id: rollId,
      status: 'InProgress',
      launchTemplateVersion: Number(s.newVersion),
    });
  });
});
