/**
 * `/etc/nitro_enclaves/allocator.yaml` as the aws-nitro-enclaves-cli package ships it, and the
 * allocator's own reading of it, so edits can be judged by their effect on the real file.
 *
 * The stock file (written from the package's facts, not copied): a `---` line, comment lines,
 * `memory_mib: 512`, `cpu_count: 2`, and the commented example `# cpu_pool: 2,3,6-9`.
 * test/fixtures/allocator/allocator.yaml holds the same text for the tests that run the real sed.
 *
 * The parser is the allocator script's `parse_config` rule for rule (a line loop, not YAML):
 * lines starting with `#` are skipped, everything before a line that is exactly `---` is ignored,
 * the key is the text before the first `:`, the value the text after the last `:` with leading
 * blanks and surrounding double quotes removed; memory_mib is required and exactly one of
 * cpu_count / cpu_pool.
 */

export const STOCK_ALLOCATOR_YAML = [
  '---',
  '# Nitro Enclaves allocator settings (stock file of the aws-nitro-enclaves-cli package).',
  '# Memory reserved for enclaves, in MiB:',
  'memory_mib: 512',
  '# Number of CPUs reserved for enclaves:',
  'cpu_count: 2',
  '# Or name the CPUs instead of counting them (use one of the two, never both):',
  '# cpu_pool: 2,3,6-9',
  '',
].join('\n');

export type AllocatorFileKey = 'memory_mib' | 'cpu_count' | 'cpu_pool';
const KEYS: readonly string[] = ['memory_mib', 'cpu_count', 'cpu_pool'];

export interface AllocatorFileEntry {
  value: string;
  /** 1-based line number in the file. */
  line: number;
}

export interface AllocatorFileProblem {
  kind: 'structure' | 'unknownKey';
  line?: number;
  key?: string;
  /** What the allocator prints, or says, when it stops. */
  message: string;
}

export interface AllocatorFile {
  entries: Partial<Record<AllocatorFileKey, AllocatorFileEntry>>;
  problems: AllocatorFileProblem[];
}

export function parseAllocatorFile(text: string): AllocatorFile {
  const entries: AllocatorFile['entries'] = {};
  const problems: AllocatorFileProblem[] = [];
  let started = false;
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    // bash `read` drops leading and trailing blanks.
    const line = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (/^\s*#/.test(line)) continue;
    if (line === '---') {
      started = true;
      continue;
    }
    if (!started) continue;
    const key = /^[-_a-z0-9]+/i.exec(line.split(':')[0] ?? '')?.[0] ?? '';
    if (!KEYS.includes(key)) {
      problems.push(
        key === ''
          ? {
              kind: 'structure',
              line: lineNo,
              message: `line ${lineNo} ("${line}") has no key; the allocator stops there`,
            }
          : { kind: 'unknownKey', line: lineNo, key, message: `unexpected: ${key}` },
      );
      return { entries, problems };
    }
    const value = line
      .replace(/^.+:/, '')
      // Not anchored, like the script's `sed -E "s/\s+\"?//"`: the first run of blanks goes.
      .replace(/\s+"?/, '')
      .replace(/"?$/, '');
    if (value === '') {
      problems.push({ kind: 'structure', line: lineNo, key, message: `missing value for ${key}` });
      return { entries, problems };
    }
    entries[key as AllocatorFileKey] = { value, line: lineNo };
  }
  if (!started) {
    problems.push({
      kind: 'structure',
      message: 'there is no "---" line, so the allocator ignores every line ("missing memory reservation")',
    });
  } else if (entries.memory_mib === undefined) {
    problems.push({ kind: 'structure', message: 'memory_mib is missing ("missing memory reservation")' });
  } else if (entries.cpu_count === undefined && entries.cpu_pool === undefined) {
    problems.push({
      kind: 'structure',
      message: 'neither cpu_count nor cpu_pool is set ("missing CPU reservation")',
    });
  }
  return { entries, problems };
}
