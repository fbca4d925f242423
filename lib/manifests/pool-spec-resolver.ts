import {
  DEFAULT_NODE_ROLE_NAME,
  EnclaveMode,
  type PoolPolicies,
  type PoolSpec,
  type Violation,
} from '../pool-spec';
import { violationPath } from '../rules/field-path';
import { defaultLiveRulePaths, type LiveRuleInput } from '../rules/live-rules';
import {
  applyOfflineRules,
  type NodeadmConfigFields,
  type OfflineRuleInput,
  type OfflineRuleOutput,
} from '../rules/offline-rules';
import { Rule } from '../rules/rules';
import { showValue, ViolationList } from '../rules/violation-list';
import { allowedBy, type DeploymentAllowList } from './deployment-allow-list';
import { type MachinePoolFields, type ObjectReference, readMachinePool } from './machine-pool-reader';
import { type ManagedPoolFields, readManagedMachinePool } from './managed-machine-pool-reader';
import { apiGroupOf, type IdentifiedManifest, identifyManifest, ManifestKind } from './manifest-identity';
import { readNodeadmConfig } from './nodeadm-config-reader';
import {
  DEVICE_PLUGIN_SELECTOR_ANNOTATION,
  ENCLAVE_MODE_ANNOTATION,
  type PoolAnnotations,
} from './pool-annotations';
import { poolIdProblem } from './store-format';
import type { RawManifest } from './variable-substitution';

/**
 * From substituted manifests to a PoolSpec: identify the three manifests, follow the MachinePool's
 * references, read every field, apply the offline rules and fill in defaults. Reports everything it
 * finds; the spec is returned only when nothing is an Error.
 */

export interface ResolveOptions {
  /** The store key. When given, it must equal MachinePool metadata.name. */
  poolId?: string;
  /**
   * Violation paths whose placeholders could not be substituted. Rules that would judge those
   * values through a default (replicas → scaling, enclaveOptions → label/allocator rules) stay quiet.
   */
  unresolvedPaths?: ReadonlySet<string>;
  /** The clusters and node roles this deployment lets specs name (deployment-allow-list.ts). */
  allowList?: DeploymentAllowList;
}

export interface ResolveResult {
  spec?: PoolSpec;
  /** What the live rules need, filled as far as the manifests allow even when `spec` is absent. */
  liveInput?: LiveRuleInput;
  violations: Violation[];
}

type Candidates = Record<ManifestKind, IdentifiedManifest[]>;

/** The three manifests as picked from the document, each with the fields read from it. */
interface ReadManifests {
  machinePool?: IdentifiedManifest;
  mp?: MachinePoolFields;
  infrastructure?: IdentifiedManifest;
  infra?: ManagedPoolFields;
  bootstrapManifest?: IdentifiedManifest;
  boot?: NodeadmConfigFields;
}

export function resolvePoolSpec(
  manifests: readonly RawManifest[],
  options: ResolveOptions = {},
): ResolveResult {
  const violations = new ViolationList();
  checkPoolId(options, violations);
  if (manifests.length === 0) {
    violations.add(
      Rule.MissingManifest,
      'document',
      undefined,
      'the document contains no manifests; a pool spec is a MachinePool, an AWSManagedMachinePool and a NodeadmConfig',
    );
    return { violations: violations.items };
  }
  const read = readManifests(manifests, options, violations);
  const { machinePool, mp, infrastructure, infra, bootstrapManifest } = read;
  const lt = infra?.launchTemplate;
  const unresolved = options.unresolvedPaths ?? new Set<string>();
  const enclavesUnknown =
    infrastructure !== undefined &&
    unresolved.has(violationPath(infrastructure.label, 'spec.awsLaunchTemplate.enclaveOptions.enabled'));
  const enclavesEnabled = lt?.enclaveOptionsValid && !enclavesUnknown ? lt.enclavesEnabled : undefined;
  const offline = applyOfflineRules(offlineRuleInput(read, enclavesEnabled), violations);
  const replicasUnknown =
    machinePool !== undefined && unresolved.has(violationPath(machinePool.label, 'spec.replicas'));
  const scaling = replicasUnknown
    ? undefined
    : resolveScaling(mp, infra, machinePool, infrastructure, violations);

  const names =
    machinePool && infrastructure && bootstrapManifest
      ? {
          machinePool: machinePool.name,
          infrastructure: infrastructure.name,
          bootstrap: bootstrapManifest.name,
        }
      : undefined;
  const liveInput = liveRuleInput(read, offline, names, enclavesEnabled === true);

  const spec = violations.hasErrors() ? undefined : assemblePoolSpec(read, offline, names, scaling);
  return spec
    ? { spec, liveInput, violations: violations.items }
    : { liveInput, violations: violations.items };
}

