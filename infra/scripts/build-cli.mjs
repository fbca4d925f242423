// `npm run build` (and `npm install` / `npm ci`, through `prepare`): compiles the CLI to dist/cli/,
// so bin/enclave-pools.mjs runs JavaScript and never TypeScript at each call. One esbuild bundle
// split at the commands: `--help` loads the command list only, a command its own code. Every
// command that calls AWS also loads lib/aws/client-factory, which imports every SDK client (EC2's
// ~1 MB included), though it constructs each on first use: loading only the clients a command
// names is the next cut for `get pools` (stop 18: ~0.2 s on Node 24). Plain JavaScript on purpose: it
// runs before anything else is built. docs/decisions/0081-compiled-cli.md.
import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_OUT_DIR = join(root, 'dist', 'cli');

export async function buildCli() {
  await rm(CLI_OUT_DIR, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'lib/cli/main.ts' },
    outdir: CLI_OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // ES-module builds of the SDK tree-shake (the same choice as the functions, decision 0080).
    mainFields: ['module', 'main'],
    outExtension: { '.js': '.mjs' },
    // CommonJS dependencies bundled into ES modules still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Not minified: a --debug stack trace should name our functions.
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/**
 * `npx enclave-pools` finds node_modules/.bin/enclave-pools and runs it. package.json has no `bin`
 * on purpose: for a package's own bin, npm exec installs the project into its npx cache on every
 * call (1.5-2 s of reading the whole node_modules tree, plus an EBADENGINE warning per call), so the
 * link is made here, the way npm links a dependency's bin.
 */
export async function linkBin() {
  const binDir = join(root, 'node_modules', '.bin');
  const link = join(binDir, 'enclave-pools');
  const target = join('..', '..', 'bin', 'enclave-pools.mjs');
  await mkdir(binDir, { recursive: true });
  const current = await readlink(link).catch(() => undefined);
  if (current === target) return;
  await rm(link, { force: true });
  await symlink(target, link);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildCli();
  await linkBin();
  console.log(`enclave-pools CLI built in ${(performance.now() - started).toFixed(0)} ms: dist/cli/main.mjs`);
}
