// The controller composes the page: the model's store and its renderers,
// the engine (loaded at start), and the modules that act on them, each in
// its own file:
//   cursor.ts      the player: step, jump, play, seek; reads the machine at the cursor
//   operations.ts  engine calls for what the controls ask (boot, allocate, scenarios...)
//   animation.ts   the animation-frame loop (player clock, map highlight, drawing)
//   wiring.ts      DOM events of the controls
//   keys.ts        page-wide keys
//   dialogs.ts     help and share dialogs
//   map.ts         the frame map, its input (map-input.ts), tooltip and legend
// Its public methods are what the embed API (embed/api.ts) and main.ts use.

import type { Jump } from '../clock/player.js';
import { EngineClient } from '../engine/client.js';
import type { UrlState, View } from '../embed/urlstate.js';
import {
  initialModel,
  notice,
  withBusy,
  withError,
  withLang,
  withScenarioText,
  withTab,
  type Tab,
} from '../model/page.js';
import type { Dom } from '../render/dom.js';
import { render } from '../render/page.js';
import { renderStage } from '../render/stage.js';
import { renderStructures, StructureViews } from '../render/structures.js';
import { loadLang, saveLang, type Lang } from '../words/i18n.js';
import { narrate } from '../words/narrate.js';
import { Animation } from './animation.js';
import { Context, type ControllerOptions } from './context.js';
import { Cursor } from './cursor.js';
import { setHelp, shareTexts, wireHelp, wireShare } from './dialogs.js';
import { wireKeys } from './keys.js';
import { mountMap } from './map.js';
import { Operations } from './operations.js';
import { Store } from './store.js';
import { wirePanels, wirePlayer } from './wiring.js';

export type { ControllerOptions } from './context.js';

