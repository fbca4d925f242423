import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type YAMLError,
} from 'yaml';
import type { Violation } from '../pool-spec';
import { Rule } from '../rules/rules';
import { ViolationList } from '../rules/violation-list';
import { MAX_DOCUMENT_BYTES } from './store-format';

/**
 * Turns stored bytes or text into YAML syntax trees, one per manifest, refusing anything hostile
 * before the YAML parser sees it. Nothing here evaluates content: no custom tags, no merge keys,
 * aliases only within a small budget.
 *
 * Accepted shapes (see docs/spec-format.md):
 * - multi-document YAML, one manifest per document (the seed's form); empty documents are skipped;
 * - the same manifests as JSON: an array of manifests, or a `{"kind": "List", "items": [...]}`;
 * - a YAML document whose root is a sequence or a List is treated like the JSON forms.
 */

/** A pool is three manifests; anything beyond a few dozen documents is not a pool spec. */
export const MAX_DOCUMENTS = 32;
/** Kubernetes manifests here are at most ~10 levels deep; kubelet config adds a few. */
export const MAX_NESTING_DEPTH = 64;
/** Passed to yaml's `maxAliasCount`: bounds alias expansion ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;
/**
 * Values (scalars and collections) per document. A pool spec has a few hundred; the bound keeps
 * every later pass linear and small whatever a 1 MiB input holds.
 */
export const MAX_NODES_PER_DOCUMENT = 20_000;
/** Pre-scan limits, checked before parsing because the parser recurses per nesting level. */
const MAX_FLOW_NESTING = 256;
const MAX_INDENT_COLUMNS = 512;
const MAX_ERRORS_PER_DOCUMENT = 5;

export type DocumentFormat = 'yaml' | 'json';

export interface ManifestNode {
  /** Human position for messages: `document 2`, or `document 1, item 3` for list forms. */
  position: string;
  /** The manifest's syntax tree (a map when well formed). Substitution rewrites its scalars. */
  node: Node | null;
  /** Owning document, needed to turn the tree into plain values (alias resolution). */
  document: Document.Parsed;
  /** Index inside a top-level list, when the manifest came from one. */
  itemIndex?: number;
}

export interface ParsedPoolDocument {
  format: DocumentFormat;
  manifests: ManifestNode[];
}

export interface ParseResult {
  document?: ParsedPoolDocument;
  violations: Violation[];
}

export interface DecodeResult {
  text?: string;
  violations: Violation[];
}

/**
 * Bytes from a store or a file to text. Invalid UTF-8 is refused rather than repaired, because a
 * replacement character silently changes commands that end up in user data.
 */
export function decodeSpecBytes(bytes: Uint8Array): DecodeResult {
  const violations = new ViolationList();
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
    violations.add(Rule.DocumentTooLarge, 'document', bytes.byteLength, tooLargeMessage(bytes.byteLength));
    return { violations: violations.items };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text, violations: [] };
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    violations.add(
      Rule.DocumentNotText,
      'document',
      offset,
      `the document is not valid UTF-8 (first bad byte at offset ${offset}); ` +
        'a pool spec must be YAML or JSON text: save it as UTF-8 and make sure no binary file was uploaded',
    );
    return { violations: violations.items };
  }
}

function tooLargeMessage(bytes: number): string {
  return (
    `the document is ${bytes} bytes, over the ${MAX_DOCUMENT_BYTES}-byte (1 MiB) limit for a pool spec; ` +
    'a pool is three manifests of a few KB: remove unrelated content or split it into separate pools'
  );
}

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // Binary search on prefixes would mis-handle split sequences; a linear scan is cheap at <= 1 MiB.
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    try {
      decoder.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}

/**
 * YAML's printable set (YAML 1.2 §5.1) minus U+FFFD, which in our inputs only ever means a
 * lossy decode upstream. Tab, LF and CR are the only control characters allowed.
 */
export function firstForbiddenCharacter(text: string): { index: number; codePoint: number } | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) continue;
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, codePoint: c };
    }
    if (c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffc)) continue;
    return { index: i, codePoint: c };
  }
  return undefined;
}

function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Cheap structural limits on the raw text, so a hostile input never reaches the recursive parser. */
function prescan(text: string): { rule: Rule; value: unknown; message: string } | undefined {
  let flowDepth = 0;
  let maxFlowDepth = 0;
  let indent = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      atLineStart = true;
      indent = 0;
      continue;
    }
    if (atLineStart) {
      if (c === 0x20) {
        indent++;
        if (indent > MAX_INDENT_COLUMNS) {
          return {
            rule: Rule.DocumentTooComplex,
            value: indent,
            message:
              `a line is indented more than ${MAX_INDENT_COLUMNS} columns; pool manifests are a few levels ` +
              'deep: this input is not a pool spec',
          };
        }
        continue;
      }
      atLineStart = false;
    }
    // Brackets inside quoted strings are counted too: the limit is far above anything a real spec
    // contains, so the over-count can only matter for input that is hostile anyway.
    if (c === 0x5b || c === 0x7b) {
      flowDepth++;
      if (flowDepth > maxFlowDepth) maxFlowDepth = flowDepth;
      if (maxFlowDepth > MAX_FLOW_NESTING) {
        return {
          rule: Rule.DocumentTooComplex,
          value: maxFlowDepth,
          message:
            `brackets are nested more than ${MAX_FLOW_NESTING} levels deep; pool manifests are a few levels ` +
            'deep: this input is not a pool spec',
        };
      }
    } else if ((c === 0x5d || c === 0x7d) && flowDepth > 0) {
      flowDepth--;
    }
  }
  return undefined;
}

