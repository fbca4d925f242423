import { diffLines, unifiedDiff } from '../../../lib/preview/text-diff';

describe('unifiedDiff', () => {
  it('reports no change for equal text', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toEqual({ changed: false, hunks: [], added: 0, removed: 0 });
  });

  it('shows a changed line with three lines of context and correct ranges', () => {
    const before = ['1', '2', '3', '4', '5', 'memory_mib: 768', '7', '8', '9', '10'].join('\n');
    const after = before.replace('memory_mib: 768', 'memory_mib: 1024');
    const diff = unifiedDiff(before, after);
    expect(diff).toMatchObject({ changed: true, added: 1, removed: 1 });
    expect(diff.hunks).toEqual([
      ['@@ -3,7 +3,7 @@', ' 3', ' 4', ' 5', '-memory_mib: 768', '+memory_mib: 1024', ' 7', ' 8', ' 9'].join(
        '\n',
      ),
    ]);
  });

  it('splits distant changes into separate hunks and merges near ones', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const after = [...lines];
    after[1] = 'changed 2';
    after[25] = 'changed 26';
    expect(unifiedDiff(lines.join('\n'), after.join('\n')).hunks).toHaveLength(2);
    const near = [...lines];
    near[1] = 'changed 2';
    near[6] = 'changed 7';
    expect(unifiedDiff(lines.join('\n'), near.join('\n')).hunks).toHaveLength(1);
  });

  it('handles additions at the end and text that was empty', () => {
    expect(unifiedDiff('a\n', 'a\nb\n').hunks).toEqual(['@@ -1,1 +1,2 @@\n a\n+b']);
    expect(unifiedDiff('', 'x\n').hunks).toEqual(['@@ -0,0 +1,1 @@\n+x']);
    expect(unifiedDiff('x\n', '').hunks).toEqual(['@@ -1,1 +0,0 @@\n-x']);
  });

  it('finds the minimal edit inside a changed block', () => {
    expect(diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e'])).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: ' ', text: 'd' },
      { op: '+', text: 'e' },
    ]);
  });
});
