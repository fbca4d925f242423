import {
  colourEnabled,
  progressBar,
  StatusLine,
  stripAnsi,
  styler,
  visibleWidth,
} from '../../../lib/cli/terminal';

describe('colourEnabled', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { NO_COLOR: '' }, true],
  ])('tty=%p env=%p → %p', (isTTY, env, expected) => {
    expect(colourEnabled({ write: () => true, isTTY }, env)).toBe(expected);
  });
});

describe('styler', () => {
  it('wraps in ANSI codes only when enabled', () => {
    expect(styler(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(styler(false).red('x')).toBe('x');
    const on = styler(true);
    const text = `${on.bold('a')}${on.green('b')}${on.yellow('c')}${on.cyan('d')}${on.dim('e')}`;
    expect(stripAnsi(text)).toBe('abcde');
    expect(visibleWidth(text)).toBe(5);
  });
});

describe('progressBar', () => {
  it.each([
    [0, '[----------]   0%'],
    [0.5, '[#####-----]  50%'],
    [1, '[##########] 100%'],
    [2, '[##########] 100%'],
    [Number.NaN, '[----------]   0%'],
  ])('%p → %s', (fraction, bar) => {
    expect(progressBar(fraction, 10)).toBe(bar);
  });
});

describe('StatusLine', () => {
  it('redraws in place on a terminal and truncates to its width', () => {
    let out = '';
    const line = new StatusLine({ write: (s: string) => (out += s), isTTY: true, columns: 12 });
    line.update('short');
    line.update('a line that is far too long');
    line.finish();
    expect(out).toBe('\r\u001b[2Kshort\r\u001b[2Ka line tha…\n');
  });

  it('prints each distinct line once elsewhere', () => {
    let out = '';
    const line = new StatusLine({ write: (s: string) => (out += s) });
    line.update('one');
    line.update('one');
    line.update('two');
    line.finish();
    expect(out).toBe('one\ntwo\n');
  });
});
