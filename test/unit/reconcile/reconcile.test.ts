import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConcurrentUpdateError,
  SpecInvalidError,
  TerminalAwsError,
  TransientAwsError,
} from '../../../lib/errors';
import { reconcile } from '../../../lib/reconcile';
import { quietLogs } from '../../support/quiet-logs';
import { AMI_PARAMETER, FakeWorld, storedSpec } from './fake-ports';

/**
 * reconcile()'s outcomes on the paths the sandbox cannot produce on demand. The end-to-end
 * behaviour (state of the world) is tested against the sandbox in test/integration/reconcile.
 */
const SPEC = readFileSync(join(__dirname, '../../../examples/enclave-pool.yaml'), 'utf8');

quietLogs();

let world: FakeWorld;
beforeEach(() => {
  world = new FakeWorld();
  world.spec = storedSpec(SPEC);
  world.imageIds[AMI_PARAMETER] = 'ami-1';
});

const run = () => reconcile('my-node-pool', world.deps());
const condition = (type: string) => {
  const c = world.row?.conditions.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}` : undefined;
};

describe('reconcile', () => {
  it('converges a new pool, verifies its instances on the next pass and pins the looked-up image to the spec', async () => {
    // The node group is created in this pass; its instances are checked by the next one.
    expect(await run()).toMatchObject({ kind: 'requeue', reason: 'VerificationPending' });
    expect(condition('EnclavesVerified')).toBe('Unknown/VerificationPending');
    expect(condition('Ready')).not.toBe('True/Ready');
    world.calls.length = 0;
    expect(await run()).toMatchObject({ kind: 'done' });
    expect(world.calls).toEqual(expect.arrayContaining(['describeAutoScalingGroup', 'listInstances']));
    expect(condition('EnclavesVerified')).toBe('True/EnclavesVerified');
    expect(world.row?.verification).toMatchObject({
      launchTemplateVersion: 1,
      result: 'Verified',
      instancesChecked: 1,
      withoutEnclaves: [],
      onOtherVersion: [],
    });
    expect(condition('Ready')).toBe('True/Ready');
    expect(world.row?.resolvedImage).toMatchObject({ imageId: 'ami-1', parameterName: AMI_PARAMETER });

    // AWS publishes a newer image: the unchanged spec keeps its image (no SSM read, no roll).
    world.imageIds[AMI_PARAMETER] = 'ami-2';
    world.calls.length = 0;
    expect(await run()).toMatchObject({ kind: 'done' });
    expect(world.calls).not.toContain('getParameter');
    expect(world.calls).not.toContain('putStatus');
    // A verified, settled pool is not listed again.
    expect(world.calls).not.toContain('listInstances');
    expect(world.calls).not.toContain('describeAutoScalingGroup');

    // A changed spec looks the image up again.
    world.spec = { ...world.spec!, text: SPEC.replace('memory_mib: 768', 'memory_mib: 1024'), generation: 2 };
    await run();
    expect(world.calls).toContain('getParameter');
    expect(world.row?.resolvedImage?.imageId).toBe('ami-2');
  });

  it('ends transient on a throttled read, keeping the previous status row', async () => {
    await run();
    const before = world.row;
    world.failures.set('describeNodegroup', new TransientAwsError('ThrottlingException: slow down'));
    expect(await run()).toEqual({ kind: 'transient', error: 'ThrottlingException: slow down' });
    expect(world.row).toBe(before);
  });

  it('maps an unexpected exception to transient', async () => {
    world.failures.set('describeLaunchTemplate', new TypeError('undefined is not a function'));
    expect(await run()).toMatchObject({ kind: 'transient' });
    expect(world.row).toBeUndefined();
  });

  it('ends terminal, with the AWS message on the condition, when AWS refuses an action', async () => {
    world.failures.set(
      'createLaunchTemplate',
      new TerminalAwsError('UnauthorizedOperation: not allowed to CreateLaunchTemplate', {
        awsCode: 'UnauthorizedOperation',
      }),
    );
    expect(await run()).toMatchObject({ kind: 'terminal', reason: 'LaunchTemplateReconcileFailed' });
    const c = world.row?.conditions.find((x) => x.type === 'LaunchTemplateReady');
    expect(c).toMatchObject({ status: 'False', reason: 'LaunchTemplateReconcileFailed' });
    expect(c?.message).toContain('UnauthorizedOperation');
  });

  it('records what a pass already did when a later action fails transiently', async () => {
    world.failures.set('createNodegroup', new TransientAwsError('ServiceUnavailableException: later'));
    expect(await run()).toMatchObject({ kind: 'transient' });
    expect(world.row?.launchTemplate?.id).toBe('lt-1');
    expect(world.row?.history.map((e) => e.event)).toEqual(['LaunchTemplateCreated']);
    expect(await run()).toMatchObject({ kind: 'requeue', reason: 'VerificationPending' });
    expect(await run()).toMatchObject({ kind: 'done' });
    expect(world.calls.filter((c) => c === 'createLaunchTemplate')).toHaveLength(1);
  });

  it('requeues when another writer changed the status row first', async () => {
    world.failures.set('putStatus', new ConcurrentUpdateError('changed'));
    expect(await run()).toMatchObject({ kind: 'requeue', reason: 'status row changed concurrently' });
  });

  it('ends transient when the status row cannot be read, and terminal when it is not allowed', async () => {
    world.failures.set('getStatus', new TransientAwsError('ProvisionedThroughputExceededException'));
    expect(await run()).toMatchObject({ kind: 'transient' });
    world.failures.set('getStatus', new TerminalAwsError('AccessDeniedException'));
    expect(await run()).toMatchObject({ kind: 'terminal', reason: 'StatusTableUnreadable' });
  });

  it('reports a spec store that cannot be read on SpecValid', async () => {
    world.failures.set('loadSpec', new SpecInvalidError('pool my-node-pool has 2 spec objects'));
    expect(await run()).toMatchObject({ kind: 'terminal', reason: 'SpecUnreadable' });
    expect(condition('SpecValid')).toBe('False/SpecUnreadable');
  });

  it('reports a missing EKS-optimized image on LaunchTemplateReady and writes nothing to AWS', async () => {
    world.imageIds = {};
    expect(await run()).toMatchObject({ kind: 'terminal', reason: 'AmiNotFound' });
    expect(condition('LaunchTemplateReady')).toBe('False/AmiNotFound');
    expect(world.calls.some((c) => c.startsWith('create'))).toBe(false);
  });

  it('reports offline and live problems of an invalid spec together', async () => {
    world.spec = {
      ...world.spec!,
      text: SPEC.replace('instanceType: m5.xlarge', 'instanceType: m5.bogus').replace(
        'amiType: CUSTOM',
        'amiType: AL2_x86_64',
      ),
    };
    expect(await run()).toMatchObject({ kind: 'terminal', reason: 'SpecInvalid' });
    const message = world.row?.conditions.find((c) => c.type === 'SpecValid')?.message ?? '';
    expect(message).toContain('AL2_x86_64');
    expect(message).toContain('m5.bogus');
  });

  it('waits the busy delay when EKS says another update is in flight', async () => {
    await run();
    world.spec = { ...world.spec!, text: SPEC.replace('memory_mib: 768', 'memory_mib: 1024'), generation: 2 };
    expect(await run()).toMatchObject({ kind: 'requeue', afterSeconds: 15 });
  });

  it('does nothing and writes nothing for a pool that never existed', async () => {
    world.spec = undefined;
    expect(await run()).toMatchObject({ kind: 'done' });
    expect(world.row).toBeUndefined();
  });

  it('deletes a pool whose spec is gone, in passes, and then reports it deleted', async () => {
    await run();
    world.spec = undefined;
    const outcomes = [await run(), await run(), await run()];
    expect(outcomes.map((o) => o.kind)).toEqual(['requeue', 'done', 'done']);
    expect(world.template).toBeUndefined();
    expect(world.nodegroup).toBeUndefined();
    expect(world.row?.deleted).toBe(true);
  });
});
