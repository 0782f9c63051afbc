// What the lessons say about the offline profile's images is what those images contain: the
// libraries `ldd` lists for the cmake lesson's program, glibc's words for a static one, and where a
// package tool is. (The docs profile's Alpine images cannot be pulled on this machine: its
// stand-ins are not Alpine, so its texts are checked by hand against Alpine 3.7, not here.)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const execFileAsync = promisify(execFile);

/** A lesson's text as the offline site shows it: the docs profile's blocks left out. */
function offlineText(slug: string): string {
  const mdx = fs.readFileSync(path.join(ROOT, 'content/lessons', `${slug}.mdx`), 'utf8');
  return mdx.replace(/<ForProfile is="docs">[\s\S]*?<\/ForProfile>/g, '');
}

/** Runs a shell line in a throwaway container of `image`, with no network. */
async function inImage(image: string, line: string): Promise<string> {
  const { stdout, stderr } = await execFileAsync('docker', ['run', '--rm', '--network', 'none', image, 'sh', '-c', line]).catch((error: { stdout: string; stderr: string }) => error);
  return stdout + stderr;
}

describe('the offline profile\'s facts', () => {
  it('cmake: the libraries ldd lists for a dynamic C++ program, and glibc\'s answer for a static one', async () => {
    const program = 'cd /tmp && printf "#include <iostream>\\nint main(){std::cout<<1;}\\n" > a.cpp && g++ a.cpp -o dynamic && g++ -static a.cpp -o static';
    const dynamic = await inImage('stagecraft/toolchain', `${program} && ldd dynamic`);
    const libraries = [...dynamic.matchAll(/^\s*(lib[\w+.-]+\.so\.\d+) =>/gm)].map((m) => m[1]);
    expect(libraries).toEqual(expect.arrayContaining(['libstdc++.so.6', 'libc.so.6']));
    const text = offlineText('cmake');
    for (const library of libraries) expect(text).toContain(`\`${library}\``);
    const staticAnswer = (await inImage('stagecraft/toolchain', `${program} && ldd static`)).trim();
    expect(text).toContain(`\`${staticAnswer}\``);
  });

  it('why-small: apt is in the build stage\'s base and not in the runtime image, as the lesson says', async () => {
    expect(await inImage('stagecraft/toolchain', 'test -x /usr/bin/apt && echo present')).toBe('present\n');
    expect(await inImage('stagecraft/runtime', 'test -e /usr/bin/apt || echo absent')).toBe('absent\n');
    expect(offlineText('why-small')).toMatch(/`apt`, which the build stage's Debian base has, is not in the\s+small image/);
  });
});
