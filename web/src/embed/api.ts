// The postMessage API of embed.html, for course pages that host it in an
// iframe. Messages in (from the host):
//   {type:'mm:load', scenario: string, step?: number}   run a scenario text; step: the cursor
//                                                       after that many of its events
//   {type:'mm:load', link: string}                       open a link's state (#machine=...&do=...&at=...)
//   {type:'mm:load', lesson: string, step?: number|string} open a lesson at its step (from 1, or a name)
//   {type:'mm:step', delta?: number, to?: number}        move the cursor (to: a global step)
//   {type:'mm:step', at: {statement, event}}             to a place as a link's at= names it
//   {type:'mm:play'} {type:'mm:pause'}
//   {type:'mm:set-lang', lang:'en'|'zh'} {type:'mm:set-view', view}
//   {type:'mm:get-state', id?: any}                     answered by mm:state
// Messages out (to the host): mm:ready, mm:state (on every change and on
// request, with the request's id), mm:height (the document's height, so the
// host can size the iframe), mm:error, mm:quiz-result (an answer the
// learner gave: {lesson, question, answer, correct, expected, step} for a
// lesson's question, lesson null with topic and seed in the quiz mode).
//
// Only the parent window may talk to us, and only from an allowed origin:
// the parent's own origin (location.ancestorOrigins, or the referrer) and
// any origin= the URL names. Everything we send goes to that origin, never '*'.

import type { At } from '../model/session.js';
import type { Controller, PlayerSnapshot } from '../controller/controller.js';
import { parseHash, VIEWS, type View } from './urlstate.js';

export interface EmbedApiOptions {
  /** Extra origins from the URL (origin=...). */
  origins: readonly string[];
}

/** The parent's origin as far as the browser tells us. */
function parentOrigin(): string | null {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null;
  try {
    return document.referrer ? new URL(document.referrer).origin : null;
  } catch {
    return null;
  }
}

type Inbound =
  | { type: 'mm:load'; scenario: string; step?: number }
  | { type: 'mm:load'; link: string }
  | { type: 'mm:load'; lesson: string; step?: number | string }
  | { type: 'mm:step'; delta?: number; to?: number; at?: At }
  | { type: 'mm:play' }
  | { type: 'mm:pause' }
  | { type: 'mm:set-lang'; lang: 'en' | 'zh' }
  | { type: 'mm:set-view'; view: View }
  | { type: 'mm:get-state'; id?: unknown };

/** A message's type as an error quotes it: one short line, whatever the value (a bigint, a cycle). */
function typeText(v: unknown): string {
  if (typeof v === 'string') {
    const cut = v.length > 40 ? `${v.slice(0, 40)}…` : v;
    // (JSON escapes C0 controls; DEL, C1 and the line separators too, here.)
    return JSON.stringify(cut).replace(
      /[\p{Cc}\u2028\u2029]/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'an object';
  return String(v); // a number, boolean, null or undefined
}

/** Checks a message's shape; returns an error text for a bad one. */
export function checkMessage(data: unknown): Inbound | string {
  if (typeof data !== 'object' || data === null) return 'a message must be an object';
  const d = data as Record<string, unknown>;
  const num = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));
  switch (d['type']) {
    case 'mm:load': {
      // Only the fields of its variant: handle() tells them apart by which
      // field is there (a link: undefined beside a scenario is no link).
      const { link, lesson, scenario, step } = d;
      if (typeof link === 'string') return { type: 'mm:load', link };
      if (typeof lesson === 'string') {
        if (step === undefined) return { type: 'mm:load', lesson };
        if (typeof step === 'string' || (typeof step === 'number' && Number.isInteger(step) && step >= 1))
          return { type: 'mm:load', lesson, step };
        return 'mm:load step of a lesson must be a step number from 1 or a step name';
      }
      if (typeof scenario !== 'string') return 'mm:load needs scenario: string (or link: string)';
      if (step === undefined) return { type: 'mm:load', scenario };
      if (typeof step !== 'number' || !Number.isFinite(step) || step < 0)
        return 'mm:load step must be a number of events, 0 or more';
      return { type: 'mm:load', scenario, step };
    }
    case 'mm:step': {
      if (!num(d['delta']) || !num(d['to'])) return 'mm:step takes delta or to as numbers';
      const at = d['at'] as Record<string, unknown> | undefined;
      const whole = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
      if (at !== undefined && (typeof at !== 'object' || at === null || !whole(at['statement']) || !whole(at['event'])))
        return 'mm:step at must be {statement, event}, two whole numbers (as mm:state gives it)';
      return d as Inbound;
    }
    case 'mm:play':
    case 'mm:pause':
    case 'mm:get-state':
      return d as Inbound;
    case 'mm:set-lang':
      return d['lang'] === 'en' || d['lang'] === 'zh' ? (d as Inbound) : 'mm:set-lang needs lang "en" or "zh"';
    case 'mm:set-view':
      return (VIEWS as readonly unknown[]).includes(d['view'])
        ? (d as Inbound)
        : `mm:set-view needs view: ${VIEWS.join('|')}`;
    default:
      return `unknown message type ${typeText(d['type'])}`;
  }
}

