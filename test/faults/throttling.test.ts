import type { RetryMode } from '../../lib/aws/client-factory';
import { quietLogs } from '../support/quiet-logs';
import { throttleShare } from './support/fault-proxy';
import { type FaultWorld, FUNCTION_TIMEOUT_MS, startFaultWorld } from './support/fault-world';

/**
 * 30 % of all requests throttled by the proxy, with each service's own error shape (EC2 XML
 * RequestLimitExceeded, JSON ThrottlingException, SQS RequestThrottled, S3 SlowDown), on a batch of
 * ten changed pools. Every batch must end inside the function timeout, and the pools converge with
 * one launch-template version and one node group each. FAULT_RETRY_MODE=adaptive measures the other
 * retry mode (docs/reliability.md).
 */
quietLogs();
jest.setTimeout(300_000);

const POOLS = Array.from({ length: 10 }, (_, i) => `throttled-${i}`);
const retryMode = (process.env.FAULT_RETRY_MODE as RetryMode | undefined) ?? 'standard';
let faults: FaultWorld;

afterEach(async () => faults?.close());

it('converges ten changed pools under 30 % throttling, every batch inside the function timeout', async () => {
  faults = await startFaultWorld({ retryMode });
  for (const poolId of POOLS) await faults.putSpec(poolId);
  faults.proxy.setRule(throttleShare(0.3, 7));

  const { batches, elapsedMs } = await faults.converge(POOLS, { maxBatches: 12 });
  if (process.env.FAULT_REPORT) {
    const throttled = faults.proxy.log.filter((call) => call.action === 'throttle').length;
    process.stderr.write(
      `throttling ${retryMode}: ${batches} batches, batch ms ${JSON.stringify(elapsedMs)}, ` +
        `${faults.proxy.log.length} requests, ${throttled} throttled\n`,
    );
  }
  expect(faults.proxy.log.some((call) => call.action === 'throttle')).toBe(true);
  // The budget stops passes before the function would: a cause in the code, not in the machine.
  for (const ms of elapsedMs) expect(ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
  faults.proxy.setRule(() => ({ kind: 'forward' }));
  for (const poolId of POOLS) {
    const state = await faults.state(poolId);
    expect({
      poolId,
      versions: state.versions,
      nodegroup: state.nodegroupVersion,
      ready: state.ready,
    }).toEqual({
      poolId,
      versions: 1,
      nodegroup: '1',
      ready: 'True/Ready',
    });
  }
});
