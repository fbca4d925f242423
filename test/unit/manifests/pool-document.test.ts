import {
  decodeSpecBytes,
  detectFormat,
  firstForbiddenCharacter,
  parsePoolDocument,
} from '../../../lib/manifests/pool-document';
import { MAX_DOCUMENT_BYTES } from '../../../lib/manifests/store-format';

describe('decodeSpecBytes', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeSpecBytes(Buffer.from('\ufeffkind: X\n', 'utf8'))).toEqual({
      text: 'kind: X\n',
      violations: [],
    });
  });

  it('points at the first invalid byte', () => {
    const bytes = Buffer.concat([Buffer.from('abc'), Buffer.from([0xc3, 0x28])]);
    const { violations } = decodeSpecBytes(bytes);
    expect(violations.map((v) => [v.rule, v.value])).toEqual([['DocumentNotText', 3]]);
  });

  it('refuses more than the limit without decoding', () => {
    const { violations } = decodeSpecBytes(new Uint8Array(MAX_DOCUMENT_BYTES + 1));
    expect(violations.map((v) => v.rule)).toEqual(['DocumentTooLarge']);
  });
});

describe('firstForbiddenCharacter', () => {
  it.each([
    ['plain text\twith tab\r\n', undefined],
    ['emoji 🚀 and accents é', undefined],
    ['nul \u0000', 4],
    ['escape \u001b[31m', 7],
    ['delete \u007f', 7],
    ['C1 \u0085 is allowed, \u0090 is not', 17],
    ['lone surrogate \ud800 x', 15],
    ['replacement \ufffd', 12],
    ['\ufeffBOM at start is fine', undefined],
    ['a BOM inside (U+FEFF) is printable', undefined],
  ])('%j', (text, index) => {
    expect(firstForbiddenCharacter(text)?.index).toBe(index);
  });
});

describe('parsePoolDocument', () => {
  it('detects JSON by its first character', () => {
    expect(detectFormat('  [1]')).toBe('json');
    expect(detectFormat('{"a":1}')).toBe('json');
    expect(detectFormat('a: 1')).toBe('yaml');
  });

  it('splits documents, skips empty ones and expands lists', () => {
    const { document, violations } = parsePoolDocument('---\na: 1\n---\n---\n- b: 2\n- c: 3\n...\n');
    expect(violations).toEqual([]);
    expect(document?.manifests.map((m) => m.position)).toEqual([
      'document 1',
      'document 3, item 1',
      'document 3, item 2',
    ]);
  });

  it('reports YAML errors with line and column', () => {
    const { violations } = parsePoolDocument('a: 1\nb: [\n');
    expect(violations[0]?.rule).toBe('DocumentMalformed');
    expect(violations[0]?.path).toMatch(/^document 1 \(line \d+, column \d+\)$/);
  });

  it('does not use YAML merge keys', () => {
    const { document } = parsePoolDocument('base: &b {x: 1}\nm:\n  <<: *b\n');
    const value = document?.manifests[0]?.document.toJS() as Record<string, unknown>;
    expect(value.m).toEqual({ '<<': { x: 1 } });
  });

  it('allows a few aliases', () => {
    const { violations } = parsePoolDocument('labels: &l {a: b}\nother: *l\n');
    expect(violations).toEqual([]);
  });

  it('rejects strict-JSON errors in JSON input', () => {
    const { violations } = parsePoolDocument("[{'single': 'quotes'}]");
    expect(violations.map((v) => v.rule)).toEqual(['DocumentMalformed']);
    expect(violations[0]?.message).toContain('not valid JSON');
  });
});
