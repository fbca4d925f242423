/**
 * "Did you mean" for field names and kinds, including names that only look right: a kind written
 * with a Cyrillic "М" or a fullwidth letter is a different string, and the message should say so.
 */

/** Common Cyrillic/Greek letters that render like Latin ones (after NFKC, which handles fullwidth). */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  ο: 'o',
  ν: 'v',
  α: 'a',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Χ: 'X',
  Υ: 'Y',
};

/** The ASCII-looking skeleton of a string: NFKC, then confusable letters folded to Latin. */
export function skeleton(text: string): string {
  return Array.from(text.normalize('NFKC'))
    .map((ch) => CONFUSABLES[ch] ?? ch)
    .join('');
}

function firstNonAscii(text: string): { char: string; codePoint: string } | undefined {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp > 0x7e || cp < 0x20) {
      return { char: ch, codePoint: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` };
    }
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 99;
}

export interface NameMatch {
  candidate: string;
  /** True when the input only looks like the candidate (non-ASCII look-alike characters). */
  lookAlike: boolean;
}

/** The candidate the input most likely meant, if any is close (case, look-alikes, or 2 edits). */
export function closestName(input: string, candidates: Iterable<string>): NameMatch | undefined {
  const folded = skeleton(input);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (folded === candidate && input !== candidate) return { candidate, lookAlike: true };
    if (folded.toLowerCase() === candidate.toLowerCase()) return { candidate, lookAlike: folded !== input };
    const distance = editDistance(folded.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best ? { candidate: best.candidate, lookAlike: folded !== input } : undefined;
}

/** A message fragment: ` (did you mean "x"?)`, or a note about look-alike characters. */
export function suggestionText(input: string, candidates: Iterable<string>): string {
  const match = closestName(input, candidates);
  if (!match) return '';
  if (match.lookAlike) {
    const odd = firstNonAscii(input);
    const detail = odd
      ? `; it contains ${odd.codePoint} "${odd.char}", which only looks like an ASCII letter`
      : '';
    return ` (it looks like "${match.candidate}"${detail})`;
  }
  return ` (did you mean "${match.candidate}"?)`;
}
