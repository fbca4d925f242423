import { formatMib } from './quantity';

/**
 * Which hugepages the Nitro Enclaves allocator reserves for a `memory_mib`, by the algorithm in its
 * script (`set_required_hugepages`): round up to the smallest page size, then take as many pages
 * of each size as fit, largest first. The kernel may hand out fewer large pages when memory is
 * fragmented (the shortfall becomes smaller pages), so this is the normal outcome, not a promise.
 */

export const Architecture = { X86_64: 'x86_64', Arm64: 'arm64' } as const;
export type Architecture = (typeof Architecture)[keyof typeof Architecture];

/** Page sizes in MiB, largest first, as the allocator walks them. */
const PAGE_SIZES_MIB: Record<Architecture, number[]> = {
  // x86_64 kernels offer 2 MiB and 1 GiB pages.
  x86_64: [1024, 2],
  // arm64 with 4 KiB base pages adds 32 MiB (contiguous) and 64 KiB pages; nitro-cli uses the
  // 32 MiB ones on aarch64. Which sizes a given EKS AL2023 kernel exposes is still unverified.
  arm64: [1024, 32, 2, 1 / 16],
};

export interface HugepageAllocation {
  /** Kubernetes resource name the node advertises, e.g. `hugepages-2Mi`. */
  resourceName: string;
  pageSizeMib: number;
  pages: number;
  totalMib: number;
}

export interface HugepagePlan {
  architecture: Architecture;
  requestedMib: number;
  /** After rounding up to the smallest page size. */
  reservedMib: number;
  /** Non-empty sizes only, largest page first. */
  allocations: HugepageAllocation[];
}

export function hugepageResourceName(pageSizeMib: number): string {
  return `hugepages-${formatMib(pageSizeMib)}`;
}

/** Page size in MiB named by a `hugepages-<size>` resource or `HugePages-<size>` medium; undefined if unknown. */
export function pageSizeOfResource(name: string): number | undefined {
  const match = /^hugepages-(\d+)(Ki|Mi|Gi)$/i.exec(name);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  if (unit === 'ki') return amount / 1024;
  if (unit === 'mi') return amount;
  return amount * 1024;
}

export function hugepagePlan(memoryMib: number, architecture: Architecture): HugepagePlan {
  const sizes = PAGE_SIZES_MIB[architecture];
  const smallest = sizes[sizes.length - 1] ?? 2;
  const reservedMib = Math.ceil(memoryMib / smallest) * smallest;
  let remaining = reservedMib;
  const allocations: HugepageAllocation[] = [];
  for (const pageSizeMib of sizes) {
    const pages = Math.floor(remaining / pageSizeMib);
    if (pages === 0) continue;
    remaining -= pages * pageSizeMib;
    allocations.push({
      resourceName: hugepageResourceName(pageSizeMib),
      pageSizeMib,
      pages,
      totalMib: pages * pageSizeMib,
    });
  }
  return { architecture, requestedMib: memoryMib, reservedMib, allocations };
}

/** "384 × 2 MiB pages (hugepages-2Mi: 768Mi)", for messages. */
export function describeHugepagePlan(plan: HugepagePlan): string {
  if (plan.allocations.length === 0) return 'no hugepages';
  return plan.allocations
    .map(
      (a) =>
        `${a.pages} × ${formatMib(a.pageSizeMib).replace(/(Gi|Mi|Ki)$/, ' $1B')} pages (${a.resourceName}: ${formatMib(a.totalMib)})`,
    )
    .join(' + ');
}
