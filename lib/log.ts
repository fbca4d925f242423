/**
 * Operator logs: one JSON line per event, always with the pool id when there is one, so CloudWatch
 * Logs Insights can follow a pool across invocations. User-facing state goes to the status table.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  poolId?: string;
  [key: string]: unknown;
}

export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stdout.write(`${line}\n`);

/** Tests and the local runner redirect logs; production writes to stdout (CloudWatch). */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  if (level === 'debug' && !process.env.ENCLAVE_POOLS_DEBUG) return;
  sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
}
