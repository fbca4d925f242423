import type { AllocatorSettings } from '../pool-spec';
import { Rule } from './rules';

/**
 * Reads and writes the Nitro Enclaves allocator settings (`/etc/nitro_enclaves/allocator.yaml`)
 * as they appear in NodeadmConfig `preNodeadmCommands`.
 *
 * Recognised forms (anything else that writes allocator.yaml is reported as unrecognised):
 * - the seed's `sed -i "s/cpu_count:.*\/cpu_count: 2/" /etc/nitro_enclaves/allocator.yaml`, with any
 *   of the delimiters / | # @ %, several `-e` expressions per command, and an optional `^` anchor;
 * - the form this module generates for the structured `enclaveAllocator` block:
 *   `printf '%s\n' '---' 'memory_mib: 768' 'cpu_count: 2' > /etc/nitro_enclaves/allocator.yaml`.
 *
 * Values are checked the way the allocator script checks them, and stricter: digits only, so a
 * pasted `$CONFIG_NODE_ENCLAVE_CPU_LIMIT`, an inline comment or any shell metacharacter is refused
 * before it reaches a node.
 */

export const ALLOCATOR_FILE = '/etc/nitro_enclaves/allocator.yaml';
export const ALLOCATOR_SERVICE = 'nitro-enclaves-allocator.service';
export const NITRO_CLI_PACKAGE = 'aws-nitro-enclaves-cli';
/** nitro-cli's minimum enclave memory: a smaller reservation can host no enclave at all. */
export const MIN_ENCLAVE_MEMORY_MIB = 64;
/** The driver's CPU-list buffer is 512 characters. */
const MAX_CPU_POOL_CHARS = 512;
const MAX_CPU_ID = 1023;

export type AllocatorKey = 'cpu_count' | 'cpu_pool' | 'memory_mib';
const ALLOCATOR_KEYS: readonly AllocatorKey[] = ['cpu_count', 'cpu_pool', 'memory_mib'];

export interface AllocatorSetting<T> {
  value: T;
  /** Index in preNodeadmCommands of the command that sets it. */
  index: number;
}

export interface AllocatorProblem {
  rule:
    | typeof Rule.AllocatorValueInvalid
    | typeof Rule.AllocatorDefinedTwice
    | typeof Rule.AllocatorCommandUnrecognised;
  index: number;
  value: unknown;
  message: string;
}

export interface AllocatorCommandAnalysis {
  cpuCount?: AllocatorSetting<number>;
  cpuPool?: AllocatorSetting<string>;
  memoryMib?: AllocatorSetting<number>;
  /** Indexes of commands that edit allocator.yaml (recognised or not). */
  editIndexes: number[];
  /** Indexes of commands that start the service now (`start`, `restart`, `enable --now`). */
  startIndexes: number[];
  /** Index of a command that enables the service for later boots (`enable`, with or without --now). */
  enableIndex?: number;
  /** First command that installs the Nitro Enclaves CLI package. */
  installIndex?: number;
  /** Commands that only exist on Amazon Linux 2. */
  al2Indexes: number[];
  problems: AllocatorProblem[];
}

export type ValueCheck<T> = { ok: true; value: T } | { ok: false; message: string };

