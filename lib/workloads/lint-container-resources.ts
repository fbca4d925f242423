import { ENCLAVE_DEVICE_RESOURCE, isHugepageName, isNitroResourceName } from './enclave-resources';
import type { ContainerView, LintContext } from './lint-context';
import { checkDeviceCount, checkNitroResourceName } from './lint-devices';
import { checkHugepageResourceName, lintHugepageContainer } from './lint-hugepages';
import { bytesToMib, parseQuantity } from './quantity';
import { WorkloadRule } from './workload-rule';

/** What one container takes, from its enclave-device and hugepages requests and limits. */
export interface ContainerResources {
  slots: number;
  cpus: number;
  hugepagesMib: Record<string, number>;
}

/**
 * Reads one container's aws.ec2.nitro/ and hugepages- resources, checking each as it goes
 * (name, quantity, request = limit, whole devices); the rest of its resources are not ours.
 */
export function lintContainerResources(context: LintContext, container: ContainerView): ContainerResources {
  const names = new Set([...Object.keys(container.requests), ...Object.keys(container.limits)]);
  const result: ContainerResources = { slots: 0, cpus: 0, hugepagesMib: {} };
  for (const name of names) {
    const nitro = isNitroResourceName(name);
    if (!nitro && !isHugepageName(name)) continue;
    if (nitro && !checkNitroResourceName(context, container, name)) continue;
    const amount = lintRequestEqualsLimit(context, container, name, nitro);
    if (amount === undefined) continue;
    if (nitro) {
      if (!checkDeviceCount(context, container, name, amount)) continue;
      if (name === ENCLAVE_DEVICE_RESOURCE) result.slots += amount;
      else result.cpus += amount;
      continue;
    }
    if (!checkHugepageResourceName(context, container, name)) continue;
    result.hugepagesMib[name] = (result.hugepagesMib[name] ?? 0) + bytesToMib(amount);
  }
  const hugepageNames = Object.keys(result.hugepagesMib);
  if (hugepageNames.length > 0) lintHugepageContainer(context, container, hugepageNames);
  return result;
}

/** Kubernetes needs a limit for extended resources and hugepages, and a request equal to it. */
function lintRequestEqualsLimit(
  context: LintContext,
  container: ContainerView,
  name: string,
  nitro: boolean,
): number | undefined {
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
    context.add(
      nitro ? WorkloadRule.EnclaveDeviceCountInvalid : WorkloadRule.HugepageResourceNameInvalid,
      'Error',
      `${path}.${rawLimit !== undefined && limit === undefined ? 'limits' : 'requests'}.${name}`,
      rawLimit ?? rawRequest,
      `container ${container.name}: ${name} is not a Kubernetes quantity; write e.g. ${nitro ? '"1"' : '768Mi'}`,
    );
    return undefined;
  }
  if (limit === undefined) {
    context.add(
      rule,
      'Error',
      `${path}.limits.${name}`,
      undefined,
      `container ${container.name} requests ${name}: ${String(rawRequest)} without a limit; Kubernetes requires limits for ${nitro ? 'extended resources' : 'hugepages'}: set limits.${name}: ${String(rawRequest)}`,
    );
    return request;
  }
  if (request !== undefined && request !== limit) {
    context.add(
      rule,
      'Error',
      `${path}.requests.${name}`,
      rawRequest,
      `container ${container.name}: requests.${name} (${String(rawRequest)}) differs from limits.${name} (${String(rawLimit)}); Kubernetes requires them equal: set both to ${String(rawLimit)}`,
    );
  }
  return limit;
}