/** The PoolSpec, with defaults filled in, once every manifest was read and nothing is an Error. */
function assemblePoolSpec(
  read: ReadManifests,
  offline: OfflineRuleOutput,
  names: PoolSpec['manifestNames'] | undefined,
  scaling: ResolvedScaling | undefined,
): PoolSpec | undefined {
  const { machinePool, mp, infra, boot } = read;
  const lt = infra?.launchTemplate;
  if (!machinePool || !mp || !infra || !lt || !boot || !names || !scaling) return undefined;
  const { clusterName } = mp;
  const { instanceType, ami } = lt;
  if (clusterName === undefined || instanceType === undefined || ami === undefined) return undefined;
  return {
    name: machinePool.name,
    clusterName,
    ...(mp.version !== undefined ? { kubernetesVersion: mp.version } : {}),
    replicas: scaling.replicas,
    scaling: { minSize: scaling.minSize, maxSize: scaling.maxSize },
    // Deviation from CAPA's `<namespace>_<name>`: pools have no namespace here (docs/decisions/0002).
    nodegroupName: infra.nodegroupName ?? machinePool.name,
    amiType: infra.amiType ?? 'CUSTOM',
    capacityType: infra.capacityType,
    labels: infra.labels,
    taints: infra.taints,
    subnetIds: infra.subnetIds,
    availabilityZones: infra.availabilityZones,
    nodeRoleName: infra.roleName ?? DEFAULT_NODE_ROLE_NAME,
    updateConfig: infra.updateConfig,
    forceUpdate: infra.annotations.forceUpdate,
    policies: poolPolicies(infra.annotations),
    enclaveMode: infra.annotations.enclaveMode,
    ...(infra.annotations.devicePluginSelector
      ? { devicePluginSelector: infra.annotations.devicePluginSelector }
      : {}),
    additionalTags: infra.additionalTags,
    launchTemplate: {
      instanceType,
      ami,
      enclavesEnabled: lt.enclavesEnabled,
      securityGroupIds: lt.securityGroupIds,
      ...(lt.sshKeyName !== undefined ? { sshKeyName: lt.sshKeyName } : {}),
      metadataOptions: lt.metadataOptions,
      ...(lt.rootVolume ? { rootVolume: lt.rootVolume } : {}),
    },
    bootstrap: {
      preNodeadmCommands: offline.preNodeadmCommands,
      ...(offline.allocator ? { allocator: offline.allocator } : {}),
      ...(boot.kubelet && (boot.kubelet.flags || boot.kubelet.config) ? { kubelet: boot.kubelet } : {}),
    },
    manifestNames: names,
  };
}

function checkPoolId(options: ResolveOptions, violations: ViolationList): void {
  if (options.poolId === undefined) return;
  const problem = poolIdProblem(options.poolId);
  if (!problem) return;
  violations.add(
    Rule.InvalidPoolName,
    'pool id',
    options.poolId,
    `the pool id ${showValue(options.poolId)} (the store key) ${problem}; rename the object or item`,
  );
}

/**
 * Identifies the manifests, picks the MachinePool and the two it references, reads each and checks
 * what ties them together (names, namespaces, cluster name, the deployment's allow-lists).
 */
