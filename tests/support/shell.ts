// Runs one command line in a learner's shell through the real terminal socket and returns its output.
import type { TerminalClient } from './terminal-client.ts';

let counter = 0;

/**
 * Types `command` and waits for a marker printed after it. The marker is computed by the shell
 * (`$((…))`), so the echo of the typed line never matches it.
 */
export async function run(terminal: TerminalClient, command: string, timeoutMs = 60_000): Promise<string> {
  const n = ++counter;
  const from = terminal.output.length;
  terminal.type(`${command}; echo "__done_$((${n}*1))_$?__"\r`);
  const pattern = new RegExp(`__done_${n}_(\\d+)__`);
  await terminal.waitFor(pattern, timeoutMs, from);
  const text = terminal.output.slice(from);
  // Drop the echoed command line; keep what the command printed.
  const start = text.indexOf('\n');
  return stripControls(text.slice(start + 1, text.search(pattern)));
}

/** Output without carriage returns and terminal control sequences (bracketed paste, colours). */
export function stripControls(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}
