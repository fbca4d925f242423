import { gzipSync } from 'node:zlib';
import type { Taint } from '../pool-spec';

/**
 * EC2's user data limit and the checks around it.
 *
 * - `checkUserDataSize(bytes)` is exact: the renderer passes the MIME document it built and learns
 *   whether to send it raw, gzipped (cloud-init and nodeadm both read gzip user data), or not at all.
 * - `estimateUserDataSize(...)` is the offline, conservative stand-in used at validation time, before
 *   DescribeCluster has given us the endpoint and CA: the commands and kubelet settings as the
 *   renderer will write them, plus a fixed allowance for everything else.
 *
 * The allowance (NODE_CONFIG_ALLOWANCE_BYTES = 4096) covers: MIME headers and boundaries of two parts
 * (~600 B), the shell prelude (`#!/bin/bash` and three `set -o` lines, ~70 B), the NodeConfig
 * skeleton (~200 B), cluster name (<= 100 B), API endpoint (~100 B), service CIDR (<= 45 B) and the
 * base64 certificate authority (an EKS CA bundle is ~1.5 KB base64; 2.9 KB is budgeted for longer
 * chains). The allowance is counted as incompressible in the gzip estimate, because base64 barely
 * compresses.
 */

/** EC2: "User data is limited to 16 KB, in raw form, before it is base64-encoded". */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;
export const NODE_CONFIG_ALLOWANCE_BYTES = 4096;

/** The shell part's first lines, as CAPA renders them (strict mode before the user's commands). */
export const SHELL_PRELUDE = '#!/bin/bash\nset -o errexit\nset -o pipefail\nset -o nounset\n';

export type UserDataEncoding = 'raw' | 'gzip';

export interface UserDataSizeCheck {
  rawBytes: number;
  /** Size after gzip; computed only when the raw form does not fit. */
  gzipBytes?: number;
  fits: boolean;
  /** How to send it when it fits: as is, or gzipped. */
  encoding: UserDataEncoding;
}

export function checkUserDataSize(userData: string | Uint8Array): UserDataSizeCheck {
  const bytes = typeof userData === 'string' ? Buffer.from(userData, 'utf8') : userData;
  if (bytes.byteLength <= USER_DATA_LIMIT_BYTES)
    return { rawBytes: bytes.byteLength, fits: true, encoding: 'raw' };
  const gzipBytes = gzipSync(bytes, { level: 9 }).byteLength;
  return {
    rawBytes: bytes.byteLength,
    gzipBytes,
    fits: gzipBytes <= USER_DATA_LIMIT_BYTES,
    encoding: 'gzip',
  };
}

export interface UserDataParts {
  preNodeadmCommands: readonly string[];
  labels?: Readonly<Record<string, string>>;
  taints?: readonly Taint[];
  kubelet?: { flags?: readonly string[]; config?: Record<string, unknown> };
}

export interface UserDataEstimate {
  estimatedRawBytes: number;
  estimatedGzipBytes: number;
  fits: boolean;
  encoding: UserDataEncoding;
}

/**
 * The parts of user data that come from the spec, in roughly the form the renderer writes them.
 * Labels and taints are counted as kubelet flags because a custom-AMI node group only has them at
 * registration when they are passed that way.
 */
function specDerivedText(parts: UserDataParts): string {
  const lines = [SHELL_PRELUDE, ...parts.preNodeadmCommands.map((c) => `${c}\n`)];
  const labels = Object.entries(parts.labels ?? {});
  if (labels.length > 0) lines.push(`--node-labels=${labels.map(([k, v]) => `${k}=${v}`).join(',')}\n`);
  const taints = parts.taints ?? [];
  if (taints.length > 0) {
    lines.push(
      `--register-with-taints=${taints.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`).join(',')}\n`,
    );
  }
  for (const flag of parts.kubelet?.flags ?? []) lines.push(`${flag}\n`);
  if (parts.kubelet?.config) lines.push(`${JSON.stringify(parts.kubelet.config)}\n`);
  return lines.join('');
}

export function estimateUserDataSize(parts: UserDataParts): UserDataEstimate {
  const text = Buffer.from(specDerivedText(parts), 'utf8');
  const estimatedRawBytes = text.byteLength + NODE_CONFIG_ALLOWANCE_BYTES;
  const estimatedGzipBytes = gzipSync(text, { level: 9 }).byteLength + NODE_CONFIG_ALLOWANCE_BYTES;
  if (estimatedRawBytes <= USER_DATA_LIMIT_BYTES) {
    return { estimatedRawBytes, estimatedGzipBytes, fits: true, encoding: 'raw' };
  }
  return {
    estimatedRawBytes,
    estimatedGzipBytes,
    fits: estimatedGzipBytes <= USER_DATA_LIMIT_BYTES,
    encoding: 'gzip',
  };
}
