import { createEventPath } from '../../../lib/dispatch/event-path-deps';
import { dispatchBatch } from '../../../lib/dispatch/reconcile-batch';
import { FUNCTION_TIMEOUT_MS, faultEnv, faultyClients } from './fault-world';

/**
 * One Lambda invocation in a process of its own, so that a test can SIGKILL it in the middle of a
 * pass (test/faults/crash-points.test.ts): a batch of one resync message for the pool named in
 * argv[2], on the product's clients through the fault proxy at FAULT_PROXY_ENDPOINT, with the
 * function's 120 s as the remaining time. Prints the batch result if it ends on its own.
 */
async function main(): Promise<void> {
  const [poolId] = process.argv.slice(2);
  const proxy = process.env.FAULT_PROXY_ENDPOINT;
  if (!poolId || !proxy) throw new Error('usage: FAULT_PROXY_ENDPOINT=<url> pass-child.ts <poolId>');
  const eventPath = createEventPath(faultEnv(), faultyClients(proxy));
  const stopAt = Date.now() + FUNCTION_TIMEOUT_MS;
  const result = await dispatchBatch(
    [{ messageId: `child-${poolId}`, receiveCount: 1, body: JSON.stringify({ poolId, trigger: 'resync' }) }],
    eventPath.dispatchDeps(`child-${process.pid}`, () => stopAt - Date.now()),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
