import type { PoolSpec, Violation } from '../pool-spec';
import type { LiveRuleInput } from '../rules/live-rules';
import { Rule } from '../rules/rules';
import { capPerRule, hasErrors } from '../rules/violation-list';
import type { DeploymentAllowList } from './deployment-allow-list';
import type { Variables } from './deployment-variables';
import { type DocumentFormat, decodeSpecBytes, parsePoolDocument } from './pool-document';
import { resolvePoolSpec } from './pool-spec-resolver';
import { substituteVariables } from './variable-substitution';

/**
 * Public API of lib/manifests (what the reconciler, the event path and the CLI call):
 *
 *   validatePoolSpec(text, {variables, poolId?, format?}) → {spec?, liveInput?, violations}
 *       The offline part in one call: parse, substitute, resolve, offline rules. `spec` is present
 *       only when no violation is an Error. `liveInput` is present whenever the manifests could be
 *       read far enough for the live rules, even when `spec` is not, so a caller can report offline
 *       and live problems in one pass (not when the spec names a cluster or role the deployment's
 *       allow-lists refuse: nothing is read about those).
 *   validatePoolSpecBytes(bytes, options)       the same, from stored bytes (refuses invalid UTF-8).
 *   checkLiveRules(spec | liveInput, facts)     (live-rules.ts) pure; facts from lib/aws/live-facts-reader.ts,
 *                                                which liveFactsRequest(spec | liveInput) tells what to read.
 *   ruleCondition(rule)                         (rules/rules.ts) which resource condition a rule also sets.
 *   variablesFromEnvironment(env, overrides)    (deployment-variables.ts) the variables to substitute.
 *   allowListFromEnvironment(env)               (deployment-allow-list.ts) the clusters / node roles allowed.
 *
 * The steps are exported too, for callers that need them separately:
 *   parsePoolDocument(text, {format?}) → {document?, violations}           pool-document.ts
 *   substituteVariables(document, variables) → {manifests, violations}     variable-substitution.ts
 *   resolvePoolSpec(manifests, {poolId?}) → {spec?, liveInput?, violations} pool-spec-resolver.ts
 *
 * A spec with any Error violation (offline or live) must cause no AWS write.
 */

export interface ValidateOptions {
  variables: Variables;
  /** The store key (S3 object name / DynamoDB poolId); must equal MachinePool metadata.name. */
  poolId?: string;
  /** Skip content detection (JSON starts with `{` or `[`). */
  format?: DocumentFormat;
  /** The stored object's real size (StoredSpec.sizeBytes), when `text` may be cut at the read limit. */
  sizeBytes?: number;
  /** The clusters and node roles the deployment lets specs name (allowListFromEnvironment). */
  allowList?: DeploymentAllowList;
}

export interface ValidationResult {
  spec?: PoolSpec;
  liveInput?: LiveRuleInput;
  violations: Violation[];
}

export function validatePoolSpec(text: string, options: ValidateOptions): ValidationResult {
  const parsed = parsePoolDocument(text, {
    ...(options.format ? { format: options.format } : {}),
    ...(options.sizeBytes !== undefined ? { sizeBytes: options.sizeBytes } : {}),
  });
  if (!parsed.document) return { violations: parsed.violations };
  const substituted = substituteVariables(parsed.document, options.variables);
  const unresolved = new Set(substituted.unresolvedPaths);
  const resolved = resolvePoolSpec(substituted.manifests, {
    unresolvedPaths: unresolved,
    ...(options.poolId !== undefined ? { poolId: options.poolId } : {}),
    ...(options.allowList ? { allowList: options.allowList } : {}),
  });
  // A document that could not be parsed is why a manifest is "missing": saying so again is noise.
  const documentsRejected = hasErrors(parsed.violations);
  const violations = capPerRule([
    ...parsed.violations,
    ...substituted.violations,
    ...resolved.violations.filter(
      (v) => !unresolved.has(v.path) && !(documentsRejected && v.rule === Rule.MissingManifest),
    ),
  ]);
  const spec = resolved.spec && !hasErrors(violations) ? resolved.spec : undefined;
  // A cluster or role outside the deployment's allow-lists is not read either: the function's IAM
  // role may not even describe it, and the spec is refused whatever the live rules would say.
  const outsideAllowList = violations.some(
    (v) => v.rule === Rule.ClusterNotAllowed || v.rule === Rule.NodeRoleNotAllowed,
  );
  return {
    ...(spec ? { spec } : {}),
    ...(resolved.liveInput && !outsideAllowList ? { liveInput: resolved.liveInput } : {}),
    violations,
  };
}

export function validatePoolSpecBytes(bytes: Uint8Array, options: ValidateOptions): ValidationResult {
  const decoded = decodeSpecBytes(bytes);
  if (decoded.text === undefined) return { violations: decoded.violations };
  return validatePoolSpec(decoded.text, options);
}
