/**
 * A line diff in unified form, for showing how the user data of the pinned launch template
 * version and the rendered one differ. User data is at most 16 KB, so the quadratic longest
 * common subsequence is cheap and gives the minimal diff.
 */

export type DiffLine = { op: ' ' | '-' | '+'; text: string };

export interface TextDiff {
  changed: boolean;
  /** Unified-diff hunks with `context` lines around changes; empty when nothing changed. */
  hunks: string[];
  added: number;
  removed: number;
}

/** Above this many cells the table would cost too much; fall back to "all removed, all added". */
const MAX_TABLE_CELLS = 4_000_000;

export function diffLines(before: string[], after: string[]): DiffLine[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const a = before.slice(start, endBefore);
  const b = after.slice(start, endAfter);
  const middle: DiffLine[] =
    a.length * b.length > MAX_TABLE_CELLS
      ? [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))]
      : lcsDiff(a, b);
  return [
    ...before.slice(0, start).map((text) => ({ op: ' ' as const, text })),
    ...middle,
    ...before.slice(endBefore).map((text) => ({ op: ' ' as const, text })),
  ];
}

function lcsDiff(a: string[], b: string[]): DiffLine[] {
  const width = b.length + 1;
  // lengths[i * width + j] = LCS length of a[i..] and b[j..]
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] ?? '' });
      i++;
      j++;
    } else if ((lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0)) {
      out.push({ op: '-', text: a[i] ?? '' });
      i++;
    } else {
      out.push({ op: '+', text: b[j] ?? '' });
      j++;
    }
  }
  while (i < a.length) out.push({ op: '-', text: a[i++] ?? '' });
  while (j < b.length) out.push({ op: '+', text: b[j++] ?? '' });
  return out;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function unifiedDiff(before: string, after: string, context = 3): TextDiff {
  const a = splitLines(before);
  const b = splitLines(after);
  const lines = diffLines(a, b);
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  if (added === 0 && removed === 0) return { changed: false, hunks: [], added, removed };

  // Positions (in `lines`) of changes, grouped into hunks whose context windows touch.
  const changes = lines.flatMap((line, index) => (line.op === ' ' ? [] : [index]));
  const groups: Array<[number, number]> = [];
  for (const index of changes) {
    const last = groups[groups.length - 1];
    if (last && index - last[1] <= 2 * context + 1) last[1] = index;
    else groups.push([index, index]);
  }
  const hunks = groups.map(([first, last]) => {
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length - 1, last + context);
    let oldLine = 1;
    let newLine = 1;
    for (let k = 0; k < from; k++) {
      if (lines[k]?.op !== '+') oldLine++;
      if (lines[k]?.op !== '-') newLine++;
    }
    const body = lines.slice(from, to + 1);
    const oldCount = body.filter((l) => l.op !== '+').length;
    const newCount = body.filter((l) => l.op !== '-').length;
    const header = `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`;
    return [header, ...body.map((l) => `${l.op}${l.text}`)].join('\n');
  });
  return { changed: true, hunks, added, removed };
}
