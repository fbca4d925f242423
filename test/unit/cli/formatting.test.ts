import { formatAge, formatDuration } from '../../../lib/cli/duration-format';
import { OutputFormat, parseOutputFormat, renderStructured } from '../../../lib/cli/output-format';
import { formatTable } from '../../../lib/cli/table-format';
import { styler } from '../../../lib/cli/terminal';

describe('formatTable', () => {
  it('aligns columns on visible width, ignoring colour codes', () => {
    const red = styler(true).red;
    expect(
      formatTable(
        ['NAME', 'READY'],
        [
          ['a-long-name', red('False')],
          ['b', 'True'],
        ],
      ),
    ).toBe(['NAME          READY', `a-long-name   ${red('False')}`, 'b             True'].join('\n'));
  });
});

describe('durations', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [330_000, '5m30s'],
    [42 * 60_000, '42m'],
    [5 * 3600_000 + 10 * 60_000, '5h10m'],
    [5 * 3600_000, '5h'],
    [3 * 86400_000, '3d'],
    [-5, '0s'],
  ])('age %p → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it.each([
    [12_000, '12s'],
    [245_000, '4m05s'],
    [3_720_000, '1h02m'],
  ])('duration %p → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('output formats', () => {
  it('parses -o values and refuses others with the list', () => {
    expect(parseOutputFormat(undefined)).toBe(OutputFormat.Table);
    expect(parseOutputFormat('JSON')).toBe('json');
    expect(() => parseOutputFormat('xml')).toThrow(
      '-o xml is not an output format; use one of table, json, yaml',
    );
    expect(() => parseOutputFormat('table', ['json', 'yaml'])).toThrow('use one of json, yaml');
  });

  it('renders JSON and YAML with a trailing newline', () => {
    expect(renderStructured({ a: [1] }, 'json')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(renderStructured({ a: [1] }, 'yaml')).toBe('a:\n  - 1\n');
  });
});