export const DEFAULT_SPEC = 'ram=1G cpus=2';

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
  private readonly ctx: Context;
  private readonly animation: Animation;
  private readonly cursor: Cursor;
  private readonly ops: Operations;
  private readonly listeners: ((s: PlayerSnapshot) => void)[] = [];

  constructor(
    dom: Dom,
    private readonly storage: Storage | null,
    options: ControllerOptions = { controls: 'full', embedded: false },
  ) {
    const store = new Store(initialModel(loadLang(storage), dom.specInput.value.trim() || DEFAULT_SPEC));
    this.ctx = new Context(dom, store, options);
    this.animation = new Animation(this.ctx);
    this.cursor = new Cursor(this.ctx, this.animation, () => this.ops.refreshProc());
    this.ops = new Operations(this.ctx, this.cursor);
    store.onChange((next, before) => {
      const loaded = this.ctx.loaded;
      const cat = loaded?.engine.catalogue ?? null;
      render(next, dom, cat);
      renderStage(next, dom, cat);
      if (loaded) renderStructures(next, dom, loaded.views);
      if (before.player !== next.player || before.lang !== next.lang || before.tab !== next.tab) {
        const s = this.snapshot();
        for (const l of this.listeners) l(s);
      }
    });
    document.documentElement.dataset['controls'] = options.controls;

    wirePanels(this.ctx, this.ops, (lang) => this.setLang(lang));
    wirePlayer(this.ctx, this.cursor, this.ops);
    wireHelp(this.ctx);
    wireShare(this.ctx);
    wireKeys(dom, {
      toggleHelp: () => setHelp(this.ctx, !store.model.helpOpen),
      closeHelp: () => setHelp(this.ctx, false),
      undo: () => this.ops.undo(),
      redo: () => this.ops.redo(),
      togglePlay: () => this.cursor.togglePlay(),
      jump: (j) => this.jump(j),
      changeSpeed: (d) => this.cursor.changeSpeed(d),
      jumpToKind: (kind, dir) => this.cursor.jumpToKind(kind, dir),
    });
  }

  private get store(): Store {
    return this.ctx.store;
  }

  /** Loads the engine; then boots `initial` (URL state) or the default machine. */
  async start(initial: UrlState | null = null, problems: readonly string[] = []): Promise<void> {
    const store = this.store;
    if (initial?.lang) store.set(withLang(store.model, initial.lang));
    if (initial?.view && initial.view !== 'map') store.set(withTab(store.model, initial.view));
    document.documentElement.dataset['view'] = initial?.view ?? '';
    store.set(withBusy(store.model, notice('loadingEngine')));
    let engine: EngineClient;
    try {
      engine = await EngineClient.load();
    } catch (e) {
      store.set(withError(store.model, notice('engineFailed', {}, String(e))));
      return;
    }
    this.mount(engine);
    store.set(withBusy(store.model, null));
    this.animation.start((now) => this.cursor.tick(now));
    if (initial?.scenario) {
      if (initial.machine) await this.ops.bootShorthand(initial.machine);
      await this.loadScenario(initial.scenario);
    } else {
      await this.ops.bootShorthand(initial?.machine ?? store.model.spec);
    }
    if (initial?.step !== null && initial?.step !== undefined) this.seekGlobal(initial.step);
    if (problems.length > 0) store.set(withError(store.model, notice('urlProblem', { what: problems.join('; ') })));
    // The map shows a machine and answers input from here on (tests and
    // scripts/bench-web.mjs wait for this).
    performance.mark('mm-interactive');
    document.documentElement.dataset['ready'] = 'true';
  }

  /** The frame map and the structure views lay out by the engine's
   *  catalogue (pageblock size, orders, migrate types, pcp lists), so they
   *  are made once it is loaded. */
  private mount(engine: EngineClient): void {
    const cat = engine.catalogue;
    const map = mountMap(this.ctx, cat, (pfn) => this.ops.freeAt(pfn));
    const views = new StructureViews(
      {
        onFreeAreaCell: (node, zone, order, mt) => this.ops.listBlocks(node, zone, order, mt),
        onCache: (name) => this.ops.selectCache(name),
        onPfn: (pfn, order) => this.animation.show({ motion: 'none', pfn, order, other: -1 }, 1200),
      },
      cat,
    );
    this.ctx.loaded = { engine, map, views };
  }

  // --- Public surface for the embed API --------------------------------------

  onChange(listener: (s: PlayerSnapshot) => void): void {
    this.listeners.push(listener);
  }

  snapshot(): PlayerSnapshot {
    const m = this.store.model;
    const p = m.player;
    const place = p.timeline.place(p.g);
    const ev = p.event;
    const engine = this.ctx.engine;
    return {
      step: p.g,
      total: p.timeline.total,
      op: place.op,
      pos: place.pos,
      label: p.timeline.ops[place.op]?.label ?? '',
      playing: p.playing,
      atEnd: p.atEnd,
      lang: m.lang,
      view: m.tab,
      // The English sentence, as the engine's CLI prints it.
      event: ev ? { fn: ev.fn, text: engine ? narrate(engine.catalogue, ev, 'en').text : '' } : null,
    };
  }

  /** Runs a scenario text on the engine, as the Scenario tab would. */
  async loadScenario(text: string): Promise<boolean> {
    this.store.update((m) => withScenarioText(m, text));
    return this.ops.runScenario();
  }

  step(delta: number): void {
    this.cursor.step(delta);
  }

  jump(j: Jump): void {
    this.cursor.jump(j);
  }

  play(): void {
    this.cursor.play();
  }

  pause(): void {
    this.cursor.pause();
  }

  setLang(lang: Lang): void {
    saveLang(this.storage, lang);
    this.store.update((m) => withLang(m, lang));
  }

  setView(view: View): void {
    document.documentElement.dataset['view'] = view;
    if (view !== 'map') this.ops.selectTab(view);
  }

  /** Moves the cursor to global step g (clamped) and shows that state. */
  seekGlobal(g: number, animate = true): void {
    this.cursor.seekGlobal(g, animate);
  }

  /** The URL state of what is on screen, as a link to this page and an iframe of embed.html. */
  shareTexts(): { link: string; embed: string; state: UrlState } {
    return shareTexts(this.store.model, location.href);
  }
}