function readManifests(
  manifests: readonly RawManifest[],
  options: ResolveOptions,
  violations: ViolationList,
): ReadManifests {
  const candidates: Candidates = { MachinePool: [], AWSManagedMachinePool: [], NodeadmConfig: [] };
  for (const manifest of manifests) {
    const identified = identifyManifest(manifest, violations);
    if (identified) candidates[identified.kind].push(identified);
  }

  const machinePool = pickSingle(ManifestKind.MachinePool, candidates, undefined, violations);
  const ctxFor = (m: IdentifiedManifest) => ({ label: m.label, violations });
  const mp = machinePool ? readMachinePool(machinePool, ctxFor(machinePool)) : undefined;
  if (machinePool) checkPoolName(machinePool, options, violations);

  const infrastructure = pickReferenced(
    ManifestKind.AWSManagedMachinePool,
    mp?.infrastructureRef,
    'spec.template.spec.infrastructureRef',
    candidates,
    machinePool,
    violations,
  );
  const bootstrapManifest = pickReferenced(
    ManifestKind.NodeadmConfig,
    mp?.bootstrapRef,
    'spec.template.spec.bootstrap.configRef',
    candidates,
    machinePool,
    violations,
  );
  checkNamespaces([machinePool, infrastructure, bootstrapManifest], violations);
  if (machinePool && mp) checkClusterNames(machinePool, mp, violations);

  const infra = infrastructure ? readManagedMachinePool(infrastructure, ctxFor(infrastructure)) : undefined;
  checkAllowList(
    options.allowList,
    machinePool && mp ? { label: machinePool.label, fields: mp } : undefined,
    infrastructure && infra ? { label: infrastructure.label, fields: infra } : undefined,
    violations,
  );
  const boot = bootstrapManifest
    ? readNodeadmConfig(bootstrapManifest, ctxFor(bootstrapManifest))
    : undefined;
  return { machinePool, mp, infrastructure, infra, bootstrapManifest, boot };
}

function checkClusterNames(
  machinePool: IdentifiedManifest,
  mp: MachinePoolFields,
  violations: ViolationList,
): void {
  if (mp.clusterName === undefined || mp.templateClusterName === undefined) return;
  if (mp.clusterName === mp.templateClusterName) return;
  violations.add(
    Rule.ClusterNameMismatch,
    violationPath(machinePool.label, 'spec.template.spec.clusterName'),
    mp.templateClusterName,
    `spec.template.spec.clusterName is ${showValue(mp.templateClusterName)} but spec.clusterName is ` +
      `${showValue(mp.clusterName)}; a pool belongs to one cluster: make them equal`,
  );
}

/** What the offline rules judge, from whichever manifests were read (labels name the missing ones). */
function offlineRuleInput(read: ReadManifests, enclavesEnabled: boolean | undefined): OfflineRuleInput {
  const { machinePool, mp, infrastructure, infra, bootstrapManifest, boot } = read;
  const lt = infra?.launchTemplate;
  return {
    infraLabel: infrastructure?.label ?? ManifestKind.AWSManagedMachinePool,
    bootstrapLabel: bootstrapManifest?.label ?? ManifestKind.NodeadmConfig,
    machinePoolLabel: machinePool?.label ?? ManifestKind.MachinePool,
    enclavesEnabled,
    ...(lt?.ami ? { ami: lt.ami } : {}),
    ...(infra?.amiType !== undefined ? { amiType: infra.amiType } : {}),
    kubernetesVersionPresent:
      machinePool !== undefined ? mp?.version !== undefined || hasRawVersion(machinePool) : true,
    ...(mp?.version !== undefined ? { kubernetesVersion: mp.version } : {}),
    ...(infra?.annotations.refused.includes(ENCLAVE_MODE_ANNOTATION)
      ? {}
      : { enclaveMode: infra?.annotations.enclaveMode ?? EnclaveMode.DevicePlugin }),
    ...(infra?.annotations.devicePluginSelector
      ? { devicePluginSelector: infra.annotations.devicePluginSelector }
      : {}),
    devicePluginSelectorRefused:
      infra?.annotations.refused.includes(DEVICE_PLUGIN_SELECTOR_ANNOTATION) ?? false,
    labels: infra?.labels ?? {},
    taints: infra?.taints ?? [],
    additionalTags: infra?.additionalTags ?? {},
    ...(lt?.metadataOptions ? { metadataOptions: lt.metadataOptions } : {}),
    ...(lt?.rootVolume ? { rootVolume: lt.rootVolume } : {}),
    ...(boot ? { bootstrap: boot } : {}),
  };
}

