#!/usr/bin/env node
// The enclave-pools CLI: runs the compiled JavaScript in dist/cli/ (built by `npm run build`, which
// `npm install` and `npm ci` run through `prepare`), never TypeScript at each call.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// A user only needs Node 20+ to install; `npm install` brings the project's Node 24 (the Lambda
// runtime), and npx puts it first on PATH. Started by an older Node some other way, hand over to it.
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
if (Number(process.versions.node.split('.')[0]) < 24 && existsSync(projectNode)) {
  const run = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(run.status ?? 1);
}

// V8 keeps the compiled code of dist/cli/ between calls (in the OS temp directory), so a call
// after the first does not parse the AWS SDK again.
module.enableCompileCache?.();

let cli;
try {
  cli = await import('../dist/cli/main.mjs');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.mjs'))
    throw error;
  process.stderr.write(
    'error: the enclave-pools CLI is not built (dist/cli/main.mjs is missing)\nhint: run "npm run build" (npm install runs it too)\n',
  );
  process.exit(1);
}
const code = await cli.runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
});
// Exit explicitly (after stdout drains): idle keep-alive sockets of the AWS SDK must not hold the process.
process.stdout.write('', () => process.exit(code));
