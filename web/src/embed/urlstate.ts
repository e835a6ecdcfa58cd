// The state a link or an embed carries in its URL fragment (docs/embedding.md):
//   #machine=ram%3D1G%20cpus%3D2          the machine: a shorthand, or
//   #dmesg=<deflate-raw, base64url>         a pasted kernel log, compressed
//   &do=alloc%20order%3D3%20cpu%3D0        then the session's statements in order:
//   &do=kmalloc%20p%20200                   do= statements on the running machine (a
//   &scenario=<base64url UTF-8>             panel action, the command box), scenario= a
//                                           Scenario tab run
//   &at=3.17                                the cursor: statement 3 (0 is the machine's
//                                           boot), after its first 17 events; none: the end
//   &lang=zh&controls=player&view=zones
//   &history=64                             at most 64 MiB of undo history (2..384)
//   #lesson=buddy&step=2                    a lesson (its own machine) at its step 2 (from 1,
//                                           or a step's name); lessontext=<base64url UTF-8>:
//                                           a teacher's own lesson text instead
// Old links (#machine=...&step=N: a global step over the timeline) still open.
// The fragment never reaches a server, so a course page can link to any
// state without a backend. Unknown keys are ignored; bad values fall back to
// defaults and are reported, never thrown.

import type { At } from '../model/session.js';
import type { Lang } from '../words/i18n.js';

export type Controls = 'full' | 'player' | 'none' | 'lesson';
export const CONTROLS: readonly Controls[] = ['full', 'player', 'none', 'lesson'];
export type View = 'map' | 'zones' | 'slab' | 'tasks' | 'proc' | 'log';
export const VIEWS: readonly View[] = ['map', 'zones', 'slab', 'tasks', 'proc', 'log'];

/** A statement of the session after the machine: do= (runCommand) or scenario= (runScenario). */
export interface LinkStatement {
  kind: 'command' | 'scenario';
  text: string;
}

