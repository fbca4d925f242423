/**
 * Which launch template versions to delete so a pool keeps at most `maxVersions` of them. The
 * oldest unprotected versions go first. Protected versions (the one the node group is pinned to,
 * the last known good one, the default, the one matching the spec, one an update is rolling to)
 * are never deleted, even when that leaves more than `maxVersions`. CAPA prunes blindly and can
 * delete the version in use; this cannot.
 */
export function selectVersionsToPrune(
  versions: readonly number[],
  protectedVersions: ReadonlySet<number>,
  maxVersions: number,
): number[] {
  const excess = versions.length - Math.max(1, maxVersions);
  if (excess <= 0) return [];
  return [...versions]
    .sort((a, b) => a - b)
    .filter((v) => !protectedVersions.has(v))
    .slice(0, excess);
}
