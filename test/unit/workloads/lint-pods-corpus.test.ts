import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintPodTemplates } from '../../../lib/workloads/lint-pods';
import { extractPodTemplates } from '../../../lib/workloads/pod-templates';
import { poolWorkloadProfile } from '../../../lib/workloads/pool-profile';
import { POOL_SPECS } from './pool-specs';

/**
 * Every file in test/fixtures/workloads names its pool and the exact findings it must produce in
 * its header (`# pool: seed`, `# expect: RuleA, RuleB` or `# expect: none`).
 */
const CORPUS = join(__dirname, '../../fixtures/workloads');

function header(text: string, key: string): string {
  const match = new RegExp(`^# ${key}: (.+)$`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`fixture has no "# ${key}:" line`);
  return match[1].trim();
}

const cases = readdirSync(CORPUS)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(CORPUS, file), 'utf8');
    const expected = header(text, 'expect');
    return {
      file,
      text,
      pool: header(text, 'pool'),
      rules: expected === 'none' ? [] : expected.split(/,\s*/).sort(),
    };
  });

/** The clause a message ends with (after its last "; "): where the fix goes. */
function lastClause(message: string): string {
  return message.slice(message.lastIndexOf('; ') + 2);
}

/**
 * A fix is an imperative at the start of the clause, or after its explanation ("...: set
 * limits...", "..., so ask for 768Mi").
 */
const FIX_VERB =
  /(^|: |, so )(add|ask|change|give|lower|make|match|prefer|raise|remove|request|select|set|spell|tolerate|use|write) /;

describe('lint-pods corpus', () => {
  it('holds a clean example and at least one case per mismatch class', () => {
    expect(cases.filter((c) => c.rules.length === 0).length).toBeGreaterThanOrEqual(3);
    expect(cases.filter((c) => c.rules.length > 0).length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$file → $rules', ({ text, pool, rules }) => {
    const spec = POOL_SPECS[pool];
    if (!spec) throw new Error(`unknown pool ${pool}`);
    const scan = extractPodTemplates(text);
    expect(scan.errors).toEqual([]);
    const result = lintPodTemplates(scan.templates, poolWorkloadProfile(spec), { claims: scan.claims });
    expect(result.findings.map((f) => f.rule).sort()).toEqual(rules);
    for (const finding of result.findings) {
      // Every message says what to do, not only what is wrong.
      expect(lastClause(finding.message)).toMatch(FIX_VERB);
      expect(finding.path).toContain(': ');
    }
  });
});
