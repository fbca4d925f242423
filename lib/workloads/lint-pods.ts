import { DEVICE_PLUGIN_LABEL_KEY, type Violation } from '../pool-spec';
import { describeHugepagePlan, pageSizeOfResource } from './hugepage-plan';
import {
  formatTaint,
  KUBERNETES_TAINT_EFFECT,
  Match,
  matchNodeSelector,
  matchNodeSelectorTerms,
  readTolerations,
  tolerates,
  toleratesEverything,
} from './node-matching';
import { isObject, type JsonObject, objectAt, type PodTemplate } from './pod-templates';
import { MAX_ENCLAVES_PER_INSTANCE, MIN_ENCLAVE_MEMORY_MIB, type PoolWorkloadProfile } from './pool-profile';
import { bytesToMib, formatMib, parseQuantity } from './quantity';

/**
 * Checks enclave workloads against the pool they target: the allocator ↔ pod consistency rules
 * that otherwise surface as Pending pods or nitro-cli E22/E27 errors after a roll.
 */

export const ENCLAVE_DEVICE_RESOURCE = 'aws.ec2.nitro/nitro_enclaves';
export const ENCLAVE_CPU_RESOURCE = 'aws.ec2.nitro/nitro_enclaves_cpus';
/** CPUs of each enclave the pod starts (what it passes to `nitro-cli run-enclave --cpu-count`). */
export const ENCLAVE_CPU_ANNOTATION = 'enclave-pools.aws/enclave-cpu-count';
/** MiB of each enclave the pod starts (what it passes to `nitro-cli run-enclave --memory`). */
export const ENCLAVE_MEMORY_ANNOTATION = 'enclave-pools.aws/enclave-memory-mib';
export const HUGEPAGES_MOUNT_PATH = '/dev/hugepages';

export const WorkloadRule = {
  EnclaveDeviceMissing: 'EnclaveDeviceMissing',
  UnknownNitroResource: 'UnknownNitroResource',
  EnclaveDeviceRequestNotEqualLimit: 'EnclaveDeviceRequestNotEqualLimit',
  EnclaveDeviceCountInvalid: 'EnclaveDeviceCountInvalid',
  EnclaveSlotsOverLimit: 'EnclaveSlotsOverLimit',
  EnclaveCountExceedsPool: 'EnclaveCountExceedsPool',
  EnclaveCpusExceedPool: 'EnclaveCpusExceedPool',
  EnclaveCpusNotFullCores: 'EnclaveCpusNotFullCores',
  EnclaveCpuDeclarationMismatch: 'EnclaveCpuDeclarationMismatch',
  EnclaveMemoryBelowMinimum: 'EnclaveMemoryBelowMinimum',
  EnclaveMemoryExceedsHugepages: 'EnclaveMemoryExceedsHugepages',
  EnclaveAnnotationInvalid: 'EnclaveAnnotationInvalid',
  HugepagesMissing: 'HugepagesMissing',
  HugepageResourceNameInvalid: 'HugepageResourceNameInvalid',
  HugepageSizeMismatch: 'HugepageSizeMismatch',
  HugepagesExceedReservation: 'HugepagesExceedReservation',
  HugepagesNotPageMultiple: 'HugepagesNotPageMultiple',
  HugepagesRequestNotEqualLimit: 'HugepagesRequestNotEqualLimit',
  HugepagesWithoutCpuOrMemory: 'HugepagesWithoutCpuOrMemory',
  HugepagesVolumeMissing: 'HugepagesVolumeMissing',
  HugepagesVolumeMediumMismatch: 'HugepagesVolumeMediumMismatch',
  HugepagesMountPath: 'HugepagesMountPath',
  NodeSelectorMismatch: 'NodeSelectorMismatch',
  NodeAffinityMismatch: 'NodeAffinityMismatch',
  PreferredNodeAffinityMismatch: 'PreferredNodeAffinityMismatch',
  TaintNotTolerated: 'TaintNotTolerated',
  ToleratesAllTaints: 'ToleratesAllTaints',
  PoolAllocatorUnknown: 'PoolAllocatorUnknown',
  PoolCapacityExceeded: 'PoolCapacityExceeded',
} as const;
export type WorkloadRule = (typeof WorkloadRule)[keyof typeof WorkloadRule];

export interface WorkloadFinding extends Violation {
  workload: string;
  document: number;
}

/** What one copy of a pod takes from a node of the pool. */
export interface PodEnclaveUsage {
  workload: string;
  replicas: number | 'perNode';
  enclaveSlots: number;
  /** Declared enclave CPUs for the whole pod, when the pod declares them. */
  enclaveCpus?: number;
  /** MiB per hugepage resource name. */
  hugepagesMib: Record<string, number>;
}

export interface WorkloadLintResult {
  findings: WorkloadFinding[];
  usage: PodEnclaveUsage[];
  /** Pod templates with nothing enclave-related in them, left unchecked. */
  notEnclaveWorkloads: string[];
}

