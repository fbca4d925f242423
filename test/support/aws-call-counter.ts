import type { AwsClients } from '../../lib/aws/client-factory';

/**
 * Counts every command sent through a set of SDK clients, by adding an initialize-step middleware
 * to each client's stack. `writes()` lists the commands that are not reads (Describe*, Get*, List*,
 * Head*, Scan, Query): a validation run that fails must leave it empty.
 */
export interface AwsCallCounter {
  readonly calls: string[];
  writes(): string[];
}

const READ = /^(Describe|Get|List|Head|Scan|Query|BatchGet)/;

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

export function countAwsCalls(
  clients: AwsClients,
  names: ReadonlyArray<keyof AwsClients> = ['ec2', 'eks', 's3', 'dynamodb', 'ssm', 'iam'],
): AwsCallCounter {
  const calls: string[] = [];
  for (const name of names) {
    const client = clients[name] as unknown as MiddlewareClient;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(`${String(name)}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', name: `callCounter-${String(name)}` },
    );
  }
  return {
    calls,
    writes: () => calls.filter((call) => !READ.test(call.slice(call.indexOf(':') + 1))),
  };
}
