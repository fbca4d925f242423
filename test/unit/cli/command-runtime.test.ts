import { PassThrough } from 'node:stream';
import {
  ask,
  parseCommandArgs,
  parseSeconds,
  parseStoreKind,
  parseVariableOverrides,
  storeLocation,
} from '../../../lib/cli/command-runtime';
import { resolveResourceNames } from '../../../lib/config';
import { UsageError } from '../../../lib/errors';

describe('command runtime', () => {
  it('turns parseArgs errors into one-line usage errors', () => {
    expect(() => parseCommandArgs(['--nope'], { a: { type: 'string' } })).toThrow(UsageError);
    expect(() => parseCommandArgs(['x'], {}, false)).toThrow(/Unexpected argument 'x'/);
    const { values, positionals } = parseCommandArgs(['p', '-o', 'json', '--debug'], {
      output: { type: 'string', short: 'o' },
    });
    expect(values.output).toBe('json');
    expect(positionals).toEqual(['p']);
  });

  it.each([
    [undefined, 7],
    ['30', 30],
    ['30s', 30],
    ['1.5m', 90],
    ['2h', 7200],
    ['500ms', 0.5],
  ])('parseSeconds(%p) → %p', (value, seconds) => {
    expect(parseSeconds('--timeout', value, 7)).toBe(seconds);
  });

  it('refuses durations it cannot read', () => {
    expect(() => parseSeconds('--timeout', 'soon', 1)).toThrow(
      '--timeout soon is not a duration; write seconds (30) or 30s, 10m, 2h',
    );
    expect(() => parseSeconds('--interval', '0', 1)).toThrow('--interval must be more than 0');
  });

  it('reads --var assignments', () => {
    expect(parseVariableOverrides(['A=1', 'B=x=y'])).toEqual({ A: '1', B: 'x=y' });
    expect(parseVariableOverrides(undefined)).toEqual({});
    expect(() => parseVariableOverrides(['1A=2'])).toThrow('--var expects NAME=VALUE');
    expect(() => parseVariableOverrides(['A'])).toThrow('--var expects NAME=VALUE');
  });

  it('picks the store from the flag, then ENCLAVE_POOLS_STORE, then s3', () => {
    expect(parseStoreKind('dynamodb', {})).toBe('dynamodb');
    expect(parseStoreKind(undefined, { ENCLAVE_POOLS_STORE: 'dynamodb' })).toBe('dynamodb');
    expect(parseStoreKind(undefined, {})).toBe('s3');
    expect(() => parseStoreKind('redis', {})).toThrow(
      '--store redis is not a spec store; use s3 or dynamodb',
    );
  });

  it('names store locations from the resource names', () => {
    const names = resolveResourceNames({ STAGE: 'prod' });
    expect(storeLocation('s3', names)).toBe('s3://enclave-pools-prod-specs/pools/');
    expect(storeLocation('dynamodb', names)).toBe('dynamodb://enclave-pools-prod-specs');
  });
});

describe('ask', () => {
  const io = (stdin?: NodeJS.ReadableStream & { isTTY?: boolean }) => {
    let err = '';
    const context = {
      io: {
        stdout: { write: () => true },
        stderr: { write: (s: string) => (err += s) },
        env: {},
        ...(stdin ? { stdin } : {}),
      },
      services: {
        awsClients: () => {
          throw new Error('no AWS here');
        },
      },
      debug: false,
    };
    return { context, err: () => err };
  };

  it('reads the answer from a terminal and prints the question on stderr', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const { context, err } = io(stdin);
    const answer = ask(context, 'Delete? [y/N] ');
    stdin.write('yes\n');
    expect(await answer).toBe('yes');
    expect(err()).toBe('Delete? [y/N] ');
  });

  it('takes the end of input for no answer', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const answer = ask(io(stdin).context, 'Delete? ');
    stdin.end();
    expect(await answer).toBe('');
  });

  it('asks no one when stdin is not a terminal', async () => {
    expect(await ask(io(new PassThrough()).context, 'Delete? ')).toBeUndefined();
    expect(await ask(io().context, 'Delete? ')).toBeUndefined();
  });
});
