import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/**
 * Operator logs: Powertools Logger, one JSON line per event (`message` is the event name), with
 * the Lambda context that the handlers' middy `injectLambdaContext` adds, and the pool id on every
 * line of a pass (`poolLogger`), so CloudWatch Logs Insights can follow a pool across
 * invocations. User-facing state goes to the status table. The level comes from
 * POWERTOOLS_LOG_LEVEL (or the function's AWS_LAMBDA_LOG_LEVEL); INFO when neither is set.
 */

export type { Logger };

export type LogSink = (line: string) => void;

let sink: LogSink | undefined;

/**
 * Tests, the benchmark and `plan`'s dry reconcile keep the lines instead of printing them;
 * `undefined` prints to stdout/stderr again. Returns the sink it replaced.
 */
export function setLogSink(next: LogSink | undefined): LogSink | undefined {
  const previous = sink;
  sink = next;
  return previous;
}

class EnclavePoolsLogger extends Logger {
  // Children (createChild) are of this class too, so a pass's lines reach the same sink.
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new EnclavePoolsLogger(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!sink) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/** The process's logger: the handlers inject the Lambda context into it. */
export const logger: Logger = new EnclavePoolsLogger({ serviceName: 'enclave-pools' });

/**
 * A child of `logger` whose every line carries `poolId`. A batch runs several passes at once, so
 * the key goes on a child per pass rather than on the shared logger (`appendKeys` would leak one
 * pass's pool id into another's lines).
 */
export function poolLogger(poolId: string): Logger {
  return logger.createChild({ persistentKeys: { poolId } });
}
