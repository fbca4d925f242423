import { parse, parseAllDocuments } from 'yaml';
import {
  boundaryCollisions,
  completeClusterFacts,
  registrationFlags,
  renderUserData,
  USER_DATA_BOUNDARY,
} from '../../../lib/render/user-data';
import { CLUSTER_FACTS, SEED_COMMANDS, seedPoolSpec } from '../../support/pool-spec-fixture';

const FACTS = {
  name: 'my-cluster',
  endpoint: CLUSTER_FACTS.endpoint ?? '',
  certificateAuthority: CLUSTER_FACTS.certificateAuthority ?? '',
  serviceCidr: '10.100.0.0/16',
};

interface Part {
  headers: Record<string, string>;
  body: string;
}

/** Splits a multipart document the way a MIME reader does: on lines equal to the delimiters. */
function parseMultipart(text: string): { headers: Record<string, string>; parts: Part[]; closed: boolean } {
  const lines = text.split('\n');
  const delimiter = `--${USER_DATA_BOUNDARY}`;
  const readHeaders = (block: string[]) =>
    Object.fromEntries(
      block.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
  const firstBlank = lines.indexOf('');
  const headers = readHeaders(lines.slice(0, firstBlank));
  const parts: Part[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines.slice(firstBlank)) {
    if (line === delimiter || line === `${delimiter}--`) {
      if (current) {
        const blank = current.indexOf('');
        parts.push({
          headers: readHeaders(current.slice(0, blank)),
          body: current.slice(blank + 1).join('\n'),
        });
      }
      if (line === `${delimiter}--`) {
        closed = true;
        break;
      }
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  return { headers, parts, closed };
}

describe('renderUserData', () => {
  it('renders a shell part with strict mode and the commands, then a complete NodeConfig, closed properly', () => {
    // Prepare
    const spec = seedPoolSpec();

    // Act
    const text = renderUserData(spec, FACTS);
    const doc = parseMultipart(text);

    // Assess
    expect(doc.headers['content-type']).toBe(`multipart/mixed; boundary="${USER_DATA_BOUNDARY}"`);
    expect(doc.headers['mime-version']).toBe('1.0');
    expect(doc.closed).toBe(true);
    expect(text.endsWith(`--${USER_DATA_BOUNDARY}--\n`)).toBe(true);
    expect(doc.parts).toHaveLength(2);
    const [shell, nodeConfig] = doc.parts;
    expect(shell?.headers['content-type']).toBe('text/x-shellscript; charset="us-ascii"');
    expect(shell?.body.trimEnd().split('\n')).toEqual([
      '#!/bin/bash',
      'set -o errexit -o nounset -o pipefail',
      ...SEED_COMMANDS,
    ]);
    expect(nodeConfig?.headers['content-type']).toBe('application/node.eks.aws');
    const parsed = parseAllDocuments(nodeConfig?.body ?? '').map((d) => d.toJS());
    expect(parsed).toEqual([
      {
        apiVersion: 'node.eks.aws/v1alpha1',
        kind: 'NodeConfig',
        spec: {
          cluster: {
            name: 'my-cluster',
            apiServerEndpoint: FACTS.endpoint,
            certificateAuthority: FACTS.certificateAuthority,
            cidr: '10.100.0.0/16',
          },
          kubelet: {
            flags: ['--node-labels=aws-nitro-enclaves-k8s-dp=enabled,enclave-pools.aws/pool=my-node-pool'],
          },
        },
      },
    ]);
  });

  it('renders the same bytes for the same input', () => {
    expect(renderUserData(seedPoolSpec(), FACTS)).toBe(renderUserData(seedPoolSpec(), FACTS));
  });

  it('omits the shell part when there are no commands', () => {
    const spec = seedPoolSpec({ bootstrap: { preNodeadmCommands: [] } });
    const doc = parseMultipart(renderUserData(spec, FACTS));
    expect(doc.parts.map((p) => p.headers['content-type'])).toEqual(['application/node.eks.aws']);
  });

  it('declares utf-8 for commands that are not ASCII', () => {
    const spec = seedPoolSpec({ bootstrap: { preNodeadmCommands: ['echo "héllo"'] } });
    const [shell] = parseMultipart(renderUserData(spec, FACTS)).parts;
    expect(shell?.headers['content-type']).toBe('text/x-shellscript; charset="utf-8"');
    expect(shell?.headers['content-transfer-encoding']).toBe('8bit');
  });

  it('keeps kubelet config and flags from the spec, ahead of the registration flags', () => {
    const spec = seedPoolSpec({
      taints: [{ key: 'enclave', value: 'true', effect: 'NO_SCHEDULE' }],
      bootstrap: {
        preNodeadmCommands: SEED_COMMANDS,
        kubelet: { flags: ['--v=2'], config: { maxPods: 58 } },
      },
    });
    const nodeConfig = parseMultipart(renderUserData(spec, FACTS)).parts[1];
    const parsed = parse((nodeConfig?.body ?? '').replace(/^---\n/, ''));
    expect(parsed.spec.kubelet).toEqual({
      config: { maxPods: 58 },
      flags: [
        '--v=2',
        '--node-labels=aws-nitro-enclaves-k8s-dp=enabled,enclave-pools.aws/pool=my-node-pool',
        '--register-with-taints=enclave=true:NoSchedule',
      ],
    });
  });
});

describe('nitro-sandbox nodes', () => {
  const kubeletFlags = (spec: ReturnType<typeof seedPoolSpec>) => {
    const nodeConfig = parseMultipart(renderUserData(spec, FACTS)).parts.find((part) =>
      part.headers['content-type']?.startsWith('application/node.eks.aws'),
    );
    return parse((nodeConfig?.body ?? '').replace(/^---\n/, '')).spec.kubelet.flags;
  };

  it('register with eks.amazonaws.com/nitro-sandbox=true (the EKS node group API refuses that prefix)', () => {
    const spec = seedPoolSpec({
      enclaveMode: 'nitro-sandbox',
      labels: {},
      launchTemplate: { ...seedPoolSpec().launchTemplate, ami: { kind: 'id', id: 'ami-0123456789abcdef0' } },
      bootstrap: { preNodeadmCommands: [] },
    });
    expect(kubeletFlags(spec)).toEqual([
      '--node-labels=eks.amazonaws.com/nitro-sandbox=true,enclave-pools.aws/pool=my-node-pool',
    ]);
  });

  it('is not a label of device-plugin nodes', () => {
    expect(kubeletFlags(seedPoolSpec())).toEqual([
      '--node-labels=aws-nitro-enclaves-k8s-dp=enabled,enclave-pools.aws/pool=my-node-pool',
    ]);
  });
});

describe('registrationFlags', () => {
  it('passes labels sorted, leaves kubernetes.io and k8s.io labels to EKS, and formats taints for kubelet', () => {
    const flags = registrationFlags({
      labels: {
        zeta: '1',
        'aws-nitro-enclaves-k8s-dp': 'enabled',
        'node-role.kubernetes.io/enclave': '',
        'example.k8s.io/x': 'y',
        'team.example.com/owner': 'platform',
      },
      taints: [
        { key: 'dedicated', effect: 'NO_EXECUTE' },
        { key: 'enclave', value: 'true', effect: 'PREFER_NO_SCHEDULE' },
      ],
    });
    expect(flags).toEqual([
      '--node-labels=aws-nitro-enclaves-k8s-dp=enabled,team.example.com/owner=platform,zeta=1',
      '--register-with-taints=dedicated:NoExecute,enclave=true:PreferNoSchedule',
    ]);
  });

  it('adds nothing when there are no labels or taints', () => {
    expect(registrationFlags({ labels: {}, taints: [] })).toEqual([]);
  });
});

describe('completeClusterFacts', () => {
  it('takes the service CIDR from the cluster, IPv6 when that is all there is', () => {
    const result = completeClusterFacts(
      { ...CLUSTER_FACTS, serviceIpv4Cidr: undefined, serviceIpv6Cidr: 'fd00::/108' },
      'my-cluster',
    );
    expect(result).toEqual({ facts: expect.objectContaining({ serviceCidr: 'fd00::/108' }) });
  });

  it('never guesses a missing CIDR, endpoint or CA: it names each', () => {
    const result = completeClusterFacts(
      { name: 'my-cluster', status: 'CREATING', subnetIds: [] },
      'my-cluster',
    );
    expect('violations' in result && result.violations.map((v) => [v.rule, v.path])).toEqual([
      ['ClusterNotReady', 'Cluster/my-cluster: endpoint'],
      ['ClusterNotReady', 'Cluster/my-cluster: certificateAuthority.data'],
      ['ClusterNotReady', 'Cluster/my-cluster: kubernetesNetworkConfig.serviceIpv4Cidr'],
    ]);
  });

  it('reports a cluster that does not exist', () => {
    const result = completeClusterFacts(undefined, 'nope');
    expect('violations' in result && result.violations[0]?.rule).toBe('ClusterNotFound');
  });
});

describe('boundaryCollisions', () => {
  it('refuses a command line that a MIME reader would take for a boundary', () => {
    const spec = seedPoolSpec({
      bootstrap: { preNodeadmCommands: ['echo ok', `cat <<EOF\n--${USER_DATA_BOUNDARY}\nEOF`] },
    });
    expect(boundaryCollisions(spec)).toEqual([
      expect.objectContaining({
        rule: 'UserDataBoundaryCollision',
        path: 'NodeadmConfig: spec.preNodeadmCommands[1]',
      }),
    ]);
    expect(boundaryCollisions(seedPoolSpec())).toEqual([]);
  });
});