/** What the live rules need, as far as the manifests allow, with the paths their messages name. */
function liveRuleInput(
  read: ReadManifests,
  offline: OfflineRuleOutput,
  names: PoolSpec['manifestNames'] | undefined,
  enclavesEnabled: boolean,
): LiveRuleInput {
  const { mp, infra } = read;
  const lt = infra?.launchTemplate;
  const paths = defaultLiveRulePaths(names);
  if (offline.allocatorPaths) {
    paths.allocatorCpu = offline.allocatorPaths.cpu;
    paths.allocatorMemory = offline.allocatorPaths.memory;
  }
  return {
    ...(mp?.clusterName !== undefined ? { clusterName: mp.clusterName } : {}),
    ...(mp?.version !== undefined ? { kubernetesVersion: mp.version } : {}),
    ...(lt?.instanceType !== undefined ? { instanceType: lt.instanceType } : {}),
    enclavesEnabled,
    ...(lt?.ami ? { ami: lt.ami } : {}),
    ...(offline.allocator ? { allocator: offline.allocator } : {}),
    subnetIds: infra?.subnetIds ?? [],
    availabilityZones: infra?.availabilityZones ?? [],
    paths,
  };
}

/**
 * The deployment's allow-lists (docs/security.md "Trust boundary"): the cluster and the node role a
 * spec names must be on them. IAM would refuse the calls anyway; refusing here names the field, the
 * value and the list, and stops the pass before its first AWS call.
 */
function checkAllowList(
  allow: DeploymentAllowList | undefined,
  machinePool: { label: string; fields: MachinePoolFields } | undefined,
  infrastructure: { label: string; fields: ManagedPoolFields } | undefined,
  violations: ViolationList,
): void {
  if (!allow) return;
  const cluster = machinePool?.fields.clusterName;
  if (machinePool && cluster !== undefined && !allowedBy(allow.clusters, cluster)) {
    violations.add(
      Rule.ClusterNotAllowed,
      violationPath(machinePool.label, 'spec.clusterName'),
      cluster,
      `spec.clusterName is ${showValue(cluster)}, and this deployment only lets specs name the clusters ` +
        `${(allow.clusters ?? []).join(', ')} (serverless.yml param allowedClusters, ALLOWED_CLUSTERS); name one ` +
        'of those, or ask the operator to add the cluster to allowedClusters and deploy again',
    );
  }
  if (!infrastructure) return;
  const role = infrastructure.fields.roleName ?? DEFAULT_NODE_ROLE_NAME;
  if (!allowedBy(allow.nodeRoles, role)) {
    const named = infrastructure.fields.roleName !== undefined;
    violations.add(
      Rule.NodeRoleNotAllowed,
      violationPath(infrastructure.label, 'spec.roleName'),
      role,
      `${named ? 'spec.roleName is' : 'spec.roleName is not set, so the node role is the default'} ${showValue(role)}, ` +
        `and this deployment only lets node groups use the roles ${(allow.nodeRoles ?? []).join(', ')} ` +
        '(serverless.yml param allowedNodeRoles, ALLOWED_NODE_ROLES); set spec.roleName to one of those, or ask ' +
        'the operator to add the role to allowedNodeRoles and deploy again',
    );
  }
}

/** True when the MachinePool has a version value at all (a malformed one is reported elsewhere). */
function hasRawVersion(machinePool: IdentifiedManifest): boolean {
  const spec = machinePool.value.spec;
  if (typeof spec !== 'object' || spec === null) return false;
  const template = (spec as Record<string, unknown>).template;
  if (typeof template !== 'object' || template === null) return false;
  const inner = (template as Record<string, unknown>).spec;
  if (typeof inner !== 'object' || inner === null) return false;
  const version = (inner as Record<string, unknown>).version;
  return version !== undefined && version !== null;
}

