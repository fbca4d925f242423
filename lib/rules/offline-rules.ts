import {
  type AllocatorSettings,
  type AmiSource,
  devicePluginSelector,
  EnclaveMode,
  KUBERNETES_VERSION,
  NITRO_SANDBOX_MIN_KUBERNETES_MINOR,
  type NodeLabel,
  type Taint,
} from '../pool-spec';
import { analyzeAllocatorCommands, FROM_STOCK_FILE, generateAllocatorCommands } from './allocator-commands';
import { fieldPath, indexPath, violationPath } from './field-path';
import { applyLaunchTemplateRules, type LaunchTemplateRuleInput } from './launch-template-rules';
import { Rule } from './rules';
import { estimateUserDataSize, USER_DATA_LIMIT_BYTES } from './user-data-size';
import { showValue, type ViolationList } from './violation-list';

/**
 * Rules that span manifests: what the bootstrap commands do against what the launch template
 * enables, the device plugin label, and the user data budget. Also yields the final command list
 * (the user's commands plus any generated from the structured allocator block).
 */

/** The structured allocator block (an enclave-pools extension of NodeadmConfig, see docs/spec-format.md). */
export interface StructuredAllocator {
  path: string;
  cpuCount?: number;
  cpuPool?: string;
  memoryMib?: number;
  installCli: boolean;
  /** False when any of its values was rejected (the rule is already reported). */
  valid: boolean;
}

export interface NodeadmConfigFields {
  /** The user's commands, in order. Invalid entries are reported and left out. */
  commands: string[];
  structuredAllocator?: StructuredAllocator;
  kubelet?: { flags?: string[]; config?: Record<string, unknown> };
}

export interface OfflineRuleInput extends Omit<LaunchTemplateRuleInput, 'infraLabel'> {
  infraLabel: string;
  bootstrapLabel: string;
  machinePoolLabel: string;
  /** undefined when enclaveOptions was invalid: enclave-dependent rules are then skipped. */
  enclavesEnabled: boolean | undefined;
  ami?: AmiSource;
  amiType?: string;
  kubernetesVersionPresent: boolean;
  /** MachinePool spec.template.spec.version after substitution, when it could be read. */
  kubernetesVersion?: string;
  /** undefined when the enclave-mode annotation was refused: mode-dependent rules are then skipped. */
  enclaveMode?: EnclaveMode;
  /** The pool's device-plugin selector annotation, when it names one. */
  devicePluginSelector?: NodeLabel;
  /** True when that annotation was refused: which label the plugin needs is then unknown. */
  devicePluginSelectorRefused?: boolean;
  labels: Record<string, string>;
  taints: Taint[];
  bootstrap?: NodeadmConfigFields;
}

export interface OfflineRuleOutput {
  preNodeadmCommands: string[];
  allocator?: AllocatorSettings;
  /** Where the allocator's CPU and memory values come from, for live-rule messages. */
  allocatorPaths?: { cpu: string; memory: string };
}

const COMMANDS = 'spec.preNodeadmCommands';

export function applyOfflineRules(input: OfflineRuleInput, violations: ViolationList): OfflineRuleOutput {
  checkAmiType(input, violations);
  checkKubernetesVersion(input, violations);
  if (input.enclaveMode === EnclaveMode.NitroSandbox) checkNitroSandbox(input, violations);
  if (input.enclaveMode === EnclaveMode.DevicePlugin) checkDevicePlugin(input, violations);
  applyLaunchTemplateRules(input, violations);
  const output = checkAllocator(input, violations);
  if (input.bootstrap) checkUserDataSize(input, output.preNodeadmCommands, violations);
  return output;
}

function checkAmiType(input: OfflineRuleInput, violations: ViolationList): void {
  if (input.amiType === undefined || input.amiType === 'CUSTOM') return;
  const source =
    input.ami?.kind === 'id'
      ? `ami.id ${input.ami.id}`
      : 'the EKS-optimized AMI looked up from SSM (eksLookupType, the default)';
  violations.add(
    Rule.AmiTypeMustBeCustom,
    violationPath(input.infraLabel, 'spec.amiType'),
    input.amiType,
    `spec.amiType is ${showValue(input.amiType)}, but the launch template always carries an image (${source}) and ` +
      'EKS then rejects any amiType other than CUSTOM; amiType cannot be changed after the node group exists: ' +
      'set amiType: CUSTOM, or remove it (CUSTOM is the default)',
  );
}

