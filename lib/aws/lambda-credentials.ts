/**
 * The credential chain inside the Lambda bundles. The Lambda runtime always hands a function its
 * role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the rest of
 * the SDK's default chain (profiles, SSO, web identity, container and instance metadata, with the
 * STS and SSO clients they carry) never runs there. serverless.yml's esbuild `alias` puts this
 * module in place of `@aws-sdk/credential-provider-node` for the functions only; the CLI, `npm start`
 * outside the bundle and the tests keep the SDK's whole chain (decision 0083).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (): ReturnType<typeof fromEnv> => fromEnv();
