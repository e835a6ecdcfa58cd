// Renderers: each reads the model and writes one part of the DOM. They never
// change the model and never call the engine; render() runs them all.

import { t, type MessageKey } from './i18n.js';
import type { Notice, PageModel, Tab } from './model.js';
import type { Dom } from './dom.js';

export function render(m: PageModel, dom: Dom): void {
  renderLabels(m, dom);
  renderStatus(m, dom);
  renderError(m, dom);
  renderTabs(m, dom);
  renderMachine(m, dom);
  renderProc(m, dom);
}

function say(m: PageModel, n: Notice): string {
  return t(m.lang, n.key, n.params);
}

/** Every element with data-i18n="key" (text) or data-i18n-placeholder="key". */
function renderLabels(m: PageModel, dom: Dom): void {
  dom.root.lang = m.lang === 'zh' ? 'zh-Hans' : 'en';
  document.title = t(m.lang, 'title');
  for (const el of dom.labels) {
    const key = el.dataset['i18n'] as MessageKey | undefined;
    if (key) el.textContent = t(m.lang, key);
  }
  dom.specInput.placeholder = t(m.lang, 'specPlaceholder');
  dom.dmesgText.placeholder = t(m.lang, 'dmesgPlaceholder');
  dom.langButton.textContent = t(m.lang, 'langButton');
  dom.langButton.title = t(m.lang, 'langButtonTitle');
  dom.errorDismiss.setAttribute('aria-label', t(m.lang, 'dismiss'));
  dom.errorDismiss.title = t(m.lang, 'dismiss');
}

function renderStatus(m: PageModel, dom: Dom): void {
  dom.status.textContent = m.busy ? say(m, m.busy) : '';
  dom.root.classList.toggle('busy', m.busy !== null);
  dom.specForm.querySelector('button')!.disabled = m.busy !== null;
  dom.dmesgBoot.disabled = m.busy !== null;
}

function renderError(m: PageModel, dom: Dom): void {
  dom.error.hidden = m.error === null;
  dom.errorText.textContent = m.error ? say(m, m.error) : '';
  dom.errorDetail.textContent = m.error?.detail ?? '';
  dom.errorDetail.hidden = !m.error?.detail;
}

function renderTabs(m: PageModel, dom: Dom): void {
  for (const tab of dom.tabs) {
    const selected = (tab.dataset['tab'] as Tab) === m.tab;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  for (const panel of dom.panels) panel.hidden = panel.dataset['tab'] !== m.tab;
}

function renderMachine(m: PageModel, dom: Dom): void {
  const machine = m.machine;
  setText(dom.bootLog, machine ? machine.bootLog : t(m.lang, 'noMachine'));
  dom.summary.textContent = machine
    ? t(m.lang, 'summary', {
        what: machine.label,
        frames: machine.frameCount.toLocaleString(m.lang === 'zh' ? 'zh-CN' : 'en'),
        events: machine.eventCount.toLocaleString(m.lang === 'zh' ? 'zh-CN' : 'en'),
      })
    : '';
}

function renderProc(m: PageModel, dom: Dom): void {
  const select = dom.procSelect;
  const current = [...select.options].map((o) => o.value);
  if (current.join('\n') !== m.procNames.join('\n')) {
    select.replaceChildren(...m.procNames.map((name) => new Option(name, name)));
  }
  if (select.value !== m.procName) select.value = m.procName;
  setText(dom.procText, m.procText);
}

/** Assigning a big text only when it changed keeps scrolling and selection. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
