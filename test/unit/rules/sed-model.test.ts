import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ALLOCATOR_FILE, analyzeAllocatorCommands } from '../../../lib/rules/allocator-commands';
import { parseAllocatorFile, STOCK_ALLOCATOR_YAML } from '../../../lib/rules/allocator-file';
import { compileSedScript, parseSedInvocation, runSed } from '../../../lib/rules/sed-model';
import { shellWords } from '../../../lib/rules/shell-words';

/**
 * The product models sed (it runs in Lambda, where there is none); here the REAL GNU sed runs
 * every sed case on a temp copy of the stock allocator.yaml, and the model must leave the same file.
 */

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const STOCK_FIXTURE = path.join(FIXTURES, 'allocator', 'allocator.yaml');

function realSed(commands: readonly string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'allocator-'));
  try {
    const file = path.join(dir, 'allocator.yaml');
    writeFileSync(file, readFileSync(STOCK_FIXTURE));
    for (const command of commands) {
      // The command exactly as the node runs it (bash, errexit), only pointed at the temp copy.
      execFileSync('bash', ['-e', '-c', command.split(ALLOCATOR_FILE).join(file)], {
        stdio: 'pipe',
        cwd: dir,
      });
    }
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function modelled(commands: readonly string[]): string | undefined {
  return analyzeAllocatorCommands(commands).finalFile;
}

/** Every preNodeadmCommands list in the spec fixtures that edits allocator.yaml with sed. */
function corpusSedCases(): Array<[string, string[]]> {
  const dirs = ['specs/valid', 'specs/invalid'].map((d) => path.join(FIXTURES, d));
  const cases: Array<[string, string[]]> = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
        if (doc.errors.length > 0) continue;
        let js: { kind?: string; spec?: { preNodeadmCommands?: unknown } } | null;
        try {
          js = doc.toJS({ maxAliasCount: 100 }) as {
            kind?: string;
            spec?: { preNodeadmCommands?: unknown };
          } | null;
        } catch {
          continue; // the hostile documents (alias bombs) have no commands to run
        }
        const commands = js?.kind === 'NodeadmConfig' ? js.spec?.preNodeadmCommands : undefined;
        if (!Array.isArray(commands)) continue;
        const edits = commands.filter(
          (c): c is string => typeof c === 'string' && c.includes('allocator.yaml') && /\bsed\b/.test(c),
        );
        if (edits.length > 0) cases.push([`${path.basename(dir)}/${file}`, edits]);
      }
    }
  }
  return cases;
}

describe('the stock allocator.yaml', () => {
  it('is the fixture the real sed runs on, and reads as memory_mib 512, cpu_count 2', () => {
    expect(readFileSync(STOCK_FIXTURE, 'utf8')).toBe(STOCK_ALLOCATOR_YAML);
    const parsed = parseAllocatorFile(STOCK_ALLOCATOR_YAML);
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual({
      memory_mib: { value: '512', line: 4 },
      cpu_count: { value: '2', line: 6 },
    });
  });
});

