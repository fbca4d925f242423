import { type LogSink, setLogSink } from '../../lib/logger';

/** Keeps the product's operator logs out of the test output; returns the captured lines. */
export function quietLogs(): string[] {
  const lines: string[] = [];
  let previous: LogSink | undefined;
  beforeAll(() => {
    previous = setLogSink((line) => lines.push(line));
  });
  afterAll(() => {
    setLogSink(previous);
  });
  return lines;
}