interface ContainerView {
  index: number;
  /** `spec.template.spec.containers[0]` */
  path: string;
  name: string;
  requests: JsonObject;
  limits: JsonObject;
  mounts: { name: string; mountPath: string }[];
  commandLine: string;
}

function readContainers(template: PodTemplate, field: 'containers' | 'initContainers'): ContainerView[] {
  const list = template.podSpec[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((container, index) => {
    if (!isObject(container)) return [];
    const resources = objectAt(container, 'resources');
    const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isObject) : [];
    const words = [
      ...(Array.isArray(container.command) ? container.command : []),
      ...(Array.isArray(container.args) ? container.args : []),
    ];
    return [
      {
        index,
        path: `${template.specPath}.${field}[${index}]`,
        name: typeof container.name === 'string' ? container.name : `#${index}`,
        requests: objectAt(resources, 'requests') ?? {},
        limits: objectAt(resources, 'limits') ?? {},
        mounts: mounts.map((m) => ({ name: String(m.name ?? ''), mountPath: String(m.mountPath ?? '') })),
        commandLine: words.map(String).join(' '),
      },
    ];
  });
}

interface HugepageVolume {
  name: string;
  medium: string;
  /** Page size named by the medium; undefined for the size-less `HugePages`. */
  pageSizeMib?: number;
}

function readHugepageVolumes(template: PodTemplate): HugepageVolume[] {
  const volumes = Array.isArray(template.podSpec.volumes) ? template.podSpec.volumes.filter(isObject) : [];
  return volumes.flatMap((volume) => {
    const medium = objectAt(volume, 'emptyDir')?.medium;
    if (typeof medium !== 'string' || !/^HugePages/i.test(medium)) return [];
    const sized = /^HugePages-(.+)$/i.exec(medium);
    const pageSizeMib = sized ? pageSizeOfResource(`hugepages-${sized[1]}`) : undefined;
    return [
      { name: String(volume.name ?? ''), medium, ...(pageSizeMib === undefined ? {} : { pageSizeMib }) },
    ];
  });
}

/** `nitro-cli run-enclave --cpu-count 2 --memory 512 ...`, once per enclave the command starts. */
function enclavesInCommand(commandLine: string): { cpus?: number; memoryMib?: number }[] {
  return commandLine
    .split(/run-enclave/)
    .slice(1)
    .map((segment) => {
      const cpus = /--cpu-count[=\s]+(\d+)/.exec(segment)?.[1];
      const memory = /--memory[=\s]+(\d+)/.exec(segment)?.[1];
      return {
        ...(cpus === undefined ? {} : { cpus: Number(cpus) }),
        ...(memory === undefined ? {} : { memoryMib: Number(memory) }),
      };
    });
}

const CPU_OR_MEMORY = ['cpu', 'memory'];

/** `spec.template.spec` → `spec.template.metadata`; a bare Pod's `spec` → `metadata`. */
function podMetadataPath(specPath: string): string {
  const parent = specPath.split('.').slice(0, -1);
  return [...parent, 'metadata'].join('.');
}

function isHugepageName(name: string): boolean {
  return /^hugepages-/i.test(name);
}

class TemplateLinter {
  readonly findings: WorkloadFinding[] = [];
  private readonly containers: ContainerView[];
  private readonly initContainers: ContainerView[];

  constructor(
    private readonly template: PodTemplate,
    private readonly pool: PoolWorkloadProfile,
  ) {
    this.containers = readContainers(template, 'containers');
    this.initContainers = readContainers(template, 'initContainers');
  }

  private add(
    rule: WorkloadRule,
    severity: 'Error' | 'Warning',
    path: string,
    value: unknown,
    message: string,
  ) {
    this.findings.push({
      workload: this.template.workload,
      document: this.template.document,
      path: `${this.template.workload}: ${path}`,
      value,
      rule,
      severity,
      message,
    });
  }

  /** Whether anything in the pod says it is meant for an enclave pool. */
  isEnclaveWorkload(): boolean {
    const all = [...this.containers, ...this.initContainers];
    const resourceNames = all.flatMap((c) => [...Object.keys(c.requests), ...Object.keys(c.limits)]);
    if (resourceNames.some((name) => name.startsWith('aws.ec2.nitro/') || isHugepageName(name))) return true;
    if (readHugepageVolumes(this.template).length > 0) return true;
    if (Object.keys(this.template.podAnnotations).some((key) => key.startsWith('enclave-pools.aws/')))
      return true;
    if (all.some((c) => c.commandLine.includes('nitro-cli'))) return true;
    const selector = objectAt(this.template.podSpec, 'nodeSelector') ?? {};
    return Object.keys(selector).some(
      (key) =>
        key === DEVICE_PLUGIN_LABEL_KEY || (key in this.pool.labels && !key.includes('kubernetes.io/')),
    );
  }

