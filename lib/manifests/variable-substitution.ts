import { isAlias, isMap, isPair, isScalar, isSeq, type Node, parse as parseYamlScalar, Scalar } from 'yaml';
import type { Violation } from '../pool-spec';
import { fieldPath, indexPath, manifestLabel, violationPath } from '../rules/field-path';
import { Rule } from '../rules/rules';
import { ViolationList } from '../rules/violation-list';
import { isCredentialLikeName, type Variables } from './deployment-variables';
import {
  codePointName,
  firstForbiddenCharacter,
  MAX_ALIAS_COUNT,
  type ParsedPoolDocument,
} from './pool-document';

/**
 * `${VAR}` substitution with clusterctl's semantics (its SimpleProcessor over drone/envsubst):
 *
 * - `${VAR}`: the variable's value, which may be empty; unset is an error naming VAR and the field.
 * - `${VAR:=default}`, `${VAR=default}`, `${VAR:-default}`, `${VAR-default}`: the value when it is set
 *   and not empty, else the default. As in drone/envsubst, all four treat "empty" like "unset".
 *   A default may itself contain placeholders.
 * - `${ VAR }` (spaces inside) is accepted, as clusterctl's legacy form.
 * - `$${` writes a literal `${` (for shell commands that need `${HOME}` on the node).
 *
 * Deliberate differences, documented in docs/decisions/0004-variable-substitution.md: other
 * envsubst operators (`${VAR^^}`, `${VAR:1:2}`, `${VAR/a/b}`...) are refused rather than half
 * supported, bare `$VAR` is left alone (pre-nodeadm commands are shell and use it), and
 * substitution happens per YAML value, not on raw text, so a variable can never inject YAML
 * structure. An unquoted value that is exactly one placeholder is re-typed after substitution
 * (`replicas: ${NODES}` becomes a number), which is what text substitution would have produced.
 */

export interface RawManifest {
  position: string;
  /** `Kind/name` after substitution (or the position when those are unusable). */
  label: string;
  value: unknown;
}

export interface SubstitutionResult {
  manifests: RawManifest[];
  violations: Violation[];
  /**
   * Violation paths of values that could not be substituted (unset variable, bad syntax). Later
   * steps' complaints about those same values are noise and are dropped by validatePoolSpec.
   */
  unresolvedPaths: string[];
}

