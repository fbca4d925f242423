import { type MaintenanceWindow, parseMaintenanceWindow } from '../maintenance-window';
import { EnclaveMode, type NodeLabel, type PoolPolicies } from '../pool-spec';
import { fieldPath } from '../rules/field-path';
import { Rule } from '../rules/rules';
import { showValue } from '../rules/violation-list';
import { suggestionText } from './closest-name';
import { labelKeyProblem, labelValueProblem } from './label-syntax';
import type { ObjectReader } from './object-reader';

/**
 * The AWSManagedMachinePool annotations enclave-pools reads, in one table: each key, its default,
 * and how its value is read. Every annotation of the pool is read here (docs/spec-format.md §5
 * lists them with the same defaults); a new one is a row in ANNOTATIONS and a field in
 * PoolAnnotations.
 */

/** Annotation prefix of enclave-pools' own extensions. */
export const ANNOTATION_PREFIX = 'enclave-pools.aws/';
export const FORCE_UPDATE_ANNOTATION = `${ANNOTATION_PREFIX}force-update`;
export const ROLLBACK_ANNOTATION = `${ANNOTATION_PREFIX}rollback`;
export const ROLL_ANNOTATION = `${ANNOTATION_PREFIX}roll`;
export const MAINTENANCE_WINDOW_ANNOTATION = `${ANNOTATION_PREFIX}maintenance-window`;
export const DRIFT_ANNOTATION = `${ANNOTATION_PREFIX}drift`;
export const ENCLAVE_MODE_ANNOTATION = `${ANNOTATION_PREFIX}enclave-mode`;
export const DEVICE_PLUGIN_SELECTOR_ANNOTATION = `${ANNOTATION_PREFIX}device-plugin-selector`;
export const AUTOSCALER_TAGS_ANNOTATION = `${ANNOTATION_PREFIX}autoscaler-tags`;

export interface PoolAnnotations extends PoolPolicies {
  /** EKS `force` on rolls. */
  forceUpdate: boolean;
  /** How pods use the enclaves (decision 0110). */
  enclaveMode: EnclaveMode;
  /** The label the pool's own device-plugin DaemonSet selects on, when not the stock one (decision 0111). */
  devicePluginSelector?: NodeLabel;
  /** Keys whose value was refused (reported): rules that depend on them stay quiet. */
  refused: string[];
}

export const DEFAULT_POOL_ANNOTATIONS: PoolAnnotations = {
  forceUpdate: false,
  enclaveMode: EnclaveMode.DevicePlugin,
  refused: [],
  rollback: 'off',
  roll: 'auto',
  drift: 'revert',
  autoscalerTags: true,
};

interface AnnotationRead {
  /** The fields this value sets. */
  set?: Partial<PoolAnnotations>;
  /** What is wrong with the value, and how to write it (the rest of the violation message). */
  error?: { rule: Rule; message: string };
}

type AnnotationReader = (value: string) => AnnotationRead;

/** An annotation whose value is one of a few words. */
function oneOf(choices: Record<string, Partial<PoolAnnotations>>): AnnotationReader {
  return (value) => {
    const set = Object.hasOwn(choices, value) ? choices[value] : undefined;
    if (set) return { set };
    const words = Object.keys(choices).map((word) => `"${word}"`);
    return { error: { rule: Rule.InvalidFieldValue, message: `write ${words.join(' or ')}` } };
  };
}

function maintenanceWindow(value: string): AnnotationRead {
  const parsed: MaintenanceWindow | { error: string } = parseMaintenanceWindow(value);
  if ('error' in parsed) {
    return {
      error: {
        rule: Rule.MaintenanceWindowInvalid,
        message: `${parsed.error}. Write days (Mon..Sun, ranges like Mon-Fri, lists like Sat,Sun, or daily), a 24-hour range and UTC, e.g. "Sat 02:00-04:00 UTC"`,
      },
    };
  }
  return { set: { maintenanceWindow: parsed } };
}

/** `key=value`, each half a valid EKS label key / value. */
export function parseNodeLabel(text: string): NodeLabel | { error: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) return { error: 'it is not of the form key=value' };
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) return { error: `the label key ${showValue(key)} is invalid: ${keyProblem}` };
  const valueProblem = labelValueProblem(value);
  if (valueProblem) return { error: `the label value ${showValue(value)} is invalid: ${valueProblem}` };
  return { key, value };
}

function devicePluginSelectorLabel(value: string): AnnotationRead {
  const parsed = parseNodeLabel(value);
  if ('error' in parsed) {
    return {
      error: {
        rule: Rule.InvalidFieldValue,
        message: `${parsed.error}; write the node label your device-plugin DaemonSet selects on as key=value, e.g. "example.com/enclaves=on"`,
      },
    };
  }
  return { set: { devicePluginSelector: parsed } };
}

const ANNOTATIONS: Record<string, AnnotationReader> = {
  [FORCE_UPDATE_ANNOTATION]: oneOf({ true: { forceUpdate: true }, false: { forceUpdate: false } }),
  [ROLLBACK_ANNOTATION]: oneOf({ off: { rollback: 'off' }, 'on-failure': { rollback: 'on-failure' } }),
  [ROLL_ANNOTATION]: oneOf({ auto: { roll: 'auto' }, manual: { roll: 'manual' } }),
  [MAINTENANCE_WINDOW_ANNOTATION]: maintenanceWindow,
  [DRIFT_ANNOTATION]: oneOf({ revert: { drift: 'revert' }, report: { drift: 'report' } }),
  [ENCLAVE_MODE_ANNOTATION]: oneOf({
    [EnclaveMode.DevicePlugin]: { enclaveMode: EnclaveMode.DevicePlugin },
    [EnclaveMode.NitroSandbox]: { enclaveMode: EnclaveMode.NitroSandbox },
  }),
  [DEVICE_PLUGIN_SELECTOR_ANNOTATION]: devicePluginSelectorLabel,
  [AUTOSCALER_TAGS_ANNOTATION]: oneOf({ true: { autoscalerTags: true }, false: { autoscalerTags: false } }),
};

export const KNOWN_ANNOTATIONS = Object.keys(ANNOTATIONS);

/**
 * The pool's enclave-pools annotations, defaulted; an unknown `enclave-pools.aws/` key or a bad
 * value is reported on `reader` (the manifest's top level) and leaves the default.
 */
export function readPoolAnnotations(
  reader: ObjectReader,
  annotations: Record<string, string>,
  label: string,
): PoolAnnotations {
  const result: PoolAnnotations = { ...DEFAULT_POOL_ANNOTATIONS, refused: [] };
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const path = fieldPath('metadata.annotations', key);
    const read = ANNOTATIONS[key];
    if (!read) {
      reader.report(
        Rule.UnknownField,
        path,
        key,
        `annotation ${showValue(key)} is not an enclave-pools annotation${suggestionText(key, KNOWN_ANNOTATIONS)}; ` +
          `known: ${KNOWN_ANNOTATIONS.join(', ')}`,
      );
      continue;
    }
    const outcome = read(value);
    if (outcome.error) {
      reader.report(
        outcome.error.rule,
        path,
        value,
        `annotation ${key} on ${label} is ${showValue(value)}; ${outcome.error.message}`,
      );
      result.refused.push(key);
      continue;
    }
    Object.assign(result, outcome.set);
  }
  return result;
}