function checkPoolName(
  machinePool: IdentifiedManifest,
  options: ResolveOptions,
  violations: ViolationList,
): void {
  const path = violationPath(machinePool.label, 'metadata.name');
  const problem = poolIdProblem(machinePool.name);
  if (problem) {
    violations.add(
      Rule.InvalidPoolName,
      path,
      machinePool.name,
      `metadata.name ${showValue(machinePool.name)} is the pool id and the default node group name, and it ${problem}; rename it`,
    );
  }
  if (options.poolId !== undefined && options.poolId !== machinePool.name) {
    violations.add(
      Rule.PoolNameMismatch,
      path,
      machinePool.name,
      `metadata.name is ${showValue(machinePool.name)} but the spec is stored as pool ${showValue(options.poolId)}; ` +
        `the store key must equal the MachinePool name: rename one of them`,
    );
  }
}

function pickSingle(
  kind: ManifestKind,
  candidates: Candidates,
  keep: IdentifiedManifest | undefined,
  violations: ViolationList,
): IdentifiedManifest | undefined {
  const list = candidates[kind];
  if (list.length === 0) {
    violations.add(
      Rule.MissingManifest,
      'document',
      kind,
      `the document has no ${kind}; a pool spec needs one each of MachinePool, AWSManagedMachinePool and NodeadmConfig`,
    );
    return undefined;
  }
  const chosen = keep ?? list[0];
  for (const other of list) {
    if (other === chosen) continue;
    violations.add(
      Rule.DuplicateManifest,
      other.label,
      other.name,
      `${other.position} is a second ${kind} (${other.name}, besides ${chosen?.name}); a pool spec holds exactly one ` +
        `${kind}: move other pools to their own object or item`,
    );
  }
  return chosen;
}

function pickReferenced(
  kind: ManifestKind,
  ref: ObjectReference | undefined,
  refPath: string,
  candidates: Candidates,
  machinePool: IdentifiedManifest | undefined,
  violations: ViolationList,
): IdentifiedManifest | undefined {
  const list = candidates[kind];
  if (!machinePool) return pickSingle(kind, candidates, undefined, violations);
  const at = violationPath(machinePool.label, refPath);
  if (!ref) {
    const present = machinePoolHasKey(machinePool, refPath);
    if (!present) {
      violations.add(
        Rule.MissingReference,
        at,
        undefined,
        `${refPath} is missing; the MachinePool must reference its ${kind} by kind and name`,
      );
    }
    return pickSingle(kind, candidates, undefined, violations);
  }
  if (list.length === 0) return pickSingle(kind, candidates, undefined, violations);
  if (ref.kind !== undefined && ref.kind !== kind) {
    violations.add(
      Rule.DanglingReference,
      violationPath(machinePool.label, `${refPath}.kind`),
      ref.kind,
      `${refPath}.kind is ${showValue(ref.kind)}; enclave-pools reads a ${kind} here: reference the ${kind} in this document`,
    );
    return pickSingle(kind, candidates, undefined, violations);
  }
  const match = list.find((m) => m.name === ref.name);
  if (!match) {
    if (ref.name !== undefined) {
      violations.add(
        Rule.DanglingReference,
        violationPath(machinePool.label, `${refPath}.name`),
        ref.name,
        `${refPath}.name is ${showValue(ref.name)}, but the document's ${kind} is named ` +
          `${list.map((m) => showValue(m.name)).join(', ')}; make the reference and metadata.name match`,
      );
    }
    return pickSingle(kind, candidates, undefined, violations);
  }
  if (ref.apiVersion !== undefined && ref.apiVersion !== match.apiVersion) {
    violations.add(
      Rule.DanglingReference,
      violationPath(machinePool.label, `${refPath}.apiVersion`),
      ref.apiVersion,
      `${refPath}.apiVersion is ${showValue(ref.apiVersion)} but ${match.label} is ${match.apiVersion}; make them equal`,
    );
  }
  if (ref.apiGroup !== undefined && ref.apiGroup !== apiGroupOf(match.apiVersion)) {
    violations.add(
      Rule.DanglingReference,
      violationPath(machinePool.label, `${refPath}.apiGroup`),
      ref.apiGroup,
      `${refPath}.apiGroup is ${showValue(ref.apiGroup)} but ${match.label} is in ${apiGroupOf(match.apiVersion)}; ` +
        'make them equal',
    );
  }
  if (
    ref.namespace !== undefined &&
    ref.namespace !== (match.namespace ?? machinePool.namespace ?? ref.namespace)
  ) {
    violations.add(
      Rule.NamespaceMismatch,
      violationPath(machinePool.label, `${refPath}.namespace`),
      ref.namespace,
      `${refPath}.namespace is ${showValue(ref.namespace)} but ${match.label} is in namespace ` +
        `${showValue(match.namespace ?? machinePool.namespace)}; references stay within one namespace: remove it or make them equal`,
    );
  }
  return pickSingle(kind, candidates, match, violations);
}