  lint(): PodEnclaveUsage {
    const resourceChecks = [...this.containers, ...this.initContainers].map((c) =>
      this.lintContainerResources(c),
    );
    const enclaveSlots = resourceChecks.slice(0, this.containers.length).reduce((sum, r) => sum + r.slots, 0);
    const hugepagesMib: Record<string, number> = {};
    for (const check of resourceChecks.slice(0, this.containers.length)) {
      for (const [name, mib] of Object.entries(check.hugepagesMib))
        hugepagesMib[name] = (hugepagesMib[name] ?? 0) + mib;
    }
    const resourceCpus = resourceChecks.slice(0, this.containers.length).reduce((sum, r) => sum + r.cpus, 0);

    if (enclaveSlots === 0) this.reportMissingDevice();
    this.lintSlots(enclaveSlots);
    this.lintHugepageSizes(hugepagesMib, enclaveSlots);
    this.lintHugepageVolumes();
    const enclaveCpus = this.lintEnclaveSizes(enclaveSlots, resourceCpus, hugepagesMib);
    this.lintPlacement();
    return {
      workload: this.template.workload,
      replicas: this.template.replicas,
      enclaveSlots,
      ...(enclaveCpus === undefined ? {} : { enclaveCpus }),
      hugepagesMib,
    };
  }

  private lintContainerResources(container: ContainerView): {
    slots: number;
    cpus: number;
    hugepagesMib: Record<string, number>;
  } {
    const names = new Set([...Object.keys(container.requests), ...Object.keys(container.limits)]);
    const result = { slots: 0, cpus: 0, hugepagesMib: {} as Record<string, number> };
    for (const name of names) {
      const nitro = name.startsWith('aws.ec2.nitro/');
      const hugepages = isHugepageName(name);
      if (!nitro && !hugepages) continue;
      if (nitro && name !== ENCLAVE_DEVICE_RESOURCE && name !== ENCLAVE_CPU_RESOURCE) {
        this.add(
          WorkloadRule.UnknownNitroResource,
          'Error',
          `${container.path}.resources.limits.${name}`,
          name,
          `container ${container.name} asks for ${name}, which the Nitro Enclaves device plugin does not advertise, so the pod stays Pending; use ${ENCLAVE_DEVICE_RESOURCE} (enclave slots) or ${ENCLAVE_CPU_RESOURCE} (enclave CPUs)`,
        );
        continue;
      }
      const amount = this.lintRequestEqualsLimit(container, name, nitro);
      if (amount === undefined) continue;
      if (nitro) {
        if (!Number.isInteger(amount) || amount < 0) {
          this.add(
            WorkloadRule.EnclaveDeviceCountInvalid,
            'Error',
            `${container.path}.resources.limits.${name}`,
            amount,
            `container ${container.name} asks for ${String(container.limits[name] ?? container.requests[name])} of ${name}; device-plugin resources come in whole devices: write a whole number such as "1"`,
          );
          continue;
        }
        if (name === ENCLAVE_DEVICE_RESOURCE) result.slots += amount;
        else result.cpus += amount;
        continue;
      }
      if (pageSizeOfResource(name) === undefined) {
        this.add(
          WorkloadRule.HugepageResourceNameInvalid,
          'Error',
          `${container.path}.resources.limits.${name}`,
          name,
          `container ${container.name} asks for ${name}, which is not a hugepages resource a node can advertise; spell it hugepages-<size> with a binary unit, e.g. ${this.expectedHugepageNames()[0] ?? 'hugepages-2Mi'}`,
        );
        continue;
      }
      result.hugepagesMib[name] = (result.hugepagesMib[name] ?? 0) + bytesToMib(amount);
    }
    const usesHugepages = Object.keys(result.hugepagesMib).length > 0;
    const hasCpuOrMemory = CPU_OR_MEMORY.some((r) => r in container.requests || r in container.limits);
    if (usesHugepages && !hasCpuOrMemory) {
      this.add(
        WorkloadRule.HugepagesWithoutCpuOrMemory,
        'Error',
        `${container.path}.resources`,
        undefined,
        `container ${container.name} requests hugepages but no cpu or memory, which Kubernetes rejects ("HugePages require cpu or memory"); add e.g. limits.cpu: 250m for the nitro-cli process`,
      );
    }
    if (usesHugepages) this.lintHugepageMount(container, Object.keys(result.hugepagesMib));
    return result;
  }

