// The join link of the open class: the address the server is configured with (never this page's
// host), a Copy button, and its QR code, drawn by the server as SVG, for a projector.

/** Shows `url` for class `classId` in the page's join box. */
export function showJoinLink(root: HTMLElement, classId: number, url: string): void {
  const input = root.querySelector<HTMLInputElement>('[data-join-link]')!;
  input.value = url;
  const qr = root.querySelector<HTMLImageElement>('[data-join-qr]')!;
  const src = `/api/classes/${classId}/join-qr.svg`;
  if (qr.getAttribute('src') !== src) qr.src = src;
  qr.alt = `QR code of the join link ${url}`;
}

/** Wires the Copy button once: the clipboard API where the page is a secure context, else the old way. */
export function wireCopy(root: HTMLElement): void {
  const input = root.querySelector<HTMLInputElement>('[data-join-link]')!;
  const status = root.querySelector<HTMLElement>('[data-copy-status]')!;
  root.querySelector('[data-copy-join]')!.addEventListener('click', async () => {
    let copied = false;
    try {
      // Absent on plain http from another machine (a classroom LAN): not a secure context.
      await navigator.clipboard.writeText(input.value);
      copied = true;
    } catch {
      // fall back to selecting the text and the legacy copy command below
    }
    if (!copied) {
      input.select();
      copied = document.execCommand('copy');
    }
    status.textContent = copied ? 'Join link copied.' : 'Copying is blocked here: the link is selected, press Ctrl+C (⌘C on a Mac).';
  });
}
