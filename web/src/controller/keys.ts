// Page-wide keys: the player's, undo/redo, help, the lessons (l) and the
// compare view (v). Text boxes keep theirs;
// the frame map keeps its own (controller/map-input.ts) and passes the rest on.

import type { Jump, StepKind } from '../clock/player.js';
import type { Dom } from '../render/dom.js';
import { viewPrefs } from './prefs.js';

export interface KeyActions {
  toggleHelp(): void;
  closeHelp(): void;
  undo(): void;
  redo(): void;
  togglePlay(): void;
  jump(j: Jump): void;
  changeSpeed(delta: number): void;
  jumpToKind(kind: StepKind, dir: 1 | -1): void;
  /** The lessons panel (key l). */
  toggleLesson(): void;
  /** The compare view: the machine under Linux 6.1 and 6.12 (key v). */
  showCompare(): void;
}

/** The step-kind jump keys (lower case: next; Shift: previous). */
const KIND_KEYS: Readonly<Record<string, StepKind>> = {
  s: 'split',
  m: 'merge',
  p: 'pcp',
  f: 'fallback',
  w: 'watermark',
  k: 'reclaim',
  o: 'oom',
};

/** Where typing means text, not a shortcut. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'range'].includes(target.type))
  );
}

/** Space presses these itself (a button, a checkbox such as the map's overlays and follow). */
function pressable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLButtonElement ||
    (target instanceof HTMLInputElement && (target.type === 'checkbox' || target.type === 'radio'))
  );
}

export function wireKeys(dom: Dom, actions: KeyActions): void {
  document.addEventListener('keydown', (ev) => onKey(dom, actions, ev));
}

function onKey(dom: Dom, a: KeyActions, ev: KeyboardEvent): void {
  if (ev.defaultPrevented || isTextEntry(ev.target) || dom.help.open || dom.share.open) {
    if (ev.key === '?' && dom.help.open && !isTextEntry(ev.target)) a.closeHelp();
    return;
  }
  const ctrl = ev.ctrlKey || ev.metaKey;
  const onMap = ev.target === dom.map;
  let handled = true;
  if (ev.key === '?' && !ctrl && !ev.altKey) a.toggleHelp();
  else if (ctrl && (ev.key === 'z' || ev.key === 'Z')) {
    if (ev.shiftKey) a.redo();
    else a.undo();
  } else if (ctrl && ev.key === 'y') a.redo();
  else if (ctrl || ev.altKey) handled = false;
  else if (ev.key === ' ' && !pressable(ev.target)) a.togglePlay();
  else if (ev.key === 'ArrowLeft' && (ev.shiftKey || !onMap)) a.jump(ev.shiftKey ? 'op-start' : 'back');
  else if (ev.key === 'ArrowRight' && (ev.shiftKey || !onMap)) a.jump(ev.shiftKey ? 'op-end' : 'forward');
  else if (ev.key === 'Home' && !onMap) a.jump('first');
  else if (ev.key === 'End' && !onMap) a.jump('last');
  else if (ev.key === '[') a.changeSpeed(-1);
  else if (ev.key === ']') a.changeSpeed(1);
  // View preferences (controller/prefs.ts): theme, projector ("beamer"), follow ("camera").
  else if (ev.key === 't') viewPrefs().cycleTheme();
  else if (ev.key === 'b') viewPrefs().toggleProjector();
  else if (ev.key === 'c') viewPrefs().toggleFollow();
  else if (ev.key === 'l') a.toggleLesson();
  else if (ev.key === 'v') a.showCompare();
  else if (KIND_KEYS[ev.key.toLowerCase()])
    a.jumpToKind(KIND_KEYS[ev.key.toLowerCase()]!, ev.key === ev.key.toLowerCase() ? 1 : -1);
  else handled = false;
  if (handled) ev.preventDefault();
}