describe('the sed model against the real sed', () => {
  const corpus = corpusSedCases();

  it('finds the corpus sed cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus)('%s: the model leaves the file the real sed leaves', (_name, commands) => {
    const words = commands.map((c) => shellWords(c));
    // A $VARIABLE is only known on the node: the model keeps it literally (and the value check
    // refuses it), the real shell would expand it; those commands are judged by the corpus instead.
    if (words.some((w) => w.ok && w.expansions.length > 0)) {
      expect(analyzeAllocatorCommands(commands).problems.map((p) => p.rule)).toContain(
        'AllocatorValueInvalid',
      );
      return;
    }
    expect(modelled(commands)).toBe(realSed(commands));
  });

  it.each([
    ['a line-number address', `sed -i '4s/512/768/' ${ALLOCATOR_FILE}`],
    ['the last line', `sed -i '$s/^# //' ${ALLOCATOR_FILE}`],
    ['a regex address with I', `sed -i '/^MEMORY/Is/[0-9][0-9]*/1024/' ${ALLOCATOR_FILE}`],
    ['a range from a regex to a line', `sed -i '/^memory_mib/,6s/^/# /' ${ALLOCATOR_FILE}`],
    ['a range between regexes, negated', `sed -i '/^---$/,/^cpu_count/!d' ${ALLOCATOR_FILE}`],
    ['d on a key', `sed -i '/^cpu_count:/d' ${ALLOCATOR_FILE}`],
    [
      'd then uncomment cpu_pool',
      `sed -i -e '/^cpu_count:/d' -e 's/^# \\(cpu_pool:\\)/\\1/' ${ALLOCATOR_FILE}`,
    ],
    ['-n with p flag', `sed -n -i 's/^memory_mib: .*/memory_mib: 1024/p' ${ALLOCATOR_FILE}`],
    ['g and the nth occurrence', `sed -i 's/2/X/2; s/,/;/g' ${ALLOCATOR_FILE}`],
    [
      'groups and back-references',
      `sed -i 's/^\\(cpu_count\\): \\([0-9]*\\)/\\1: \\2\\2/' ${ALLOCATOR_FILE}`,
    ],
    ['ERE with + and groups', `sed -E -i 's/^(memory_mib): [0-9]+$/\\1: 2048/' ${ALLOCATOR_FILE}`],
    ['BRE interval and literal +', `sed -i 's/[0-9]\\{3\\}/1+1/' ${ALLOCATOR_FILE}`],
    [
      'POSIX classes in brackets',
      `sed -i 's/[[:digit:]][[:digit:]]*/7/; s/[[:space:]]*$//' ${ALLOCATOR_FILE}`,
    ],
    ['& and an escaped delimiter', `sed -i 's/cpu_count: 2/& \\/ 4/' ${ALLOCATOR_FILE}`],
    ['a newline in the replacement', `sed -i 's/^cpu_count: 2$/cpu_count: 4\\n# was 2/' ${ALLOCATOR_FILE}`],
    [
      'other delimiters',
      `sed -i -e 's|^memory_mib:.*|memory_mib: 640|' -e 's#^cpu_count:.*#cpu_count: 4#' ${ALLOCATOR_FILE}`,
    ],
    [
      '--expression= and --in-place',
      `sed --in-place --expression='s/^memory_mib:.*/memory_mib: 896/' ${ALLOCATOR_FILE}`,
    ],
    ['-i with a backup suffix', `sed -i.bak 's/^cpu_count: .*/cpu_count: 6/' ${ALLOCATOR_FILE}`],
    [
      'a literal * at the start and a literal ^ inside',
      `sed -i 's/*x^/y/; s/cpu_count/&^/' ${ALLOCATOR_FILE}`,
    ],
    ['case-insensitive s', `sed -i 's/MEMORY_MIB: 512/memory_mib: 1536/I' ${ALLOCATOR_FILE}`],
    ['double quotes with escapes', `sed -i "s/^memory_mib:.*/memory_mib: \\"1024\\"/" ${ALLOCATOR_FILE}`],
    [
      'a comment and several commands',
      `sed -i 's/512/256/ # smaller\n s/^cpu_count: 2/cpu_count: 4/' ${ALLOCATOR_FILE}`,
    ],
  ])('%s', (_name, command) => {
    const result = modelled([command]);
    expect(result).toBeDefined();
    expect(result).toBe(realSed([command]));
  });

  it.each([
    ['alternation', `sed -i 's/512\\|2/X/' ${ALLOCATOR_FILE}`, 'alternation'],
    ['GNU case conversion', `sed -i 's/cpu/\\U&/' ${ALLOCATOR_FILE}`, 'case conversion'],
    ['the y command', `sed -i 'y/abc/xyz/' ${ALLOCATOR_FILE}`, 'sed command "y"'],
    ['append', `sed -i '$a cpu_pool: 2,3' ${ALLOCATOR_FILE}`, 'sed command "a"'],
    ['a script file', `sed -i -f edits.sed ${ALLOCATOR_FILE}`, 'option -f'],
    ['a pipe', `cat ${ALLOCATOR_FILE} | sed 's/512/768/' > /tmp/x`, 'shell operator'],
    ['the w flag', `sed -i 's/512/768/w /tmp/changes' ${ALLOCATOR_FILE}`, 's flag w'],
  ])('refuses %s and says so (a Warning, never a guess)', (_name, command, reason) => {
    const analysis = analyzeAllocatorCommands([command]);
    expect(analysis.finalFile).toBeUndefined();
    expect(analysis.problems.map((p) => p.rule)).toEqual(['AllocatorCommandUnrecognised']);
    expect(analysis.problems[0]?.message).toContain(reason);
    expect(analysis.problems[0]?.message).toContain('not checked');
  });
});

describe('parseSedInvocation and compileSedScript', () => {
  it('reads "-ie" as in-place with the backup suffix "e", as GNU sed does', () => {
    const parsed = parseSedInvocation(['sed', '-ie', 's/a/b/', ALLOCATOR_FILE]);
    expect(parsed).toEqual({
      ok: true,
      invocation: { inPlace: true, quiet: false, extended: false, script: 's/a/b/', files: [ALLOCATOR_FILE] },
    });
  });

  it('counts what each command touched', () => {
    const program = compileSedScript('s/512/768/\n/^cpu_pool/d', false);
    if (!program.ok) throw new Error(program.reason);
    expect(runSed(program.commands, STOCK_ALLOCATOR_YAML, false).hits).toEqual([1, 0]);
  });
});
