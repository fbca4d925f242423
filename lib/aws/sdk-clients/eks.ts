import { EKSClient } from '@aws-sdk/client-eks';
import type { ClientBuilder } from '../client-factory';

export const buildEks: ClientBuilder<'eks'> = (config) => new EKSClient(config);
