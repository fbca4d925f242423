// @ts-check
'use strict';

/**
 * A Serverless Framework plugin for `npm start` only: serverless-offline gives every function the
 * AWS_* variables of the process that started it, so all functions would call the sandbox with one
 * identity. Lambda gives each function its own role's credentials; here each function gets its own
 * sandbox access key, which the sandbox's IAM gate maps to that function's packaged role
 * (infra/iam/sandbox-principals.ts names the keys). Inert unless SANDBOX_FUNCTION_CREDENTIALS=1,
 * which infra/scripts/start.ts sets: packaging and deploying never see it.
 */
class OfflineFunctionCredentials {
  /** @param {{ service: { functions?: Record<string, { environment?: Record<string, string> }> } }} serverless */
  constructor(serverless) {
    this.hooks = {
      'before:offline:start:init': () => {
        if (process.env.SANDBOX_FUNCTION_CREDENTIALS !== '1') return;
        for (const [key, definition] of Object.entries(serverless.service.functions ?? {})) {
          definition.environment = {
            ...(definition.environment ?? {}),
            AWS_ACCESS_KEY_ID: `SANDBOXFN${key.toUpperCase()}`,
            AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
          };
        }
      },
    };
  }
}

module.exports = OfflineFunctionCredentials;
