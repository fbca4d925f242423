/**
 * infra/iam/policy-parts.cjs: the parts of the IAM statements serverless.yml cannot write in YAML.
 */
const parts = require('../../../infra/iam/policy-parts.cjs') as Record<
  string,
  (context: { resolveVariable: (address: string) => Promise<unknown> }) => Promise<unknown>
>;

function context(values: Record<string, string>) {
  return {
    resolveVariable: async (address: string) => {
      if (!(address in values)) throw new Error(`unexpected variable ${address}`);
      return values[address];
    },
  };
}

const ownership = {
  'self:custom.ownerTagKey': 'enclave-pools:managed-by',
  'self:custom.ownerTagValue': 'enclave-pools',
  'self:custom.deploymentTagKey': 'enclave-pools:deployment',
  'self:custom.deploymentId': 'enclave-pools-prod',
};

describe('policy parts', () => {
  it('computes the tag-condition keys from the custom values, which YAML keys cannot', async () => {
    expect(await parts.resourceAndRequestTags?.(context(ownership))).toEqual({
      'aws:ResourceTag/enclave-pools:managed-by': 'enclave-pools',
      'aws:ResourceTag/enclave-pools:deployment': 'enclave-pools-prod',
      'aws:RequestTag/enclave-pools:managed-by': 'enclave-pools',
      'aws:RequestTag/enclave-pools:deployment': 'enclave-pools-prod',
    });
    expect(await parts.requestTagsAtRunInstances?.(context(ownership))).toMatchObject({
      'ec2:CreateAction': 'RunInstances',
    });
  });

  it('turns the allow-lists into one ARN per name', async () => {
    const lists = context({
      'param:allowedClusters': 'prod-a, prod-b',
      'param:allowedNodeRoles': 'nodes/enclave',
    });
    expect(await parts.clusterAndNodegroupArns?.(lists)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/prod-a' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/prod-b' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:nodegroup/prod-a/*/*' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:nodegroup/prod-b/*/*' },
    ]);
    expect(await parts.nodeRoleArns?.(lists)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/nodes/enclave' },
    ]);
  });

  it('refuses an empty allow-list instead of granting nothing silently', async () => {
    await expect(parts.nodeRoleArns?.(context({ 'param:allowedNodeRoles': ' , ' }))).rejects.toThrow(
      'param allowedNodeRoles is empty',
    );
  });
});
