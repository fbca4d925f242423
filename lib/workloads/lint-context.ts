import { pageSizeOfResource } from './hugepage-plan';
import { isObject, type JsonObject, objectAt, type PodTemplate } from './pod-templates';
import type { PoolWorkloadProfile } from './pool-profile';
import type { WorkloadFinding, WorkloadRule } from './workload-rule';

/** One container of the pod, read once into the shape every check uses. */
export interface ContainerView {
  index: number;
  /** `spec.template.spec.containers[0]` */
  path: string;
  name: string;
  requests: JsonObject;
  limits: JsonObject;
  mounts: { name: string; mountPath: string }[];
  commandLine: string;
}

function readContainers(template: PodTemplate, field: 'containers' | 'initContainers'): ContainerView[] {
  const list = template.podSpec[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((container, index) => {
    if (!isObject(container)) return [];
    const resources = objectAt(container, 'resources');
    const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isObject) : [];
    const words = [
      ...(Array.isArray(container.command) ? container.command : []),
      ...(Array.isArray(container.args) ? container.args : []),
    ];
    return [
      {
        index,
        path: `${template.specPath}.${field}[${index}]`,
        name: typeof container.name === 'string' ? container.name : `#${index}`,
        requests: objectAt(resources, 'requests') ?? {},
        limits: objectAt(resources, 'limits') ?? {},
        mounts: mounts.map((m) => ({ name: String(m.name ?? ''), mountPath: String(m.mountPath ?? '') })),
        commandLine: words.map(String).join(' '),
      },
    ];
  });
}

export interface HugepageVolume {
  name: string;
  medium: string;
  /** Page size named by the medium; undefined for the size-less `HugePages`. */
  pageSizeMib?: number;
}

export function readHugepageVolumes(template: PodTemplate): HugepageVolume[] {
  const volumes = Array.isArray(template.podSpec.volumes) ? template.podSpec.volumes.filter(isObject) : [];
  return volumes.flatMap((volume) => {
    const medium = objectAt(volume, 'emptyDir')?.medium;
    if (typeof medium !== 'string' || !/^HugePages/i.test(medium)) return [];
    const sized = /^HugePages-(.+)$/i.exec(medium);
    const pageSizeMib = sized ? pageSizeOfResource(`hugepages-${sized[1]}`) : undefined;
    return [
      { name: String(volume.name ?? ''), medium, ...(pageSizeMib === undefined ? {} : { pageSizeMib }) },
    ];
  });
}

/**
 * The pod template being linted against one pool, and the findings so far. Every topic's checks
 * take it, so they share the container views and report in the same shape.
 */
export class LintContext {
  readonly findings: WorkloadFinding[] = [];
  readonly containers: ContainerView[];
  readonly initContainers: ContainerView[];

  constructor(
    readonly template: PodTemplate,
    readonly pool: PoolWorkloadProfile,
  ) {
    this.containers = readContainers(template, 'containers');
    this.initContainers = readContainers(template, 'initContainers');
  }

  add(
    rule: WorkloadRule,
    severity: 'Error' | 'Warning',
    path: string,
    value: unknown,
    message: string,
  ): void {
    this.findings.push({
      workload: this.template.workload,
      document: this.template.document,
      path: `${this.template.workload}: ${path}`,
      value,
      rule,
      severity,
      message,
    });
  }
}
