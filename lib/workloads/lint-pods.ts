import { DEVICE_PLUGIN_LABEL_KEY, EnclaveMode } from '../pool-spec';
import { isHugepageName, isNitroResourceName } from './enclave-resources';
import { lintCapacity } from './lint-capacity';
import { lintContainerResources } from './lint-container-resources';
import { LintContext, readHugepageVolumes } from './lint-context';
import { lintSlots, reportMissingDevice } from './lint-devices';
import { lintEnclaveSizes } from './lint-enclave-sizes';
import { lintHugepageSizes, lintHugepageVolumes } from './lint-hugepages';
import { lintPlacement } from './lint-placement';
import {
  type ClaimAccessModes,
  isSandboxWorkload,
  lintSandboxTemplate,
  lintSharedVolumes,
} from './lint-sandbox';
import { objectAt, type PodTemplate } from './pod-templates';
import type { PoolWorkloadProfile } from './pool-profile';
import { type PodEnclaveUsage, type WorkloadLintResult, WorkloadRule } from './workload-rule';

/**
 * Checks enclave workloads against the pool they target: the allocator ↔ pod consistency rules
 * that otherwise surface as Pending pods or nitro-cli E22/E27 errors after a roll. Each topic's
 * checks live in their own file (lint-devices, lint-hugepages, lint-enclave-sizes, lint-placement,
 * lint-capacity); this file decides which templates are checked and runs the topics in order.
 */

/** Whether anything in the pod says it is meant for an enclave pool. */
function isEnclaveWorkload(context: LintContext): boolean {
  const { template, pool } = context;
  const all = [...context.containers, ...context.initContainers];
  const resourceNames = all.flatMap((c) => [...Object.keys(c.requests), ...Object.keys(c.limits)]);
  if (resourceNames.some((name) => isNitroResourceName(name) || isHugepageName(name))) return true;
  if (readHugepageVolumes(template).length > 0) return true;
  if (Object.keys(template.podAnnotations).some((key) => key.startsWith('enclave-pools.aws/'))) return true;
  if (all.some((c) => c.commandLine.includes('nitro-cli'))) return true;
  const selector = objectAt(template.podSpec, 'nodeSelector') ?? {};
  return Object.keys(selector).some(
    (key) => key === DEVICE_PLUGIN_LABEL_KEY || (key in pool.labels && !key.includes('kubernetes.io/')),
  );
}

/** Runs every topic's checks on one template; init containers are checked but take no enclave of their own. */
function lintTemplate(context: LintContext): PodEnclaveUsage {
  const resources = [...context.containers, ...context.initContainers].map((c) =>
    lintContainerResources(context, c),
  );
  const running = resources.slice(0, context.containers.length);
  const enclaveSlots = running.reduce((sum, r) => sum + r.slots, 0);
  const hugepagesMib: Record<string, number> = {};
  for (const container of running) {
    for (const [name, mib] of Object.entries(container.hugepagesMib))
      hugepagesMib[name] = (hugepagesMib[name] ?? 0) + mib;
  }
  const resourceCpus = running.reduce((sum, r) => sum + r.cpus, 0);

  if (enclaveSlots === 0) reportMissingDevice(context);
  lintSlots(context, enclaveSlots);
  lintHugepageSizes(context, hugepagesMib, enclaveSlots);
  lintHugepageVolumes(context);
  const enclaveCpus = lintEnclaveSizes(context, enclaveSlots, resourceCpus, hugepagesMib);
  lintPlacement(context);
  return {
    workload: context.template.workload,
    replicas: context.template.replicas,
    enclaveSlots,
    ...(enclaveCpus === undefined ? {} : { enclaveCpus }),
    hugepagesMib,
  };
}

/** On a nitro-sandbox pool the pods are the enclaves: no device, hugepage or size checks (lint-sandbox.ts). */
function lintSandboxTemplates(
  templates: PodTemplate[],
  pool: PoolWorkloadProfile,
  claims: ClaimAccessModes,
): WorkloadLintResult {
  const result: WorkloadLintResult = { findings: [], usage: [], notEnclaveWorkloads: [] };
  const contexts: LintContext[] = [];
  for (const template of templates) {
    const context = new LintContext(template, pool);
    if (!isSandboxWorkload(context)) {
      result.notEnclaveWorkloads.push(template.workload);
      continue;
    }
    lintSandboxTemplate(context);
    contexts.push(context);
    result.usage.push({
      workload: template.workload,
      replicas: template.replicas,
      enclaveSlots: 0,
      hugepagesMib: {},
    });
  }
  lintSharedVolumes(contexts, claims);
  result.findings.push(...contexts.flatMap((c) => c.findings));
  return result;
}

export function lintPodTemplates(
  templates: PodTemplate[],
  pool: PoolWorkloadProfile,
  options: { claims?: ClaimAccessModes } = {},
): WorkloadLintResult {
  if (pool.enclaveMode === EnclaveMode.NitroSandbox)
    return lintSandboxTemplates(templates, pool, options.claims ?? {});
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
    const context = new LintContext(template, pool);
    if (!isEnclaveWorkload(context)) {
      result.notEnclaveWorkloads.push(template.workload);
      continue;
    }
    result.usage.push(lintTemplate(context));
    result.findings.push(...context.findings);
  }
  result.findings.push(...lintCapacity(result.usage, pool));
  return result;
}
