import type { AmiSource, MetadataOptions, RootVolume, Taint, TaintEffect, UpdateConfig } from '../pool-spec';
import { fieldPath, indexPath } from '../rules/field-path';
import { Rule } from '../rules/rules';
import { showValue } from '../rules/violation-list';
import { suggestionText } from './closest-name';
import { labelKeyProblem, labelValueProblem } from './label-syntax';
import type { IdentifiedManifest } from './manifest-identity';
import { readMetadata } from './metadata-reader';
import { isRecord, ObjectReader, type ReadContext, reportType } from './object-reader';
import { DEFAULT_POOL_ANNOTATIONS, type PoolAnnotations, readPoolAnnotations } from './pool-annotations';

/**
 * Reads the AWSManagedMachinePool (infrastructure.cluster.x-k8s.io/v1beta2): node group settings and
 * the launch template, including the field-level rules EKS imposes on a node group that uses a
 * launch template.
 */

export { ANNOTATION_PREFIX, FORCE_UPDATE_ANNOTATION } from './pool-annotations';

export const EKS_LOOKUP_TYPES = ['AmazonLinux2023', 'AmazonLinux2023GPU'] as const;
const AL2_LOOKUP_TYPES = ['AmazonLinux', 'AmazonLinuxGPU'];

export const DEFAULT_METADATA_OPTIONS: MetadataOptions = {
  httpEndpoint: 'enabled',
  httpTokens: 'required',
  // Pods reach IMDSv2 through one extra hop (the container network namespace).
  httpPutResponseHopLimit: 2,
  instanceMetadataTags: 'disabled',
};

export interface LaunchTemplateFields {
  instanceType?: string;
  ami?: AmiSource;
  /** True when the spec names the AMI source itself; false when the default lookup applies. */
  amiExplicit: boolean;
  enclavesEnabled: boolean;
  /** False when enclaveOptions.enabled was not a boolean (reported as EnclaveOptionsInvalid). */
  enclaveOptionsValid: boolean;
  hibernationConfigured: boolean;
  securityGroupIds: string[];
  sshKeyName?: string;
  metadataOptions: MetadataOptions;
  rootVolume?: RootVolume;
}

export interface ManagedPoolFields {
  nodegroupName?: string;
  amiType?: string;
  labels: Record<string, string>;
  taints: Taint[];
  subnetIds: string[];
  availabilityZones: string[];
  additionalTags: Record<string, string>;
  roleName?: string;
  scaling: { minSize?: number; maxSize?: number };
  capacityType: 'ON_DEMAND' | 'SPOT';
  updateConfig: UpdateConfig;
  /** The enclave-pools annotations (force-update, rollback, roll, maintenance-window, drift). */
  annotations: PoolAnnotations;
  launchTemplate?: LaunchTemplateFields;
}

const TAINT_EFFECTS: Record<string, TaintEffect> = {
  'no-schedule': 'NO_SCHEDULE',
  'no-execute': 'NO_EXECUTE',
  'prefer-no-schedule': 'PREFER_NO_SCHEDULE',
};
const MAX_TAINTS = 50;
/** Bounds that keep a hostile spec from turning into thousands of AWS look-ups or violations. */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 16;
/** Far above what a pool needs (AWS allows 50 tags per resource). */
const MAX_LABELS = 100;
const MAX_TAGS = 50;

// --- Formats of AWS identifiers -----------------------------------------------------------------

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d+[a-z0-9-]*$/;
const NODEGROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const VOLUME_TYPES = ['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;

function readLabels(spec: ObjectReader): Record<string, string> {
  return (
    spec.stringMap(
      'labels',
      (key, value, path) => {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) {
          spec.report(
            Rule.InvalidFieldValue,
            path,
            key,
            `label key ${showValue(key)} is invalid: ${keyProblem}`,
          );
          return;
        }
        const valueProblem = labelValueProblem(value);
        if (valueProblem) {
          spec.report(Rule.InvalidFieldValue, path, value, `${path} is ${showValue(value)}: ${valueProblem}`);
        }
      },
      { maxEntries: MAX_LABELS },
    ) ?? {}
  );
}

