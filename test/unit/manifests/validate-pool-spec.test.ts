// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is pool-spec placeholder text, not a template
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allowListFromEnvironment } from '../../../lib/manifests/deployment-allow-list';
import { variablesFromEnvironment } from '../../../lib/manifests/deployment-variables';
import { validatePoolSpec, validatePoolSpecBytes } from '../../../lib/manifests/validate-pool-spec';
import { DEFAULT_NODE_ROLE_NAME, type PoolSpec } from '../../../lib/pool-spec';
import { SEED_JSON } from '../../fixtures/specs/hostile-cases';
import { seedPoolSpec } from '../../support/pool-spec-fixture';

const VALID = path.join(__dirname, '..', '..', 'fixtures', 'specs', 'valid');
const read = (name: string) => readFileSync(path.join(VALID, name), 'utf8');
const SEED = read('seed-pool.yaml');
const variables = { KUBERNETES_VERSION: '1.35' };

function validSpec(text: string, vars: Record<string, string> = variables, poolId?: string): PoolSpec {
  const result = validatePoolSpec(text, { variables: vars, ...(poolId ? { poolId } : {}) });
  expect(result.violations).toEqual([]);
  if (!result.spec) throw new Error('expected a spec');
  return result.spec;
}

describe('validatePoolSpec on the seed example', () => {
  it('validates clean and fills every PoolSpec field with its default', () => {
    const spec = validSpec(SEED, variables, 'my-node-pool');
    // seedPoolSpec() is the seed's meaning spelt out field by field (test/support/pool-spec-fixture.ts);
    // this is the test that holds the fixture to the parser.
    expect(spec).toEqual({
      ...seedPoolSpec(),
      manifestNames: {
        machinePool: 'my-node-pool',
        infrastructure: 'my-node-pool',
        bootstrap: 'my-node-pool-bootstrap',
      },
    });
  });

  it('reads the same spec from the JSON array form, the JSON List form and a YAML List', () => {
    const yaml = validSpec(SEED);
    expect(validSpec(JSON.stringify(SEED_JSON()))).toEqual(yaml);
    expect(
      validSpec(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: SEED_JSON() }, null, 2)),
    ).toEqual(yaml);
    expect(validSpec(read('list-form.yaml'))).toEqual(yaml);
  });

  it('returns the live-rule input with precise paths to the allocator commands', () => {
    const { liveInput } = validatePoolSpec(SEED, { variables });
    expect(liveInput).toMatchObject({
      clusterName: 'my-cluster',
      instanceType: 'm5.xlarge',
      enclavesEnabled: true,
      allocator: { cpuCount: 2, memoryMib: 768 },
      paths: {
        allocatorCpu: 'NodeadmConfig/my-node-pool-bootstrap: spec.preNodeadmCommands[1]',
        allocatorMemory: 'NodeadmConfig/my-node-pool-bootstrap: spec.preNodeadmCommands[2]',
      },
    });
  });

  it('keeps the live-rule input when offline rules fail, but withholds the spec', () => {
    const result = validatePoolSpec(SEED.replace('amiType: CUSTOM', 'amiType: AL2_x86_64'), { variables });
    expect(result.spec).toBeUndefined();
    expect(result.violations.map((v) => v.rule)).toEqual(['AmiTypeMustBeCustom']);
    expect(result.liveInput?.instanceType).toBe('m5.xlarge');
  });

  it('returns the spec when there are only warnings', () => {
    const result = validatePoolSpec(
      SEED.replace(
        'systemctl enable --now nitro-enclaves-allocator.service',
        'systemctl start nitro-enclaves-allocator.service',
      ),
      { variables },
    );
    expect(result.violations.map((v) => [v.rule, v.severity])).toEqual([
      ['AllocatorNotPersistent', 'Warning'],
    ]);
    expect(result.spec?.name).toBe('my-node-pool');
  });

  it('refuses an enclave pool without the device-plugin label: the plugin would never land (Error, no spec)', () => {
    const result = validatePoolSpec(SEED.replace('aws-nitro-enclaves-k8s-dp: enabled', 'team: payments'), {
      variables,
    });
    expect(result.spec).toBeUndefined();
    expect(result.violations).toEqual([
      {
        rule: 'DevicePluginLabelMissing',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: spec.labels.aws-nitro-enclaves-k8s-dp',
        value: undefined,
        message:
          'spec.labels has no aws-nitro-enclaves-k8s-dp; the Nitro Enclaves device plugin DaemonSet only runs on nodes ' +
          'labelled aws-nitro-enclaves-k8s-dp: enabled, so without it the plugin never lands and pods never get ' +
          'aws.ec2.nitro/nitro_enclaves: add aws-nitro-enclaves-k8s-dp: enabled to spec.labels, or, if your DaemonSet ' +
          'selects on another label, name it with annotation enclave-pools.aws/device-plugin-selector: "key=value" and ' +
          'set that label',
      },
    ]);
  });
});

