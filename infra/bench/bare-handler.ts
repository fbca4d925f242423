/**
 * The anchor for the reconcile function's cold start: a handler that does nothing but import and
 * construct the same SDK clients the reconcile function can call (EventPathClients), built with the
 * same esbuild options from serverless.yml. What our init costs beyond this is our own code.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const config = { region: process.env.AWS_REGION || 'eu-west-1' };
const clients = {
  ec2: new EC2Client(config),
  autoScaling: new AutoScalingClient(config),
  eks: new EKSClient(config),
  ssm: new SSMClient(config),
  iam: new IAMClient(config),
  documents: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  s3: new S3Client(config),
  sqs: new SQSClient(config),
};

export const handler = async (): Promise<number> => Object.keys(clients).length;
