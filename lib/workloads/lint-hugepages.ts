import { HUGEPAGES_MOUNT_PATH, isHugepageName } from './enclave-resources';
import { describeHugepagePlan, pageSizeOfResource } from './hugepage-plan';
import { type ContainerView, type LintContext, readHugepageVolumes } from './lint-context';
import { formatMib } from './quantity';
import { WorkloadRule } from './workload-rule';

/** Hugepages: resource names, the sizes the pool reserves, the HugePages volume and its mount. */

const CPU_OR_MEMORY = ['cpu', 'memory'];

/** False (and reported) for a hugepages- name no node can advertise. */
export function checkHugepageResourceName(
  context: LintContext,
  container: ContainerView,
  name: string,
): boolean {
  if (pageSizeOfResource(name) !== undefined) return true;
  const example = context.pool.hugepages?.allocations[0]?.resourceName ?? 'hugepages-2Mi';
  context.add(
    WorkloadRule.HugepageResourceNameInvalid,
    'Error',
    `${container.path}.resources.limits.${name}`,
    name,
    `container ${container.name} asks for ${name}, which is not a hugepages resource a node can advertise; spell it hugepages-<size> with a binary unit, e.g. ${example}`,
  );
  return false;
}

/** A container that requests hugepages also needs cpu or memory, and a HugePages volume mounted. */
export function lintHugepageContainer(
  context: LintContext,
  container: ContainerView,
  resourceNames: string[],
) {
  const hasCpuOrMemory = CPU_OR_MEMORY.some((r) => r in container.requests || r in container.limits);
  if (!hasCpuOrMemory) {
    context.add(
      WorkloadRule.HugepagesWithoutCpuOrMemory,
      'Error',
      `${container.path}.resources`,
      undefined,
      `container ${container.name} requests hugepages but no cpu or memory, which Kubernetes rejects ("HugePages require cpu or memory"); add e.g. limits.cpu: 250m for the nitro-cli process`,
    );
  }
  lintHugepageMount(context, container, resourceNames);
}

function lintHugepageMount(context: LintContext, container: ContainerView, resourceNames: string[]) {
  const volumes = readHugepageVolumes(context.template);
  const mounted = container.mounts.flatMap((mount) => {
    const volume = volumes.find((v) => v.name === mount.name);
    return volume ? [{ mount, volume }] : [];
  });
  if (mounted.length === 0) {
    const medium =
      resourceNames.length === 1 ? `HugePages-${resourceNames[0]?.slice('hugepages-'.length)}` : 'HugePages';
    context.add(
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
    context.add(
      WorkloadRule.HugepagesMountPath,
      'Warning',
      `${container.path}.volumeMounts[name=${first?.mount.name}].mountPath`,
      first?.mount.mountPath,
      `container ${container.name} mounts its hugepages volume at ${first?.mount.mountPath}; nitro-cli and the enclave samples expect ${HUGEPAGES_MOUNT_PATH}: set mountPath: ${HUGEPAGES_MOUNT_PATH}`,
    );
  }
}

/** The pod's hugepages against what a node of the pool reserves (size by size). */
export function lintHugepageSizes(context: LintContext, hugepagesMib: Record<string, number>, slots: number) {
  const { pool } = context;
  const plan = pool.hugepages;
  const path = `${context.template.specPath}.containers[*].resources.limits`;
  if (Object.keys(hugepagesMib).length === 0) {
    if (slots > 0) {
      const suggestion = plan?.allocations[0];
      context.add(
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
      context.add(
        WorkloadRule.HugepageSizeMismatch,
        'Error',
        `${path}.${name}`,
        name,
        `the pod asks for ${name} but pool ${pool.poolName} reserves memory_mib ${plan.requestedMib} as ${describeHugepagePlan(plan)} on ${plan.architecture}, so nodes advertise no ${name} and the pod stays Pending; ask for ${expected} instead, or change memory_mib`,
      );
      continue;
    }
    if (mib > allocation.totalMib) {
      context.add(
        WorkloadRule.HugepagesExceedReservation,
        'Error',
        `${path}.${name}`,
        formatMib(mib),
        `the pod asks for ${name}: ${formatMib(mib)} but a node of pool ${pool.poolName} has ${formatMib(allocation.totalMib)} (memory_mib ${plan.requestedMib}); ask for at most ${formatMib(allocation.totalMib)}, or raise memory_mib`,
      );
    }
    if (mib % allocation.pageSizeMib !== 0) {
      context.add(
        WorkloadRule.HugepagesNotPageMultiple,
        'Warning',
        `${path}.${name}`,
        formatMib(mib),
        `${name}: ${formatMib(mib)} is not a whole number of ${formatMib(allocation.pageSizeMib)} pages; pages are handed out whole, so ask for ${formatMib(Math.ceil(mib / allocation.pageSizeMib) * allocation.pageSizeMib)}`,
      );
    }
  }
}

/** Each HugePages volume's medium against the page sizes the pod's containers request. */
export function lintHugepageVolumes(context: LintContext) {
  const volumes = readHugepageVolumes(context.template);
  const requestedSizes = new Set<number>();
  for (const container of context.containers) {
    for (const name of Object.keys(container.limits)) {
      const size = isHugepageName(name) ? pageSizeOfResource(name) : undefined;
      if (size !== undefined) requestedSizes.add(size);
    }
  }
  for (const volume of volumes) {
    const path = `${context.template.specPath}.volumes[name=${volume.name}].emptyDir.medium`;
    if (volume.pageSizeMib === undefined) {
      if (/^HugePages$/i.test(volume.medium) && requestedSizes.size > 1) {
        context.add(
          WorkloadRule.HugepagesVolumeMediumMismatch,
          'Error',
          path,
          volume.medium,
          `medium ${volume.medium} does not say which page size to use and the pod requests ${requestedSizes.size} sizes, which Kubernetes rejects; use one volume per size with medium HugePages-<size>`,
        );
      } else if (!/^HugePages$/i.test(volume.medium)) {
        context.add(
          WorkloadRule.HugepagesVolumeMediumMismatch,
          'Error',
          path,
          volume.medium,
          `medium ${volume.medium} is not a hugepages medium Kubernetes knows; write HugePages-${[...requestedSizes].map(formatMib)[0] ?? '2Mi'}`,
        );
      }
      continue;
    }
    if (requestedSizes.size > 0 && !requestedSizes.has(volume.pageSizeMib)) {
      const requested = [...requestedSizes].map((s) => `hugepages-${formatMib(s)}`).join(', ');
      context.add(
        WorkloadRule.HugepagesVolumeMediumMismatch,
        'Error',
        path,
        volume.medium,
        `volume ${volume.name} uses ${volume.medium} but the pod requests ${requested}, so the kubelet cannot back it; set medium: HugePages-${formatMib([...requestedSizes][0] ?? 2)}`,
      );
    }
  }
}
