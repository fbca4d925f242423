import { KUBERNETES_VERSION } from '../pool-spec';
import type { IdentifiedManifest } from './manifest-identity';
import { readMetadata } from './metadata-reader';
import { ObjectReader, type ReadContext } from './object-reader';

/** What this tool reads from the MachinePool (cluster.x-k8s.io). */
export interface MachinePoolFields {
  clusterName?: string;
  templateClusterName?: string;
  replicas?: number;
  version?: string;
  bootstrapRef?: ObjectReference;
  infrastructureRef?: ObjectReference;
  annotations: Record<string, string>;
}

/** A reference as written: v1beta1 uses apiVersion, v1beta2 uses apiGroup. */
export interface ObjectReference {
  /** Field path of the reference, e.g. `spec.template.spec.infrastructureRef`. */
  path: string;
  kind?: string;
  name?: string;
  apiVersion?: string;
  apiGroup?: string;
  namespace?: string;
}

function readReference(parent: ObjectReader, key: string): ObjectReference | undefined {
  const ref = parent.object(key);
  if (!ref) return undefined;
  const result: ObjectReference = { path: parent.at(key) };
  const kind = ref.string('kind', { required: true });
  const name = ref.string('name', { required: true });
  const apiVersion = ref.string('apiVersion');
  const apiGroup = ref.string('apiGroup');
  const namespace = ref.string('namespace');
  if (kind !== undefined) result.kind = kind;
  if (name !== undefined) result.name = name;
  if (apiVersion !== undefined) result.apiVersion = apiVersion;
  if (apiGroup !== undefined) result.apiGroup = apiGroup;
  if (namespace !== undefined) result.namespace = namespace;
  ref.ignore(['uid', 'resourceVersion', 'fieldPath']);
  ref.finish();
  return result;
}

export function readMachinePool(manifest: IdentifiedManifest, ctx: ReadContext): MachinePoolFields {
  const fields: MachinePoolFields = { annotations: {} };
  const top = ObjectReader.of(ctx, manifest.value, '');
  if (!top) return fields;
  top.ignore(['apiVersion', 'kind', 'status']);
  fields.annotations = readMetadata(top);
  const spec = top.object('spec', { required: true });
  top.finish();
  if (!spec) return fields;

  fields.clusterName = spec.string('clusterName', { required: true });
  fields.replicas = spec.integer('replicas', { min: 0, max: 10000 });
  spec.unsupported(
    ['failureDomains'],
    'placement comes from subnetIDs/availabilityZones of the AWSManagedMachinePool',
  );
  spec.unsupported(['minReadySeconds'], 'EKS decides node readiness');
  spec.ignore(['providerIDList']);
  const template = spec.object('template', { required: true });
  spec.finish();
  if (!template) return fields;

  const templateMetadata = template.object('metadata');
  if (templateMetadata) {
    templateMetadata.unsupported(
      ['labels', 'annotations'],
      'node labels come from the AWSManagedMachinePool labels',
    );
    templateMetadata.finish();
  }
  const templateSpec = template.object('spec', { required: true });
  template.finish();
  if (!templateSpec) return fields;

  fields.templateClusterName = templateSpec.string('clusterName', { required: true });
  fields.version = templateSpec.string('version', {
    pattern: KUBERNETES_VERSION,
    describe: 'a Kubernetes version such as "1.35" or "v1.35.2"',
  });
  const bootstrap = templateSpec.object('bootstrap');
  if (bootstrap) {
    fields.bootstrapRef = readReference(bootstrap, 'configRef');
    bootstrap.unsupported(['dataSecretName'], 'user data is rendered from the NodeadmConfig');
    bootstrap.finish();
  }
  fields.infrastructureRef = readReference(templateSpec, 'infrastructureRef');
  templateSpec.unsupported(['failureDomain'], 'placement comes from the AWSManagedMachinePool');
  templateSpec.unsupported(
    [
      'nodeDrainTimeout',
      'nodeVolumeDetachTimeout',
      'nodeDeletionTimeout',
      'readinessGates',
      'minReadySeconds',
    ],
    'EKS managed node groups drain and replace nodes themselves',
  );
  templateSpec.ignore(['providerID']);
  templateSpec.finish();
  return fields;
}
