// The image references inside a learner's Dockerfile (FROM, COPY/ADD --from) are ownership
// questions too: the engine resolves them at build time, outside the gateway's sight. Rewrite each
// to its engine name (or refuse it) before the engine reads the file. Line numbers are kept, so the
// engine's parse errors (e.g. the lesson's `unknown instruction`) still point at the learner's line.
import { instructions, unreadable } from '../../dockerfile/index.ts';
import { refuse, type Refusal, type Result } from './police.ts';

/** Maps an image reference from a Dockerfile to the engine's name, or refuses it. */
export type ImageMapper = (reference: string) => Promise<Result<string>>;

/** The Dockerfile with every image reference mapped; stage names and numbers are left alone. */
export async function rewriteDockerfile(text: string, mapImage: ImageMapper): Promise<Result<string>> {
  const problem = unreadable(text);
  if (problem) return refuse('dockerfile_forbidden', problem);
  const lines = text.split(/\r?\n/);
  const stages = new Set<string>();
  let stageCount = 0;
  for (const instruction of instructions(lines)) {
    let rewritten: Result<string> | undefined;
    if (instruction.keyword === 'ONBUILD') {
      return refuse('dockerfile_forbidden', 'ONBUILD is not available in this lab');
    } else if (instruction.keyword === 'FROM') {
      rewritten = await rewriteFrom(instruction.text, stages, mapImage);
      stageCount++;
    } else if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
      const flagged = checkCopyFlags(instruction);
      if (flagged) return flagged;
      rewritten = await rewriteCopyFrom(instruction.text, stages, stageCount, mapImage);
    } else if (instruction.keyword === 'LABEL' && /org\.stagecraft\./i.test(instruction.text)) {
      return refuse('dockerfile_forbidden', 'labels named org.stagecraft.* are reserved by the lab');
    }
    if (!rewritten) continue;
    if (!rewritten.ok) return rewritten;
    // The whole instruction on its first line; its continuation lines become blank, so numbering holds.
    lines[instruction.first] = rewritten.value;
    for (let i = instruction.first + 1; i <= instruction.last; i++) lines[i] = '';
  }
  return { ok: true, value: lines.join('\n') };
}

/**
 * COPY and ADD: flags written plainly (the engine strips escapes and quotes from flag words, which
 * would hide a --from from us), and no URL or git source for ADD: the engine fetches those itself,
 * from the host's network, whatever the build's network mode.
 */
function checkCopyFlags(instruction: { keyword: string; text: string }): { ok: false; error: Refusal } | undefined {
  const words = instruction.text.split(/\s+/).slice(1);
  // A flag word is whatever reads as --name once quotes and escapes are stripped, as the engine does.
  if (words.some((w) => w.replace(/[\\"'`]/g, '').startsWith('--') && /[\\"'`]/.test(w))) {
    return refuse('dockerfile_forbidden', `${instruction.keyword} flags must be written plainly, e.g. --from=build`);
  }
  if (instruction.keyword === 'ADD' && /(^|[\s"\[,])([a-z][a-z0-9+.-]*:\/\/|git@)/i.test(instruction.text.slice(3))) {
    return refuse('dockerfile_forbidden', 'ADD from a URL is not available in this lab: the build has no network. COPY files from the build context instead');
  }
  return undefined;
}

async function rewriteFrom(text: string, stages: Set<string>, mapImage: ImageMapper): Promise<Result<string>> {
  const words = text.split(/\s+/).slice(1);
  const flags = words.filter((w) => w.startsWith('--'));
  const [image, as, name, ...extra] = words.filter((w) => !w.startsWith('--'));
  if (!image || (as !== undefined && (as.toUpperCase() !== 'AS' || !name)) || extra.length > 0) {
    return { ok: true, value: text }; // malformed: the engine reports it in its own words
  }
  if (flags.some((f) => !/^--platform=linux\/amd64$/.test(f))) return refuse('dockerfile_forbidden', `FROM flags other than --platform=linux/amd64 are not available in this lab: ${flags.join(' ')}`);
  if (image.includes('$')) return refuse('dockerfile_forbidden', 'FROM with a variable is not available in this lab: name the image directly');
  const lower = image.toLowerCase();
  const mapped = lower === 'scratch' || stages.has(lower) ? { ok: true as const, value: image } : await mapImage(image);
  if (!mapped.ok) return mapped;
  if (name) stages.add(name.toLowerCase());
  return { ok: true, value: ['FROM', ...flags, mapped.value, ...(name ? ['AS', name] : [])].join(' ') };
}

async function rewriteCopyFrom(text: string, stages: Set<string>, stageCount: number, mapImage: ImageMapper): Promise<Result<string> | undefined> {
  const match = /(^|\s)--from=(\S+)/i.exec(text);
  if (!match) return undefined;
  const source = match[2]!;
  if (source.includes('$')) return refuse('dockerfile_forbidden', 'COPY --from with a variable is not available in this lab');
  // A stage number must name an earlier stage, else the engine would read it as an image name.
  if (/^\d+$/.test(source) && Number(source) < stageCount) return undefined;
  if (stages.has(source.toLowerCase())) return undefined;
  const mapped = await mapImage(source);
  if (!mapped.ok) return mapped;
  return { ok: true, value: text.slice(0, match.index) + `${match[1]}--from=${mapped.value}` + text.slice(match.index + match[0].length) };
}
