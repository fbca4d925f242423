import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The layering of lib/, checked on its import graph: no two folders import each other, however
 * indirectly (a folder cycle means neither can be read or changed on its own), and no file
 * imports itself through others. Folders are lib/'s first-level directories; a file directly in
 * lib/ counts as its own node.
 */

const LIB = path.resolve(__dirname, '../../lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  // Data files (the instance facts snapshot) import nothing, so they cannot close a cycle.
  if (!specifier.startsWith('.') || specifier.endsWith('.json')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  throw new Error(`${path.relative(LIB, from)}: cannot resolve import '${specifier}'`);
}

function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(LIB)) {
    const imports = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles;
    const targets = imports
      .map((entry) => resolveImport(file, entry.fileName))
      .filter((target): target is string => target !== undefined);
    graph.set(file, new Set(targets));
  }
  return graph;
}

function folderOf(file: string): string {
  const [first, ...rest] = path.relative(LIB, file).split(path.sep);
  return rest.length > 0 ? `${first}/` : (first ?? file);
}

function folderGraph(files: Map<string, Set<string>>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
    graph.set(from, edges);
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('lib/ import graph', () => {
  const files = importGraph();

  it('reads every source file of lib/', () => {
    expect(files.size).toBeGreaterThan(100);
  });

  it('has no folder cycle', () => {
    expect(cycles(folderGraph(files))).toEqual([]);
  });

  it('has no file cycle', () => {
    const relative = new Map(
      [...files].map(([file, targets]) => [
        path.relative(LIB, file),
        new Set([...targets].map((target) => path.relative(LIB, target))),
      ]),
    );
    expect(cycles(relative)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['plan/', new Set(['status/'])],
      ['status/', new Set(['render/', 'plan/'])],
      ['render/', new Set<string>()],
    ]);
    expect(cycles(graph)).toEqual([['plan/', 'status/']]);
  });
});
