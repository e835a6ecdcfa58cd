// <mm-playground>: the playground as a custom element, for course pages that
// include js/element.js (which loads this module) directly:
//
//   <script type="module" src="https://…/js/element.js"></script>
//   <mm-playground machine="ram=256M cpus=1" scenario="spawn A anon=64M" lang="zh"
//                  controls="player" view="tasks" step="12"></mm-playground>
//
// step="N": the cursor after N events of the scenario (of the boot without
// one), as mm:load's step; at="S.E" places it as a link's at= does.
// lesson="buddy" step="2": a lesson at its step 2 (from 1, or a step's name),
// as the URL's lesson=&step=; lessontext="..." a teacher's own lesson text
// (plain text: the element encodes it). With a lesson, controls="lesson"
// shows only the lesson and the player. The embed's answers come out as
// `mm-quiz-result` events (detail: {lesson, question, answer, correct, ...}).
// history="MiB": how much undo history the embed keeps (2..384; a page with
// many embeds, or one read on phones, keeps less), as the URL's history=.
// Changing any attribute after load opens the new state in the embed (the
// iframe's fragment changes; the embed follows it without reloading).
//
// View preferences for this embed: theme="auto|light|dark", projector="1|0",
// follow="1|0" (the same values as the URL's theme=, projector=, follow=;
// controller/prefs.ts). Changing them after load restyles the embed in place.
//
// It hosts embed.html in an iframe (the page's styles and keys stay apart
// from the course page's), passes the attributes as URL state, sizes itself
// from the embed's height reports, and re-emits the embed's messages as DOM
// events: `mm-ready`, `mm-state` (detail: the player state), `mm-error`.
// Methods: play(), pause(), step(delta), seek(step), load(scenario), getState().

import { startsMachine, type At } from '../model/session.js';
import { CONTROLS, formatHash, type Controls, type UrlState, type View } from './urlstate.js';

const ATTRS = [
  'machine',
  'scenario',
  'lang',
  'controls',
  'view',
  'step',
  'at',
  'history',
  'lesson',
  'lessontext',
] as const;
/** Passed through as they are; the embed ignores values it does not know. */
const PREF_ATTRS = ['theme', 'projector', 'follow'] as const;

export class MmPlaygroundElement extends HTMLElement {
  static observedAttributes = [...ATTRS, ...PREF_ATTRS];
  private frame: HTMLIFrameElement | null = null;
  private pending = new Map<number, (state: unknown) => void>();
  private nextId = 1;
  private readonly onMessage = (ev: MessageEvent) => this.receive(ev);

  connectedCallback(): void {
    if (!this.frame) {
      const root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = ':host{display:block}iframe{display:block;width:100%;height:640px;border:0}';
      this.frame = document.createElement('iframe');
      this.frame.title = this.getAttribute('title') ?? 'Linux memory playground';
      root.append(style, this.frame);
    }
    window.addEventListener('message', this.onMessage);
    this.load_();
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
  }

  attributeChangedCallback(): void {
    if (this.frame && this.isConnected) this.load_();
  }

  /** The embed's URL: embed.html next to js/ (this module is js/embed/element.js), plus the attributes as state. */
  get src(): string {
    const base = new URL('../../embed.html', import.meta.url);
    const prefs = new URLSearchParams();
    for (const a of PREF_ATTRS) {
      const v = this.getAttribute(a);
      if (v !== null) prefs.set(a, v);
    }
    const extra = prefs.toString();
    const hash = formatHash(this.urlState());
    base.hash = !extra ? hash : hash === '#' ? `#${extra}` : `${hash}&${extra}`;
    return base.href;
  }

  play(): void {
    this.send({ type: 'mm:play' });
  }
  pause(): void {
    this.send({ type: 'mm:pause' });
  }
  step(delta = 1): void {
    this.send({ type: 'mm:step', delta });
  }
  seek(to: number): void {
    this.send({ type: 'mm:step', to });
  }
  load(scenario: string, step?: number): void {
    this.send(step === undefined ? { type: 'mm:load', scenario } : { type: 'mm:load', scenario, step });
  }
  /** Resolves with the embed's player state. */
  getState(): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ type: 'mm:get-state', id });
    });
  }

  private urlState(): UrlState {
    const step = this.getAttribute('step');
    const lang = this.getAttribute('lang');
    const controls = this.getAttribute('controls');
    const view = this.getAttribute('view');
    const machine = this.getAttribute('machine');
    const scenario = this.getAttribute('scenario');
    const lesson = this.getAttribute('lesson');
    const lessonText = this.getAttribute('lessontext');
    const inLesson = lesson !== null || lessonText !== null;
    const atText = /^(\d+)\.(\d+)$/.exec(this.getAttribute('at') ?? '');
    let at: At | null = atText ? { statement: Number(atText[1]), event: Number(atText[2]) } : null;
    if (!at && !inLesson && step !== null && /^\d+$/.test(step)) {
      // The scenario is statement 0 when it boots its own machine, else 1 (after the boot).
      const own = scenario !== null && startsMachine({ kind: 'scenario', text: scenario });
      at = { statement: scenario === null || own ? 0 : 1, event: Number(step) };
    }
    return {
      machine,
      dmesg: null,
      statements: scenario ? [{ kind: 'scenario', text: scenario }] : [],
      at,
      step: null,
      lang: lang === 'zh' || lang === 'en' ? lang : null,
      controls: (CONTROLS as readonly (string | null)[]).includes(controls) ? (controls as Controls) : 'full',
      view: (view as View | null) ?? null,
      history: /^\d+$/.test(this.getAttribute('history') ?? '') ? Number(this.getAttribute('history')) : null,
      // The embed may not see our origin (no ancestorOrigins): name it.
      origins: [location.origin].filter((o) => o !== 'null'),
      lesson,
      lessonText,
      // The embed reports a step it does not have (like a link's).
      lessonStep: inLesson ? step : null,
    };
  }

  private load_(): void {
    const src = this.src;
    if (this.frame && this.frame.src !== src) this.frame.src = src;
  }

  private embedOrigin(): string {
    return new URL(this.src).origin;
  }

  private send(msg: object): void {
    const win = this.frame?.contentWindow;
    if (win) win.postMessage(msg, this.embedOrigin());
  }

  private receive(ev: MessageEvent): void {
    if (!this.frame || ev.source !== this.frame.contentWindow || ev.origin !== this.embedOrigin()) return;
    const data = ev.data as { type?: string; height?: number; id?: number; state?: unknown; message?: string };
    if (data.type === 'mm:height' && typeof data.height === 'number') {
      this.frame.style.height = `${Math.max(200, data.height)}px`;
    } else if (data.type === 'mm:state' && typeof data.id === 'number' && this.pending.has(data.id)) {
      this.pending.get(data.id)!(data.state);
      this.pending.delete(data.id);
    }
    const name = data.type?.startsWith('mm:') ? `mm-${data.type.slice(3)}` : null;
    if (name) this.dispatchEvent(new CustomEvent(name, { detail: data.state ?? data }));
  }
}

if (!customElements.get('mm-playground')) customElements.define('mm-playground', MmPlaygroundElement);
