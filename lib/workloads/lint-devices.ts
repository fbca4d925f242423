import { ENCLAVE_CPU_RESOURCE, ENCLAVE_DEVICE_RESOURCE, isNitroResourceName } from './enclave-resources';
import type { ContainerView, LintContext } from './lint-context';
import { MAX_ENCLAVES_PER_INSTANCE } from './pool-profile';
import { WorkloadRule } from './workload-rule';

/** Enclave devices: the device plugin's resource names, whole device counts, slots per node. */

/** False (and reported) for an aws.ec2.nitro/ name the device plugin does not advertise. */
export function checkNitroResourceName(
  context: LintContext,
  container: ContainerView,
  name: string,
): boolean {
  if (name === ENCLAVE_DEVICE_RESOURCE || name === ENCLAVE_CPU_RESOURCE) return true;
  context.add(
    WorkloadRule.UnknownNitroResource,
    'Error',
    `${container.path}.resources.limits.${name}`,
    name,
    `container ${container.name} asks for ${name}, which the Nitro Enclaves device plugin does not advertise, so the pod stays Pending; use ${ENCLAVE_DEVICE_RESOURCE} (enclave slots) or ${ENCLAVE_CPU_RESOURCE} (enclave CPUs)`,
  );
  return false;
}

/** False (and reported) unless the amount is a whole number of devices. */
export function checkDeviceCount(
  context: LintContext,
  container: ContainerView,
  name: string,
  amount: number,
): boolean {
  if (Number.isInteger(amount) && amount >= 0) return true;
  context.add(
    WorkloadRule.EnclaveDeviceCountInvalid,
    'Error',
    `${container.path}.resources.limits.${name}`,
    amount,
    `container ${container.name} asks for ${String(container.limits[name] ?? container.requests[name])} of ${name}; device-plugin resources come in whole devices: write a whole number such as "1"`,
  );
  return false;
}

export function reportMissingDevice(context: LintContext): void {
  const typo = context.containers.flatMap((c) => Object.keys(c.limits)).find(isNitroResourceName);
  context.add(
    WorkloadRule.EnclaveDeviceMissing,
    'Error',
    `${context.template.specPath}.containers[*].resources.limits`,
    undefined,
    `no container requests ${ENCLAVE_DEVICE_RESOURCE}${typo ? ` (found ${typo})` : ''}, so the pod gets no /dev/nitro_enclaves and nitro-cli cannot start an enclave; add ${ENCLAVE_DEVICE_RESOURCE}: "1" to the requests and limits of the container that runs nitro-cli`,
  );
}

export function lintSlots(context: LintContext, slots: number): void {
  const { pool } = context;
  const path = `${context.template.specPath}.containers[*].resources.limits.${ENCLAVE_DEVICE_RESOURCE}`;
  if (slots > MAX_ENCLAVES_PER_INSTANCE) {
    context.add(
      WorkloadRule.EnclaveSlotsOverLimit,
      'Error',
      path,
      slots,
      `the pod asks for ${slots} enclave devices; an instance runs at most ${MAX_ENCLAVES_PER_INSTANCE} enclaves and the device plugin advertises at most ${MAX_ENCLAVES_PER_INSTANCE}, so it never schedules; ask for ${MAX_ENCLAVES_PER_INSTANCE} or fewer`,
    );
    return;
  }
  const max = pool.maxEnclavesPerNode;
  if (max !== undefined && slots > max) {
    context.add(
      WorkloadRule.EnclaveCountExceedsPool,
      'Error',
      path,
      slots,
      `the pod asks for ${slots} enclaves but pool ${pool.poolName}'s allocator (${describeAllocator(context)}) can run ${max} at once on a node; ask for ${max}, or raise cpu_count/memory_mib in the pool's NodeadmConfig`,
    );
  }
}

function describeAllocator({ pool }: LintContext): string {
  const parts: string[] = [];
  if (pool.enclaveCpus !== undefined) parts.push(`cpu_count ${pool.enclaveCpus}`);
  if (pool.memoryMib !== undefined) parts.push(`memory_mib ${pool.memoryMib}`);
  return parts.join(', ') || 'not set';
}