function machinePoolHasKey(machinePool: IdentifiedManifest, path: string): boolean {
  let node: unknown = machinePool.value;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined && node !== null;
}

function checkNamespaces(manifests: Array<IdentifiedManifest | undefined>, violations: ViolationList): void {
  const withNamespace = manifests.filter((m): m is IdentifiedManifest => m?.namespace !== undefined);
  const first = withNamespace[0];
  if (!first) return;
  for (const other of withNamespace.slice(1)) {
    if (other.namespace === first.namespace) continue;
    violations.add(
      Rule.NamespaceMismatch,
      violationPath(other.label, 'metadata.namespace'),
      other.namespace,
      `metadata.namespace is ${showValue(other.namespace)} but ${first.label} is in ${showValue(first.namespace)}; ` +
        'the three manifests of a pool share one namespace: make them equal or remove them',
    );
  }
}

interface ResolvedScaling {
  replicas: number;
  minSize: number;
  maxSize: number;
}

/**
 * replicas defaults to 1 (Cluster API's default). Without `spec.scaling` the pool is fixed-size
 * (min = max = replicas, max at least 1 because EKS requires it); a missing minSize defaults to
 * replicas capped by maxSize, a missing maxSize to the larger of replicas and minSize (at least 1).
 */
function resolveScaling(
  mp: MachinePoolFields | undefined,
  infra: ManagedPoolFields | undefined,
  machinePool: IdentifiedManifest | undefined,
  infrastructure: IdentifiedManifest | undefined,
  violations: ViolationList,
): ResolvedScaling | undefined {
  if (!mp || !infra || !machinePool || !infrastructure) return undefined;
  const replicas = mp.replicas ?? 1;
  const { minSize: min, maxSize: max } = infra.scaling;
  const minSize = min ?? Math.min(replicas, max ?? replicas);
  const maxSize = max ?? Math.max(replicas, minSize, 1);
  const problems: string[] = [];
  if (maxSize < 1) problems.push('EKS needs maxSize of at least 1');
  if (minSize > maxSize) problems.push(`minSize ${minSize} is above maxSize ${maxSize}`);
  if (replicas < minSize || replicas > maxSize) {
    problems.push(`MachinePool replicas ${replicas} is outside [minSize ${minSize}, maxSize ${maxSize}]`);
  }
  if (problems.length === 0) return { replicas, minSize, maxSize };
  violations.add(
    Rule.InvalidScaling,
    violationPath(infrastructure.label, 'spec.scaling'),
    { replicas, minSize, maxSize },
    `spec.scaling does not fit: ${problems.join('; ')}; EKS requires minSize <= desired (replicas) <= maxSize and ` +
      'maxSize >= 1: adjust MachinePool spec.replicas or spec.scaling',
  );
  return undefined;
}

/** The policy part of the annotations (a window only when one is written). */
function poolPolicies(annotations: PoolAnnotations): PoolPolicies {
  const { rollback, roll, drift, maintenanceWindow, autoscalerTags } = annotations;
  return { rollback, roll, drift, autoscalerTags, ...(maintenanceWindow ? { maintenanceWindow } : {}) };
}
