import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES, Rule } from '../../../lib/rules/rules';

describe('rule catalogue', () => {
  it('names every rule after itself (the name is the condition reason)', () => {
    for (const [key, value] of Object.entries(Rule)) expect(value).toBe(key);
    expect(Object.keys(RULES).sort()).toEqual(Object.keys(Rule).sort());
  });

  it('is documented in docs/spec-format.md with the same severity', () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'spec-format.md'), 'utf8');
    const documented = new Map(
      [...doc.matchAll(/^\|\s*`([A-Za-z0-9]+)`\s*\|\s*(Error|Warning)\s*\|/gm)].map((m) => [
        m[1] ?? '',
        m[2] ?? '',
      ]),
    );
    for (const [rule, info] of Object.entries(RULES))
      expect([rule, documented.get(rule)]).toEqual([rule, info.severity]);
    expect([...documented.keys()].filter((rule) => !(rule in RULES))).toEqual([]);
  });
});
