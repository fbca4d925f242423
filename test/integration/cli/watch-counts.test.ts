import { runCliCaptured } from '../../support/run-cli';
import { advanceRoll } from '../../support/sandbox';
import { POOL_ID, specWith, useReconcileHarness, withMemoryMib } from '../reconcile/reconcile-harness';

/**
 * `watch` against the sandbox's real (moto) instances: the roll is driven batch by batch with
 * advance-roll (its own clock is an hour, so nothing moves between steps), a reconcile pass runs
 * after each step, and what watch prints is compared with what EC2 reports at that step.
 */

const h = useReconcileHarness({ sandbox: { rollSeconds: 3600 } });

const threeNodes: Array<[string, string]> = [['replicas: 1', 'replicas: 3']];

interface Counts {
  replaced: number;
  total: number;
  zones: Record<string, string>;
}

/** What EC2 says: live instances of the pool, and those launched from version `version`. */
async function ec2Counts(version: string): Promise<Counts> {
  const instances = await h.instances(['pending', 'running']);
  const byZone = new Map<string, { replaced: number; total: number }>();
  let replaced = 0;
  for (const instance of instances) {
    const zone = instance.Placement?.AvailabilityZone ?? 'unknown';
    const entry = byZone.get(zone) ?? { replaced: 0, total: 0 };
    const onVersion =
      instance.Tags?.find((t) => t.Key === 'aws:ec2launchtemplate:version')?.Value === version;
    entry.total += 1;
    if (onVersion) {
      entry.replaced += 1;
      replaced += 1;
    }
    byZone.set(zone, entry);
  }
  const zones = Object.fromEntries([...byZone].map(([zone, c]) => [zone, `${c.replaced}/${c.total}`]));
  return { replaced, total: instances.length, zones };
}

/** The counts in one of watch's progress lines ("nodes replaced 1/3 (eu-west-1a 1/1, ...)"). */
function watchCounts(line: string): Counts | undefined {
  const match = /nodes replaced (\d+)\/(\d+)(?: \(([^)]*)\))?/.exec(line);
  if (!match) return undefined;
  const zones = Object.fromEntries(
    (match[3] ?? '')
      .split(', ')
      .filter(Boolean)
      .map((part) => part.split(' ') as [string, string]),
  );
  return { replaced: Number(match[1]), total: Number(match[2]), zones };
}

describe('watch on the sandbox', () => {
  it('reports at each step of a roll the nodes EC2 reports on the new version, per zone', async () => {
    await h.s3Specs.put(POOL_ID, specWith(threeNodes));
    // The create is not a roll: the hour-long roll clock does not hold it up.
    await h.settle();
    await h.s3Specs.put(POOL_ID, specWith([...threeNodes, ...withMemoryMib(1024)]));
    await h.run(); // starts the roll
    await h.run(); // counts it: nothing replaced yet
    const rolling = await h.statusRow();
    expect(rolling?.update).toMatchObject({ status: 'InProgress', launchTemplateVersion: 2 });

    // EC2's counts, taken right after the pass that watch's next poll reads.
    const expected: Counts[] = [await ec2Counts('2')];
    let ended = false;
    const run = await runCliCaptured(['watch', POOL_ID, '--interval', '1s'], {
      env: { NO_COLOR: '1' },
      clients: h.clients,
      services: {
        sleep: async () => {
          if (!ended) {
            const step = await advanceRoll('my-cluster', POOL_ID);
            ended = step.ended === true;
          }
          await h.run();
          if (!ended) expected.push(await ec2Counts('2'));
        },
      },
    });

    expect(run.code).toBe(0);
    const progress = run.stdout
      .split('\n')
      .filter((line) => line.includes(' InProgress '))
      .map(watchCounts);
    expect(expected.map((c) => c.replaced)).toEqual([0, 1, 2, 3]);
    expect(expected.every((c) => c.total === 3)).toBe(true);
    expect(progress).toEqual(expected);
    expect(run.stdout).toContain('3 nodes replaced');
    expect(run.stdout).toContain('pool my-node-pool Ready: True');

    // The pass that saw the roll end dropped the progress and verified the new nodes.
    const done = await h.statusRow();
    expect(done?.rollProgress).toBeUndefined();
    expect(done?.verification).toMatchObject({ launchTemplateVersion: 2, instancesChecked: 3 });
  });

  it('shows the count in describe and get pools while the roll runs', async () => {
    await h.s3Specs.put(POOL_ID, specWith(threeNodes));
    await h.settle();
    await h.s3Specs.put(POOL_ID, specWith([...threeNodes, ...withMemoryMib(1024)]));
    await h.run();
    await advanceRoll('my-cluster', POOL_ID);
    await h.run();

    const counted = await ec2Counts('2');
    expect(counted).toMatchObject({ replaced: 1, total: 3 });
    const row = await h.statusRow();
    expect(row?.rollProgress).toMatchObject({ updateId: row?.update?.id, replaced: 1, total: 3 });
    expect(
      Object.fromEntries((row?.rollProgress?.zones ?? []).map((z) => [z.zone, `${z.replaced}/${z.total}`])),
    ).toEqual(counted.zones);
    expect(row?.rollProgress?.nodesPerMinute).toBeGreaterThan(0);
    expect(Date.parse(row?.rollProgress?.etaAt ?? '')).toBeGreaterThan(
      Date.parse(row?.rollProgress?.countedAt ?? ''),
    );

    const cli = (argv: string[]) => runCliCaptured(argv, { env: { NO_COLOR: '1' }, clients: h.clients });
    const describe = await cli(['describe', 'pool', POOL_ID]);
    expect(describe.stdout).toMatch(/Roll progress: +1\/3 nodes replaced \(/);
    const get = await cli(['get', 'pools']);
    expect(get.stdout.split('\n')[0]).toContain(' ROLL ');
    expect(get.stdout).toMatch(/my-node-pool .* 1\/3 (~\S+|any moment) /);

    // A pass with the same counts writes nothing.
    const revision = row?.revision;
    await h.run();
    expect((await h.statusRow())?.revision).toBe(revision);
  });
});
