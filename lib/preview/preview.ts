import type { ReconcileOutcome } from '../outcome';
import { UpdateStatus } from '../plan/eks-status';
import type { NodegroupConfigChanges, ObservedNodegroup } from '../plan/plan-types';
import type { UpdateConfig } from '../pool-spec';
import type { LaunchTemplateData } from '../render/launch-template-data';
import { type Condition, ConditionStatus, ConditionType, Reason } from '../status/conditions';
import type { StatusRow } from '../status/status-row';
import { diffFields, type FieldChange } from './field-diff';
import type { PreviewWrite } from './preview-pass';
import { type RollImpact, rollImpact } from './roll-impact';
import { type TextDiff, unifiedDiff } from './text-diff';
import { decodeUserData } from './user-data-parts';

/**
 * What `plan` shows, assembled from a dry reconcile pass (preview-pass.ts) and the data of
 * the launch template version the node group is pinned to: the field-level diff of the launch
 * template data, the user data decoded and diffed per part, whether a new version and a roll
 * follow, and what the roll does to the fleet. Pure.
 */

export interface UserDataPartDiff {
  label: string;
  contentType: string;
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  diff: TextDiff;
}

export interface Preview {
  poolId: string;
  outcome: ReconcileOutcome;
  /** Conditions the pass would leave False (spec or live rule violations, ownership, ...). */
  problems: Condition[];
  launchTemplate: {
    name?: string;
    id?: string;
    exists: boolean;
    pinnedVersion?: number;
    /** The version the node group would run: a new one, or an existing one whose data matches. */
    targetVersion?: number;
    newVersion: boolean;
    changes: FieldChange[];
    userData: UserDataPartDiff[];
    /** Raw user data sizes (before base64; after gunzip), pinned and desired. */
    userDataBytes: { before?: number; after?: number };
  };
  nodegroup: {
    name?: string;
    exists: boolean;
    status?: string;
    nodes?: number;
    create?: { desiredSize: number; launchTemplateVersion: number; subnets: string[] };
    configChanges?: NodegroupConfigChanges;
    /** The config changes wait for the roll (one update at a time): a later pass makes them. */
    configAfterRoll: boolean;
    delete: boolean;
  };
  roll: boolean;
  /** Why a roll does or does not follow, in words. */
  rollReason: string;
  impact?: RollImpact;
  /** An update already in flight (the plan applies after it). */
  inFlight?: { id: string; type: string; status: string };
  writes: PreviewWrite[];
}

export interface PreviewInput {
  poolId: string;
  outcome: ReconcileOutcome;
  writes: PreviewWrite[];
  previous?: StatusRow;
  next?: StatusRow;
  /** Data of the version the node group is pinned to, when there is a node group. */
  pinnedData?: LaunchTemplateData;
  /** Data the node group would run when no version is created (an existing matching version). */
  existingTargetData?: LaunchTemplateData;
  /** The node group as AWS reports it now. */
  nodegroup?: ObservedNodegroup;
  /** Labels, taints, scaling or update config that differ from the spec, whichever pass changes them. */
  pendingConfigChanges?: NodegroupConfigChanges;
  availabilityZones: string[];
  /** The spec's update settings (what the roll will use once the config converges). */
  updateConfig: UpdateConfig;
  force: boolean;
}

function userDataDiff(before: string | undefined, after: string | undefined): UserDataPartDiff[] {
  const a = decodeUserData(before).parts;
  const b = decodeUserData(after).parts;
  const labels = [...new Set([...a.map((p) => p.label), ...b.map((p) => p.label)])];
  return labels.map((label) => {
    const left = a.find((p) => p.label === label);
    const right = b.find((p) => p.label === label);
    const diff = unifiedDiff(left?.body ?? '', right?.body ?? '');
    const status = !left ? 'added' : !right ? 'removed' : diff.changed ? 'changed' : 'unchanged';
    return { label, contentType: (right ?? left)?.contentType ?? label, status, diff };
  });
}

/**
 * The members compared field by field. UserData is shown decoded, part by part, instead of as two
 * base64 strings. Tag specifications for the `launch-template` resource are the template's own
 * tags, which some EC2 implementations (moto) echo into version data; instances never get them.
 */
