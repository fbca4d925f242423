import { type AwsClients, createAwsClients } from '../../lib/aws/client-factory';

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
