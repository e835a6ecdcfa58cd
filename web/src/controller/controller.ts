// The controller: turns user actions into engine calls and new models, then
// renders. It is the only part that holds state over time: the model, the
// engine, the frame map and the player clock.

import type { MmEvent } from '../../../wasm/mm-engine.js';
import type { Catalog } from '../engine/catalogue.js';
import { EngineClient } from '../engine/client.js';
import { FrameMap, type Highlight } from '../render/framemap.js';
import { loadLang, otherLang, saveLang, t, type Lang } from '../words/i18n.js';
import {
  allocated,
  allocFailed,
  allocRefused,
  bootFailed,
  crumbsOf,
  bootSucceeded,
  drained,
  freed,
  freeRefused,
  initialModel,
  machineChanged,
  notice,
  oomReplayed,
  panelError,
  patch,
  procFailed,
  procShown,
  scenarioRan,
  shownEventIndex,
  withAllocForm,
  withBusy,
  withError,
  withHelp,
  withLang,
  withOomText,
  withScenarioText,
  withTab,
  type LiveAllocation,
  type PageModel,
  type Tab,
} from '../model/page.js';
import { highlightTarget, type HighlightTarget } from '../model/highlight.js';
import { motionOf, narrate } from '../words/narrate.js';
import { Clock, jumpTarget, SPEEDS, Timeline, type Jump } from '../clock/player.js';
import { readAllocForm, type Dom } from '../render/dom.js';
import { render } from '../render/page.js';
import { renderStage } from '../render/stage.js';
import { StructureViews } from '../render/structures.js';
import { embedCode, formatHash, type Controls, type UrlState, type View } from '../embed/urlstate.js';

export const DEFAULT_SPEC = 'ram=1G cpus=2';

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
  'kmalloc q 5000 gfp=GFP_KERNEL',
  'kmem_cache_create my_cache 96',
  'spawn A anon=64M',
  'grow A anon=128M',
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

/** Where typing means text, not a shortcut. */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'range'].includes(target.type));
}

/** Lets the browser paint (e.g. "Booting…") before a long synchronous call. */
const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** How long a step's animation lasts when stepping by hand (ms). */
const STEP_ANIMATION_MS = 450;

export interface ControllerOptions {
  /** Embedded in a course page (embed.html): which controls to show. */
  controls: Controls;
  embedded: boolean;
}

/** What listeners outside (the embed API) hear. */
export interface PlayerSnapshot {
  step: number;
  total: number;
  op: number;
  pos: number;
  label: string;
  playing: boolean;
  atEnd: boolean;
  lang: Lang;
  view: Tab;
  event: { fn: string; text: string } | null;
}

export class Controller {
  private model: PageModel;
  private engine: EngineClient | null = null;
  /** Made once the engine (and so its catalogue) is loaded. */
  private map: FrameMap | null = null;
  private views: StructureViews | null = null;
  private clock = new Clock();
  /** Everything this page allocated; the panel lists those still allocated at the cursor. */
  private session: LiveAllocation[] = [];
  /** Events of the operation under the cursor (fetched once per operation). */
  private opEventsCache: { op: number; label: string; events: MmEvent[] } | null = null;
  /** The block the map is animating, since when and for how long (ms). */
  private anim: { target: HighlightTarget | null; start: number; duration: number } | null = null;
  private listeners: ((s: PlayerSnapshot) => void)[] = [];
  private loop = 0;

  constructor(
    private readonly dom: Dom,
    private readonly storage: Storage | null,
    private readonly options: ControllerOptions = { controls: 'full', embedded: false },
  ) {
    this.model = initialModel(loadLang(storage), dom.specInput.value.trim() || DEFAULT_SPEC);
    document.documentElement.dataset['controls'] = options.controls;
    this.wire();
  }