function checkKubernetesVersion(input: OfflineRuleInput, violations: ViolationList): void {
  if (input.ami?.kind !== 'eksLookup' || input.kubernetesVersionPresent) return;
  violations.add(
    Rule.KubernetesVersionRequired,
    violationPath(input.machinePoolLabel, 'spec.template.spec.version'),
    undefined,
    'spec.template.spec.version is missing, but the AMI comes from the EKS-optimized AL2023 parameter, which is per ' +
      `Kubernetes version; set version (e.g. "\${KUBERNETES_VERSION}") or pin an AMI with awsLaunchTemplate.ami.id`,
  );
}

const MODE_ANNOTATION = 'enclave-pools.aws/enclave-mode';
const SELECTOR_ANNOTATION = 'enclave-pools.aws/device-plugin-selector';

function checkDevicePlugin(input: OfflineRuleInput, violations: ViolationList): void {
  if (input.enclavesEnabled === undefined) return;
  const selector = devicePluginSelector(input);
  const own = input.devicePluginSelector !== undefined;
  const path = violationPath(input.infraLabel, fieldPath('spec.labels', selector.key));
  const value = input.labels[selector.key];
  const wanted = `${selector.key}: ${selector.value}`;
  if (input.enclavesEnabled && value !== selector.value && !input.devicePluginSelectorRefused) {
    const has = value === undefined ? 'no' : `${showValue(value)} for`;
    violations.add(
      Rule.DevicePluginLabelMissing,
      path,
      value,
      own
        ? `spec.labels has ${has} ${selector.key}, but annotation ${SELECTOR_ANNOTATION} says your device-plugin ` +
            `DaemonSet selects on ${selector.key}=${selector.value}, so the plugin never lands on these nodes and pods ` +
            `never get aws.ec2.nitro/nitro_enclaves: add ${wanted} to spec.labels (a label set by hand is lost when ` +
            'nodes are replaced)'
        : `spec.labels has ${has} ${selector.key}; the Nitro Enclaves device plugin DaemonSet only runs on nodes ` +
            `labelled ${wanted}, so without it the plugin never lands and pods never get aws.ec2.nitro/nitro_enclaves: ` +
            `add ${wanted} to spec.labels, or, if your DaemonSet selects on another label, name it with annotation ` +
            `${SELECTOR_ANNOTATION}: "key=value" and set that label`,
    );
  }
  if (!input.enclavesEnabled && value === selector.value) {
    violations.add(
      Rule.DevicePluginLabelWithoutEnclaves,
      path,
      value,
      `spec.labels sets ${wanted} but enclaveOptions.enabled is not true; ` +
        'the device plugin would advertise enclave slots on nodes that cannot start enclaves, so enclave pods would ' +
        'fail there: enable enclaveOptions, or remove the label',
    );
  }
  if (input.enclavesEnabled) {
    const blocking = input.taints.filter((t) => t.effect === 'NO_SCHEDULE' || t.effect === 'NO_EXECUTE');
    if (blocking.length > 0) {
      violations.add(
        Rule.DevicePluginTolerationRequired,
        violationPath(input.infraLabel, 'spec.taints'),
        blocking.map((t) => t.key),
        `spec.taints keeps pods without a toleration off these nodes (${blocking.map((t) => t.key).join(', ')}), and ` +
          'the stock device plugin DaemonSet has no tolerations; give the plugin (Helm value "tolerations") and the ' +
          'enclave workloads matching tolerations, or enclave pods will never get aws.ec2.nitro/nitro_enclaves',
      );
    }
  }
}

/**
 * Nitro Sandbox nodes (EKS user guide, "Run a pod in isolated mode", managed node groups): Kubernetes
 * 1.36 or later, a custom AMI with the Nitro Sandbox runtime, EnclaveOptions.Enabled in the launch
 * template. No allocator or device plugin is asked for.
 */
