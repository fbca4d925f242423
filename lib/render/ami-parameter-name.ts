import type { AmiSource, Violation } from '../pool-spec';
import { Rule, ruleSeverity } from '../rules/rules';

/**
 * The public SSM parameter that holds the recommended EKS-optimized AL2023 image id, e.g.
 * `/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id`.
 */
export function eksOptimizedAmiParameterName(
  kubernetesMinor: string,
  architecture: string,
  lookupType: Extract<AmiSource, { kind: 'eksLookup' }>['lookupType'],
): string {
  const variant = lookupType === 'AmazonLinux2023GPU' ? 'nvidia' : 'standard';
  return `/aws/service/eks/optimized-ami/${kubernetesMinor}/amazon-linux-2023/${architecture}/${variant}/recommended/image_id`;
}

/** "v1.35.2", "1.35" or "1.35.0-eks-abc" → "1.35"; undefined when it is no Kubernetes version. */
export function kubernetesMinorVersion(version: string | undefined): string | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version?.trim() ?? '');
  return match ? `${match[1]}.${match[2]}` : undefined;
}

const LOOKUP_ARCHITECTURES = new Set(['x86_64', 'arm64']);

/**
 * The SSM parameter for a lookup-type AMI, or the violation that explains why there is none:
 * no Kubernetes version to look up (neither the MachinePool nor the cluster gives one), or an
 * instance architecture AWS publishes no AL2023 EKS image for.
 */
export function amiParameterFor(
  ami: Extract<AmiSource, { kind: 'eksLookup' }>,
  kubernetesVersion: string | undefined,
  architecture: string | undefined,
): { parameterName: string } | { violation: Violation } {
  const minor = kubernetesMinorVersion(kubernetesVersion);
  if (!minor) {
    return {
      violation: {
        path: 'MachinePool: spec.template.spec.version',
        value: kubernetesVersion ?? null,
        rule: Rule.KubernetesVersionRequired,
        severity: ruleSeverity(Rule.KubernetesVersionRequired),
        message:
          'an EKS-optimized AMI lookup needs a Kubernetes version like "1.35"; set spec.template.spec.version or awsLaunchTemplate.ami.id',
      },
    };
  }
  if (!architecture || !LOOKUP_ARCHITECTURES.has(architecture)) {
    return {
      violation: {
        path: 'AWSManagedMachinePool: spec.awsLaunchTemplate.instanceType',
        value: architecture ?? null,
        rule: Rule.UnsupportedArchitecture,
        severity: ruleSeverity(Rule.UnsupportedArchitecture),
        message: `no EKS-optimized AL2023 image exists for architecture ${architecture ?? '(unknown)'}; pick an x86_64 or arm64 instance type, or set awsLaunchTemplate.ami.id`,
      },
    };
  }
  return { parameterName: eksOptimizedAmiParameterName(minor, architecture, ami.lookupType) };
}
