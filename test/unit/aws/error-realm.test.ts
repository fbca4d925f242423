import { createServer, type Server } from 'node:net';
import { runInNewContext } from 'node:vm';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { createAwsClients } from '../../../lib/aws/all-clients';
import { inThisRealm } from '../../../lib/aws/error-realm';
import { translateAwsError } from '../../../lib/aws/translate-error';
import { TerminalAwsError, TransientAwsError } from '../../../lib/errors';

/**
 * A reset or refused connection is transient wherever the code runs. jest runs each test file in
 * a vm context, so Node's own socket errors come from another realm, as they would for any code
 * in a vm: the SDK's retry middleware used to rethrow them as a bare "AWS SDK error wrapper for
 * ..." Error, which classified as terminal (a plain Node process read ECONNRESET as transient).
 */

/** A server that resets every connection it accepts (ECONNRESET on the client). */
let resetting: Server;
let resetPort: number;
/** A port nothing listens on (ECONNREFUSED). */
let closedPort: number;

beforeAll(async () => {
  resetting = createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
  resetPort = (resetting.address() as { port: number }).port;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => resetting.close(resolve));
});

const endpoint = (port: number) => `http://127.0.0.1:${port}`;
const settings = (port: number) => ({ region: 'eu-west-1', endpoint: endpoint(port), maxAttempts: 1 });
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('network errors keep their code across realms', () => {
  it('the cause: a Node socket error is not an Error of this realm, and the bare SDK client drops its code', async () => {
    const bare = new EKSClient({ ...settings(resetPort), credentials });
    const error = await bare.send(new ListClustersCommand({})).catch((caught: unknown) => caught);
    // Only true where the test runs in a vm context (jest): this is the premise of the fix below.
    expect(error).toMatchObject({ message: expect.stringContaining('AWS SDK error wrapper for') });
    expect((error as { code?: string }).code).toBeUndefined();
    expect(translateAwsError(error)).toBeInstanceOf(TerminalAwsError);
  });

  it.each([
    { name: 'a reset connection', port: () => resetPort, code: 'ECONNRESET' },
    { name: 'a refused connection', port: () => closedPort, code: 'ECONNREFUSED' },
  ])('$name is transient through the project clients, with its code ($code)', async ({ port, code }) => {
    const clients = createAwsClients({ ...settings(port()), credentials });
    const error = await clients.eks.send(new ListClustersCommand({})).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code });
    expect(translateAwsError(error)).toBeInstanceOf(TransientAwsError);
  });

  it('rebuilds an error of another realm with every field it carried, and leaves this realm alone', () => {
    const foreign = runInNewContext(
      'Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET", syscall: "read" })',
    ) as object;
    expect(foreign instanceof Error).toBe(false);
    const rebuilt = inThisRealm(foreign) as Error & { code?: string; syscall?: string };
    expect(rebuilt).toBeInstanceOf(Error);
    expect([rebuilt.name, rebuilt.message, rebuilt.code, rebuilt.syscall, rebuilt.cause]).toEqual([
      'TimeoutError',
      'socket hang up',
      'ECONNRESET',
      'read',
      foreign,
    ]);
    const own = new Error('x');
    expect(inThisRealm(own)).toBe(own);
    expect(inThisRealm('text')).toBe('text');
  });
});
