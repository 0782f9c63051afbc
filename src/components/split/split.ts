// <sc-split>: a two-pane split whose separator a pointer can drag and the keyboard can move
// (WAI-ARIA window splitter pattern), remembered in localStorage. Narrow screens stack the panes
// in CSS and hide the separator, so this code only matters where the split is shown.

import { SPLIT, clampSplit, splitAfterKey } from './split-value.ts';

const STORAGE_KEY = 'stagecraft:split';

class ScSplit extends HTMLElement {
  #value: number = SPLIT.initial;

  connectedCallback(): void {
    const handle = this.querySelector<HTMLElement>(':scope > [role="separator"]');
    if (!handle) return;
    this.#apply(handle, readStored() ?? SPLIT.initial);

    handle.addEventListener('keydown', (ev) => {
      const next = splitAfterKey(this.#value, ev.key);
      if (next === undefined) return;
      ev.preventDefault();
      this.#apply(handle, next);
      store(next);
    });

    handle.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      ev.preventDefault(); // no text selection while dragging
      handle.setPointerCapture(ev.pointerId);
      handle.focus();
      this.classList.add('dragging');
    });
    handle.addEventListener('pointermove', (ev) => {
      if (!handle.hasPointerCapture(ev.pointerId)) return;
      const box = this.getBoundingClientRect();
      if (box.width > 0) this.#apply(handle, ((ev.clientX - box.left) / box.width) * 100);
    });
    const end = (ev: PointerEvent) => {
      if (!handle.hasPointerCapture(ev.pointerId)) return;
      handle.releasePointerCapture(ev.pointerId);
      this.classList.remove('dragging');
      store(this.#value);
    };
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  }

  #apply(handle: HTMLElement, value: number): void {
    this.#value = clampSplit(value);
    this.style.setProperty('--split', `${this.#value}%`);
    handle.setAttribute('aria-valuenow', String(this.#value));
    handle.setAttribute('aria-valuetext', `Lesson ${this.#value}%, terminal ${100 - this.#value}% of the width`);
  }
}

function readStored(): number | undefined {
  try {
    const n = Number(localStorage.getItem(STORAGE_KEY));
    return localStorage.getItem(STORAGE_KEY) !== null && Number.isFinite(n) ? clampSplit(n) : undefined;
  } catch {
    return undefined; // storage disabled (privacy mode): start from the default
  }
}

function store(value: number): void {
  try {
    localStorage.setItem(STORAGE_KEY, String(value));
  } catch {
    // storage disabled or full: the split still works, it just is not remembered
  }
}

if (!customElements.get('sc-split')) customElements.define('sc-split', ScSplit);
