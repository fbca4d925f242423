import type { AuthorizationRequest } from './policy-evaluator';

/**
 * Turns one HTTP request to the sandbox into the authorization questions AWS asks for it: the IAM
 * action (not always the operation's name: ListObjectsV2 is s3:ListBucket, SendMessageBatch is
 * sqs:SendMessage), the resource ARN as the Service Authorization Reference defines it, and the
 * condition context the service fills in (request tags, the resource's tags read from the sandbox,
 * aws:TagKeys, ec2:CreateAction, iam:PassedToService...). Calls that are checked on the caller by
 * another service (EKS on CreateNodegroup / UpdateNodegroupVersion) add their questions, marked `via`.
 */

export interface IncomingRequest {
  /** The SigV4 signing name from the credential scope: ec2, eks, dynamodb, s3, sqs, ssm, iam... */
  service: string;
  region: string;
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Protocol = 'ec2' | 'query' | 'json' | 'rest-json' | 's3';

export interface AuthorizationCheck extends AuthorizationRequest {
  /** Set when another service asks on the caller's behalf (its own error shape on denial). */
  via?: 'eks';
}

export interface RequestAuthorization {
  /** `<service>:<Operation>` for logs and errors. */
  operation: string;
  protocol: Protocol;
  /** Questions to ask, all of which must be allowed; empty when AWS authorizes nothing (sts:GetCallerIdentity). */
  checks: AuthorizationCheck[];
}

export type Tags = Record<string, string>;

export interface LaunchTemplateFacts {
  arn: string;
  id: string;
  tags: Tags;
}

export interface LaunchTemplateVersionFacts {
  imageId?: string;
  keyName?: string;
  securityGroupIds: string[];
  /** TagSpecifications by resource type (instance, volume, network-interface...). */
  tagSpecifications: Record<string, Tags>;
}

/** What the sandbox knows about existing resources, read with administrator rights. */
export interface ResourceLookups {
  launchTemplate(
    region: string,
    ref: { id?: string; name?: string },
  ): Promise<LaunchTemplateFacts | undefined>;
  launchTemplateVersion(
    region: string,
    id: string,
    version: string | undefined,
  ): Promise<LaunchTemplateVersionFacts | undefined>;
  cluster(region: string, name: string): Promise<{ arn: string; tags: Tags } | undefined>;
  nodegroup(
    region: string,
    clusterName: string,
    nodegroupName: string,
  ): Promise<{ arn: string; tags: Tags; subnets: string[]; nodeRole?: string } | undefined>;
  eksTagsByArn(region: string, arn: string): Promise<Tags | undefined>;
  autoScalingGroup(region: string, name: string): Promise<{ arn: string; tags: Tags } | undefined>;
  roleArn(roleName: string): Promise<string | undefined>;
}

export const SANDBOX_ACCOUNT = '123456789012';

export class UnmappedRequestError extends Error {
  override name = 'UnmappedRequestError';
}

export async function authorizeRequest(
  request: IncomingRequest,
  lookups: ResourceLookups,
): Promise<RequestAuthorization> {
  switch (request.service) {
    case 'ec2':
      return ec2Request(request, lookups);
    case 'eks':
      return eksRequest(request, lookups);
    case 'dynamodb':
      return dynamodbRequest(request);
    case 'sqs':
      return sqsRequest(request);
    case 'ssm':
      return ssmRequest(request);
    case 's3':
      return s3Request(request);
    case 'iam':
      return iamRequest(request, lookups);
    case 'sts':
      return stsRequest(request);
    case 'events':
      return eventsRequest(request);
    case 'autoscaling':
      return autoScalingRequest(request, lookups);
    default:
      throw new UnmappedRequestError(`the IAM gate does not know the ${request.service} service`);
  }
}

// ---------------------------------------------------------------------------------------------
// Context helpers

function tagContext(prefixes: string[], tags: Tags): Record<string, string> {
  const context: Record<string, string> = {};
  for (const prefix of prefixes) {
    for (const [key, value] of Object.entries(tags)) context[`${prefix}/${key}`] = value;
  }
  return context;
}

function requestTagContext(tags: Tags): Record<string, string | string[]> {
  if (Object.keys(tags).length === 0) return {};
  return { ...tagContext(['aws:RequestTag'], tags), 'aws:TagKeys': Object.keys(tags) };
}

const ec2Arn = (region: string, tail: string) => `arn:aws:ec2:${region}:${SANDBOX_ACCOUNT}:${tail}`;

// ---------------------------------------------------------------------------------------------
// EC2 (query protocol, form body)

function formParams(request: IncomingRequest): URLSearchParams {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const params = new URLSearchParams(query);
  for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) params.append(key, value);
  return params;
}

