import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors';
import { EnclaveMode } from '../../pool-spec';
import { ENCLAVE_CPU_ANNOTATION, ENCLAVE_MEMORY_ANNOTATION } from '../../workloads/enclave-resources';
import { describeHugepagePlan } from '../../workloads/hugepage-plan';
import { lintPodTemplates } from '../../workloads/lint-pods';
import { extractPodTemplates } from '../../workloads/pod-templates';
import type { PoolWorkloadProfile } from '../../workloads/pool-profile';
import type { WorkloadFinding } from '../../workloads/workload-rule';
import type { CliContext } from '../cli-command';
import {
  defineCommand,
  parseReportOutput,
  parseVariableOverrides,
  styleFor,
  unreadableFile,
} from '../command-runtime';
import type { Styler } from '../terminal';
import { writeHumanReport } from '../violation-report';
import { resolveWorkloadPool } from '../workload-pool';

/**
 * `enclave-pools lint-pods -f WORKLOAD.yaml... (--pool NAME | --pool-file SPEC.yaml)`
 * Checks enclave workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)
 * against what the pool's allocator reserves. Exit 0 when no error (warnings allowed unless
 * --strict), 1 when any, 2 on usage errors.
 */

const USAGE =
  '-f WORKLOAD.yaml... (--pool NAME | --pool-file SPEC.yaml) [--var NAME=VALUE]... [-o human|json] [--strict]';

const HELP = `Checks every pod template in the files against the pool:
  - the hugepages resource names and sizes match the pages the allocator reserves for memory_mib
    (x86_64: 2 MiB pages below 1024, 1 GiB pages for multiples of 1024, both otherwise; arm64 also 32 MiB);
  - the amount fits one node, requests equal limits, cpu or memory is requested alongside;
  - aws.ec2.nitro/nitro_enclaves is requested (whole numbers, at most 4, at most what the pool runs at once);
  - enclave CPUs fit cpu_count in full cores; enclave memory fits the pod's hugepages;
  - the nodeSelector / required node affinity can match the pool's node labels;
  - the pool's taints are tolerated (and not by a tolerate-everything toleration);
  - a HugePages emptyDir volume is mounted at /dev/hugepages.
Enclave sizes are read from aws.ec2.nitro/nitro_enclaves_cpus, from "nitro-cli run-enclave --cpu-count N
--memory M" in a container's command or args, or from the pod annotations
  ${ENCLAVE_CPU_ANNOTATION}: "<CPUs per enclave>"
  ${ENCLAVE_MEMORY_ANNOTATION}: "<MiB per enclave>"
Pod templates with nothing enclave-related (no nitro resource, hugepages, annotation or pool selector)
are listed and skipped.

Options:
  -f, --filename FILE   workload manifests (multi-document YAML); repeat for more files; - reads stdin
  --pool NAME           a pool whose spec is in the deployment's S3 or DynamoDB store
  --pool-file FILE      a pool spec file (offline; architecture guessed from the instance type)
  --var NAME=VALUE      value for a \${NAME} placeholder in the pool spec (else the environment)
  -o, --output FORMAT   human (default) or json
  --strict              exit 1 on warnings too

Example:
  enclave-pools lint-pods -f deploy/signer.yaml --pool-file pools/my-node-pool.yaml`;

function describePool(pool: PoolWorkloadProfile): string {
  const hardware = `${pool.instanceType} (${pool.architecture}, ${pool.threadsPerCore} thread${pool.threadsPerCore === 1 ? '' : 's'} per core${pool.hardwareSource === 'live' ? '' : ', guessed from the type name'})`;
  if (pool.enclaveMode === EnclaveMode.NitroSandbox)
    return `pool ${pool.poolName}: ${hardware}, enclave-mode nitro-sandbox (pods run in Nitro Sandboxes), ${pool.maxNodes} node${pool.maxNodes === 1 ? '' : 's'} at most`;
  if (!pool.hugepages || pool.enclaveCpus === undefined)
    return `pool ${pool.poolName}: ${hardware}, no allocator sizes`;
  return `pool ${pool.poolName}: ${hardware}, cpu_count ${pool.enclaveCpus}, memory_mib ${pool.memoryMib} → ${describeHugepagePlan(pool.hugepages)}, at most ${pool.maxEnclavesPerNode} enclave${pool.maxEnclavesPerNode === 1 ? '' : 's'} per node, ${pool.maxNodes} node${pool.maxNodes === 1 ? '' : 's'} at most`;
}

interface FileResult {
  file: string;
  findings: WorkloadFinding[];
  checked: string[];
  skipped: string[];
  errors: string[];
}

function writeFinding(out: CliContext['io']['stdout'], finding: WorkloadFinding, style: Styler): void {
  const severity = finding.severity === 'Error' ? style.red('ERROR') : style.yellow('WARNING');
  out.write(`${severity} ${style.bold(finding.rule)} ${finding.path}: ${finding.message}\n`);
}