describe('device-plugin selector annotation', () => {
  const withSelector = (selector: string, label: string) =>
    SEED.replace(
      'kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n',
      `kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n  annotations:\n    enclave-pools.aws/device-plugin-selector: "${selector}"\n`,
    ).replace('aws-nitro-enclaves-k8s-dp: enabled', label);

  it('accepts a pool whose own DaemonSet selects on another label, and the pool carries that label', () => {
    const spec = validSpec(withSelector('example.com/enclaves=on', 'example.com/enclaves: "on"'));
    expect(spec.devicePluginSelector).toEqual({ key: 'example.com/enclaves', value: 'on' });
    expect(spec.labels).toEqual({ 'example.com/enclaves': 'on' });
  });

  it('is an Error when the named label is not on the pool', () => {
    const result = validatePoolSpec(withSelector('example.com/enclaves=on', 'team: payments'), { variables });
    expect(result.spec).toBeUndefined();
    expect(result.violations).toEqual([
      {
        rule: 'DevicePluginLabelMissing',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: spec.labels["example.com/enclaves"]',
        value: undefined,
        message:
          'spec.labels has no example.com/enclaves, but annotation enclave-pools.aws/device-plugin-selector says ' +
          'your device-plugin DaemonSet selects on example.com/enclaves=on, so the plugin never lands on these nodes ' +
          'and pods never get aws.ec2.nitro/nitro_enclaves: add example.com/enclaves: on to spec.labels (a label set ' +
          'by hand is lost when nodes are replaced)',
      },
    ]);
  });

  it('refuses a selector that is not key=value, naming the annotation, the value and the form', () => {
    const result = validatePoolSpec(withSelector('example.com/enclaves', 'example.com/enclaves: "on"'), {
      variables,
    });
    expect(result.violations).toEqual([
      {
        rule: 'InvalidFieldValue',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: metadata.annotations["enclave-pools.aws/device-plugin-selector"]',
        value: 'example.com/enclaves',
        message:
          'annotation enclave-pools.aws/device-plugin-selector on AWSManagedMachinePool/my-node-pool is ' +
          '"example.com/enclaves"; it is not of the form key=value; write the node label your device-plugin ' +
          'DaemonSet selects on as key=value, e.g. "example.com/enclaves=on"',
      },
    ]);
  });
});

describe('enclave-mode annotation', () => {
  it('defaults to device-plugin', () => {
    expect(validSpec(SEED).enclaveMode).toBe('device-plugin');
  });

  it('refuses a mode it does not know, naming both modes', () => {
    const text = SEED.replace(
      'kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n',
      'kind: AWSManagedMachinePool\nmetadata:\n  name: my-node-pool\n  annotations:\n    enclave-pools.aws/enclave-mode: sandbox\n',
    );
    expect(validatePoolSpec(text, { variables }).violations).toEqual([
      {
        rule: 'InvalidFieldValue',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: metadata.annotations["enclave-pools.aws/enclave-mode"]',
        value: 'sandbox',
        message:
          'annotation enclave-pools.aws/enclave-mode on AWSManagedMachinePool/my-node-pool is "sandbox"; write ' +
          '"device-plugin" or "nitro-sandbox"',
      },
    ]);
  });
});

