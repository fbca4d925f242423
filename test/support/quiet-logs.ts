import { setLogSink } from '../../lib/logger';

/**
 * Keeps the product's operator logs out of the test output; returns the captured lines (a test
 * may assert on them, or print them when it fails).
 *
 * The sink stays for the rest of the file: it is not handed back to stdout in afterAll, because
 * this afterAll runs before the file's own (declared later) that stop the event path, and the
 * batches still in flight then printed their Powertools JSON into jest's output. Each test file has
 * its own module registry, so lib/logger's sink ends with the file anyway.
 */
export function quietLogs(): string[] {
  const lines: string[] = [];
  beforeAll(() => {
    setLogSink((line) => lines.push(line));
  });
  return lines;
}
