// <sc-my-class>: the "Your class" box of the course page: the classes this learner joined, as whom,
// and their own resume code, folded away (a screen may be projected). Without a class it stays hidden.

interface Membership { classTitle: string; displayName: string; resumeCode: string | null }

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) =>
  Object.assign(document.createElement(tag), text === undefined ? {} : { textContent: text }, className ? { className } : {});

class MyClass extends HTMLElement {
  async connectedCallback(): Promise<void> {
    let classes: Membership[];
    try {
      const response = await fetch('/api/my-classes', { credentials: 'same-origin' });
      if (!response.ok) return;
      classes = ((await response.json()) as { classes: Membership[] }).classes;
    } catch {
      return; // offline or server down: the course list works without this box
    }
    if (classes.length === 0) return;
    this.querySelector('[data-my-classes]')!.replaceChildren(...classes.map((c) => {
      const item = el('li');
      item.append(el('p', `“${c.classTitle}”, as ${c.displayName}.`));
      if (!c.resumeCode) {
        item.append(el('p', 'Your resume code was shown when you joined; the server cannot show it again. Ask your instructor if it is lost.'));
        return item;
      }
      const details = el('details');
      details.append(el('summary', `Show my resume code for “${c.classTitle}”`),
        el('p', c.resumeCode, 'resume-code'),
        el('p', 'With it you come back to your work from another browser or after clearing cookies, on the join page. Keep it to yourself.'));
      item.append(details);
      return item;
    }));
    this.querySelector<HTMLElement>('[data-my-class]')!.hidden = false;
  }
}

customElements.define('sc-my-class', MyClass);
