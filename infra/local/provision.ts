import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../lib/aws/client-factory';
import type { CloudFormationResource, ServiceDefinition } from './service-definition';

/**
 * Creates the `resources` of serverless.yml on the sandbox through the SDK, resolving the handful of
 * intrinsics the template uses (Ref, Fn::GetAtt, Fn::Sub). IAM roles and policies are skipped (moto
 * does not enforce them), and the pipe becomes the configuration of the local pipe runner, since
 * moto does not move data through EventBridge Pipes.
 */
export interface PipeDefinition {
  logicalId: string;
  streamArn: string;
  targetArn?: string;
  eventBusName: string;
  source: string;
  detailType: string;
  inputTemplate?: string;
}

export interface ProvisionedResources {
  /** Physical ids by logical id: bucket / table / queue names, rule names. */
  physicalIds: Record<string, string>;
  queueUrls: Record<string, string>;
  pipes: PipeDefinition[];
}

type Attributes = Record<string, string>;

export async function provisionResources(
  clients: AwsClients,
  definition: ServiceDefinition,
  region: string,
): Promise<ProvisionedResources> {
  const resources = definition.resources.Resources;
  const physicalIds: Record<string, string> = {};
  const attributes: Record<string, Attributes> = {};
  const queueUrls: Record<string, string> = {};
  const pipes: PipeDefinition[] = [];

  const resolve = (value: unknown): unknown => resolveIntrinsics(value, physicalIds, attributes, region);
  const byType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

  // IAM is not enforced by the sandbox: roles are only given the ARN others refer to.
  for (const [logicalId, resource] of byType('AWS::IAM::Role')) {
    const name = String(
      resource.Properties.RoleName ?? `${definition.service}-${definition.provider.stage}-${logicalId}`,
    );
    physicalIds[logicalId] = name;
    attributes[logicalId] = { Arn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/${name}` };
  }
  for (const [logicalId, resource] of byType('AWS::S3::Bucket')) {
    await createBucket(clients, logicalId, resource, region, physicalIds, attributes);
  }
  for (const [logicalId, resource] of byType('AWS::DynamoDB::Table')) {
    await createTable(clients, logicalId, resource, physicalIds, attributes);
  }
  // Queues that others redrive into come first, so their ARNs resolve.
  const queues = byType('AWS::SQS::Queue').sort(
    ([, a], [, b]) =>
      Number(Boolean(a.Properties.RedrivePolicy)) - Number(Boolean(b.Properties.RedrivePolicy)),
  );
  for (const [logicalId, resource] of queues) {
    const properties = resolve(resource.Properties) as Record<string, unknown>;
    const name = String(properties.QueueName ?? logicalId);
    const queueAttributes: Record<string, string> = {};
    for (const key of [
      'VisibilityTimeout',
      'DelaySeconds',
      'MessageRetentionPeriod',
      'ReceiveMessageWaitTimeSeconds',
    ]) {
      if (properties[key] !== undefined) queueAttributes[key] = String(properties[key]);
    }
    if (properties.RedrivePolicy) queueAttributes.RedrivePolicy = JSON.stringify(properties.RedrivePolicy);
    const created = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: queueAttributes }),
    );
    const url = created.QueueUrl ?? '';
    const arn = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    physicalIds[logicalId] = url;
    queueUrls[logicalId] = url;
    attributes[logicalId] = { Arn: arn.Attributes?.QueueArn ?? '', QueueName: name, QueueUrl: url };
  }
  for (const [logicalId, resource] of byType('AWS::Events::Rule')) {
    const properties = resolve(resource.Properties) as Record<string, unknown>;
    const name = String(properties.Name ?? `${definition.service}-${definition.provider.stage}-${logicalId}`);
    const eventBusName = String(properties.EventBusName ?? 'default');
    const rule = await clients.eventBridge.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: eventBusName,
        EventPattern: JSON.stringify(properties.EventPattern),
        State: 'ENABLED',
        ...(properties.Description ? { Description: String(properties.Description) } : {}),
      }),
    );
    const targets = (properties.Targets as Array<{ Id: string; Arn: string }> | undefined) ?? [];
    await clients.eventBridge.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: eventBusName,
        Targets: targets.map((target) => ({ Id: target.Id, Arn: target.Arn })),
      }),
    );
    physicalIds[logicalId] = name;
    attributes[logicalId] = { Arn: rule.RuleArn ?? '' };
  }
  for (const [logicalId, resource] of byType('AWS::Pipes::Pipe')) {
    const properties = resolve(resource.Properties) as Record<string, unknown>;
    const target = String(properties.Target);
    const parameters = (properties.TargetParameters ?? {}) as Record<string, unknown>;
    const busParameters = (parameters.EventBridgeEventBusParameters ?? {}) as Record<string, unknown>;
    pipes.push({
      logicalId,
      streamArn: String(properties.Source),
      targetArn: target,
      eventBusName: target.split(':event-bus/')[1] ?? 'default',
      source: String(busParameters.Source ?? 'pipe'),
      detailType: String(busParameters.DetailType ?? 'Event from pipe'),
      ...(typeof parameters.InputTemplate === 'string' ? { inputTemplate: parameters.InputTemplate } : {}),
    });
  }
  return { physicalIds, queueUrls, pipes };
}

async function createBucket(
  clients: AwsClients,
  logicalId: string,
  resource: CloudFormationResource,
  region: string,
  physicalIds: Record<string, string>,
  attributes: Record<string, Attributes>,
): Promise<void> {
  const properties = resource.Properties;
  const name = String(properties.BucketName ?? logicalId.toLowerCase());
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }),
    }),
  );
  const notification = properties.NotificationConfiguration as
    | { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } }
    | undefined;
  if (notification?.EventBridgeConfiguration?.EventBridgeEnabled) {
    await clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: name,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
  }
  const versioning = properties.VersioningConfiguration as { Status?: string } | undefined;
  if (versioning?.Status === 'Enabled') {
    await clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  physicalIds[logicalId] = name;
  attributes[logicalId] = { Arn: `arn:aws:s3:::${name}` };
}

async function createTable(
  clients: AwsClients,
  logicalId: string,
  resource: CloudFormationResource,
  physicalIds: Record<string, string>,
  attributes: Record<string, Attributes>,
): Promise<void> {
  const properties = resource.Properties as {
    TableName: string;
    AttributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
    KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
    BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
    StreamSpecification?: { StreamViewType: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' };
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
  const created = await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: properties.TableName,
      AttributeDefinitions: properties.AttributeDefinitions,
      KeySchema: properties.KeySchema,
      BillingMode: properties.BillingMode ?? 'PAY_PER_REQUEST',
      ...(properties.StreamSpecification
        ? {
            StreamSpecification: {
              StreamEnabled: true,
              StreamViewType: properties.StreamSpecification.StreamViewType,
            },
          }
        : {}),
    }),
  );
  if (properties.TimeToLiveSpecification?.Enabled) {
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: properties.TableName,
        TimeToLiveSpecification: properties.TimeToLiveSpecification,
      }),
    );
  }
  physicalIds[logicalId] = properties.TableName;
  attributes[logicalId] = {
    Arn: created.TableDescription?.TableArn ?? '',
    StreamArn: created.TableDescription?.LatestStreamArn ?? '',
  };
}

/** Resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub against what has been created so far. */
export function resolveIntrinsics(
  value: unknown,
  physicalIds: Record<string, string>,
  attributes: Record<string, Attributes>,
  region: string,
): unknown {
  if (Array.isArray(value))
    return value.map((item) => resolveIntrinsics(item, physicalIds, attributes, region));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [key] = keys;
    const argument = record[key as string];
    if (key === 'Ref') return refValue(String(argument), physicalIds, region);
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(argument)
        ? argument.map(String)
        : String(argument).split('.');
      const resolved = attributes[logicalId ?? '']?.[attribute ?? ''];
      if (resolved === undefined)
        throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} locally`);
      return resolved;
    }
    if (key === 'Fn::Join' && Array.isArray(argument)) {
      const [separator, items] = argument as [string, unknown[]];
      return (resolveIntrinsics(items, physicalIds, attributes, region) as unknown[])
        .map(String)
        .join(separator);
    }
    if (key === 'Fn::Sub') {
      const template = String(Array.isArray(argument) ? argument[0] : argument);
      return template.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
        if (name.includes('.')) {
          const [logicalId, attribute] = name.split('.');
          const resolved = attributes[logicalId ?? '']?.[attribute ?? ''];
          if (resolved === undefined) throw new Error(`cannot resolve \${${name}} locally`);
          return resolved;
        }
        return refValue(name, physicalIds, region);
      });
    }
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    resolved[key] = resolveIntrinsics(item, physicalIds, attributes, region);
  }
  return resolved;
}

/** moto's default account. */
export const SANDBOX_ACCOUNT_ID = '123456789012';

function refValue(name: string, physicalIds: Record<string, string>, region: string): string {
  switch (name) {
    case 'AWS::Region':
      return region;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::AccountId':
      return SANDBOX_ACCOUNT_ID;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const id = physicalIds[name];
  if (id === undefined) throw new Error(`cannot resolve Ref ${name} locally`);
  return id;
}