interface ExpandOutcome {
  text: string;
  unset: string[];
  syntaxErrors: string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Expands every placeholder in one string. Never throws; problems are returned. */
export function expandPlaceholders(input: string, variables: Variables): ExpandOutcome {
  const outcome: ExpandOutcome = { text: '', unset: [], syntaxErrors: [] };
  const end = expandUntil(input, 0, variables, outcome, false);
  outcome.text = end.text;
  return outcome;
}

/**
 * Expands from `start` until the end of input, or (inside a default) until the unmatched `}`.
 * Returns the expanded text and the index just past where it stopped.
 */
function expandUntil(
  input: string,
  start: number,
  variables: Variables,
  outcome: ExpandOutcome,
  insideDefault: boolean,
): { text: string; next: number; closed: boolean } {
  let text = '';
  let i = start;
  while (i < input.length) {
    const c = input[i];
    if (insideDefault && c === '}') return { text, next: i + 1, closed: true };
    if (c === '$' && input[i + 1] === '$' && input[i + 2] === '{') {
      text += '${';
      i += 3;
      continue;
    }
    if (c === '$' && input[i + 1] === '{') {
      const placeholder = expandPlaceholder(input, i, variables, outcome);
      text += placeholder.text;
      i = placeholder.next;
      continue;
    }
    text += c;
    i++;
  }
  return { text, next: i, closed: false };
}

function expandPlaceholder(
  input: string,
  start: number,
  variables: Variables,
  outcome: ExpandOutcome,
): { text: string; next: number } {
  let i = start + 2;
  while (input[i] === ' ') i++;
  const nameStart = i;
  if (!NAME_START.test(input[i] ?? '')) {
    return syntaxError(input, start, outcome, 'a variable name must start with a letter or underscore');
  }
  while (NAME_CHAR.test(input[i] ?? '')) i++;
  const name = input.slice(nameStart, i);
  while (input[i] === ' ') i++;
  const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
  if (input[i] === '}') {
    if (value === undefined) outcome.unset.push(name);
    return { text: value ?? '', next: i + 1 };
  }
  const operator = [':=', ':-', '=', '-'].find((op) => input.startsWith(op, i));
  if (!operator) {
    return syntaxError(
      input,
      start,
      outcome,
      `only \${${name}} and the default forms \${${name}:=default} / \${${name}:-default} are supported`,
    );
  }
  const fallback = expandUntil(input, i + operator.length, variables, outcome, true);
  if (!fallback.closed) return syntaxError(input, start, outcome, 'the placeholder has no closing "}"');
  return { text: value === undefined || value === '' ? fallback.text : value, next: fallback.next };
}

function syntaxError(
  input: string,
  start: number,
  outcome: ExpandOutcome,
  reason: string,
): { text: string; next: number } {
  const close = input.indexOf('}', start);
  const snippet = close === -1 ? input.slice(start, start + 40) : input.slice(start, close + 1);
  outcome.syntaxErrors.push(`${snippet}: ${reason}`);
  // Skip past the broken placeholder so one mistake is reported once.
  return { text: '', next: close === -1 ? input.length : close + 1 };
}

/** The single placeholder that makes up a whole plain scalar, e.g. `${REPLICAS}`. */
const WHOLE_PLACEHOLDER = /^\$\{[^{}]*\}$/;

/**
 * Substitutes variables in every manifest's scalars (values and keys), then turns the trees into
 * plain values. Mutates the parsed document's syntax trees.
 */
export function substituteVariables(parsed: ParsedPoolDocument, variables: Variables): SubstitutionResult {
  const violations = new ViolationList();
  const jsCache = new Map<object, unknown>();
  const manifests: RawManifest[] = [];
  const unresolvedPaths = new Set<string>();
  for (const manifest of parsed.manifests) {
    const rawLabel = labelFromNode(manifest.node, manifest.position);
    walk(manifest.node, '', (scalar, path, isKey) => {
      if (typeof scalar.value !== 'string' || !scalar.value.includes('${')) return;
      const original = scalar.value;
      const where = violationPath(rawLabel, path || undefined);
      const expanded = expandPlaceholders(original, variables);
      for (const name of new Set(expanded.unset)) {
        violations.add(Rule.VariableUnset, where, `\${${name}}`, unsetMessage(name, path));
      }
      for (const problem of expanded.syntaxErrors) {
        violations.add(
          Rule.VariableSyntaxInvalid,
          where,
          original,
          `${path || 'a value'} has a malformed placeholder (${problem}); write \${NAME} or \${NAME:=default}, ` +
            'or $${ for a literal "${"',
        );
      }
      if (expanded.unset.length > 0 || expanded.syntaxErrors.length > 0) {
        unresolvedPaths.add(where);
        // An unresolved value reads as absent, so later rules do not also complain about "" (a key stays a string).
        if (!isKey) scalar.value = null;
        return;
      }
      const bad = firstForbiddenCharacter(expanded.text);
      if (bad) {
        unresolvedPaths.add(where);
        violations.add(
          Rule.InvalidFieldValue,
          where,
          codePointName(bad.codePoint),
          `${path || 'a value'} gets the control character ${codePointName(bad.codePoint)} from a variable; ` +
            'variables must hold plain text: fix the variable value',
        );
        return;
      }
      scalar.value = retype(scalar, original, expanded.text);
    });
    let documentValue = jsCache.get(manifest.document);
    if (!jsCache.has(manifest.document)) {
      documentValue = manifest.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      jsCache.set(manifest.document, documentValue);
    }
    const value =
      manifest.itemIndex === undefined ? documentValue : listItem(documentValue, manifest.itemIndex);
    manifests.push({ position: manifest.position, label: labelFromValue(value, manifest.position), value });
  }
  return { manifests, violations: violations.items, unresolvedPaths: [...unresolvedPaths] };
}

function unsetMessage(name: string, path: string): string {
  const field = path || 'a value';
  if (isCredentialLikeName(name)) {
    return (
      `${field} uses \${${name}}, which is never substituted because the name looks like a credential; ` +
      'use a different variable name, or write the value into the spec'
    );
  }
  return (
    `${field} uses \${${name}}, but ${name} is not a declared variable with a value; only the ` +
    'variables the deployment declares are substituted (KUBERNETES_VERSION and the names in ' +
    `SPEC_VARIABLES, serverless.yml param specVariables): declare and set ${name}, pass --var ${name}=VALUE ` +
    `to the CLI, or give a default: \${${name}:=value}`
  );
}

function retype(scalar: Scalar, original: string, expanded: string): unknown {
  if (scalar.type !== Scalar.PLAIN || !WHOLE_PLACEHOLDER.test(original)) return expanded;
  if (expanded === '' || /[\n#:{}[\]]/.test(expanded)) return expanded;
  try {
    const typed: unknown = parseYamlScalar(expanded, { schema: 'core' });
    return typeof typed === 'number' || typeof typed === 'boolean' ? typed : expanded;
  } catch {
    return expanded;
  }
}

function listItem(documentValue: unknown, index: number): unknown {
  if (Array.isArray(documentValue)) return documentValue[index];
  if (isRecord(documentValue) && Array.isArray(documentValue.items)) return documentValue.items[index];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function labelFromValue(value: unknown, position: string): string {
  if (!isRecord(value)) return position;
  const metadata = value.metadata;
  return manifestLabel(value.kind, isRecord(metadata) ? metadata.name : undefined, position);
}

function labelFromNode(node: Node | null, position: string): string {
  if (!isMap(node)) return position;
  const metadata = node.get('metadata', true);
  const name = isMap(metadata) ? metadata.get('name', true) : undefined;
  const kind = node.get('kind', true);
  return manifestLabel(
    isScalar(kind) ? kind.value : undefined,
    isScalar(name) ? name.value : undefined,
    position,
  );
}

/** Visits every scalar (keys included) with its field path. Depth is bounded by the parser's checks. */
function walk(
  node: unknown,
  path: string,
  visit: (scalar: Scalar, path: string, isKey: boolean) => void,
): void {
  if (node === null || node === undefined || isAlias(node)) return;
  if (isScalar(node)) {
    visit(node, path, false);
    return;
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (isScalar(pair.key)) visit(pair.key, path, true);
      const keyName = isScalar(pair.key) ? String(pair.key.value) : '?';
      walk(pair.value, fieldPath(path, keyName), visit);
    }
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, index) => {
      walk(item, indexPath(path, index), visit);
    });
  }
}
