/**
 * A field-level diff of two JSON values, for launch template data: `InstanceType: m5.xlarge →
 * m5.2xlarge`. Lists of objects that carry an identity (tags by Key, tag specifications by
 * ResourceType, block devices by DeviceName) are matched on it, so reordering is not a change and
 * one changed tag reads as one line.
 */

export const FieldChangeKind = { Added: 'added', Removed: 'removed', Changed: 'changed' } as const;
export type FieldChangeKind = (typeof FieldChangeKind)[keyof typeof FieldChangeKind];

export interface FieldChange {
  /** `MetadataOptions.HttpTokens`, `TagSpecifications[instance].Tags[Name]`, `SecurityGroupIds[1]`. */
  path: string;
  kind: FieldChangeKind;
  before?: unknown;
  after?: unknown;
}

const IDENTITY_KEYS = ['Key', 'ResourceType', 'DeviceName', 'key', 'name'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The member that names each item in both lists (unique strings), if there is one. */
function identityKeyOf(before: unknown[], after: unknown[]): string | undefined {
  const all = [...before, ...after];
  if (all.length === 0 || !all.every(isRecord)) return undefined;
  const unique = (items: unknown[], key: string) => {
    const values = items.map((item) => (item as Record<string, unknown>)[key]);
    return values.every((v) => typeof v === 'string') && new Set(values).size === values.length;
  };
  return IDENTITY_KEYS.find((key) => unique(before, key) && unique(after, key));
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}

function walk(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    out.push({ path, kind: FieldChangeKind.Added, after });
    return;
  }
  if (after === undefined) {
    out.push({ path, kind: FieldChangeKind.Removed, before });
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(join(path, key), before[key], after[key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = identityKeyOf(before, after);
    if (key) {
      const index = (items: unknown[]) =>
        new Map(items.map((item) => [String((item as Record<string, unknown>)[key]), item] as const));
      const a = index(before);
      const b = index(after);
      const ids = [...new Set([...a.keys(), ...b.keys()])].sort();
      for (const id of ids) {
        const left = a.get(id);
        const right = b.get(id);
        // Tags are name/value pairs: show them as `Tags[Name]: old → new`.
        if (key === 'Key' && isRecord(left ?? right) && Object.keys(left ?? right ?? {}).length <= 2) {
          walk(
            `${path}[${id}]`,
            (left as Record<string, unknown> | undefined)?.Value,
            (right as Record<string, unknown> | undefined)?.Value,
            out,
          );
        } else {
          const strip = (item: unknown) => {
            if (!isRecord(item)) return item;
            const { [key]: _identity, ...rest } = item;
            return rest;
          };
          walk(
            `${path}[${id}]`,
            left === undefined ? undefined : strip(left),
            right === undefined ? undefined : strip(right),
            out,
          );
        }
      }
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) walk(`${path}[${i}]`, before[i], after[i], out);
    return;
  }
  if (!Object.is(before, after) && JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({ path, kind: FieldChangeKind.Changed, before, after });
  }
}

export function diffFields(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk('', before, after, out);
  return out;
}
