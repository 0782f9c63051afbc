// The engine's word processing (moby/buildkit frontend/dockerfile/shell/lex.go, v0.8): what a
// FROM image, an ADD source or a LABEL key becomes once the builder strips its quotes and
// escapes and expands its variables. The gateway judges those words after this processing; a word
// that names a variable depends on ARG, ENV and --build-arg values, so it is reported as such and
// refused by the caller rather than guessed. Grading, which knows the values a build used, passes
// a lookup and gets the expansion for the forms every engine version agrees on.

export type Word = { ok: true; value: string } | { ok: false; reason: 'variable' | 'syntax'; message: string };

/**
 * A variable's value as the builder sees it at that instruction: '' when it is unset (the engine
 * expands an unset variable to nothing), undefined when it cannot be known (the caller then gets
 * `variable`, never a guess).
 */
export type Lookup = (name: string) => string | undefined;

/**
 * ProcessWord: the word's value, or why it cannot be decided. Without `lookup` any variable makes
 * it undecided. With one, `$name`, `${name}`, `${name:-word}` and `${name:+word}` (word plain) are
 * expanded as the engine's builder does; any other form is undecided (engines differ on them).
 */
export function processWord(word: string, escape: string, lookup?: Lookup): Word {
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
  // processName: a run of digits, one special parameter, or letters, digits and _.
  const name = () => {
    let found = '';
    if (/[0-9]/.test(peek() ?? '')) {
      while (/[0-9]/.test(peek() ?? '')) found += next();
      return found;
    }
    if (/[@*#?\-$!]/.test(peek() ?? '')) return next()!;
    while (/[A-Za-z0-9_]/.test(peek() ?? '')) found += next();
    return found;
  };
  const valueOf = (variable: string, use: (value: string) => string): Word => {
    const value = lookup!(variable);
    return value === undefined ? { ok: false, reason: 'variable', message: `${word}: the value of ${variable} is not known` } : { ok: true, value: use(value) };
  };
  // processDollar, for the forms every engine version reads the same way.
  const dollar = (): Word => {
    next();
    if (peek() !== '{') {
      const found = name();
      return found === '' ? { ok: true, value: '$' } : valueOf(found, (v) => v);
    }
    next();
    if (peek() === undefined) return syntax("syntax error: missing '}'");
    if ('{}:'.includes(peek()!)) return syntax('syntax error: bad substitution');
    const found = name();
    const after = next();
    if (after === '}') return valueOf(found, (v) => v);
    const modifier = next();
    if (after !== ':' || (modifier !== '-' && modifier !== '+')) return variable();
    let alternative = '';
    while (peek() !== undefined && peek() !== '}') {
      if ('$\'"'.includes(peek()!) || peek() === escape) return variable();
      alternative += next();
    }
    if (next() === undefined) return syntax("syntax error: missing '}'");
    return valueOf(found, (v) => (modifier === '-' ? (v === '' ? alternative : v) : v === '' ? '' : alternative));
  };
  // A `$` outside single quotes: expanded with `lookup`; without one, a variable leaves the word
  // undecided; a lone `$` is itself.
  const atDollar = (): Word => {
    if (lookup) return dollar();
    if (dollarIsVariable()) return variable();
    next();
    return { ok: true, value: '$' };
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
          const read = atDollar();
          if (!read.ok) return read;
          out += read.value;
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
      const read = atDollar();
      if (!read.ok) return read;
      out += read.value;
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
