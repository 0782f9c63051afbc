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
  // A parser directive `# escape=X` may only open the file.
  for (const line of lines) {
    const directive = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape') escape = directive[2]!;
  }
  const found: Instruction[] = [];
  let current: Instruction | undefined;
  lines.forEach((raw, index) => {
    if (current === undefined && /^\s*(#|$)/.test(raw)) return;
    if (current !== undefined && /^\s*#/.test(raw)) return; // comments inside a continuation are dropped
    const trimmed = raw.replace(/\s+$/, '');
    const continues = trimmed.endsWith(escape);
    const part = continues ? trimmed.slice(0, -escape.length) : trimmed;
    if (current === undefined) {
      const keyword = /^\s*(\S+)/.exec(part)?.[1]?.toUpperCase() ?? '';
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
