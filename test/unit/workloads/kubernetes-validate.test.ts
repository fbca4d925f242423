import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devicePluginManifest } from '../../../lib/workloads/device-plugin-manifest';
import { podSnippet } from '../../../lib/workloads/pod-snippet';
import { poolWorkloadProfile } from '../../../lib/workloads/pool-profile';
import { POOL_SPECS } from './pool-specs';

/**
 * Every manifest the project generates, and every workload fixture marked good, must pass the
 * Kubernetes API schemas: kubernetes-validate --strict (pinned in infra/sandbox/requirements.txt)
 * rejects unknown fields and missing required ones, as the API server would.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const VALIDATOR = path.join(ROOT, 'infra', 'sandbox', '.venv', 'bin', 'kubernetes-validate');
const KUBERNETES_VERSION = '1.35.0';
const WORKLOADS = path.join(ROOT, 'test', 'fixtures', 'workloads');

function validate(files: string[]): { status: number | null; output: string } {
  const run = spawnSync(VALIDATOR, ['--strict', '--kubernetes-version', KUBERNETES_VERSION, ...files], {
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('kubernetes-validate --strict', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubernetes-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the device-plugin DaemonSet generated for every test pool and for no pool', () => {
    const manifests = [
      ['default', devicePluginManifest(undefined).yaml],
      ...Object.entries(POOL_SPECS).map(([name, spec]) => [
        name,
        devicePluginManifest(poolWorkloadProfile(spec)).yaml,
      ]),
      [
        'cpu-advertisement',
        devicePluginManifest(undefined, { cpuAdvertisement: true, maxEnclavesPerNode: 2 }).yaml,
      ],
    ] as const;
    const files = manifests.map(([name, yaml]) => {
      const file = path.join(dir, `device-plugin-${name}.yaml`);
      writeFileSync(file, yaml);
      return file;
    });
    const result = validate(files);
    expect([result.status, result.output]).toEqual([0, expect.any(String)]);
    expect(result.output.match(/ passed for resource /g)).toHaveLength(files.length);
  });

  it('passes the workload `manifests pod` prints for every test pool', () => {
    const files = Object.entries(POOL_SPECS).map(([name, spec]) => {
      const snippet = podSnippet(poolWorkloadProfile(spec));
      if ('error' in snippet) throw new Error(`${name}: ${snippet.error}`);
      const file = path.join(dir, `pod-${name}.yaml`);
      writeFileSync(file, snippet.yaml);
      return file;
    });
    const result = validate(files);
    expect([result.status, result.output]).toEqual([0, expect.any(String)]);
    expect(result.output.match(/ passed for resource /g)).toHaveLength(files.length);
  });

  it('passes every workload fixture marked good', () => {
    const good = readdirSync(WORKLOADS)
      .filter((f) => f.startsWith('ok-'))
      .map((f) => path.join(WORKLOADS, f));
    expect(good.length).toBeGreaterThanOrEqual(3);
    const documents = good.reduce((n, f) => n + readFileSync(f, 'utf8').split(/^---$/m).length, 0);
    const result = validate(good);
    expect([result.status, result.output]).toEqual([0, expect.any(String)]);
    expect(result.output.match(/ passed for resource /g)).toHaveLength(documents);
  });

  it('fails a Deployment without spec.selector, so the check above can fail', () => {
    const file = path.join(dir, 'no-selector.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: x}',
        'spec:',
        '  template:',
        '    metadata: {labels: {app: x}}',
        '    spec: {containers: [{name: x, image: x}]}',
        '',
      ].join('\n'),
    );
    const result = validate([file]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('selector');
  });
});
