import { createHash } from 'node:crypto';

/**
 * A deterministic JSON form: object keys sorted at every depth, `undefined` members dropped.
 * Arrays keep their order, so callers sort the arrays whose order carries no meaning (security
 * groups, tags) before they hash. Two values with the same meaning then hash the same, which is
 * what lets a reconcile decide "no new launch template version" without a field-by-field diff.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of the canonical JSON form. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
