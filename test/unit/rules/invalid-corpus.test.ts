import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../lib/cli/main';
import { allowListFromEnvironment } from '../../../lib/manifests/deployment-allow-list';
import { variablesFromEnvironment } from '../../../lib/manifests/deployment-variables';
import { validatePoolSpecBytes } from '../../../lib/manifests/validate-pool-spec';
import { RULES, RuleStage } from '../../../lib/rules/rules';
import { generatedCases } from '../../fixtures/specs/hostile-cases';
import { captureIo, noAwsServices } from '../cli/cli-test-io';

/**
 * The corpus of invalid pool specs: every file in test/fixtures/specs/invalid/ declares in its
 * header the exact set of rules it must end in (`# expect: A, B`), optionally a pool id
 * (`# pool-id: x`) and variables (`# vars: NAME=value ...`; ALLOWED_CLUSTERS / ALLOWED_NODE_ROLES there
 * act as the deployment's allow-lists). Generated hostile inputs
 * (hostile-cases.ts) follow the same contract. Each case must end in exactly its rules, never throw,
 * never yield a spec when an Error is expected, and make no AWS call (the CLI runs offline with
 * services that fail on any use).
 */

const CORPUS_DIR = path.join(__dirname, '..', '..', 'fixtures', 'specs', 'invalid');

interface CorpusCase {
  name: string;
  file?: string;
  bytes: Uint8Array;
  expect: string[];
  poolId?: string;
  vars: Record<string, string>;
}

function header(text: string, key: string): string | undefined {
  const match = new RegExp(`^# ${key}: (.*)$`, 'm').exec(text);
  return match?.[1]?.trim();
}

function fileCases(): CorpusCase[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const bytes = readFileSync(path.join(CORPUS_DIR, file));
      const text = bytes.toString('utf8');
      const expect = header(text, 'expect');
      if (!expect) throw new Error(`${file} has no "# expect:" header`);
      const vars = Object.fromEntries(
        (header(text, 'vars') ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
      const poolId = header(text, 'pool-id');
      return {
        name: file,
        file: path.join(CORPUS_DIR, file),
        bytes,
        expect: expect.split(',').map((r) => r.trim()),
        ...(poolId ? { poolId } : {}),
        vars,
      };
    });
}

const cases: CorpusCase[] = [
  ...fileCases(),
  ...generatedCases().map((c) => ({
    name: `generated: ${c.name}`,
    bytes: c.bytes,
    expect: c.expect,
    vars: {},
  })),
];

function variablesFor(c: CorpusCase) {
  return variablesFromEnvironment({ KUBERNETES_VERSION: '1.35', ...c.vars });
}

describe('invalid pool spec corpus', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s ends in exactly its expected rules', (_name, c) => {
    const result = validatePoolSpecBytes(c.bytes, {
      variables: variablesFor(c),
      allowList: allowListFromEnvironment(c.vars),
      ...(c.poolId ? { poolId: c.poolId } : {}),
    });
    const rules = [...new Set(result.violations.map((v) => v.rule))].sort();
    expect(rules).toEqual([...c.expect].sort());
    const expectsError = c.expect.some((rule) => RULES[rule as keyof typeof RULES]?.severity === 'Error');
    expect(result.spec === undefined).toBe(expectsError);
    for (const v of result.violations) {
      expect(v.message.length).toBeGreaterThan(20);
      expect(v.message).not.toMatch(/\n/);
      expect(v.path.length).toBeGreaterThan(0);
      expect(JSON.stringify(v).length).toBeLessThan(2000);
    }
  });

  it.each(cases.filter((c) => c.file).map((c) => [c.name, c] as const))(
    'the CLI reports %s with the right exit code and no AWS call',
    async (_name, c) => {
      const io = captureIo({ ...c.vars, KUBERNETES_VERSION: '1.35' });
      const args = [
        'validate',
        c.file ?? '',
        '--output',
        'json',
        ...(c.poolId ? ['--pool-id', c.poolId] : []),
      ];
      const code = await runCli(args, io, noAwsServices());
      const report = JSON.parse(io.out()) as { valid: boolean; violations: Array<{ rule: string }> };
      const expectsError = c.expect.some((rule) => RULES[rule as keyof typeof RULES]?.severity === 'Error');
      expect(code).toBe(expectsError ? 1 : 0);
      expect(report.valid).toBe(!expectsError);
      expect([...new Set(report.violations.map((v) => v.rule))].sort()).toEqual([...c.expect].sort());
      expect(io.err()).toBe('');
    },
  );

  it('covers every document-level and offline rule', () => {
    const covered = new Set(cases.flatMap((c) => c.expect));
    const offlineRules = Object.entries(RULES)
      .filter(([, info]) => info.stage === RuleStage.Document || info.stage === RuleStage.Offline)
      .map(([rule]) => rule);
    expect(offlineRules.filter((rule) => !covered.has(rule))).toEqual([]);
  });
});