function checkNitroSandbox(input: OfflineRuleInput, violations: ViolationList): void {
  const versionPath = violationPath(input.machinePoolLabel, 'spec.template.spec.version');
  const minor = kubernetesMinor(input.kubernetesVersion);
  const floor = `1.${NITRO_SANDBOX_MIN_KUBERNETES_MINOR}`;
  const missing = input.kubernetesVersion === undefined && !input.kubernetesVersionPresent;
  if (missing || (minor !== undefined && minor < NITRO_SANDBOX_MIN_KUBERNETES_MINOR)) {
    violations.add(
      Rule.NitroSandboxKubernetesTooOld,
      versionPath,
      input.kubernetesVersion,
      (missing
        ? 'spec.template.spec.version is missing, so nothing shows the nodes run'
        : `spec.template.spec.version is ${showValue(input.kubernetesVersion)}, older than`) +
        ` Kubernetes ${floor}, which Nitro Sandboxes require (annotation ${MODE_ANNOTATION} is nitro-sandbox): set ` +
        `version to ` +
        `"${floor}" or later (and the cluster with it), or use enclave-mode device-plugin`,
    );
  }
  if (input.ami?.kind === 'eksLookup') {
    violations.add(
      Rule.NitroSandboxCustomAmiRequired,
      violationPath(input.infraLabel, 'spec.awsLaunchTemplate.ami'),
      input.ami.lookupType,
      'the AMI is the EKS-optimized AL2023 image looked up from SSM, which has no Nitro Sandbox runtime (AWS ' +
        'publishes no SSM parameter for Nitro Sandbox images; you build one with the runtime binaries): set ' +
        'spec.awsLaunchTemplate.ami.id to your Nitro Sandbox AMI',
    );
  }
  if (input.enclavesEnabled === false) {
    violations.add(
      Rule.NitroSandboxEnclavesRequired,
      violationPath(input.infraLabel, 'spec.awsLaunchTemplate.enclaveOptions.enabled'),
      false,
      'enclaveOptions.enabled is not true, and without Nitro Enclaves enabled a Nitro Sandbox node never ' +
        'advertises sandbox capacity (an enclave-capable instance type is not enough): set ' +
        'spec.awsLaunchTemplate.enclaveOptions.enabled: true',
    );
  }
  if (input.devicePluginSelector !== undefined) {
    violations.add(
      Rule.DevicePluginSelectorWithoutDevicePlugin,
      violationPath(input.infraLabel, fieldPath('metadata.annotations', SELECTOR_ANNOTATION)),
      `${input.devicePluginSelector.key}=${input.devicePluginSelector.value}`,
      `annotation ${SELECTOR_ANNOTATION} names a device-plugin label, but the pool runs in nitro-sandbox mode, ` +
        'where no device plugin is used; remove the annotation',
    );
  }
}

function kubernetesMinor(version: string | undefined): number | undefined {
  const match = version === undefined ? null : KUBERNETES_VERSION.exec(version);
  return match ? Number(match[2]) : undefined;
}

type Bootstrap = NonNullable<OfflineRuleInput['bootstrap']>;
type AllocatorAnalysis = ReturnType<typeof analyzeAllocatorCommands>;

/** The allocator settings one form of the bootstrap sets, whether they are complete, where they are. */
interface AllocatorReading {
  settings: Partial<AllocatorSettings>;
  complete: boolean;
  paths: NonNullable<OfflineRuleOutput['allocatorPaths']>;
}

/**
 * The allocator comes from one of two forms: the structured `allocator` block (we generate the
 * commands) or the user's own commands (we read what they set). Both give the same settings.
 */