function comparable(data: LaunchTemplateData | undefined): Omit<LaunchTemplateData, 'UserData'> | undefined {
  if (!data) return undefined;
  const { UserData: _userData, TagSpecifications, ...rest } = data;
  return {
    ...rest,
    TagSpecifications: TagSpecifications.filter((t) => t.ResourceType !== 'launch-template'),
  };
}

function problemsOf(row: StatusRow | undefined): Condition[] {
  return (row?.conditions ?? []).filter(
    (c) => c.type !== 'Ready' && c.status === ConditionStatus.False && c.severity === 'Error',
  );
}

type Write<K extends PreviewWrite['kind']> = Extract<PreviewWrite, { kind: K }>;

/** Whether the pass rolls the node group, and why (or why not), in the words `plan` prints. */
function rollDecision(facts: {
  deleteNodegroup: boolean;
  nodegroup: PreviewInput['nodegroup'];
  createNodegroup: Write<'CreateNodegroup'> | undefined;
  rollWrite: Write<'UpdateNodegroupVersion'> | undefined;
  createdVersion: Write<'CreateLaunchTemplateVersion'> | undefined;
  configWrite: Write<'UpdateNodegroupConfig'> | undefined;
  dataDiffers: boolean;
  pinnedVersion: number | undefined;
  targetVersion: number | undefined;
  inFlight: Preview['inFlight'];
  /** The condition a roll policy holds the roll with (roll: manual, a maintenance window). */
  held: Condition | undefined;
}): { roll: boolean; rollReason: string } {
  const { nodegroup, createNodegroup, rollWrite, createdVersion, configWrite, pinnedVersion, inFlight } =
    facts;
  if (facts.deleteNodegroup)
    return {
      roll: false,
      rollReason: 'the spec is gone: the node group and launch template are deleted, nothing is rolled',
    };
  if (!nodegroup)
    return {
      roll: false,
      rollReason: createNodegroup
        ? `no node group yet: it is created on launch template version ${createNodegroup.launchTemplateVersion} with ${createNodegroup.desiredSize} node${createNodegroup.desiredSize === 1 ? '' : 's'}`
        : 'no node group yet: it is created once the spec is valid and the launch template exists',
    };
  if (rollWrite)
    return {
      roll: true,
      rollReason: `the node group runs version ${pinnedVersion ?? '?'} and the spec renders ${createdVersion ? `a new version ${rollWrite.launchTemplateVersion}` : `version ${rollWrite.launchTemplateVersion}`}`,
    };
  if (facts.held) return { roll: true, rollReason: `held: ${facts.held.message}` };
  if (facts.dataDiffers && pinnedVersion !== undefined && facts.targetVersion !== pinnedVersion)
    return {
      roll: true,
      rollReason: inFlight
        ? `the node group runs version ${pinnedVersion}; the roll to the new data starts after update ${inFlight.id} (${inFlight.type}) ends`
        : `the node group runs version ${pinnedVersion}, which differs from the spec; the roll follows ${configWrite ? 'the config update' : 'once the pool can be updated'}`,
    };
  return {
    roll: false,
    rollReason: `the node group already runs version ${pinnedVersion ?? '?'}, whose data matches the spec`,
  };
}

