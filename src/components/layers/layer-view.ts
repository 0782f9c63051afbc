// <sc-layer-view>: fetches the learner's images' layers and shows, per image, a bar of its layers
// (widths to scale, against the largest image) and a table of each layer's command and size.

interface Layers { name: string; size?: number; missing?: boolean; layers?: { createdBy: string; size: number }[] }

const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

class LayerView extends HTMLElement {
  connectedCallback(): void {
    this.querySelector('[data-layers-load]')?.addEventListener('click', () => void this.load());
  }

  async load(): Promise<void> {
    const out = this.querySelector<HTMLElement>('[data-layers-out]')!;
    const query = (this.dataset.images ?? '').split(' ').filter(Boolean).map((name) => `image=${encodeURIComponent(name)}`).join('&');
    let images: Layers[];
    try {
      const response = await fetch(`/api/images/layers?${query}`, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      images = ((await response.json()) as { images: Layers[] }).images;
    } catch (error) {
      out.textContent = `The layers could not be loaded: ${(error as Error).message}.`;
      return;
    }
    const largest = Math.max(1, ...images.map((i) => i.size ?? 0));
    out.replaceChildren(...images.flatMap((image) => this.render(image, largest)));
  }

  render(image: Layers, largest: number): HTMLElement[] {
    const title = element('h3', image.missing ? `${image.name}: not built yet` : `${image.name}: ${mb(image.size ?? 0)}`);
    if (image.missing || !image.layers) return [title];
    const bar = element('div');
    bar.className = 'bar';
    bar.setAttribute('aria-hidden', 'true'); // the table below says the same in words
    bar.style.width = `${Math.max(2, ((image.size ?? 0) / largest) * 100)}%`;
    const table = element('table');
    table.append(element('caption', `Layers of ${image.name}, newest first`));
    const head = element('tr');
    head.append(element('th', 'Step'), element('th', 'Size'));
    head.lastElementChild!.className = 'size';
    table.append(head);
    for (const layer of image.layers) {
      if (layer.size > 0) {
        const piece = element('span');
        piece.style.width = `${(layer.size / (image.size || 1)) * 100}%`;
        bar.prepend(piece);
      }
      const row = element('tr');
      const step = element('td');
      step.append(element('code', layer.createdBy.slice(0, 120)));
      const size = element('td', mb(layer.size));
      size.className = 'size';
      row.append(step, size);
      table.append(row);
    }
    return [title, bar, table];
  }
}

customElements.define('sc-layer-view', LayerView);
