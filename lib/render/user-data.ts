import { stringify } from 'yaml';
import { type PoolSpec, registrationNodeLabels, type Taint, type Violation } from '../pool-spec';
import type { ClusterFacts } from '../rules/live-facts';
import { Rule, ruleSeverity } from '../rules/rules';

/**
 * The node's user data: a MIME multipart document that AL2023 reads twice. cloud-init runs the
 * shell part (the enclave allocator setup) in its final stage; nodeadm reads the
 * `application/node.eks.aws` NodeConfig before that and starts kubelet after it. Because the
 * launch template carries an image id, EKS merges nothing into it, so the NodeConfig must be
 * complete: cluster name, endpoint, CA and service CIDR, all read from DescribeCluster.
 *
 * The layout is fixed byte for byte (one boundary, LF line ends, parts in a fixed order) so the
 * same spec always renders the same bytes and hashes the same.
 */

/** Unusual enough that no command line starts with it; renderUserData still checks. */
export const USER_DATA_BOUNDARY = '==ENCLAVE-POOLS-BOUNDARY==';

const STRICT_MODE = 'set -o errexit -o nounset -o pipefail';

/** kubelet refuses to start when asked to self-apply labels in these namespaces (NodeRestriction). */
const KUBELET_RESTRICTED_LABEL_DOMAINS = ['kubernetes.io', 'k8s.io'];

const KUBELET_TAINT_EFFECT: Record<Taint['effect'], string> = {
  NO_SCHEDULE: 'NoSchedule',
  NO_EXECUTE: 'NoExecute',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
};

export interface CompleteClusterFacts {
  name: string;
  endpoint: string;
  certificateAuthority: string;
  serviceCidr: string;
}

/**
 * The cluster facts the NodeConfig needs, or the violations naming what DescribeCluster did not
 * return. The service CIDR is never guessed (CAPA's 172.20.0.0/16 default can disagree with the
 * cluster's real one, and then kubelet gets the wrong cluster DNS address).
 */
export function completeClusterFacts(
  cluster: ClusterFacts | undefined,
  clusterName: string,
): { facts: CompleteClusterFacts } | { violations: Violation[] } {
  const path = `Cluster/${clusterName}`;
  if (!cluster) {
    return {
      violations: [
        {
          path: `${path}: metadata.name`,
          value: clusterName,
          rule: Rule.ClusterNotFound,
          severity: ruleSeverity(Rule.ClusterNotFound),
          message: `EKS cluster ${clusterName} was not found in this account and region; create it or fix spec.clusterName`,
        },
      ],
    };
  }
  const violations: Violation[] = [];
  const need = (field: string, value: string | undefined): string => {
    if (!value) {
      violations.push({
        path: `${path}: ${field}`,
        value: value ?? null,
        rule: Rule.ClusterNotReady,
        severity: ruleSeverity(Rule.ClusterNotReady),
        message: `DescribeCluster returned no ${field} for ${clusterName} (status ${cluster.status}); nodes cannot join until the cluster is ACTIVE`,
      });
    }
    return value ?? '';
  };
  const facts = {
    name: cluster.name,
    endpoint: need('endpoint', cluster.endpoint),
    certificateAuthority: need('certificateAuthority.data', cluster.certificateAuthority),
    serviceCidr: need(
      'kubernetesNetworkConfig.serviceIpv4Cidr',
      cluster.serviceIpv4Cidr ?? cluster.serviceIpv6Cidr,
    ),
  };
  return violations.length > 0 ? { violations } : { facts };
}

