// Renderers of the stage: the player bar, the narration and the command
// panel. Like page.ts they only read the model and write the DOM.

import type { Catalog } from '../engine/catalogue.js';
import type { Dom } from './dom.js';
import { glossify } from '../words/glossary.js';
import { t, type Lang, type MessageKey } from '../words/i18n.js';
import type { PageModel } from '../model/page.js';
import { narrate, type Piece } from '../words/narrate.js';
import { SPEEDS } from '../clock/player.js';

export function renderStage(m: PageModel, dom: Dom, cat: Catalog | null): void {
  renderPlayer(m, dom);
  renderNarration(m, dom, cat);
  renderCmd(m, dom);
  renderLegend(m, dom);
  renderMapLabels(m, dom);
}

function renderMapLabels(m: PageModel, dom: Dom): void {
  const pairs: [HTMLElement, Parameters<typeof t>[1]][] = [
    [dom.zoomIn, 'zoomIn'],
    [dom.zoomOut, 'zoomOut'],
    [dom.zoomReset, 'zoomReset'],
  ];
  for (const [el, key] of pairs) {
    el.title = t(m.lang, key);
    el.setAttribute('aria-label', t(m.lang, key));
  }
  dom.map.setAttribute('aria-label', t(m.lang, 'mapTitle'));
  const first = dom.preset.options[0];
  if (first) first.text = t(m.lang, 'presetCustom');
  dom.preset.setAttribute('aria-label', t(m.lang, 'presetCustom'));
  // The box shows what is booted (a preset or a link may have chosen it),
  // but never changes under the user's typing.
  if (document.activeElement !== dom.specInput && dom.specInput.value !== m.spec) dom.specInput.value = m.spec;
}

/** Legend labels (the swatches come from the frame map's palette), with each kind's count at the cursor. */
function renderLegend(m: PageModel, dom: Dom): void {
  for (const label of dom.legend.querySelectorAll<HTMLElement>('span[data-kind]')) {
    const kind = Number(label.dataset['kind']);
    const key = `cell${kind}` as MessageKey;
    const count = m.state?.cellCounts[kind];
    setText(label, count === undefined ? t(m.lang, key) : `${t(m.lang, key)} ${count.toLocaleString('en-US')}`);
  }
}

function speedLabel(lang: Lang, s: number): string {
  return Number.isFinite(s) ? t(lang, 'speedUnit', { n: s }) : t(lang, 'speedMax');
}

function renderPlayer(m: PageModel, dom: Dom): void {
  const p = m.player;
  const tl = p.timeline;
  const idle = m.busy !== null || tl.empty;
  if (dom.pSpeed.options.length !== SPEEDS.length || dom.pSpeed.dataset['lang'] !== m.lang) {
    dom.pSpeed.replaceChildren(...SPEEDS.map((s, i) => new Option(speedLabel(m.lang, s), String(i))));
    dom.pSpeed.dataset['lang'] = m.lang;
  }
  const speedIndex = String(SPEEDS.indexOf(p.speed));
  if (dom.pSpeed.value !== speedIndex) dom.pSpeed.value = speedIndex;

  const titles: [HTMLButtonElement, Parameters<typeof t>[1]][] = [
    [dom.pFirst, 'pFirst'],
    [dom.pOpStart, 'pOpStart'],
    [dom.pBack, 'pBack'],
    [dom.pForward, 'pForward'],
    [dom.pOpEnd, 'pOpEnd'],
    [dom.pLast, 'pLast'],
    [dom.pUndo, 'undoTitle'],
    [dom.pRedo, 'redoTitle'],
  ];
  for (const [b, key] of titles) {
    b.title = t(m.lang, key);
    b.setAttribute('aria-label', t(m.lang, key));
  }
  const playTitle = t(m.lang, p.playing ? 'pPause' : 'pPlay');
  dom.pPlay.title = playTitle;
  dom.pPlay.setAttribute('aria-label', playTitle);
  dom.pPlay.setAttribute('aria-pressed', String(p.playing));

  const atStart = p.g <= 0;
  const atLast = p.g >= tl.total;
  for (const b of [dom.pFirst, dom.pOpStart, dom.pBack]) b.disabled = idle || atStart;
  for (const b of [dom.pForward, dom.pOpEnd, dom.pLast]) b.disabled = idle || atLast;
  dom.pPlay.disabled = idle || (atLast && !p.playing);
  dom.pUndo.disabled = m.busy !== null || tl.empty;

  dom.pScrub.max = String(tl.total);
  if (dom.pScrub.value !== String(p.g)) dom.pScrub.value = String(p.g);
  dom.pScrub.disabled = idle;
  dom.pScrub.setAttribute('aria-label', t(m.lang, 'scrubLabel'));
  renderMarkers(m, dom);

  if (tl.empty) {
    setText(dom.pPosition, t(m.lang, 'positionEmpty'));
    dom.pScrub.setAttribute('aria-valuetext', t(m.lang, 'positionEmpty'));
    return;
  }
  const place = tl.place(p.g);
  const op = tl.ops[place.op]!;
  let text = t(m.lang, 'position', {
    op: place.op + 1,
    ops: tl.ops.length,
    label: op.label,
    pos: place.pos,
    events: op.events,
    g: p.g,
    total: tl.total,
  });
  dom.pScrub.setAttribute('aria-valuetext', text);
  if (p.atEnd) text += ` · ${t(m.lang, 'atEnd')}`;
  else text += ` · ${t(m.lang, 'pastNote')}`;
  if (p.dropped > 0) text += ` · ${t(m.lang, 'historyDropped', { n: p.dropped })}`;
  setText(dom.pPosition, text);
  dom.player.classList.toggle('past', !p.atEnd);
}