export function startEmbedApi(controller: Controller, opts: EmbedApiOptions): void {
  if (window.parent === window) return; // not in a frame: nobody to talk to
  const home = parentOrigin();
  const allowed = new Set<string>([...opts.origins, ...(home ? [home] : [])]);
  // Replies go to the parent's origin; without one we only answer an
  // allowed sender directly.
  const post = (msg: object, to: string | null = home) => {
    if (to && allowed.has(to)) window.parent.postMessage(msg, to);
  };

  window.addEventListener('message', (ev: MessageEvent) => {
    if (ev.source !== window.parent || !allowed.has(ev.origin)) return; // not our host: ignore silently
    const msg = checkMessage(ev.data);
    if (typeof msg === 'string') return post({ type: 'mm:error', message: msg }, ev.origin);
    // The engine stopped in it (controller/recovery.ts): mm:error with what the page says, once the session is back.
    handle(msg, ev.origin).catch(async (e: unknown) =>
      post({ type: 'mm:error', message: await controller.afterCrash(e) }, ev.origin),
    );
  });

  async function handle(msg: Inbound, origin: string): Promise<void> {
    switch (msg.type) {
      case 'mm:load': {
        if ('link' in msg) {
          const hash = msg.link.includes('#') ? msg.link.slice(msg.link.indexOf('#')) : `#${msg.link}`;
          const { state, problems } = parseHash(hash);
          const ok = await controller.open(state, problems);
          if (!ok)
            post({ type: 'mm:error', message: `the link did not open cleanly: ${controller.errorText()}` }, origin);
          break;
        }
        if ('lesson' in msg) {
          const ok = await controller.openLesson(msg.lesson, msg.step === undefined ? '1' : String(msg.step));
          if (!ok) post({ type: 'mm:error', message: `the lesson did not open: ${controller.errorText()}` }, origin);
          break;
        }
        const run = await controller.runScenario(msg.scenario);
        if (!run.ran) {
          post({ type: 'mm:error', message: `the scenario did not run: ${controller.errorText()}` }, origin);
          break;
        }
        if (!run.ok) post({ type: 'mm:error', message: 'the scenario ran, but an expect failed' }, origin);
        // step: a place inside the scenario just run, like a link's at=.
        if (msg.step !== undefined && !controller.seekInLast(Math.round(msg.step)))
          post({ type: 'mm:error', message: `step ${msg.step} is past the end of the scenario` }, origin);
        break;
      }
      case 'mm:step':
        controller.pause();
        if (msg.at !== undefined) {
          if (!controller.seekAt(msg.at))
            post(
              { type: 'mm:error', message: `at ${msg.at.statement}.${msg.at.event}: the session has no such place` },
              origin,
            );
        } else if (msg.to !== undefined) controller.seekGlobal(msg.to);
        else controller.step(msg.delta ?? 1);
        break;
      case 'mm:play':
        controller.play();
        break;
      case 'mm:pause':
        controller.pause();
        break;
      case 'mm:set-lang':
        controller.setLang(msg.lang);
        break;
      case 'mm:set-view':
        controller.setView(msg.view);
        break;
      case 'mm:get-state':
        post({ type: 'mm:state', id: msg.id, state: controller.snapshot() }, origin);
        break;
    }
  }

  let last = '';
  controller.onChange((s: PlayerSnapshot) => {
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    post({ type: 'mm:state', state: s });
  });

  controller.onQuizResult((r) => post({ type: 'mm:quiz-result', ...r }));

  let lastHeight = -1;
  const reportHeight = () => {
    const h = Math.ceil(document.documentElement.scrollHeight);
    if (h !== lastHeight) {
      lastHeight = h;
      post({ type: 'mm:height', height: h });
    }
  };
  new ResizeObserver(reportHeight).observe(document.body);
  reportHeight();
  post({ type: 'mm:ready', state: controller.snapshot() });
}
