import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import { loadServiceDefinition } from '../local/service-definition';

/**
 * Cold-start cost of a function bundle: a fresh Node process requires the bundle (what Lambda's
 * init does with the handler file) and reports the CPU seconds and peak RSS that took. Bundles are
 * built with serverless.yml's own custom.esbuild options (as `osls package` builds them), the
 * function's entry point against the bare-handler anchor, in alternating pairs so a loaded machine
 * slows both sides alike; the figure is the median of the per-pair ratios.
 */

const execFileAsync = promisify(execFile);

export interface InitSample {
  cpuSeconds: number;
  processCpuSeconds: number;
  rssMiB: number;
}

interface SideSummary {
  name: string;
  bytes: number;
  cpuSeconds: number;
  processCpuSeconds: number;
  rssMiB: number;
}

interface Ratio {
  median: number;
  low: number;
  high: number;
}

export interface InitComparison {
  pairs: number;
  subject: SideSummary;
  anchor: SideSummary;
  /** Median of subject/anchor CPU per pair (loading the bundle), with the range of the middle half. */
  ratio: Ratio;
  /** The same for the whole process's CPU (Node start-up included). */
  processRatio: Ratio;
  /** Instruction counts (initInstructions), when valgrind is there. */
  instructions?: { subject: number; anchor: number; node: number; bundleRatio: number; processRatio: number };
}

// cpuSeconds: loading the bundle alone; processCpuSeconds: the whole process up to that point (Node's
// own start-up included, closer to what Lambda reports as Init Duration).
const PROBE = `
const started = process.cpuUsage();
require(process.argv[1]);
const used = process.cpuUsage(started);
const total = process.cpuUsage();
console.log(JSON.stringify({
  cpuSeconds: (used.user + used.system) / 1e6,
  processCpuSeconds: (total.user + total.system) / 1e6,
  rssMiB: process.resourceUsage().maxRSS / 1024,
}));
`;

/**
 * Instructions a whole process executes to start Node and require `bundle` (or only to start Node),
 * counted by valgrind with V8's JIT off. CPU seconds on a shared 2-core machine vary by ±15 % run to
 * run; this count by under 0.5 % within a session and about 1 % across runs (decision 0086), and
 * init is mostly parsing, which the JIT does not touch.
 * Undefined where valgrind is not installed (Debian: `apt-get install valgrind`).
 */
export async function initInstructions(bundle: string | undefined): Promise<number | undefined> {
  const script = bundle === undefined ? ['-e', '0'] : ['-e', 'require(process.argv[1])', bundle];
  try {
    const { stderr } = await execFileAsync(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        '--smc-check=all-non-file',
        process.execPath,
        '--jitless',
        ...script,
      ],
      {
        env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', NODE_OPTIONS: '' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
    return refs === undefined ? undefined : Number(refs.replaceAll(',', ''));
  } catch (error: unknown) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function sampleInit(bundle: string): Promise<InitSample> {
  const { stdout } = await execFileAsync(process.execPath, ['-e', PROBE, bundle], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout) as InitSample;
}

/** esbuild options exactly as serverless.yml's custom.esbuild resolves (serverless-esbuild's own keys dropped). */
export async function functionBuildOptions(projectRoot: string): Promise<BuildOptions> {
  const definition = (await loadServiceDefinition(projectRoot)) as unknown as {
    custom: { esbuild: Record<string, unknown> };
  };
  const { packager: _packager, exclude: _exclude, ...options } = definition.custom.esbuild;
  return options as BuildOptions;
}

export async function bundleFor(
  entry: string,
  outfile: string,
  options: BuildOptions,
  projectRoot: string,
): Promise<number> {
  await build({ ...options, entryPoints: [entry], outfile, absWorkingDir: projectRoot, logLevel: 'error' });
  return (await stat(outfile)).size;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
};

export async function compareInit(options: {
  projectRoot: string;
  subject: { name: string; entry: string };
  anchor: { name: string; entry: string };
  pairs: number;
}): Promise<InitComparison> {
  const dir = await mkdtemp(join(tmpdir(), 'enclave-pools-init-'));
  try {
    const buildOptions = await functionBuildOptions(options.projectRoot);
    const subjectFile = join(dir, 'subject.js');
    const anchorFile = join(dir, 'anchor.js');
    const subjectBytes = await bundleFor(
      options.subject.entry,
      subjectFile,
      buildOptions,
      options.projectRoot,
    );
    const anchorBytes = await bundleFor(options.anchor.entry, anchorFile, buildOptions, options.projectRoot);
    // One warm-up each: the first process pays for the OS page cache.
    await sampleInit(subjectFile);
    await sampleInit(anchorFile);
    const subject: InitSample[] = [];
    const anchor: InitSample[] = [];
    for (let pair = 0; pair < options.pairs; pair++) {
      // Alternate who goes first, so neither side always runs right after the other.
      if (pair % 2 === 0) {
        subject.push(await sampleInit(subjectFile));
        anchor.push(await sampleInit(anchorFile));
      } else {
        anchor.push(await sampleInit(anchorFile));
        subject.push(await sampleInit(subjectFile));
      }
    }
    const ratioOf = (pick: (sample: InitSample) => number): Ratio => {
      const ratios = subject.map((s, i) => pick(s) / (anchor[i] ? pick(anchor[i]) : Number.NaN));
      return { median: median(ratios), low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) };
    };
    const summary = (name: string, bytes: number, samples: InitSample[]): SideSummary => ({
      name,
      bytes,
      cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
      processCpuSeconds: median(samples.map((s) => s.processCpuSeconds)),
      rssMiB: median(samples.map((s) => s.rssMiB)),
    });
    const [subjectInstructions, anchorInstructions, nodeInstructions] = [
      await initInstructions(subjectFile),
      await initInstructions(anchorFile),
      await initInstructions(undefined),
    ];
    const instructions =
      subjectInstructions && anchorInstructions && nodeInstructions
        ? {
            subject: subjectInstructions,
            anchor: anchorInstructions,
            node: nodeInstructions,
            // Requiring the bundle alone: Node's own start-up taken off both sides.
            bundleRatio: (subjectInstructions - nodeInstructions) / (anchorInstructions - nodeInstructions),
            processRatio: subjectInstructions / anchorInstructions,
          }
        : undefined;
    return {
      pairs: options.pairs,
      ...(instructions ? { instructions } : {}),
      subject: summary(options.subject.name, subjectBytes, subject),
      anchor: summary(options.anchor.name, anchorBytes, anchor),
      ratio: ratioOf((sample) => sample.cpuSeconds),
      processRatio: ratioOf((sample) => sample.processCpuSeconds),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