/** One tick per operation start on the scrubber, with its label as a tooltip. */
const drawnMarkers = new WeakMap<HTMLElement, unknown>();
function renderMarkers(m: PageModel, dom: Dom): void {
  const tl = m.player.timeline;
  if (drawnMarkers.get(dom.pMarkers) === tl) return;
  drawnMarkers.set(dom.pMarkers, tl);
  const ticks = tl.ops.map((op, i) => {
    const tick = document.createElement('span');
    tick.className = 'tick';
    const at = tl.total > 0 ? (tl.starts[i]! / tl.total) * 100 : 0;
    tick.style.left = `${at}%`;
    tick.title = op.label;
    return tick;
  });
  dom.pMarkers.replaceChildren(...ticks);
}

function renderNarration(m: PageModel, dom: Dom, cat: Catalog | null): void {
  const p = m.player;
  const ev = p.event;
  const crumbs = p.crumbs.map((c) => c.fn).join(' › ');
  setText(dom.nCrumbs, crumbs);
  if (!ev) {
    setText(dom.nFn, '');
    const tl = p.timeline;
    let text = t(m.lang, 'narrationIdle');
    if (!tl.empty) {
      const place = tl.place(p.g);
      const op = tl.ops[place.op]!;
      text = place.pos === 0 ? t(m.lang, 'narrationBefore', { label: op.label }) : text;
    }
    setPieces(dom.nText, m.lang, [{ kind: 'text', text }], 'idle');
    return;
  }
  if (!cat) return;
  const n = narrate(cat, ev, m.lang);
  setText(dom.nFn, n.fn);
  dom.narration.dataset['kind'] = ev.kind;
  setPieces(dom.nText, m.lang, n.pieces, `${ev.seq}:${m.lang}`);
}

/** The sentence: words with glossary terms as tooltips (<abbr title>),
 *  argument values as <span class="arg" data-arg data-type>. */
const drawnText = new WeakMap<HTMLElement, string>();
function setPieces(el: HTMLElement, lang: Lang, pieces: readonly Piece[], key: string): void {
  const k = `${key}|${pieces.map((p) => p.text).join('\u0000')}`;
  if (drawnText.get(el) === k) return;
  drawnText.set(el, k);
  const nodes: Node[] = [];
  for (const p of pieces) {
    if (p.kind === 'text') {
      nodes.push(...glossed(p.text, lang));
      continue;
    }
    const span = document.createElement('span');
    span.className = p.kind === 'value' ? 'arg' : 'arg unknown';
    span.dataset['arg'] = p.arg;
    if (p.kind === 'value') span.dataset['type'] = p.type;
    span.append(...glossed(p.text, lang)); // a value may be a glossary term too (HighAtomic, Node)
    nodes.push(span);
  }
  el.replaceChildren(...nodes);
}

/** Words with the glossary's terms as <abbr title> tooltips. */
function glossed(text: string, lang: Lang): Node[] {
  return glossify(text, lang).map((piece) => {
    if (typeof piece === 'string') return document.createTextNode(piece);
    const abbr = document.createElement('abbr');
    abbr.textContent = piece.text;
    abbr.title = `${lang === 'zh' ? piece.term.zh : piece.term.en}: ${lang === 'zh' ? piece.term.explainZh : piece.term.explainEn}`;
    abbr.tabIndex = 0;
    return abbr;
  });
}

function renderCmd(m: PageModel, dom: Dom): void {
  if (dom.cmd.value !== m.cmdText) dom.cmd.value = m.cmdText;
  dom.cmd.placeholder = 'kmalloc p 200';
  const msg = m.cmdMessage;
  dom.cmdMessage.hidden = msg === null;
  dom.cmdMessage.dataset['tone'] = msg?.tone ?? '';
  setText(dom.cmdMessageText, msg ? t(m.lang, msg.notice.key, msg.notice.params) : '');
  setText(dom.cmdMessageDetail, msg?.notice.detail ?? '');
  dom.cmdMessageDetail.hidden = !msg?.notice.detail;
  const noMachine = m.busy !== null || m.machine === null;
  (dom.cmdForm.querySelector('button') as HTMLButtonElement).disabled = noMachine;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