  /** Kubernetes needs a limit for extended resources and hugepages, and a request equal to it. */
  private lintRequestEqualsLimit(container: ContainerView, name: string, nitro: boolean): number | undefined {
    const rule = nitro
      ? WorkloadRule.EnclaveDeviceRequestNotEqualLimit
      : WorkloadRule.HugepagesRequestNotEqualLimit;
    const rawLimit = container.limits[name];
    const rawRequest = container.requests[name];
    const limit = rawLimit === undefined ? undefined : parseQuantity(rawLimit);
    const request = rawRequest === undefined ? undefined : parseQuantity(rawRequest);
    const path = `${container.path}.resources`;
    if (
      (rawLimit !== undefined && limit === undefined) ||
      (rawRequest !== undefined && request === undefined)
    ) {
      this.add(
        nitro ? WorkloadRule.EnclaveDeviceCountInvalid : WorkloadRule.HugepageResourceNameInvalid,
        'Error',
        `${path}.${rawLimit !== undefined && limit === undefined ? 'limits' : 'requests'}.${name}`,
        rawLimit ?? rawRequest,
        `container ${container.name}: ${name} is not a Kubernetes quantity; write e.g. ${nitro ? '"1"' : '768Mi'}`,
      );
      return undefined;
    }
    if (limit === undefined) {
      this.add(
        rule,
        'Error',
        `${path}.limits.${name}`,
        undefined,
        `container ${container.name} requests ${name}: ${String(rawRequest)} without a limit; Kubernetes requires limits for ${nitro ? 'extended resources' : 'hugepages'}: set limits.${name}: ${String(rawRequest)}`,
      );
      return request;
    }
    if (request !== undefined && request !== limit) {
      this.add(
        rule,
        'Error',
        `${path}.requests.${name}`,
        rawRequest,
        `container ${container.name}: requests.${name} (${String(rawRequest)}) differs from limits.${name} (${String(rawLimit)}); Kubernetes requires them equal: set both to ${String(rawLimit)}`,
      );
    }
    return limit;
  }

  private expectedHugepageNames(): string[] {
    return this.pool.hugepages?.allocations.map((a) => a.resourceName) ?? [];
  }

  private reportMissingDevice() {
    const typo = this.containers
      .flatMap((c) => Object.keys(c.limits))
      .find((n) => n.startsWith('aws.ec2.nitro/'));
    this.add(
      WorkloadRule.EnclaveDeviceMissing,
      'Error',
      `${this.template.specPath}.containers[*].resources.limits`,
      undefined,
      `no container requests ${ENCLAVE_DEVICE_RESOURCE}${typo ? ` (found ${typo})` : ''}, so the pod gets no /dev/nitro_enclaves and nitro-cli cannot start an enclave; add ${ENCLAVE_DEVICE_RESOURCE}: "1" to the requests and limits of the container that runs nitro-cli`,
    );
  }

  private lintSlots(slots: number) {
    const path = `${this.template.specPath}.containers[*].resources.limits.${ENCLAVE_DEVICE_RESOURCE}`;
    if (slots > MAX_ENCLAVES_PER_INSTANCE) {
      this.add(
        WorkloadRule.EnclaveSlotsOverLimit,
        'Error',
        path,
        slots,
        `the pod asks for ${slots} enclave devices; an instance runs at most ${MAX_ENCLAVES_PER_INSTANCE} enclaves and the device plugin advertises at most ${MAX_ENCLAVES_PER_INSTANCE}, so it never schedules; ask for ${MAX_ENCLAVES_PER_INSTANCE} or fewer`,
      );
      return;
    }
    const max = this.pool.maxEnclavesPerNode;
    if (max !== undefined && slots > max) {
      this.add(
        WorkloadRule.EnclaveCountExceedsPool,
        'Error',
        path,
        slots,
        `the pod asks for ${slots} enclaves but pool ${this.pool.poolName}'s allocator (${this.describeAllocator()}) can run ${max} at once on a node; ask for ${max}, or raise cpu_count/memory_mib in the pool's NodeadmConfig`,
      );
    }
  }

  private describeAllocator(): string {
    const parts: string[] = [];
    if (this.pool.enclaveCpus !== undefined) parts.push(`cpu_count ${this.pool.enclaveCpus}`);
    if (this.pool.memoryMib !== undefined) parts.push(`memory_mib ${this.pool.memoryMib}`);
    return parts.join(', ') || 'not set';
  }