/** `TagSpecification.N.ResourceType` / `TagSpecification.N.Tag.M.Key|Value` → tags per resource type. */
function ec2TagSpecifications(params: URLSearchParams, prefix = 'TagSpecification'): Record<string, Tags> {
  const specs: Record<string, Tags> = {};
  for (let n = 1; params.has(`${prefix}.${n}.ResourceType`); n++) {
    const type = params.get(`${prefix}.${n}.ResourceType`) ?? '';
    const tags: Tags = specs[type] ?? {};
    specs[type] = tags;
    for (let m = 1; params.has(`${prefix}.${n}.Tag.${m}.Key`); m++) {
      tags[params.get(`${prefix}.${n}.Tag.${m}.Key`) ?? ''] =
        params.get(`${prefix}.${n}.Tag.${m}.Value`) ?? '';
    }
  }
  return specs;
}

async function ec2Request(request: IncomingRequest, lookups: ResourceLookups): Promise<RequestAuthorization> {
  const params = formParams(request);
  const operation = params.get('Action') ?? '';
  const region = request.region;
  const result = (checks: AuthorizationCheck[]): RequestAuthorization => ({
    operation: `ec2:${operation}`,
    protocol: 'ec2',
    checks,
  });
  if (/^Describe/.test(operation))
    return result([{ action: `ec2:${operation}`, resource: '*', context: {} }]);
  switch (operation) {
    case 'CreateLaunchTemplate': {
      const tags = ec2TagSpecifications(params)['launch-template'] ?? {};
      const resource = ec2Arn(region, 'launch-template/*');
      const checks: AuthorizationCheck[] = [
        { action: 'ec2:CreateLaunchTemplate', resource, context: requestTagContext(tags) },
      ];
      // Tagging on create is authorized as ec2:CreateTags with ec2:CreateAction (EC2 user guide,
      // "Grant permission to tag Amazon EC2 resources during creation").
      if (Object.keys(tags).length > 0) {
        checks.push({
          action: 'ec2:CreateTags',
          resource,
          context: { ...requestTagContext(tags), 'ec2:CreateAction': 'CreateLaunchTemplate' },
        });
      }
      return result(checks);
    }
    case 'CreateLaunchTemplateVersion':
    case 'DeleteLaunchTemplateVersions':
    case 'DeleteLaunchTemplate':
    case 'ModifyLaunchTemplate': {
      const template = await lookups.launchTemplate(region, {
        id: params.get('LaunchTemplateId') ?? undefined,
        name: params.get('LaunchTemplateName') ?? undefined,
      });
      // A template that does not exist: EC2's own not-found error is the answer.
      if (!template) return result([]);
      return result([
        {
          action: `ec2:${operation}`,
          resource: template.arn,
          context: tagContext(['aws:ResourceTag', 'ec2:ResourceTag'], template.tags),
        },
      ]);
    }
    default:
      throw new UnmappedRequestError(`the IAM gate has no resource mapping for ec2:${operation}`);
  }
}

// ---------------------------------------------------------------------------------------------
// EKS (rest-json)

interface EksRoute {
  method: string;
  pattern: RegExp;
  operation: string;
}

