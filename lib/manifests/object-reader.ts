import { fieldPath, indexPath, violationPath } from '../rules/field-path';
import { Rule } from '../rules/rules';
import { showValue, type ViolationList } from '../rules/violation-list';
import { suggestionText } from './closest-name';

/**
 * Typed, reporting access to one mapping of a manifest. Every accessor records a violation instead
 * of throwing, so one pass finds every wrong type and missing field. `finish()` reports the keys
 * nobody asked for: unknown keys are Errors (a typo such as `enclaveOption` would otherwise silently
 * turn a feature off), CAPA fields we deliberately ignore are declared with `unsupported()`.
 *
 * `null` counts as absent, as in Kubernetes.
 */

export interface ReadContext {
  /** `Kind/name` of the manifest being read. */
  label: string;
  violations: ViolationList;
}

export interface StringOptions {
  required?: boolean;
  /** Format check; `describe` says what a valid value looks like, for the message. */
  pattern?: RegExp;
  describe?: string;
  maxLength?: number;
  oneOf?: readonly string[];
}

export interface IntegerOptions {
  required?: boolean;
  min?: number;
  max?: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

export class ObjectReader {
  private readonly known = new Set<string>();

  private constructor(
    readonly ctx: ReadContext,
    readonly value: Record<string, unknown>,
    readonly path: string,
  ) {}

  /** A reader over `value` if it is a mapping; otherwise reports the type and returns undefined. */
  static of(ctx: ReadContext, value: unknown, path: string): ObjectReader | undefined {
    if (isRecord(value)) return new ObjectReader(ctx, value, path);
    reportType(ctx, path, value, 'a mapping');
    return undefined;
  }

  at(key: string): string {
    return fieldPath(this.path, key);
  }

  report(rule: Rule, field: string, value: unknown, message: string): void {
    this.ctx.violations.add(rule, violationPath(this.ctx.label, field), value, message);
  }

  has(key: string): boolean {
    this.known.add(key);
    const value = this.value[key];
    return value !== undefined && value !== null;
  }

  /** The raw value (undefined when absent or null), marking the key as read. */
  raw(key: string): unknown {
    this.known.add(key);
    const value = this.value[key];
    return value === null ? undefined : value;
  }

  private missing(key: string, what: string): undefined {
    this.report(
      Rule.RequiredFieldMissing,
      this.at(key),
      undefined,
      `${this.at(key)} is required and missing; add ${what}`,
    );
    return undefined;
  }

  string(key: string, options: StringOptions = {}): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return options.required ? this.missing(key, describeString(options)) : undefined;
    return checkString(this.ctx, this.at(key), value, options);
  }

  integer(key: string, options: IntegerOptions = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return options.required ? this.missing(key, 'an integer') : undefined;
    return checkInteger(this.ctx, this.at(key), value, options);
  }

