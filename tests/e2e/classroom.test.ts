// A lab in three browsers: the instructor creates a class, two learners join with the code and take
// the single-stage lesson (one gets the output wrong), the gradebook fills in live, the instructor
// overrides one grade with a reason and comments on another, each learner reads their own on their
// course and lesson pages, and the CSV export holds the right values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, seriousViolations, waitForScreen } from '../support/browser.ts';
import { copyIntoHome } from '../support/lab.ts';

let server: TestServer;
let browser: Browser;
let teacher: Page;
let joinUrl = '';
/** The instructor browses by another name than the server's own address (its cookie is for that name). */
let teacherSite = '';
const windowDialogs: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ STAGECRAFT_INSTRUCTOR: 'ada:correct horse battery' });
  browser = await launchBrowser();
  teacher = await (await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] })).newPage();
  // Overrides go through a form in the page: any window.prompt or alert is a failure.
  teacher.on('dialog', (dialog) => {
    windowDialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

const learnerPages: Page[] = [];

async function learnerTakesLesson(name: string, breakIt: boolean): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(joinUrl);
  await page.getByLabel('Your name, as your instructor should see it').fill(name);
  await page.getByRole('button', { name: 'Join the class' }).click();
  await page.getByText(/^You joined/).waitFor();
  const resumeCode = (await page.locator('.resume-code').textContent()) ?? '';
  expect(resumeCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  // The course page shows the learner their own code again, folded away until asked for.
  await page.getByRole('link', { name: 'Go to the course' }).click();
  const box = page.getByRole('region', { name: 'Your class' });
  await box.getByText(`“Docker lab, group B”, as ${name}.`).waitFor();
  await box.getByText(`Show my resume code for “Docker lab, group B”`).click();
  expect(await box.locator('.resume-code').textContent()).toBe(resumeCode);
  expect(await seriousViolations(page)).toEqual([]);
  const before = new Set(server.learners());
  await page.goto(`${server.url}/lessons/single-stage/`);
  await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
  const learner = server.learners().find((id) => !before.has(id))!;
  await copyIntoHome(learner, 'single-stage', 'solution', 'hello');
  await page.locator('.xterm').click();
  await page.keyboard.type(`cd ~/hello && ${breakIt ? "sed -i 's/Hello, world!/Hi/' hello.c && " : ''}bash commands.sh; echo built-$((20+1))`);
  await page.keyboard.press('Enter');
  await waitForScreen(page, /^built-21$/m, 120_000);
  await page.getByRole('button', { name: /^Check/ }).click();
  await page.locator(`[data-check-id="image-runs"][data-check-status="${breakIt ? 'fail' : 'pass'}"]`).waitFor({ timeout: 30_000 });
  learnerPages.push(page);
  return page;
}

describe('a classroom lab', () => {
  it('the instructor signs in and creates a class with a join link', async () => {
    // By another name than the server's own address: the join link must still name the server's.
    teacherSite = server.url.replace('127.0.0.1', 'localhost');
    await teacher.goto(`${teacherSite}/instructor/`);
    await teacher.getByLabel('Name', { exact: true }).fill('ada'); // exact: the Rename dialog's name holds "name" too
    await teacher.getByLabel('Password').fill('correct horse battery');
    await teacher.getByRole('button', { name: 'Sign in' }).click();
    await teacher.getByLabel('Title').fill('Docker lab, group B');
    await teacher.getByRole('button', { name: 'Create the class' }).click();
    joinUrl = (await teacher.locator('[data-classes] code').first().textContent()) ?? '';
    expect(joinUrl).toMatch(/\/join\/\?code=[A-Z2-9]{8}$/);
    await teacher.getByRole('button', { name: 'Docker lab, group B' }).click();
    await teacher.getByRole('region', { name: 'Gradebook' }).waitFor();
    await teacher.getByText('Updates live while your class works.').waitFor();
    expect(await teacher.getByLabel('Join link for your learners').inputValue()).toBe(joinUrl);
    expect(joinUrl.startsWith(`${server.url}/join/`)).toBe(true);
    await teacher.getByRole('button', { name: 'Copy the join link' }).click();
    await teacher.getByRole('status').getByText('Join link copied.').waitFor();
    expect(await teacher.evaluate(() => navigator.clipboard.readText())).toBe(joinUrl);
    const qr = teacher.getByRole('img', { name: `QR code of the join link ${joinUrl}` });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await seriousViolations(teacher)).toEqual([]);
  });

  it('two learners join and take lesson 2; the grid shows both without a reload', async () => {
    await learnerTakesLesson('Grace', false);
    await learnerTakesLesson('Linus', true);
    const grid = teacher.locator('table[data-grid]');
    await expect.poll(() => grid.locator('tr:has(th:text-is("Grace")) td[data-lesson="single-stage"]').getAttribute('data-status'), { timeout: 20_000 }).toBe('passed');
    await expect.poll(() => grid.locator('tr:has(th:text-is("Linus")) td[data-lesson="single-stage"]').getAttribute('data-status'), { timeout: 20_000 }).toBe('started');
    expect(await grid.locator('tr:has(th:text-is("Linus")) td[data-lesson="single-stage"] span').first().textContent()).toBe('1 / 3');
  });

  it('the live view shows what a learner types, and the learner sees they are watched', async () => {
    await teacher.getByRole('button', { name: "Watch Grace's terminal" }).click();
    await teacher.getByRole('region', { name: 'Live view' }).waitFor();
    const grace = learnerPages[0]!;
    await waitForScreen(grace, /instructor is now watching/);
    await grace.locator('.xterm').click();
    await grace.keyboard.type('echo watched-$((40+2))');
    await grace.keyboard.press('Enter');
    await expect.poll(() => teacher.locator('[data-watch-host] .xterm-rows').innerText(), { timeout: 20_000 }).toMatch(/watched-42/);
    // A reload while the watch is open: the learner is told again, not left thinking nobody looks.
    await grace.reload();
    await grace.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await waitForScreen(grace, /instructor is now watching/);
    await teacher.getByRole('button', { name: 'Stop watching' }).click();
    await waitForScreen(grace, /instructor stopped watching/);
  });

  it('the instructor overrides Linus in a form, by keyboard alone; a blank reason is refused beside its field', async () => {
    const cell = teacher.locator('table[data-grid] tr:has(th:text-is("Linus")) td[data-lesson="single-stage"]');
    const focusedName = () => teacher.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id);
    await teacher.getByRole('button', { name: 'Override single-stage for Linus' }).focus();
    await teacher.keyboard.press('Enter');
    const dialog = teacher.getByRole('dialog', { name: 'Override single-stage for Linus' });
    await dialog.waitFor();
    expect(await seriousViolations(teacher)).toEqual([]);
    // Escape closes it, changes nothing and gives focus back to the cell's button.
    await teacher.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focusedName()).toBe('Override single-stage for Linus');
    await teacher.keyboard.press('Enter');
    await dialog.waitFor();
    await teacher.keyboard.type('2'); // the points field has focus, its value selected
    await teacher.keyboard.press('Tab'); // past the empty reason
    await teacher.keyboard.press('Tab');
    await teacher.keyboard.press('Enter'); // Save the override
    await dialog.getByText('Give a reason: it is kept in the audit trail with the override. Nothing was saved.').waitFor();
    expect(await dialog.getByLabel('Reason, kept in the audit trail').getAttribute('aria-invalid')).toBe('true');
    expect(await focusedName()).toBe('override-reason');
    expect(await cell.getAttribute('data-status')).toBe('started');
    await teacher.keyboard.type('typo in the output, work otherwise right');
    await teacher.keyboard.press('Tab');
    await teacher.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => cell.getAttribute('data-status')).toBe('overridden');
    expect(await focusedName()).toBe('Override single-stage for Linus');
    expect(windowDialogs).toEqual([]);
  });

  it('the instructor comments on a cell in the same kind of form; a blank comment is refused', async () => {
    const cell = teacher.locator('table[data-grid] tr:has(th:text-is("Grace")) td[data-lesson="single-stage"]');
    await teacher.getByRole('button', { name: 'Comment on single-stage for Grace' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Comment on single-stage for Grace' });
    await dialog.getByRole('button', { name: 'Save the comment' }).click();
    await dialog.getByText('Write a comment, or press Cancel. Nothing was saved.').waitFor();
    expect(await seriousViolations(teacher)).toEqual([]);
    await dialog.getByLabel('Comment, a note in the gradebook that this learner sees too').fill('finished first, helped Linus');
    await dialog.getByRole('button', { name: 'Save the comment' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await cell.getByText('Comment: finished first, helped Linus').waitFor();
    expect(await cell.getAttribute('data-status')).toBe('passed');
    expect(await teacher.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Comment on single-stage for Grace');
    expect(windowDialogs).toEqual([]);
  });

  it('the override shows with its reason, and the CSV holds the right values', async () => {
    const cell = teacher.locator('table[data-grid] tr:has(th:text-is("Linus")) td[data-lesson="single-stage"]');
    expect(await cell.textContent()).toContain('overridden (auto 1): typo in the output, work otherwise right');
    await teacher.getByRole('button', { name: 'Attempts of Linus' }).click();
    await teacher.getByRole('table', { name: /attempts, newest first/ }).getByText('image-runs').first().waitFor();
    const href = await teacher.getByRole('link', { name: 'Download grades (CSV)' }).getAttribute('href');
    const csv = await (await teacher.request.get(`${teacherSite}${href}`)).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('"learner","workspace","single-stage","multi-stage","why-small","cmake","going-further","total","learner_id","marks"');
    expect(rows).toContain('"Grace","0","3","0","0","0","0","3","L001",""');
    expect(rows).toContain('"Linus","0","2","0","0","0","0","2","L002","single-stage: overridden"');
  });

  it('each learner reads their own feedback on the course page and the lesson page, and nobody else\'s', async () => {
    const [grace, linus] = [learnerPages[0]!, learnerPages[1]!];
    await grace.goto(`${server.url}/`);
    const graceLesson = grace.locator('li[data-lesson="single-stage"]');
    await graceLesson.getByText('Your instructor’s comment (ada): finished first, helped Linus').waitFor();
    expect(await graceLesson.locator('[data-progress]').textContent()).toBe('Done: 3 of 3 points');
    expect(await seriousViolations(grace)).toEqual([]);
    await linus.goto(`${server.url}/`);
    const linusLesson = linus.locator('li[data-lesson="single-stage"]');
    await linusLesson.getByText('Set by your instructor: 2 of 3 points (typo in the output, work otherwise right)').waitFor();
    expect(await linus.getByText(/Your instructor’s comment/).count()).toBe(0);
    expect(await seriousViolations(linus)).toEqual([]);
    await grace.goto(`${server.url}/lessons/single-stage/`);
    await grace.locator('sc-check-panel').getByText('Your instructor’s comment (ada): finished first, helped Linus').waitFor();
    await linus.goto(`${server.url}/lessons/single-stage/`);
    await linus.locator('sc-check-panel').getByText('Your instructor set this lesson to 2 points: typo in the output, work otherwise right').waitFor();
    expect(await linus.locator('[data-check-comment]').isHidden()).toBe(true);
    expect(await seriousViolations(grace)).toEqual([]);
  });

  it('the roster: ids in the grid, a taken name refused at join and at rename, remove and restore, merge, closed joining, archive', async () => {
    const grid = teacher.locator('table[data-grid]');
    expect(await grid.locator('tr:has(th:text-is("Grace")) td').first().textContent()).toBe('L001');
    const roster = teacher.getByRole('region', { name: 'Roster' });
    // A third browser: the name Grace is taken, and the page says what to do.
    const phone = await (await browser.newContext()).newPage();
    await phone.goto(joinUrl);
    await phone.getByLabel('Your name, as your instructor should see it').fill('grace');
    await phone.getByRole('button', { name: 'Join the class' }).click();
    await phone.getByText(/already called "grace": add your last initial or a number/).waitFor();
    await phone.getByLabel('Your name, as your instructor should see it').fill('Grace on her phone');
    await phone.getByRole('button', { name: 'Join the class' }).click();
    await phone.getByText(/^You joined/).waitFor();
    await roster.getByRole('rowheader', { name: 'Grace on her phone' }).waitFor();
    // Rename: a taken name is refused beside the field; Escape-free cancel keeps the old name.
    await roster.getByRole('button', { name: 'Rename Linus' }).click();
    const rename = teacher.getByRole('dialog', { name: 'Rename Linus' });
    await rename.getByLabel('Display name, unique in the class').fill('GRACE');
    await rename.getByRole('button', { name: 'Save the name' }).click();
    await rename.getByText(/^Another learner in this class is already called "GRACE": choose another name, or merge the two entries if they are the same person. Nothing was saved.$/).waitFor();
    expect(await seriousViolations(teacher)).toEqual([]);
    await rename.getByLabel('Display name, unique in the class').fill('Linus T.');
    await rename.getByRole('button', { name: 'Save the name' }).click();
    await rename.waitFor({ state: 'hidden' });
    await grid.locator('tr:has(th:text-is("Linus T.")) td:text-is("L002")').waitFor();
    // Merge the phone's entry into Grace's: one row left, both learners' attempts under it.
    await roster.getByRole('button', { name: 'Merge Grace on her phone into another entry' }).click();
    const merge = teacher.getByRole('dialog', { name: 'Merge Grace on her phone into another entry' });
    await merge.getByRole('button', { name: 'Merge the entries' }).click();
    await merge.getByText('Choose the entry to keep. Nothing was merged.').waitFor();
    expect(await seriousViolations(teacher)).toEqual([]);
    await merge.getByLabel('Entry to keep').selectOption({ label: 'Grace (L001)' });
    await merge.getByRole('button', { name: 'Merge the entries' }).click();
    await merge.waitFor({ state: 'hidden' });
    await expect.poll(() => roster.getByRole('rowheader').allTextContents()).toEqual(['Grace', 'Linus T.']);
    // Remove and restore: the cell comes back as it was.
    const linusCell = grid.locator('tr:has(th:text-is("Linus T.")) td[data-lesson="single-stage"]');
    const before = await linusCell.textContent();
    await roster.getByRole('button', { name: 'Remove Linus T.' }).click();
    await roster.getByText('Linus T. removed: their attempts are kept, and Restore brings them back.').waitFor();
    await linusCell.waitFor({ state: 'detached' });
    await roster.getByRole('button', { name: 'Restore Linus T.' }).click();
    await expect.poll(() => linusCell.textContent()).toBe(before);
    // Closed joining: the join page says so.
    await roster.getByRole('button', { name: 'Close joining' }).click();
    await roster.getByText('Joining is closed: the join code is refused.').waitFor();
    await phone.goto(joinUrl);
    await phone.getByLabel('Your name, as your instructor should see it').fill('Margaret');
    await phone.getByRole('button', { name: 'Join the class' }).click();
    await phone.getByText('this class is closed to joining: ask your instructor to reopen it').waitFor();
    await roster.getByRole('button', { name: 'Reopen joining' }).click();
    // Archive: read-only, out of the list, and back.
    await roster.getByRole('button', { name: 'Archive the class' }).click();
    await roster.getByText(/This class is archived: read-only/).waitFor();
    expect(await teacher.getByRole('button', { name: /^Override / }).count()).toBe(0);
    expect(await teacher.getByRole('button', { name: 'Docker lab, group B' }).count()).toBe(0);
    expect(await seriousViolations(teacher)).toEqual([]);
    await teacher.getByRole('button', { name: 'Show archived classes' }).click();
    await teacher.getByRole('heading', { name: 'Your archived classes' }).waitFor();
    await teacher.getByRole('button', { name: 'Docker lab, group B' }).waitFor();
    await roster.getByRole('button', { name: 'Unarchive the class' }).click();
    await teacher.getByRole('button', { name: 'Override single-stage for Linus T.' }).waitFor();
    await teacher.getByRole('button', { name: 'Show current classes' }).click();
    await teacher.getByRole('button', { name: 'Docker lab, group B' }).waitFor();
    expect(windowDialogs).toEqual([]);
  });

  it('a regrade asks first, in the page, how many learners it will touch; then answers in learners, attempt counts unchanged', async () => {
    const grace = teacher.locator('table[data-grid] tr:has(th:text-is("Grace")) td[data-lesson="single-stage"] .cell-note').first();
    const before = await grace.textContent();
    expect(before).toMatch(/^passed, \d+ attempts$/);
    const regrade = teacher.getByRole('button', { name: 'Regrade', exact: true });
    await teacher.getByLabel(/^Regrade a lesson for the whole class/).selectOption('single-stage');
    await regrade.click();
    const dialog = teacher.getByRole('dialog', { name: /^Regrade .+ for 2 learners\?$/ });
    await dialog.waitFor();
    await dialog.getByText(/the learners' own attempt counts do not change/).waitFor();
    expect(await seriousViolations(teacher)).toEqual([]);
    // Escape: nothing runs, focus goes back to the Regrade button.
    await teacher.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await teacher.evaluate(() => document.activeElement?.textContent)).toBe('Regrade');
    expect(await teacher.locator('[data-live]').textContent()).not.toMatch(/^Regrad/);
    await regrade.click();
    await dialog.getByRole('button', { name: 'Regrade 2 learners' }).click();
    const status = teacher.locator('[data-live]');
    await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^Regraded .+ for 2 learners: 1 passed, 1 failed, 0 could not be judged\.$/);
    await teacher.locator('[data-regrade-summary] li').getByText('Failed: Linus T. (L002): image-runs').waitFor();
    expect(await grace.textContent()).toBe(before);
    expect(windowDialogs).toEqual([]);
  });
});