const EKS_ROUTES: EksRoute[] = [
  { method: 'GET', pattern: /^\/clusters\/([^/]+)$/, operation: 'DescribeCluster' },
  { method: 'POST', pattern: /^\/clusters$/, operation: 'CreateCluster' },
  { method: 'GET', pattern: /^\/clusters$/, operation: 'ListClusters' },
  { method: 'GET', pattern: /^\/clusters\/([^/]+)\/node-groups$/, operation: 'ListNodegroups' },
  { method: 'POST', pattern: /^\/clusters\/([^/]+)\/node-groups$/, operation: 'CreateNodegroup' },
  { method: 'GET', pattern: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)$/, operation: 'DescribeNodegroup' },
  { method: 'DELETE', pattern: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)$/, operation: 'DeleteNodegroup' },
  {
    method: 'POST',
    pattern: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)\/update-config$/,
    operation: 'UpdateNodegroupConfig',
  },
  {
    method: 'POST',
    pattern: /^\/clusters\/([^/]+)\/node-groups\/([^/]+)\/update-version$/,
    operation: 'UpdateNodegroupVersion',
  },
  { method: 'GET', pattern: /^\/clusters\/([^/]+)\/updates$/, operation: 'ListUpdates' },
  { method: 'GET', pattern: /^\/clusters\/([^/]+)\/updates\/([^/]+)$/, operation: 'DescribeUpdate' },
  { method: 'POST', pattern: /^\/tags\/(.+)$/, operation: 'TagResource' },
  { method: 'DELETE', pattern: /^\/tags\/(.+)$/, operation: 'UntagResource' },
  { method: 'GET', pattern: /^\/tags\/(.+)$/, operation: 'ListTagsForResource' },
];

function jsonBody(request: IncomingRequest): Record<string, unknown> {
  const text = request.body.toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function eksRequest(request: IncomingRequest, lookups: ResourceLookups): Promise<RequestAuthorization> {
  const [rawPath = '', rawQuery = ''] = request.url.split('?');
  const query = new URLSearchParams(rawQuery);
  const route = EKS_ROUTES.find((r) => r.method === request.method && r.pattern.test(rawPath));
  if (!route)
    throw new UnmappedRequestError(`the IAM gate has no route for EKS ${request.method} ${rawPath}`);
  const match = route.pattern.exec(rawPath) ?? [];
  const clusterName = decodeURIComponent(match[1] ?? '');
  const region = request.region;
  const action = `eks:${route.operation}`;
  const clusterArn = `arn:aws:eks:${region}:${SANDBOX_ACCOUNT}:cluster/${clusterName}`;
  const result = (checks: AuthorizationCheck[]): RequestAuthorization => ({
    operation: action,
    protocol: 'rest-json',
    checks,
  });
  const onCluster = async (context: Record<string, string | string[]> = {}) => {
    const cluster = await lookups.cluster(region, clusterName);
    return {
      action,
      resource: cluster?.arn ?? clusterArn,
      context: { ...tagContext(['aws:ResourceTag'], cluster?.tags ?? {}), ...context },
    };
  };
  const onNodegroup = async (nodegroupName: string) => {
    const nodegroup = await lookups.nodegroup(region, clusterName, nodegroupName);
    if (!nodegroup) return undefined;
    return {
      nodegroup,
      check: { action, resource: nodegroup.arn, context: tagContext(['aws:ResourceTag'], nodegroup.tags) },
    };
  };
  const body = jsonBody(request);
  switch (route.operation) {
    case 'ListClusters':
      return result([{ action, resource: '*', context: {} }]);
    case 'CreateCluster':
      return result([
        {
          action,
          resource: `arn:aws:eks:${region}:${SANDBOX_ACCOUNT}:cluster/${String(body.name ?? '')}`,
          context: requestTagContext((body.tags ?? {}) as Tags),
        },
      ]);
    case 'DescribeCluster':
    case 'ListNodegroups':
      return result([await onCluster()]);
    case 'CreateNodegroup': {
      const tags = (body.tags ?? {}) as Tags;
      const checks: AuthorizationCheck[] = [await onCluster(requestTagContext(tags))];
      checks.push(
        ...(await eksCallerChecks(region, lookups, {
          launchTemplate: body.launchTemplate as { id?: string; name?: string; version?: string } | undefined,
          subnets: (body.subnets ?? []) as string[],
          nodeRole: typeof body.nodeRole === 'string' ? body.nodeRole : undefined,
        })),
      );
      return result(checks);
    }
    case 'DescribeNodegroup':
    case 'DeleteNodegroup':
    case 'UpdateNodegroupConfig':
    case 'UpdateNodegroupVersion': {
      const found = await onNodegroup(decodeURIComponent(match[2] ?? ''));
      // A node group that does not exist: EKS's own ResourceNotFoundException is the answer.
      if (!found) return result([]);
      const checks: AuthorizationCheck[] = [found.check];
      if (route.operation === 'UpdateNodegroupVersion' && body.launchTemplate) {
        checks.push(
          ...(await eksCallerChecks(region, lookups, {
            launchTemplate: body.launchTemplate as { id?: string; name?: string; version?: string },
            subnets: found.nodegroup.subnets,
          })),
        );
      }
      return result(checks);
    }
    case 'ListUpdates':
    case 'DescribeUpdate': {
      const nodegroupName = query.get('nodegroupName');
      if (!nodegroupName) return result([await onCluster()]);
      const found = await onNodegroup(nodegroupName);
      return result(found ? [found.check] : []);
    }
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource': {
      const arn = decodeURIComponent(match[1] ?? '');
      const resourceTags = (await lookups.eksTagsByArn(region, arn)) ?? {};
      const context: Record<string, string | string[]> = tagContext(['aws:ResourceTag'], resourceTags);
      if (route.operation === 'TagResource')
        Object.assign(context, requestTagContext((body.tags ?? {}) as Tags));
      if (route.operation === 'UntagResource') context['aws:TagKeys'] = query.getAll('tagKeys');
      return result([{ action, resource: arn, context }]);
    }
    default:
      throw new UnmappedRequestError(`the IAM gate has no resource mapping for ${action}`);
  }
}

