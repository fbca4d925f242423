import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../lib/aws/all-clients';
import type { AwsClients } from '../../lib/aws/client-factory';

/**
 * For adapter error-path tests (aws-sdk-client-mock): an SDK-shaped exception, and clients whose
 * endpoint answers nothing, so a call the mock does not intercept fails fast and locally.
 */
export function awsError(name: string, status = 400, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });
}

export function unreachableClients(): AwsClients {
  return createAwsClients({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
}

type Mocked<K extends keyof AwsClients> = { clients: AwsClients } & {
  [N in K]: AwsClientStub<AwsClients[N]>;
};

/**
 * The header of an adapter error-path test: unreachable clients with the named ones mocked, and
 * every mock reset before each test. `const { clients, ec2 } = mockedClients('ec2');`
 */
export function mockedClients<K extends keyof AwsClients>(...names: K[]): Mocked<K> {
  const clients = unreachableClients();
  const stubs = names.map((name) => [name, mockClient(clients[name] as never)] as const);
  beforeEach(() => {
    for (const [, stub] of stubs) stub.reset();
  });
  return { clients, ...Object.fromEntries(stubs) } as Mocked<K>;
}