function explainBadValue(key: AllocatorKey, raw: string): string {
  if (raw === '') return `${key} has no value`;
  if (/\$/.test(raw)) {
    return (
      `${key} is ${JSON.stringify(raw)}, a shell variable or template placeholder (the AWS guide's AL2023 ` +
      `snippet still contains $CONFIG_… placeholders); the allocator would read it literally and fail: write the number`
    );
  }
  if (/#/.test(raw)) return `${key} is ${JSON.stringify(raw)}: allocator.yaml allows no inline comments`;
  if (/[;&|`<>()\\'"*?~!{}\s]/.test(raw)) {
    return `${key} is ${JSON.stringify(raw)}, which contains shell metacharacters or spaces`;
  }
  return `${key} is ${JSON.stringify(raw)}`;
}

export function checkCpuCount(raw: string): ValueCheck<number> {
  if (/^0+$/.test(raw)) return { ok: false, message: 'cpu_count is 0; the allocator needs at least one CPU' };
  if (!/^[1-9][0-9]{0,3}$/.test(raw)) {
    return { ok: false, message: `${explainBadValue('cpu_count', raw)}; it must be a positive whole number` };
  }
  return { ok: true, value: Number(raw) };
}

export function checkMemoryMib(raw: string): ValueCheck<number> {
  if (!/^[1-9][0-9]{0,7}$/.test(raw)) {
    return {
      ok: false,
      message: `${explainBadValue('memory_mib', raw)}; it must be a positive whole number of MiB`,
    };
  }
  const value = Number(raw);
  if (value < MIN_ENCLAVE_MEMORY_MIB) {
    return {
      ok: false,
      message: `memory_mib is ${value}; an enclave needs at least ${MIN_ENCLAVE_MEMORY_MIB} MiB, so reserve at least that`,
    };
  }
  return { ok: true, value };
}

/** Parses a Linux cpulist ("2,3,6-9") into CPU ids, or explains why it is not one. */
export function parseCpuList(raw: string): ValueCheck<number[]> {
  if (raw.length > MAX_CPU_POOL_CHARS || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(raw)) {
    return {
      ok: false,
      message: `${explainBadValue('cpu_pool', raw)}; it must be a CPU list such as 2,3 or 2-5 (digits, commas, hyphens)`,
    };
  }
  const ids = new Set<number>();
  for (const part of raw.split(',')) {
    const [from, to] = part.split('-').map(Number) as [number, number | undefined];
    const last = to ?? from;
    if (last < from)
      return { ok: false, message: `cpu_pool range ${part} runs backwards; write the low CPU first` };
    if (last > MAX_CPU_ID)
      return { ok: false, message: `cpu_pool names CPU ${last}; no instance has that many` };
    for (let id = from; id <= last; id++) {
      if (ids.has(id)) return { ok: false, message: `cpu_pool lists CPU ${id} twice` };
      ids.add(id);
    }
  }
  if (ids.has(0)) {
    return {
      ok: false,
      message: 'cpu_pool contains CPU 0, which must stay with the parent instance; remove it',
    };
  }
  return { ok: true, value: [...ids].sort((a, b) => a - b) };
}

export function checkCpuPool(raw: string): ValueCheck<string> {
  const parsed = parseCpuList(raw);
  return parsed.ok ? { ok: true, value: raw } : parsed;
}

/** The number of CPUs a reservation takes (cpu_count, or the size of cpu_pool). */
export function reservedCpuCount(settings: AllocatorSettings): number | undefined {
  if (settings.cpuCount !== undefined) return settings.cpuCount;
  if (settings.cpuPool === undefined) return undefined;
  const parsed = parseCpuList(settings.cpuPool);
  return parsed.ok ? parsed.value.length : undefined;
}

const SED_DELIMITERS = ['/', '|', '#', '@', '%'];

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `s<d>^?key:…<d>replacement<d>flags` expressions of a sed command. */
function sedExpressions(command: string): Array<{ matched: string; replacement: string }> {
  const found: Array<{ matched: string; replacement: string }> = [];
  for (const d of SED_DELIMITERS) {
    const e = escapeRegex(d);
    const pattern = new RegExp(
      `(?:^|[\\s'"])s${e}\\^?\\s*(?:#\\s*)?([A-Za-z_]+)\\s*:[^${e}]*${e}([^${e}]*)${e}[gI]*`,
      'g',
    );
    for (const match of command.matchAll(pattern)) {
      found.push({ matched: match[1] ?? '', replacement: match[2] ?? '' });
    }
  }
  return found;
}

/** `key: value` as the allocator's parser reads it: value trimmed, surrounding double quotes dropped. */
function splitAssignment(text: string): { key: string; value: string } | undefined {
  const match = /^\s*([A-Za-z_]+)\s*:\s?(.*)$/.exec(text);
  if (!match) return undefined;
  let value = (match[2] ?? '').trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (value.length >= 4 && value.startsWith('\\"') && value.endsWith('\\"')) value = value.slice(2, -2);
  return { key: match[1] ?? '', value };
}

const PRINTF_FORM = new RegExp(
  `^printf\\s+'%s\\\\n'((?:\\s+'[^']*')+)\\s*>\\s*${escapeRegex(ALLOCATOR_FILE)}\\s*$`,
);
const WRITE_LIKE =
  /(>|\btee\b|\bsed\b|\bcp\b|\bmv\b|\binstall\b|\bdd\b|\bln\b|\bperl\b|\bawk\b|\byq\b|\bcat\b.*<<)/;
const SERVICE = /\bsystemctl\b([^;&|]*)\bnitro-enclaves-allocator(?:\.service)?\b/;
const INSTALL = new RegExp(
  `\\b(dnf|yum|rpm)\\b[^;&|]*\\b(install|-i|-U)\\b[^;&|]*\\b${NITRO_CLI_PACKAGE}\\b`,
);
const AL2_ONLY = /\bamazon-linux-extras\b/;

function assignmentsOf(command: string): Array<{ key: string; value: string }> | undefined {
  const printf = PRINTF_FORM.exec(command.trim());
  if (printf) {
    const args = [...(printf[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
    if (args[0] !== '---') return undefined;
    const parsed = args.slice(1).map(splitAssignment);
    return parsed.every((p) => p !== undefined) ? parsed : undefined;
  }
  if (!/\bsed\b/.test(command) || !/\s-i\b|\s-i\S*\s|--in-place/.test(command)) return undefined;
  const expressions = sedExpressions(command);
  if (expressions.length === 0) return undefined;
  const result: Array<{ key: string; value: string }> = [];
  for (const expression of expressions) {
    const assignment = splitAssignment(expression.replacement);
    if (!assignment) return undefined;
    result.push(assignment);
  }
  return result;
}

export function analyzeAllocatorCommands(commands: readonly string[]): AllocatorCommandAnalysis {
  const analysis: AllocatorCommandAnalysis = {
    editIndexes: [],
    startIndexes: [],
    al2Indexes: [],
    problems: [],
  };
  commands.forEach((command, index) => {
    if (AL2_ONLY.test(command)) analysis.al2Indexes.push(index);
    if (analysis.installIndex === undefined && (INSTALL.test(command) || AL2_ONLY.test(command))) {
      if (command.includes(NITRO_CLI_PACKAGE)) analysis.installIndex = index;
    }
    const service = SERVICE.exec(command);
    if (service) {
      const verbs = service[1] ?? '';
      const enables = /\benable\b/.test(verbs);
      if (enables && analysis.enableIndex === undefined) analysis.enableIndex = index;
      if (
        /\b(start|restart|reload-or-restart|try-restart)\b/.test(verbs) ||
        (enables && /--now\b/.test(verbs))
      ) {
        analysis.startIndexes.push(index);
      }
    }
    if (!command.includes('allocator.yaml')) return;
    const assignments = assignmentsOf(command);
    if (!assignments) {
      if (WRITE_LIKE.test(command)) {
        analysis.editIndexes.push(index);
        analysis.problems.push({
          rule: Rule.AllocatorCommandUnrecognised,
          index,
          value: command,
          message:
            'writes allocator.yaml in a form enclave-pools cannot read, so the CPU and memory reservation is not ' +
            `checked; use the sed form of the seed example or the structured spec.enclaveAllocator block`,
        });
      }
      return;
    }
    analysis.editIndexes.push(index);
    for (const { key, value } of assignments) recordAssignment(analysis, key, value, index);
  });
  return analysis;
}

function recordAssignment(analysis: AllocatorCommandAnalysis, key: string, raw: string, index: number): void {
  if (!(ALLOCATOR_KEYS as readonly string[]).includes(key)) {
    analysis.problems.push({
      rule: Rule.AllocatorValueInvalid,
      index,
      value: key,
      message:
        `sets "${key}" in allocator.yaml, which only accepts memory_mib, cpu_count and cpu_pool ` +
        `(the allocator stops with "unexpected: ${key}"); remove it`,
    });
    return;
  }
  const field = key === 'cpu_count' ? 'cpuCount' : key === 'cpu_pool' ? 'cpuPool' : 'memoryMib';
  const previous = analysis[field];
  if (previous !== undefined) {
    analysis.problems.push({
      rule: Rule.AllocatorDefinedTwice,
      index,
      value: raw,
      message: `sets ${key} again (already set by preNodeadmCommands[${previous.index}]); keep one of them`,
    });
    return;
  }
  const checked =
    key === 'cpu_count' ? checkCpuCount(raw) : key === 'cpu_pool' ? checkCpuPool(raw) : checkMemoryMib(raw);
  if (!checked.ok) {
    analysis.problems.push({ rule: Rule.AllocatorValueInvalid, index, value: raw, message: checked.message });
    return;
  }
  if (field === 'cpuPool') analysis.cpuPool = { value: String(checked.value), index };
  else analysis[field] = { value: Number(checked.value), index };
}

/**
 * The commands the structured `enclaveAllocator` block stands for. The whole file is written (with
 * the `---` line the allocator's parser needs), so nothing depends on the package's default file.
 */
export function generateAllocatorCommands(
  settings: AllocatorSettings,
  options: { installCli: boolean },
): string[] {
  const cpuLine =
    settings.cpuPool !== undefined ? `'cpu_pool: ${settings.cpuPool}'` : `'cpu_count: ${settings.cpuCount}'`;
  return [
    ...(options.installCli ? [`dnf install -y ${NITRO_CLI_PACKAGE}`] : []),
    `printf '%s\\n' '---' 'memory_mib: ${settings.memoryMib}' ${cpuLine} > ${ALLOCATOR_FILE}`,
    `systemctl enable --now ${ALLOCATOR_SERVICE}`,
  ];
}
