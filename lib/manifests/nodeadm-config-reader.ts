import { checkCpuCount, checkCpuPool, checkMemoryMib, type ValueCheck } from '../rules/allocator-commands';
import { indexPath } from '../rules/field-path';
import type { NodeadmConfigFields, StructuredAllocator } from '../rules/offline-rules';
import { Rule } from '../rules/rules';
import { showValue } from '../rules/violation-list';
import type { IdentifiedManifest } from './manifest-identity';
import { readMetadata } from './metadata-reader';
import { ObjectReader, type ReadContext, reportType } from './object-reader';

const MAX_COMMANDS = 200;

function readStructuredAllocator(spec: ObjectReader): StructuredAllocator | undefined {
  const block = spec.object('enclaveAllocator');
  if (!block) return undefined;
  const result: StructuredAllocator = { path: block.path, installCli: true, valid: true };
  const reject = (key: string, value: unknown, message: string) => {
    block.report(Rule.AllocatorValueInvalid, block.at(key), value, `${block.at(key)}: ${message}`);
    result.valid = false;
  };
  const asText = (value: unknown): string | undefined =>
    typeof value === 'number' && Number.isInteger(value)
      ? String(value)
      : typeof value === 'string'
        ? value
        : undefined;

  /** One allocator value, judged by the same check as the command form's; `numeric` wants a YAML number. */
  const read = <T>(
    key: 'cpuCount' | 'cpuPool' | 'memoryMib',
    check: (raw: string) => ValueCheck<T>,
    numeric: boolean,
    expected: string,
  ): T | undefined => {
    const raw = block.raw(key);
    if (raw === undefined) return undefined;
    const text = numeric ? (typeof raw === 'number' ? (asText(raw) ?? String(raw)) : undefined) : asText(raw);
    const checked = text !== undefined ? check(text) : undefined;
    if (checked?.ok) return checked.value;
    reject(key, raw, checked && !checked.ok ? checked.message : expected);
    return undefined;
  };
  const cpuCount = read('cpuCount', checkCpuCount, true, 'must be a whole number, e.g. 2');
  if (cpuCount !== undefined) result.cpuCount = cpuCount;
  const cpuPool = read('cpuPool', checkCpuPool, false, 'must be a CPU list string, e.g. "2,3"');
  if (cpuPool !== undefined) result.cpuPool = cpuPool;
  const memoryMib = read('memoryMib', checkMemoryMib, true, 'must be a whole number of MiB');
  if (memoryMib !== undefined) result.memoryMib = memoryMib;
  const installCli = block.boolean('installCli');
  if (installCli !== undefined) result.installCli = installCli;
  block.finish();
  return result;
}

export function readNodeadmConfig(manifest: IdentifiedManifest, ctx: ReadContext): NodeadmConfigFields {
  const fields: NodeadmConfigFields = { commands: [] };
  const top = ObjectReader.of(ctx, manifest.value, '');
  if (!top) return fields;
  top.ignore(['apiVersion', 'kind', 'status']);
  readMetadata(top);
  const spec = top.object('spec', { required: true });
  top.finish();
  if (!spec) return fields;

  const commands = spec.list('preNodeadmCommands');
  if (commands) {
    const path = spec.at('preNodeadmCommands');
    if (commands.length > MAX_COMMANDS) {
      spec.report(
        Rule.InvalidFieldValue,
        path,
        commands.length,
        `${path} has ${commands.length} entries; at most ${MAX_COMMANDS} are read: move long scripts into a ` +
          'package or a custom AMI',
      );
    } else {
      commands.forEach((command, index) => {
        const at = indexPath(path, index);
        if (typeof command !== 'string') {
          reportType(ctx, at, command, 'a string (one shell command)', '; quote the command');
        } else if (command.trim() === '') {
          spec.report(Rule.InvalidFieldValue, at, command, `${at} is empty; remove it or write the command`);
        } else {
          fields.commands.push(command);
        }
      });
    }
  }
  const structured = readStructuredAllocator(spec);
  if (structured) fields.structuredAllocator = structured;

  const kubelet = spec.object('kubelet');
  if (kubelet) {
    const flags = kubelet.stringList('flags', {
      pattern: /^--[a-z0-9-]+(=.*)?$/,
      describe: 'a kubelet flag such as --max-pods=58',
    });
    const config = kubelet.object('config');
    kubelet.finish();
    fields.kubelet = {
      ...(flags ? { flags } : {}),
      ...(config ? { config: config.value } : {}),
    };
    if (config) config.ignore(Object.keys(config.value));
  }
  spec.unsupported(
    ['containerd', 'featureGates', 'files', 'ntp', 'users', 'diskSetup', 'mounts'],
    'enclave-pools renders only the pre-nodeadm commands and kubelet settings into user data',
  );
  spec.unsupported(['postNodeadmCommands'], 'nodeadm starts kubelet itself; run steps before it instead');
  spec.finish();
  return fields;
}

export function describeCommand(command: string): string {
  return showValue(command.length > 60 ? `${command.slice(0, 60)}…` : command);
}
