import { amiParameterFor, kubernetesMinorVersion } from '../../../lib/render/ami-parameter-name';
import { canonicalJson } from '../../../lib/render/canonical-json';
import {
  dataHashDescription,
  dataHashFromDescription,
  idempotencyToken,
  launchTemplateName,
  ownershipProblem,
  ownershipTags,
} from '../../../lib/render/resource-names';

describe('launchTemplateName', () => {
  it('is enclave-pools-<cluster>-<pool>, sanitised', () => {
    expect(launchTemplateName('my-cluster', 'my-node-pool')).toBe('enclave-pools-my-cluster-my-node-pool');
    expect(launchTemplateName('c:1', 'p@2')).toBe('enclave-pools-c_1-p_2');
  });

  it('stays within 128 characters and unique when cut', () => {
    const a = launchTemplateName('c'.repeat(100), `${'p'.repeat(60)}a`);
    const b = launchTemplateName('c'.repeat(100), `${'p'.repeat(60)}b`);
    expect(a).toHaveLength(128);
    expect(b).toHaveLength(128);
    expect(a).not.toBe(b);
  });
});

describe('ownershipProblem', () => {
  it('accepts our tags and names each missing or foreign one', () => {
    expect(ownershipProblem(ownershipTags('c', 'p'), 'c', 'p')).toBeUndefined();
    expect(ownershipProblem(undefined, 'c', 'p')).toBe(
      'it lacks the ownership tag(s) enclave-pools:managed-by=enclave-pools, enclave-pools:pool=p, enclave-pools:cluster=c',
    );
    expect(ownershipProblem(ownershipTags('c', 'other'), 'c', 'p')).toBe(
      'it lacks the ownership tag(s) enclave-pools:pool=p',
    );
  });

  it("refuses another deployment's resources when the deployment is known", () => {
    expect(
      ownershipProblem(ownershipTags('c', 'p', 'enclave-pools-dev'), 'c', 'p', 'enclave-pools-dev'),
    ).toBeUndefined();
    expect(
      ownershipProblem(ownershipTags('c', 'p', 'enclave-pools-dev'), 'c', 'p', 'enclave-pools-prod'),
    ).toBe('it lacks the ownership tag(s) enclave-pools:deployment=enclave-pools-prod');
  });
});

describe('data hash description', () => {
  it('round-trips the hash and ignores descriptions that are not ours', () => {
    const hash = 'a'.repeat(64);
    expect(dataHashFromDescription(dataHashDescription(hash))).toBe(hash);
    expect(dataHashDescription(hash).length).toBeLessThanOrEqual(255);
    expect(dataHashFromDescription('made by hand')).toBeUndefined();
    expect(dataHashFromDescription('enclave-pools:data-hash=xyz')).toBeUndefined();
    expect(dataHashFromDescription(undefined)).toBeUndefined();
  });
});

describe('idempotencyToken', () => {
  it('is stable for the same request, different otherwise, and within 64 characters', () => {
    const token = idempotencyToken('roll', 'pool', 'lt-1', 3, 'hash');
    expect(token).toBe(idempotencyToken('roll', 'pool', 'lt-1', 3, 'hash'));
    expect(token).not.toBe(idempotencyToken('roll', 'pool', 'lt-1', 4, 'hash'));
    expect(token.length).toBeLessThanOrEqual(64);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: 3 } })).toBe(
      '{"a":{"c":3,"d":[2,{"z":1}]},"b":1}',
    );
  });
});

describe('amiParameterFor', () => {
  const lookup = { kind: 'eksLookup', lookupType: 'AmazonLinux2023' } as const;

  it('names the standard AL2023 parameter for the minor version and architecture', () => {
    expect(amiParameterFor(lookup, 'v1.35.2', 'arm64')).toEqual({
      parameterName:
        '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/arm64/standard/recommended/image_id',
    });
    expect(amiParameterFor({ ...lookup, lookupType: 'AmazonLinux2023GPU' }, '1.34', 'x86_64')).toEqual({
      parameterName:
        '/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/nvidia/recommended/image_id',
    });
  });

  it('explains a missing version or an architecture without images', () => {
    const noVersion = amiParameterFor(lookup, undefined, 'x86_64');
    expect('violation' in noVersion && noVersion.violation.rule).toBe('KubernetesVersionRequired');
    const badArch = amiParameterFor(lookup, '1.35', 'i386');
    expect('violation' in badArch && badArch.violation.rule).toBe('UnsupportedArchitecture');
  });

  it('reduces Kubernetes versions to major.minor', () => {
    expect(kubernetesMinorVersion('1.35')).toBe('1.35');
    expect(kubernetesMinorVersion('v1.33.4-eks-1')).toBe('1.33');
    expect(kubernetesMinorVersion('latest')).toBeUndefined();
  });
});