function checkAllocator(input: OfflineRuleInput, violations: ViolationList): OfflineRuleOutput {
  const bootstrap = input.bootstrap;
  if (!bootstrap) return { preNodeadmCommands: [] };
  const label = input.bootstrapLabel;
  const analysis = analyzeAllocatorCommands(bootstrap.commands);
  reportCommandProblems(bootstrap, analysis, label, violations);

  const output: OfflineRuleOutput = { preNodeadmCommands: [...bootstrap.commands] };
  const structured = bootstrap.structuredAllocator;
  const enclaves = input.enclavesEnabled;
  const usesAllocator =
    structured !== undefined || analysis.editIndexes.length > 0 || analysis.startIndexes.length > 0;
  if (enclaves === false && usesAllocator) {
    violations.add(
      Rule.AllocatorWithoutEnclaves,
      violationPath(label, structured ? structured.path : COMMANDS),
      undefined,
      'the bootstrap configures the Nitro Enclaves allocator but enclaveOptions.enabled is not true; on such ' +
        'instances the allocator fails ("CPU pool file is missing") and, under errexit, skips the commands after it: ' +
        'enable enclaveOptions, or remove the allocator commands',
    );
  }

  const { settings, complete, paths } = structured
    ? readStructuredAllocator(structured, bootstrap, analysis, label, violations)
    : readAllocatorCommands(analysis, label, violations);
  output.allocatorPaths = paths;
  if (complete && settings.memoryMib !== undefined) {
    output.allocator = {
      memoryMib: settings.memoryMib,
      ...(settings.cpuPool !== undefined
        ? { cpuPool: settings.cpuPool }
        : { cpuCount: settings.cpuCount ?? 0 }),
    };
    if (structured) {
      output.preNodeadmCommands.push(
        ...generateAllocatorCommands(output.allocator, {
          installCli: structured.installCli && analysis.installIndex === undefined,
        }),
      );
    }
  }

  if (enclaves === true)
    checkEnclaveBootstrap(input, analysis, structured !== undefined, usesAllocator, violations);
  return output;
}

function reportCommandProblems(
  bootstrap: Bootstrap,
  analysis: AllocatorAnalysis,
  label: string,
  violations: ViolationList,
): void {
  const commandPath = (index: number) => indexPath(COMMANDS, index);
  for (const problem of analysis.problems) {
    violations.add(
      problem.rule,
      violationPath(label, commandPath(problem.index)),
      problem.value,
      `${commandPath(problem.index)} ${problem.message}`,
    );
  }
  for (const index of analysis.al2Indexes) {
    violations.add(
      Rule.Al2OnlyCommand,
      violationPath(label, commandPath(index)),
      bootstrap.commands[index],
      `${commandPath(index)} uses amazon-linux-extras, which exists only on Amazon Linux 2; NodeadmConfig nodes run ` +
        `AL2023: use "dnf install -y aws-nitro-enclaves-cli"`,
    );
  }
}

/** The structured `allocator` block: one CPU setting and memoryMib, and no allocator commands beside it. */
function readStructuredAllocator(
  structured: StructuredAllocator,
  bootstrap: Bootstrap,
  analysis: AllocatorAnalysis,
  label: string,
  violations: ViolationList,
): AllocatorReading {
  const structuredPath = violationPath(label, structured.path);
  const clash = [
    ...analysis.editIndexes,
    ...analysis.startIndexes,
    ...(analysis.enableIndex !== undefined ? [analysis.enableIndex] : []),
  ];
  if (clash.length > 0) {
    const first = Math.min(...clash);
    violations.add(
      Rule.AllocatorDefinedTwice,
      structuredPath,
      bootstrap.commands[first],
      `${structured.path} generates the allocator commands, but ${indexPath(COMMANDS, first)} also edits or starts the ` +
        'allocator; keep one of the two forms',
    );
  }
  let conflict = false;
  if (structured.cpuCount !== undefined && structured.cpuPool !== undefined) {
    conflict = true;
    violations.add(
      Rule.AllocatorCpuSettingConflict,
      structuredPath,
      { cpuCount: structured.cpuCount, cpuPool: structured.cpuPool },
      `${structured.path} sets both cpuCount and cpuPool; the allocator refuses that ("cpu_count conflicts with ` +
        'cpu_pool"): keep one',
    );
  }
  const settings: Partial<AllocatorSettings> = {
    ...(structured.cpuCount !== undefined ? { cpuCount: structured.cpuCount } : {}),
    ...(structured.cpuPool !== undefined ? { cpuPool: structured.cpuPool } : {}),
    ...(structured.memoryMib !== undefined ? { memoryMib: structured.memoryMib } : {}),
  };
  let complete = false;
  if (structured.valid) {
    const missing = missingSettings(settings);
    if (missing.length > 0) {
      violations.add(
        Rule.AllocatorIncomplete,
        structuredPath,
        settings,
        `${structured.path} does not set ${missing.join(' or ')}; the allocator needs memoryMib and exactly one of ` +
          'cpuCount / cpuPool: add the missing value',
      );
    } else if (!conflict) {
      complete = true;
    }
  }
  const paths = {
    cpu: violationPath(
      label,
      `${structured.path}.${structured.cpuPool !== undefined ? 'cpuPool' : 'cpuCount'}`,
    ),
    memory: violationPath(label, `${structured.path}.memoryMib`),
  };
  return { settings, complete, paths };
}

