import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { resolveResourceNames } from '../../../lib/config';
import { MAINTENANCE_WINDOW_ANNOTATION, ROLL_ANNOTATION } from '../../../lib/manifests/pool-annotations';
import { runCliCaptured } from '../../support/run-cli';
import { annotated, conditionOf, specWith, useReconcileHarness, withMemoryMib } from './reconcile-harness';

/** Staged and windowed rolls (decision 0121) on the sandbox: the state of the world after each step. */

const h = useReconcileHarness({ sandbox: { rollSeconds: 1 } });

async function pinned(): Promise<string | undefined> {
  return (await h.nodegroup())?.launchTemplate?.version;
}

async function queuedTriggers(): Promise<string[]> {
  const { QueueUrl } = await h.clients.sqs.send(
    new GetQueueUrlCommand({ QueueName: resolveResourceNames().reconcileQueue }),
  );
  const out = await h.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
    }),
  );
  // The spec writes' own S3 events are on the queue too (EventBridge events, no trigger field).
  return (out.Messages ?? [])
    .map((m) => JSON.parse(m.Body ?? '{}') as { poolId?: string; trigger?: string })
    .filter((body) => body.trigger !== undefined)
    .map((body) => `${body.poolId}:${body.trigger}`);
}

describe('reconcile: roll manual', () => {
  it('cuts and validates the new version, holds the roll (RollPending) and rolls only after enclave-pools roll', async () => {
    // Prepare: a pool with roll: manual is created (creating replaces no node), then changed.
    const manual = annotated([`${ROLL_ANNOTATION}: manual`]);
    await h.s3Specs.put('my-node-pool', specWith(manual));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    await h.s3Specs.put('my-node-pool', specWith([...manual, ...withMemoryMib(1024)]));
    h.counter.reset();

    // Act: the passes after the change, then more (resyncs).
    const outcomes = [...(await h.settle()), await h.run(), await h.run()];

    // Assess: version 2 exists, nothing rolled.
    expect(outcomes.map((o) => o.kind)).toEqual(['terminal', 'terminal', 'terminal']);
    expect(outcomes[0]).toMatchObject({ reason: 'RollPending' });
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect(h.counter.count('CreateLaunchTemplateVersion')).toBe(1);
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(0);
    expect(await pinned()).toBe('1');
    const pending = await h.statusRow();
    expect(conditionOf(pending, 'Ready')).toBe('False/RollPending');
    expect(pending?.conditions.find((c) => c.type === 'EKSNodegroupReady')?.message).toContain(
      'launch template version 1 → 2',
    );
    expect(pending?.launchTemplate).toMatchObject({ pinnedVersion: 1, targetVersion: 2 });

    // describe and plan say what waits and why.
    const described = await runCliCaptured(['describe', 'pool', 'my-node-pool'], { env: { NO_COLOR: '1' } });
    expect(described.stdout).toMatch(
      /Roll held.*the roll waits for approval.*enclave-pools roll my-node-pool/,
    );
    const specFile = join(mkdtempSync(join(tmpdir(), 'staged-')), 'pool.yaml');
    writeFileSync(specFile, specWith([...manual, ...withMemoryMib(1024)]));
    const planned = await runCliCaptured(['plan', '-f', specFile], {
      env: { NO_COLOR: '1', KUBERNETES_VERSION: '1.35' },
    });
    expect(planned.stdout).toContain('roll: yes (held: the roll waits for approval (roll policy manual)');
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(0);

    // Act: approve with the CLI (the operator's credentials).
    const approved = await runCliCaptured(['roll', 'my-node-pool'], { env: { NO_COLOR: '1' } });

    // Assess: the approval is in the row and a pass is queued; nothing rolled yet.
    expect(approved).toMatchObject({ code: 0, stderr: '' });
    expect(approved.stdout).toContain('roll to launch template version 2 approved');
    const row = await h.statusRow();
    expect(row?.rollApproval).toMatchObject({
      launchTemplateVersion: 2,
      dataHash: pending?.launchTemplate?.dataHash,
    });
    expect(row?.history.at(-1)?.event).toBe('RollApproved');
    expect(await queuedTriggers()).toEqual(['my-node-pool:roll-approved']);
    expect(await pinned()).toBe('1');

    // Act: the queued pass (run here in place of the event path) and the ones after it.
    const rolled = await h.settle();

    // Assess
    expect(rolled.at(-1)).toMatchObject({ kind: 'done' });
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect(await pinned()).toBe('2');
    expect(conditionOf(await h.statusRow(), 'Ready')).toBe('True/Ready');
  });

  it('refuses to approve when nothing waits, naming why', async () => {
    await h.s3Specs.put('my-node-pool', specWith(annotated([`${ROLL_ANNOTATION}: manual`])));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });

    const run = await runCliCaptured(['roll', 'my-node-pool'], { env: { NO_COLOR: '1' } });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already runs launch template version 1');
    expect((await h.statusRow())?.rollApproval).toBeUndefined();
  });
});

describe('reconcile: maintenance window', () => {
  it('defers the roll until the window opens (the pass clock decides), then rolls', async () => {
    // Prepare: Tuesday 2026-12-01 11:00 UTC; the window opens Saturday 02:00 UTC.
    let clock = new Date('2026-12-01T11:00:00Z');
    h.deps.clock = () => clock;
    const windowed = annotated([`${MAINTENANCE_WINDOW_ANNOTATION}: "Sat 02:00-04:00 UTC"`]);
    await h.s3Specs.put('my-node-pool', specWith(windowed));
    expect((await h.settle()).at(-1)).toMatchObject({ kind: 'done' });
    await h.s3Specs.put('my-node-pool', specWith([...windowed, ...withMemoryMib(1024)]));
    h.counter.reset();

    // Act
    const waiting = await h.run();

    // Assess: the version is cut, the pass comes back when the window opens, no roll.
    expect(waiting).toMatchObject({
      kind: 'requeue',
      reason: 'RollWaitingForWindow',
      afterSeconds: (3 * 24 + 15) * 3600,
    });
    expect((await h.launchTemplateVersions()).map((v) => v.VersionNumber)).toEqual([1, 2]);
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(0);
    expect(await pinned()).toBe('1');
    const row = await h.statusRow();
    expect(conditionOf(row, 'Ready')).toBe('False/RollWaitingForWindow');
    expect(row?.conditions.find((c) => c.type === 'Ready')?.message).toContain(
      'opens at 2026-12-05T02:00:00.000Z',
    );

    // Act: the pass inside the window.
    clock = new Date('2026-12-05T02:00:05Z');
    const inside = await h.run();

    // Assess
    expect(inside).toMatchObject({ kind: 'requeue', reason: 'UpdateInProgress' });
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);

    // Act: the window closes while the roll is in flight; it runs to its end.
    clock = new Date('2026-12-05T05:00:00Z');
    const rest = await h.settle();

    // Assess
    expect(rest.at(-1)).toMatchObject({ kind: 'done' });
    expect(h.counter.count('UpdateNodegroupVersion')).toBe(1);
    expect(await pinned()).toBe('2');
  });
});
