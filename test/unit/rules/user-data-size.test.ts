import {
  checkUserDataSize,
  estimateUserDataSize,
  NODE_CONFIG_ALLOWANCE_BYTES,
  SHELL_PRELUDE,
  USER_DATA_LIMIT_BYTES,
} from '../../../lib/rules/user-data-size';

/** Deterministic incompressible text (hex of xorshift output). */
function noise(chars: number): string {
  let x = 0x12345678;
  let out = '';
  while (out.length < chars) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += (x >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, chars);
}

describe('checkUserDataSize (exact, for the renderer)', () => {
  it('sends small user data raw', () => {
    expect(checkUserDataSize('#!/bin/bash\necho hi\n')).toEqual({
      rawBytes: 20,
      fits: true,
      encoding: 'raw',
    });
  });

  it('accepts exactly the limit raw', () => {
    expect(checkUserDataSize(new Uint8Array(USER_DATA_LIMIT_BYTES)).encoding).toBe('raw');
  });

  it('gzips what only fits compressed', () => {
    const result = checkUserDataSize('echo repetitive line\n'.repeat(2000));
    expect(result).toMatchObject({ fits: true, encoding: 'gzip' });
    expect(result.rawBytes).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
    expect(result.gzipBytes).toBeLessThan(USER_DATA_LIMIT_BYTES);
  });

  it('refuses what does not fit even gzipped', () => {
    const result = checkUserDataSize(noise(40_000));
    expect(result.fits).toBe(false);
    expect(result.gzipBytes).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
  });
});

describe('estimateUserDataSize (offline, conservative)', () => {
  it('counts the prelude, commands, labels, taints and kubelet settings plus the allowance', () => {
    const estimate = estimateUserDataSize({
      preNodeadmCommands: ['echo a'],
      labels: { team: 'x' },
      taints: [{ key: 'k', value: 'v', effect: 'NO_SCHEDULE' }],
      kubelet: { flags: ['--max-pods=20'], config: { a: 1 } },
    });
    const text = `${SHELL_PRELUDE}echo a\n--node-labels=team=x\n--register-with-taints=k=v:NO_SCHEDULE\n--max-pods=20\n{"a":1}\n`;
    expect(estimate.estimatedRawBytes).toBe(Buffer.byteLength(text) + NODE_CONFIG_ALLOWANCE_BYTES);
    expect(estimate).toMatchObject({ fits: true, encoding: 'raw' });
  });

  it('expects gzip when repetitive commands overflow, and refuses noise', () => {
    expect(
      estimateUserDataSize({ preNodeadmCommands: Array(600).fill('echo the same line again') }),
    ).toMatchObject({
      fits: true,
      encoding: 'gzip',
    });
    expect(estimateUserDataSize({ preNodeadmCommands: [noise(30_000)] }).fits).toBe(false);
  });
});
