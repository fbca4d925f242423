import { IAMClient } from '@aws-sdk/client-iam';
import type { ClientBuilder } from '../client-factory';

export const buildIam: ClientBuilder<'iam'> = (config) => new IAMClient(config);