function labelKeyIsKubeletSafe(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return true;
  const domain = key.slice(0, slash);
  return !KUBELET_RESTRICTED_LABEL_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/**
 * kubelet flags that give a node its labels and taints at registration. With a custom AMI, EKS
 * applies the node group's taints asynchronously, so without these an enclave node could accept
 * pods before its taint lands, and the device plugin would wait for its label. Labels in the
 * kubernetes.io / k8s.io namespaces are left to the EKS API: kubelet would refuse to start.
 */
export function registrationFlags(spec: Pick<PoolSpec, 'labels' | 'taints'>): string[] {
  const flags: string[] = [];
  const labels = Object.entries(spec.labels)
    .filter(([key]) => labelKeyIsKubeletSafe(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  if (labels.length > 0) flags.push(`--node-labels=${labels.join(',')}`);
  const taints = spec.taints
    .map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${KUBELET_TAINT_EFFECT[t.effect]}`)
    .sort();
  if (taints.length > 0) flags.push(`--register-with-taints=${taints.join(',')}`);
  return flags;
}

function nodeConfigYaml(spec: PoolSpec, cluster: CompleteClusterFacts): string {
  const flags = [
    ...(spec.bootstrap.kubelet?.flags ?? []),
    ...registrationFlags({ labels: registrationNodeLabels(spec), taints: spec.taints }),
  ];
  const kubelet: Record<string, unknown> = {};
  if (spec.bootstrap.kubelet?.config && Object.keys(spec.bootstrap.kubelet.config).length > 0) {
    kubelet.config = spec.bootstrap.kubelet.config;
  }
  if (flags.length > 0) kubelet.flags = flags;
  const nodeConfig: Record<string, unknown> = {
    apiVersion: 'node.eks.aws/v1alpha1',
    kind: 'NodeConfig',
    spec: {
      cluster: {
        name: cluster.name,
        apiServerEndpoint: cluster.endpoint,
        certificateAuthority: cluster.certificateAuthority,
        cidr: cluster.serviceCidr,
      },
      ...(Object.keys(kubelet).length > 0 ? { kubelet } : {}),
    },
  };
  // lineWidth 0: never fold the CA bundle; sortMapEntries off: the order above is the documented one.
  return stringify(nodeConfig, { lineWidth: 0, sortMapEntries: false });
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function shellPart(commands: string[]): string {
  const script = ['#!/bin/bash', STRICT_MODE, ...commands].join('\n');
  const ascii = isAscii(script);
  return [
    `Content-Type: text/x-shellscript; charset="${ascii ? 'us-ascii' : 'utf-8'}"`,
    'MIME-Version: 1.0',
    `Content-Transfer-Encoding: ${ascii ? '7bit' : '8bit'}`,
    'Content-Disposition: attachment; filename="enclave-pools.sh"',
    '',
    script,
  ].join('\n');
}

/**
 * Lines of the parts that a MIME reader would take for a boundary. The document would split in
 * the wrong place, so such user data is refused rather than rendered.
 */
export function boundaryCollisions(spec: PoolSpec): Violation[] {
  return spec.bootstrap.preNodeadmCommands.flatMap((command, index) =>
    command.split('\n').some((line) => line.startsWith(`--${USER_DATA_BOUNDARY}`))
      ? [
          {
            path: `NodeadmConfig: spec.preNodeadmCommands[${index}]`,
            value: command,
            rule: Rule.UserDataBoundaryCollision,
            severity: ruleSeverity(Rule.UserDataBoundaryCollision),
            message: `a line starts with the MIME boundary --${USER_DATA_BOUNDARY}; change that line`,
          },
        ]
      : [],
  );
}

/**
 * The raw (not base64) user data. A shell part exists only when there are commands to run; the
 * NodeConfig part is always there. The document ends with the closing delimiter, which Go's
 * multipart reader (nodeadm) needs to see the last part end cleanly.
 */
export function renderUserData(spec: PoolSpec, cluster: CompleteClusterFacts): string {
  const parts: string[] = [];
  if (spec.bootstrap.preNodeadmCommands.length > 0) parts.push(shellPart(spec.bootstrap.preNodeadmCommands));
  parts.push(
    ['Content-Type: application/node.eks.aws', '', `---\n${nodeConfigYaml(spec, cluster)}`].join('\n'),
  );
  const header = [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${USER_DATA_BOUNDARY}"`,
    '',
  ].join('\n');
  const body = parts.map((part) => `--${USER_DATA_BOUNDARY}\n${part.replace(/\n*$/, '\n')}\n`).join('');
  return `${header}\n${body}--${USER_DATA_BOUNDARY}--\n`;
}
