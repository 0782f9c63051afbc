// Reading a Dockerfile as the classic builder does: logical instructions (continuation lines
// joined, comments dropped, the escape directive honoured) with the lines they came from. Pure;
// shared by the sandbox (which rewrites image references) and grading (which checks facts).

export interface Instruction {
  /** Upper-cased first word, e.g. FROM. */
  keyword: string;
  /** Index of the first and last physical line (0-based). */
  first: number;
  last: number;
  /** The whole instruction on one line, keyword included. */
  text: string;
}

/** Splits a Dockerfile into logical instructions, as the classic builder does. */
export function instructions(lines: string[]): Instruction[] {
  let escape = '\\';
  // A parser directive `# escape=X` may only open the file, and only \\ or ` are valid (as the engine reads it).
  for (const line of lines) {
    const directive = /^#[ \t]*([a-z]+)[ \t]*=[ \t]*(\S*)[ \t]*$/i.exec(line);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape' && (directive[2] === '\\' || directive[2] === '`')) escape = directive[2];
  }
  const found: Instruction[] = [];
  let current: Instruction | undefined;
  // Continued only by the escape character followed by nothing but spaces and tabs, as the engine does.
  const continuation = new RegExp(`${escape === '`' ? '`' : '\\\\'}[ \\t]*$`);
  lines.forEach((raw, index) => {
    if (current === undefined && /^[ \t]*(#|$)/.test(raw)) return;
    if (current !== undefined && /^[ \t]*#/.test(raw)) return; // comments inside a continuation are dropped
    const continues = continuation.test(raw);
    const part = continues ? raw.replace(continuation, '') : raw.replace(/[ \t]+$/, '');
    if (current === undefined) {
      const keyword = /^[ \t]*(\S+)/.exec(part)?.[1]?.toUpperCase() ?? '';
      current = { keyword, first: index, last: index, text: part.trim() };
    } else {
      current.text += ` ${part.trim()}`;
      current.last = index;
    }
    if (!continues) {
      found.push(current);
      current = undefined;
    }
  });
  if (current) found.push(current);
  return found;
}

/**
 * Why a Dockerfile cannot be read the way the engine will read it, or undefined. Characters outside
 * printable ASCII (a no-break space, a vertical tab, a dotted capital I) are read differently by
 * the engine's Go parser than by ours, so they are refused rather than guessed at.
 */
export function unreadable(text: string): string | undefined {
  if (Buffer.byteLength(text) > MAX_DOCKERFILE_BYTES) return `the Dockerfile is larger than ${MAX_DOCKERFILE_BYTES / 1024} KiB`;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const bad = /[^\x20-\x7e\t]/.exec(lines[i]!.replace(/\r$/, ''));
    if (bad) return `line ${i + 1} has a character Dockerfiles in this lab may not use (code ${bad[0].codePointAt(0)}): use plain ASCII`;
  }
  const long = instructions(lines).find((instruction) => instruction.text.length > MAX_INSTRUCTION_BYTES);
  return long ? `the instruction on line ${long.first + 1} is longer than ${MAX_INSTRUCTION_BYTES} characters` : undefined;
}

// The engine's word parser is quadratic in a long ENV or LABEL value: minutes of CPU for a few
// hundred KiB. No lesson needs anything near these sizes.
const MAX_DOCKERFILE_BYTES = 64 * 1024;
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
  for (const instruction of instructions(text.split(/\r?\n/))) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.text.split(/\s+/).slice(1).filter((w) => !w.startsWith('--'));
      found.push({ from: words[0] ?? '', name: words[1]?.toUpperCase() === 'AS' ? words[2]?.toLowerCase() : undefined, instructions: [] });
    } else {
      found.at(-1)?.instructions.push(instruction);
    }
  }
  return found;
}
