// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is pool-spec placeholder text, not a template
import {
  analyzeAllocatorCommands,
  checkCpuCount,
  checkMemoryMib,
  generateAllocatorCommands,
  parseCpuList,
  reservedCpuCount,
} from '../../../lib/rules/allocator-commands';
import { STOCK_ALLOCATOR_YAML } from '../../../lib/rules/allocator-file';

const FILE = '/etc/nitro_enclaves/allocator.yaml';

describe('analyzeAllocatorCommands', () => {
  it('reads the seed form', () => {
    const analysis = analyzeAllocatorCommands([
      'dnf install -y aws-nitro-enclaves-cli',
      `sed -i "s/cpu_count:.*/cpu_count: 2/" ${FILE}`,
      `sed -i "s/memory_mib:.*/memory_mib: 768/" ${FILE}`,
      'systemctl enable --now nitro-enclaves-allocator.service',
    ]);
    expect(analysis).toEqual({
      cpuCount: { value: 2, index: 1 },
      memoryMib: { value: 768, index: 2 },
      editIndexes: [1, 2],
      startIndexes: [3],
      enableIndex: 3,
      installIndex: 0,
      al2Indexes: [],
      problems: [],
      finalFile: STOCK_ALLOCATOR_YAML.replace('memory_mib: 512', 'memory_mib: 768'),
    });
  });

  it.each([
    [
      'several -e expressions',
      `sed -i -e 's/cpu_count:.*/cpu_count: 4/' -e 's/memory_mib:.*/memory_mib: 2048/' ${FILE}`,
    ],
    [
      'pipe delimiters and ^ anchors',
      `sed -i 's|^cpu_count:.*|cpu_count: 4|; s|^memory_mib:.*|memory_mib: 2048|' ${FILE}`,
    ],
    [
      'quoted values',
      `sed -i -e "s/cpu_count:.*/cpu_count: \\"4\\"/" -e 's#memory_mib:.*#memory_mib: "2048"#' ${FILE}`,
    ],
    [
      '--in-place and a g flag',
      `sed --in-place -e 's/cpu_count:.*/cpu_count: 4/g' -e 's/memory_mib:.*/memory_mib: 2048/g' ${FILE}`,
    ],
    ['the generated printf form', `printf '%s\\n' '---' 'memory_mib: 2048' 'cpu_count: 4' > ${FILE}`],
  ])('reads %s', (_name, command) => {
    const analysis = analyzeAllocatorCommands([command]);
    expect(analysis.problems).toEqual([]);
    expect(analysis.cpuCount?.value).toBe(4);
    expect(analysis.memoryMib?.value).toBe(2048);
  });

  it('takes the key from the replacement: cpu_count line turned into cpu_pool', () => {
    const analysis = analyzeAllocatorCommands([`sed -i 's/cpu_count:.*/cpu_pool: 2-3,6-7/' ${FILE}`]);
    expect(analysis.cpuPool).toEqual({ value: '2-3,6-7', index: 0 });
    expect(analysis.cpuCount).toBeUndefined();
  });

  it.each([
    ['systemctl enable --now nitro-enclaves-allocator.service', [0], 0],
    ['systemctl enable nitro-enclaves-allocator', [], 0],
    ['systemctl start nitro-enclaves-allocator.service', [0], undefined],
    ['systemctl restart nitro-enclaves-allocator.service', [0], undefined],
    ['sudo systemctl --no-block enable --now nitro-enclaves-allocator', [0], 0],
    ['systemctl status nitro-enclaves-allocator.service', [], undefined],
  ])('service command %s', (command, starts, enable) => {
    const analysis = analyzeAllocatorCommands([command]);
    expect(analysis.startIndexes).toEqual(starts);
    expect(analysis.enableIndex).toBe(enable);
  });

  it('ignores commands that only read allocator.yaml', () => {
    const analysis = analyzeAllocatorCommands([`grep memory_mib ${FILE}`]);
    expect(analysis.editIndexes).toEqual([]);
    expect(analysis.problems).toEqual([]);
  });

  it('flags amazon-linux-extras and still counts it as an install', () => {
    const analysis = analyzeAllocatorCommands(['amazon-linux-extras install aws-nitro-enclaves-cli -y']);
    expect(analysis.al2Indexes).toEqual([0]);
    expect(analysis.installIndex).toBe(0);
  });
});

describe('value checks', () => {
  it.each([
    ['2', true],
    ['10', true],
    ['0', false],
    ['-2', false],
    ['02', false],
    ['2.0', false],
    ['$(nproc)', false],
    ['`id`', false],
    ['2 # two', false],
    ['99999', false],
    ['', false],
  ])('cpu_count %j ok=%s', (raw, ok) => {
    expect(checkCpuCount(raw).ok).toBe(ok);
  });

  it.each([
    ['768', true],
    ['64', true],
    ['63', false],
    ['768MiB', false],
    ['${MEM}', false],
  ])('memory_mib %j ok=%s', (raw, ok) => {
    expect(checkMemoryMib(raw).ok).toBe(ok);
  });

  it.each([
    ['2,3', [2, 3]],
    ['2-5', [2, 3, 4, 5]],
    ['6-7,2-3', [2, 3, 6, 7]],
  ])('cpu_pool %s', (raw, ids) => {
    expect(parseCpuList(raw)).toEqual({ ok: true, value: ids });
  });

  it.each([
    ['0,1', 'CPU 0'],
    ['3-2', 'backwards'],
    ['2,2', 'twice'],
    ['2-3,3-4', 'twice'],
    ['2048', 'that many'],
    ['2;3', 'CPU list'],
    ['', 'CPU list'],
  ])('cpu_pool %j is refused (%s)', (raw, reason) => {
    const result = parseCpuList(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('counts reserved CPUs from either form', () => {
    expect(reservedCpuCount({ cpuCount: 4, memoryMib: 512 })).toBe(4);
    expect(reservedCpuCount({ cpuPool: '2-5', memoryMib: 512 })).toBe(4);
    expect(reservedCpuCount({ cpuPool: 'nonsense', memoryMib: 512 })).toBeUndefined();
    expect(reservedCpuCount({ memoryMib: 512 })).toBeUndefined();
  });
});

describe('generateAllocatorCommands', () => {
  it('writes the whole file and reads back to the same settings', () => {
    const commands = generateAllocatorCommands({ cpuCount: 2, memoryMib: 768 }, { installCli: true });
    expect(commands).toEqual([
      'dnf install -y aws-nitro-enclaves-cli',
      `printf '%s\\n' '---' 'memory_mib: 768' 'cpu_count: 2' > ${FILE}`,
      'systemctl enable --now nitro-enclaves-allocator.service',
    ]);
    const analysis = analyzeAllocatorCommands(commands);
    expect(analysis.cpuCount?.value).toBe(2);
    expect(analysis.memoryMib?.value).toBe(768);
    expect(analysis.startIndexes).toEqual([2]);
  });

  it('uses cpu_pool and can leave the install out', () => {
    expect(generateAllocatorCommands({ cpuPool: '2,3', memoryMib: 1024 }, { installCli: false })).toEqual([
      `printf '%s\\n' '---' 'memory_mib: 1024' 'cpu_pool: 2,3' > ${FILE}`,
      'systemctl enable --now nitro-enclaves-allocator.service',
    ]);
  });
});