describe('enclaveOptions normalisation', () => {
  const withoutEnclaves = (options: string) =>
    SEED.replace('  labels:\n    aws-nitro-enclaves-k8s-dp: enabled\n', '')
      .replace('    enclaveOptions:\n      enabled: true\n', options)
      .replace(/ {4}- 'sed[^\n]*\n/g, '')
      .replace('    - systemctl enable --now nitro-enclaves-allocator.service\n', '');

  it('treats enabled: false, {} and an absent block as the same spec', () => {
    const disabled = validSpec(withoutEnclaves('    enclaveOptions:\n      enabled: false\n'));
    const empty = validSpec(withoutEnclaves('    enclaveOptions: {}\n'));
    const absent = validSpec(withoutEnclaves(''));
    const nulled = validSpec(withoutEnclaves('    enclaveOptions:\n'));
    expect(disabled.launchTemplate.enclavesEnabled).toBe(false);
    expect(empty).toEqual(disabled);
    expect(absent).toEqual(disabled);
    expect(nulled).toEqual(disabled);
  });
});

describe('the full-featured fixture', () => {
  const vars = variablesFromEnvironment({
    NODE_COUNT: '3',
    SPEC_VARIABLES: 'NODE_COUNT',
    AWS_SECRET_ACCESS_KEY: 'never',
  });

  it('maps every field, the structured allocator and the v1beta2 references', () => {
    const spec = validSpec(read('full-featured.yaml'), vars, 'payments-enclaves');
    expect(spec).toMatchObject({
      name: 'payments-enclaves',
      clusterName: 'my-cluster',
      kubernetesVersion: 'v1.35.2',
      replicas: 3,
      scaling: { minSize: 2, maxSize: 6 },
      nodegroupName: 'payments_enclaves_v2',
      capacityType: 'SPOT',
      nodeRoleName: 'payments-node-role',
      subnetIds: ['subnet-0a1b2c3d4e5f60718'],
      taints: [{ key: 'example.com/enclaves', value: 'true', effect: 'PREFER_NO_SCHEDULE' }],
      additionalTags: { 'cost-center': '4711' },
      updateConfig: { maxUnavailablePercentage: 25, updateStrategy: 'MINIMAL' },
      forceUpdate: true,
      policies: {
        rollback: 'on-failure',
        roll: 'manual',
        drift: 'report',
        maintenanceWindow: {
          text: 'Mon-Fri 22:00-02:00 UTC',
          days: [1, 2, 3, 4, 5],
          startMinute: 22 * 60,
          lengthMinutes: 4 * 60,
        },
      },
      launchTemplate: {
        instanceType: 'm6i.2xlarge',
        ami: { kind: 'id', id: 'ami-0123456789abcdef0' },
        enclavesEnabled: true,
        sshKeyName: 'payments-admin',
        securityGroupIds: ['sg-0123456789abcdef0'],
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 3, httpEndpoint: 'enabled' },
        rootVolume: { sizeGiB: 80, type: 'gp3', encrypted: true },
      },
      bootstrap: {
        allocator: { cpuPool: '2,3,6,7', memoryMib: 2048 },
        kubelet: { flags: ['--max-pods=58'], config: { shutdownGracePeriod: '30s' } },
      },
    });
    expect(spec.bootstrap.preNodeadmCommands).toEqual([
      'echo "bootstrapping $(hostname)" > /var/log/pool-bootstrap.log',
      'dnf install -y aws-nitro-enclaves-cli',
      "printf '%s\\n' '---' 'memory_mib: 2048' 'cpu_pool: 2,3,6,7' > /etc/nitro_enclaves/allocator.yaml",
      'systemctl enable --now nitro-enclaves-allocator.service',
    ]);
  });

  it('turns an unquoted whole-value placeholder into a number, like text substitution would', () => {
    expect(validSpec(read('full-featured.yaml'), vars).replicas).toBe(3);
  });

  it('reports a missing NODE_COUNT once, naming the field', () => {
    const result = validatePoolSpec(read('full-featured.yaml'), { variables: {} });
    expect(result.violations.map((v) => [v.rule, v.path])).toEqual([
      ['VariableUnset', 'MachinePool/payments-enclaves: spec.replicas'],
    ]);
  });
});

