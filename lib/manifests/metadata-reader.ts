import type { ObjectReader } from './object-reader';

/** Fields the Kubernetes API server writes: harmless in an exported manifest, meaningless here. */
const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'ownerReferences',
  'finalizers',
  'selfLink',
  'generateName',
];

/**
 * Reads `metadata` (name and namespace were checked when the manifest was identified) and returns
 * its annotations.
 */
export function readMetadata(top: ObjectReader): Record<string, string> {
  const metadata = top.object('metadata', { required: true });
  if (!metadata) return {};
  metadata.ignore(['name', 'namespace', ...SERVER_SET_METADATA]);
  metadata.stringMap('labels');
  const annotations = metadata.stringMap('annotations') ?? {};
  metadata.finish();
  return annotations;
}
