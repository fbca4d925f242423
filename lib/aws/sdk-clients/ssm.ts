import { SSMClient } from '@aws-sdk/client-ssm';
import type { ClientBuilder } from '../client-factory';

export const buildSsm: ClientBuilder<'ssm'> = (config) => new SSMClient(config);
