/**
 * A model of GNU sed for the subset bootstrap commands use on allocator.yaml, so the product (in
 * Lambda and offline, where no sed runs) knows what a command does to the file: options -i, -e,
 * -n, -E/-r; addresses (line number, `$`, /regex/ with I, ranges, `!`); the commands s, d and p;
 * s flags g, p, N and I; BRE and ERE translated to JavaScript regular expressions. What it cannot
 * model faithfully (other commands, alternation, GNU case conversion, ...) is refused with a
 * reason instead of guessed. test/unit/rules/sed-model.test.ts runs the real sed on every case and
 * compares.
 */

export interface SedInvocation {
  inPlace: boolean;
  quiet: boolean;
  extended: boolean;
  script: string;
  files: string[];
}

export type Refusal = { ok: false; reason: string };
type Result<T> = ({ ok: true } & T) | Refusal;

const refuse = (reason: string): Refusal => ({ ok: false, reason });

/** Reads sed's options and operands from the command's words (words[0] is `sed`). */
export function parseSedInvocation(words: readonly string[]): Result<{ invocation: SedInvocation }> {
  const scripts: string[] = [];
  const operands: string[] = [];
  let inPlace = false;
  let quiet = false;
  let extended = false;
  let optionsDone = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (optionsDone || !word.startsWith('-') || word === '-') {
      operands.push(word);
      continue;
    }
    if (word === '--') {
      optionsDone = true;
      continue;
    }
    if (word.startsWith('--')) {
      const [name, value] = word.includes('=')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
      if (name === '--in-place') inPlace = true;
      else if (name === '--quiet' || name === '--silent') quiet = true;
      else if (name === '--regexp-extended') extended = true;
      else if (name === '--expression') {
        const script = value ?? words[++i];
        if (script === undefined) return refuse('--expression without a script');
        scripts.push(script);
      } else return refuse(`the option ${name}`);
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const flag = word[j];
      if (flag === 'n') quiet = true;
      else if (flag === 'E' || flag === 'r') extended = true;
      else if (flag === 'i') {
        // Everything after -i in the same word is the backup suffix (so "-ie" keeps a copy "…e").
        inPlace = true;
        break;
      } else if (flag === 'e') {
        const rest = word.slice(j + 1);
        const script = rest !== '' ? rest : words[++i];
        if (script === undefined) return refuse('-e without a script');
        scripts.push(script);
        break;
      } else return refuse(`the option -${flag}`);
    }
  }
  if (scripts.length === 0) {
    const script = operands.shift();
    if (script === undefined) return refuse('no sed script');
    scripts.push(script);
  }
  return { ok: true, invocation: { inPlace, quiet, extended, script: scripts.join('\n'), files: operands } };
}

// --- regular expressions -------------------------------------------------------------------------

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
};

const JS_SPECIAL = /[.*+?^${}()|[\]\\/]/;
const escapeJs = (c: string) => (JS_SPECIAL.test(c) ? `\\${c}` : c);

function translateBracket(re: string, start: number): Result<{ source: string; end: number }> {
  let i = start + 1;
  let out = '[';
  if (re[i] === '^') {
    out += '^';
    i++;
  }
  if (re[i] === ']') {
    out += '\\]';
    i++;
  }
  while (i < re.length && re[i] !== ']') {
    const c = re[i] ?? '';
    if (c === '[' && re[i + 1] === ':') {
      const close = re.indexOf(':]', i + 2);
      const name = close === -1 ? undefined : re.slice(i + 2, close);
      const range = name === undefined ? undefined : POSIX_CLASSES[name];
      if (range === undefined) return refuse(`the bracket class ${re.slice(i, close + 2)}`);
      out += range;
      i = close + 2;
      continue;
    }
    if (c === '[' && (re[i + 1] === '=' || re[i + 1] === '.'))
      return refuse('collating elements in brackets');
    out += c === '\\' ? '\\\\' : c === '[' ? '\\[' : c;
    i++;
  }
  if (i >= re.length) return refuse('an unterminated bracket expression');
  return { ok: true, source: `${out}]`, end: i + 1 };
}