function readTaints(ctx: ReadContext, spec: ObjectReader): Taint[] {
  const list = spec.list('taints');
  if (!list) return [];
  const path = spec.at('taints');
  if (list.length > MAX_TAINTS) {
    spec.report(
      Rule.InvalidFieldValue,
      path,
      list.length,
      `${path} has ${list.length} taints; EKS allows at most ${MAX_TAINTS} per node group: remove some`,
    );
    return [];
  }
  const taints: Taint[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    const taint = ObjectReader.of(ctx, entry, indexPath(path, index));
    if (!taint) return;
    const key = taint.string('key', { required: true });
    const value = taint.string('value');
    const effect = taint.string('effect', { required: true, oneOf: Object.keys(TAINT_EFFECTS) });
    taint.finish();
    if (key !== undefined) {
      const problem = labelKeyProblem(key);
      if (problem)
        taint.report(Rule.InvalidFieldValue, taint.at('key'), key, `taint key ${showValue(key)}: ${problem}`);
    }
    if (value !== undefined) {
      const problem = labelValueProblem(value, { allowEmpty: true });
      if (problem)
        taint.report(
          Rule.InvalidFieldValue,
          taint.at('value'),
          value,
          `taint value ${showValue(value)}: ${problem}`,
        );
    }
    if (key === undefined || effect === undefined) return;
    const mapped = TAINT_EFFECTS[effect];
    if (!mapped) return;
    const identity = `${key}:${mapped}`;
    const previous = seen.get(identity);
    if (previous !== undefined) {
      taint.report(
        Rule.InvalidFieldValue,
        taint.path,
        key,
        `${taint.path} repeats the taint ${key} with effect ${effect} (also at ${indexPath(path, previous)}); keep one`,
      );
      return;
    }
    seen.set(identity, index);
    taints.push({ key, ...(value !== undefined && value !== '' ? { value } : {}), effect: mapped });
  });
  return taints;
}

function readTags(spec: ObjectReader): Record<string, string> {
  return (
    spec.stringMap(
      'additionalTags',
      (key, value, path) => {
        if (key.length === 0 || key.length > 128 || /^aws:/i.test(key)) {
          spec.report(
            Rule.InvalidFieldValue,
            path,
            key,
            `tag key ${showValue(key)} is invalid: keys are 1-128 characters and may not start with "aws:"; rename it`,
          );
        } else if (value.length > 256) {
          spec.report(
            Rule.InvalidFieldValue,
            path,
            value,
            `${path} is ${value.length} characters; tag values hold at most 256`,
          );
        }
      },
      { maxEntries: MAX_TAGS },
    ) ?? {}
  );
}

function readAmi(lt: ObjectReader): { ami?: AmiSource; explicit: boolean } {
  const ami = lt.object('ami');
  lt.unsupported(
    ['imageLookupFormat', 'imageLookupOrg', 'imageLookupBaseOS'],
    'AMIs come from ami.id or the EKS-optimized AL2023 SSM parameter (ami.eksLookupType)',
  );
  if (!ami) {
    // Present but not a mapping: reported already; no default AMI stands in for a broken one.
    if (lt.has('ami')) return { explicit: true };
    return { ami: { kind: 'eksLookup', lookupType: 'AmazonLinux2023' }, explicit: false };
  }
  const id = ami.string('id', { pattern: AMI_ID, describe: 'an AMI id such as ami-0123456789abcdef0' });
  const lookupRaw = ami.raw('eksLookupType');
  ami.finish();
  if (ami.has('id') && lookupRaw !== undefined) {
    lt.report(
      Rule.InvalidFieldValue,
      ami.path,
      ami.value,
      `${ami.path} sets both id and eksLookupType; set one: id pins an AMI, eksLookupType follows the EKS-optimized AMI`,
    );
    return { explicit: true };
  }
  if (id !== undefined) return { ami: { kind: 'id', id }, explicit: true };
  if (ami.has('id')) return { explicit: true };
  if (lookupRaw === undefined)
    return { ami: { kind: 'eksLookup', lookupType: 'AmazonLinux2023' }, explicit: false };
  const path = ami.at('eksLookupType');
  if (typeof lookupRaw !== 'string') {
    reportType(lt.ctx, path, lookupRaw, 'a string');
    return { explicit: true };
  }
  if ((EKS_LOOKUP_TYPES as readonly string[]).includes(lookupRaw)) {
    return {
      ami: { kind: 'eksLookup', lookupType: lookupRaw as (typeof EKS_LOOKUP_TYPES)[number] },
      explicit: true,
    };
  }
  const why = AL2_LOOKUP_TYPES.includes(lookupRaw)
    ? 'Amazon Linux 2 EKS AMIs are no longer published (none for Kubernetes 1.33+) and nodeadm is AL2023-only'
    : `it is not an EKS-optimized AL2023 lookup${suggestionText(lookupRaw, EKS_LOOKUP_TYPES)}`;
  lt.report(
    Rule.AmiLookupTypeUnsupported,
    path,
    lookupRaw,
    `${path} is ${showValue(lookupRaw)}: ${why}; use ${EKS_LOOKUP_TYPES.join(' or ')}, or pin an AMI with ami.id`,
  );
  return { explicit: true };
}