  private lintHugepageSizes(hugepagesMib: Record<string, number>, slots: number) {
    const plan = this.pool.hugepages;
    const path = `${this.template.specPath}.containers[*].resources.limits`;
    if (Object.keys(hugepagesMib).length === 0) {
      if (slots > 0) {
        const suggestion = plan?.allocations[0];
        this.add(
          WorkloadRule.HugepagesMissing,
          'Error',
          path,
          undefined,
          `the pod asks for an enclave but no hugepages, so nitro-cli finds no enclave memory in the container (E35/E39); add ${suggestion ? `${suggestion.resourceName}: ${formatMib(suggestion.totalMib)}` : 'the hugepages size the pool reserves'} to requests and limits and mount a HugePages volume at ${HUGEPAGES_MOUNT_PATH}`,
        );
      }
      return;
    }
    if (!plan) return;
    const reserved = new Map(plan.allocations.map((a) => [a.resourceName, a]));
    const expected = plan.allocations.map((a) => a.resourceName).join(' or ');
    for (const [name, mib] of Object.entries(hugepagesMib)) {
      const allocation = reserved.get(name);
      if (!allocation) {
        this.add(
          WorkloadRule.HugepageSizeMismatch,
          'Error',
          `${path}.${name}`,
          name,
          `the pod asks for ${name} but pool ${this.pool.poolName} reserves memory_mib ${plan.requestedMib} as ${describeHugepagePlan(plan)} on ${plan.architecture}, so nodes advertise no ${name} and the pod stays Pending; ask for ${expected} instead, or change memory_mib`,
        );
        continue;
      }
      if (mib > allocation.totalMib) {
        this.add(
          WorkloadRule.HugepagesExceedReservation,
          'Error',
          `${path}.${name}`,
          formatMib(mib),
          `the pod asks for ${name}: ${formatMib(mib)} but a node of pool ${this.pool.poolName} has ${formatMib(allocation.totalMib)} (memory_mib ${plan.requestedMib}); ask for at most ${formatMib(allocation.totalMib)}, or raise memory_mib`,
        );
      }
      if (mib % allocation.pageSizeMib !== 0) {
        this.add(
          WorkloadRule.HugepagesNotPageMultiple,
          'Warning',
          `${path}.${name}`,
          formatMib(mib),
          `${name}: ${formatMib(mib)} is not a whole number of ${formatMib(allocation.pageSizeMib)} pages; pages are handed out whole, so ask for ${formatMib(Math.ceil(mib / allocation.pageSizeMib) * allocation.pageSizeMib)}`,
        );
      }
    }
  }

  private lintHugepageMount(container: ContainerView, resourceNames: string[]) {
    const volumes = readHugepageVolumes(this.template);
    const mounted = container.mounts.flatMap((mount) => {
      const volume = volumes.find((v) => v.name === mount.name);
      return volume ? [{ mount, volume }] : [];
    });
    if (mounted.length === 0) {
      const medium =
        resourceNames.length === 1
          ? `HugePages-${resourceNames[0]?.slice('hugepages-'.length)}`
          : 'HugePages';
      this.add(
        WorkloadRule.HugepagesVolumeMissing,
        'Error',
        `${container.path}.volumeMounts`,
        undefined,
        `container ${container.name} requests hugepages but mounts no HugePages volume, so nitro-cli cannot map enclave memory; add a volume with emptyDir.medium: ${medium} and mount it at ${HUGEPAGES_MOUNT_PATH}`,
      );
      return;
    }
    if (!mounted.some(({ mount }) => mount.mountPath === HUGEPAGES_MOUNT_PATH)) {
      const first = mounted[0];
      this.add(
        WorkloadRule.HugepagesMountPath,
        'Warning',
        `${container.path}.volumeMounts[name=${first?.mount.name}].mountPath`,
        first?.mount.mountPath,
        `container ${container.name} mounts its hugepages volume at ${first?.mount.mountPath}; nitro-cli and the enclave samples expect ${HUGEPAGES_MOUNT_PATH}: set mountPath: ${HUGEPAGES_MOUNT_PATH}`,
      );
    }
  }

  private lintHugepageVolumes() {
    const volumes = readHugepageVolumes(this.template);
    const requestedSizes = new Set<number>();
    for (const container of this.containers) {
      for (const name of Object.keys(container.limits)) {
        const size = isHugepageName(name) ? pageSizeOfResource(name) : undefined;
        if (size !== undefined) requestedSizes.add(size);
      }
    }
    volumes.forEach((volume) => {
      const path = `${this.template.specPath}.volumes[name=${volume.name}].emptyDir.medium`;
      if (volume.pageSizeMib === undefined) {
        if (/^HugePages$/i.test(volume.medium) && requestedSizes.size > 1) {
          this.add(
            WorkloadRule.HugepagesVolumeMediumMismatch,
            'Error',
            path,
            volume.medium,
            `medium ${volume.medium} does not say which page size to use and the pod requests ${requestedSizes.size} sizes, which Kubernetes rejects; use one volume per size with medium HugePages-<size>`,
          );
        } else if (!/^HugePages$/i.test(volume.medium)) {
          this.add(
            WorkloadRule.HugepagesVolumeMediumMismatch,
            'Error',
            path,
            volume.medium,
            `medium ${volume.medium} is not a hugepages medium Kubernetes knows; write HugePages-${[...requestedSizes].map(formatMib)[0] ?? '2Mi'}`,
          );
        }
        return;
      }
      if (requestedSizes.size > 0 && !requestedSizes.has(volume.pageSizeMib)) {
        const requested = [...requestedSizes].map((s) => `hugepages-${formatMib(s)}`).join(', ');
        this.add(
          WorkloadRule.HugepagesVolumeMediumMismatch,
          'Error',
          path,
          volume.medium,
          `volume ${volume.name} uses ${volume.medium} but the pod requests ${requested}, so the kubelet cannot back it; set medium: HugePages-${formatMib([...requestedSizes][0] ?? 2)}`,
        );
      }
    });
  }

