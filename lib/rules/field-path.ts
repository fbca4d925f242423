/**
 * How violations name a place in the spec: `<manifest>: <field path>`, e.g.
 * `AWSManagedMachinePool/my-node-pool: spec.awsLaunchTemplate.instanceType` or
 * `NodeadmConfig/my-node-pool-bootstrap: spec.preNodeadmCommands[1]`.
 */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `parent.key`, or `parent["odd/key"]` when the key is not a plain identifier (labels, tags). */
export function fieldPath(parent: string, key: string): string {
  if (PLAIN_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

const NAME_FOR_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * `Kind/name` when both are usable, else the document position, so a message can always point
 * somewhere even when kind or name are the broken part.
 */
export function manifestLabel(kind: unknown, name: unknown, position: string): string {
  const usableKind = typeof kind === 'string' && /^[A-Za-z][A-Za-z0-9]{0,62}$/.test(kind);
  const usableName = typeof name === 'string' && NAME_FOR_LABEL.test(name);
  if (usableKind && usableName) return `${kind}/${name}`;
  if (usableKind) return `${kind} (${position})`;
  return position;
}

export function violationPath(manifest: string, field?: string): string {
  return field ? `${manifest}: ${field}` : manifest;
}
