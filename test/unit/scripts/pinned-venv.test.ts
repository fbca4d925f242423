/**
 * infra/scripts/pinned-venv.sh (behind `npm run sandbox:setup`, which `npm start` runs) never deletes
 * a venv a process runs from. Each case builds a venv of its own in a temporary directory, without
 * pip (no network): the "installed package" is a dist-info directory, which is what the installed
 * metadata check reads. A marker file inside the venv shows whether it was rebuilt (a rebuild starts
 * with `rm -rf`).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '../../../infra/scripts/pinned-venv.sh');

let dir: string;
let running: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pinned-venv-'));
  execFileSync('python3', ['-m', 'venv', '--without-pip', join(dir, '.venv')]);
  const lib = join(dir, '.venv', 'lib');
  const sitePackages = join(lib, readdirSync(lib)[0] ?? '', 'site-packages');
  const distInfo = join(sitePackages, 'demo_pin-1.0.dist-info');
  mkdirSync(distInfo, { recursive: true });
  writeFileSync(join(distInfo, 'METADATA'), 'Metadata-Version: 2.1\nName: demo-pin\nVersion: 1.0\n');
  writeFileSync(join(dir, '.venv', 'marker'), 'built before this run\n');
});

afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function setup(requirements: string) {
  writeFileSync(join(dir, 'requirements.txt'), requirements);
  return spawnSync('bash', ['-c', `source "${SCRIPT}" && pinned_venv demo "${dir}" demo bin/python ''`], {
    encoding: 'utf8',
  });
}

it('adopts a venv that already has every pin (stamp missing): stamp written, nothing rebuilt', () => {
  const result = setup('# the pins\ndemo-pin==1.0  # a comment\n');
  expect(result.status).toBe(0);
  expect(result.stderr).not.toContain('installing');
  expect(existsSync(join(dir, '.venv', 'marker'))).toBe(true);
  expect(existsSync(join(dir, '.venv', '.requirements.sha256'))).toBe(true);
  // The stamp now matches, so the next run does nothing at all.
  expect(setup('# the pins\ndemo-pin==1.0  # a comment\n').stderr).toBe('');
});

it('refuses to rebuild a venv a process runs from, naming the pid, the pin that differs and the fix', () => {
  running = spawn(join(dir, '.venv', 'bin', 'python'), ['-c', 'import time; time.sleep(120)'], {
    stdio: 'ignore',
  });
  const result = setup('demo-pin==2.0\n');
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`demo setup: ${dir}/.venv must be rebuilt for ${dir}/requirements.txt`);
  expect(result.stderr).toContain('demo-pin: wanted 2.0, installed 1.0');
  expect(result.stderr).toContain(`pid ${running.pid}: ${dir}/.venv/bin/python -c import time`);
  expect(result.stderr).toContain('Stop them first');
  expect(existsSync(join(dir, '.venv', 'marker'))).toBe(true);
  expect(running.exitCode).toBeNull();
});

it('sees a process started through a symlink to the venv (a second checkout linking this one)', () => {
  const linked = mkdtempSync(join(tmpdir(), 'pinned-venv-link-'));
  try {
    execFileSync('ln', ['-s', join(dir, '.venv'), join(linked, '.venv')]);
    running = spawn(join(linked, '.venv', 'bin', 'python'), ['-c', 'import time; time.sleep(120)'], {
      stdio: 'ignore',
    });
    const result = setup('demo-pin==2.0\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`pid ${running.pid}: ${linked}/.venv/bin/python`);
    expect(existsSync(join(dir, '.venv', 'marker'))).toBe(true);
  } finally {
    rmSync(linked, { recursive: true, force: true });
  }
});
