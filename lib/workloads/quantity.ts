/**
 * Kubernetes resource quantities ("768Mi", "1Gi", "250m", "2", "1e3") as plain numbers, so the pod
 * lint can compare hugepages against the allocator's `memory_mib` and device counts against slots.
 */

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The quantity in base units (bytes for memory, cores for cpu, a count for devices); undefined if malformed. */
export function parseQuantity(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const match = QUANTITY.exec(raw.trim());
  if (!match) return undefined;
  const [, digits = '', exponent, suffix = ''] = match;
  const value = Number(digits);
  if (exponent) return value * 10 ** Number(exponent.slice(1));
  const factor = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix];
  return factor === undefined ? undefined : value * factor;
}

export const MIB = 2 ** 20;

/** Bytes to MiB, for messages and comparisons against `memory_mib`. */
export function bytesToMib(bytes: number): number {
  return bytes / MIB;
}

/** The shortest Kubernetes spelling of an amount of MiB: 1024 → "1Gi", 768 → "768Mi". */
export function formatMib(mib: number): string {
  if (mib > 0 && mib % 1024 === 0) return `${mib / 1024}Gi`;
  if (Number.isInteger(mib)) return `${mib}Mi`;
  return `${Math.round(mib * 1024)}Ki`;
}