export interface UrlState {
  /** The machine's shorthand. */
  machine: string | null;
  /** Or a pasted kernel log, packed as the URL holds it (packText; unpackText gives the text). */
  dmesg: string | null;
  /** What ran after the boot, in order. */
  statements: LinkStatement[];
  /** The cursor: (statement, event); null: the end. */
  at: At | null;
  /** Old links: a global step on the timeline; null: none. */
  step: number | null;
  lang: Lang | null;
  controls: Controls;
  view: View | null;
  /** MiB of undo history the engine may keep (2..384); null: the engine's default (384). */
  history: number | null;
  /** Origins allowed to drive the embed by postMessage (besides the parent's own). */
  origins: string[];
  /** A shipped lesson's id (lesson=); it builds its own machine (machine=, do= are not used). */
  lesson: string | null;
  /** A teacher's lesson text (lessontext=, base64url of UTF-8), compiled by the engine. */
  lessonText: string | null;
  /** The lesson's step as the link names it: a number from 1 or a step's name; null: the first. */
  lessonStep: string | null;
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
    // ignoreBOM: a text that begins with U+FEFF keeps it (encodeText wrote it).
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Links longer than this are refused with a message naming their size. */
export const MAX_LINK_BYTES = 64 * 1024;

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unbase64url(b64: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(b64)) return null;
  try {
    const std = b64.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  through: CompressionStream | DecompressionStream,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(through);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Text as a link holds a long one (a pasted dmesg): deflate-raw, then base64url. */
export async function packText(text: string): Promise<string> {
  return base64url(await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw')));
}

/** packText's text again; null when `packed` is not what packText makes. */
export async function unpackText(packed: string): Promise<string | null> {
  const bytes = unbase64url(packed);
  if (!bytes) return null;
  try {
    const text = await pipe(bytes, new DecompressionStream('deflate-raw'));
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(text);
  } catch {
    return null;
  }
}

/**
 * A value as a problem quotes it: one line (control characters and line
 * separators escaped) of at most 40 characters, so a hostile link cannot
 * fill or break up the page's notices.
 */
function shown(value: string): string {
  const line = value.replace(/[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (line.length <= 40) return line;
  const cut = /[\ud800-\udbff]/.test(line.charAt(39)) ? 39 : 40; // not inside a surrogate pair
  return `${line.slice(0, cut)}…`;
}

export function parseHash(hash: string): Parsed {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const problems: string[] = [];
  const state: UrlState = {
    machine: null,
    dmesg: null,
    statements: [],
    at: null,
    step: null,
    lang: null,
    controls: 'full',
    view: null,
    history: null,
    origins: [],
    lesson: null,
    lessonText: null,
    lessonStep: null,
  };

  const lesson = params.get('lesson');
  if (lesson !== null) {
    if (/^[a-z0-9_-]+$/.test(lesson)) state.lesson = lesson;
    else problems.push(`lesson=${shown(lesson)} is not a lesson id (a-z, 0-9, - and _)`);
  }
  const lessonText = params.get('lessontext');
  if (lessonText !== null) {
    const text = decodeText(lessonText);
    if (text === null) problems.push('lessontext= is not base64url-encoded UTF-8 text');
    else {
      if (state.lesson) problems.push('lesson= and lessontext= both name a lesson: the text is used');
      state.lesson = null;
      state.lessonText = text;
    }
  }
  const inLesson = state.lesson !== null || state.lessonText !== null;

  const machine = params.get('machine');
  if (machine) state.machine = machine;

  const dmesg = params.get('dmesg');
  if (dmesg) {
    if (state.machine) problems.push('machine= and dmesg= both name a machine: the dmesg is booted');
    state.machine = null;
    if (/^[A-Za-z0-9_-]+$/.test(dmesg)) state.dmesg = dmesg;
    else problems.push('dmesg= is not a packed kernel log (deflate-raw, base64url)');
  }

  // The statements, in the order the fragment lists them.
  params.forEach((value, key) => {
    if (key === 'do') {
      if (value.trim()) state.statements.push({ kind: 'command', text: value });
    } else if (key === 'scenario') {
      const text = decodeText(value);
      if (text === null) problems.push('scenario= is not base64url-encoded UTF-8 text');
      else state.statements.push({ kind: 'scenario', text });
    }
  });

  const at = params.get('at');
  if (at !== null) {
    const m = /^(\d+)\.(\d+)$/.exec(at);
    const [statement, event] = [Number(m?.[1]), Number(m?.[2])];
    // (Safe integers only: a bigger one would not format back as digits.)
    if (Number.isSafeInteger(statement) && Number.isSafeInteger(event)) state.at = { statement, event };
    else problems.push(`at=${shown(at)} is not a place STATEMENT.EVENT (like 2.15)`);
  }

  const step = params.get('step');
  // With a lesson, step= is the lesson's step (the engine's lesson knows which exist).
  if (inLesson && step !== null) {
    if (/^[A-Za-z0-9_-]+$/.test(step)) state.lessonStep = step;
    else problems.push(`step=${shown(step)} is not a lesson step (a number from 1, or a step's name)`);
  } else if (step !== null && step !== 'end') {
    const n = Number(step);
    // (n || 0: step=-0 is step 0.)
    if (Number.isInteger(n) && n >= 0) state.step = n || 0;
    else problems.push(`step=${shown(step)} is not a step number (or "end")`);
  }

  const lang = params.get('lang');
  if (lang === 'en' || lang === 'zh') state.lang = lang;
  else if (lang !== null) problems.push(`lang=${shown(lang)}: use en or zh`);

  const controls = params.get('controls');
  if ((CONTROLS as readonly (string | null)[]).includes(controls)) state.controls = controls as Controls;
  else if (controls !== null) problems.push(`controls=${shown(controls)}: use full, player, none or lesson`);

  const view = params.get('view');
  if (view !== null) {
    if ((VIEWS as readonly string[]).includes(view)) state.view = view as View;
    else problems.push(`view=${shown(view)}: use one of ${VIEWS.join(', ')}`);
  }

  const history = params.get('history');
  if (history !== null) {
    const n = Number(history);
    if (/^\d+$/.test(history) && n >= 2 && n <= 384) state.history = n;
    else problems.push(`history=${shown(history)}: use a number of MiB from 2 to 384`);
  }

  for (const o of params.getAll('origin')) {
    let origin = 'null';
    try {
      origin = new URL(o).origin;
    } catch {
      // not a URL
    }
    // An opaque origin (data:, file:, foo:bar) is "null", which a sandboxed frame also has: never allowed.
    if (origin !== 'null') state.origins.push(origin);
    else problems.push(`origin=${shown(o)} is not an origin like https://course.example.org`);
  }

  // What a link cannot hold is not kept (formatHash would drop it): at= wins
  // over an old step=, and a lesson has no cursor but its step.
  if (state.at) state.step = null;
  if (inLesson) state.at = null;
  return { state, problems };
}

/** The fragment for a state (only what differs from the defaults). */
export function formatHash(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.dmesg) p.set('dmesg', s.dmesg);
  else if (s.machine) p.set('machine', s.machine);
  for (const st of s.statements) {
    if (st.kind === 'command') p.append('do', st.text);
    else p.append('scenario', encodeText(st.text));
  }
  // (typeof: a state made before lessons existed has none of their fields.)
  const text = typeof s.lessonText === 'string' ? s.lessonText : null;
  const lesson = typeof s.lesson === 'string' ? s.lesson : null;
  if (text !== null) p.set('lessontext', encodeText(text));
  else if (lesson !== null) p.set('lesson', lesson);
  if (text !== null || lesson !== null) {
    if (typeof s.lessonStep === 'string') p.set('step', s.lessonStep);
  } else if (s.at) p.set('at', `${s.at.statement}.${s.at.event}`);
  else if (s.step !== null) p.set('step', String(s.step));
  if (s.lang) p.set('lang', s.lang);
  if (s.controls !== 'full') p.set('controls', s.controls);
  if (s.view) p.set('view', s.view);
  if (typeof s.history === 'number') p.set('history', String(s.history));
  for (const o of s.origins) p.append('origin', o);
  return '#' + p.toString();
}

/** The part of a state that says which machine and session: equal keys, the same session. */
export function sessionKey(s: UrlState): string {
  return JSON.stringify([s.machine, s.dmesg, s.statements, s.at, s.step, s.lesson, s.lessonText, s.lessonStep]);
}

/** The iframe code a course page pastes. */
export function embedCode(src: string, title: string): string {
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${esc(src)}" title="${esc(title)}" width="100%" height="640" style="border:0" loading="lazy"></iframe>`;
}