/**
 * The user's own allocator commands: what their sed lines set over the stock file. Conflicts, idle
 * edits and bad values are already among analysis.problems; here only a partial edit is reported.
 */
function readAllocatorCommands(
  analysis: AllocatorAnalysis,
  label: string,
  violations: ViolationList,
): AllocatorReading {
  const settings: Partial<AllocatorSettings> = {
    ...(analysis.cpuCount ? { cpuCount: analysis.cpuCount.value } : {}),
    ...(analysis.cpuPool ? { cpuPool: analysis.cpuPool.value } : {}),
    ...(analysis.memoryMib ? { memoryMib: analysis.memoryMib.value } : {}),
  };
  const fromCommands = (s?: { index: number }) => s !== undefined && s.index !== FROM_STOCK_FILE;
  const recognised =
    fromCommands(analysis.cpuCount) || fromCommands(analysis.cpuPool) || fromCommands(analysis.memoryMib);
  const blocking = analysis.problems.some((p) => p.rule !== Rule.AllocatorDefinedTwice);
  let complete = false;
  if (recognised && !blocking && analysis.finalFile !== undefined) {
    const stock = [
      ...(!fromCommands(analysis.memoryMib) ? ['memory_mib'] : []),
      ...(!fromCommands(analysis.cpuCount) && !fromCommands(analysis.cpuPool)
        ? ['cpu_count / cpu_pool']
        : []),
    ];
    if (stock.length > 0) {
      const stockNote = stock.includes('memory_mib')
        ? " (the stock file's memory_mib: 512 stays)"
        : " (the stock file's cpu_count: 2 stays)";
      violations.add(
        Rule.AllocatorIncomplete,
        violationPath(label, COMMANDS),
        settings,
        `${COMMANDS} set ${describeSet(settings, fromCommands, analysis)} but not ${stock.join(' or ')}${stockNote}; ` +
          'add a sed line for the missing value',
      );
    } else {
      complete = true;
    }
  }
  const cpuSource = analysis.cpuPool ?? analysis.cpuCount;
  const pathOf = (s?: { index: number }) =>
    fromCommands(s) && s
      ? violationPath(label, indexPath(COMMANDS, s.index))
      : violationPath(label, COMMANDS);
  return { settings, complete, paths: { cpu: pathOf(cpuSource), memory: pathOf(analysis.memoryMib) } };
}

