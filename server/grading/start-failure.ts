// Why an image's program could not start, read from the image itself rather than from the
// runtime's words: the file the image starts, its mode, its first bytes, the loader it needs.
import { posix } from 'node:path';
import { elfFacts } from './elf.ts';
import type { ImageConfig, LearnerEngine } from './port.ts';
import { programOf } from './provenance.ts';

/** The runtime's PATH when the image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The path of the program the image starts, a bare name looked up on the image's PATH as the runtime does. */
export async function locateProgram(engine: LearnerEngine, imageId: string, config: ImageConfig): Promise<{ program?: string; shellForm: boolean; line: string }> {
  const start = programOf(config);
  const name = start.program;
  if (name === undefined || name.includes('/')) return start;
  const path = config.env.findLast((pair) => pair.startsWith('PATH='))?.slice('PATH='.length) ?? DEFAULT_PATH;
  const candidates = path.split(':').filter((dir) => dir.startsWith('/')).slice(0, 32).map((dir) => posix.join(dir, name));
  const found = await engine.pathsExist(imageId, candidates);
  return { ...start, program: candidates.find((p) => found[p]) ?? candidates[0] ?? `/usr/bin/${name}` };
}

/** A hint naming what in the image keeps `program` (or the shell of a shell-form command) from starting. */
export async function whyNotStarted(engine: LearnerEngine, imageId: string, config: ImageConfig, program?: string): Promise<string | undefined> {
  if (program === undefined) {
    const start = programOf(config);
    if (config.entrypoint.length === 0 && config.cmd.length === 0) return 'The image has no CMD or ENTRYPOINT, so Docker has no program to start. End the final stage with CMD ["/hello"] (the path your COPY put the program at).';
    const shell = start.shellForm ? (config.entrypoint.length > 0 ? config.entrypoint : config.cmd)[0]! : undefined;
    if (shell && !(await engine.pathsExist(imageId, [shell]))[shell]) {
      return `The command is in shell form, so Docker starts it with ${shell}, and this image has no shell. Write it in exec form: CMD ["${start.program ?? '/hello'}"].`;
    }
    program = (await locateProgram(engine, imageId, config)).program;
    if (program === undefined) return undefined;
  }
  const file = await engine.programFile(imageId, program);
  if (!file) return `The image starts ${program}, and there is no such file in it. The path your COPY --from writes to and the one CMD starts must be the same (WORKDIR changes where a relative one lands).`;
  if (!file.executable) return `${program} is in the image but is not executable (its mode has no x bit). Make it executable in the build stage (RUN chmod +x …) before you copy it, or copy the file your compiler wrote.`;
  const elf = elfFacts(file.bytes);
  if (!elf) {
    const text = file.bytes.subarray(0, 256).toString('latin1');
    if (!text.startsWith('#!')) return `${program} is not a program: it is a text or data file, which the kernel cannot execute ("exec format error"). Start the binary your compiler wrote (gcc hello.c -o hello makes ./hello).`;
    const interpreter = text.slice(2).trim().split(/\s+/)[0] ?? '';
    const present = interpreter.startsWith('/') && (await engine.pathsExist(imageId, [interpreter]))[interpreter];
    return present ? undefined : `${program} is a script for ${interpreter || 'an interpreter it does not name'}, which this image does not have.`;
  }
  if (elf.kind === 'object') return `${program} is an object file (what gcc -c writes), not a program, so it cannot be executed. Link it: gcc hello.c -o hello, without -c.`;
  if (elf.kind !== 'program') return `${program} is an ELF file of a kind the kernel does not start (a shared library or a core dump?). Start the program your compiler linked.`;
  if (elf.interpreter && !(await engine.pathsExist(imageId, [elf.interpreter]))[elf.interpreter]) {
    return `${program} is dynamically linked: it needs the loader ${elf.interpreter} (and the C library), which this image does not have. Link it statically (gcc -static …) or build the final stage FROM the runtime image.`;
  }
  return undefined;
}