function readEnclaveOptions(lt: ObjectReader): { enabled: boolean; valid: boolean } {
  const raw = lt.raw('enclaveOptions');
  const path = lt.at('enclaveOptions');
  if (raw === undefined) return { enabled: false, valid: true };
  if (!isRecord(raw)) {
    lt.report(
      Rule.EnclaveOptionsInvalid,
      path,
      raw,
      `${path} is ${showValue(raw)}, not a mapping; write enclaveOptions: {enabled: true} (or false)`,
    );
    return { enabled: false, valid: false };
  }
  const options = ObjectReader.of(lt.ctx, raw, path);
  if (!options) return { enabled: false, valid: false };
  const enabled = options.raw('enabled');
  options.finish();
  if (enabled === undefined) return { enabled: false, valid: true };
  if (typeof enabled === 'boolean') return { enabled, valid: true };
  const hint =
    typeof enabled === 'string' && /^(true|false)$/i.test(enabled)
      ? `write ${enabled.toLowerCase()} without quotes`
      : 'write true or false';
  lt.report(
    Rule.EnclaveOptionsInvalid,
    options.at('enabled'),
    enabled,
    `${options.at('enabled')} is ${showValue(enabled)}, not a boolean; ${hint}`,
  );
  return { enabled: false, valid: false };
}

function readMetadataOptions(lt: ObjectReader): MetadataOptions {
  const options = lt.object('instanceMetadataOptions');
  if (!options) return { ...DEFAULT_METADATA_OPTIONS };
  const result: MetadataOptions = {
    httpEndpoint: (options.string('httpEndpoint', { oneOf: ['enabled', 'disabled'] }) ??
      DEFAULT_METADATA_OPTIONS.httpEndpoint) as MetadataOptions['httpEndpoint'],
    httpTokens: (options.string('httpTokens', { oneOf: ['required', 'optional'] }) ??
      DEFAULT_METADATA_OPTIONS.httpTokens) as MetadataOptions['httpTokens'],
    httpPutResponseHopLimit:
      options.integer('httpPutResponseHopLimit', { min: 1, max: 64 }) ??
      DEFAULT_METADATA_OPTIONS.httpPutResponseHopLimit,
    instanceMetadataTags: (options.string('instanceMetadataTags', { oneOf: ['enabled', 'disabled'] }) ??
      DEFAULT_METADATA_OPTIONS.instanceMetadataTags) as MetadataOptions['instanceMetadataTags'],
  };
  options.unsupported(['httpProtocolIpv6'], 'CAPA never sends it to EC2 either');
  options.finish();
  if (
    result.httpTokens === 'required' &&
    result.httpPutResponseHopLimit < 2 &&
    result.httpEndpoint === 'enabled'
  ) {
    lt.report(
      Rule.MetadataHopLimitTooLow,
      options.at('httpPutResponseHopLimit'),
      result.httpPutResponseHopLimit,
      `${options.at('httpPutResponseHopLimit')} is ${result.httpPutResponseHopLimit} with IMDSv2 required: pods ` +
        'cannot reach instance metadata through the extra network hop; set it to 2 unless that is intended',
    );
  }
  return result;
}

function readRootVolume(lt: ObjectReader): RootVolume | undefined {
  const volume = lt.object('rootVolume');
  if (!volume) return undefined;
  const sizeGiB = volume.integer('size', { required: true, min: 1, max: 16384 });
  const type = volume.string('type', { oneOf: VOLUME_TYPES });
  const iops = volume.integer('iops', { min: 100, max: 256000 });
  const throughput = volume.integer('throughput', { min: 125, max: 2000 });
  const encrypted = volume.boolean('encrypted');
  const kmsKeyId = volume.string('encryptionKey', { maxLength: 2048 });
  volume.unsupported(['deviceName'], "the root device name is the AMI's");
  volume.finish();
  if (sizeGiB === undefined) return undefined;
  return {
    sizeGiB,
    ...(type !== undefined ? { type } : {}),
    ...(iops !== undefined ? { iops } : {}),
    ...(throughput !== undefined ? { throughput } : {}),
    ...(encrypted !== undefined ? { encrypted } : {}),
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
  };
}

