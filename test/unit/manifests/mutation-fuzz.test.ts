// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is pool-spec placeholder text, not a template
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';
import { RULES } from '../../../lib/rules/rules';

/**
 * Deterministic mutation fuzzing: hundreds of small corruptions of the valid fixtures (lines
 * dropped, duplicated, re-indented, swapped, truncated; odd characters and odd values inserted).
 * Whatever comes out, validation must not throw, every violation must be well formed, and a spec
 * must be returned exactly when there is no Error.
 */

const VALID = path.join(__dirname, '..', '..', 'fixtures', 'specs', 'valid');
const BASES = ['seed-pool.yaml', 'full-featured.yaml', 'list-form.yaml'].map((f) =>
  readFileSync(path.join(VALID, f), 'utf8'),
);
const ODD_CHARACTERS = [
  ':',
  '-',
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!',
  '|',
  '>',
  "'",
  '"',
  '#',
  '%',
  '@',
  '`',
  '\t',
  '\u0000',
  '🚀',
  '\u041c',
  '${',
  '$${X}',
  '\\',
];
const ODD_VALUES = [
  'true',
  '1.5',
  'null',
  '[]',
  '{}',
  '"x"',
  '-1',
  '1e309',
  '~',
  '0x1F',
  '.inf',
  '"${UNSET}"',
  'yes',
  "''",
  '[1, [2, [3]]]',
];

function random(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function mutate(text: string, next: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(next() * n);
  const i = pick(lines.length);
  const j = pick(lines.length);
  const line = lines[i] ?? '';
  switch (pick(7)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, line);
      break;
    case 2: {
      const at = pick(line.length + 1);
      lines[i] = line.slice(0, at) + (ODD_CHARACTERS[pick(ODD_CHARACTERS.length)] ?? '') + line.slice(at);
      break;
    }
    case 3:
      lines[i] = next() < 0.5 ? `${' '.repeat(1 + pick(4))}${line}` : line.replace(/^ {1,4}/, '');
      break;
    case 4:
      lines[i] = line.includes(': ')
        ? `${line.slice(0, line.indexOf(': ') + 2)}${ODD_VALUES[pick(ODD_VALUES.length)]}`
        : line;
      break;
    case 5:
      [lines[i], lines[j]] = [lines[j] ?? '', line];
      break;
    default:
      return text.slice(0, pick(text.length));
  }
  return lines.join('\n');
}

describe('mutation fuzzing of valid specs', () => {
  const next = random(20261128);
  const cases = Array.from({ length: 450 }, (_, n) => {
    let text = BASES[n % BASES.length] ?? '';
    const rounds = 1 + Math.floor(next() * 3);
    for (let r = 0; r < rounds; r++) text = mutate(text, next);
    return text;
  });

  it('never throws and always answers in the documented shape', () => {
    let invalid = 0;
    for (const text of cases) {
      const result = validatePoolSpec(text, { variables: { KUBERNETES_VERSION: '1.35', NODE_COUNT: '3' } });
      const errors = result.violations.filter((v) => v.severity === 'Error');
      if (errors.length > 0) invalid++;
      expect(result.spec === undefined).toBe(errors.length > 0);
      for (const v of result.violations) {
        expect(RULES[v.rule as keyof typeof RULES]?.severity).toBe(v.severity);
        expect(v.message.length).toBeGreaterThan(10);
        expect(v.path.length).toBeGreaterThan(0);
      }
    }
    // The mutations must actually break most inputs, or this test proves little.
    expect(invalid).toBeGreaterThan(cases.length / 2);
  });
});
