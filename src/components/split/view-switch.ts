// The lesson page's switch on a narrow screen (Lesson.astro): the lesson or the terminal, one at a
// time, so the terminal is one tap away from anywhere in the lesson. "Copy to terminal" brings the
// terminal up too; the lesson comes back where the learner left it.
import { PASTE_EVENT } from '../terminal/paste-buttons.ts';

type View = 'lesson' | 'terminal';

/** Must match the media query of Lesson.astro's narrow layout. */
const NARROW = '(max-width: 899.98px)';

export function addViewSwitch(): void {
  const split = document.querySelector<HTMLElement>('sc-split[data-view]');
  const main = document.getElementById('main');
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('.view-switch [data-show]')];
  if (!split || !main || buttons.length === 0) return;
  let lessonScroll = 0;

  const show = (view: View): void => {
    if (split.dataset.view === view) return;
    if (view === 'terminal') lessonScroll = window.scrollY;
    split.dataset.view = view;
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.show === view));
    // The terminal fills the screen under the switch; the lesson returns to where it was read.
    window.scrollTo(0, view === 'terminal' ? main.offsetTop : lessonScroll);
  };

  for (const button of buttons) {
    button.addEventListener('click', () => {
      show(button.dataset.show === 'terminal' ? 'terminal' : 'lesson');
      // Straight to typing, as a tap on the terminal itself would (once it has loaded).
      if (button.dataset.show === 'terminal') split.querySelector<HTMLElement>('#terminal textarea')?.focus({ preventScroll: true });
    });
  }
  // Captured, so it runs before the terminal's own listener, which pastes.
  window.addEventListener(PASTE_EVENT, () => {
    if (window.matchMedia(NARROW).matches) show('terminal');
  }, { capture: true });
}
