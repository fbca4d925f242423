/**
 * test/sequencer.cjs: on a clean clone (no durations in jest's cache) the known-slow files start
 * first, in the listed order, and every other file keeps jest's order (larger first); once jest has
 * a duration of its own, its order is used unchanged.
 */
import { join } from 'node:path';

interface FakeTest {
  path: string;
  duration?: number;
  context: { config: { rootDir: string; cache: boolean }; hasteFS: { getSize(path: string): number } };
}
type Sequencer = { sort(tests: FakeTest[]): FakeTest[]; _cache: Map<unknown, unknown> };

// The sequencer is CommonJS, as jest loads it from jest.config.cjs.
const KnownSlowFirst = require('../../sequencer.cjs') as new (options: unknown) => Sequencer;

const ROOT = '/repo';
const sizes: Record<string, number> = {};
const context = {
  config: { rootDir: ROOT, cache: false },
  hasteFS: { getSize: (path: string) => sizes[path] ?? 0 },
};
function file(relative: string, size: number): FakeTest {
  const path = join(ROOT, relative);
  sizes[path] = size;
  return { path, context };
}
const names = (tests: FakeTest[]) => tests.map((test) => test.path.slice(ROOT.length + 1));

it('starts the known-slow files first on a clean clone, the rest by size', () => {
  const tests = [
    file('test/unit/small.test.ts', 100),
    file('test/faults/throttling.test.ts', 200),
    file('test/unit/large.test.ts', 9000),
    file('test/e2e/start/npm-start.test.ts', 300),
  ];
  expect(names(new KnownSlowFirst({}).sort(tests))).toEqual([
    'test/e2e/start/npm-start.test.ts',
    'test/faults/throttling.test.ts',
    'test/unit/large.test.ts',
    'test/unit/small.test.ts',
  ]);
});

it("keeps jest's order when jest has durations cached", () => {
  const tests = [file('test/e2e/start/npm-start.test.ts', 300), file('test/unit/large.test.ts', 9000)];
  const sequencer = new KnownSlowFirst({});
  sequencer._cache.set(context, { [join(ROOT, 'test/unit/large.test.ts')]: [1, 5000] });
  // jest runs a file without a recorded duration first, then the others longest first.
  expect(names(sequencer.sort(tests))).toEqual([
    'test/e2e/start/npm-start.test.ts',
    'test/unit/large.test.ts',
  ]);
  const cachedBoth = new KnownSlowFirst({});
  cachedBoth._cache.set(context, {
    [join(ROOT, 'test/unit/large.test.ts')]: [1, 5000],
    [join(ROOT, 'test/e2e/start/npm-start.test.ts')]: [1, 1000],
  });
  expect(names(cachedBoth.sort(tests))).toEqual([
    'test/unit/large.test.ts',
    'test/e2e/start/npm-start.test.ts',
  ]);
});
