// A learner's figures, as a lesson asks for them: measured in the terminal with the lesson's own
// commands and typed in its blanks (<sc-measure>), each saved and matching the learner's images.
import type { Page } from 'playwright-core';
import { waitForScreen } from './browser.ts';

const SIZE = (image: string) => `docker image inspect -f '{{.Size}}' ${image}`;

/** Each lesson's blanks, by label: the lesson's command that measures the figure to type. */
export const FIGURES: Record<string, Record<string, string>> = {
  'multi-stage': {
    'One stage, hello-world': "docker image ls --format '{{.Size}}' hello-world",
    'Two stages, hello-world-small': "docker image ls --format '{{.Size}}' hello-world-small",
    'How many times smaller': `echo $(( $(${SIZE('hello-world')}) / $(${SIZE('hello-world-small')}) ))`,
  },
  cmake: { 'Size of hello-cmake': "docker image ls --format '{{.Size}}' hello-cmake" },
  'why-small': {
    'Files in the image, one stage': 'docker run --rm hello-world find / -xdev -type f | wc -l',
    'Files in the image, two stages': 'docker run --rm hello-world-small find / -xdev -type f | wc -l',
    'Size in bytes, one stage': SIZE('hello-world'),
    'Size in bytes, two stages': SIZE('hello-world-small'),
  },
};

let figures = 0;

/** Measures and types every blank of the lesson on `page`, waiting for each to match. */
export async function typeFigures(page: Page, slug: string): Promise<void> {
  for (const [label, command] of Object.entries(FIGURES[slug] ?? {})) {
    await page.locator('.xterm').click();
    // A number of each figure's own, computed by the shell: never the echo of the line, nor an earlier figure.
    const n = ++figures;
    await page.keyboard.type(`clear; echo "FIG-$((${n}*1))=$(${command})="`);
    await page.keyboard.press('Enter');
    const typed = new RegExp(`FIG-${n}=\\s*([^=\\n]+?)\\s*=`).exec(await waitForScreen(page, new RegExp(`FIG-${n}=[^=\\n]+=`), 60_000))![1]!;
    const blank = page.locator('sc-measure').filter({ has: page.getByRole('button', { name: `Save ${label}` }) });
    await blank.getByRole('textbox', { name: 'Yours' }).fill(typed);
    await blank.getByRole('button', { name: `Save ${label}` }).click();
    await blank.getByRole('status').filter({ hasText: 'Saved: it matches your images.' }).waitFor({ timeout: 30_000 });
  }
}
