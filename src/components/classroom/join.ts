// <sc-join>: the join and resume forms of /join/. Text from the server is set as text, never HTML.

async function post(path: string, body: Record<string, string>): Promise<{ ok: boolean; body: Record<string, string> }> {
  const response = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { ok: response.ok, body: (await response.json().catch(() => ({}))) as Record<string, string> };
}

const paragraph = (text: string, className?: string) => {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
};

class Join extends HTMLElement {
  connectedCallback(): void {
    const join = this.querySelector<HTMLFormElement>('[data-join]')!;
    const code = new URLSearchParams(location.search).get('code');
    if (code) (join.elements.namedItem('code') as HTMLInputElement).value = code;
    join.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit(join, '/api/join', this.querySelector('[data-join-result]')!, (body) => [
        paragraph(`You joined “${body.classTitle}” as ${body.displayName}.`),
        paragraph('Your resume code, to come back from another browser or after clearing cookies. Write it down (the course page shows it to you again):'),
        paragraph(body.resumeCode ?? '', 'resume-code'),
        Object.assign(document.createElement('a'), { href: '/', textContent: 'Go to the course' }),
      ]);
    });
    const resume = this.querySelector<HTMLFormElement>('[data-resume]')!;
    resume.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit(resume, '/api/resume', this.querySelector('[data-resume-result]')!, () => [
        paragraph('Welcome back: your work is here again.'),
        Object.assign(document.createElement('a'), { href: '/', textContent: 'Go to the course' }),
      ]);
    });
  }

  async submit(form: HTMLFormElement, path: string, out: Element, success: (body: Record<string, string>) => Node[]): Promise<void> {
    const fields = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
    const { ok, body } = await post(path, fields);
    out.replaceChildren(...(ok ? success(body) : [paragraph(body.error ?? 'That did not work; try again.')]));
  }
}

customElements.define('sc-join', Join);
