import type { AwsClients } from '../../lib/aws/client-factory';

/**
 * Counts every command sent through a set of SDK clients (an initialize-step middleware on each),
 * for the tests that assert "no AWS write" and for the benchmark's calls-per-pass figures.
 * Names are the command without its `Command` suffix, e.g. `CreateLaunchTemplateVersion`.
 */
const READ = /^(Describe|Get|List|Head|Scan|Query|BatchGet)/;
const STATUS_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

type MiddlewareClient = {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
};

export const COUNTED_CLIENTS: ReadonlyArray<keyof AwsClients> = [
  'ec2',
  'autoScaling',
  'eks',
  'ssm',
  'iam',
  'dynamodb',
  's3',
];

export class AwsCallCounter {
  /** `service:Command` in call order, e.g. `ec2:DescribeSubnets`. */
  readonly calls: string[] = [];
  /** With `tag`: what it returned for each call, in the same order (e.g. the pool a call was for). */
  readonly tags: Array<string | undefined> = [];

  constructor(
    clients: AwsClients,
    services: ReadonlyArray<keyof AwsClients> = COUNTED_CLIENTS,
    options: { tag?: () => string | undefined } = {},
  ) {
    for (const service of services) {
      (clients[service] as unknown as MiddlewareClient).middlewareStack.add(
        (next, context) => async (args) => {
          this.calls.push(`${String(service)}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
          if (options.tag) this.tags.push(options.tag());
          return next(args);
        },
        { step: 'initialize', name: `enclavePoolsCallCounter-${String(service)}` },
      );
    }
  }

  reset(): void {
    this.calls.length = 0;
    this.tags.length = 0;
  }

  /** Command names without the service prefix. */
  commands(): string[] {
    return this.calls.map((call) => call.slice(call.indexOf(':') + 1));
  }

  /** Every command that is not a read (Describe*, Get*, List*, Head*, Scan, Query, BatchGet*). */
  writes(): string[] {
    return this.commands().filter((name) => !READ.test(name));
  }

  /** Writes to the pool's AWS resources (EC2 / EKS / ...), leaving out the status table's item writes. */
  resourceWrites(): string[] {
    return this.writes().filter((name) => !STATUS_WRITES.has(name));
  }

  count(name: string): number {
    return this.commands().filter((command) => command === name).length;
  }

  summary(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const name of this.commands()) counts[name] = (counts[name] ?? 0) + 1;
    return counts;
  }
}
