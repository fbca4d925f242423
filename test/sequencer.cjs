// Which test files start first. jest's own sequencer orders by each file's duration in its cache,
// longest first, so the last file to start is a short one; a clean clone (CI) has no cache, and jest
// then orders by file size, which started the 112 s coalescing e2e at minute 8 and throttling at
// minute 10 of a loaded run, so one worker still ran them while the other had finished. With no
// cached duration for any file, the files below (the slowest of a loaded clean-clone run, slowest
// first; docs/benchmarks.md) go first, the rest keep jest's order. A missing name only loses its
// place. Once jest has durations of its own (a second run in the same checkout), its order is used.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

const KNOWN_SLOW = [
  'test/e2e/start/npm-start.test.ts',
  'test/e2e/event-path/coalescing.test.ts',
  'test/faults/crash-points.test.ts',
  'test/faults/fault-suite.test.ts',
  'test/e2e/event-path/spec-to-nodegroup.test.ts',
  'test/e2e/cli/pool-lifecycle.test.ts',
  'test/faults/throttling.test.ts',
  'test/integration/cli/pool-commands.test.ts',
  'test/integration/reconcile/rollback.test.ts',
  'test/integration/cli/plan.test.ts',
  'test/integration/reconcile/no-op-pass.test.ts',
  'test/integration/sandbox/eks-node-group-roll.test.ts',
];

class KnownSlowFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    const rank = (test) => {
      const at = KNOWN_SLOW.indexOf(
        path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/'),
      );
      return at === -1 ? KNOWN_SLOW.length : at;
    };
    // Array.prototype.sort is stable: the files outside the list keep jest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = KnownSlowFirst;
