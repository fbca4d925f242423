// @ts-check
'use strict';

/**
 * The parts of the functions' IAM statements that YAML cannot express, loaded by serverless.yml as
 * `${file(./infra/iam/policy-parts.cjs):<name>}`.
 *
 * - Condition maps whose KEYS name a tag (`aws:RequestTag/<owner key>`): the Serverless Framework
 *   resolves variables in values but never in map keys, so a key written as
 *   `aws:RequestTag/${self:custom.ownerTagKey}` reached the template literally and never matched.
 * - Resource lists built from the deployment's allow-lists (params allowedClusters, allowedNodeRoles):
 *   one ARN per listed name, which `!Sub` cannot do for a list.
 *
 * Each export is called by the framework with `{ resolveVariable }` and returns plain template data.
 */

/** @typedef {{ resolveVariable: (address: string) => Promise<unknown> }} ResolverContext */

/** @param {ResolverContext} context */
async function ownership({ resolveVariable }) {
  const [ownerKey, ownerValue, deploymentKey, deploymentId] = await Promise.all(
    [
      'self:custom.ownerTagKey',
      'self:custom.ownerTagValue',
      'self:custom.deploymentTagKey',
      'self:custom.deploymentId',
    ].map(async (address) => String(await resolveVariable(address))),
  );
  return { ownerKey, ownerValue, deploymentKey, deploymentId };
}

/**
 * `{ "<prefix>/<owner key>": <owner value>, "<prefix>/<deployment key>": <deployment id> }`.
 * @param {string[]} prefixes
 * @param {ResolverContext} context
 */
async function tagConditions(prefixes, context) {
  const tags = await ownership(context);
  /** @type {Record<string, string>} */
  const condition = {};
  for (const prefix of prefixes) {
    condition[`${prefix}/${tags.ownerKey}`] = tags.ownerValue;
    condition[`${prefix}/${tags.deploymentKey}`] = tags.deploymentId;
  }
  return condition;
}

/**
 * A comma-separated allow-list param as names. `*` alone means "any"; names may use IAM wildcards.
 * @param {string} param
 * @param {ResolverContext} context
 */
async function allowList(param, { resolveVariable }) {
  const raw = String(await resolveVariable(`param:${param}`));
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`param ${param} is empty: name at least one entry, or '*'`);
  return names;
}

/** @param {string} arnTail */
const sub = (arnTail) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${arnTail}` });

/** @param {ResolverContext} context */
async function clusterArns(context) {
  return (await allowList('allowedClusters', context)).map((name) =>
    sub(`eks:\${AWS::Region}:\${AWS::AccountId}:cluster/${name}`),
  );
}

/** @param {ResolverContext} context */
async function nodegroupArns(context) {
  return (await allowList('allowedClusters', context)).map((name) =>
    sub(`eks:\${AWS::Region}:\${AWS::AccountId}:nodegroup/${name}/*/*`),
  );
}

module.exports = {
  /** The request must carry this deployment's ownership tags (create calls, tag calls). */
  requestTags: (/** @type {ResolverContext} */ context) => tagConditions(['aws:RequestTag'], context),
  /** The resource must already carry this deployment's ownership tags (change and delete calls). */
  resourceTags: (/** @type {ResolverContext} */ context) => tagConditions(['aws:ResourceTag'], context),
  /** Instances and volumes tagged by the RunInstances that creates them, with our ownership tags. */
  requestTagsAtRunInstances: async (/** @type {ResolverContext} */ context) => ({
    ...(await tagConditions(['aws:RequestTag'], context)),
    'ec2:CreateAction': 'RunInstances',
  }),
  /** Both: tagging is allowed only on resources already ours, and only with our ownership tags. */
  resourceAndRequestTags: (/** @type {ResolverContext} */ context) =>
    tagConditions(['aws:ResourceTag', 'aws:RequestTag'], context),

  /** The clusters specs may name (param allowedClusters). */
  clusterArns: (/** @type {ResolverContext} */ context) => clusterArns(context),
  /** Node groups in those clusters: `nodegroup/<cluster>/<name>/<uuid>`. */
  nodegroupArns: (/** @type {ResolverContext} */ context) => nodegroupArns(context),
  clusterAndNodegroupArns: async (/** @type {ResolverContext} */ context) => [
    ...(await clusterArns(context)),
    ...(await nodegroupArns(context)),
  ],
  /**
   * The Auto Scaling groups EKS made for node groups of the allowed clusters: EKS tags each group
   * `eks:cluster-name` (the node group's tags are not copied, so our ownership tags are not there).
   */
  autoScalingGroupOfAllowedClusters: async (/** @type {ResolverContext} */ context) => ({
    'autoscaling:ResourceTag/eks:cluster-name': await allowList('allowedClusters', context),
  }),
  /** The node roles specs may name (param allowedNodeRoles; a role with a path is `path/name`). */
  nodeRoleArns: async (/** @type {ResolverContext} */ context) =>
    (await allowList('allowedNodeRoles', context)).map((name) => sub(`iam::\${AWS::AccountId}:role/${name}`)),
};
