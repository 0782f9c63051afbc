// The engine's Dockerfile parser, rule for rule: moby/buildkit frontend/dockerfile/parser at the
// version Docker Engine 20.10 vendors (v0.8), which its classic builder uses. The gateway decides
// what a build may reach from what this reader sees, so any difference from the engine is a hole:
// every rule below names the Go function it follows, and tests/integration/sandbox/dockerfile-
// differential.test.ts compares the two readers on a corpus of tricky files. Heredocs do not exist
// in this version; a BOM is dropped from the first line, a CR before each newline.

/** One instruction as the engine's parser leaves it (its `Node`). */
export interface Node {
  /** The command, lower-cased as the engine keeps it: `from`, `copy`, or an unknown word. */
  cmd: string;
  /** Builder flags (`--from=build`), with quotes and backslashes removed as the engine does. */
  flags: string[];
  /** The rest of the line after the flags, trimmed. */
  args: string;
  /** The argument values (the engine's `Next` chain); for ENV and LABEL, key and value alternate. */
  values: string[];
  /** Whether the arguments were a JSON array (exec form). */
  json: boolean;
  /** ONBUILD's instruction. */
  child?: Omit<Node, 'startLine' | 'endLine'>;
  /** The logical line, continuation lines joined exactly as the engine joins them. */
  original: string;
  /** First and last physical line, 1-based, as the engine counts them for its error messages. */
  startLine: number;
  endLine: number;
}

export interface Parsed {
  nodes: Node[];
  /** The escape character: `\` unless a `# escape=` directive said `` ` ``. */
  escape: '\\' | '`';
}

export type ParseResult = { ok: true; value: Parsed } | { ok: false; error: { line: number; message: string } };

// Go's unicode.IsSpace on the ASCII range; the gateway refuses other characters before parsing.
const SPACE = /[\t\n\v\f\r ]/;
const isSpace = (ch: string) => SPACE.test(ch);
// Trimming by loops, not regular expressions: a regex anchored at the end backtracks quadratically
// on a long run of spaces, and one learner's Dockerfile would stall the server's only thread.
const isGoSpace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d);
function trimLeft(s: string): string {
  let start = 0;
  while (start < s.length && isGoSpace(s.charCodeAt(start))) start++;
  return s.slice(start);
}
function trimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s.charCodeAt(end - 1))) end--;
  return trimLeft(s.slice(0, end));
}
// reWhitespace = `[\t\v\f\r ]+`
const WHITESPACE = /[\t\v\f\r ]+/;
/**
 * reDirectives = `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's \s has no \v), matched by
 * hand in linear time. Its lazy value keeps one blank when nothing else follows the `=`.
 */
function directive(line: string): [name: string, value: string] | undefined {
  const isSpace = (i: number) => { const c = line.charCodeAt(i); return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d; };
  if (line[0] !== '#') return undefined;
  let i = 1;
  while (i < line.length && isSpace(i)) i++;
  const nameStart = i;
  if (!/[a-zA-Z]/.test(line[i] ?? '')) return undefined;
  while (i < line.length && /[a-zA-Z0-9]/.test(line[i]!)) i++;
  const name = line.slice(nameStart, i);
  while (i < line.length && isSpace(i)) i++;
  if (line[i] !== '=') return undefined;
  i++;
  const afterEquals = i;
  while (i < line.length && isSpace(i)) i++;
  let end = line.length;
  while (end > i && isSpace(end - 1)) end--;
  if (end > i) return [name, line.slice(i, end)];
  return line.length > afterEquals ? [name, line[line.length - 1]!] : undefined;
}
const VALID_DIRECTIVES = new Set(['escape', 'syntax']);

class Directives {
  escape: '\\' | '`' = '\\';
  continuation = continuationPattern('\\');
  done = false;
  readonly seen = new Set<string>();

  /** possibleParserDirective: directives are read until the first line that is not one. */
  possible(line: string): string | undefined {
    if (this.done) return undefined;
    const match = directive(line);
    if (!match) { this.done = true; return undefined; }
    const key = match[0].toLowerCase();
    if (!VALID_DIRECTIVES.has(key)) { this.done = true; return undefined; }
    if (this.seen.has(key)) return `only one ${key} parser directive can be used`;
    this.seen.add(key);
    if (key === 'escape') {
      const token = match[1];
      if (token !== '`' && token !== '\\') return `invalid escape token '${token}' does not match \` or \\`;
      this.escape = token;
      this.continuation = continuationPattern(token);
    }
    return undefined;
  }
}

// setEscapeToken: `([^\X])\X[ \t]*$|^\X[ \t]*$`: an escape character that is not itself escaped,
// followed by nothing but spaces and tabs, continues the line.
function continuationPattern(token: string): RegExp {
  const x = token === '`' ? '`' : '\\\\';
  return new RegExp(`([^${x}])${x}[ \\t]*$|^${x}[ \\t]*$`);
}