/** POSIX BRE (GNU flavour) or ERE → JavaScript RegExp source. */
// Long on purpose: one scan over the pattern with a case per BRE/ERE token; splitting it would
// hand the scanner's position, group count and "at start" state between functions.
function translateRegex(re: string, extended: boolean): Result<{ source: string; groups: number }> {
  let out = '';
  let groups = 0;
  let atStart = true;
  let i = 0;
  while (i < re.length) {
    const c = re[i] ?? '';
    if (c === '\\') {
      const n = re[i + 1];
      if (n === undefined) return refuse('a trailing backslash in a regex');
      i += 2;
      if (!extended && n === '(') {
        out += '(';
        groups++;
        atStart = true;
        continue;
      }
      if (!extended && n === ')') out += ')';
      else if (!extended && n === '{') {
        const close = re.indexOf('\\}', i);
        const body = close === -1 ? '' : re.slice(i, close);
        if (!/^\d+(,\d*)?$/.test(body)) return refuse('a malformed \\{…\\} interval');
        out += `{${body}}`;
        i = close + 2;
      } else if (!extended && (n === '+' || n === '?')) out += n;
      else if (n === '|') return refuse('alternation (POSIX takes the longest match, JavaScript the first)');
      else if (/[1-9]/.test(n)) out += `\\${n}`;
      else if (n === 'n') out += '\\n';
      else if (n === 't') out += '\\t';
      else if ('wWsS'.includes(n)) out += `\\${n}`;
      else if (/[A-Za-z0-9<>`']/.test(n)) return refuse(`the GNU regex escape \\${n}`);
      else out += escapeJs(n);
      atStart = false;
      continue;
    }
    if (c === '[') {
      const bracket = translateBracket(re, i);
      if (!bracket.ok) return bracket;
      out += bracket.source;
      i = bracket.end;
      atStart = false;
      continue;
    }
    i++;
    if (c === '*') {
      if (atStart) {
        if (extended) return refuse('a leading * in an extended regex');
        out += '\\*';
      } else out += '*';
      atStart = false;
      continue;
    }
    if (c === '^') {
      if (extended || atStart) out += '^';
      else out += '\\^';
      continue;
    }
    if (c === '$') {
      const atEnd = i === re.length || (!extended && re.startsWith('\\)', i)) || (extended && re[i] === ')');
      out += extended || atEnd ? '$' : '\\$';
      atStart = false;
      continue;
    }
    if (extended) {
      if (c === '|') return refuse('alternation (POSIX takes the longest match, JavaScript the first)');
      if (c === '(') {
        out += '(';
        groups++;
        atStart = true;
        continue;
      }
      if (c === ')' || c === '+' || c === '?') out += c;
      else if (c === '{') {
        const close = re.indexOf('}', i);
        const body = close === -1 ? '' : re.slice(i, close);
        if (!/^\d+(,\d*)?$/.test(body)) return refuse('a malformed {…} interval');
        out += `{${body}}`;
        i = close + 1;
      } else out += c === '.' ? '.' : escapeJs(c);
    } else out += c === '.' ? '.' : escapeJs(c);
    atStart = false;
  }
  try {
    new RegExp(out);
  } catch {
    return refuse(`a regex JavaScript cannot express (${re})`);
  }
  return { ok: true, source: out, groups };
}

// --- scripts --------------------------------------------------------------------------------------

type Address = { kind: 'line'; line: number } | { kind: 'last' } | { kind: 'regex'; regex: RegExp };

type ReplacementPart = string | { group: number };

export interface SedCommand {
  /** The command as written, for messages. */
  text: string;
  from?: Address;
  to?: Address;
  negate: boolean;
  kind: 's' | 'd' | 'p';
  substitution?: {
    regex: RegExp;
    replacement: ReplacementPart[];
    global: boolean;
    occurrence: number;
    print: boolean;
  };
}

/** Reads text up to an unescaped delimiter; `\<delim>` stands for the delimiter itself. */
function untilDelimiter(
  script: string,
  start: number,
  delim: string,
): { raw: string; end: number } | undefined {
  let raw = '';
  let i = start;
  while (i < script.length) {
    const c = script[i] ?? '';
    if (c === '\\' && i + 1 < script.length) {
      const n = script[i + 1] ?? '';
      raw += n === delim ? (JS_SPECIAL.test(delim) || '&'.includes(delim) ? `\\${delim}` : delim) : `\\${n}`;
      i += 2;
      continue;
    }
    if (c === delim) return { raw, end: i + 1 };
    if (c === '\n') return undefined;
    raw += c;
    i++;
  }
  return undefined;
}

function compileReplacement(raw: string, groups: number): Result<{ parts: ReplacementPart[] }> {
  const parts: ReplacementPart[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') parts.push(text);
    text = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (c === '&') {
      flush();
      parts.push({ group: 0 });
      continue;
    }
    if (c !== '\\') {
      text += c;
      continue;
    }
    const n = raw[++i];
    if (n === undefined) return refuse('a trailing backslash in a replacement');
    if (/[0-9]/.test(n)) {
      const group = Number(n);
      if (group > groups) return refuse(`the reference \\${n} to a group the regex does not have`);
      flush();
      parts.push({ group });
    } else if (n === 'n') text += '\n';
    else if (n === 't') text += '\t';
    else if ('LUluE'.includes(n)) return refuse(`the GNU case conversion \\${n}`);
    else text += n;
  }
  flush();
  return { ok: true, parts };
}

function parseAddress(
  script: string,
  start: number,
  extended: boolean,
): Result<{ address?: Address; end: number }> {
  let i = start;
  const digits = /^\d+/.exec(script.slice(i));
  if (digits)
    return { ok: true, address: { kind: 'line', line: Number(digits[0]) }, end: i + digits[0].length };
  if (script[i] === '$') return { ok: true, address: { kind: 'last' }, end: i + 1 };
  let delim: string | undefined;
  if (script[i] === '/') delim = '/';
  else if (script[i] === '\\' && script[i + 1] !== undefined) {
    delim = script[i + 1];
    i++;
  }
  if (delim === undefined) return { ok: true, end: i };
  const body = untilDelimiter(script, i + 1, delim);
  if (!body) return refuse('an unterminated address regex');
  if (body.raw === '') return refuse('an empty regex (it reuses the previous one)');
  const translated = translateRegex(body.raw, extended);
  if (!translated.ok) return translated;
  let end = body.end;
  let flags = '';
  while (script[end] === 'I' || script[end] === 'M') {
    if (script[end] === 'M') return refuse('the M address flag');
    flags = 'i';
    end++;
  }
  return { ok: true, address: { kind: 'regex', regex: new RegExp(translated.source, flags) }, end };
}

// Long on purpose: one scan over the script, command by command (address, range, command letter,
// its argument); the scanner's position is shared by every step.
export function compileSedScript(script: string, extended: boolean): Result<{ commands: SedCommand[] }> {
  const commands: SedCommand[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < script.length && chars.includes(script[i] ?? '')) i++;
  };
  while (true) {
    skip(' \t\n;');
    if (i >= script.length) break;
    const begin = i;
    if (script[i] === '#') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    const first = parseAddress(script, i, extended);
    if (!first.ok) return first;
    i = first.end;
    let to: Address | undefined;
    if (first.address && script[i] === ',') {
      const second = parseAddress(script, i + 1, extended);
      if (!second.ok) return second;
      if (!second.address) return refuse(`the range end at "${script.slice(i, i + 4)}"`);
      to = second.address;
      i = second.end;
    }
    skip(' \t');
    const negate = script[i] === '!';
    if (negate) i++;
    skip(' \t');
    const kind = script[i];
    i++;
    const command: SedCommand = {
      text: '',
      ...(first.address ? { from: first.address } : {}),
      ...(to ? { to } : {}),
      negate,
      kind: 'd',
    };
    if (kind === 's') {
      const delim = script[i];
      if (delim === undefined || delim === '\n' || delim === '\\')
        return refuse('an s command without a delimiter');
      const pattern = untilDelimiter(script, i + 1, delim);
      const replacement = pattern && untilDelimiter(script, pattern.end, delim);
      if (!pattern || !replacement) return refuse(`an unterminated s command (${script.slice(begin)})`);
      if (pattern.raw === '') return refuse('an empty regex (it reuses the previous one)');
      i = replacement.end;
      let global = false;
      let print = false;
      let ignoreCase = false;
      let occurrence = 1;
      while (i < script.length && !' \t\n;}'.includes(script[i] ?? '')) {
        const flag = script[i] ?? '';
        const number = /^\d+/.exec(script.slice(i));
        if (number) {
          occurrence = Number(number[0]);
          i += number[0].length;
          continue;
        }
        if (flag === 'g') global = true;
        else if (flag === 'p') print = true;
        else if (flag === 'I' || flag === 'i') ignoreCase = true;
        else return refuse(`the s flag ${flag}`);
        i++;
      }
      const regex = translateRegex(pattern.raw, extended);
      if (!regex.ok) return regex;
      const parts = compileReplacement(replacement.raw, regex.groups);
      if (!parts.ok) return parts;
      command.kind = 's';
      command.substitution = {
        regex: new RegExp(regex.source, `g${ignoreCase ? 'i' : ''}`),
        replacement: parts.parts,
        global,
        occurrence,
        print,
      };
    } else if (kind === 'd' || kind === 'p') {
      command.kind = kind;
    } else {
      return refuse(kind === undefined ? 'an address without a command' : `the sed command "${kind}"`);
    }
    skip(' \t');
    if (script[i] === '#') while (i < script.length && script[i] !== '\n') i++;
    if (i < script.length && !'\n;'.includes(script[i] ?? '')) {
      return refuse(`text after a command ("${script.slice(i, i + 10)}")`);
    }
    command.text = script.slice(begin, i).trim();
    commands.push(command);
  }
  if (commands.length === 0) return refuse('an empty sed script');
  return { ok: true, commands };
}

// --- running ---------------------------------------------------------------------------------------

function matches(address: Address, line: string, lineNo: number, last: boolean): boolean {
  if (address.kind === 'line') return lineNo === address.line;
  if (address.kind === 'last') return last;
  return address.regex.test(line);
}

function substitute(
  line: string,
  s: NonNullable<SedCommand['substitution']>,
): { text: string; made: boolean } {
  const regex = new RegExp(s.regex.source, s.regex.flags);
  let out = '';
  let last = 0;
  let count = 0;
  let made = false;
  for (let m = regex.exec(line); m !== null; m = regex.exec(line)) {
    count++;
    if (count === s.occurrence || (s.global && count > s.occurrence)) {
      const groups = m;
      out += line.slice(last, m.index);
      out += s.replacement.map((p) => (typeof p === 'string' ? p : (groups[p.group] ?? ''))).join('');
      last = m.index + m[0].length;
      made = true;
      if (!s.global) break;
    }
    if (m[0].length === 0) regex.lastIndex++;
    if (regex.lastIndex > line.length) break;
  }
  return { text: made ? out + line.slice(last) : line, made };
}

export interface SedRun {
  output: string;
  /** How many lines each command acted on (s: lines changed), in script order. */
  hits: number[];
  /** 1-based output lines that a substitution produced (even when it wrote the same text back). */
  substitutedLines: number[];
}

/** Runs the script over one file's text, like `sed -i` does per file. */
export function runSed(commands: readonly SedCommand[], text: string, quiet: boolean): SedRun {
  const endsWithNewline = text.endsWith('\n');
  const lines = text === '' ? [] : (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const hits = commands.map(() => 0);
  const active = commands.map(() => false);
  const out: string[] = [];
  const substitutedLines: number[] = [];
  let outLines = 0;
  const emit = (space: string, substituted: boolean) => {
    out.push(space);
    const count = space.split('\n').length;
    if (substituted) for (let n = 1; n <= count; n++) substitutedLines.push(outLines + n);
    outLines += count;
  };
  lines.forEach((input, index) => {
    const lineNo = index + 1;
    const last = index === lines.length - 1;
    let space = input;
    let deleted = false;
    let substituted = false;
    for (const [c, command] of commands.entries()) {
      let selected: boolean;
      if (!command.from) selected = true;
      else if (!command.to) selected = matches(command.from, space, lineNo, last);
      else if (active[c]) {
        selected = true;
        const to = command.to;
        if (to.kind === 'line' ? lineNo >= to.line : matches(to, space, lineNo, last)) active[c] = false;
      } else if (matches(command.from, space, lineNo, last)) {
        selected = true;
        const to = command.to;
        // A line-number end at or before the start line makes a one-line range (GNU).
        active[c] = to.kind === 'line' ? to.line > lineNo : to.kind === 'last' ? !last : true;
      } else selected = false;
      if (selected === command.negate) continue;
      if (command.kind === 'd') {
        hits[c] = (hits[c] ?? 0) + 1;
        deleted = true;
        break;
      }
      if (command.kind === 'p') {
        hits[c] = (hits[c] ?? 0) + 1;
        emit(space, substituted);
        continue;
      }
      const s = command.substitution;
      if (!s) continue;
      const result = substitute(space, s);
      if (result.made) {
        hits[c] = (hits[c] ?? 0) + 1;
        space = result.text;
        substituted = true;
        if (s.print) emit(space, true);
      }
    }
    if (!deleted && !quiet) emit(space, substituted);
  });
  const body = out.join('\n');
  return { output: out.length === 0 ? '' : endsWithNewline ? `${body}\n` : body, hits, substitutedLines };
}