  /** Loads the engine; then boots `initial` (URL state) or the default machine. */
  async start(initial: UrlState | null = null, problems: readonly string[] = []): Promise<void> {
    if (initial?.lang) this.model = withLang(this.model, initial.lang);
    if (initial?.view && initial.view !== 'map') this.model = withTab(this.model, initial.view as Tab);
    document.documentElement.dataset['view'] = initial?.view ?? '';
    this.update(withBusy(this.model, notice('loadingEngine')));
    try {
      this.engine = await EngineClient.load();
    } catch (e) {
      this.update(withError(this.model, notice('engineFailed', {}, String(e))));
      return;
    }
    this.mountViews(this.engine.catalogue);
    this.update(withBusy(this.model, null));
    this.startLoop();
    if (initial?.scenario) {
      if (initial.machine) await this.bootShorthand(initial.machine);
      await this.loadScenario(initial.scenario);
    } else {
      await this.bootShorthand(initial?.machine ?? this.model.spec);
    }
    if (initial?.step !== null && initial?.step !== undefined) this.seekGlobal(initial.step);
    if (problems.length > 0) this.update(withError(this.model, notice('urlProblem', { what: problems.join('; ') })));
    // The map shows a machine and answers input from here on (tests and
    // scripts/bench-web.mjs wait for this).
    performance.mark('mm-interactive');
    document.documentElement.dataset['ready'] = 'true';
  }

  // --- Public surface for the embed API --------------------------------------

  onChange(listener: (s: PlayerSnapshot) => void): void {
    this.listeners.push(listener);
  }

  snapshot(): PlayerSnapshot {
    const p = this.model.player;
    const place = p.timeline.place(p.g);
    const ev = p.event;
    return {
      step: p.g,
      total: p.timeline.total,
      op: place.op,
      pos: place.pos,
      label: p.timeline.ops[place.op]?.label ?? '',
      playing: p.playing,
      atEnd: p.atEnd,
      lang: this.model.lang,
      view: this.model.tab,
      event: ev ? { fn: ev.fn, text: this.engine ? narrate(this.engine.catalogue, ev, 'en').text : ev.text } : null,
    };
  }

  /** Runs a scenario text on the engine, as the Scenario tab would. */
  async loadScenario(text: string): Promise<boolean> {
    this.update(withScenarioText(this.model, text));
    return this.runScenario();
  }

  step(delta: number): void {
    this.seekGlobal(this.model.player.g + delta);
  }

  jump(j: Jump): void {
    this.pause();
    this.seekGlobal(jumpTarget(this.model.player.timeline, this.model.player.g, j));
  }

  play(): void {
    if (!this.engine || this.model.player.timeline.empty) return;
    const p = this.model.player;
    // Playing from the end starts the last operation again.
    if (p.g >= p.timeline.total) this.seekGlobal(p.timeline.opBounds(p.g).start);
    this.clock.speed = p.speed;
    this.clock.start(performance.now());
    this.update(patch(this.model, { player: { ...this.model.player, playing: true } }));
  }

  pause(): void {
    if (!this.model.player.playing) return;
    this.clock.stop();
    this.update(patch(this.model, { player: { ...this.model.player, playing: false } }));
  }

  setLang(lang: Lang): void {
    saveLang(this.storage, lang);
    this.update(withLang(this.model, lang));
  }

  setView(view: View): void {
    document.documentElement.dataset['view'] = view;
    if (view !== 'map') this.selectTab(view as Tab);
  }

  /** Moves the cursor to global step g (clamped) and shows that state. */
  seekGlobal(g: number, animate = true): void {
    if (!this.engine) return;
    const tl = this.model.player.timeline;
    if (tl.empty) return;
    const target = Math.max(0, Math.min(Math.round(g), tl.total));
    const place = tl.place(target);
    if (target === tl.total) this.engine.seekEnd();
    else {
      const r = this.engine.seek(place.op, place.pos);
      if (!r.ok) return this.update(withError(this.model, notice('procFailed', { name: 'seek' }, r.error)));
    }
    this.refresh(animate);
  }