function readSecurityGroups(ctx: ReadContext, lt: ObjectReader): string[] {
  const list = lt.list('additionalSecurityGroups', { maxItems: MAX_SECURITY_GROUPS });
  if (!list) return [];
  const ids: string[] = [];
  list.forEach((entry, index) => {
    const group = ObjectReader.of(ctx, entry, indexPath(lt.at('additionalSecurityGroups'), index));
    if (!group) return;
    if (group.has('filters')) {
      group.report(
        Rule.InvalidFieldValue,
        group.at('filters'),
        group.value.filters,
        `${group.at('filters')}: security groups chosen by filter are not supported; name the group by id (sg-...)`,
      );
    }
    const id = group.string('id', {
      required: !group.has('filters'),
      pattern: SECURITY_GROUP_ID,
      describe: 'a security group id such as sg-0123456789abcdef0',
    });
    group.finish();
    if (id !== undefined) ids.push(id);
  });
  return ids;
}

/**
 * Fields EKS forbids in the launch template of a managed node group (EKS user guide, "Customizing
 * managed nodes with launch templates"), each with where the setting goes instead.
 */
function checkForbiddenLaunchTemplateFields(lt: ObjectReader, enclavesEnabled: boolean): boolean {
  const forbid = (key: string, instead: string) => {
    if (!lt.has(key)) return;
    lt.report(
      Rule.LaunchTemplateFieldForbidden,
      lt.at(key),
      lt.value[key],
      `${lt.at(key)} is set, but EKS rejects a node group whose launch template contains it; ${instead}`,
    );
  };
  forbid('iamInstanceProfile', 'remove it and name the node role in spec.roleName');
  forbid('spotMarketOptions', 'remove it and set spec.capacityType: spot');
  forbid('instanceInitiatedShutdownBehavior', 'remove it: EKS owns the instance lifecycle');
  const marketType = lt.string('marketType', { oneOf: ['OnDemand', 'Spot', 'CapacityBlock'] });
  if (marketType === 'Spot') {
    lt.report(
      Rule.LaunchTemplateFieldForbidden,
      lt.at('marketType'),
      marketType,
      `${lt.at('marketType')} is Spot, but EKS rejects spot requests in a node group's launch template; ` +
        'remove it and set spec.capacityType: spot',
    );
  } else if (marketType === 'CapacityBlock') {
    lt.report(
      Rule.InvalidFieldValue,
      lt.at('marketType'),
      marketType,
      `${lt.at('marketType')} is CapacityBlock, which enclave-pools does not support; remove it`,
    );
  }
  const interfaces = lt.list('networkInterfaces');
  if (interfaces) {
    const withSubnet = interfaces.findIndex((entry) => isRecord(entry) && entry.subnetId !== undefined);
    if (withSubnet !== -1) {
      const path = fieldPath(indexPath(lt.at('networkInterfaces'), withSubnet), 'subnetId');
      lt.report(
        Rule.LaunchTemplateFieldForbidden,
        path,
        (interfaces[withSubnet] as Record<string, unknown>).subnetId,
        `${path} is set, but EKS rejects a subnet in a node group's launch template; remove it and list the ` +
          'subnet in spec.subnetIDs',
      );
    } else {
      lt.report(
        Rule.UnsupportedField,
        lt.at('networkInterfaces'),
        interfaces,
        `${lt.at('networkInterfaces')} is ignored: enclave-pools sets security groups at instance level; remove it`,
      );
    }
  }
  let hibernationConfigured = false;
  const hibernation = lt.object('hibernationOptions');
  if (hibernation) {
    hibernationConfigured = hibernation.boolean('configured') === true;
    hibernation.finish();
    if (hibernationConfigured && enclavesEnabled) {
      lt.report(
        Rule.HibernationWithEnclaves,
        hibernation.at('configured'),
        true,
        `${hibernation.at('configured')} is true while enclaveOptions.enabled is true; EC2 cannot enable Nitro ` +
          'Enclaves and hibernation on the same instance (and EKS forbids hibernation in node group templates): ' +
          'remove hibernationOptions',
      );
    } else if (hibernationConfigured) {
      lt.report(
        Rule.LaunchTemplateFieldForbidden,
        hibernation.at('configured'),
        true,
        `${hibernation.at('configured')} is true, but EKS rejects hibernation options in a node group's launch ` +
          'template; remove hibernationOptions',
      );
    }
  }
  return hibernationConfigured;
}