  boolean(key: string, options: { required?: boolean } = {}): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined) return options.required ? this.missing(key, 'true or false') : undefined;
    if (typeof value === 'boolean') return value;
    const hint =
      typeof value === 'string' && /^(true|false)$/i.test(value)
        ? `; write ${value.toLowerCase()} without quotes`
        : '; write true or false';
    reportType(this.ctx, this.at(key), value, 'a boolean', hint);
    return undefined;
  }

  object(key: string, options: { required?: boolean } = {}): ObjectReader | undefined {
    const value = this.raw(key);
    if (value === undefined) return options.required ? this.missing(key, 'a mapping') : undefined;
    return ObjectReader.of(this.ctx, value, this.at(key));
  }

  list(key: string, options: { required?: boolean; maxItems?: number } = {}): unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return options.required ? this.missing(key, 'a list') : undefined;
    if (!Array.isArray(value)) {
      reportType(this.ctx, this.at(key), value, 'a list');
      return undefined;
    }
    if (options.maxItems !== undefined && value.length > options.maxItems) {
      this.report(
        Rule.InvalidFieldValue,
        this.at(key),
        value.length,
        `${this.at(key)} has ${value.length} entries; at most ${options.maxItems} are allowed: remove some`,
      );
      return undefined;
    }
    return value;
  }

  /** A list of strings; invalid items are reported and dropped (the result is only used when valid). */
  stringList(
    key: string,
    item: StringOptions = {},
    options: { required?: boolean; maxItems?: number } = {},
  ): string[] | undefined {
    const list = this.list(key, options);
    if (!list) return undefined;
    const result: string[] = [];
    list.forEach((entry, index) => {
      const checked = checkString(this.ctx, indexPath(this.at(key), index), entry, item);
      if (checked !== undefined) result.push(checked);
    });
    return result;
  }

  /** A map of strings to strings (labels, tags). Values must be strings: `true` unquoted is a boolean. */
  stringMap(
    key: string,
    check: (entryKey: string, entryValue: string, path: string) => void = () => {},
    options: { maxEntries?: number } = {},
  ): Record<string, string> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      reportType(this.ctx, this.at(key), value, 'a mapping of strings');
      return undefined;
    }
    const count = Object.keys(value).length;
    if (options.maxEntries !== undefined && count > options.maxEntries) {
      this.report(
        Rule.InvalidFieldValue,
        this.at(key),
        count,
        `${this.at(key)} has ${count} entries; at most ${options.maxEntries} are allowed: remove some`,
      );
      return undefined;
    }
    const result: Record<string, string> = {};
    for (const [entryKey, entryValue] of Object.entries(value)) {
      const path = fieldPath(this.at(key), entryKey);
      if (typeof entryValue !== 'string') {
        const hint =
          entryValue !== null && typeof entryValue !== 'object' ? `; quote it: "${String(entryValue)}"` : '';
        reportType(this.ctx, path, entryValue, 'a string', hint);
        continue;
      }
      check(entryKey, entryValue, path);
      result[entryKey] = entryValue;
    }
    return result;
  }

  /** CAPA fields this tool does not implement: a warning, because the user expects them to act. */
  unsupported(keys: readonly string[], why: string): void {
    for (const key of keys) {
      if (!this.has(key)) continue;
      this.report(
        Rule.UnsupportedField,
        this.at(key),
        this.value[key],
        `${this.at(key)} is a Cluster API field that enclave-pools ignores (${why}); remove it to silence this warning`,
      );
    }
  }

  /** Fields that are fine to carry but carry no meaning here (e.g. status, server-set metadata). */
  ignore(keys: readonly string[]): void {
    for (const key of keys) this.known.add(key);
  }

  /** Reports every key that no accessor asked about. */
  finish(): void {
    for (const [key, value] of Object.entries(this.value)) {
      if (this.known.has(key)) continue;
      this.report(
        Rule.UnknownField,
        this.at(key),
        value,
        `${this.at(key)} is not a field of ${this.path || 'this manifest'}${suggestionText(key, this.known)}; ` +
          'fix the spelling or remove it',
      );
    }
  }
}

function describeString(options: StringOptions): string {
  if (options.oneOf) return `one of ${options.oneOf.join(', ')}`;
  return options.describe ?? 'a string';
}

export function reportType(
  ctx: ReadContext,
  path: string,
  value: unknown,
  expected: string,
  hint = '',
): void {
  ctx.violations.add(
    Rule.InvalidFieldType,
    violationPath(ctx.label, path),
    value,
    `${path} must be ${expected}, not ${typeName(value)} (${showValue(value)})${hint || `; write ${expected}`}`,
  );
}

function checkString(
  ctx: ReadContext,
  path: string,
  value: unknown,
  options: StringOptions,
): string | undefined {
  if (typeof value !== 'string') {
    const hint =
      typeof value === 'number' || typeof value === 'boolean'
        ? `; quote it: "${String(value)}"${typeof value === 'number' && !Number.isInteger(value) ? ' (unquoted, 1.30 reads as the number 1.3)' : ''}`
        : '';
    reportType(ctx, path, value, options.oneOf ? `one of ${options.oneOf.join(', ')}` : 'a string', hint);
    return undefined;
  }
  const where = violationPath(ctx.label, path);
  if (options.oneOf && !options.oneOf.includes(value)) {
    ctx.violations.add(
      Rule.InvalidFieldValue,
      where,
      value,
      `${path} is ${showValue(value)}, which is not allowed${suggestionText(value, options.oneOf)}; ` +
        `use one of ${options.oneOf.join(', ')}`,
    );
    return undefined;
  }
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    ctx.violations.add(
      Rule.InvalidFieldValue,
      where,
      value,
      `${path} is ${value.length} characters long, over the limit of ${options.maxLength}; shorten it`,
    );
    return undefined;
  }
  if (options.pattern && !options.pattern.test(value)) {
    ctx.violations.add(
      Rule.InvalidFieldValue,
      where,
      value,
      `${path} is ${showValue(value)}, which is not ${options.describe ?? 'in the expected format'}; correct it`,
    );
    return undefined;
  }
  return value;
}

function checkInteger(
  ctx: ReadContext,
  path: string,
  value: unknown,
  options: IntegerOptions,
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    const hint =
      typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
        ? `; remove the quotes: ${value.trim()}`
        : '; write a whole number';
    reportType(ctx, path, value, 'an integer', hint);
    return undefined;
  }
  const { min, max } = options;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range =
      min !== undefined && max !== undefined
        ? `between ${min} and ${max}`
        : min !== undefined
          ? `at least ${min}`
          : `at most ${max}`;
    ctx.violations.add(
      Rule.InvalidFieldValue,
      violationPath(ctx.label, path),
      value,
      `${path} is ${value}; it must be ${range}`,
    );
    return undefined;
  }
  return value;
}