const isComment = (line: string) => trimLeft(line).startsWith('#');

/** processLine: left-trim (first lines only), look for a directive, blank a comment. */
function processLine(d: Directives, line: string, stripLeft: boolean): { line: string; error?: string } {
  const token = stripLeft ? trimLeft(line) : line;
  const error = d.possible(token);
  return { line: token.startsWith('#') ? '' : token, error };
}

/** trimContinuationCharacter */
function trimContinuation(line: string, d: Directives): { line: string; end: boolean } {
  const match = d.continuation.exec(line);
  if (!match) return { line, end: true };
  return { line: line.slice(0, match.index) + (match[1] ?? ''), end: false };
}

/** bufio.ScanLines: split on \n, drop one \r before it; no empty last line. */
export function scanLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (text.endsWith('\n') || text === '') lines.pop();
  return lines;
}

/** Parse: the whole file, as the engine reads it. */
export function parse(text: string): ParseResult {
  const d = new Directives();
  const lines = scanLines(text);
  if (lines.length > 0) lines[0] = lines[0]!.replace(/^\uFEFF/, '');
  const nodes: Node[] = [];
  let current = 0; // lines consumed
  const fail = (line: number, message: string): ParseResult => ({ ok: false, error: { line, message } });
  while (current < lines.length) {
    const first = processLine(d, lines[current]!, true);
    if (first.error) return fail(current + 1, first.error);
    current++;
    const startLine = current;
    let { line, end } = trimContinuation(first.line, d);
    if (end && line === '') continue;
    while (!end && current < lines.length) {
      const raw = lines[current]!;
      const next = processLine(d, raw, false);
      if (next.error) return fail(current + 1, next.error);
      current++;
      if (isComment(raw)) continue;
      if (trimLeft(next.line) === '') continue; // an empty continuation line
      const trimmed = trimContinuation(next.line, d);
      end = trimmed.end;
      line += trimmed.line;
    }
    const node = nodeFromLine(line, d);
    if (!node.ok) return fail(startLine, node.error);
    nodes.push({ ...node.value, startLine, endLine: current });
  }
  if (nodes.length === 0) return fail(current, 'file with no instructions');
  return { ok: true, value: { nodes, escape: d.escape } };
}

type Partial = Omit<Node, 'startLine' | 'endLine'>;
type Parsed1 = { ok: true; value: Partial } | { ok: false; error: string };

/** newNodeFromLine */
function nodeFromLine(line: string, d: Directives): Parsed1 {
  const { cmd, flags, args } = splitCommand(line);
  const parser = DISPATCH[cmd] ?? parseIgnore;
  const parsed = parser(args, d);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { cmd, flags, args, original: line, values: parsed.values, json: parsed.json, child: parsed.child } };
}

/** splitCommand: the first word (lower-cased), then builder flags, then the rest. */
export function splitCommand(line: string): { cmd: string; rest: string; flags: string[]; args: string } {
  const trimmed = trimSpace(line);
  const split = WHITESPACE.exec(trimmed);
  const cmd = (split ? trimmed.slice(0, split.index) : trimmed).toLowerCase();
  const rest = split ? trimmed.slice(split.index + split[0].length) : '';
  if (!split) return { cmd, rest, flags: [], args: '' };
  const extracted = extractBuilderFlags(rest);
  return { cmd, rest, flags: extracted.flags, args: trimSpace(extracted.args) };
}

/** extractBuilderFlags: leading `--words`, quotes and backslashes removed (always `\`, whatever the escape). */
function extractBuilderFlags(line: string): { args: string; flags: string[] } {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  let ch = '';
  for (let pos = 0; pos <= line.length; pos++) {
    if (pos !== line.length) ch = line[pos]!;
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') return { args: line.slice(pos), flags: words };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { args: line.slice(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') { quote = ch; blankOK = true; phase = 'quote'; continue; }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        pos++;
        ch = line[pos]!;
      }
      word += ch;
      continue;
    }
    // in a quote
    if (ch === quote) { phase = 'word'; continue; }
    if (ch === '\\') {
      if (pos + 1 === line.length) { phase = 'word'; continue; }
      pos++;
      ch = line[pos]!;
    }
    word += ch;
  }
  return { args: '', flags: words };
}

type ArgsParsed = { ok: true; values: string[]; json: boolean; child?: Partial } | { ok: false; error: string };
type ArgsParser = (rest: string, d: Directives) => ArgsParsed;

const values = (list: string[], json = false): ArgsParsed => ({ ok: true, values: list, json });

const parseIgnore: ArgsParser = () => values([]);

/** parseSubCommand (ONBUILD) */
const parseSubCommand: ArgsParser = (rest, d) => {
  if (rest === '') return values([]);
  const child = nodeFromLine(rest, d);
  if (!child.ok) return child;
  return { ok: true, values: [], json: false, child: child.value };
};