function readLaunchTemplate(ctx: ReadContext, spec: ObjectReader): LaunchTemplateFields | undefined {
  const lt = spec.object('awsLaunchTemplate');
  if (!lt) {
    if (!spec.has('awsLaunchTemplate')) {
      spec.report(
        Rule.RequiredFieldMissing,
        spec.at('awsLaunchTemplate'),
        undefined,
        `${spec.at('awsLaunchTemplate')} is missing; enclave-pools always builds a launch template: add ` +
          'awsLaunchTemplate with instanceType, ami and enclaveOptions',
      );
    }
    return undefined;
  }
  const instanceTypeRaw = lt.raw('instanceType');
  let instanceType: string | undefined;
  if (instanceTypeRaw === undefined) {
    lt.report(
      Rule.InstanceTypeRequired,
      lt.at('instanceType'),
      undefined,
      `${lt.at('instanceType')} is missing; without it EKS launches t3.medium, which cannot run Nitro Enclaves: ` +
        'set an enclave-capable type such as m5.xlarge',
    );
  } else {
    instanceType = lt.string('instanceType', {
      pattern: INSTANCE_TYPE,
      describe: 'an EC2 instance type such as m5.xlarge',
    });
  }
  const { ami, explicit } = readAmi(lt);
  const enclave = readEnclaveOptions(lt);
  const hibernationConfigured = checkForbiddenLaunchTemplateFields(lt, enclave.enabled);
  const securityGroupIds = readSecurityGroups(ctx, lt);
  const sshKeyName = lt.string('sshKeyName', { maxLength: 255 });
  const metadataOptions = readMetadataOptions(lt);
  const rootVolume = readRootVolume(lt);
  lt.unsupported(['nonRootVolumes'], 'only the root volume is configured');
  lt.unsupported(
    ['name', 'versionNumber'],
    'the launch template is named after the cluster and pool, and versions are managed',
  );
  lt.unsupported(
    ['privateDnsName', 'capacityReservationId', 'capacityReservationPreference'],
    'not rendered into the launch template',
  );
  lt.finish();
  return {
    ...(instanceType !== undefined ? { instanceType } : {}),
    ...(ami !== undefined ? { ami } : {}),
    amiExplicit: explicit,
    enclavesEnabled: enclave.enabled,
    enclaveOptionsValid: enclave.valid,
    hibernationConfigured,
    securityGroupIds,
    ...(sshKeyName !== undefined ? { sshKeyName } : {}),
    metadataOptions,
    ...(rootVolume !== undefined ? { rootVolume } : {}),
  };
}

function readUpdateConfig(spec: ObjectReader): UpdateConfig {
  const update = spec.object('updateConfig');
  if (!update) return { maxUnavailable: 1 };
  const maxUnavailable = update.integer('maxUnavailable', { min: 1, max: 100 });
  const maxUnavailablePercentage = update.integer('maxUnavailablePercentage', { min: 1, max: 100 });
  const updateStrategy = update.string('updateStrategy', { oneOf: ['DEFAULT', 'MINIMAL'] }) as
    | UpdateConfig['updateStrategy']
    | undefined;
  update.finish();
  if (update.has('maxUnavailable') && update.has('maxUnavailablePercentage')) {
    spec.report(
      Rule.InvalidUpdateConfig,
      update.path,
      update.value,
      `${update.path} sets both maxUnavailable and maxUnavailablePercentage; EKS takes exactly one: keep one`,
    );
  }
  const config: UpdateConfig = {};
  if (maxUnavailablePercentage !== undefined && maxUnavailable === undefined) {
    config.maxUnavailablePercentage = maxUnavailablePercentage;
  } else {
    config.maxUnavailable = maxUnavailable ?? 1;
  }
  if (updateStrategy !== undefined) config.updateStrategy = updateStrategy;
  return config;
}