describe('defaults and derived values', () => {
  it('uses a placeholder default when the variable is unset', () => {
    const text = SEED.replace('"${KUBERNETES_VERSION}"', '"${KUBERNETES_VERSION:=1.34}"');
    expect(validSpec(text, {}).kubernetesVersion).toBe('1.34');
    expect(validSpec(text, { KUBERNETES_VERSION: '1.36' }).kubernetesVersion).toBe('1.36');
  });

  it.each([
    ['replicas 0 without scaling', 'replicas: 0', '', { replicas: 0, minSize: 0, maxSize: 1 }],
    ['only maxSize', 'replicas: 2', '  scaling:\n    maxSize: 5\n', { replicas: 2, minSize: 2, maxSize: 5 }],
    ['only minSize', 'replicas: 2', '  scaling:\n    minSize: 1\n', { replicas: 2, minSize: 1, maxSize: 2 }],
    ['no replicas', 'replicas: 1', '', { replicas: 1, minSize: 1, maxSize: 1 }],
  ])('scaling: %s', (_name, replicas, scaling, expected) => {
    const text = SEED.replace('replicas: 1', replicas).replace(
      '  amiType: CUSTOM\n',
      `  amiType: CUSTOM\n${scaling}`,
    );
    const spec = validSpec(text);
    expect({ replicas: spec.replicas, ...spec.scaling }).toEqual(expected);
  });

  it('defaults amiType to CUSTOM and the AMI to the AL2023 lookup when both are omitted', () => {
    const spec = validSpec(
      SEED.replace('  amiType: CUSTOM\n', '').replace('    ami:\n      eksLookupType: AmazonLinux2023\n', ''),
    );
    expect(spec.amiType).toBe('CUSTOM');
    expect(spec.launchTemplate.ami).toEqual({ kind: 'eksLookup', lookupType: 'AmazonLinux2023' });
  });

  it('accepts a manifest exported from a cluster (status and server-set metadata)', () => {
    const exported = SEED.replace(
      'metadata:\n  name: my-node-pool\nspec:\n  amiType',
      'metadata:\n  name: my-node-pool\n  uid: 0b5d\n  resourceVersion: "42"\n  generation: 3\nspec:\n  providerIDList: []\n  amiType',
    ).concat('status:\n  ready: true\n');
    expect(validSpec(exported).name).toBe('my-node-pool');
  });

  it('rejects a pool id that is not the MachinePool name', () => {
    const result = validatePoolSpec(SEED, { variables, poolId: 'other' });
    expect(result.violations.map((v) => v.rule)).toEqual(['PoolNameMismatch']);
  });

  it('rejects a pool id that could never be a node group name', () => {
    const result = validatePoolSpec(SEED, { variables, poolId: 'Bad_Id' });
    expect(result.violations.map((v) => v.rule).sort()).toEqual(['InvalidPoolName', 'PoolNameMismatch']);
  });

  it('reads bytes with a byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SEED)]);
    expect(validatePoolSpecBytes(bytes, { variables }).violations).toEqual([]);
  });

  it('reports at most 20 violations of one rule, then how many more', () => {
    const bogus = Array.from({ length: 50 }, (_, i) => `  bogus${i}: 1\n`).join('');
    const result = validatePoolSpec(
      SEED.replace('  amiType: CUSTOM\n', () => `  amiType: CUSTOM\n${bogus}`),
      { variables },
    );
    expect(result.violations).toHaveLength(21);
    expect(result.violations[20]).toMatchObject({ rule: 'UnknownField', path: 'document', value: 30 });
    expect(result.violations[20]?.message).toBe(
      '30 more UnknownField violations are not shown; fix the ones above and validate again',
    );
  });

  it('keeps $VAR and $${VAR} for the shell on the node', () => {
    const text = SEED.replace(
      '    - dnf install -y aws-nitro-enclaves-cli\n',
      () => "    - dnf install -y aws-nitro-enclaves-cli\n    - 'echo $HOME $${PATH} >> /root/env'\n",
    );
    expect(validSpec(text).bootstrap.preNodeadmCommands[1]).toBe('echo $HOME ${PATH} >> /root/env');
  });
});

