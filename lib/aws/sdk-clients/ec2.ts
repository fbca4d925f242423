import { EC2Client } from '@aws-sdk/client-ec2';
import type { ClientBuilder } from '../client-factory';

export const buildEc2: ClientBuilder<'ec2'> = (config) => new EC2Client(config);