/** The node group part of the preview: what exists, what is created, deleted or reconfigured. */
function nodegroupSection(
  input: PreviewInput,
  nodes: number | undefined,
  createNodegroup: Write<'CreateNodegroup'> | undefined,
  configWrite: Write<'UpdateNodegroupConfig'> | undefined,
  deleteNodegroup: boolean,
): Preview['nodegroup'] {
  const { nodegroup } = input;
  return {
    ...(nodegroup?.name || createNodegroup
      ? { name: nodegroup?.name ?? createNodegroup?.nodegroupName }
      : {}),
    exists: nodegroup !== undefined,
    ...(nodegroup ? { status: nodegroup.status } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
    ...(createNodegroup
      ? {
          create: {
            desiredSize: createNodegroup.desiredSize,
            launchTemplateVersion: createNodegroup.launchTemplateVersion,
            subnets: createNodegroup.subnets,
          },
        }
      : {}),
    ...(configWrite
      ? { configChanges: configWrite.changes }
      : input.pendingConfigChanges && !deleteNodegroup
        ? { configChanges: input.pendingConfigChanges }
        : {}),
    configAfterRoll: !configWrite && !deleteNodegroup && input.pendingConfigChanges !== undefined,
    delete: deleteNodegroup,
  };
}

/** The EKSNodegroupReady condition of a roll held for approval or a maintenance window. */
function heldRoll(next: PreviewInput['next']) {
  return next?.conditions.find(
    (c) =>
      c.type === ConditionType.EKSNodegroupReady &&
      (c.reason === Reason.RollPending || c.reason === Reason.RollWaitingForWindow),
  );
}

/** The decoded user data's size before and after, for the 16 KiB budget line. */
function userDataBytes(
  before: PreviewInput['pinnedData'],
  after: PreviewInput['pinnedData'],
): { before?: number; after?: number } {
  return {
    ...(before ? { before: Buffer.byteLength(decodeUserData(before.UserData).raw, 'utf8') } : {}),
    ...(after ? { after: Buffer.byteLength(decodeUserData(after.UserData).raw, 'utf8') } : {}),
  };
}

export function buildPreview(input: PreviewInput): Preview {
  const { writes, next, nodegroup } = input;
  const createdTemplate = writes.find((w) => w.kind === 'CreateLaunchTemplate');
  const createdVersion = writes.find((w) => w.kind === 'CreateLaunchTemplateVersion');
  const rollWrite = writes.find((w) => w.kind === 'UpdateNodegroupVersion');
  const createNodegroup = writes.find((w) => w.kind === 'CreateNodegroup');
  const configWrite = writes.find((w) => w.kind === 'UpdateNodegroupConfig');
  const deleteNodegroup = writes.some((w) => w.kind === 'DeleteNodegroup');

  const desiredData =
    createdVersion?.data ?? createdTemplate?.data ?? input.existingTargetData ?? input.pinnedData;
  const pinnedVersion = nodegroup?.launchTemplate?.version;
  const targetVersion =
    createdVersion?.version ?? (createdTemplate ? 1 : undefined) ?? next?.launchTemplate?.targetVersion;
  const before = input.pinnedData;
  const changes = before || desiredData ? diffFields(comparable(before), comparable(desiredData)) : [];
  const userDataParts = userDataDiff(before?.UserData, desiredData?.UserData);
  const dataDiffers = changes.length > 0 || userDataParts.some((p) => p.status !== 'unchanged');

  const update = next?.update ?? input.previous?.update;
  const inFlight =
    update && update.status === UpdateStatus.InProgress && update.id !== '(planned)'
      ? { id: update.id, type: update.type, status: update.status }
      : undefined;

  const { roll, rollReason } = rollDecision({
    deleteNodegroup,
    nodegroup,
    createNodegroup,
    rollWrite,
    createdVersion,
    configWrite,
    dataDiffers,
    pinnedVersion,
    targetVersion,
    inFlight,
    held: heldRoll(next),
  });

  const nodes = nodegroup?.scaling?.desiredSize;
  const impact = roll
    ? rollImpact({
        nodes: nodes ?? 0,
        availabilityZones: input.availabilityZones,
        updateConfig: { ...(nodegroup?.updateConfig ?? {}), ...input.updateConfig },
        force: input.force,
      })
    : undefined;

  const ltRecord = next?.launchTemplate ?? input.previous?.launchTemplate;
  return {
    poolId: input.poolId,
    outcome: input.outcome,
    problems: problemsOf(next),
    launchTemplate: {
      ...(ltRecord?.name || createdTemplate ? { name: ltRecord?.name ?? createdTemplate?.name } : {}),
      ...(ltRecord?.id && ltRecord.id !== '(planned)' ? { id: ltRecord.id } : {}),
      exists: !createdTemplate && ltRecord !== undefined,
      ...(pinnedVersion !== undefined ? { pinnedVersion } : {}),
      ...(targetVersion !== undefined ? { targetVersion } : {}),
      newVersion: Boolean(createdVersion || createdTemplate),
      changes,
      userData: userDataParts,
      userDataBytes: userDataBytes(before, desiredData),
    },
    nodegroup: nodegroupSection(input, nodes, createNodegroup, configWrite, deleteNodegroup),
    roll,
    rollReason,
    ...(impact ? { impact } : {}),
    ...(inFlight ? { inFlight } : {}),
    writes,
  };
}
