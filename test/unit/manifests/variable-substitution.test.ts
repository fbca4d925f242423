// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is pool-spec placeholder text, not a template
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { variablesFromEnvironment } from '../../../lib/manifests/deployment-variables';
import { parsePoolDocument } from '../../../lib/manifests/pool-document';
import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';
import { expandPlaceholders, substituteVariables } from '../../../lib/manifests/variable-substitution';

describe('expandPlaceholders (clusterctl / drone-envsubst semantics)', () => {
  const vars = { SET: 'value', EMPTY: '', OTHER: 'other' };

  it.each([
    ['${SET}', 'value'],
    ['${EMPTY}', ''],
    ['${ SET }', 'value'],
    ['${SET:=d}', 'value'],
    ['${EMPTY:=d}', 'd'],
    ['${UNSET:=d}', 'd'],
    ['${UNSET=d}', 'd'],
    ['${EMPTY=d}', 'd'],
    ['${UNSET:-d}', 'd'],
    ['${UNSET-d}', 'd'],
    ['${UNSET:=}', ''],
    ['${UNSET:=${OTHER}}', 'other'],
    ['${UNSET:=a-${OTHER}-b}', 'a-other-b'],
    ['x${SET}y${OTHER}z', 'xvalueyotherz'],
    ['$${SET}', '${SET}'],
    ['$SET stays for the shell', '$SET stays for the shell'],
    ['$$ and $ alone', '$$ and $ alone'],
    ['no placeholders', 'no placeholders'],
    ['ünïcødé ${SET} ✓', 'ünïcødé value ✓'],
  ])('%s → %s', (input, expected) => {
    const outcome = expandPlaceholders(input, vars);
    expect(outcome).toEqual({ text: expected, unset: [], syntaxErrors: [] });
  });

  it('names every unset variable', () => {
    const outcome = expandPlaceholders('${A}-${B}-${SET}-${A}', vars);
    expect(outcome.unset).toEqual(['A', 'B', 'A']);
    expect(outcome.text).toBe('--value-');
  });

  it('reports an unset variable inside a default', () => {
    expect(expandPlaceholders('${UNSET:=${ALSO_UNSET}}', vars).unset).toEqual(['ALSO_UNSET']);
  });

  it.each([
    ['${SET^^}', 'only'],
    ['${SET:1:2}', 'only'],
    ['${SET/a/b}', 'only'],
    ['${1BAD}', 'must start with a letter'],
    ['${}', 'must start with a letter'],
    ['${SET', 'only'],
    ['${UNSET:=never closed', 'no closing'],
  ])('refuses %s', (input, reason) => {
    const outcome = expandPlaceholders(input, vars);
    expect(outcome.syntaxErrors).toHaveLength(1);
    expect(outcome.syntaxErrors[0]).toContain(reason);
  });
});

describe('substituteVariables over a parsed document', () => {
  function substitute(text: string, vars: Record<string, string>) {
    const parsed = parsePoolDocument(text);
    if (!parsed.document) throw new Error('parse failed');
    return substituteVariables(parsed.document, vars);
  }

  it('substitutes keys as well as values, and retypes only unquoted whole placeholders', () => {
    const result = substitute(
      'kind: X\nmetadata: {name: n}\nspec:\n  ${KEY}: 1\n  plain: ${NUM}\n  quoted: "${NUM}"\n  mixed: ${NUM}x\n  flag: ${BOOL}\n',
      { KEY: 'renamed', NUM: '3', BOOL: 'true' },
    );
    expect(result.violations).toEqual([]);
    expect(result.manifests[0]?.value).toEqual({
      kind: 'X',
      metadata: { name: 'n' },
      spec: { renamed: 1, plain: 3, quoted: '3', mixed: '3x', flag: true },
    });
  });

  it('never lets a variable inject YAML structure', () => {
    const result = substitute('kind: X\nmetadata: {name: n}\nspec:\n  a: ${V}\n', {
      V: '{evil: true}\nb: 2',
    });
    expect(result.manifests[0]?.value).toEqual({
      kind: 'X',
      metadata: { name: 'n' },
      spec: { a: '{evil: true}\nb: 2' },
    });
  });

  it('refuses variable values with control characters', () => {
    const result = substitute('kind: X\nmetadata: {name: n}\nspec:\n  a: ${V}\n', { V: 'bell\u0007' });
    expect(result.violations.map((v) => [v.rule, v.path])).toEqual([['InvalidFieldValue', 'X/n: spec.a']]);
  });

  it('reports each unset variable once per value, with the field path', () => {
    const result = substitute('kind: X\nmetadata: {name: n}\nspec:\n  list: ["${A}${A}", "${B}"]\n', {});
    expect(result.violations.map((v) => [v.rule, v.path, v.value])).toEqual([
      ['VariableUnset', 'X/n: spec.list[0]', '${A}'],
      ['VariableUnset', 'X/n: spec.list[1]', '${B}'],
    ]);
    expect(result.unresolvedPaths).toEqual(['X/n: spec.list[0]', 'X/n: spec.list[1]']);
  });
});