/** `-f -`: the manifests on standard input (e.g. piped from `enclave-pools manifests pod`). */
async function readStdin(context: CliContext): Promise<string> {
  const stdin = context.io.stdin;
  if (!stdin) throw new UsageError('-f - reads the workloads from standard input, and there is none');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const OPTIONS = {
  filename: { type: 'string', short: 'f', multiple: true },
  pool: { type: 'string' },
  'pool-file': { type: 'string' },
  var: { type: 'string', multiple: true },
  output: { type: 'string', short: 'o' },
  strict: { type: 'boolean' },
} as const;

export const lintPodsCommand = defineCommand(
  { name: 'lint-pods', usage: USAGE, help: HELP, options: OPTIONS },
  async ({ values, positionals }, context) => {
    const files = [...(values.filename ?? []), ...positionals];
    if (files.length === 0)
      throw new UsageError('lint-pods needs at least one workload file: -f WORKLOAD.yaml');
    const output = parseReportOutput(values.output);
    if (values.pool === undefined && values['pool-file'] === undefined) {
      throw new UsageError('lint-pods needs the pool to check against: --pool NAME or --pool-file SPEC.yaml');
    }
    const resolved = await resolveWorkloadPool(context, {
      ...(values.pool !== undefined ? { pool: values.pool } : {}),
      ...(values['pool-file'] !== undefined ? { poolFile: values['pool-file'] } : {}),
      overrides: parseVariableOverrides(values.var),
    });
    if (!resolved) throw new UsageError('lint-pods needs --pool NAME or --pool-file SPEC.yaml');
    if (!resolved.ok) {
      context.io.stderr.write(
        `error: the pool spec ${resolved.source} is invalid, so workloads cannot be checked against it; fix it first (enclave-pools validate):\n`,
      );
      writeHumanReport(context.io.stderr, [{ file: resolved.source, violations: resolved.violations }]);
      return 1;
    }
    const pool = resolved.profile;
    const results: FileResult[] = [];
    for (const file of files) results.push(await lintFile(context, file, pool));
    const findings = results.flatMap((r) => r.findings);
    const errors =
      findings.filter((f) => f.severity === 'Error').length +
      results.reduce((n, r) => n + r.errors.length, 0);
    const warnings = findings.filter((f) => f.severity === 'Warning').length;
    const failed = errors > 0 || (values.strict === true && warnings > 0);
    if (output === 'json') writeJsonReport(context, pool, resolved.source, results, failed);
    else writeHumanLintReport(context, pool, results);
    return failed ? 1 : 0;
  },
);

async function lintFile(context: CliContext, file: string, pool: PoolWorkloadProfile): Promise<FileResult> {
  let text: string;
  try {
    text = file === '-' ? await readStdin(context) : await readFile(file, 'utf8');
  } catch (error: unknown) {
    if (error instanceof UsageError) throw error;
    throw unreadableFile(file, error);
  }
  const scan = extractPodTemplates(text);
  const lint = lintPodTemplates(scan.templates, pool, { claims: scan.claims });
  return {
    file,
    findings: lint.findings,
    checked: lint.usage.map((u) => u.workload),
    skipped: [...lint.notEnclaveWorkloads, ...scan.skipped.map((s) => `${s.kind}/${s.name}`)],
    errors: scan.errors,
  };
}

function writeJsonReport(
  context: CliContext,
  pool: PoolWorkloadProfile,
  source: string,
  results: readonly FileResult[],
  failed: boolean,
): void {
  const body = {
    valid: !failed,
    pool: {
      name: pool.poolName,
      source,
      instanceType: pool.instanceType,
      architecture: pool.architecture,
      threadsPerCore: pool.threadsPerCore,
      hardwareSource: pool.hardwareSource,
      enclaveCpus: pool.enclaveCpus,
      memoryMib: pool.memoryMib,
      hugepages: pool.hugepages?.allocations,
      maxEnclavesPerNode: pool.maxEnclavesPerNode,
    },
    files: results.map((r) => ({
      file: r.file,
      checked: r.checked,
      skipped: r.skipped,
      yamlErrors: r.errors,
      findings: r.findings,
    })),
  };
  context.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
}

function writeHumanLintReport(
  context: CliContext,
  pool: PoolWorkloadProfile,
  results: readonly FileResult[],
): void {
  const style = styleFor(context.io.stdout, context);
  const out = context.io.stdout;
  out.write(`${style.dim(describePool(pool))}\n`);
  for (const result of results) {
    for (const error of result.errors)
      out.write(`${style.red('ERROR')} ${style.bold('YamlSyntax')} ${result.file}: ${error}; fix the YAML\n`);
    for (const finding of result.findings) writeFinding(out, finding, style);
    const fileErrors = result.findings.filter((f) => f.severity === 'Error').length + result.errors.length;
    const fileWarnings = result.findings.filter((f) => f.severity === 'Warning').length;
    const skipped = result.skipped.length > 0 ? `; skipped ${result.skipped.join(', ')}` : '';
    const verdict =
      fileErrors > 0
        ? style.red('does not fit')
        : fileWarnings > 0
          ? style.yellow('fits, with warnings')
          : style.green('fits');
    out.write(
      `${result.file}: ${verdict} pool ${pool.poolName} (${result.checked.length} enclave workload${result.checked.length === 1 ? '' : 's'} checked, ${fileErrors} error${fileErrors === 1 ? '' : 's'}, ${fileWarnings} warning${fileWarnings === 1 ? '' : 's'}${skipped})\n`,
    );
  }
}
