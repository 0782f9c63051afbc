// "Copy to terminal" on the lesson's shell code blocks: the command lands at the prompt as a paste,
// and runs only when the learner presses Enter.

/** The window event a button fires; <sc-terminal> listens for it. Its detail is the text. */
export const PASTE_EVENT = 'sc-terminal-paste';

const SHELL = new Set(['bash', 'sh', 'shell', 'console']);

/** Adds a button after every shell code block inside `root`. */
export function addPasteButtons(root: ParentNode): void {
  for (const pre of root.querySelectorAll<HTMLPreElement>('pre[data-language]')) {
    if (!SHELL.has(pre.dataset.language ?? '') || pre.nextElementSibling?.classList.contains('paste')) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'paste';
    button.textContent = 'Copy to terminal';
    button.addEventListener('click', () => {
      // The final newline would press Enter for the learner; they press it themselves.
      const text = (pre.textContent ?? '').replace(/\n+$/, '');
      window.dispatchEvent(new CustomEvent(PASTE_EVENT, { detail: text }));
    });
    pre.after(button);
  }
}
