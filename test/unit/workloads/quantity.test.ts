import { bytesToMib, formatMib, parseQuantity } from '../../../lib/workloads/quantity';

describe('parseQuantity', () => {
  it.each([
    ['768Mi', 768 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2Ki', 2048],
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['2k', 2000],
    ['512M', 512e6],
    ['1e3', 1000],
    ['.5', 0.5],
    [4, 4],
  ])('%p → %p', (raw, expected) => {
    expect(parseQuantity(raw)).toBeCloseTo(expected);
  });

  it.each([['768MiB'], ['lots'], [''], [null], [{}], [Number.NaN]])('%p is not a quantity', (raw) => {
    expect(parseQuantity(raw)).toBeUndefined();
  });
});

describe('formatMib', () => {
  it.each([
    [1024, '1Gi'],
    [4096, '4Gi'],
    [768, '768Mi'],
    [2, '2Mi'],
    [1 / 16, '64Ki'],
  ])('%p MiB → %s', (mib, text) => {
    expect(formatMib(mib)).toBe(text);
  });

  it('converts bytes to MiB', () => {
    expect(bytesToMib(3 * 2 ** 20)).toBe(3);
  });
});
