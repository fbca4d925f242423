import { parseAllDocuments } from 'yaml';

/**
 * Finds the pod templates in a multi-document Kubernetes YAML: bare Pods, the template of every
 * workload controller, CronJob job templates, and the items of a `List`.
 */

export type JsonObject = { [key: string]: unknown };

export interface PodTemplate {
  /** "Deployment/hello-enclave" (namespace-qualified when the manifest sets one). */
  workload: string;
  kind: string;
  name: string;
  /** Position of the document in the file, from 1. */
  document: number;
  /** Dotted path from the manifest root to the pod spec, e.g. `spec.template.spec`. */
  specPath: string;
  podSpec: JsonObject;
  podAnnotations: Record<string, string>;
  /** Copies the workload asks for; DaemonSets run one per node and report `perNode`. */
  replicas: number | 'perNode';
}

export interface SkippedDocument {
  document: number;
  kind: string;
  name: string;
  reason: string;
}

export interface PodTemplateScan {
  templates: PodTemplate[];
  skipped: SkippedDocument[];
  /** PersistentVolumeClaims in the file: access modes by claim name (the sandbox lint's shared-volume check). */
  claims: Record<string, string[]>;
  /** YAML syntax errors, each with its line. */
  errors: string[];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, ...keys: string[]): JsonObject | undefined {
  let current: unknown = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return isObject(current) ? current : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isObject(value)) return result;
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined && entry !== null) result[key] = String(entry);
  }
  return result;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** Where each kind keeps its pod spec, and how many copies it asks for. */
const TEMPLATE_LOCATIONS: Record<
  string,
  { path: string[]; replicas: (manifest: JsonObject) => number | 'perNode' }
> = {
  Pod: { path: [], replicas: () => 1 },
  Deployment: { path: ['spec', 'template'], replicas: (m) => count(objectAt(m, 'spec')?.replicas, 1) },
  ReplicaSet: { path: ['spec', 'template'], replicas: (m) => count(objectAt(m, 'spec')?.replicas, 1) },
  StatefulSet: { path: ['spec', 'template'], replicas: (m) => count(objectAt(m, 'spec')?.replicas, 1) },
  ReplicationController: {
    path: ['spec', 'template'],
    replicas: (m) => count(objectAt(m, 'spec')?.replicas, 1),
  },
  DaemonSet: { path: ['spec', 'template'], replicas: () => 'perNode' },
  Job: { path: ['spec', 'template'], replicas: (m) => count(objectAt(m, 'spec')?.parallelism, 1) },
  CronJob: {
    path: ['spec', 'jobTemplate', 'spec', 'template'],
    replicas: (m) => count(objectAt(m, 'spec', 'jobTemplate', 'spec')?.parallelism, 1),
  },
  PodTemplate: { path: ['template'], replicas: () => 1 },
};

function templateOf(manifest: JsonObject, document: number): PodTemplate | SkippedDocument {
  const kind = typeof manifest.kind === 'string' ? manifest.kind : '(no kind)';
  const metadata = objectAt(manifest, 'metadata');
  const name = typeof metadata?.name === 'string' ? metadata.name : '(unnamed)';
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : undefined;
  const location = TEMPLATE_LOCATIONS[kind];
  if (!location) return { document, kind, name, reason: `a ${kind} has no pod template` };
  const holder = location.path.length === 0 ? manifest : objectAt(manifest, ...location.path);
  const podSpec = objectAt(holder, 'spec');
  if (!holder || !podSpec) {
    const where = [...location.path, 'spec'].join('.');
    return { document, kind, name, reason: `${where} is missing` };
  }
  return {
    workload: `${kind}/${namespace ? `${namespace}/` : ''}${name}`,
    kind,
    name,
    document,
    specPath: [...location.path, 'spec'].join('.'),
    podSpec,
    podAnnotations: stringMap(objectAt(holder, 'metadata')?.annotations),
    replicas: location.replicas(manifest),
  };
}

export function extractPodTemplates(text: string): PodTemplateScan {
  const scan: PodTemplateScan = { templates: [], skipped: [], errors: [], claims: {} };
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((doc, index) => {
    const number = index + 1;
    for (const error of doc.errors) {
      const line = error.linePos?.[0]?.line;
      scan.errors.push(`document ${number}${line ? `, line ${line}` : ''}: ${error.message.split('\n')[0]}`);
    }
    if (doc.errors.length > 0) return;
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const manifests =
      isObject(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    for (const manifest of manifests) {
      if (!isObject(manifest)) {
        scan.skipped.push({
          document: number,
          kind: '(not a map)',
          name: '',
          reason: 'not a Kubernetes object',
        });
        continue;
      }
      if (manifest.kind === 'PersistentVolumeClaim') {
        const name = objectAt(manifest, 'metadata')?.name;
        const modes = objectAt(manifest, 'spec')?.accessModes;
        if (typeof name === 'string')
          scan.claims[name] = Array.isArray(modes) ? modes.filter((m) => typeof m === 'string') : [];
      }
      const result = templateOf(manifest, number);
      if ('podSpec' in result) scan.templates.push(result);
      else scan.skipped.push(result);
    }
  });
  return scan;
}
