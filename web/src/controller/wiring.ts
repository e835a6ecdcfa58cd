// DOM events of the page's controls: each button, form, box and tab calls
// the operation or player action it stands for. Nothing else happens here.

import { SPEEDS, type Jump } from '../clock/player.js';
import { patch, withAllocForm, withError, withOomText, withScenarioText, type Tab } from '../model/page.js';
import { isKernel } from '../model/kernels.js';
import { readAllocForm } from '../render/dom.js';
import { renderPrefs } from '../render/prefs.js';
import { otherLang, t, type Lang } from '../words/i18n.js';
import type { Context } from './context.js';
import type { Cursor } from './cursor.js';
import type { Operations } from './operations.js';
import { viewPrefs } from './prefs.js';

/** Machines worth a click: the qemu setups of the reference captures first. */
export const PRESETS: readonly { spec: string; note: string }[] = [
  { spec: 'ram=1G cpus=2', note: 'qemu -m 1G -smp 2 (capture m1g-smp2)' },
  { spec: 'ram=2G cpus=2 nodes=1G:0,1G:1', note: 'two NUMA nodes (capture numa2-m2g-smp2)' },
  { spec: 'ram=256M cpus=1', note: 'small, for OOM (capture oom-m256-smp1)' },
  { spec: 'ram=128M cpus=1', note: 'small: blocks big enough to see' },
  { spec: 'ram=4G cpus=4', note: '4 GiB: a million frames' },
  { spec: 'ram=16G cpus=8 nodes=2', note: '16 GiB, two nodes' },
];

/** Statements offered in the command box. */
export const COMMAND_EXAMPLES: readonly string[] = [
  'kmalloc p 200',
  'kfree p',
  'kmalloc q 5000 gfp=GFP_KERNEL',
  'kmem_cache_create my_cache 96',
  'spawn A anon=64M',
  'grow A anon=32M',
  'read data.bin size=32M',
  'kill A',
  'drop_caches',
  'drain',
  'alloc order=3 gfp=GFP_KERNEL',
];

/** Ctrl+Enter (Cmd+Enter on a Mac) in a text area runs `action`. */
function onCtrlEnter(el: HTMLElement, action: () => void): void {
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      action();
    }
  });
}