export function detectFormat(text: string): DocumentFormat {
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

const ALLOWED_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

export function parsePoolDocument(
  text: string,
  options: { format?: DocumentFormat; sizeBytes?: number } = {},
): ParseResult {
  const violations = new ViolationList();
  const format = options.format ?? detectFormat(text);
  if (!checkText(text, format, options.sizeBytes, violations)) return { violations: violations.items };

  // Duplicate keys are checked in checkTree with a Set: yaml's own check is quadratic in the number
  // of keys of a mapping (a 1 MiB mapping of 120k keys took minutes).
  const parsed = parseAllDocuments(text, {
    uniqueKeys: false,
    merge: false,
    prettyErrors: true,
    version: '1.2',
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  if (documents.length > MAX_DOCUMENTS) {
    violations.add(
      Rule.DocumentTooComplex,
      'document',
      documents.length,
      `the input holds ${documents.length} YAML documents; a pool spec is three manifests ` +
        `(at most ${MAX_DOCUMENTS} documents are read): put one pool per object or item`,
    );
    return { violations: violations.items };
  }
  const manifests = documents.flatMap((document, i) =>
    documentManifests(document, text, `document ${i + 1}`, violations),
  );
  return { document: { format, manifests }, violations: violations.items };
}

/**
 * The checks on the raw text, before the YAML parser sees it: size, characters, the nesting and
 * alias limits, and JSON syntax for a document that starts like JSON. False after reporting one.
 */
function checkText(
  text: string,
  format: DocumentFormat,
  sizeBytes: number | undefined,
  violations: ViolationList,
): boolean {
  // A store stops reading an oversized object at the limit; its real size is what the user must fix.
  const bytes = Math.max(Buffer.byteLength(text, 'utf8'), sizeBytes ?? 0);
  if (bytes > MAX_DOCUMENT_BYTES) {
    violations.add(Rule.DocumentTooLarge, 'document', bytes, tooLargeMessage(bytes));
    return false;
  }
  const forbidden = firstForbiddenCharacter(text);
  if (forbidden) {
    const { line, column } = lineAndColumn(text, forbidden.index);
    violations.add(
      Rule.DocumentNotText,
      `document (line ${line}, column ${column})`,
      codePointName(forbidden.codePoint),
      `the document contains the character ${codePointName(forbidden.codePoint)} at line ${line}, column ${column}; ` +
        'YAML allows no control characters other than tab and newline (and a U+FFFD means the text was ' +
        'decoded from invalid UTF-8): remove it, or check that a text file and not a binary was uploaded',
    );
    return false;
  }
  const limit = prescan(text);
  if (limit) {
    violations.add(limit.rule, 'document', limit.value, limit.message);
    return false;
  }
  if (format !== 'json') return true;
  try {
    JSON.parse(text);
    return true;
  } catch (e: unknown) {
    const detail = e instanceof Error ? e.message : String(e);
    violations.add(
      Rule.DocumentMalformed,
      'document',
      undefined,
      `the document starts like JSON but is not valid JSON (${detail}); fix the syntax, or write it as YAML`,
    );
    return false;
  }
}

/** The manifests of one YAML document (a mapping or a list of them); none after reporting a problem. */
function documentManifests(
  document: Document.Parsed,
  text: string,
  position: string,
  violations: ViolationList,
): ManifestNode[] {
  const before = violations.size;
  reportYamlProblems(document.errors, position, violations);
  reportYamlProblems(document.warnings, position, violations);
  if (violations.size > before) return [];
  if (!checkTree(document, text, position, violations)) return [];
  try {
    document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e: unknown) {
    violations.add(
      Rule.DocumentTooComplex,
      position,
      undefined,
      `${position} expands aliases beyond the limit (${e instanceof Error ? e.message : String(e)}); ` +
        'pool manifests need no YAML aliases: write the values out',
    );
    return [];
  }
  const split = splitManifests(document, position);
  if (split.length > MAX_DOCUMENTS) {
    violations.add(
      Rule.DocumentTooComplex,
      position,
      split.length,
      `${position} is a list of ${split.length} items; a pool spec is three manifests ` +
        `(at most ${MAX_DOCUMENTS} are read): put one pool per object or item`,
    );
    return [];
  }
  return split;
}

function reportYamlProblems(
  problems: readonly YAMLError[],
  position: string,
  violations: ViolationList,
): void {
  for (const problem of problems.slice(0, MAX_ERRORS_PER_DOCUMENT)) {
    const where = problem.linePos?.[0];
    const path = where ? `${position} (line ${where.line}, column ${where.col})` : position;
    const firstLine = problem.message.split('\n')[0] ?? problem.message;
    const rule = problem.code === 'RESOURCE_EXHAUSTION' ? Rule.DocumentTooComplex : Rule.DocumentMalformed;
    const fix =
      problem.code === 'DUPLICATE_KEY'
        ? 'each key may appear once per mapping: remove or merge the duplicate'
        : problem.code === 'TAG_RESOLVE_FAILED'
          ? 'remove the custom tag: pool manifests use plain YAML values only'
          : 'fix the YAML syntax at that position (check indentation and quoting)';
    violations.add(rule, path, problem.code, `${firstLine}; ${fix}`);
  }
}

/**
 * Size, depth, duplicate-key, tag and control-character checks over the syntax tree, iteratively
 * (no recursion), stopping at the first problem.
 */
function checkTree(
  document: Document.Parsed,
  text: string,
  position: string,
  violations: ViolationList,
): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: document.contents, depth: 1 }];
  let nodes = 1;
  while (stack.length > 0) {
    const entry = stack.pop();
    if (!entry) break;
    const { node, depth } = entry;
    if (node === null || node === undefined || isAlias(node)) continue;
    nodes += isMap(node) || isSeq(node) ? node.items.length : 0;
    if (nodes > MAX_NODES_PER_DOCUMENT) {
      violations.add(
        Rule.DocumentTooComplex,
        position,
        nodes,
        `${position} holds more than ${MAX_NODES_PER_DOCUMENT} values; a pool spec has a few hundred: ` +
          'this input is not a pool spec',
      );
      return false;
    }
    if (depth > MAX_NESTING_DEPTH) {
      violations.add(
        Rule.DocumentTooComplex,
        position,
        depth,
        `${position} is nested more than ${MAX_NESTING_DEPTH} levels deep; pool manifests are a few levels ` +
          'deep: this input is not a pool spec',
      );
      return false;
    }
    if (isPair(node)) {
      stack.push({ node: node.key, depth }, { node: node.value, depth });
      continue;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) continue;
    const tag = node.tag;
    if (tag !== undefined && !ALLOWED_TAGS.has(tag)) {
      violations.add(
        Rule.DocumentMalformed,
        position,
        tag,
        `${position} uses the YAML tag ${tag}; pool manifests use plain YAML values only: remove the tag`,
      );
      return false;
    }
    if (isScalar(node)) {
      if (typeof node.value === 'string') {
        const bad = firstForbiddenCharacter(node.value);
        if (bad) {
          violations.add(
            Rule.DocumentNotText,
            position,
            codePointName(bad.codePoint),
            `${position} contains an escaped ${codePointName(bad.codePoint)} in a string; control characters ` +
              'would end up in node user data or labels: remove the escape sequence',
          );
          return false;
        }
      }
      continue;
    }
    if (isMap(node) && !checkUniqueKeys(node.items, text, position, violations)) return false;
    for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
  }
  return true;
}

