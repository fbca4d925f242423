import { ConditionStatus } from './conditions';

/**
 * Whether an item read from the status table has the shape of a StatusRow (status-row.ts). Only the
 * reconciler writes rows, but anyone with write access to the table can put an item by hand (an
 * attribute stored as a string of JSON instead of a map, a field missing, a number as a string),
 * and code that trusts the shape then fails somewhere far away, for every pool at once in a list.
 * The shape is data: each attribute's kind, and the kinds inside the lists and maps that the CLI
 * and the pass read.
 */

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'map';

interface FieldRule {
  kind: Kind;
  /** Required in a whole row; a projected read (get pools) checks only what it asked for. */
  required?: boolean;
  /** For a list: the kind of each entry's fields; for a map: its own fields. */
  fields?: Record<string, FieldRule>;
  /** Allowed values of a string. */
  oneOf?: readonly string[];
}

const CONDITION: Record<string, FieldRule> = {
  type: { kind: 'string', required: true },
  status: { kind: 'string', required: true, oneOf: Object.values(ConditionStatus) },
  reason: { kind: 'string', required: true },
  message: { kind: 'string', required: true },
  lastTransitionTime: { kind: 'string', required: true },
};

const HISTORY_ENTRY: Record<string, FieldRule> = {
  at: { kind: 'string', required: true },
  event: { kind: 'string', required: true },
  message: { kind: 'string', required: true },
};

const ROW: Record<string, FieldRule> = {
  poolId: { kind: 'string', required: true },
  revision: { kind: 'number', required: true },
  updatedAt: { kind: 'string', required: true },
  createdAt: { kind: 'string' },
  clusterName: { kind: 'string' },
  nodegroupName: { kind: 'string' },
  specSource: { kind: 'string' },
  specLocation: { kind: 'string' },
  specHash: { kind: 'string' },
  specSummary: {
    kind: 'map',
    fields: { instanceType: { kind: 'string', required: true }, enclaves: { kind: 'map', required: true } },
  },
  observedGeneration: { kind: 'number' },
  specWrittenAt: { kind: 'string' },
  deleted: { kind: 'boolean', required: true },
  deletedAt: { kind: 'string' },
  expiresAt: { kind: 'number' },
  conditions: { kind: 'list', required: true, fields: CONDITION },
  outcome: { kind: 'map', required: true, fields: { kind: { kind: 'string', required: true } } },
  launchTemplate: {
    kind: 'map',
    fields: {
      id: { kind: 'string', required: true },
      name: { kind: 'string', required: true },
      pinnedVersion: { kind: 'number' },
      targetVersion: { kind: 'number' },
      latestVersion: { kind: 'number' },
      lastKnownGoodVersion: { kind: 'number' },
    },
  },
  resolvedImage: { kind: 'map' },
  liveFacts: { kind: 'map' },
  rootDevice: { kind: 'map' },
  nodegroup: {
    kind: 'map',
    fields: { status: { kind: 'string', required: true }, healthIssues: { kind: 'list' } },
  },
  update: {
    kind: 'map',
    fields: { id: { kind: 'string', required: true }, status: { kind: 'string', required: true } },
  },
  failedRoll: { kind: 'map' },
  failedConfigUpdate: { kind: 'map' },
  rollback: { kind: 'map' },
  rollApproval: { kind: 'map' },
  verification: { kind: 'map' },
  autoscalerTags: { kind: 'map' },
  rollProgress: {
    kind: 'map',
    fields: {
      replaced: { kind: 'number', required: true },
      total: { kind: 'number', required: true },
      zones: { kind: 'list', required: true },
    },
  },
  history: { kind: 'list', required: true, fields: HISTORY_ENTRY },
};

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (value instanceof Set) return 'set';
  if (typeof value === 'object') return 'map';
  return typeof value;
}

function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function check(path: string, value: unknown, rule: FieldRule, problems: string[], whole: boolean): void {
  const kind = kindOf(value);
  if (kind !== rule.kind) {
    problems.push(`${path} is a ${kind} (${describeValue(value)}), not a ${rule.kind}`);
    return;
  }
  if (rule.oneOf && !rule.oneOf.includes(value as string)) {
    problems.push(`${path} is ${describeValue(value)}, not one of ${rule.oneOf.join(', ')}`);
  }
  if (!rule.fields) return;
  if (kind === 'map') {
    checkFields(path, value as Record<string, unknown>, rule.fields, problems, whole);
    return;
  }
  // A list's entries are whole records (a projection reads the list, not parts of its entries).
  (value as unknown[]).forEach((entry, i) => {
    const entryPath = `${path}[${i}]`;
    if (kindOf(entry) === 'map')
      checkFields(entryPath, entry as Record<string, unknown>, rule.fields ?? {}, problems, true);
    else problems.push(`${entryPath} is a ${kindOf(entry)} (${describeValue(entry)}), not a map`);
  });
}

function checkFields(
  prefix: string,
  item: Record<string, unknown>,
  rules: Record<string, FieldRule>,
  problems: string[],
  whole: boolean,
): void {
  for (const [name, rule] of Object.entries(rules)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (item[name] === undefined) {
      if (rule.required && whole) problems.push(`${path} is missing`);
      continue;
    }
    check(path, item[name], rule, problems, whole);
  }
}

/**
 * What is wrong with `item` as a status row, one line per problem; empty when nothing is. With
 * `projected` (the attributes a Scan asked for: names or document paths), only those are checked:
 * a required one asked for whole must be there, a map asked for in part is checked for its shape.
 */
export function statusRowProblems(item: unknown, projected?: readonly string[]): string[] {
  if (kindOf(item) !== 'map') return [`the item is a ${kindOf(item)}, not a map`];
  const problems: string[] = [];
  if (!projected) {
    checkFields('', item as Record<string, unknown>, ROW, problems, true);
    return problems;
  }
  const record = item as Record<string, unknown>;
  for (const name of new Set(projected.map((path) => path.split(/[.[]/)[0] ?? path))) {
    const rule = ROW[name];
    if (!rule) continue;
    const whole = projected.includes(name);
    if (record[name] === undefined) {
      if (rule.required && whole) problems.push(`${name} is missing`);
      continue;
    }
    check(name, record[name], rule, problems, whole);
  }
  return problems;
}

/** The error text for a row that is not a StatusRow: where it is, what is wrong, what to do. */
export function unreadableRowMessage(tableName: string, poolId: string, problems: readonly string[]): string {
  return (
    `status table ${tableName}, item poolId=${poolId} is not a status row: ${problems.join('; ')}. ` +
    'Only the reconciler writes this table (docs/status.md). Delete the item and the next pass ' +
    `(a spec write or the 5-minute resync) writes a fresh row from what AWS has (the pool's history is lost): aws dynamodb delete-item --table-name ${tableName} --key '{"poolId":{"S":"${poolId}"}}'`
  );
}
