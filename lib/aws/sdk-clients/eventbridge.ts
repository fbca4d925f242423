import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ClientBuilder } from '../client-factory';

export const buildEventBridge: ClientBuilder<'eventBridge'> = (config) => new EventBridgeClient(config);