  /**
   * Enclave sizes come from nitro_enclaves_cpus requests, the pod's enclave-pools annotations, or
   * `nitro-cli run-enclave --cpu-count/--memory` in a container command; whichever the pod states.
   */
  private lintEnclaveSizes(
    slots: number,
    resourceCpus: number,
    hugepagesMib: Record<string, number>,
  ): number | undefined {
    const annotations = this.template.podAnnotations;
    const annotationValue = (key: string): number | undefined => {
      const raw = annotations[key];
      if (raw === undefined) return undefined;
      const value = Number(raw);
      if (Number.isInteger(value) && value > 0) return value;
      this.add(
        WorkloadRule.EnclaveAnnotationInvalid,
        'Error',
        `${podMetadataPath(this.template.specPath)}.annotations.${key}`,
        raw,
        `annotation ${key} is "${raw}"; write the enclave's size as a positive whole number (what you pass to nitro-cli run-enclave), e.g. "2"`,
      );
      return undefined;
    };
    const cpusEach = annotationValue(ENCLAVE_CPU_ANNOTATION);
    const memoryEach = annotationValue(ENCLAVE_MEMORY_ANNOTATION);
    const fromCommands = this.containers.flatMap((c) => enclavesInCommand(c.commandLine));
    const perEnclave =
      fromCommands.length > 0
        ? fromCommands.map((e) => ({ cpus: e.cpus ?? cpusEach, memoryMib: e.memoryMib ?? memoryEach }))
        : Array.from(
            { length: Math.max(slots, cpusEach !== undefined || memoryEach !== undefined ? 1 : 0) },
            () => ({
              cpus: cpusEach,
              memoryMib: memoryEach,
            }),
          );
    const declared = perEnclave.filter((e) => e.cpus !== undefined).map((e) => e.cpus ?? 0);
    const declaredCpus = declared.length > 0 ? declared.reduce((a, b) => a + b, 0) : undefined;
    const where = `${this.template.specPath}.containers[*]`;
    const tpc = this.pool.threadsPerCore;

    for (const cpus of declared) {
      if (cpus % tpc !== 0) {
        this.add(
          WorkloadRule.EnclaveCpusNotFullCores,
          'Error',
          where,
          cpus,
          `an enclave of ${cpus} CPUs uses part of a core; ${this.pool.instanceType} has ${tpc} threads per core and the driver only starts enclaves on full cores (NE_ERR_FULL_CORES_NOT_USED): use a multiple of ${tpc}`,
        );
      }
    }
    if (resourceCpus > 0 && declaredCpus !== undefined && resourceCpus !== declaredCpus) {
      this.add(
        WorkloadRule.EnclaveCpuDeclarationMismatch,
        'Warning',
        `${where}.resources.limits.${ENCLAVE_CPU_RESOURCE}`,
        resourceCpus,
        `the pod reserves ${resourceCpus} enclave CPUs through ${ENCLAVE_CPU_RESOURCE} but its enclaves use ${declaredCpus}; make them equal so the scheduler's accounting matches what nitro-cli takes`,
      );
    }
    const totalCpus = resourceCpus > 0 ? resourceCpus : declaredCpus;
    if (resourceCpus > 0 && resourceCpus % tpc !== 0 && declaredCpus === undefined) {
      this.add(
        WorkloadRule.EnclaveCpusNotFullCores,
        'Error',
        `${where}.resources.limits.${ENCLAVE_CPU_RESOURCE}`,
        resourceCpus,
        `${resourceCpus} enclave CPUs is not a whole number of cores on ${this.pool.instanceType} (${tpc} threads per core); use a multiple of ${tpc}`,
      );
    }
    const poolCpus = this.pool.enclaveCpus;
    if (totalCpus !== undefined && poolCpus !== undefined && totalCpus > poolCpus) {
      this.add(
        WorkloadRule.EnclaveCpusExceedPool,
        'Error',
        where,
        totalCpus,
        `the pod's enclaves need ${totalCpus} CPUs but pool ${this.pool.poolName} takes cpu_count ${poolCpus} offline for enclaves, so nitro-cli fails with E22 (insufficient CPUs in the pool); use at most ${poolCpus}, or raise cpu_count in the pool's NodeadmConfig`,
      );
    }

    const memories = perEnclave.filter((e) => e.memoryMib !== undefined).map((e) => e.memoryMib ?? 0);
    for (const memory of memories) {
      if (memory < MIN_ENCLAVE_MEMORY_MIB) {
        this.add(
          WorkloadRule.EnclaveMemoryBelowMinimum,
          'Error',
          where,
          memory,
          `an enclave of ${memory} MiB is below the driver's minimum of ${MIN_ENCLAVE_MEMORY_MIB} MiB; give it at least ${MIN_ENCLAVE_MEMORY_MIB} MiB (and at least 4 × the EIF size)`,
        );
      }
    }
    const totalMemory = memories.reduce((a, b) => a + b, 0);
    const podHugepages = Object.values(hugepagesMib).reduce((a, b) => a + b, 0);
    if (memories.length > 0 && podHugepages > 0 && totalMemory > podHugepages) {
      this.add(
        WorkloadRule.EnclaveMemoryExceedsHugepages,
        'Error',
        where,
        totalMemory,
        `the pod's enclaves need ${totalMemory} MiB but it requests only ${formatMib(podHugepages)} of hugepages, so nitro-cli fails with E27 (insufficient memory); request at least ${formatMib(totalMemory)} of hugepages`,
      );
    }
    return totalCpus;
  }

