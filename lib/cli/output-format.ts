import { stringify } from 'yaml';
import { UsageError } from '../errors';

export const OutputFormat = { Table: 'table', Json: 'json', Yaml: 'yaml' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

export function parseOutputFormat(
  value: string | undefined,
  allowed: OutputFormat[] = Object.values(OutputFormat),
): OutputFormat {
  if (value === undefined) return OutputFormat.Table;
  const format = allowed.find((f) => f === value.toLowerCase());
  if (!format) {
    throw new UsageError(`-o ${value} is not an output format; use one of ${allowed.join(', ')}`);
  }
  return format;
}

/** JSON or YAML for scripts; both end with a newline. */
export function renderStructured(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json'
    ? `${JSON.stringify(value, null, 2)}\n`
    : stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
