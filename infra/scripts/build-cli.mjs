// `npm run build` (and `npm install` / `npm ci`, through `prepare`): compiles the CLI to dist/cli/,
// so bin/enclave-pools.mjs runs JavaScript and never TypeScript at each call. One esbuild bundle
// split at the commands and at each SDK client (lib/aws/client-loaders.ts): `--help` loads the
// command list only, a command its own code and the SDK packages of the clients it names (`get
// pools`: DynamoDB and S3, not EC2's ~1 MB). Plain JavaScript on purpose: it runs before anything
// else is built. docs/decisions/0081-compiled-cli.md.
import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_OUT_DIR = join(root, 'dist', 'cli');

/**
 * `await import('node:http')` (the SDK's HTTP handler, on the first request) builds an ES-module
 * namespace of node:http, which reads every export: its WebSocket getter loads Node's undici, about
 * 25 ms of a `get pools` that needs none of it. Such dynamic imports of Node built-ins become a
 * plain require(), which reads nothing until asked.
 */
const builtinsRequiredLazily = {
  name: 'builtins-required-lazily',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

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
    plugins: [builtinsRequiredLazily],
    // yaml's ES-module build, as the functions take it (serverless.yml, decision 0086).
    alias: { yaml: './node_modules/yaml/browser/index.js' },
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
