// Reading a Dockerfile as the engine's classic builder does (parser.ts follows its parser rule for
// rule; lex.ts its word processing). Pure; shared by the sandbox (which judges a build and writes
// the Dockerfile the engine reads) and grading (which checks facts).
import { parse, scanLines, type Node } from './parser.ts';

export { dump, goQuote, parse, splitCommand, type Node, type Parsed, type ParseResult } from './parser.ts';
export { processWord, type Lookup, type Word } from './lex.ts';

/** One logical instruction, in a form that grading reads. */
export interface Instruction {
  /** Upper-cased first word, e.g. FROM. */
  keyword: string;
  /** Index of the first and last physical line (0-based). */
  first: number;
  last: number;
  /** The whole instruction on one line, keyword included, as the engine joined it. */
  text: string;
  /** What the engine's parser made of it. */
  node: Node;
}

/** The logical instructions of a Dockerfile; none when the engine could not parse it. */
export function instructions(text: string): Instruction[] {
  const parsed = parse(text);
  if (!parsed.ok) return [];
  return parsed.value.nodes.map((node) => ({
    keyword: node.cmd.toUpperCase(), first: node.startLine - 1, last: node.endLine - 1, text: node.original.trim(), node,
  }));
}

/**
 * Why a Dockerfile cannot be read the way the engine will read it, or undefined. Characters outside
 * printable ASCII (a no-break space, a vertical tab, a dotted capital I) are read differently by
 * the engine's Go parser than by ours, so they are refused rather than guessed at (a byte-order
 * mark opening the file is the one exception: both readers drop it).
 */
export function unreadable(text: string): string | undefined {
  if (Buffer.byteLength(text) > MAX_DOCKERFILE_BYTES) return `the Dockerfile is larger than ${MAX_DOCKERFILE_BYTES / 1024} KiB`;
  const lines = scanLines(text.replace(/^\uFEFF/, ''));
  for (let i = 0; i < lines.length; i++) {
    const bad = /[^\x20-\x7e\t]/.exec(lines[i]!);
    if (bad) return `line ${i + 1} has a character Dockerfiles in this lab may not use (code ${bad[0].codePointAt(0)}): use plain ASCII`;
  }
  const long = instructions(text).find((instruction) => instruction.text.length > MAX_INSTRUCTION_BYTES);
  return long ? `the instruction on line ${long.first + 1} is longer than ${MAX_INSTRUCTION_BYTES} characters` : undefined;
}

// The engine's word parser is quadratic in a long ENV or LABEL value: minutes of CPU for a few
// hundred KiB. No lesson needs anything near these sizes.
const MAX_DOCKERFILE_BYTES = 60 * 1024;
const MAX_INSTRUCTION_BYTES = 4096;

/** One build stage: its FROM line and the instructions after it. */
export interface Stage {
  /** The image or stage it starts from. */
  from: string;
  /** Its name (`AS name`), lower-cased, if it has one. */
  name?: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, in order (instructions before the first FROM are dropped). */
export function stages(text: string): Stage[] {
  const found: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.node.values;
      found.push({ from: from ?? '', name: as?.toUpperCase() === 'AS' ? name?.toLowerCase() : undefined, instructions: [] });
    } else {
      found.at(-1)?.instructions.push(instruction);
    }
  }
  return found;
}
