// The engine's word processing (moby/buildkit frontend/dockerfile/shell/lex.go, v0.8): what a
// FROM image, an ADD source or a LABEL key becomes once the builder strips its quotes and
// escapes and expands its variables. The gateway judges those words after this processing; a word
// that names a variable depends on ARG, ENV and --build-arg values, so it is reported as such and
// refused by the caller rather than guessed.

export type Word = { ok: true; value: string } | { ok: false; reason: 'variable' | 'syntax'; message: string };

/** ProcessWord with no variables known: the word's value, or why it cannot be decided. */
export function processWord(word: string, escape: string): Word {
  const chars = Array.from(word);
  let pos = 0;
  const peek = () => chars[pos];
  const next = () => chars[pos++];
  let out = '';
  const variable = (): Word => ({ ok: false, reason: 'variable', message: `${word} uses a variable` });
  const syntax = (message: string): Word => ({ ok: false, reason: 'syntax', message });

  // processDollar: `$name`, `${…}` and the special parameters are variables; a lone `$` is itself.
  const dollarIsVariable = () => {
    const after = chars[pos + 1];
    return after !== undefined && (after === '{' || /[A-Za-z0-9_@*#?\-$!]/.test(after));
  };

  while (peek() !== undefined) {
    const ch = peek()!;
    if (ch === "'") {
      next();
      let closed = false;
      while (peek() !== undefined) {
        const c = next()!;
        if (c === "'") { closed = true; break; }
        out += c;
      }
      if (!closed) return syntax('unexpected end of statement while looking for matching single-quote');
    } else if (ch === '"') {
      next();
      let closed = false;
      while (peek() !== undefined) {
        const c = peek()!;
        if (c === '"') { next(); closed = true; break; }
        if (c === '$') {
          if (dollarIsVariable()) return variable();
          next();
          out += '$';
          continue;
        }
        next();
        if (c === escape) {
          const after = peek();
          if (after === undefined) continue;
          if (after === '"' || after === '$' || after === escape) { out += next(); continue; }
        }
        out += c;
      }
      if (!closed) return syntax('unexpected end of statement while looking for matching double-quote');
    } else if (ch === '$') {
      if (dollarIsVariable()) return variable();
      next();
      out += '$';
    } else {
      next();
      if (ch === escape) {
        const escaped = next();
        if (escaped === undefined) break;
        out += escaped;
      } else {
        out += ch;
      }
    }
  }
  return { ok: true, value: out };
}
