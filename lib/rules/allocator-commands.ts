import type { AllocatorSettings } from '../pool-spec';
import { parseAllocatorFile, STOCK_ALLOCATOR_YAML } from './allocator-file';
import { Rule } from './rules';
import { compileSedScript, parseSedInvocation, runSed, type SedCommand } from './sed-model';
import { shellWords } from './shell-words';

/**
 * Reads and writes the Nitro Enclaves allocator settings (`/etc/nitro_enclaves/allocator.yaml`)
 * as NodeadmConfig `preNodeadmCommands` leave them.
 *
 * The commands are applied in order to the stock file (allocator-file.ts): `sed` through a model
 * of GNU sed (sed-model.ts), and the printf form this module generates for the structured
 * `enclaveAllocator` block (`printf '%s\n' '---' 'memory_mib: 768' 'cpu_count: 2' > …`). The result
 * is read as the allocator reads it. Any other write is reported as not modelled (a Warning), and
 * nothing after it is judged.
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
    | typeof Rule.AllocatorCommandUnrecognised
    | typeof Rule.AllocatorCpuSettingConflict
    | typeof Rule.AllocatorEditHasNoEffect
    | typeof Rule.AllocatorFileInvalid;
  index: number;
  value: unknown;
  message: string;
}

export interface AllocatorCommandAnalysis {
  /** Final values in allocator.yaml; index is the command that set it, or FROM_STOCK_FILE. */
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
  /** allocator.yaml after every command, when each edit could be modelled. */
  finalFile?: string;
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

const WRITE_LIKE =
  /(>|\btee\b|\bsed\b|\bcp\b|\bmv\b|\binstall\b|\bdd\b|\bln\b|\bperl\b|\bawk\b|\byq\b|\bcat\b.*<<)/;
const SERVICE = /\bsystemctl\b([^;&|]*)\bnitro-enclaves-allocator(?:\.service)?\b/;
const INSTALL = new RegExp(
  `\\b(dnf|yum|rpm)\\b[^;&|]*\\b(install|-i|-U)\\b[^;&|]*\\b${NITRO_CLI_PACKAGE}\\b`,
);
const AL2_ONLY = /\bamazon-linux-extras\b/;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The form generated for the structured block, and accepted from users: the whole file at once. */
const PRINTF_FORM = new RegExp(
  `^printf\\s+'%s\\\\n'((?:\\s+'[^']*')+)\\s*>\\s*${escapeRegex(ALLOCATOR_FILE)}\\s*$`,
);

/** Index of a setting that no command wrote: the value is the stock file's. */
export const FROM_STOCK_FILE = -1;

type Edit =
  | { kind: 'write'; text: string }
  | { kind: 'sed'; commands: SedCommand[]; quiet: boolean; inPlace: boolean }
  | { kind: 'unmodelled'; reason: string };

