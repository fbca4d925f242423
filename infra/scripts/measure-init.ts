/**
 * `npm run bench:init [-- --pairs N]`: the reconcile function's cold-start CPU against a bare
 * handler that imports and constructs the same SDK clients, both built with serverless.yml's
 * esbuild options (infra/bench/init-cost.ts): CPU seconds in alternating pairs, and instructions
 * counted by valgrind where it is installed. Published in docs/benchmarks.md; never asserted.
 */
import { join } from 'node:path';
import { compareInit } from '../bench/init-cost';

const PROJECT_ROOT = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const pairsFlag = process.argv.indexOf('--pairs');
  const pairs = pairsFlag > 0 ? Number(process.argv[pairsFlag + 1]) : 20;
  const result = await compareInit({
    projectRoot: PROJECT_ROOT,
    subject: { name: 'reconcile (functions/reconcile-queue.ts)', entry: 'functions/reconcile-queue.ts' },
    anchor: { name: 'bare handler, same clients', entry: 'infra/bench/bare-handler.ts' },
    pairs,
  });
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  console.log(`pairs: ${result.pairs}, node ${process.version}, ${new Date().toISOString()}\n`);
  console.log('| bundle | JS | require CPU s | process CPU s | peak RSS MiB |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const side of [result.subject, result.anchor])
    console.log(
      `| ${side.name} | ${kb(side.bytes)} | ${side.cpuSeconds.toFixed(3)} | ${side.processCpuSeconds.toFixed(3)} | ${side.rssMiB.toFixed(0)} |`,
    );
  const ratio = (r: { median: number; low: number; high: number }) =>
    `${r.median.toFixed(2)}× (middle half ${r.low.toFixed(2)}-${r.high.toFixed(2)})`;
  console.log(`\nratio, loading the bundle: ${ratio(result.ratio)}`);
  console.log(`ratio, whole process (Node start-up included): ${ratio(result.processRatio)}`);
  const counted = result.instructions;
  const millions = (count: number) => `${(count / 1e6).toFixed(0)} M`;
  console.log(
    counted
      ? `instructions (valgrind, JIT off): reconcile ${millions(counted.subject)}, bare handler ${millions(counted.anchor)}, Node alone ${millions(counted.node)}; loading the bundle ${counted.bundleRatio.toFixed(3)}×, whole process ${counted.processRatio.toFixed(3)}×`
      : 'instructions: not counted (valgrind is not installed)',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
