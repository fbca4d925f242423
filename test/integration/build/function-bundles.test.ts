/**
 * The deployment artifacts `osls package` writes (npm test packages before jest runs; a stale or
 * missing package is rebuilt here): each function carries only what it calls, no source map, and
 * stays within the size budget of docs/decisions/0080-lean-build.md. Sizes are deterministic
 * (same sources, same lockfile, same bytes), so they are asserted; init times are only published.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { olderThanSources, PROJECT_ROOT as ROOT } from '../../support/build-freshness';
import { zipEntries } from '../../support/zip-entries';

jest.setTimeout(180000);

const ARTIFACTS = join(ROOT, '.serverless');
const MB = 1_000_000;

beforeAll(() => {
  const artifacts = ['.serverless/reconcile.zip', '.serverless/resync.zip'];
  if (olderThanSources(artifacts, ['lib', 'functions', 'serverless.yml', 'package-lock.json'])) {
    // Packaged as deployed by default: without SOURCE_MAP.
    const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };
    delete env.SOURCE_MAP;
    execFileSync(join(ROOT, 'node_modules/.bin/osls'), ['package'], { cwd: ROOT, env, stdio: 'pipe' });
  }
});

function artifact(name: string) {
  const archive = readFileSync(join(ARTIFACTS, name));
  return { bytes: archive.length, entries: zipEntries(archive) };
}

describe('function artifacts', () => {
  it('reconcile.zip is one minified handler without a source map, at most 0.5 MB', () => {
    const { bytes, entries } = artifact('reconcile.zip');
    expect(entries.map((e) => e.name)).toEqual(['functions/reconcile-queue.js']);
    const code = entries[0]?.content().toString('utf8') ?? '';
    expect(code).not.toContain('sourceMappingURL');
    // The clients the pass calls are in; the local stack's EventBridge and Streams clients are not.
    expect(code).toContain('DescribeNodegroup');
    expect(code).not.toContain('PutEvents');
    expect(code).not.toContain('GetShardIterator');
    expect(bytes).toBeLessThanOrEqual(0.5 * MB);
  });

  it('resync.zip lists and enqueues without the reconcile graph, at most 0.3 MB', () => {
    const { bytes, entries } = artifact('resync.zip');
    expect(entries.map((e) => e.name)).toEqual(['functions/resync.js']);
    const code = entries[0]?.content().toString('utf8') ?? '';
    expect(code).not.toContain('sourceMappingURL');
    expect(code).toContain('SendMessageBatch');
    for (const absent of [
      'DescribeNodegroup',
      'DescribeInstanceTypes',
      'CreateLaunchTemplateVersion',
      'GetParameter',
      // The YAML parser: the stores take the size limit from store-format.ts, not pool-document.ts.
      'tag:yaml.org,2002:',
    ])
      expect(code).not.toContain(absent);
    expect(bytes).toBeLessThanOrEqual(0.3 * MB);
  });
});
