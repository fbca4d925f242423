import { createServer, type Server, type Socket } from 'node:net';
import {
  findFreePort,
  probeSandbox,
  SandboxStartError,
  startSandbox,
  waitForSandbox,
} from '../../../infra/sandbox/sandbox-process';
import { sandboxEndpoint } from '../../support/sandbox';

describe('sandbox-process', () => {
  it("adopts this project's sandbox already running on a port instead of starting a second one", async () => {
    const endpoint = sandboxEndpoint();
    const port = Number(new URL(endpoint).port);

    const handle = await startSandbox({ port });

    expect(handle).toMatchObject({ endpoint, port, reused: true });
    await handle.stop();
    // stop() of an adopted sandbox leaves it running for its owner.
    expect((await waitForSandbox(endpoint, { timeoutMs: 2000 })).status).toBe('ok');
  });

  it('refuses a port that another program holds, without starting anything', async () => {
    const port = await findFreePort();
    const connections: Socket[] = [];
    // A program that accepts connections and never answers HTTP.
    const squatter: Server = createServer((socket) => connections.push(socket));
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startSandbox({ port })).rejects.toThrow(SandboxStartError);
      await expect(startSandbox({ port })).rejects.toThrow(`Port ${port} is in use by another program`);
    } finally {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('reports nothing when no sandbox answers, and times out waiting with a clear error', async () => {
    const endpoint = `http://127.0.0.1:${await findFreePort()}`;

    expect(await probeSandbox(endpoint)).toBeUndefined();
    await expect(waitForSandbox(endpoint, { timeoutMs: 200 })).rejects.toThrow('was not ready after 200 ms');
  });
});
