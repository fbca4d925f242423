import { join } from 'node:path';
import { runCliCaptured } from '../../../support/run-cli';

const ROOT = join(__dirname, '../../../..');
const INVALID = join(ROOT, 'test/fixtures/specs/invalid/allocator-zero-cpus.yaml');
const offline = {
  env: { KUBERNETES_VERSION: '1.35' },
  services: {
    awsClients: () => {
      throw new Error('an offline check tried to create AWS clients');
    },
  },
};

describe('apply and plan refuse an invalid spec before any AWS call', () => {
  it.each([['apply'], ['plan']])('%s exits 1 with the violations', async (command) => {
    const run = await runCliCaptured([command, '-f', INVALID], offline);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ERROR \w+ /m);
    expect(run.stderr).toContain(
      `error: ${INVALID} is invalid; fix the errors above, nothing was ${command === 'apply' ? 'written' : 'planned'}`,
    );
  });

  it('names an unset placeholder variable and accepts it from --var', async () => {
    const example = join(ROOT, 'examples/enclave-pool.yaml');
    const unset = await runCliCaptured(['plan', '-f', example], {
      ...offline,
      env: { KUBERNETES_VERSION: undefined },
    });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('KUBERNETES_VERSION');
    // With the variable the offline check passes and the command moves on to AWS (refused here).
    const set = await runCliCaptured(['plan', '-f', example, '--var', 'KUBERNETES_VERSION=1.35'], {
      ...offline,
      env: {},
    });
    expect(set.stderr).toContain('an offline check tried to create AWS clients');
  });
});