describe('variablesFromEnvironment', () => {
  it('offers only declared variables (KUBERNETES_VERSION, SPEC_VARIABLES), never credentials, plus overrides', () => {
    const vars = variablesFromEnvironment(
      {
        KUBERNETES_VERSION: '1.35',
        SPEC_VARIABLES: 'NODE_COUNT, AWS_SECRET_ACCESS_KEY MISSING',
        NODE_COUNT: '3',
        AWS_REGION: 'eu-west-1',
        AWS_SECRET_ACCESS_KEY: 'secret',
        UNDEFINED: undefined,
      },
      { EXTRA: 'yes', KUBERNETES_VERSION: '1.36' },
    );
    expect(vars).toEqual({ KUBERNETES_VERSION: '1.36', NODE_COUNT: '3', EXTRA: 'yes' });
  });

  // What a reconcile Lambda's environment really holds (runtime, credentials, our table names)
  // plus secrets an operator added under names no deny-list would guess.
  const LAMBDA_ENVIRONMENT: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEKEYID0000',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_LAMBDA_FUNCTION_NAME: 'enclave-pools-dev-reconcile',
    AWS_REGION: 'eu-west-1',
    _HANDLER: 'functions/reconcile-queue.handler',
    _X_AMZN_TRACE_ID: 'Root=1-5e1b4151-5ac6c58f5b5d4a7c8e9f0a1b',
    LAMBDA_TASK_ROOT: '/var/task',
    STATUS_TABLE: 'enclave-pools-dev-status',
    LEASE_TABLE: 'enclave-pools-dev-leases',
    SPEC_BUCKET: 'enclave-pools-dev-specs',
    DB_PASS: 'hunter2-db-pass',
    DATABASE_URL: 'postgres://app:s3cr3t-db-url@db.internal:5432/app',
    SIGNING_KEY: 'signing-key-value-0001',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXSLACK',
    KUBERNETES_VERSION: '1.35',
    SPEC_VARIABLES: '',
  };

  it.each(Object.keys(LAMBDA_ENVIRONMENT).filter((name) => name !== 'KUBERNETES_VERSION'))(
    'never substitutes %s from a realistic Lambda environment into a spec',
    (name) => {
      const vars = variablesFromEnvironment(LAMBDA_ENVIRONMENT);
      const parsed = parsePoolDocument(`kind: X\nmetadata: {name: n}\nspec:\n  value: "\${${name}}"\n`);
      if (!parsed.document) throw new Error('parse failed');
      const result = substituteVariables(parsed.document, vars);
      const rendered = JSON.stringify(result);
      for (const secret of Object.values(LAMBDA_ENVIRONMENT).filter((v) => v.length > 8)) {
        expect(rendered).not.toContain(secret);
      }
      expect(result.violations.map((v) => v.rule)).toEqual(['VariableUnset']);
    },
  );
});

describe('the realistic Lambda environment and the bootstrap commands (what becomes user data)', () => {
  const SEED = readFileSync(
    join(__dirname, '..', '..', 'fixtures', 'specs', 'valid', 'seed-pool.yaml'),
    'utf8',
  );
  const withCommand = (command: string) =>
    SEED.replace('  preNodeadmCommands:\n', `  preNodeadmCommands:\n    - '${command}'\n`);
  const ENVIRONMENT: Record<string, string> = {
    KUBERNETES_VERSION: '1.35',
    SPEC_VARIABLES: 'NODE_LABEL',
    NODE_LABEL: 'declared-value',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    STATUS_TABLE: 'enclave-pools-dev-status',
    _X_AMZN_TRACE_ID: 'Root=1-5e1b4151-5ac6c58f5b5d4a7c8e9f0a1b',
    DB_PASS: 'hunter2-db-pass',
    DATABASE_URL: 'postgres://app:s3cr3t-db-url@db.internal:5432/app',
    SIGNING_KEY: 'signing-key-value-0001',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXSLACK',
  };

  it('puts a declared variable into the bootstrap commands (the path works)', () => {
    const result = validatePoolSpec(withCommand('echo ${NODE_LABEL}'), {
      variables: variablesFromEnvironment(ENVIRONMENT),
    });
    expect(result.violations).toEqual([]);
    expect(result.spec?.bootstrap.preNodeadmCommands[0]).toBe('echo declared-value');
  });

  it.each(Object.keys(ENVIRONMENT).filter((name) => !['KUBERNETES_VERSION', 'NODE_LABEL'].includes(name)))(
    'refuses the whole spec when a bootstrap command names %s: no spec, so no user data',
    (name) => {
      const result = validatePoolSpec(withCommand(`echo \${${name}}`), {
        variables: variablesFromEnvironment(ENVIRONMENT),
      });
      expect(result.spec).toBeUndefined();
      expect(result.violations.map((v) => v.rule)).toEqual(['VariableUnset']);
      expect(JSON.stringify(result)).not.toContain(ENVIRONMENT[name]);
    },
  );
});
