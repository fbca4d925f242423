import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ClientBuilder } from '../client-factory';

export const buildAutoScaling: ClientBuilder<'autoScaling'> = (config) => new AutoScalingClient(config);