function checkUniqueKeys(
  pairs: readonly unknown[],
  text: string,
  position: string,
  violations: ViolationList,
): boolean {
  const seen = new Set<string>();
  const where = (key: unknown) => {
    const offset = isScalar(key) || isMap(key) || isSeq(key) ? (key.range?.[0] ?? 0) : 0;
    const { line, column } = lineAndColumn(text, offset);
    return `${position} (line ${line}, column ${column})`;
  };
  for (const pair of pairs) {
    if (!isPair(pair)) continue;
    const key = pair.key;
    if (key !== null && !isScalar(key)) {
      const at = where(key);
      violations.add(
        Rule.DocumentMalformed,
        at,
        undefined,
        `${at} uses a mapping or list as a key; manifest keys are plain names: rewrite the key`,
      );
      return false;
    }
    // Keys become property names, so 1 and "1" collide as they would in the manifest.
    const name = String(isScalar(key) ? key.value : key);
    if (seen.has(name)) {
      const at = where(key);
      violations.add(
        Rule.DocumentMalformed,
        at,
        name,
        `${at}: the key ${JSON.stringify(name)} appears twice in one mapping; each key may appear once: ` +
          'remove or merge the duplicate',
      );
      return false;
    }
    seen.add(name);
  }
  return true;
}

/** One manifest per document, or one per item when the document is a list (JSON array / kind: List). */
function splitManifests(document: Document.Parsed, position: string): ManifestNode[] {
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return [];
  let items: unknown[] | undefined;
  if (isSeq(root)) items = root.items;
  else if (isMap(root) && scalarValue(root.get('kind', true)) === 'List' && isSeq(root.get('items', true))) {
    const list = root.get('items', true);
    items = isSeq(list) ? list.items : undefined;
  }
  if (!items) return [{ position, node: root, document }];
  return items.map((item, itemIndex) => ({
    position: `${position}, item ${itemIndex + 1}`,
    node: (item as Node | null) ?? null,
    document,
    itemIndex,
  }));
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}
