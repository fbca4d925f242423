import {
  describeHugepagePlan,
  hugepagePlan,
  hugepageResourceName,
  pageSizeOfResource,
} from '../../../lib/workloads/hugepage-plan';

const pages = (memoryMib: number, arch: 'x86_64' | 'arm64') =>
  Object.fromEntries(hugepagePlan(memoryMib, arch).allocations.map((a) => [a.resourceName, a.pages]));

describe('hugepagePlan (nitro-facts §1.4)', () => {
  it.each([
    [512, { 'hugepages-2Mi': 256 }],
    [768, { 'hugepages-2Mi': 384 }],
    [1024, { 'hugepages-1Gi': 1 }],
    [2560, { 'hugepages-1Gi': 2, 'hugepages-2Mi': 256 }],
    [4096, { 'hugepages-1Gi': 4 }],
    // Rounded up to the smallest page first, as the allocator does.
    [767, { 'hugepages-2Mi': 384 }],
  ])('x86_64 memory_mib %p → %p', (memoryMib, expected) => {
    expect(pages(memoryMib, 'x86_64')).toEqual(expected);
  });

  it.each([
    [768, { 'hugepages-32Mi': 24 }],
    [1024, { 'hugepages-1Gi': 1 }],
    [1058, { 'hugepages-1Gi': 1, 'hugepages-32Mi': 1, 'hugepages-2Mi': 1 }],
    [65, { 'hugepages-32Mi': 2, 'hugepages-64Ki': 16 }],
  ])('arm64 memory_mib %p → %p', (memoryMib, expected) => {
    expect(pages(memoryMib, 'arm64')).toEqual(expected);
  });

  it('reports the rounded reservation and describes it for messages', () => {
    const plan = hugepagePlan(2560, 'x86_64');
    expect(plan.reservedMib).toBe(2560);
    expect(describeHugepagePlan(plan)).toBe(
      '2 × 1 GiB pages (hugepages-1Gi: 2Gi) + 256 × 2 MiB pages (hugepages-2Mi: 512Mi)',
    );
    expect(describeHugepagePlan(hugepagePlan(0, 'x86_64'))).toBe('no hugepages');
  });

  it('names resources and reads page sizes back', () => {
    expect(hugepageResourceName(2)).toBe('hugepages-2Mi');
    expect(hugepageResourceName(1024)).toBe('hugepages-1Gi');
    expect(pageSizeOfResource('hugepages-1Gi')).toBe(1024);
    expect(pageSizeOfResource('hugepages-64Ki')).toBe(1 / 16);
    expect(pageSizeOfResource('hugepages-2M')).toBeUndefined();
  });
});