/**
 * What EKS checks on the caller of CreateNodegroup / UpdateNodegroupVersion with a launch template
 * (EKS user guide, launch-templates: "The IAM entity calling the CreateNodegroup or
 * UpdateNodegroupVersion APIs must have permissions for ec2:RunInstances and ec2:CreateTags"; the
 * node role is passed to EKS). Modelled as the RunInstances EC2 would authorize for that template:
 * every resource it touches, with the template's tags as request tags. How EKS phrases the question
 * to IAM is not documented; docs/security.md says what is assumed.
 */
async function eksCallerChecks(
  region: string,
  lookups: ResourceLookups,
  input: {
    launchTemplate: { id?: string; name?: string; version?: string } | undefined;
    subnets: string[];
    nodeRole?: string | undefined;
  },
): Promise<AuthorizationCheck[]> {
  const checks: AuthorizationCheck[] = [];
  if (input.nodeRole) {
    checks.push({
      via: 'eks',
      action: 'iam:PassRole',
      resource: input.nodeRole,
      context: { 'iam:PassedToService': 'eks.amazonaws.com' },
    });
  }
  if (!input.launchTemplate) return checks;
  const template = await lookups.launchTemplate(region, input.launchTemplate);
  if (!template) return checks;
  const data = await lookups.launchTemplateVersion(region, template.id, input.launchTemplate.version);
  if (!data) return checks;
  const launch = { 'ec2:LaunchTemplate': template.arn };
  const run = (resource: string, context: Record<string, string | string[]> = {}): AuthorizationCheck => ({
    via: 'eks',
    action: 'ec2:RunInstances',
    resource,
    context: { ...launch, ...context },
  });
  checks.push(
    { via: 'eks', action: 'ec2:DescribeLaunchTemplateVersions', resource: '*', context: {} },
    run(template.arn, tagContext(['aws:ResourceTag', 'ec2:ResourceTag'], template.tags)),
    run(ec2Arn(region, 'instance/*'), requestTagContext(data.tagSpecifications.instance ?? {})),
    run(ec2Arn(region, 'volume/*'), requestTagContext(data.tagSpecifications.volume ?? {})),
    run(
      ec2Arn(region, 'network-interface/*'),
      requestTagContext(data.tagSpecifications['network-interface'] ?? {}),
    ),
    ...input.subnets.map((subnet) => run(ec2Arn(region, `subnet/${subnet}`))),
    ...data.securityGroupIds.map((group) => run(ec2Arn(region, `security-group/${group}`))),
  );
  if (data.imageId) checks.push(run(`arn:aws:ec2:${region}::image/${data.imageId}`));
  if (data.keyName) checks.push(run(ec2Arn(region, `key-pair/${data.keyName}`)));
  for (const [type, tags] of Object.entries(data.tagSpecifications)) {
    if (Object.keys(tags).length === 0 || !['instance', 'volume', 'network-interface'].includes(type))
      continue;
    checks.push({
      via: 'eks',
      action: 'ec2:CreateTags',
      resource: ec2Arn(region, `${type}/*`),
      context: { ...requestTagContext(tags), 'ec2:CreateAction': 'RunInstances' },
    });
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------
// JSON protocols (DynamoDB, DynamoDB Streams, SQS, SSM, EventBridge)

function jsonTarget(request: IncomingRequest): { prefix: string; operation: string } {
  const target = String(request.headers['x-amz-target'] ?? '');
  const dot = target.lastIndexOf('.');
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}

const tableArn = (region: string, table: string) =>
  `arn:aws:dynamodb:${region}:${SANDBOX_ACCOUNT}:table/${table}`;

function dynamodbRequest(request: IncomingRequest): RequestAuthorization {
  const { prefix, operation } = jsonTarget(request);
  const body = jsonBody(request);
  const region = request.region;
  const result = (checks: AuthorizationCheck[]): RequestAuthorization => ({
    operation: `dynamodb:${operation}`,
    protocol: 'json',
    checks,
  });
  if (prefix.startsWith('DynamoDBStreams')) {
    const streamArn = String(body.StreamArn ?? '');
    if (!streamArn)
      throw new UnmappedRequestError(`the IAM gate cannot name the stream of dynamodb:${operation}`);
    return result([{ action: `dynamodb:${operation}`, resource: streamArn, context: {} }]);
  }
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return result(
        Object.keys((body.RequestItems ?? {}) as object).map((table) => ({
          action: `dynamodb:${operation}`,
          resource: tableArn(region, table),
          context: {},
        })),
      );
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      // Each item is authorized as the single-item action it performs.
      const itemActions: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      const items = (body.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>;
      return result(
        items.flatMap((item) =>
          Object.entries(item).map(([kind, detail]) => ({
            action: `dynamodb:${itemActions[kind] ?? kind}`,
            resource: tableArn(region, String(detail.TableName ?? '')),
            context: {},
          })),
        ),
      );
    }
    case 'ListTables':
      return result([{ action: 'dynamodb:ListTables', resource: '*', context: {} }]);
    default: {
      const table = body.TableName;
      if (typeof table !== 'string') {
        throw new UnmappedRequestError(`the IAM gate cannot name the table of dynamodb:${operation}`);
      }
      return result([{ action: `dynamodb:${operation}`, resource: tableArn(region, table), context: {} }]);
    }
  }
}

/** SQS batch operations are authorized as their single-message action (SQS developer guide, API permissions). */
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function sqsRequest(request: IncomingRequest): RequestAuthorization {
  const isJson = Boolean(request.headers['x-amz-target']);
  const params = isJson ? undefined : formParams(request);
  const body = isJson ? jsonBody(request) : {};
  const operation = isJson ? jsonTarget(request).operation : (params?.get('Action') ?? '');
  const get = (name: string) => (isJson ? body[name] : params?.get(name)) as string | undefined;
  const action = `sqs:${SQS_ACTIONS[operation] ?? operation}`;
  const queueName =
    operation === 'GetQueueUrl' || operation === 'CreateQueue'
      ? get('QueueName')
      : get('QueueUrl')?.split('/').pop();
  const resource =
    operation === 'ListQueues' ? '*' : `arn:aws:sqs:${request.region}:${SANDBOX_ACCOUNT}:${queueName ?? ''}`;
  return {
    operation: `sqs:${operation}`,
    protocol: isJson ? 'json' : 'query',
    checks: [{ action, resource, context: {} }],
  };
}

function ssmRequest(request: IncomingRequest): RequestAuthorization {
  const { operation } = jsonTarget(request);
  const body = jsonBody(request);
  const names: string[] =
    operation === 'GetParameters'
      ? ((body.Names ?? []) as string[])
      : operation === 'GetParametersByPath'
        ? [String(body.Path ?? '')]
        : [String(body.Name ?? '')];
  return {
    operation: `ssm:${operation}`,
    protocol: 'json',
    checks: names.map((name) => {
      const bare = name.replace(/^\//, '');
      // AWS-owned public parameters (/aws/service/...) have no account in their ARN.
      const account = bare.startsWith('aws/') ? '' : SANDBOX_ACCOUNT;
      return {
        action: `ssm:${operation}`,
        resource: `arn:aws:ssm:${request.region}:${account}:parameter/${bare}`,
        context: {},
      };
    }),
  };
}

function eventsRequest(request: IncomingRequest): RequestAuthorization {
  const { operation } = jsonTarget(request);
  const body = jsonBody(request);
  const busArn = (name: unknown) =>
    String(name ?? 'default').startsWith('arn:')
      ? String(name)
      : `arn:aws:events:${request.region}:${SANDBOX_ACCOUNT}:event-bus/${String(name ?? 'default')}`;
  if (operation === 'PutEvents') {
    const entries = (body.Entries ?? []) as Array<{
      EventBusName?: string;
      Source?: string;
      DetailType?: string;
    }>;
    return {
      operation: 'events:PutEvents',
      protocol: 'json',
      checks: entries.map((entry) => ({
        action: 'events:PutEvents',
        resource: busArn(entry.EventBusName),
        context: { 'events:source': entry.Source ?? '', 'events:detail-type': entry.DetailType ?? '' },
      })),
    };
  }
  throw new UnmappedRequestError(`the IAM gate has no resource mapping for events:${operation}`);
}

// ---------------------------------------------------------------------------------------------
// S3 (rest-xml, path-style addressing)

function s3Request(request: IncomingRequest): RequestAuthorization {
  const [rawPath = '', rawQuery = ''] = request.url.split('?');
  const query = new URLSearchParams(rawQuery);
  const [bucket = '', ...keyParts] = rawPath.replace(/^\//, '').split('/');
  const key = keyParts.map(decodeURIComponent).join('/');
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const result = (
    operation: string,
    action: string,
    resource: string,
    context = {},
  ): RequestAuthorization => ({
    operation: `s3:${operation}`,
    protocol: 's3',
    checks: [{ action, resource, context }],
  });
  if (!bucket) return result('ListBuckets', 's3:ListAllMyBuckets', '*');
  const versioned = query.has('versionId');
  if (key) {
    const objectArn = `${bucketArn}/${key}`;
    switch (request.method) {
      case 'GET':
      case 'HEAD':
        return result(
          request.method === 'GET' ? 'GetObject' : 'HeadObject',
          versioned ? 's3:GetObjectVersion' : 's3:GetObject',
          objectArn,
        );
      case 'PUT':
        return result('PutObject', 's3:PutObject', objectArn);
      case 'DELETE':
        return result('DeleteObject', versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectArn);
    }
  } else if (request.method === 'GET' || request.method === 'HEAD') {
    if (query.has('versions')) return result('ListObjectVersions', 's3:ListBucketVersions', bucketArn);
    if (
      [...query.keys()].every((name) =>
        [
          'list-type',
          'prefix',
          'delimiter',
          'continuation-token',
          'max-keys',
          'start-after',
          'encoding-type',
          'fetch-owner',
          'x-id',
        ].includes(name),
      )
    ) {
      return result(
        'ListObjects',
        's3:ListBucket',
        bucketArn,
        query.has('prefix') ? { 's3:prefix': query.get('prefix') ?? '' } : {},
      );
    }
  }
  throw new UnmappedRequestError(
    `the IAM gate has no resource mapping for S3 ${request.method} ${request.url}`,
  );
}

// ---------------------------------------------------------------------------------------------
// IAM and STS (query protocol)

async function iamRequest(request: IncomingRequest, lookups: ResourceLookups): Promise<RequestAuthorization> {
  const params = formParams(request);
  const operation = params.get('Action') ?? '';
  const roleName = params.get('RoleName');
  if (!roleName) throw new UnmappedRequestError(`the IAM gate has no resource mapping for iam:${operation}`);
  const arn = (await lookups.roleArn(roleName)) ?? `arn:aws:iam::${SANDBOX_ACCOUNT}:role/${roleName}`;
  return {
    operation: `iam:${operation}`,
    protocol: 'query',
    checks: [{ action: `iam:${operation}`, resource: arn, context: {} }],
  };
}

// ---------------------------------------------------------------------------------------------
// EC2 Auto Scaling (query protocol)

/**
 * Service Authorization Reference, "Actions, resources, and condition keys for Amazon EC2 Auto
 * Scaling": Describe* take no resource; CreateOrUpdateTags and DeleteTags act on the
 * autoScalingGroup resource (`arn:…:autoScalingGroup:<uuid>:autoScalingGroupName/<name>`) with
 * aws:RequestTag/*, aws:TagKeys and the group's tags as aws:ResourceTag/* and
 * autoscaling:ResourceTag/* ("Tags for security", EC2 Auto Scaling user guide).
 */
async function autoScalingRequest(
  request: IncomingRequest,
  lookups: ResourceLookups,
): Promise<RequestAuthorization> {
  const params = formParams(request);
  const operation = params.get('Action') ?? '';
  const result = (checks: AuthorizationCheck[]): RequestAuthorization => ({
    operation: `autoscaling:${operation}`,
    protocol: 'query',
    checks,
  });
  if (/^Describe/.test(operation))
    return result([{ action: `autoscaling:${operation}`, resource: '*', context: {} }]);
  if (operation !== 'CreateOrUpdateTags' && operation !== 'DeleteTags') {
    throw new UnmappedRequestError(`the IAM gate has no resource mapping for autoscaling:${operation}`);
  }
  const byGroup = new Map<string, Tags>();
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    const group = params.get(`Tags.member.${n}.ResourceId`) ?? '';
    const tags = byGroup.get(group) ?? {};
    tags[params.get(`Tags.member.${n}.Key`) ?? ''] = params.get(`Tags.member.${n}.Value`) ?? '';
    byGroup.set(group, tags);
  }
  const checks: AuthorizationCheck[] = [];
  for (const [name, tags] of byGroup) {
    const group = await lookups.autoScalingGroup(request.region, name);
    const resource =
      group?.arn ??
      `arn:aws:autoscaling:${request.region}:${SANDBOX_ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/${name}`;
    const requested =
      operation === 'CreateOrUpdateTags' ? requestTagContext(tags) : { 'aws:TagKeys': Object.keys(tags) };
    checks.push({
      action: `autoscaling:${operation}`,
      resource,
      context: {
        ...tagContext(['aws:ResourceTag', 'autoscaling:ResourceTag'], group?.tags ?? {}),
        ...requested,
      },
    });
  }
  return result(checks);
}

function stsRequest(request: IncomingRequest): RequestAuthorization {
  const operation = formParams(request).get('Action') ?? '';
  // "No permissions are required to perform this operation" (STS API reference, GetCallerIdentity).
  if (operation === 'GetCallerIdentity')
    return { operation: 'sts:GetCallerIdentity', protocol: 'query', checks: [] };
  throw new UnmappedRequestError(`the IAM gate has no resource mapping for sts:${operation}`);
}