export function readManagedMachinePool(manifest: IdentifiedManifest, ctx: ReadContext): ManagedPoolFields {
  const fields: ManagedPoolFields = {
    labels: {},
    taints: [],
    subnetIds: [],
    availabilityZones: [],
    additionalTags: {},
    scaling: {},
    capacityType: 'ON_DEMAND',
    updateConfig: { maxUnavailable: 1 },
    annotations: { ...DEFAULT_POOL_ANNOTATIONS },
  };
  const top = ObjectReader.of(ctx, manifest.value, '');
  if (!top) return fields;
  top.ignore(['apiVersion', 'kind', 'status']);
  const annotations = readMetadata(top);
  const spec = top.object('spec', { required: true });
  top.finish();
  fields.annotations = readPoolAnnotations(top, annotations, manifest.label);
  if (!spec) return fields;

  const nodegroupName = spec.string('eksNodegroupName', {
    pattern: NODEGROUP_NAME,
    describe: 'a node group name (1-63 letters, digits, "-" or "_", starting with a letter or digit)',
  });
  if (nodegroupName !== undefined) fields.nodegroupName = nodegroupName;
  const amiType = spec.raw('amiType');
  if (amiType !== undefined) {
    if (typeof amiType !== 'string')
      reportType(ctx, spec.at('amiType'), amiType, 'a string', '; write CUSTOM');
    else fields.amiType = amiType;
  }
  fields.labels = readLabels(spec);
  fields.taints = readTaints(ctx, spec);
  fields.subnetIds =
    spec.stringList(
      'subnetIDs',
      { pattern: SUBNET_ID, describe: 'a subnet id such as subnet-0123456789abcdef0' },
      { maxItems: MAX_SUBNETS },
    ) ?? [];
  fields.availabilityZones =
    spec.stringList(
      'availabilityZones',
      { pattern: AVAILABILITY_ZONE, describe: 'an availability zone name such as eu-west-1a' },
      { maxItems: MAX_SUBNETS },
    ) ?? [];
  fields.additionalTags = readTags(spec);
  const roleName = spec.string('roleName', { pattern: IAM_ROLE_NAME, describe: 'an IAM role name' });
  if (roleName !== undefined) fields.roleName = roleName;
  fields.scaling = readScaling(spec);
  const capacityType = spec.string('capacityType', { oneOf: ['onDemand', 'spot'] });
  fields.capacityType = capacityType === 'spot' ? 'SPOT' : 'ON_DEMAND';
  fields.updateConfig = readUpdateConfig(spec);
  const launchTemplate = readLaunchTemplate(ctx, spec);
  if (launchTemplate) fields.launchTemplate = launchTemplate;

  refuseNodegroupOnlyFields(spec);
  spec.finish();
  return fields;
}

/** An absent `scaling` reads as {} (resolveScaling derives the sizes from replicas). */
function readScaling(spec: ObjectReader): ManagedPoolFields['scaling'] {
  const scaling = spec.object('scaling');
  if (!scaling) return {};
  const minSize = scaling.integer('minSize', { min: 0, max: 10000 });
  const maxSize = scaling.integer('maxSize', { min: 0, max: 10000 });
  scaling.finish();
  return {
    ...(minSize !== undefined ? { minSize } : {}),
    ...(maxSize !== undefined ? { maxSize } : {}),
  };
}

/**
 * Fields of CAPA's AWSManagedMachinePool that EKS rejects beside a launch template, or that
 * enclave-pools does not manage: each reported with what to do instead.
 */
function refuseNodegroupOnlyFields(spec: ObjectReader): void {
  const forbidWithTemplate = (key: string, instead: string) => {
    if (!spec.has(key)) return;
    spec.report(
      Rule.NodegroupFieldForbidden,
      spec.at(key),
      spec.value[key],
      `${spec.at(key)} is set, but EKS rejects it on a node group that uses a launch template; ${instead}`,
    );
  };
  forbidWithTemplate('diskSize', 'remove it and size the disk with awsLaunchTemplate.rootVolume.size');
  forbidWithTemplate(
    'remoteAccess',
    'remove it and set awsLaunchTemplate.sshKeyName (and security groups) instead',
  );
  forbidWithTemplate('instanceType', 'move it to spec.awsLaunchTemplate.instanceType');
  forbidWithTemplate(
    'amiVersion',
    'remove it: a launch template with an AMI pins the release (roll by changing the AMI)',
  );
  spec.unsupported(
    ['availabilityZoneSubnetType'],
    'explicit subnetIDs or the cluster subnets in availabilityZones are used',
  );
  spec.unsupported(
    ['roleAdditionalPolicies', 'rolePath', 'rolePermissionsBoundary'],
    'enclave-pools does not create IAM roles; name an existing role in roleName',
  );
  spec.unsupported(['lifecycleHooks', 'nodeRepairConfig'], 'not managed by enclave-pools');
  spec.ignore(['providerIDList']);
}
