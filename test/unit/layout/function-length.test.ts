import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * No function in lib/ over 80 lines unless a comment directly above it says why it stays long
 * (docs/decisions/0073-long-functions-say-why.md). A long function usually does several things,
 * and each is a decision the next reader has to find; where one is long for a reason (a flat table,
 * one scan with shared state), the comment `Long on purpose: <why>` says so where the reader stops.
 *
 * A function is a declaration, method, constructor, accessor, function expression or arrow
 * function; its length runs from its first line (after its comments) to its closing line. The
 * comment belongs to the statement or property that holds the function (`const f = () => ...`,
 * `run: async () => ...`), directly above it.
 */

const LIB = path.resolve(__dirname, '../../../lib');
const MAX_LINES = 80;
const MARKER = 'Long on purpose:';
// A reason, not just the marker: a few words after it.
const MIN_REASON_CHARS = 20;

interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** The node whose leading comments describe the function: the statement or property holding it. */
function commentHost(node: ts.Node): ts.Node {
  let host = node;
  while (
    ts.isVariableDeclaration(host.parent) ||
    ts.isVariableDeclarationList(host.parent) ||
    ts.isVariableStatement(host.parent) ||
    ts.isPropertyAssignment(host.parent) ||
    ts.isPropertyDeclaration(host.parent) ||
    ts.isExportAssignment(host.parent)
  ) {
    host = host.parent;
  }
  return host;
}

function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(source);
  return '<anonymous>';
}

function explainsLength(host: ts.Node, text: string): boolean {
  const comments = ts.getLeadingCommentRanges(text, host.getFullStart()) ?? [];
  return comments.some((range) => {
    const comment = text.slice(range.pos, range.end);
    const at = comment.indexOf(MARKER);
    if (at < 0) return false;
    const reason = comment
      .slice(at + MARKER.length)
      .replace(/\*\/\s*$/, '')
      .replace(/^\s*(\/\/|\*)/gm, '')
      .trim();
    return reason.length >= MIN_REASON_CHARS;
  });
}

/** Every function over MAX_LINES lines in `text` whose leading comment does not say why. */
function unexplainedLongFunctions(file: string, text: string): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunction(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES && !explainsLength(commentHost(node), text))
        found.push({ file, line: first + 1, name: functionName(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function describeFunction(entry: LongFunction): string {
  return `${entry.file}:${entry.line} ${entry.name} ${entry.lines} lines`;
}

/** A function declaration, a const arrow function or an object method with `count` lines in all. */
function longFunction(kind: 'declaration' | 'arrow' | 'method', count: number, comment = ''): string {
  const body = Array.from({ length: count - 2 }, (_, i) => `  total += ${i};`).join('\n');
  if (kind === 'declaration') return `${comment}export function long(): number {\n${body}\n}\n`;
  if (kind === 'arrow') return `${comment}const long = (): number => {\n${body}\n};\n`;
  return `const command = {\n  name: 'x',\n  ${comment}run(): number {\n${body}\n  },\n};\n`;
}

describe('function length in lib/', () => {
  it('reads every source file of lib/', () => {
    expect(sourceFiles(LIB).length).toBeGreaterThan(100);
  });

  it('has no function over 80 lines without a comment saying why', () => {
    const found = sourceFiles(LIB).flatMap((file) =>
      unexplainedLongFunctions(path.relative(path.dirname(LIB), file), readFileSync(file, 'utf8')),
    );
    expect(found.map(describeFunction)).toEqual([]);
  });

  describe('the check itself', () => {
    it.each(['declaration', 'arrow', 'method'] as const)('reports an 81-line %s with no comment', (kind) => {
      const found = unexplainedLongFunctions('lib/x.ts', longFunction(kind, 81));
      expect(found.map(describeFunction)).toEqual([
        `lib/x.ts:${kind === 'method' ? 3 : 1} ${kind === 'method' ? 'run' : 'long'} 81 lines`,
      ]);
    });

    it('leaves an 80-line function alone', () => {
      expect(unexplainedLongFunctions('lib/x.ts', longFunction('declaration', 80))).toEqual([]);
    });

    it.each(['declaration', 'arrow', 'method'] as const)(
      'accepts an 81-line %s whose comment says why it stays long',
      (kind) => {
        const comment = '// Long on purpose: one case per token of the scan, sharing its position.\n';
        expect(unexplainedLongFunctions('lib/x.ts', longFunction(kind, 81, comment))).toEqual([]);
      },
    );

    it('accepts the reason inside the JSDoc block', () => {
      const comment =
        '/**\n * Reads the document.\n *\n * Long on purpose: a linear reader, one field after another.\n */\n';
      expect(unexplainedLongFunctions('lib/x.ts', longFunction('declaration', 81, comment))).toEqual([]);
    });

    it('reports a comment that does not say why, or the marker with no reason after it', () => {
      for (const comment of [
        '/** Reads the document. */\n',
        '// Long on purpose:\n',
        '// Long on purpose: yes\n',
      ]) {
        expect(unexplainedLongFunctions('lib/x.ts', longFunction('declaration', 81, comment))).toHaveLength(
          1,
        );
      }
    });

    it('does not take a comment further up the file, above another statement', () => {
      const text = `// Long on purpose: this comment is about the constant below it.\nconst limit = 3;\n${longFunction('declaration', 81)}`;
      expect(unexplainedLongFunctions('lib/x.ts', text).map((entry) => entry.line)).toEqual([3]);
    });

    it('reports a long function nested in another', () => {
      const inner = longFunction('arrow', 81).replace(/^/gm, '  ');
      const text = `// Long on purpose: it holds a long helper that has no comment of its own.\nfunction outer(): void {\n${inner}}\n`;
      expect(unexplainedLongFunctions('lib/x.ts', text).map((entry) => entry.name)).toEqual(['long']);
    });
  });
});
