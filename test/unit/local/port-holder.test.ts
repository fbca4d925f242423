/**
 * How `npm start` picks its ports (infra/local/port-holder.ts) when another stack holds one: the
 * default is swapped for a free port with a note naming the holder; a port chosen with the variable
 * is refused with the command to run. The "other stack" is an HTTP server in this process on an
 * OS-assigned port (the e2e test test/e2e/start/npm-start.test.ts cannot hold 4566/3002 on a shared
 * machine, so it covers the refusals with whole stacks and this covers the swap).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { choosePort, PortRefusedError } from '../../../infra/local/port-holder';
import { findFreePort } from '../../../infra/sandbox/sandbox-process';

let server: Server;
let held: number;

beforeEach(async () => {
  server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  held = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const what = 'functions (serverless-offline Lambda API)';

it('swaps a held default port for a free one and says who holds it', async () => {
  const chosen = await choosePort({
    variable: 'OFFLINE_LAMBDA_PORT',
    explicit: undefined,
    fallback: held,
    what,
  });
  expect(chosen.port).not.toBe(held);
  expect(chosen.note).toMatch(
    new RegExp(
      `^Port ${held} \\(${what.replace(/[()]/g, '\\$&')}\\) is held by another program, pid ${process.pid} \\(.*\\); using ${chosen.port} instead\\.$`,
    ),
  );
  // The port it gave is free: a server can listen on it.
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(chosen.port, '127.0.0.1', resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
});

it('refuses a held port chosen with the variable, with the command to run instead', async () => {
  await expect(
    choosePort({ variable: 'OFFLINE_LAMBDA_PORT', explicit: String(held), fallback: 3002, what }),
  ).rejects.toThrow(PortRefusedError);
  await expect(
    choosePort({ variable: 'OFFLINE_LAMBDA_PORT', explicit: String(held), fallback: 3002, what }),
  ).rejects.toThrow(
    new RegExp(
      `Port ${held} \\(OFFLINE_LAMBDA_PORT, functions .*\\n.*\\n {2}OFFLINE_LAMBDA_PORT=\\d+ npm start$`,
    ),
  );
});

it('takes a free default as it is, with no note', async () => {
  const free = await findFreePort();
  expect(
    await choosePort({ variable: 'SANDBOX_PORT', explicit: undefined, fallback: free, what: 'sandbox' }),
  ).toEqual({
    port: free,
  });
});

it('refuses a value that is not a TCP port, naming the variable and the range', async () => {
  await expect(
    choosePort({ variable: 'SANDBOX_PORT', explicit: '70000', fallback: 4566, what: 'sandbox' }),
  ).rejects.toThrow('SANDBOX_PORT=70000 is not a TCP port; use 1-65535.');
});
