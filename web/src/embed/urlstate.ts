// The state a link or an embed carries in its URL fragment:
//   #machine=ram%3D1G%20cpus%3D2&scenario=<base64url UTF-8>&step=<n|end>&lang=zh&controls=player&view=zones
// The fragment never reaches a server, so a course page can link to any
// state without a backend. Unknown keys are ignored; bad values fall back to
// defaults and are reported, never thrown.

import type { Lang } from '../words/i18n.js';

export type Controls = 'full' | 'player' | 'none';
export type View = 'map' | 'zones' | 'slab' | 'tasks' | 'proc' | 'log';
export const VIEWS: readonly View[] = ['map', 'zones', 'slab', 'tasks', 'proc', 'log'];

export interface UrlState {
  machine: string | null;
  scenario: string | null;
  /** Global step on the timeline; null: the end. */
  step: number | null;
  lang: Lang | null;
  controls: Controls;
  view: View | null;
  /** Origins allowed to drive the embed by postMessage (besides the parent's own). */
  origins: string[];
}

export interface Parsed {
  state: UrlState;
  /** What could not be read, in plain words (shown in the page's notices). */
  problems: string[];
}

export function encodeText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeText(b64: string): string | null {
  try {
    const std = b64.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Parsed {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const state: UrlState = {
    machine: null,
    scenario: null,
    step: null,
    lang: null,
    controls: 'full',
    view: null,
    origins: [],
  };

  const machine = params.get('machine');
  if (machine) state.machine = machine;

  const scenario = params.get('scenario');
  if (scenario !== null) {
    const text = decodeText(scenario);
    if (text === null) problems.push('scenario= is not base64url-encoded UTF-8 text');
    else state.scenario = text;
  }

  const step = params.get('step');
  if (step !== null && step !== 'end') {
    const n = Number(step);
    if (Number.isInteger(n) && n >= 0) state.step = n;
    else problems.push(`step=${step} is not a step number (or "end")`);
  }

  const lang = params.get('lang');
  if (lang === 'en' || lang === 'zh') state.lang = lang;
  else if (lang !== null) problems.push(`lang=${lang}: use en or zh`);

  const controls = params.get('controls');
  if (controls === 'full' || controls === 'player' || controls === 'none') state.controls = controls;
  else if (controls !== null) problems.push(`controls=${controls}: use full, player or none`);

  const view = params.get('view');
  if (view !== null) {
    if ((VIEWS as readonly string[]).includes(view)) state.view = view as View;
    else problems.push(`view=${view}: use one of ${VIEWS.join(', ')}`);
  }

  for (const o of params.getAll('origin')) {
    try {
      state.origins.push(new URL(o).origin);
    } catch {
      problems.push(`origin=${o} is not an origin like https://course.example.org`);
    }
  }
  return { state, problems };
}

/** The fragment for a state (only what differs from the defaults). */
export function formatHash(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.machine) p.set('machine', s.machine);
  if (s.scenario) p.set('scenario', encodeText(s.scenario));
  if (s.step !== null) p.set('step', String(s.step));
  if (s.lang) p.set('lang', s.lang);
  if (s.controls !== 'full') p.set('controls', s.controls);
  if (s.view) p.set('view', s.view);
  for (const o of s.origins) p.append('origin', o);
  return '#' + p.toString();
}

/** The iframe code a course page pastes. */
export function embedCode(src: string, title: string): string {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${esc(src)}" title="${esc(title)}" width="100%" height="640" style="border:0" loading="lazy"></iframe>`;
}
