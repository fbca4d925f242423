import { violationPath } from '../rules/field-path';
import { Rule } from '../rules/rules';
import { showValue, type ViolationList } from '../rules/violation-list';
import { suggestionText } from './closest-name';
import { isRecord } from './object-reader';
import type { RawManifest } from './variable-substitution';

/** The three kinds a pool spec consists of, and the apiVersions this tool reads for each. */
export const ManifestKind = {
  MachinePool: 'MachinePool',
  AWSManagedMachinePool: 'AWSManagedMachinePool',
  NodeadmConfig: 'NodeadmConfig',
} as const;
export type ManifestKind = (typeof ManifestKind)[keyof typeof ManifestKind];

export const ACCEPTED_API_VERSIONS: Record<ManifestKind, readonly string[]> = {
  // v1beta2 (Cluster API 1.11+) references by apiGroup instead of apiVersion; both are read.
  MachinePool: ['cluster.x-k8s.io/v1beta1', 'cluster.x-k8s.io/v1beta2'],
  // enclaveOptions only exists in v1beta2.
  AWSManagedMachinePool: ['infrastructure.cluster.x-k8s.io/v1beta2'],
  NodeadmConfig: ['bootstrap.cluster.x-k8s.io/v1beta2'],
};

/** Kubernetes object names: DNS subdomain, lower case. */
export const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface IdentifiedManifest {
  kind: ManifestKind;
  apiVersion: string;
  name: string;
  namespace?: string;
  label: string;
  position: string;
  value: Record<string, unknown>;
}

const KINDS = Object.values(ManifestKind);

/**
 * Checks that a manifest is a mapping with a known kind, an accepted apiVersion and a name.
 * Returns undefined (after reporting) when it cannot be used.
 */
export function identifyManifest(
  manifest: RawManifest,
  violations: ViolationList,
): IdentifiedManifest | undefined {
  const { value, label, position } = manifest;
  if (!isRecord(value)) {
    violations.add(
      Rule.ManifestNotAnObject,
      position,
      Array.isArray(value) ? '(a list)' : value,
      `${position} is ${Array.isArray(value) ? 'a list' : `the value ${showValue(value)}`}, not a manifest; each ` +
        'document must be a mapping with apiVersion, kind, metadata and spec',
    );
    return undefined;
  }
  const kind = value.kind;
  const kindKnown = checkKind(kind, label, position, violations);
  const apiVersion = value.apiVersion;
  const apiVersionAccepted = checkApiVersion(apiVersion, kind, label, violations);
  const { name, namespace } = readMetadata(value.metadata, label, violations);
  if (!kindKnown || !apiVersionAccepted || name === undefined) return undefined;
  return {
    kind: kind as ManifestKind,
    apiVersion: apiVersion as string,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    label,
    position,
    value,
  };
}

/** True when `kind` is one of the three a pool spec holds. */
function checkKind(kind: unknown, label: string, position: string, violations: ViolationList): boolean {
  if (kind === undefined || kind === null) {
    violations.add(
      Rule.RequiredFieldMissing,
      violationPath(label, 'kind'),
      undefined,
      `${position} has no kind; set kind to one of ${KINDS.join(', ')}`,
    );
    return false;
  }
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    violations.add(
      Rule.UnknownKind,
      violationPath(label, 'kind'),
      kind,
      `kind ${showValue(kind)} is not part of a pool spec${typeof kind === 'string' ? suggestionText(kind, KINDS) : ''}; ` +
        `a pool spec holds exactly one each of ${KINDS.join(', ')}: fix the kind or remove that document`,
    );
    return false;
  }
  return true;
}

/** True when the apiVersion is present and, for a known kind, one this tool reads. */
function checkApiVersion(
  apiVersion: unknown,
  kind: unknown,
  label: string,
  violations: ViolationList,
): boolean {
  const accepted = typeof kind === 'string' ? ACCEPTED_API_VERSIONS[kind as ManifestKind] : undefined;
  if (apiVersion === undefined || apiVersion === null) {
    violations.add(
      Rule.RequiredFieldMissing,
      violationPath(label, 'apiVersion'),
      undefined,
      `${label} has no apiVersion; set it${accepted ? ` to ${accepted.join(' or ')}` : ''}`,
    );
    return false;
  }
  if (accepted && (typeof apiVersion !== 'string' || !accepted.includes(apiVersion))) {
    violations.add(
      Rule.UnknownApiVersion,
      violationPath(label, 'apiVersion'),
      apiVersion,
      `apiVersion ${showValue(apiVersion)} is not read for ${String(kind)}` +
        `${typeof apiVersion === 'string' ? suggestionText(apiVersion, accepted) : ''}; use ${accepted.join(' or ')}`,
    );
    return false;
  }
  return true;
}

/** metadata.name (required) and metadata.namespace (optional), each only when valid. */
function readMetadata(
  metadata: unknown,
  label: string,
  violations: ViolationList,
): { name?: string; namespace?: string } {
  if (!isRecord(metadata)) {
    violations.add(
      metadata === undefined || metadata === null ? Rule.RequiredFieldMissing : Rule.InvalidFieldType,
      violationPath(label, 'metadata'),
      metadata,
      `${label} needs metadata with a name; add metadata: {name: ...}`,
    );
    return {};
  }
  const name = readName(metadata.name, label, violations);
  const namespace = readNamespace(metadata.namespace, label, violations);
  return { ...(name !== undefined ? { name } : {}), ...(namespace !== undefined ? { namespace } : {}) };
}

function readName(rawName: unknown, label: string, violations: ViolationList): string | undefined {
  if (rawName === undefined || rawName === null) {
    violations.add(
      Rule.RequiredFieldMissing,
      violationPath(label, 'metadata.name'),
      undefined,
      `${label} has no metadata.name; name it (lower-case letters, digits and "-")`,
    );
    return undefined;
  }
  if (typeof rawName !== 'string' || rawName.length > 253 || !OBJECT_NAME.test(rawName)) {
    violations.add(
      Rule.InvalidFieldValue,
      violationPath(label, 'metadata.name'),
      rawName,
      `metadata.name ${showValue(rawName)} is not a valid Kubernetes name; use lower-case letters, digits, ` +
        '"-" and "." (starting and ending with a letter or digit, at most 253 characters)',
    );
    return undefined;
  }
  return rawName;
}

function readNamespace(rawNamespace: unknown, label: string, violations: ViolationList): string | undefined {
  if (rawNamespace === undefined || rawNamespace === null) return undefined;
  if (
    typeof rawNamespace !== 'string' ||
    rawNamespace.length > 63 ||
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(rawNamespace)
  ) {
    violations.add(
      Rule.InvalidFieldValue,
      violationPath(label, 'metadata.namespace'),
      rawNamespace,
      `metadata.namespace ${showValue(rawNamespace)} is not a valid namespace name; use lower-case letters, ` +
        'digits and "-", or remove it',
    );
    return undefined;
  }
  return rawNamespace;
}

/** The API group of an apiVersion (`cluster.x-k8s.io/v1beta1` → `cluster.x-k8s.io`). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
