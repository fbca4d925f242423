#!/usr/bin/env node
// Launcher for the TypeScript CLI: registers tsx's loader, runs lib/cli/main.ts, exits with its code.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../lib/cli/main.ts');
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
});
// Exit explicitly (after stdout drains): idle keep-alive sockets of the AWS SDK must not hold the process.
process.stdout.write('', () => process.exit(code));