/** The top bar, the panels and the tabs. */
export function wirePanels(ctx: Context, ops: Operations, setLang: (lang: Lang) => void): void {
  const { dom, store } = ctx;
  dom.preset.replaceChildren(
    new Option(t(store.model.lang, 'presetCustom'), ''),
    ...PRESETS.map((p) => new Option(`${p.spec} — ${p.note}`, p.spec)),
  );
  dom.preset.addEventListener('change', () => {
    const spec = dom.preset.value;
    dom.preset.value = '';
    if (spec) {
      dom.specInput.value = spec;
      void ops.bootShorthand(spec);
    }
  });
  dom.specForm.addEventListener('submit', (ev) => {
    ev.preventDefault(); // Enter in the spec box lands here too
    void ops.bootShorthand(dom.specInput.value.trim());
  });
  // The model keeps what the box holds: the kernel switch and the compare view read it.
  dom.specInput.addEventListener('input', () => store.update((m) => patch(m, { spec: dom.specInput.value })));
  for (const b of dom.kernelButtons) {
    b.addEventListener('click', () => {
      const kernel = b.dataset['kernel'] ?? '';
      if (isKernel(kernel)) void ops.switchKernel(kernel);
    });
  }
  dom.compareRun.addEventListener('click', () => void ops.compareKernels());
  dom.dmesgBoot.addEventListener('click', () => void ops.bootDmesg(dom.dmesgText.value));
  onCtrlEnter(dom.dmesgText, () => void ops.bootDmesg(dom.dmesgText.value));
  dom.procSelect.addEventListener('change', () => ops.showProc(dom.procSelect.value));
  dom.langButton.addEventListener('click', () => setLang(otherLang(store.model.lang)));
  dom.errorDismiss.addEventListener('click', () => store.update((m) => withError(m, null)));

  // Allocate panel. Enter in any field submits the form.
  dom.allocForm.addEventListener('input', () => store.update((m) => withAllocForm(m, readAllocForm(dom))));
  dom.allocForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ops.allocate();
  });
  dom.drain.addEventListener('click', () => ops.drain());
  dom.allocList.addEventListener('click', (ev) => {
    const button = (ev.target as Element).closest<HTMLButtonElement>('button.free');
    if (button) ops.free(Number(button.dataset['pfn']));
  });

  // Command box and its example chips.
  dom.cmdChoices.replaceChildren(...COMMAND_EXAMPLES.map((c) => new Option(c, c)));
  dom.cmdExamples.replaceChildren(
    ...COMMAND_EXAMPLES.slice(0, 6).map((c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'chip secondary';
      b.textContent = c;
      b.addEventListener('click', () => {
        store.update((m) => patch(m, { cmdText: c }));
        dom.cmd.focus();
      });
      return b;
    }),
  );
  dom.cmd.addEventListener('input', () => store.update((m) => patch(m, { cmdText: dom.cmd.value })));
  dom.cmdForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ops.runCommand(dom.cmd.value);
  });

  // Scenario tab.
  dom.scenarioText.addEventListener('input', () => store.update((m) => withScenarioText(m, dom.scenarioText.value)));
  dom.scenarioRun.addEventListener('click', () => void ops.runScenario());
  onCtrlEnter(dom.scenarioText, () => void ops.runScenario());
  dom.scenarioFailures.addEventListener('click', (ev) => {
    const jump = (ev.target as Element).closest<HTMLButtonElement>('button.jump');
    if (jump) ops.jumpTo(Number(jump.dataset['line']), Number(jump.dataset['col']));
  });

  // OOM replay tab.
  dom.oomText.addEventListener('input', () => store.update((m) => withOomText(m, dom.oomText.value)));
  dom.oomRun.addEventListener('click', () => void ops.replayOom());
  onCtrlEnter(dom.oomText, () => void ops.replayOom());

  dom.tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => ops.selectTab(tab.dataset['tab'] as Tab));
    tab.addEventListener('keydown', (ev) => {
      const step = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
      if (!step || ev.shiftKey) return;
      ev.preventDefault();
      ev.stopPropagation(); // arrows on a tab switch tabs, not steps
      const next = dom.tabs[(i + step + dom.tabs.length) % dom.tabs.length]!;
      next.focus();
      ops.selectTab(next.dataset['tab'] as Tab);
    });
  });

  wirePrefs(ctx);
}

/** The theme and projector buttons and the map's follow box (keys: keys.ts). */
function wirePrefs(ctx: Context): void {
  const { dom, store } = ctx;
  const prefs = viewPrefs();
  const draw = () => renderPrefs(dom, prefs.value, store.model.lang);
  dom.themeButton.addEventListener('click', () => prefs.cycleTheme());
  dom.projectorButton.addEventListener('click', () => prefs.toggleProjector());
  dom.ovFollow.addEventListener('change', () => prefs.set({ follow: dom.ovFollow.checked }));
  prefs.onChange(draw);
  store.onChange((next, before) => {
    if (next.lang !== before.lang) draw();
  });
  draw();
}

/** The player bar: jumps, play, speed, the scrubber, undo and redo. */
export function wirePlayer(ctx: Context, cursor: Cursor, ops: Operations): void {
  const { dom, store } = ctx;
  const jumps: [HTMLButtonElement, Jump][] = [
    [dom.pFirst, 'first'],
    [dom.pOpStart, 'op-start'],
    [dom.pBack, 'back'],
    [dom.pForward, 'forward'],
    [dom.pOpEnd, 'op-end'],
    [dom.pLast, 'last'],
  ];
  for (const [b, j] of jumps) b.addEventListener('click', () => cursor.jump(j));
  dom.pPlay.addEventListener('click', () => cursor.togglePlay());
  dom.pSpeed.addEventListener('change', () =>
    cursor.setSpeed(SPEEDS[Number(dom.pSpeed.value)] ?? store.model.player.speed),
  );
  dom.pScrub.addEventListener('input', () => {
    cursor.pause();
    cursor.seekGlobal(Number(dom.pScrub.value), false);
  });
  // The scrubber's own arrow handling would fight the player's keys.
  dom.pScrub.addEventListener('keydown', (ev) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End', ' '].includes(ev.key)) ev.preventDefault();
  });
  dom.pUndo.addEventListener('click', () => ops.undo());
  dom.pRedo.addEventListener('click', () => ops.redo());
}
