/**
 * Splits one simple shell command into its words the way bash would before running it, for the
 * subset the allocator analysis models: blanks, single quotes, double quotes and backslashes.
 * Anything that would make the words depend on the node (operators, redirections, globs, command
 * substitution) is refused with a reason, so the caller can say what it did not model.
 *
 * `$NAME` inside double quotes is kept as written (and listed): the value is only known on the
 * node, and the allocator checks report it as a placeholder rather than guess it.
 */

export type ShellWords = { ok: true; words: string[]; expansions: string[] } | { ok: false; reason: string };

const OPERATOR = /[;&|<>()]/;
const GLOB = /[*?[]/;

export function shellWords(command: string): ShellWords {
  const words: string[] = [];
  const expansions: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const refuse = (reason: string): ShellWords => ({ ok: false, reason });
  while (i < command.length) {
    const c = command[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) return refuse('an unterminated single quote');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < command.length) {
        const d = command[i] ?? '';
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < command.length && '$`"\\\n'.includes(command[i + 1] ?? '')) {
          if (command[i + 1] !== '\n') word += command[i + 1];
          i += 2;
          continue;
        }
        if (d === '`') return refuse('command substitution');
        if (d === '$') {
          const name = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(command.slice(i));
          if (command[i + 1] === '(') return refuse('command substitution');
          if (name) expansions.push(name[0]);
        }
        word += d;
        i++;
      }
      if (!closed) return refuse('an unterminated double quote');
      inWord = true;
      continue;
    }
    if (c === '\\') {
      if (i + 1 < command.length) word += command[i + 1];
      inWord = true;
      i += 2;
      continue;
    }
    if (c === '#' && !inWord) break;
    if (OPERATOR.test(c))
      return refuse(`the shell operator or redirection "${c}" (only one simple command is modelled)`);
    if (c === '`' || (c === '$' && command[i + 1] === '(')) return refuse('command substitution');
    if (c === '$') return refuse('an unquoted shell expansion');
    if (GLOB.test(c)) return refuse(`the unquoted glob character "${c}"`);
    word += c;
    inWord = true;
    i++;
  }
  if (inWord) words.push(word);
  return { ok: true, words, expansions };
}