/** parseWords: words split on spaces, quotes kept, escapes kept (a word-level view for ENV and LABEL). */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  const chars = Array.from(rest);
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = pos < chars.length ? chars[pos]! : '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') { quote = ch; blankOK = true; phase = 'quote'; }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        pos++;
        ch = chars[pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) { phase = 'word'; continue; }
      pos++;
      word += ch;
      ch = chars[pos]!;
    }
    word += ch;
  }
  return words;
}

/** parseNameVal (ENV, LABEL): `key value` or `k=v k2=v2`. */
function parseNameVal(key: string): ArgsParser {
  return (rest, d) => {
    const words = parseWords(rest, d.escape);
    if (words.length === 0) return values([]);
    if (!words[0]!.includes('=')) {
      const split = WHITESPACE.exec(rest);
      if (!split) return { ok: false, error: `${key} must have two arguments` };
      return values([rest.slice(0, split.index), rest.slice(split.index + split[0].length)]);
    }
    const pairs: string[] = [];
    for (const word of words) {
      const at = word.indexOf('=');
      if (at === -1) return { ok: false, error: `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value` };
      pairs.push(word.slice(0, at), word.slice(at + 1));
    }
    return values(pairs);
  };
}

/** parseNameOrNameVal (ARG) */
const parseNameOrNameVal: ArgsParser = (rest, d) => values(parseWords(rest, d.escape));

/** parseStringsWhitespaceDelimited */
const parseStringsWhitespaceDelimited: ArgsParser = (rest) => values(rest === '' ? [] : rest.split(new RegExp(WHITESPACE.source)));

/** parseString */
const parseString: ArgsParser = (rest) => values(rest === '' ? [] : [rest]);

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';

/** parseJSON: the first JSON value of the line (Go's decoder ignores what follows it). */
function parseJSON(rest: string): ArgsParsed | 'not-json' {
  const text = trimLeft(rest);
  if (!text.startsWith('[')) return 'not-json';
  const end = firstJsonValueEnd(text);
  if (end === undefined) return 'not-json';
  let decoded: unknown;
  try {
    decoded = JSON.parse(text.slice(0, end));
  } catch {
    return 'not-json';
  }
  if (!Array.isArray(decoded)) return 'not-json';
  if (!decoded.every((item) => typeof item === 'string')) return { ok: false, error: NOT_STRINGS };
  // Go decodes a lone surrogate escape as U+FFFD.
  return values((decoded as string[]).map((s) => s.toWellFormed()), true);
}

/** Where the array that opens `text` closes (strings and nesting respected), or undefined. */
function firstJsonValueEnd(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/** parseMaybeJSON (RUN, CMD, ENTRYPOINT, SHELL) */
const parseMaybeJSON: ArgsParser = (rest) => {
  if (rest === '') return values([]);
  const json = parseJSON(rest);
  return json === 'not-json' ? values([rest]) : json;
};

/** parseMaybeJSONToList (ADD, COPY, VOLUME) */
const parseMaybeJSONToList: ArgsParser = (rest, d) => {
  const json = parseJSON(rest);
  return json === 'not-json' ? parseStringsWhitespaceDelimited(rest, d) : json;
};

/** parseHealthConfig: the type word, then a command as for CMD. */
const parseHealthConfig: ArgsParser = (rest, d) => {
  let sep = 0;
  while (sep < rest.length && !isSpace(rest[sep]!)) sep++;
  let next = sep;
  while (next < rest.length && isSpace(rest[next]!)) next++;
  if (sep === 0) return values([]);
  const command = parseMaybeJSON(rest.slice(next), d);
  if (!command.ok) return command;
  return { ok: true, values: [rest.slice(0, sep), ...command.values], json: command.json };
};

const DISPATCH: Record<string, ArgsParser> = {
  add: parseMaybeJSONToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJSON,
  copy: parseMaybeJSONToList,
  entrypoint: parseMaybeJSON,
  env: parseNameVal('ENV'),
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: parseNameVal('LABEL'),
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJSON,
  shell: parseMaybeJSON,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJSONToList,
  workdir: parseString,
};

/** Node.Dump, as the engine's parser tests print it: `(copy ["--from=a"] "x" "y")`. */
export function dump(node: Omit<Node, 'startLine' | 'endLine' | 'original' | 'args'>): string {
  let out = node.cmd;
  if (node.flags.length > 0) out += ` [${node.flags.map(goQuote).join(' ')}]`;
  if (node.child) out += ` (${dump(node.child)})`;
  out += node.values.map((v) => ` ${goQuote(v)}`).join('');
  return out.trim();
}

/** strconv.Quote for the characters a Dockerfile here may hold. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\v') out += '\\v';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\x07') out += '\\a';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
