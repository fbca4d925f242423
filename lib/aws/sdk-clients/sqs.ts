import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientBuilder } from '../client-factory';

export const buildSqs: ClientBuilder<'sqs'> = (config) => new SQSClient(config);
