// The dialogs: the help overlay ("?", the ? button; Esc or Close shut it)
// and the share dialog (a link to this state, and the embed code).

import { embedCode, formatHash, type UrlState } from '../embed/urlstate.js';
import { withHelp, type PageModel } from '../model/page.js';
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

/** The URL state of what is on screen, as a link to this page and an iframe of embed.html. */
export function shareTexts(m: PageModel, href: string): { link: string; embed: string; state: UrlState } {
  const scenario = m.scenarioRun?.ran ? m.scenarioText : null;
  const state: UrlState = {
    machine: scenario ? null : (m.machine?.label ?? m.spec),
    scenario,
    step: m.player.atEnd ? null : m.player.g,
    lang: m.lang,
    controls: 'full',
    view: (['zones', 'slab', 'tasks', 'proc', 'log'] as const).find((v) => v === m.tab) ?? null,
    origins: [],
  };
  const here = new URL(href);
  here.hash = formatHash(state);
  const embedUrl = new URL('embed.html', href);
  embedUrl.hash = formatHash({ ...state, controls: 'player' });
  return { link: here.href, embed: embedCode(embedUrl.href, t(m.lang, 'title')), state };
}

export function wireShare(ctx: Context): void {
  const { dom, store } = ctx;
  dom.shareButton.addEventListener('click', () => {
    const { link, embed } = shareTexts(store.model, location.href);
    dom.shareLink.value = link;
    dom.shareEmbed.value = embed;
    dom.shareStatus.textContent = '';
    dom.share.showModal();
    dom.shareLink.select();
  });
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
