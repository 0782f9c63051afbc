// One runner per check kind. A runner answers pass or fail (the learner's work is wrong: what was
// expected, what was seen); it throws CannotJudge when it could not tell, which becomes `error`.
import type { Check, CheckKind } from '../../src/schemas/checks.ts';
import { stages } from '../dockerfile/index.ts';
import { describeOutput, excerpt, matchesOutput } from './output.ts';
import type { LearnerEngine, LearnerImage } from './port.ts';

export interface Verdict {
  status: 'pass' | 'fail';
  expected?: string;
  seen?: string;
  evidence: Record<string, string | number>;
}

type Runner<K extends CheckKind> = (check: Extract<Check, { kind: K }>, engine: LearnerEngine) => Promise<Verdict>;

const pass = (evidence: Verdict['evidence'] = {}): Verdict => ({ status: 'pass', evidence });
const fail = (expected: string, seen: string, evidence: Verdict['evidence'] = {}): Verdict => ({ status: 'fail', expected, seen, evidence });
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** The learner's image, or a failure saying it is not there. */
async function needImage(engine: LearnerEngine, name: string): Promise<LearnerImage | Verdict> {
  return (await engine.image(name)) ?? fail(`an image named ${name}`, `no image named ${name} (docker image ls lists yours)`);
}

async function needDockerfile(engine: LearnerEngine, file: string): Promise<ReturnType<typeof stages> | Verdict> {
  const text = await engine.readFile(file);
  return text === undefined ? fail(`a Dockerfile at ~/${file}`, `no file at ~/${file}`) : stages(text);
}

const isVerdict = (value: object): value is Verdict => 'status' in value;

export const RUNNERS: { [K in CheckKind]: Runner<K> } = {
  'image.exists': async (check, engine) => {
    const image = await needImage(engine, check.image);
    return isVerdict(image) ? image : pass({ imageId: image.id, size: image.size });
  },

  'container.runs': async (check, engine) => {
    const image = await needImage(engine, check.image);
    if (isVerdict(image)) return image;
    const outcome = await engine.run(image.id, check.command, check.timeoutSeconds * 1000);
    const evidence = { imageId: image.id, exitCode: outcome.exitCode, output: excerpt(outcome.stdout + outcome.stderr) };
    if (outcome.timedOut) return fail(`${check.image} to finish within ${check.timeoutSeconds} s`, 'it was still running and was stopped', evidence);
    if (!matchesOutput(outcome.stdout, check.stdout)) {
      return fail(describeOutput(check.stdout), excerpt(outcome.stdout + outcome.stderr) || '(no output)', evidence);
    }
    if (outcome.exitCode !== check.exitCode) return fail(`exit code ${check.exitCode}`, `exit code ${outcome.exitCode}`, evidence);
    return pass(evidence);
  },

  'image.smallerThan': async (check, engine) => {
    const small = await needImage(engine, check.image);
    if (isVerdict(small)) return small;
    const large = await needImage(engine, check.than);
    if (isVerdict(large)) return large;
    const ratio = large.size / small.size;
    const evidence = { imageId: small.id, size: small.size, thanId: large.id, thanSize: large.size, ratio: Number(ratio.toFixed(1)) };
    if (ratio >= check.ratio) return pass(evidence);
    return fail(`${check.image} at least ${check.ratio}× smaller than ${check.than}`,
      `${check.image} ${mb(small.size)}, ${check.than} ${mb(large.size)}: ${ratio.toFixed(1)}× smaller`, evidence);
  },

  'image.maxSize': async (check, engine) => {
    const image = await needImage(engine, check.image);
    if (isVerdict(image)) return image;
    const evidence = { imageId: image.id, size: image.size };
    return image.size <= check.bytes ? pass(evidence) : fail(`${check.image} at most ${mb(check.bytes)}`, mb(image.size), evidence);
  },

  'image.lacks': async (check, engine) => {
    const image = await needImage(engine, check.image);
    if (isVerdict(image)) return image;
    const exists = await engine.pathsExist(image.id, check.paths);
    const present = check.paths.filter((p) => exists[p]);
    const evidence = { imageId: image.id, present: present.join(' ') };
    return present.length === 0 ? pass(evidence) : fail(`no ${check.paths.join(', ')} in ${check.image}`, `${present.join(', ')} still in the image`, evidence);
  },

  'image.has': async (check, engine) => {
    const image = await needImage(engine, check.image);
    if (isVerdict(image)) return image;
    const exists = await engine.pathsExist(image.id, check.paths);
    const missing = check.paths.filter((p) => !exists[p]);
    const evidence = { imageId: image.id, missing: missing.join(' ') };
    return missing.length === 0 ? pass(evidence) : fail(`${check.paths.join(', ')} in ${check.image}`, `${missing.join(', ')} missing`, evidence);
  },

  'dockerfile.stages': async (check, engine) => {
    const found = await needDockerfile(engine, check.file);
    if (isVerdict(found)) return found;
    const evidence = { stages: found.length };
    return found.length >= check.atLeast ? pass(evidence) : fail(`at least ${check.atLeast} stages (FROM lines)`, `${found.length}`, evidence);
  },

  'dockerfile.namedStage': async (check, engine) => {
    const found = await needDockerfile(engine, check.file);
    if (isVerdict(found)) return found;
    const names = found.map((s) => s.name).filter((n): n is string => n !== undefined);
    const evidence = { names: names.join(' ') };
    const ok = check.name ? names.includes(check.name) : names.length > 0;
    return ok ? pass(evidence) : fail(check.name ? `a stage named ${check.name} (FROM … AS ${check.name})` : 'a named stage (FROM … AS name)',
      names.length > 0 ? `stages named ${names.join(', ')}` : 'no named stage', evidence);
  },

  'dockerfile.copyFrom': async (check, engine) => {
    const found = await needDockerfile(engine, check.file);
    if (isVerdict(found)) return found;
    const sources = found.flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY')
      .map((i) => /(?:^|\s)--from=(\S+)/i.exec(i.text)?.[1])
      .filter((f): f is string => f !== undefined);
    const evidence = { from: sources.join(' ') };
    const ok = check.from ? sources.some((f) => f.toLowerCase() === check.from!.toLowerCase()) : sources.length > 0;
    return ok ? pass(evidence) : fail(check.from ? `COPY --from=${check.from}` : 'a COPY --from=<stage>', sources.length > 0 ? `COPY --from=${sources.join(', ')}` : 'no COPY --from', evidence);
  },

  'dockerfile.execCmd': async (check, engine) => {
    const found = await needDockerfile(engine, check.file);
    if (isVerdict(found)) return found;
    const cmd = found.at(-1)?.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    const args = cmd?.text.replace(/^\S+\s*/, '') ?? '';
    const evidence = { cmd: args };
    if (!cmd) return fail('a CMD in the final stage', 'no CMD', evidence);
    return isExecForm(args) ? pass(evidence) : fail('CMD in exec form, e.g. CMD ["./hello"]', `CMD ${args}`, evidence);
  },
};

/** A JSON array of strings, as Docker reads exec form. */
function isExecForm(args: string): boolean {
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
  } catch {
    return false; // shell form
  }
}
