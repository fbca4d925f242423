import { createServer, type Server, type Socket } from 'node:net';

/**
 * A server that accepts connections and never answers (a hung sandbox, a black-holed endpoint),
 * listening for the tests of the file that calls this: `endpoint()` to point clients at it,
 * `connections()` to count the attempts that reached it.
 */
export function useBlackHoleServer(): { endpoint(): string; connections(): number } {
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { endpoint: () => `http://127.0.0.1:${port}`, connections: () => sockets.length };
}
