import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../lib/aws/client-factory';
import { type RunningPipe, startPipeRunner } from './pipe-runner';
import { type ProvisionedResources, provisionResources } from './provision';
import { loadServiceDefinition, type ServiceDefinition, sqsEventBatching } from './service-definition';
import { type RunningEventSource, type SqsInvoker, startSqsEventSource } from './sqs-event-source';

/**
 * The whole event path on the sandbox, from the definitions in serverless.yml: the resources, the
 * pipe runner (DynamoDB stream → bus) and the SQS event source that hands batches to the reconcile
 * function. Who runs the function is the caller's choice: serverless-offline for `npm start`, the
 * handler in-process for the e2e tests. S3 → EventBridge → SQS is moto's own delivery.
 */
export interface LocalEventPathOptions {
  projectRoot: string;
  region: string;
  clients: AwsClients;
  invokeReconcile: SqsInvoker;
  env?: NodeJS.ProcessEnv;
  pollers?: number;
  onError?: (where: string, error: unknown) => void;
}

export interface LocalEventPath {
  definition: ServiceDefinition;
  resources: ProvisionedResources;
  reconcileQueueUrl: string;
  deadLetterQueueUrl: string;
  stop(): Promise<void>;
  eventSource: RunningEventSource;
  pipes: RunningPipe[];
}

export async function startLocalEventPath(options: LocalEventPathOptions): Promise<LocalEventPath> {
  const definition = await loadServiceDefinition(options.projectRoot, options.env ?? process.env);
  const resources = await provisionResources(options.clients, definition, options.region);
  const reconcileQueueUrl = resources.queueUrls.ReconcileQueue;
  const deadLetterQueueUrl = resources.queueUrls.ReconcileDeadLetterQueue;
  if (!reconcileQueueUrl || !deadLetterQueueUrl) {
    throw new Error('serverless.yml declares no ReconcileQueue / ReconcileDeadLetterQueue');
  }
  const queueArn = await options.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: reconcileQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const pipes = resources.pipes.map((pipe) =>
    startPipeRunner(options.clients, pipe, {
      onError: (error) => options.onError?.(`pipe ${pipe.logicalId}`, error),
    }),
  );
  const eventSource = startSqsEventSource(options.clients, {
    // Gathered as the deployed event source mapping gathers: serverless.yml's batchSize and window.
    ...sqsEventBatching(definition, 'reconcile', 'ReconcileQueue'),
    queueUrl: reconcileQueueUrl,
    queueArn: queueArn.Attributes?.QueueArn ?? '',
    region: options.region,
    invoke: options.invokeReconcile,
    pollers: options.pollers ?? 2,
    onError: (error) => options.onError?.('reconcile event source', error),
  });
  return {
    definition,
    resources,
    reconcileQueueUrl,
    deadLetterQueueUrl,
    eventSource,
    pipes,
    async stop() {
      await Promise.all([eventSource.stop(), ...pipes.map((pipe) => pipe.stop())]);
    },
  };
}