describe("the deployment's allow-lists (ALLOWED_CLUSTERS, ALLOWED_NODE_ROLES)", () => {
  const allowList = (env: Record<string, string>) => allowListFromEnvironment(env);

  it('refuses a cluster outside allowedClusters, naming the field, the value, the list and the fix', () => {
    const result = validatePoolSpec(SEED, {
      variables,
      allowList: allowList({ ALLOWED_CLUSTERS: 'prod-a, prod-b' }),
    });
    expect(result.spec).toBeUndefined();
    // Nothing is read about a cluster the deployment may not touch.
    expect(result.liveInput).toBeUndefined();
    expect(result.violations).toEqual([
      {
        rule: 'ClusterNotAllowed',
        severity: 'Error',
        path: 'MachinePool/my-node-pool: spec.clusterName',
        value: 'my-cluster',
        message:
          'spec.clusterName is "my-cluster", and this deployment only lets specs name the clusters prod-a, prod-b ' +
          '(serverless.yml param allowedClusters, ALLOWED_CLUSTERS); name one of those, or ask the operator to add ' +
          'the cluster to allowedClusters and deploy again',
      },
    ]);
  });

  it('refuses the default node role when allowedNodeRoles does not list it, and says it is the default', () => {
    const result = validatePoolSpec(SEED, {
      variables,
      allowList: allowList({ ALLOWED_NODE_ROLES: 'prod-enclave-nodes' }),
    });
    expect(result.violations).toEqual([
      {
        rule: 'NodeRoleNotAllowed',
        severity: 'Error',
        path: 'AWSManagedMachinePool/my-node-pool: spec.roleName',
        value: DEFAULT_NODE_ROLE_NAME,
        message:
          `spec.roleName is not set, so the node role is the default "${DEFAULT_NODE_ROLE_NAME}", and this ` +
          'deployment only lets node groups use the roles prod-enclave-nodes (serverless.yml param ' +
          'allowedNodeRoles, ALLOWED_NODE_ROLES); set spec.roleName to one of those, or ask the operator to add ' +
          'the role to allowedNodeRoles and deploy again',
      },
    ]);
  });

  it('matches IAM wildcards, and the serverless.yml defaults let the seed through', () => {
    const named = SEED.replace('  amiType: CUSTOM\n', '  amiType: CUSTOM\n  roleName: prod-enclave-nodes\n');
    expect(
      validatePoolSpec(named, {
        variables,
        allowList: allowList({ ALLOWED_CLUSTERS: 'my-c?uster', ALLOWED_NODE_ROLES: 'prod-*' }),
      }).violations,
    ).toEqual([]);
    expect(
      validatePoolSpec(SEED, {
        variables,
        allowList: allowList({
          ALLOWED_CLUSTERS: '*',
          ALLOWED_NODE_ROLES: 'eks-nodegroup.cluster-api-provider-aws.sigs.k8s.io',
        }),
      }).violations,
    ).toEqual([]);
    expect(validatePoolSpec(SEED, { variables, allowList: allowList({}) }).violations).toEqual([]);
    // "." in a pattern is a dot, not "any character".
    expect(
      validatePoolSpec(SEED, {
        variables,
        allowList: allowList({ ALLOWED_CLUSTERS: 'my.cluster' }),
      }).violations.map((v) => v.rule),
    ).toEqual(['ClusterNotAllowed']);
  });
});

describe('DocumentTooLarge states the stored object size', () => {
  it('names the real size when the store read only the first 1 MiB + 1 byte', () => {
    const cut = 'a'.repeat(1024 * 1024 + 1);
    const result = validatePoolSpec(cut, { variables, sizeBytes: 5_000_000 });
    expect(result.violations.map((v) => [v.rule, v.value])).toEqual([['DocumentTooLarge', 5_000_000]]);
    expect(result.violations[0]?.message).toMatch(/^the document is 5000000 bytes, over the 1048576-byte/);
  });
});
