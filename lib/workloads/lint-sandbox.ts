import { NITRO_SANDBOX_RUNTIME_CLASSES } from '../pool-spec';
import { isNitroResourceName } from './enclave-resources';
import type { LintContext } from './lint-context';
import { lintPlacement } from './lint-placement';
import { isObject, objectAt } from './pod-templates';
import { WorkloadRule } from './workload-rule';

/**
 * Workloads on a nitro-sandbox pool (decision 0110), against the EKS user guide: "Run a pod in
 * isolated mode" (the pod sets runtimeClassName isolated-sandbox or confidential-sandbox) and its
 * "Considerations" page (hostNetwork: true pods fail to start; hostUsers: false pods are not started;
 * a single EBS volume cannot be shared by more than one pod, each pod runs in its own sandbox). There
 * is no device plugin on such a pool, so device-plugin resources are never advertised.
 */

const RUNTIME_CLASSES: readonly string[] = NITRO_SANDBOX_RUNTIME_CLASSES;
const GUIDE = 'EKS user guide, Nitro Sandboxes "Considerations"';

/** Whether the template is meant for the sandbox pool: a runtime class, the pool's labels, enclave resources. */
export function isSandboxWorkload(context: LintContext): boolean {
  const { template, pool } = context;
  if (template.podSpec.runtimeClassName !== undefined) return true;
  const names = [...context.containers, ...context.initContainers].flatMap((c) => [
    ...Object.keys(c.requests),
    ...Object.keys(c.limits),
  ]);
  if (names.some(isNitroResourceName)) return true;
  const selector = objectAt(template.podSpec, 'nodeSelector') ?? {};
  return Object.keys(selector).some((key) => key in pool.labels && !key.includes('kubernetes.io/'));
}

export function lintSandboxTemplate(context: LintContext): void {
  const { template, pool } = context;
  const spec = template.podSpec;
  const runtimeClass = spec.runtimeClassName;
  if (typeof runtimeClass !== 'string' || !RUNTIME_CLASSES.includes(runtimeClass)) {
    context.add(
      WorkloadRule.SandboxRuntimeClassMissing,
      'Error',
      `${template.specPath}.runtimeClassName`,
      runtimeClass,
      `runtimeClassName is ${runtimeClass === undefined ? 'not set' : JSON.stringify(runtimeClass)}, so on pool ` +
        `${pool.poolName} (enclave-mode nitro-sandbox) the pod would run on the node's shared kernel, not in a Nitro ` +
        'Sandbox (EKS user guide, "Run a pod in isolated mode"); set runtimeClassName: isolated-sandbox (or ' +
        'confidential-sandbox)',
    );
  }
  if (spec.hostNetwork === true) {
    context.add(
      WorkloadRule.SandboxHostNetwork,
      'Error',
      `${template.specPath}.hostNetwork`,
      true,
      `hostNetwork: true pods fail to start in a Nitro Sandbox, which has its own network stack and cannot share ` +
        `the node's (${GUIDE}); remove hostNetwork: true from the pod spec`,
    );
  }
  if (spec.hostUsers === false) {
    context.add(
      WorkloadRule.SandboxUserNamespaces,
      'Error',
      `${template.specPath}.hostUsers`,
      false,
      'hostUsers: false (user namespaces) is not supported on isolated-sandbox nodes: kubelet does not start the ' +
        `pod (${GUIDE}); remove hostUsers: false, the sandbox is already the boundary`,
    );
  }
  for (const container of [...context.containers, ...context.initContainers]) {
    const names = new Set([...Object.keys(container.requests), ...Object.keys(container.limits)]);
    for (const name of [...names].filter(isNitroResourceName).sort()) {
      context.add(
        WorkloadRule.SandboxDevicePluginResource,
        'Error',
        `${container.path}.resources`,
        name,
        `container ${container.name} asks for ${name}, but pool ${pool.poolName} runs Nitro Sandboxes and no ` +
          'Nitro Enclaves device plugin, so no node advertises it and the pod stays Pending; remove the request ' +
          '(the sandbox is the enclave), or target a device-plugin pool',
      );
    }
  }
  lintPlacement(context);
}

interface VolumeUse {
  context: LintContext;
  path: string;
  /** Pods of the template that mount it: replicas, or every node for a DaemonSet. */
  pods: number | 'perNode';
}

/** Access modes of the claims defined in the same file, by name (namespace ignored). */
export type ClaimAccessModes = Readonly<Record<string, readonly string[]>>;

/** Modes EBS cannot serve for a filesystem: a claim with them is some other storage (EFS, FSx). */
const SHAREABLE_MODES = ['ReadWriteMany', 'ReadOnlyMany'];

/**
 * An EBS volume mounted by more than one pod: one claim (or one inline EBS volume) in several
 * templates, or in a template with more than one replica. Claims the same file defines as
 * ReadWriteMany / ReadOnlyMany are not EBS and are left alone.
 */
export function lintSharedVolumes(contexts: readonly LintContext[], claims: ClaimAccessModes): void {
  const uses = new Map<string, VolumeUse[]>();
  for (const context of contexts) {
    const volumes = Array.isArray(context.template.podSpec.volumes) ? context.template.podSpec.volumes : [];
    volumes.forEach((volume, index) => {
      if (!isObject(volume)) return;
      const base = `${context.template.specPath}.volumes[${index}]`;
      const claim = objectAt(volume, 'persistentVolumeClaim')?.claimName;
      const ebs = objectAt(volume, 'awsElasticBlockStore')?.volumeID;
      let key: string | undefined;
      let path = base;
      if (typeof claim === 'string') {
        if ((claims[claim] ?? []).some((mode) => SHAREABLE_MODES.includes(mode))) return;
        key = `claim ${claim}`;
        path = `${base}.persistentVolumeClaim.claimName`;
      } else if (typeof ebs === 'string') {
        key = `EBS volume ${ebs}`;
        path = `${base}.awsElasticBlockStore.volumeID`;
      }
      if (key === undefined) return;
      const list = uses.get(key) ?? [];
      list.push({ context, path, pods: context.template.replicas });
      uses.set(key, list);
    });
  }
  for (const [key, list] of uses) {
    const total = list.reduce<number | 'perNode'>(
      (sum, use) => (sum === 'perNode' || use.pods === 'perNode' ? 'perNode' : sum + use.pods),
      0,
    );
    if (total !== 'perNode' && total <= 1) continue;
    const who = list.map(
      (use) => `${use.context.template.workload} (${use.pods === 'perNode' ? 'one per node' : use.pods})`,
    );
    for (const use of list) {
      use.context.add(
        WorkloadRule.SandboxVolumeShared,
        'Error',
        use.path,
        key,
        `${key} is mounted by ${total === 'perNode' ? 'a pod on every node' : `${total} pods`} (${who.join(', ')}), ` +
          `but in Nitro Sandboxes a single EBS volume cannot be shared by more than one pod, each pod runs in its own ` +
          `sandbox (${GUIDE}); give each pod its own claim (a StatefulSet's volumeClaimTemplates with accessModes ` +
          '[ReadWriteOncePod]), or use shared storage such as EFS with a ReadWriteMany claim',
      );
    }
  }
}
