import { ENCLAVE_CPU_ANNOTATION, ENCLAVE_CPU_RESOURCE, ENCLAVE_MEMORY_ANNOTATION } from './enclave-resources';
import type { LintContext } from './lint-context';
import { MIN_ENCLAVE_MEMORY_MIB } from './pool-profile';
import { formatMib } from './quantity';
import { WorkloadRule } from './workload-rule';

/**
 * Enclave sizes: the CPUs and memory of each enclave the pod starts, against full cores, the
 * pool's allocator and the pod's own hugepages. Sizes come from nitro_enclaves_cpus requests, the
 * pod's enclave-pools annotations, or `nitro-cli run-enclave --cpu-count/--memory` in a container
 * command; whichever the pod states.
 */

interface EnclaveSize {
  cpus: number | undefined;
  memoryMib: number | undefined;
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

/** `spec.template.spec` → `spec.template.metadata`; a bare Pod's `spec` → `metadata`. */
function podMetadataPath(specPath: string): string {
  const parent = specPath.split('.').slice(0, -1);
  return [...parent, 'metadata'].join('.');
}

/** A positive whole number from the pod's annotation, or undefined (reported when it is set but bad). */
function annotationSize(context: LintContext, key: string): number | undefined {
  const raw = context.template.podAnnotations[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  context.add(
    WorkloadRule.EnclaveAnnotationInvalid,
    'Error',
    `${podMetadataPath(context.template.specPath)}.annotations.${key}`,
    raw,
    `annotation ${key} is "${raw}"; write the enclave's size as a positive whole number (what you pass to nitro-cli run-enclave), e.g. "2"`,
  );
  return undefined;
}

/**
 * One entry per enclave: those the commands start (an annotation fills what a command leaves
 * out), else one per enclave slot (at least one when an annotation gives a size).
 */
function declaredEnclaves(context: LintContext, slots: number): EnclaveSize[] {
  const cpusEach = annotationSize(context, ENCLAVE_CPU_ANNOTATION);
  const memoryEach = annotationSize(context, ENCLAVE_MEMORY_ANNOTATION);
  const fromCommands = context.containers.flatMap((c) => enclavesInCommand(c.commandLine));
  if (fromCommands.length > 0)
    return fromCommands.map((e) => ({ cpus: e.cpus ?? cpusEach, memoryMib: e.memoryMib ?? memoryEach }));
  const count = Math.max(slots, cpusEach !== undefined || memoryEach !== undefined ? 1 : 0);
  return Array.from({ length: count }, () => ({ cpus: cpusEach, memoryMib: memoryEach }));
}

/** Checks the enclaves' CPUs; returns the pod's enclave CPUs (reserved, else declared), if any. */
function lintEnclaveCpus(
  context: LintContext,
  enclaves: EnclaveSize[],
  resourceCpus: number,
): number | undefined {
  const { pool } = context;
  const declared = enclaves.filter((e) => e.cpus !== undefined).map((e) => e.cpus ?? 0);
  const declaredCpus = declared.length > 0 ? declared.reduce((a, b) => a + b, 0) : undefined;
  const where = `${context.template.specPath}.containers[*]`;
  const tpc = pool.threadsPerCore;
  for (const cpus of declared) {
    if (cpus % tpc !== 0) {
      context.add(
        WorkloadRule.EnclaveCpusNotFullCores,
        'Error',
        where,
        cpus,
        `an enclave of ${cpus} CPUs uses part of a core; ${pool.instanceType} has ${tpc} threads per core and the driver only starts enclaves on full cores (NE_ERR_FULL_CORES_NOT_USED): use a multiple of ${tpc}`,
      );
    }
  }
  if (resourceCpus > 0 && declaredCpus !== undefined && resourceCpus !== declaredCpus) {
    context.add(
      WorkloadRule.EnclaveCpuDeclarationMismatch,
      'Warning',
      `${where}.resources.limits.${ENCLAVE_CPU_RESOURCE}`,
      resourceCpus,
      `the pod reserves ${resourceCpus} enclave CPUs through ${ENCLAVE_CPU_RESOURCE} but its enclaves use ${declaredCpus}; make them equal so the scheduler's accounting matches what nitro-cli takes`,
    );
  }
  const totalCpus = resourceCpus > 0 ? resourceCpus : declaredCpus;
  if (resourceCpus > 0 && resourceCpus % tpc !== 0 && declaredCpus === undefined) {
    context.add(
      WorkloadRule.EnclaveCpusNotFullCores,
      'Error',
      `${where}.resources.limits.${ENCLAVE_CPU_RESOURCE}`,
      resourceCpus,
      `${resourceCpus} enclave CPUs is not a whole number of cores on ${pool.instanceType} (${tpc} threads per core); use a multiple of ${tpc}`,
    );
  }
  const poolCpus = pool.enclaveCpus;
  if (totalCpus !== undefined && poolCpus !== undefined && totalCpus > poolCpus) {
    context.add(
      WorkloadRule.EnclaveCpusExceedPool,
      'Error',
      where,
      totalCpus,
      `the pod's enclaves need ${totalCpus} CPUs but pool ${pool.poolName} takes cpu_count ${poolCpus} offline for enclaves, so nitro-cli fails with E22 (insufficient CPUs in the pool); use at most ${poolCpus}, or raise cpu_count in the pool's NodeadmConfig`,
    );
  }
  return totalCpus;
}

function lintEnclaveMemory(
  context: LintContext,
  enclaves: EnclaveSize[],
  hugepagesMib: Record<string, number>,
) {
  const where = `${context.template.specPath}.containers[*]`;
  const memories = enclaves.filter((e) => e.memoryMib !== undefined).map((e) => e.memoryMib ?? 0);
  for (const memory of memories) {
    if (memory < MIN_ENCLAVE_MEMORY_MIB) {
      context.add(
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
    context.add(
      WorkloadRule.EnclaveMemoryExceedsHugepages,
      'Error',
      where,
      totalMemory,
      `the pod's enclaves need ${totalMemory} MiB but it requests only ${formatMib(podHugepages)} of hugepages, so nitro-cli fails with E27 (insufficient memory); request at least ${formatMib(totalMemory)} of hugepages`,
    );
  }
}

/** Returns the pod's enclave CPUs for the capacity check (undefined when the pod states none). */
export function lintEnclaveSizes(
  context: LintContext,
  slots: number,
  resourceCpus: number,
  hugepagesMib: Record<string, number>,
): number | undefined {
  const enclaves = declaredEnclaves(context, slots);
  const totalCpus = lintEnclaveCpus(context, enclaves, resourceCpus);
  lintEnclaveMemory(context, enclaves, hugepagesMib);
  return totalCpus;
}