function checkEnclaveBootstrap(
  input: OfflineRuleInput,
  analysis: ReturnType<typeof analyzeAllocatorCommands>,
  structured: boolean,
  usesAllocator: boolean,
  violations: ViolationList,
): void {
  const label = input.bootstrapLabel;
  const commands = input.bootstrap?.commands ?? [];
  const commandPath = (index: number) => indexPath(COMMANDS, index);
  const at = (index: number) => violationPath(label, commandPath(index));
  if (!structured && analysis.editIndexes.length === 0 && input.enclaveMode === EnclaveMode.DevicePlugin) {
    violations.add(
      Rule.AllocatorNotConfigured,
      violationPath(label, COMMANDS),
      undefined,
      'enclaveOptions.enabled is true but the bootstrap does not size the Nitro Enclaves allocator, so no CPUs or ' +
        'hugepages are reserved for enclaves (or the package defaults apply); add spec.enclaveAllocator ' +
        '{cpuCount, memoryMib}, or the sed/systemctl commands of the seed example',
    );
  }
  if (!structured && usesAllocator) {
    const starts = analysis.startIndexes;
    if (starts.length === 0) {
      const enableOnly = analysis.enableIndex !== undefined;
      violations.add(
        Rule.AllocatorServiceNotEnabled,
        enableOnly ? at(analysis.enableIndex ?? 0) : violationPath(label, COMMANDS),
        enableOnly ? commands[analysis.enableIndex ?? 0] : undefined,
        enableOnly
          ? `${commandPath(analysis.enableIndex ?? 0)} enables the allocator without --now, so it only runs at the next ` +
              'boot, after kubelet has started without hugepages: use "systemctl enable --now nitro-enclaves-allocator.service"'
          : 'no command starts nitro-enclaves-allocator.service, so the reservation never happens; add ' +
              '"systemctl enable --now nitro-enclaves-allocator.service" after the allocator.yaml edits',
      );
    } else {
      if (analysis.enableIndex === undefined) {
        const first = starts[0] ?? 0;
        violations.add(
          Rule.AllocatorNotPersistent,
          at(first),
          commands[first],
          `${commandPath(first)} starts the allocator but never enables it, so the reservation is gone after a reboot; ` +
            'use "systemctl enable --now nitro-enclaves-allocator.service"',
        );
      }
      const lastEdit = analysis.editIndexes.length > 0 ? Math.max(...analysis.editIndexes) : -1;
      const firstStart = Math.min(...starts);
      if (lastEdit > firstStart && !starts.some((s) => s > lastEdit)) {
        violations.add(
          Rule.AllocatorConfiguredAfterStart,
          at(lastEdit),
          commands[lastEdit],
          `${commandPath(lastEdit)} edits allocator.yaml after ${commandPath(firstStart)} started the allocator, so the ` +
            'edit has no effect until a reboot; move the edits before the systemctl command',
        );
      }
    }
  }
  if (input.ami?.kind === 'eksLookup') {
    const structuredInstalls = structured && input.bootstrap?.structuredAllocator?.installCli !== false;
    const uses = [...analysis.editIndexes, ...analysis.startIndexes];
    const firstUse = uses.length > 0 ? Math.min(...uses) : undefined;
    const installedInTime =
      structuredInstalls ||
      (analysis.installIndex !== undefined && (firstUse === undefined || analysis.installIndex < firstUse));
    if ((structured || firstUse !== undefined) && !installedInTime) {
      violations.add(
        Rule.NitroCliNotInstalled,
        firstUse !== undefined ? at(firstUse) : violationPath(label, COMMANDS),
        undefined,
        'the EKS-optimized AL2023 AMI does not ship aws-nitro-enclaves-cli, and no command installs it before the ' +
          'allocator is configured; add "dnf install -y aws-nitro-enclaves-cli" first (or installCli: true), or use an ' +
          'AMI with the CLI baked in (ami.id)',
      );
    }
  }
}

function missingSettings(settings: Partial<AllocatorSettings>): string[] {
  const missing: string[] = [];
  if (settings.memoryMib === undefined) missing.push('memory_mib');
  if (settings.cpuCount === undefined && settings.cpuPool === undefined) missing.push('cpu_count / cpu_pool');
  return missing;
}

function describeSet(
  settings: Partial<AllocatorSettings>,
  fromCommands: (s?: { index: number }) => boolean,
  analysis: ReturnType<typeof analyzeAllocatorCommands>,
): string {
  const parts = [
    fromCommands(analysis.cpuCount) ? `cpu_count ${settings.cpuCount}` : undefined,
    fromCommands(analysis.cpuPool) ? `cpu_pool ${settings.cpuPool}` : undefined,
    fromCommands(analysis.memoryMib) ? `memory_mib ${settings.memoryMib}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.join(' and ');
}

function checkUserDataSize(input: OfflineRuleInput, commands: string[], violations: ViolationList): void {
  const estimate = estimateUserDataSize({
    preNodeadmCommands: commands,
    labels: input.labels,
    taints: input.taints,
    ...(input.bootstrap?.kubelet ? { kubelet: input.bootstrap.kubelet } : {}),
  });
  if (estimate.fits) return;
  violations.add(
    Rule.UserDataTooLarge,
    violationPath(input.bootstrapLabel, COMMANDS),
    estimate.estimatedRawBytes,
    `the user data would be about ${estimate.estimatedRawBytes} bytes (${estimate.estimatedGzipBytes} gzipped), over ` +
      `EC2's ${USER_DATA_LIMIT_BYTES}-byte limit even compressed; move long scripts into a package, a file fetched ` +
      'from S3, or a custom AMI',
  );
}
