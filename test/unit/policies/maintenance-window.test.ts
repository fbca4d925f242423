import { readFileSync } from 'node:fs';
import path from 'node:path';
import { maintenanceWindowState, parseMaintenanceWindow } from '../../../lib/maintenance-window';
import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';

const SEED = readFileSync(
  path.join(__dirname, '..', '..', 'fixtures', 'specs', 'valid', 'seed-pool.yaml'),
  'utf8',
);

function window(text: string) {
  const parsed = parseMaintenanceWindow(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

describe('maintenance-window grammar', () => {
  it.each([
    ['Sat 02:00-04:00 UTC', [6], 120, 120],
    ['Mon-Fri 22:00-02:00 UTC', [1, 2, 3, 4, 5], 1320, 240],
    ['Fri-Mon 01:00-01:30 UTC', [0, 1, 5, 6], 60, 30],
    ['sat,Sun 00:00-23:59 UTC', [0, 6], 0, 1439],
    ['daily 03:00-05:00 UTC', [0, 1, 2, 3, 4, 5, 6], 180, 120],
  ])('reads %s', (text, days, startMinute, lengthMinutes) => {
    expect(window(text)).toEqual({ text, days, startMinute, lengthMinutes });
  });

  it.each([
    ['Sat 02:00-04:00', 'three words'],
    ['Sat 02:00-04:00 CET', 'the zone is "CET"'],
    ['Sat 02:00-04:00 Europe/Berlin', 'the zone is "Europe/Berlin"'],
    ['Saturday 02:00-04:00 UTC', '"Saturday" is not a day'],
    ['Mon-Fri-Sun 02:00-04:00 UTC', '"Mon-Fri-Sun" is not a day'],
    ['Sat 2:00-04:00 UTC', 'is not a time range'],
    ['Sat 02:00-24:00 UTC', 'is not a time range'],
    ['Sat 02:00-02:00 UTC', 'starts and ends at the same time'],
  ])('refuses %s', (text, problem) => {
    const parsed = parseMaintenanceWindow(text);
    expect('error' in parsed && parsed.error).toContain(problem);
  });
});

describe('maintenanceWindowState: the clock is an argument', () => {
  const sat = window('Sat 02:00-04:00 UTC');
  it.each([
    // 2026-12-05 is a Saturday.
    ['2026-12-05T01:59:00Z', false, '2026-12-05T02:00:00.000Z'],
    ['2026-12-05T02:00:00Z', true, '2026-12-05T04:00:00.000Z'],
    ['2026-12-05T03:59:59Z', true, '2026-12-05T04:00:00.000Z'],
    ['2026-12-05T04:00:00Z', false, '2026-12-12T02:00:00.000Z'],
    ['2026-12-01T11:00:00Z', false, '2026-12-05T02:00:00.000Z'],
  ])('Sat 02:00-04:00 at %s: open %s, next boundary %s', (now, open, next) => {
    expect(maintenanceWindowState(sat, new Date(now))).toEqual({ open, next: new Date(next) });
  });

  it('keeps a window that crosses midnight open into the next day', () => {
    const nights = window('Fri 22:00-02:00 UTC');
    // Saturday 01:00 belongs to Friday's window.
    expect(maintenanceWindowState(nights, new Date('2026-12-05T01:00:00Z'))).toEqual({
      open: true,
      next: new Date('2026-12-05T02:00:00Z'),
    });
    expect(maintenanceWindowState(nights, new Date('2026-12-05T02:00:00Z'))).toEqual({
      open: false,
      next: new Date('2026-12-11T22:00:00Z'),
    });
  });
});

describe('the policy annotations on the AWSManagedMachinePool', () => {
  const withAnnotations = (lines: string) =>
    SEED.replace(
      /(kind: AWSManagedMachinePool\nmetadata:\n(?: {2}.*\n)*?)( {2}name: .*\n)/,
      `$1$2  annotations:\n${lines}`,
    );

  it('defaults to rollback off, roll auto, no window, drift revert', () => {
    const result = validatePoolSpec(SEED, { variables: { KUBERNETES_VERSION: '1.35' } });
    expect(result.spec?.policies).toEqual({
      rollback: 'off',
      roll: 'auto',
      drift: 'revert',
      autoscalerTags: true,
    });
  });

  it('names field, value, rule and fix for each bad value, and for a bad window', () => {
    const text = withAnnotations(
      [
        '    enclave-pools.aws/rollback: always',
        '    enclave-pools.aws/roll: later',
        '    enclave-pools.aws/drift: ignore',
        '    enclave-pools.aws/maintenance-window: "Sat 02:00-04:00 CET"',
        '    enclave-pools.aws/rollbak: on-failure',
        '',
      ].join('\n'),
    );
    expect(text).not.toEqual(SEED);
    const result = validatePoolSpec(text, { variables: { KUBERNETES_VERSION: '1.35' } });
    expect(result.spec).toBeUndefined();
    expect(result.violations.map((v) => [v.path.replace(/^.*: /, ''), v.value, v.rule])).toEqual([
      ['metadata.annotations["enclave-pools.aws/rollback"]', 'always', 'InvalidFieldValue'],
      ['metadata.annotations["enclave-pools.aws/roll"]', 'later', 'InvalidFieldValue'],
      ['metadata.annotations["enclave-pools.aws/drift"]', 'ignore', 'InvalidFieldValue'],
      [
        'metadata.annotations["enclave-pools.aws/maintenance-window"]',
        'Sat 02:00-04:00 CET',
        'MaintenanceWindowInvalid',
      ],
      ['metadata.annotations["enclave-pools.aws/rollbak"]', 'enclave-pools.aws/rollbak', 'UnknownField'],
    ]);
    const messages = result.violations.map((v) => v.message);
    expect(messages[0]).toContain('write "off" or "on-failure"');
    expect(messages[1]).toContain('write "auto" or "manual"');
    expect(messages[2]).toContain('write "revert" or "report"');
    expect(messages[3]).toContain('write the times in UTC');
    expect(messages[4]).toContain('enclave-pools.aws/rollback');
  });
});