  // --- Rendering ---------------------------------------------------------------

  private update(next: PageModel): void {
    const before = this.model;
    this.model = next;
    const cat = this.engine?.catalogue ?? null;
    render(this.model, this.dom, cat);
    renderStage(this.model, this.dom, cat);
    this.renderStructures();
    if (before.player !== next.player || before.lang !== next.lang || before.tab !== next.tab) {
      const s = this.snapshot();
      for (const l of this.listeners) l(s);
    }
  }

  private renderStructures(): void {
    const m = this.model;
    const s = m.state;
    const ev = m.player.event;
    if (!s || !this.views) return;
    const highlight = ev && ev.zone >= 0 ? { node: ev.node, zone: ev.zone, order: ev.order, mt: ev.mt, cpu: ev.cpu } : null;
    if (m.tab === 'zones') {
      this.views.renderZones(this.dom.zonesView, s, m.lang, highlight);
      if (m.blocks) this.views.showBlocks(this.dom.blocksView, m.blocks.title, [...m.blocks.pfns], m.blocks.order, m.lang);
      else this.dom.blocksView.replaceChildren();
    } else if (m.tab === 'slab') {
      this.views.renderSlab(this.dom.slabView, s, m.cacheDetail, m.lang);
    } else if (m.tab === 'tasks') {
      this.views.renderTasks(this.dom.tasksView, s, m.lang);
    }
  }

  /** One rAF loop draws the map and drives the player and the animation. */
  private startLoop(): void {
    const frame = (now: number) => {
      this.loop = requestAnimationFrame(frame);
      if (this.model.player.playing) {
        const steps = this.clock.advance(now);
        if (steps > 0) {
          const p = this.model.player;
          const target = Math.min(p.timeline.total, p.g + steps);
          this.seekGlobal(target);
          if (target >= p.timeline.total) this.pause();
        }
      }
      this.map?.setHighlight(this.highlightAt(now));
      this.map?.draw();
    };
    cancelAnimationFrame(this.loop);
    this.loop = requestAnimationFrame(frame);
  }

  private highlightAt(now: number): Highlight | null {
    const a = this.anim;
    if (!a?.target) return null;
    return { ...a.target, progress: Math.min(1, (now - a.start) / a.duration) };
  }

  /** Reads everything the page shows from the engine at its cursor. */
  private refresh(animate = false): void {
    const engine = this.engine;
    if (!engine) return;
    const t0 = performance.now();
    const tl = new Timeline(engine.timeline());
    const c = engine.cursor();
    const g = tl.global({ op: c.op, pos: c.pos });
    const state = engine.state();
    if (state) this.map?.setData(engine.mapData(state));
    else this.map?.setData({ cells: new Uint8Array(0), pageblockMt: new Uint8Array(0), zones: [], nodes: [] });

    const { event, crumbs } = this.eventAt(tl, c.op, c.pos);
    const speed = this.model.player.speed;
    if (event && animate) {
      const perStep = Number.isFinite(speed) && this.model.player.playing ? 1000 / speed : STEP_ANIMATION_MS;
      const target = highlightTarget(event, motionOf(engine.catalogue, event));
      this.anim = { target, start: performance.now(), duration: Math.min(STEP_ANIMATION_MS, perStep) };
    } else if (!event) this.anim = null;

    const player = { ...this.model.player, timeline: tl, g, atEnd: c.atEnd, event, crumbs };
    const machine = this.model.machine ? engine.current(this.model.machine.label) : null;
    const allocations = this.session.filter((a) => {
      const info = state ? engine.frameInfo(a.pfn) : null;
      return info !== null && info.ok && info.freeable && info.head === a.pfn;
    });
    const cacheDetail = this.model.cache && state ? engine.slabDetail(this.model.cache) : null;
    let next = patch(this.model, { player, state, allocations, cacheDetail });
    if (machine) next = machineChanged(next, machine);
    this.update(next);
    this.refreshProc();
    // scripts/bench-web.mjs reads these: what one step costs the page.
    performance.measure('mm-refresh', { start: t0 });
  }

