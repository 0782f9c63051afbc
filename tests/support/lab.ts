// Puts a lesson's files into a learner's workspace, as if they had typed them, and asks for a check.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Docker from 'dockerode';
import type { Check, CheckResult } from '../../src/schemas/checks.ts';
import type { TerminalClient } from './terminal-client.ts';
import { run } from './shell.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Copies lessons/<slug>/<part>/ (files only) into ~/<workdir>, owned by the learner. */
export async function copyIntoHome(learnerId: string, slug: string, part: 'solution' | 'files', workdir: string): Promise<void> {
  await copyFolderIntoHome(learnerId, path.join(ROOT, 'lessons', slug, part), workdir);
}

/** Copies a folder's files into ~/<workdir>, owned by the learner, over what is there. */
export async function copyFolderIntoHome(learnerId: string, folder: string, workdir: string): Promise<void> {
  const tar = execFileSync('tar', ['-C', folder, '--owner=1000', '--group=1000', '-cf', '-', '.']);
  const workspace = new Docker().getContainer(`stagecraft-ws-${learnerId}`);
  const mkdir = await workspace.exec({ Cmd: ['mkdir', '-p', `/home/learner/${workdir}`], User: 'learner', AttachStdout: true, AttachStderr: true });
  const stream = await mkdir.start({ hijack: true, stdin: false });
  await new Promise((resolve) => { stream.on('end', resolve); stream.resume(); }); // the folder exists once mkdir has exited
  await workspace.putArchive(tar, { path: `/home/learner/${workdir}` });
}

/** A lesson's results without its learner.measured checks: what the learner's images alone decide. */
export async function withoutMeasured<R extends { id: string }>(slug: string, results: R[]): Promise<R[]> {
  const lab = (await import(path.join(ROOT, 'lessons', slug, 'checks.ts'))).default as { checks: { id: string; kind: string }[] };
  const measured = new Set(lab.checks.filter((c) => c.kind === 'learner.measured').map((c) => c.id));
  return results.filter((r) => !measured.has(r.id));
}

/** An image's size in bytes or its file count, measured in the learner's terminal as the lessons teach. */
export async function measureInTerminal(terminal: TerminalClient, what: 'size' | 'files', image: string): Promise<number> {
  const command = what === 'files' ? `docker run --rm ${image} find / -xdev -type f | wc -l` : `docker image inspect --format '{{.Size}}' ${image}`;
  return Number(/^(\d+)$/m.exec(await run(terminal, command))?.[1]);
}

/**
 * Saves the lesson's figures as a careful learner would: each measured in their own terminal with
 * the command the lesson teaches, and typed in as printed.
 */
export async function saveMeasuredFigures(baseUrl: string, cookie: string, terminal: TerminalClient, slug: string, checks: readonly Check[]): Promise<void> {
  for (const check of checks) {
    if (check.kind !== 'learner.measured') continue;
    const big = check.than === undefined ? undefined : await measureInTerminal(terminal, 'size', check.than);
    const mine = await measureInTerminal(terminal, check.quantity === 'files' ? 'files' : 'size', check.image);
    const typed = big === undefined ? String(mine) : String(Math.floor(big / mine)); // the shell's whole-number division
    const saved = await fetch(`${baseUrl}/api/lessons/${slug}/measurements`, {
      method: 'POST', headers: { Cookie: cookie, Origin: baseUrl, 'Content-Type': 'application/json' }, body: JSON.stringify({ check: check.id, typed }),
    });
    if (!saved.ok) throw new Error(`${slug}/${check.id}: saving ${typed} answered ${saved.status} ${await saved.text()}`);
  }
}

/** POSTs the lesson's check as the browser does (same origin, session cookie). */
export async function runChecks(baseUrl: string, cookie: string, slug: string): Promise<{ status: number; results: CheckResult[] }> {
  const res = await fetch(`${baseUrl}/api/lessons/${slug}/check`, { method: 'POST', headers: { Cookie: cookie, Origin: baseUrl, 'Content-Type': 'application/json' }, body: '{}' });
  const body = (await res.json()) as { results?: CheckResult[] };
  return { status: res.status, results: body.results ?? [] };
}

export const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
