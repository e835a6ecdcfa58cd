// The compare view (the "6.1 vs 6.12" tab): what compareKernels said of a
// machine shorthand booted under both profiles, as a table grouped by what
// the figures are about (zones, per-CPU lists, the whole machine, boot log
// lines, /proc fields), each row with the catalogue's reason in the page's
// language. Below a certain width (the view's own, a container query in
// style.css) each row stacks: the figure, then 6.1, 6.12 and why.
//
// The table is rebuilt only when the comparison or the language changed.

import type { Catalog } from '../engine/catalogue.js';
import { groupDiffs, KERNELS, type DiffGroup, type KernelDiffRow } from '../model/kernels.js';
import type { CompareView, PageModel } from '../model/page.js';
import { t, type Lang, type MessageKey } from '../words/i18n.js';
import type { Dom } from './dom.js';

const GROUP_TITLE: Readonly<Record<DiffGroup, MessageKey>> = {
  zones: 'compareGroupZones',
  pcp: 'compareGroupPcp',
  globals: 'compareGroupGlobals',
  log: 'compareGroupLog',
  proc: 'compareGroupProc',
};

let drawn: { compare: CompareView; lang: Lang; dmesg: boolean; cat: Catalog | null } | null = null;

export function renderCompare(m: PageModel, dom: Dom, cat: Catalog | null): void {
  const c = m.compare;
  const dmesg = m.booted?.kind === 'dmesg';
  dom.compareRun.title = t(m.lang, 'compareRunTitle');
  dom.compareRun.disabled = m.busy !== null;
  if (drawn && drawn.compare === c && drawn.lang === m.lang && drawn.dmesg === dmesg && drawn.cat === cat) return;
  drawn = { compare: c, lang: m.lang, dmesg, cat };

  let summary = '';
  let tone = '';
  if (c.needShorthand) {
    summary = t(m.lang, dmesg ? 'compareNeedShorthand' : 'compareNeedShorthandNone');
    tone = 'error';
  } else if (c.spec !== null && c.rows) {
    summary =
      c.rows.length > 0
        ? t(m.lang, 'compareSummary', { what: c.spec, n: c.rows.length })
        : t(m.lang, 'compareSame', { what: c.spec });
    tone = 'ok';
  } else if (c.spec !== null) {
    summary = t(m.lang, 'compareFailed', { what: c.spec });
    tone = 'error';
  }
  dom.compareSummary.textContent = summary;
  dom.compareSummary.dataset['tone'] = tone;
  dom.compareView.replaceChildren(...(c.rows && c.rows.length > 0 ? [table(c.rows, m.lang, cat)] : []));
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

function table(rows: readonly KernelDiffRow[], lang: Lang, cat: Catalog | null): HTMLTableElement {
  const [k61, k612] = KERNELS;
  const head = el(
    'thead',
    {},
    el(
      'tr',
      {},
      el('th', { scope: 'col' }, t(lang, 'compareColWhat')),
      el('th', { scope: 'col' }, `Linux ${k61}`),
      el('th', { scope: 'col' }, `Linux ${k612}`),
      el('th', { scope: 'col' }, t(lang, 'compareColWhy')),
    ),
  );
  const bodies = groupDiffs(rows).map(({ group, rows: members }) =>
    el(
      'tbody',
      { 'data-group': group },
      el('tr', { class: 'kd-group' }, el('th', { colspan: '4', scope: 'colgroup' }, t(lang, GROUP_TITLE[group]))),
      ...members.map((r) =>
        el(
          'tr',
          { class: 'kd-row', 'data-what': r.what },
          el('th', { scope: 'row', class: 'kd-what' }, r.what),
          value(r.v6_1, k61, lang),
          value(r.v6_12, k612, lang),
          el(
            'td',
            { class: 'kd-why', 'data-why': r.why },
            cat?.kernelDiff(r.why, lang) ?? t(lang, 'compareWhyUnknown', { code: r.why }),
          ),
        ),
      ),
    ),
  );
  return el('table', { class: 'kd-table' }, head, ...bodies);
}

/** A figure as one kernel prints it; "" (it does not print it) is a dash. */
function value(v: string, kernel: string, lang: Lang): HTMLTableCellElement {
  const attrs: Record<string, string> = { class: 'kd-v', 'data-kernel': kernel, 'data-label': `Linux ${kernel}` };
  if (v !== '') return el('td', attrs, v);
  const none = t(lang, 'compareNotPrinted');
  return el(
    'td',
    { ...attrs, class: 'kd-v kd-none', title: none },
    el('span', { 'aria-hidden': 'true' }, '—'),
    el('span', { class: 'sr-only' }, none),
  );
}
