import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a build output is older than the sources it is built from, for the tests that run a
 * built artifact (the compiled CLI, the packaged functions): they rebuild rather than test stale code.
 */
export const PROJECT_ROOT = join(__dirname, '../..');

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export function olderThanSources(outputs: readonly string[], sources: readonly string[]): boolean {
  let built: number;
  try {
    built = Math.min(...outputs.map((output) => statSync(join(PROJECT_ROOT, output)).mtimeMs));
  } catch {
    return true;
  }
  return built < Math.max(...sources.map((source) => newest(join(PROJECT_ROOT, source))));
}