function classifyEdit(command: string): Edit | undefined {
  const printf = PRINTF_FORM.exec(command.trim());
  if (printf) {
    const args = [...(printf[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
    return { kind: 'write', text: args.map((a) => `${a}\n`).join('') };
  }
  if (!WRITE_LIKE.test(command)) return undefined;
  const words = shellWords(command);
  if (!words.ok) return { kind: 'unmodelled', reason: `it uses ${words.reason}` };
  const program = words.words[0] ?? '';
  if (program !== 'sed' && program !== '/usr/bin/sed' && program !== '/bin/sed') {
    return { kind: 'unmodelled', reason: `only sed and the printf form are modelled, not ${program}` };
  }
  const parsed = parseSedInvocation(words.words);
  if (!parsed.ok) return { kind: 'unmodelled', reason: `it uses ${parsed.reason}` };
  const { invocation } = parsed;
  if (!invocation.files.includes(ALLOCATOR_FILE)) {
    return { kind: 'unmodelled', reason: `its file operands are not exactly ${ALLOCATOR_FILE}` };
  }
  const script = compileSedScript(invocation.script, invocation.extended);
  if (!script.ok) return { kind: 'unmodelled', reason: `its script uses ${script.reason}` };
  return { kind: 'sed', commands: script.commands, quiet: invocation.quiet, inPlace: invocation.inPlace };
}

type FileValues = Partial<Record<AllocatorKey, string>>;

function valuesOf(text: string): FileValues {
  const { entries } = parseAllocatorFile(text);
  const values: FileValues = {};
  for (const key of ALLOCATOR_KEYS) {
    const entry = entries[key];
    if (entry) values[key] = entry.value;
  }
  return values;
}

/**
 * What the commands do to allocator.yaml, judged by applying them to the stock file in order and
 * reading the result as the allocator does. A command that cannot be modelled stops the judging
 * (everything after it depends on a file we no longer know) and says so.
 */
export function analyzeAllocatorCommands(commands: readonly string[]): AllocatorCommandAnalysis {
  const analysis: AllocatorCommandAnalysis = {
    editIndexes: [],
    startIndexes: [],
    al2Indexes: [],
    problems: [],
  };
  let file: string | undefined = STOCK_ALLOCATOR_YAML;
  const setters: Partial<Record<AllocatorKey, number>> = {};
  commands.forEach((command, index) => {
    recordServiceAndInstall(analysis, command, index);
    if (!command.includes('allocator.yaml')) return;
    const edit = classifyEdit(command);
    if (!edit) return;
    analysis.editIndexes.push(index);
    if (file === undefined) return;
    if (edit.kind === 'unmodelled') {
      analysis.problems.push({
        rule: Rule.AllocatorCommandUnrecognised,
        index,
        value: command,
        message:
          `writes allocator.yaml in a way enclave-pools cannot model (${edit.reason}), so the CPU and memory ` +
          'reservation from here on is not checked; use sed -i with s or d commands, or the structured ' +
          'spec.enclaveAllocator block',
      });
      file = undefined;
      return;
    }
    const before: string = file;
    let after = before;
    let rewritten = new Set<number>();
    if (edit.kind === 'write') after = edit.text;
    else {
      const run = runSed(edit.commands, before, edit.quiet);
      reportIdleExpressions(analysis, edit, run.hits, index, before);
      if (edit.inPlace) {
        after = run.output;
        rewritten = new Set(run.substitutedLines);
      }
    }
    const was = valuesOf(before);
    const now = parseAllocatorFile(after).entries;
    for (const key of ALLOCATOR_KEYS) {
      const entry = now[key];
      // A key counts as set by this command when the command wrote its line, even with the same
      // value (the seed's "s/cpu_count:.*/cpu_count: 2/" confirms the stock 2).
      const touched =
        edit.kind === 'write' ? entry !== undefined : entry !== undefined && rewritten.has(entry.line);
      if (!touched && was[key] === entry?.value) continue;
      if (!touched && entry === undefined && was[key] === undefined) continue;
      const previous = setters[key];
      if (previous !== undefined && edit.kind === 'sed') {
        analysis.problems.push({
          rule: Rule.AllocatorDefinedTwice,
          index,
          value: entry?.value,
          message: `sets ${key} again (already set by preNodeadmCommands[${previous}]); keep one of them`,
        });
      }
      setters[key] = index;
    }
    file = after;
  });
  if (file !== undefined && analysis.editIndexes.length > 0) {
    analysis.finalFile = file;
    judgeFinalFile(analysis, file, setters);
  }
  return analysis;
}

function recordServiceAndInstall(analysis: AllocatorCommandAnalysis, command: string, index: number): void {
  if (AL2_ONLY.test(command)) analysis.al2Indexes.push(index);
  if (analysis.installIndex === undefined && (INSTALL.test(command) || AL2_ONLY.test(command))) {
    if (command.includes(NITRO_CLI_PACKAGE)) analysis.installIndex = index;
  }
  const service = SERVICE.exec(command);
  if (!service) return;
  const verbs = service[1] ?? '';
  const enables = /\benable\b/.test(verbs);
  if (enables && analysis.enableIndex === undefined) analysis.enableIndex = index;
  if (/\b(start|restart|reload-or-restart|try-restart)\b/.test(verbs) || (enables && /--now\b/.test(verbs))) {
    analysis.startIndexes.push(index);
  }
}

function reportIdleExpressions(
  analysis: AllocatorCommandAnalysis,
  edit: Extract<Edit, { kind: 'sed' }>,
  hits: readonly number[],
  index: number,
  before: string,
): void {
  if (!edit.inPlace) {
    analysis.problems.push({
      rule: Rule.AllocatorEditHasNoEffect,
      index,
      value: edit.commands.map((c) => c.text).join('; '),
      message:
        'runs sed without -i, so it prints the edited text and leaves allocator.yaml as it was; add -i ' +
        '(sed -i "s/^memory_mib:.*/memory_mib: 768/" /etc/nitro_enclaves/allocator.yaml)',
    });
    return;
  }
  edit.commands.forEach((command, position) => {
    if ((hits[position] ?? 0) > 0 || command.kind === 'p') return;
    const key = ALLOCATOR_KEYS.find((k) => command.text.includes(k));
    const current = key
      ? before.split('\n').find((line) => line.startsWith(`${key}:`) || line.startsWith(`# ${key}:`))
      : undefined;
    const which =
      edit.commands.length > 1
        ? `its expression ${JSON.stringify(command.text)}`
        : JSON.stringify(command.text);
    analysis.problems.push({
      rule: Rule.AllocatorEditHasNoEffect,
      index,
      value: command.text,
      message:
        `changes nothing: ${which} matches no line of allocator.yaml as it is at that point` +
        `${current !== undefined ? ` (the file has "${current}")` : ''}, so the node keeps that value; match the key ` +
        `instead of a value, e.g. "s/^${key ?? 'memory_mib'}:.*/${key ?? 'memory_mib'}: …/"`,
    });
  });
}

function judgeFinalFile(
  analysis: AllocatorCommandAnalysis,
  text: string,
  setters: Partial<Record<AllocatorKey, number>>,
): void {
  const lastEdit = analysis.editIndexes[analysis.editIndexes.length - 1] ?? 0;
  const parsed = parseAllocatorFile(text);
  for (const problem of parsed.problems) {
    const key = problem.key as AllocatorKey | undefined;
    const index = (key ? setters[key] : undefined) ?? lastEdit;
    if (problem.kind === 'unknownKey') {
      analysis.problems.push({
        rule: Rule.AllocatorValueInvalid,
        index,
        value: problem.key,
        message:
          `leaves "${problem.key}" in allocator.yaml, which only accepts memory_mib, cpu_count and cpu_pool ` +
          `(the allocator stops with "unexpected: ${problem.key}"); remove it`,
      });
    } else {
      analysis.problems.push({
        rule: Rule.AllocatorFileInvalid,
        index,
        value: text,
        message:
          `leaves an allocator.yaml the allocator refuses: ${problem.message}; keep the stock file's "---" line ` +
          'and memory_mib plus one of cpu_count / cpu_pool',
      });
    }
  }
  if (parsed.problems.length > 0) return;
  const sourceOf = (key: AllocatorKey) => setters[key] ?? FROM_STOCK_FILE;
  for (const key of ALLOCATOR_KEYS) {
    const entry = parsed.entries[key];
    if (!entry) continue;
    const index = sourceOf(key);
    const checked =
      key === 'cpu_count'
        ? checkCpuCount(entry.value)
        : key === 'cpu_pool'
          ? checkCpuPool(entry.value)
          : checkMemoryMib(entry.value);
    if (!checked.ok) {
      analysis.problems.push({
        rule: Rule.AllocatorValueInvalid,
        index: index === FROM_STOCK_FILE ? lastEdit : index,
        value: entry.value,
        message: checked.message,
      });
      continue;
    }
    if (key === 'cpu_pool') analysis.cpuPool = { value: String(checked.value), index };
    else if (key === 'cpu_count') analysis.cpuCount = { value: Number(checked.value), index };
    else analysis.memoryMib = { value: Number(checked.value), index };
  }
  const count = parsed.entries.cpu_count;
  const pool = parsed.entries.cpu_pool;
  if (count && pool) {
    const countFrom = sourceOf('cpu_count');
    const poolFrom = sourceOf('cpu_pool');
    const origin = (from: number) =>
      from === FROM_STOCK_FILE ? 'stays from the stock file' : `is set by preNodeadmCommands[${from}]`;
    analysis.problems.push({
      rule: Rule.AllocatorCpuSettingConflict,
      index: Math.max(countFrom, poolFrom, 0),
      value: { cpu_count: count.value, cpu_pool: pool.value },
      message:
        `leaves both cpu_count: ${count.value} (it ${origin(countFrom)}) and cpu_pool: ${pool.value} (it ${origin(poolFrom)}) ` +
        `in allocator.yaml; the allocator refuses that ("cpu_count conflicts with cpu_pool"): keep one, e.g. add ` +
        `sed -i "/^${countFrom === FROM_STOCK_FILE ? 'cpu_count' : 'cpu_pool'}:/d" ${ALLOCATOR_FILE}`,
    });
  }
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