  private lintPlacement() {
    const spec = this.template.podSpec;
    const selector = objectAt(spec, 'nodeSelector');
    if (selector) {
      const entries = Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)]));
      for (const result of matchNodeSelector(entries, this.pool)) {
        if (result.match !== Match.No) continue;
        const key = result.text.split('=')[0] ?? '';
        const actual = this.pool.labels[key];
        this.add(
          WorkloadRule.NodeSelectorMismatch,
          'Error',
          `${this.template.specPath}.nodeSelector.${key}`,
          entries[key],
          `nodeSelector ${result.text} matches no node of pool ${this.pool.poolName} (${actual === undefined ? `its nodes have no label ${key}` : `its nodes have ${key}=${actual}`}); select on ${this.poolLabelHint()}`,
        );
      }
    }
    const nodeAffinity = objectAt(spec, 'affinity', 'nodeAffinity');
    const required = objectAt(nodeAffinity, 'requiredDuringSchedulingIgnoredDuringExecution');
    const terms = Array.isArray(required?.nodeSelectorTerms) ? required.nodeSelectorTerms : undefined;
    if (terms) {
      const result = matchNodeSelectorTerms(terms, this.pool);
      if (result.match === Match.No) {
        this.add(
          WorkloadRule.NodeAffinityMismatch,
          'Error',
          `${this.template.specPath}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`,
          result.failed,
          `no required node affinity term matches pool ${this.pool.poolName}'s nodes (failing: ${result.failed.join('; ')}); match on ${this.poolLabelHint()}`,
        );
      }
    }
    const preferred = Array.isArray(nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
      ? nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.filter(isObject)
      : [];
    if (preferred.length > 0) {
      const result = matchNodeSelectorTerms(
        preferred.map((p) => p.preference),
        this.pool,
      );
      if (result.match === Match.No) {
        this.add(
          WorkloadRule.PreferredNodeAffinityMismatch,
          'Warning',
          `${this.template.specPath}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`,
          result.failed,
          `no preferred node affinity term matches pool ${this.pool.poolName}'s nodes (failing: ${result.failed.join('; ')}), so the preference never helps; prefer ${this.poolLabelHint()}`,
        );
      }
    }
    this.lintTolerations();
  }

  private poolLabelHint(): string {
    const own = Object.keys(this.pool.labels).filter(
      (key) => !key.includes('kubernetes.io/') && !key.startsWith('eks.amazonaws.com/'),
    );
    const key = own[0] ?? 'eks.amazonaws.com/nodegroup';
    return `${key}=${this.pool.labels[key] ?? this.pool.nodegroupName}`;
  }

  private lintTolerations() {
    const tolerations = readTolerations(this.template.podSpec.tolerations);
    for (const taint of this.pool.taints) {
      if (tolerations.some((t) => tolerates(t, taint))) continue;
      const effect = KUBERNETES_TAINT_EFFECT[taint.effect];
      const hard = effect !== 'PreferNoSchedule';
      this.add(
        WorkloadRule.TaintNotTolerated,
        hard ? 'Error' : 'Warning',
        `${this.template.specPath}.tolerations`,
        formatTaint(taint),
        `pool ${this.pool.poolName}'s nodes carry the taint ${formatTaint(taint)} and the pod does not tolerate it, so it ${hard ? 'never schedules there' : 'is scheduled there only as a last resort'}; add a toleration {key: ${taint.key}, operator: ${taint.value ? 'Equal' : 'Exists'}${taint.value ? `, value: ${taint.value}` : ''}, effect: ${effect}}`,
      );
    }
    const everything = tolerations.findIndex(toleratesEverything);
    if (everything >= 0) {
      this.add(
        WorkloadRule.ToleratesAllTaints,
        'Warning',
        `${this.template.specPath}.tolerations[${everything}]`,
        tolerations[everything],
        `the pod tolerates every taint, including the cordon EKS puts on old nodes during a roll, so it can land back on them and the update fails with PodEvictionFailure after 15 minutes; tolerate the pool's taints by key instead`,
      );
    }
  }
}