  private eventAt(tl: Timeline, op: number, pos: number): { event: MmEvent | null; crumbs: MmEvent[] } {
    if (!this.engine || tl.empty || pos === 0) return { event: null, crumbs: [] };
    const info = tl.ops[op]!;
    let cache = this.opEventsCache;
    if (!cache || cache.op !== op || cache.label !== info.label || cache.events.length !== info.events) {
      cache = { op, label: info.label, events: this.engine.opEvents(op, 0, info.events) };
      this.opEventsCache = cache;
    }
    const index = shownEventIndex(cache.events, pos);
    if (index < 0) return { event: null, crumbs: [] };
    return { event: cache.events[index] ?? null, crumbs: crumbsOf(cache.events, index) };
  }

  // --- Wiring ------------------------------------------------------------------

  private wire(): void {
    const { dom } = this;
    dom.preset.replaceChildren(
      new Option(t(this.model.lang, 'presetCustom'), ''),
      ...PRESETS.map((p) => new Option(`${p.spec} — ${p.note}`, p.spec)),
    );
    dom.preset.addEventListener('change', () => {
      const spec = dom.preset.value;
      dom.preset.value = '';
      if (spec) {
        dom.specInput.value = spec;
        void this.bootShorthand(spec);
      }
    });
    dom.specForm.addEventListener('submit', (ev) => {
      ev.preventDefault(); // Enter in the spec box lands here too
      void this.bootShorthand(dom.specInput.value.trim());
    });
    dom.dmesgBoot.addEventListener('click', () => void this.bootDmesg(dom.dmesgText.value));
    onCtrlEnter(dom.dmesgText, () => void this.bootDmesg(dom.dmesgText.value));
    dom.procSelect.addEventListener('change', () => this.showProc(dom.procSelect.value));
    dom.langButton.addEventListener('click', () => this.setLang(otherLang(this.model.lang)));
    dom.errorDismiss.addEventListener('click', () => this.update(withError(this.model, null)));

    // Allocate panel. Enter in any field submits the form.
    dom.allocForm.addEventListener('input', () => this.update(withAllocForm(this.model, readAllocForm(dom))));
    dom.allocForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.allocate();
    });
    dom.drain.addEventListener('click', () => this.drain());
    dom.allocList.addEventListener('click', (ev) => {
      const button = (ev.target as Element).closest<HTMLButtonElement>('button.free');
      if (button) this.free(Number(button.dataset['pfn']));
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
          this.update(patch(this.model, { cmdText: c }));
          dom.cmd.focus();
        });
        return b;
      }),
    );
    dom.cmd.addEventListener('input', () => this.update(patch(this.model, { cmdText: dom.cmd.value })));
    dom.cmdForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.runCommand(dom.cmd.value);
    });

    // Scenario tab.
    dom.scenarioText.addEventListener('input', () => this.update(withScenarioText(this.model, dom.scenarioText.value)));
    dom.scenarioRun.addEventListener('click', () => void this.runScenario());
    onCtrlEnter(dom.scenarioText, () => void this.runScenario());
    dom.scenarioFailures.addEventListener('click', (ev) => {
      const jump = (ev.target as Element).closest<HTMLButtonElement>('button.jump');
      if (jump) this.jumpTo(Number(jump.dataset['line']), Number(jump.dataset['col']));
    });

    // OOM replay tab.
    dom.oomText.addEventListener('input', () => this.update(withOomText(this.model, dom.oomText.value)));
    dom.oomRun.addEventListener('click', () => void this.replayOom());
    onCtrlEnter(dom.oomText, () => void this.replayOom());

    // Help overlay: "?" outside text boxes, the ? button; Esc or Close shut it.
    dom.helpButton.addEventListener('click', () => this.update(withHelp(this.model, true)));
    dom.help.addEventListener('close', () => {
      if (this.model.helpOpen) this.update(withHelp(this.model, false));
    });
    dom.tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => this.selectTab(tab.dataset['tab'] as Tab));
      tab.addEventListener('keydown', (ev) => {
        const step = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
        if (!step || ev.shiftKey) return;
        ev.preventDefault();
        ev.stopPropagation(); // arrows on a tab switch tabs, not steps
        const next = dom.tabs[(i + step + dom.tabs.length) % dom.tabs.length]!;
        next.focus();
        this.selectTab(next.dataset['tab'] as Tab);
      });
    });

    this.wirePlayer();
    this.wireShare();
    document.addEventListener('keydown', (ev) => this.onKey(ev));
  }

  private wirePlayer(): void {
    const { dom } = this;
    const jumps: [HTMLButtonElement, Jump][] = [
      [dom.pFirst, 'first'],
      [dom.pOpStart, 'op-start'],
      [dom.pBack, 'back'],
      [dom.pForward, 'forward'],
      [dom.pOpEnd, 'op-end'],
      [dom.pLast, 'last'],
    ];
    for (const [b, j] of jumps) b.addEventListener('click', () => this.jump(j));
    dom.pPlay.addEventListener('click', () => (this.model.player.playing ? this.pause() : this.play()));
    dom.pSpeed.addEventListener('change', () => this.setSpeed(SPEEDS[Number(dom.pSpeed.value)] ?? this.model.player.speed));
    dom.pScrub.addEventListener('input', () => {
      this.pause();
      this.seekGlobal(Number(dom.pScrub.value), false);
    });
    // The scrubber's own arrow handling would fight the player's keys.
    dom.pScrub.addEventListener('keydown', (ev) => {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End', ' '].includes(ev.key)) ev.preventDefault();
    });
    dom.pUndo.addEventListener('click', () => this.undo());
    dom.pRedo.addEventListener('click', () => this.redo());
  }

  private setSpeed(speed: number): void {
    this.clock.speed = speed;
    this.update(patch(this.model, { player: { ...this.model.player, speed } }));
  }

  private changeSpeed(delta: number): void {
    const i = SPEEDS.indexOf(this.model.player.speed);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + delta))];
    if (next !== undefined) this.setSpeed(next);
  }

  /** Page-wide keys: the player's, undo/redo and help. Text boxes keep theirs. */
  private onKey(ev: KeyboardEvent): void {
    if (ev.defaultPrevented || isTextEntry(ev.target) || this.dom.help.open || this.dom.share.open) {
      if (ev.key === '?' && this.dom.help.open && !isTextEntry(ev.target)) this.update(withHelp(this.model, false));
      return;
    }
    const ctrl = ev.ctrlKey || ev.metaKey;
    const onMap = ev.target === this.dom.map;
    let handled = true;
    if (ev.key === '?' && !ctrl && !ev.altKey) this.update(withHelp(this.model, !this.model.helpOpen));
    else if (ctrl && (ev.key === 'z' || ev.key === 'Z')) (ev.shiftKey ? this.redo() : this.undo());
    else if (ctrl && ev.key === 'y') this.redo();
    else if (ctrl || ev.altKey) handled = false;
    else if (ev.key === ' ' && !(ev.target instanceof HTMLButtonElement)) this.model.player.playing ? this.pause() : this.play();
    else if (ev.key === 'ArrowLeft' && (ev.shiftKey || !onMap)) this.jump(ev.shiftKey ? 'op-start' : 'back');
    else if (ev.key === 'ArrowRight' && (ev.shiftKey || !onMap)) this.jump(ev.shiftKey ? 'op-end' : 'forward');
    else if (ev.key === 'Home' && !onMap) this.jump('first');
    else if (ev.key === 'End' && !onMap) this.jump('last');
    else if (ev.key === '[') this.changeSpeed(-1);
    else if (ev.key === ']') this.changeSpeed(1);
    else handled = false;
    if (handled) ev.preventDefault();
  }

  /** The frame map and the structure views lay out by the engine's
   *  catalogue (pageblock size, orders, migrate types), so they are made
   *  once it is loaded. */
  private mountViews(cat: Catalog): void {
    const { dom } = this;
    const map = new FrameMap(
      dom.map,
      { onHover: (pfn, x, y) => this.hover(pfn, x, y), onClick: (pfn) => this.clickFrame(pfn) },
      { pageblockPages: cat.pageblockPages, maxOrder: cat.maxOrder, migrateTypes: cat.raw.names.migratetype_en },
    );
    this.map = map;
    this.views = new StructureViews(
      {
        onFreeAreaCell: (node, zone, order, mt) => this.listBlocks(node, zone, order, mt),
        onCache: (name) => this.selectCache(name),
        onPfn: (pfn, order) => this.pointAt(pfn, order),
      },
      cat,
    );
    const overlays = () =>
      map.setOverlays({ zones: dom.ovZones.checked, pageblocks: dom.ovPageblocks.checked, outlines: dom.ovOutlines.checked });
    for (const box of [dom.ovZones, dom.ovPageblocks, dom.ovOutlines]) box.addEventListener('change', overlays);
    overlays();
    dom.zoomIn.addEventListener('click', () => map.zoomBy(2));
    dom.zoomOut.addEventListener('click', () => map.zoomBy(0.5));
    dom.zoomReset.addEventListener('click', () => map.resetView());
    dom.legend.replaceChildren(
      ...map.palette.map((p) => {
        const li = document.createElement('li');
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = p.color;
        const label = document.createElement('span');
        label.dataset['kind'] = String(p.kind);
        li.append(sw, label);
        return li;
      }),
    );
  }

  private hover(pfn: number | null, x: number, y: number): void {
    const tip = this.dom.mapTip;
    if (pfn === null || !this.engine) {
      tip.hidden = true;
      return;
    }
    const info = this.engine.frameInfo(pfn);
    if (!info.ok) {
      tip.hidden = true;
      return;
    }
    const lang = this.model.lang;
    const lines = [
      t(lang, 'tipPfn', { pfn: info.pfn }) + (info.zone ? ` · Node ${info.node} ${info.zone}` : ''),
      info.head >= 0 ? `order ${info.order} · head ${info.head}` : '',
      `${info.owner}`,
      info.migrateType ? `pageblock: ${info.migrateType}` : '',
    ].filter(Boolean);
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    const box = this.dom.map.getBoundingClientRect();
    tip.style.left = `${Math.min(x - box.left + 14, box.width - 220)}px`;
    tip.style.top = `${y - box.top + 14}px`;
  }

  private clickFrame(pfn: number): void {
    if (!this.engine || this.model.busy) return;
    const info = this.engine.frameInfo(pfn);
    if (!info.ok || info.head < 0) return;
    if (!info.freeable) {
      this.update(patch(this.model, { allocMessage: { tone: 'error', notice: notice('freeClickRefused', { pfn }, info.owner) } }));
      return;
    }
    this.free(info.head);
  }

  private pointAt(pfn: number, order: number): void {
    this.anim = { target: { motion: 'none', pfn, order, other: -1 }, start: performance.now(), duration: 1200 };
  }

  private wireShare(): void {
    const { dom } = this;
    dom.shareButton.addEventListener('click', () => {
      const { link, embed } = this.shareTexts();
      dom.shareLink.value = link;
      dom.shareEmbed.value = embed;
      dom.shareStatus.textContent = '';
      dom.share.showModal();
      dom.shareLink.select();
    });
    const copy = async (text: string) => {
      try {
        await navigator.clipboard.writeText(text);
        dom.shareStatus.textContent = t(this.model.lang, 'copied');
      } catch {
        dom.shareStatus.textContent = t(this.model.lang, 'copyFailed');
      }
    };
    dom.copyLink.addEventListener('click', () => void copy(dom.shareLink.value));
    dom.copyEmbed.addEventListener('click', () => void copy(dom.shareEmbed.value));
  }

  /** The URL state of what is on screen, as a link to this page and an iframe of embed.html. */
  shareTexts(): { link: string; embed: string; state: UrlState } {
    const m = this.model;
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
    const here = new URL(location.href);
    here.hash = formatHash(state);
    const embedUrl = new URL('embed.html', location.href);
    embedUrl.hash = formatHash({ ...state, controls: 'player' });
    return { link: here.href, embed: embedCode(embedUrl.href, t(m.lang, 'title')), state };
  }

  private selectTab(tab: Tab): void {
    this.update(withTab(this.model, tab));
    if (tab === 'proc') this.showProc(this.model.procName);
  }

  // --- Operations ----------------------------------------------------------------

  /** After an operation: show its end, then let the player step through it. */
  private afterOperation(): void {
    this.pause();
    this.refresh(false);
  }

  private async bootShorthand(spec: string): Promise<void> {
    if (!this.engine || this.model.busy) return;
    this.update(withBusy({ ...this.model, spec }, notice('booting', { what: spec })));
    await nextPaint();
    const r = this.engine.bootShorthand(spec);
    this.update(r.ok ? bootSucceeded(this.model, r.machine, this.engine.procNames()) : bootFailed(this.model, spec, r.error));
    if (r.ok) this.afterOperation();
  }

  private async bootDmesg(text: string): Promise<void> {
    if (!this.engine || this.model.busy) return;
    const label = t(this.model.lang, 'dmesgName');
    this.update(withBusy(this.model, notice('booting', { what: label })));
    await nextPaint();
    const r = this.engine.bootDmesg(text, label);
    this.update(r.ok ? bootSucceeded(this.model, r.machine, this.engine.procNames()) : bootFailed(this.model, label, r.error));
    if (r.ok) {
      this.afterOperation();
      this.update(withTab(this.model, 'log'));
    }
  }

  private allocate(): void {
    if (!this.engine || this.model.busy) return;
    if (!this.model.machine) return this.update(panelError(this.model, 'needMachine', ''));
    const form = readAllocForm(this.dom);
    let next = withAllocForm(this.model, form);
    const r = this.engine.allocPages(form);
    if (r.ok) {
      this.session = [r.block, ...this.session.filter((a) => a.pfn !== r.block.pfn)];
      next = allocated(next, r.block);
    } else if (r.error) next = allocRefused(next, r.error);
    else next = allocFailed(next, r.failure);
    this.update(next);
    this.afterOperation();
  }

  private free(pfn: number): void {
    if (!this.engine || this.model.busy || !Number.isFinite(pfn)) return;
    const rows = [...this.dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
    const at = rows.findIndex((b) => b.dataset['pfn'] === String(pfn));
    const hadFocus = rows.some((b) => b === document.activeElement);
    const cpu = Number.isInteger(this.model.allocForm.cpu) ? this.model.allocForm.cpu : 0;
    const r = this.engine.freeBlock(pfn, cpu);
    this.update(r.ok ? freed(this.model, pfn) : freeRefused(this.model, pfn, r.error));
    this.afterOperation();
    if (hadFocus) {
      // The row is gone: keep the keyboard in the list, or go back to Allocate.
      const left = [...this.dom.allocList.querySelectorAll<HTMLButtonElement>('button.free')];
      (left[Math.min(at, left.length - 1)] ?? this.dom.allocSubmit).focus();
    }
  }

  private drain(): void {
    if (!this.engine || this.model.busy || !this.model.machine) return;
    const r = this.engine.drain(-1);
    this.update(r.ok ? drained(this.model) : panelError(this.model, 'drainRefused', r.error));
    this.afterOperation();
  }

  private undo(): void {
    if (!this.engine || this.model.busy) return;
    this.pause();
    this.engine.undo();
    this.afterOperation();
  }

  private redo(): void {
    if (!this.engine || this.model.busy) return;
    this.pause();
    this.engine.redo();
    this.afterOperation();
  }

  /** One scenario statement on the running machine (the command box). */
  private async runCommand(text: string): Promise<void> {
    if (!this.engine || this.model.busy || !text.trim()) return;
    const { run } = this.engine.runScenario(text, t(this.model.lang, 'scenarioName'));
    let cmdMessage;
    if (!run.ran) cmdMessage = { tone: 'error' as const, notice: notice('cmdRefused', {}, run.failures[0]?.text ?? '') };
    else if (!run.ok) cmdMessage = { tone: 'warn' as const, notice: notice('cmdFailed', {}, run.failures.map((f) => f.text).join('\n')) };
    else cmdMessage = { tone: 'ok' as const, notice: notice('cmdOk', { label: text.trim() }, run.output.trim()) };
    this.update(patch(this.model, { cmdMessage, cmdText: run.ran ? '' : text }));
    if (run.ran) this.afterOperation();
  }

  private async runScenario(): Promise<boolean> {
    if (!this.engine || this.model.busy) return false;
    const text = this.model.scenarioText;
    this.update(withBusy(this.model, notice('runningScenario')));
    await nextPaint();
    const { run, machine } = this.engine.runScenario(text, t(this.model.lang, 'scenarioName'));
    let next = scenarioRan(this.model, run);
    if (machine) next = bootSucceeded(next, machine, this.engine.procNames());
    this.update(next);
    if (run.ran) this.afterOperation();
    else {
      const f = run.failures[0];
      if (f && !this.options.embedded) this.jumpTo(f.line, f.col);
    }
    return run.ran && run.ok;
  }

  /** Puts the caret at line:col (1-based) of the scenario text. */
  private jumpTo(line: number, col: number): void {
    const area = this.dom.scenarioText;
    const lines = area.value.split('\n');
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i]!.length + 1;
    const lineText = lines[line - 1] ?? '';
    offset += Math.min(Math.max(col - 1, 0), lineText.length);
    this.selectTab('scenario');
    area.focus();
    area.setSelectionRange(offset, offset);
  }

  private async replayOom(): Promise<void> {
    if (!this.engine || this.model.busy) return;
    const text = this.dom.oomText.value;
    this.update(withBusy(withOomText(this.model, text), notice('replaying')));
    await nextPaint();
    this.update(oomReplayed(this.model, this.engine.oomReplay(text)));
  }

  // --- Structures -------------------------------------------------------------------

  private listBlocks(node: number, zone: number, order: number, mt: number): void {
    if (!this.engine || !this.model.state) return;
    const s = this.model.state;
    const pfns = this.engine.freeBlocks(node, zone, order, mt, 256);
    const zoneName = s.zones.find((z) => z.node === node && z.type === zone)?.name ?? String(zone);
    const title = `Node ${node} ${zoneName} · free_area[${order}] · ${s.migrateTypes[mt] ?? mt}`;
    this.update(patch(this.model, { blocks: { title, pfns, order } }));
  }

  private selectCache(name: string): void {
    if (!this.engine) return;
    this.update(patch(this.model, { cache: name, cacheDetail: this.engine.slabDetail(name) }));
  }

  /** Re-reads the selected /proc file after the machine or the cursor moved. */
  private refreshProc(): void {
    if (this.model.procName && this.model.tab === 'proc') this.showProc(this.model.procName, true);
  }

  private showProc(name: string, quiet = false): void {
    if (!this.engine || !this.model.machine) return;
    const r = this.engine.proc(name);
    if (r.ok) this.update(procShown(this.model, name, r.text));
    else if (quiet) this.update(procShown(this.model, name, ''));
    else this.update(procFailed(this.model, name, r.error));
  }
}
