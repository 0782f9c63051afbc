// Astro build of the Stagecraft site: static pages in dist/, served with the APIs by server/.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

const LESSONS_DIR = fileURLToPath(new URL('./lessons/', import.meta.url));

/**
 * A lab's reference answer (lessons/<slug>/solution/) must never reach a browser: fail the build
 * if any module, raw import or asset resolves inside one, whoever imported it.
 */
function noSolutions() {
  const inSolution = (id) => {
    const file = id.split('?')[0];
    if (!file.startsWith(LESSONS_DIR)) return false;
    return file.slice(LESSONS_DIR.length).split(sep)[1] === 'solution';
  };
  return {
    name: 'stagecraft:no-solutions',
    enforce: 'pre',
    load(id) {
      if (inSolution(id)) this.error(`${id}: files under lessons/*/solution/ must not be bundled (they hold the answers)`);
    },
  };
}

/**
 * Writes a brotli (.br) and a gzip (.gz) copy beside every text file of the built site, compressed
 * once at the highest levels, so the server sends them as they are instead of compressing per request.
 */
function precompress() {
  return {
    name: 'stagecraft:precompress',
    hooks: {
      'astro:build:done': ({ dir }) => {
        const root = fileURLToPath(dir);
        for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
          if (!entry.isFile() || !/\.(html|js|mjs|css|svg|json|txt|xml)$/.test(entry.name)) continue;
          const file = join(entry.parentPath, entry.name);
          const bytes = fs.readFileSync(file);
          fs.writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
          fs.writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
        }
      },
    },
  };
}

export default defineConfig({
  output: 'static',
  srcDir: './src',
  trailingSlash: 'ignore',
  integrations: [mdx(), precompress()],
  markdown: {
    // Same theme as the <Dockerfile> component; its comment colour passes WCAG AA, github-dark's does not.
    shikiConfig: { theme: 'github-dark-high-contrast' },
  },
  build: {
    format: 'directory',
    // Separate files rather than inline <style>/<script>, so the server can send a CSP
    // without 'unsafe-inline' for scripts, and so they cache across pages.
    inlineStylesheets: 'never',
  },
  vite: {
    plugins: [noSolutions()],
    build: {
      assetsInlineLimit: 0,
      rolldownOptions: {
        onwarn(warning, warn) {
          // Astro's MDX head propagation marker trips rolldown's directive check on every MDX
          // content entry; harmless, known upstream: https://github.com/withastro/astro/issues/18087
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
          warn(warning);
        },
      },
    },
    server: { fs: { deny: ['**/lessons/*/solution/**'] } },
  },
});