interface CapacityDimension {
  name: string;
  perNode: number;
  pick: (usage: PodEnclaveUsage) => number;
  format: (amount: number) => string;
}

/**
 * Whether all the enclave workloads in the file fit the pool at its largest size at once. Pods are
 * packed per workload (copies of one workload per node), a lower bound on the nodes needed; pods
 * that do not fit one node at all are already reported on their own and left out here.
 */
function capacityFindings(usage: PodEnclaveUsage[], pool: PoolWorkloadProfile): WorkloadFinding[] {
  const dimensions: CapacityDimension[] = [];
  if (pool.maxEnclavesPerNode !== undefined) {
    dimensions.push({
      name: 'enclaves',
      perNode: pool.maxEnclavesPerNode,
      pick: (u) => u.enclaveSlots,
      format: String,
    });
  }
  if (pool.enclaveCpus !== undefined) {
    dimensions.push({
      name: 'enclave CPUs',
      perNode: pool.enclaveCpus,
      pick: (u) => u.enclaveCpus ?? 0,
      format: String,
    });
  }
  for (const allocation of pool.hugepages?.allocations ?? []) {
    dimensions.push({
      name: allocation.resourceName,
      perNode: allocation.totalMib,
      pick: (u) => u.hugepagesMib[allocation.resourceName] ?? 0,
      format: formatMib,
    });
  }
  const perNodeLeft = new Map(
    dimensions.map((d) => [
      d,
      d.perNode - usage.filter((u) => u.replicas === 'perNode').reduce((sum, u) => sum + d.pick(u), 0),
    ]),
  );
  let nodesNeeded = 0;
  const packing: string[] = [];
  for (const workload of usage) {
    if (workload.replicas === 'perNode' || workload.replicas === 0) continue;
    const used = dimensions.filter((d) => d.pick(workload) > 0);
    if (used.length === 0 || used.some((d) => d.pick(workload) > d.perNode)) continue;
    const perNode = Math.min(
      ...used.map((d) => Math.floor(Math.max(0, perNodeLeft.get(d) ?? 0) / d.pick(workload))),
    );
    if (perNode === 0) {
      packing.push(`${workload.workload} does not fit next to the DaemonSets`);
      nodesNeeded = Number.POSITIVE_INFINITY;
      continue;
    }
    const nodes = Math.ceil(workload.replicas / perNode);
    nodesNeeded += nodes;
    const limits = used
      .map((d) => `${d.name} ${d.format(d.pick(workload))} of ${d.format(d.perNode)}`)
      .join(', ');
    packing.push(
      `${workload.workload}: ${workload.replicas} × (${limits}) → ${nodes} node${nodes === 1 ? '' : 's'}`,
    );
  }
  if (nodesNeeded <= pool.maxNodes) return [];
  return [
    {
      workload: '(all workloads)',
      document: 0,
      path: `(all workloads): replicas`,
      value: Number.isFinite(nodesNeeded) ? nodesNeeded : 'unschedulable',
      rule: WorkloadRule.PoolCapacityExceeded,
      severity: 'Warning',
      message: `these workloads need ${Number.isFinite(nodesNeeded) ? `at least ${nodesNeeded} nodes` : 'more than the pool offers'} of pool ${pool.poolName} at once (${packing.join('; ')}) but the pool scales to ${pool.maxNodes}; some pods will stay Pending: lower the replicas or raise the pool's maxSize`,
    },
  ];
}

export function lintPodTemplates(templates: PodTemplate[], pool: PoolWorkloadProfile): WorkloadLintResult {
  const result: WorkloadLintResult = { findings: [], usage: [], notEnclaveWorkloads: [] };
  if (!pool.hugepages || pool.enclaveCpus === undefined) {
    result.findings.push({
      workload: `pool/${pool.poolName}`,
      document: 0,
      path: `pool/${pool.poolName}: NodeadmConfig.spec.preNodeadmCommands`,
      value: undefined,
      rule: WorkloadRule.PoolAllocatorUnknown,
      severity: 'Warning',
      message: `pool ${pool.poolName} sets no allocator cpu_count/cpu_pool and memory_mib in its pre-nodeadm commands, so hugepage sizes and enclave sizes were not checked; set them in the pool's NodeadmConfig`,
    });
  }
  for (const template of templates) {
    const linter = new TemplateLinter(template, pool);
    if (!linter.isEnclaveWorkload()) {
      result.notEnclaveWorkloads.push(template.workload);
      continue;
    }
    result.usage.push(linter.lint());
    result.findings.push(...linter.findings);
  }
  result.findings.push(...capacityFindings(result.usage, pool));
  return result;
}
