/**
 * Runs before every test file, in its worker. Points every AWS SDK client at this worker's sandbox
 * and makes sure nothing can reach real AWS: dummy credentials, no shared config or profile, no
 * instance metadata, one attempt per call.
 */
import { DEFAULT_REGION } from '../lib/config';

// Nothing listens on port 9 (discard) here: clients built without a sandbox fail fast and locally.
const NO_SANDBOX_ENDPOINT = 'http://127.0.0.1:9';

function workerEndpoint(): string {
  const endpoints = (process.env.SANDBOX_ENDPOINTS ?? '').split(',').filter(Boolean);
  if (endpoints.length === 0) return NO_SANDBOX_ENDPOINT;
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return endpoints[(Math.max(worker, 1) - 1) % endpoints.length] ?? NO_SANDBOX_ENDPOINT;
}

for (const name of [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
]) {
  delete process.env[name];
}

process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_REGION = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || DEFAULT_REGION;
process.env.AWS_MAX_ATTEMPTS = '1';
// The 5 s production request timeout is for AWS; moto on a saturated CI machine can take longer for
// one call, and with one attempt that would fail a test for the machine's sake. The fault suite
// sets its own short timeouts where a timeout is the point.
process.env.AWS_REQUEST_TIMEOUT_MS = process.env.AWS_REQUEST_TIMEOUT_MS || '60000';
process.env.AWS_ENDPOINT_URL = workerEndpoint();
process.env.KUBERNETES_VERSION = process.env.KUBERNETES_VERSION || '1.35';
// Spec-change messages wait this long in the reconcile queue (serverless.yml settleSeconds; 5 s deployed).
process.env.SETTLE_SECONDS = process.env.SETTLE_SECONDS || '1';
