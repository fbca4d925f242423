import { runSimulation } from '@cloud-copilot/iam-simulate';
import { SANDBOX_ACCOUNT_ID } from '../local/provision';
import type { PolicyDocument } from './packaged-policies';

/**
 * One authorization question, as AWS asks it: may this principal perform this action on this
 * resource, given this request context? Answered by @cloud-copilot/iam-simulate (docs/decisions/
 * 0050-iam-evaluated-by-a-gate.md says why that evaluator), from identity policies only: the sandbox
 * has one account, no SCPs, RCPs, boundaries or session policies, and our resources carry no
 * resource policies that grant the functions anything.
 */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

export interface AuthorizationPrincipal {
  /** The role ARN (arn:aws:iam::<account>:role/<name>). */
  arn: string;
  policies: Array<{ name: string; document: PolicyDocument }>;
}

export type AuthorizationDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** `ExplicitlyDenied` or `ImplicitlyDenied`, or an error of the evaluator's input validation. */
      reason: string;
    };

/**
 * Decisions are cached: the suite repeats the same questions (Describe*, GetItem...) thousands of
 * times, and the evaluator validates every input against the Service Authorization Reference.
 */
export class PolicyEvaluator {
  private readonly cache = new Map<string, Promise<AuthorizationDecision>>();
  /** Questions asked (cached or not) and evaluator runs, for the performance report. */
  readonly counts = { asked: 0, evaluated: 0 };

  evaluate(principal: AuthorizationPrincipal, request: AuthorizationRequest): Promise<AuthorizationDecision> {
    this.counts.asked++;
    const key = JSON.stringify([
      principal.arn,
      request.action,
      request.resource,
      sortedContext(request.context),
    ]);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = this.run(principal, request);
      this.cache.set(key, decision);
    }
    return decision;
  }

  private async run(
    principal: AuthorizationPrincipal,
    request: AuthorizationRequest,
  ): Promise<AuthorizationDecision> {
    this.counts.evaluated++;
    const result = await runSimulation(
      {
        request: {
          principal: principal.arn,
          action: request.action,
          resource: { resource: withOwnerAccount(request.resource), accountId: SANDBOX_ACCOUNT_ID },
          contextVariables: {
            'aws:PrincipalArn': principal.arn,
            'aws:PrincipalAccount': SANDBOX_ACCOUNT_ID,
            ...request.context,
          },
        },
        identityPolicies: principal.policies.map((policy) => ({
          name: policy.name,
          policy: withOwnerAccounts(policy.document),
        })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === 'error') return { allowed: false, reason: `invalid: ${result.errors.message}` };
    return result.overallResult === 'Allowed'
      ? { allowed: true }
      : { allowed: false, reason: result.overallResult };
  }
}

function sortedContext(context: Record<string, string | string[]>): Array<[string, string | string[]]> {
  return Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * AWS-owned SSM public parameters have no account in their ARN (`arn:aws:ssm:<region>::parameter/
 * aws/service/...`), which the evaluator's resource-type patterns do not accept. The same stand-in
 * account is put into the request and into every such policy ARN, so matching is unchanged.
 */
const PUBLIC_PARAMETER = /^(arn:[^:]+:ssm:[^:]*)::parameter\//;
const PUBLIC_PARAMETER_OWNER = '000000000000';

function withOwnerAccount(arn: string): string {
  return arn.replace(PUBLIC_PARAMETER, `$1:${PUBLIC_PARAMETER_OWNER}:parameter/`);
}

function withOwnerAccounts(document: PolicyDocument): PolicyDocument {
  const fix = (value: string | string[] | undefined) =>
    value === undefined
      ? undefined
      : Array.isArray(value)
        ? value.map(withOwnerAccount)
        : withOwnerAccount(value);
  return {
    ...document,
    Statement: document.Statement.map((statement) => {
      const fixed = { ...statement };
      if (statement.Resource !== undefined) fixed.Resource = fix(statement.Resource);
      if (statement.NotResource !== undefined) fixed.NotResource = fix(statement.NotResource);
      return fixed;
    }),
  };
}
