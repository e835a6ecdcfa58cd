// The dialogs: the help overlay ("?", the ? button; Esc or Close shut it)
// and the share dialog (a link to this state, and the embed code).

import { embedCode, formatHash, MAX_LINK_BYTES, packText, type UrlState } from '../embed/urlstate.js';
import { withHelp } from '../model/page.js';
import { sessionAt, type Shown } from '../model/session.js';
import { t } from '../words/i18n.js';
import type { Context } from './context.js';

export function setHelp(ctx: Context, open: boolean): void {
  ctx.store.update((m) => withHelp(m, open));
}

export function wireHelp(ctx: Context): void {
  const { dom, store } = ctx;
  dom.helpButton.addEventListener('click', () => setHelp(ctx, true));
  dom.help.addEventListener('close', () => {
    if (store.model.helpOpen) setHelp(ctx, false);
  });
}

/** A link and the embed code for what is on screen, or why there is none. */
export interface ShareTexts {
  link: string;
  embed: string;
  state: UrlState | null;
  /** The link's length in bytes (what MAX_LINK_BYTES limits). */
  size: number;
  /** Set when the link would be too long: then link and embed are empty. */
  tooLong: boolean;
}

/** The last dmesg packed for a link (packing a long log takes a moment). */
let packed: { text: string; packed: string } | null = null;
async function packDmesg(text: string): Promise<string> {
  if (packed?.text !== text) packed = { text, packed: await packText(text) };
  return packed.packed;
}

/**
 * The link's state: the session that built the machine on screen
 * (model/session.ts), its cursor, the view; of `shown` when given (after
 * a crash: what the page showed before it, recovery.ts).
 */
export async function linkState(ctx: Context, shown?: Shown): Promise<UrlState | null> {
  const m = ctx.store.model;
  const engine = ctx.engine;
  if (!engine) return null;
  if (!shown) {
    const c = engine.cursor();
    shown = { entries: ctx.session.entries, ops: engine.timeline(), cursor: c.atEnd ? null : c };
  }
  const session = sessionAt(shown);
  const state: UrlState = {
    machine: null,
    dmesg: null,
    statements: [],
    at: session?.at ?? null,
    step: null,
    lang: m.lang,
    controls: 'full',
    view: (['zones', 'slab', 'tasks', 'proc', 'log'] as const).find((v) => v === m.tab) ?? null,
    history: null, // how much undo a device keeps is the reader's, not the link's
    origins: [],
    lesson: null,
    lessonText: null,
    lessonStep: null,
  };
  // A lesson on its path: the link opens the lesson at its step (which builds the same machine).
  const lv = m.lessons;
  if (lv.lesson && lv.origin && !lv.offPath) {
    if (lv.origin.kind === 'shipped') state.lesson = lv.origin.id;
    else state.lessonText = lv.origin.text;
    state.lessonStep = String(lv.step + 1);
    state.at = null;
    return state;
  }
  if (!session) {
    state.machine = m.machine?.label ?? m.spec;
    return state;
  }
  for (const e of session.entries) {
    if (e.kind === 'boot') {
      if (e.machine.kind === 'shorthand') state.machine = e.machine.spec;
      else state.dmesg = await packDmesg(e.machine.text);
    } else state.statements.push({ kind: e.kind, text: e.text });
  }
  return state;
}

/** The URL state of what is on screen, as a link to this page and an iframe of embed.html. */
export async function shareTexts(ctx: Context, href: string): Promise<ShareTexts> {
  const state = await linkState(ctx);
  if (!state) return { link: '', embed: '', state: null, size: 0, tooLong: false };
  const here = new URL(href);
  here.hash = formatHash(state);
  const embedUrl = new URL('embed.html', href);
  const inLesson = state.lesson !== null || state.lessonText !== null;
  embedUrl.hash = formatHash({ ...state, controls: inLesson ? 'lesson' : 'player' });
  const size = new TextEncoder().encode(here.href).length;
  if (size > MAX_LINK_BYTES) return { link: '', embed: '', state, size, tooLong: true };
  return {
    link: here.href,
    embed: embedCode(embedUrl.href, t(ctx.store.model.lang, 'title')),
    state,
    size,
    tooLong: false,
  };
}

export function wireShare(ctx: Context): void {
  const { dom, store } = ctx;
  dom.shareButton.addEventListener('click', () => {
    const lang = store.model.lang;
    dom.shareLink.value = '';
    dom.shareEmbed.value = '';
    dom.shareStatus.textContent = t(lang, 'linkPreparing');
    dom.share.showModal();
    void shareTexts(ctx, location.href).then((s) => {
      dom.shareLink.value = s.link;
      dom.shareEmbed.value = s.embed;
      dom.shareStatus.textContent = s.tooLong
        ? t(lang, 'linkTooLong', { size: (s.size / 1024).toFixed(1), max: MAX_LINK_BYTES / 1024 })
        : '';
      dom.share.dataset['ready'] = 'true';
      if (s.link) dom.shareLink.select();
    });
  });
  dom.share.addEventListener('close', () => delete dom.share.dataset['ready']);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      dom.shareStatus.textContent = t(store.model.lang, 'copied');
    } catch {
      dom.shareStatus.textContent = t(store.model.lang, 'copyFailed');
    }
  };
  dom.copyLink.addEventListener('click', () => void copy(dom.shareLink.value));
  dom.copyEmbed.addEventListener('click', () => void copy(dom.shareEmbed.value));
}
