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
//   recovery.ts    a new engine and the session back when the wasm instance dies
// Its public methods are what the embed API (embed/api.ts) and main.ts use.

import type { Jump } from '../clock/player.js';
import { EngineClient } from '../engine/client.js';
import { unpackText, type UrlState, type View } from '../embed/urlstate.js';
import { Timeline } from '../clock/player.js';
import { cursorOf, opRanges, sessionAt, startsMachine, type At } from '../model/session.js';
import {
  DEFAULT_SPEC,
  initialModel,
  notice,
  patch,
  withBusy,
  withError,
  withLang,
  withScenarioText,
  withTab,
  type Tab,
} from '../model/page.js';
import type { Dom } from '../render/dom.js';
import { render } from '../render/page.js';
import { renderLesson } from '../render/lesson.js';
import { renderStage } from '../render/stage.js';
import { renderStructures, StructureViews } from '../render/structures.js';
import { loadLang, saveLang, t, type Lang } from '../words/i18n.js';
import { narrate } from '../words/narrate.js';
import { Animation } from './animation.js';
import { Context, type ControllerOptions } from './context.js';
import { Cursor } from './cursor.js';
import { setHelp, shareTexts, wireHelp, wireShare, type ShareTexts } from './dialogs.js';
import { wireKeys } from './keys.js';
import { LessonController, type QuizResult } from './lesson.js';
import { wireLesson } from './lesson-wiring.js';
import { mountMap } from './map.js';
import { Operations } from './operations.js';
import { Recovery } from './recovery.js';
import { Store } from './store.js';
import { wirePanels, wirePlayer } from './wiring.js';

export type { ControllerOptions } from './context.js';

export { DEFAULT_SPEC };

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
  /** The cursor as a link holds it: statement (0: the session's boot) and event of it; null at the end. */
  at: At | null;
  /** Statements of the session on screen. */
  statements: number;
  /** The lesson open and its step (from 1); null when none. */
  lesson: { id: string; step: number; steps: number } | null;
}

export class Controller {
  private readonly ctx: Context;
  private readonly animation: Animation;
  private readonly cursor: Cursor;
  private readonly ops: Operations;
  private readonly lessons: LessonController;
  private readonly recovery: Recovery;
  private readonly listeners: ((s: PlayerSnapshot) => void)[] = [];
  /** The URL's history= (MiB of undo), given to every engine. */
  private history: number | null = null;

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
    this.lessons = new LessonController(this.ctx, this.ops, this.cursor, {
      reset: () => this.reset(),
      seekInLast: (event) => this.seekInLast(event),
      storage,
    });
    this.recovery = new Recovery(this.ctx, this.cursor, {
      queue: (task) => {
        this.opening = this.opening
          .catch(() => false)
          .then(task)
          .then(() => false);
        return this.opening.then(() => undefined);
      },
      open: (s) => this.openNow(s, []),
      forget: () => this.forget(),
      history: () => this.history,
    });
    store.onChange((next, before) => {
      const loaded = this.ctx.loaded;
      const cat = loaded?.engine.catalogue ?? null;
      render(next, dom, cat);
      renderStage(next, dom, cat);
      if (loaded) renderStructures(next, dom, loaded.views);
      renderLesson(next, dom);
      const moved =
        before.player !== next.player ||
        before.lang !== next.lang ||
        before.tab !== next.tab ||
        before.lessons.lesson !== next.lessons.lesson ||
        before.lessons.step !== next.lessons.step;
      if (moved && this.listeners.length > 0) {
        const s = this.snapshot();
        for (const l of this.listeners) l(s);
      }
    });
    document.documentElement.dataset['controls'] = options.controls;

    wirePanels(this.ctx, this.ops, (lang) => this.setLang(lang));
    wirePlayer(this.ctx, this.cursor, this.ops);
    wireHelp(this.ctx);
    wireShare(this.ctx);
    wireLesson(dom, this.lessons);
    wireKeys(dom, {
      toggleHelp: () => setHelp(this.ctx, !store.model.helpOpen),
      closeHelp: () => setHelp(this.ctx, false),
      undo: () => this.ops.undo(),
      redo: () => this.ops.redo(),
      togglePlay: () => this.cursor.togglePlay(),
      jump: (j) => this.jump(j),
      changeSpeed: (d) => this.cursor.changeSpeed(d),
      jumpToKind: (kind, dir) => this.cursor.jumpToKind(kind, dir),
      // controls=lesson shows nothing but the lesson: it stays open.
      toggleLesson: () => (options.controls === 'lesson' ? this.lessons.show('lesson') : this.lessons.toggle()),
      // controls=lesson has no tab strip to show it in.
      showCompare: () => {
        if (options.controls !== 'lesson') this.ops.showCompare();
      },
    });
    if (options.controls === 'lesson') this.lessons.show('lesson');
  }

  private get store(): Store {
    return this.ctx.store;
  }

  /** Loads the engine; then opens `initial` (URL state) or boots the default machine. */
  async start(initial: UrlState | null = null, problems: readonly string[] = []): Promise<void> {
    const store = this.store;
    this.applyView(initial);
    store.set(withBusy(store.model, notice('loadingEngine')));
    let engine: EngineClient;
    try {
      engine = await EngineClient.load();
    } catch (e) {
      store.set(withError(store.model, notice('engineFailed', {}, String(e))));
      return;
    }
    this.mount(engine);
    this.recovery.watch(engine);
    this.lessons.init();
    this.history = initial?.history ?? null;
    if (this.history) engine.call('setHistoryBudget', this.history);
    store.set(withBusy(store.model, null));
    this.animation.start((now) => this.cursor.tick(now));
    await this.open(initial, problems);
    // The map shows a machine and answers input from here on (tests and
    // scripts/bench-web.mjs wait for this).
    performance.mark('mm-interactive');
    document.documentElement.dataset['ready'] = 'true';
  }

  /** The URL's language and view (for this visit: not remembered). */
  private applyView(s: UrlState | null): void {
    const store = this.store;
    if (s?.lang) store.set(withLang(store.model, s.lang));
    if (s?.view && s.view !== 'map') store.set(withTab(store.model, s.view));
    document.documentElement.dataset['view'] = s?.view ?? '';
  }

  private opening: Promise<boolean> = Promise.resolve(true);

  /**
   * Rebuilds the session a link holds on a fresh engine: its machine (a
   * shorthand, a packed dmesg; none: the default machine, unless the first
   * statement boots one), its statements in order, then its cursor (at=,
   * or an old link's global step=). What cannot be done is said in the
   * page's error line; true when all of it was. Opens run one after another.
   * One the engine stopped in is false, once the session is back.
   */
  open(s: UrlState | null, problems: readonly string[] = []): Promise<boolean> {
    // (One that threw does not stop the next.)
    const run = this.opening.catch(() => false).then(() => this.openNow(s, problems));
    this.opening = run;
    return this.survive(run, false);
  }

  /** `run`'s result; `fallback` when the engine stopped in it, once recovery.ts has the session back. */
  private async survive<T>(run: Promise<T>, fallback: T): Promise<T> {
    try {
      return await run;
    } catch (e) {
      await this.recovery.settled(e);
      return fallback;
    }
  }

  /**
   * After a call of this controller threw `e`: the message to give (the
   * engine stopped and the session is back, recovery.ts); anything else
   * than a stopped engine is thrown again.
   */
  afterCrash(e: unknown): Promise<string> {
    return this.recovery.settled(e);
  }

  private async openNow(s: UrlState | null, problems: readonly string[]): Promise<boolean> {
    const engine = this.ctx.engine;
    if (!engine) return false;
    const issues = [...problems];
    if (this.ctx.session.entries.length > 0 || engine.timeline().length > 0) this.reset();
    this.applyView(s);
    const ops = this.ops;
    // A lesson (lesson=ID or a teacher's lessontext=) builds its own machine.
    if (s && (s.lesson !== null || s.lessonText !== null)) {
      let opened = false;
      if (s.lessonText !== null) opened = await this.lessons.openText(s.lessonText, s.lessonStep);
      else if (s.lesson !== null) opened = await this.lessons.openLesson(s.lesson, s.lessonStep ?? '1');
      if (s.view && s.view !== 'map') this.store.set(withTab(this.store.model, s.view));
      if (issues.length > 0)
        this.store.set(withError(this.store.model, notice('urlProblem', { what: issues.join('; ') })));
      return opened && issues.length === 0;
    }
    const statements = s?.statements ?? [];
    // A machine that does not boot says why in the error line (bootFailed): nothing more runs.
    if (s?.dmesg) {
      const text = await unpackText(s.dmesg);
      if (text === null) issues.push('dmesg= could not be unpacked (a link cut short?)');
      else if (!(await ops.bootDmesg(text))) return false;
    } else if (s?.machine) {
      if (!(await ops.bootShorthand(s.machine))) return false;
    } else if (statements.length === 0 || !startsMachine(statements[0]!)) {
      await ops.bootShorthand(this.store.model.spec || DEFAULT_SPEC);
    }
    for (const [i, st] of statements.entries()) {
      const ran =
        st.kind === 'command'
          ? ops.runCommand(st.text)
          : (this.store.update((m) => withScenarioText(m, st.text)), (await ops.runScenario()).ran);
      if (!ran) issues.push(`statement ${i + 1} of the link did not run: ${st.text.split('\n')[0]}`);
    }
    if (s?.at) {
      if (!this.seekAt(s.at)) issues.push(`at=${s.at.statement}.${s.at.event}: the session has no such place`);
    } else if (s?.step !== null && s?.step !== undefined) this.seekGlobal(s.step);
    // A dmesg boot shows the kernel log: the link's view wins.
    if (s?.view && s.view !== 'map') this.store.set(withTab(this.store.model, s.view));
    if (issues.length > 0)
      this.store.set(withError(this.store.model, notice('urlProblem', { what: issues.join('; ') })));
    return issues.length === 0;
  }

  /** A fresh engine: no machine, nothing on the timeline, nothing allocated. */
  private reset(): void {
    const loaded = this.ctx.loaded;
    if (!loaded) return;
    loaded.engine.reset();
    this.forget();
  }

  /** The page forgets the engine's session (a fresh or a new engine): no machine, nothing allocated. */
  private forget(): void {
    this.cursor.pause();
    this.ctx.session.clear();
    this.ctx.allocated = [];
    this.store.update((m) =>
      patch(m, { machine: null, kernel: null, booted: null, allocations: [], cache: null, cacheDetail: null }),
    );
    this.cursor.afterOperation();
  }

  /**
   * Moves the cursor to `at`: event `at.event` of statement `at.statement`
   * of the newest session (0: its boot, the newest entry that starts a
   * machine). False when there is no such statement (the cursor then
   * stays) or the event is past its end (the cursor goes to its end).
   */
  seekAt(at: At): boolean {
    const engine = this.ctx.engine;
    if (!engine) return false;
    const ops = engine.timeline();
    const session = this.ctx.session;
    const index = session.lastHead() + at.statement;
    if (index >= session.entries.length) return false;
    const ranges = opRanges(session.entries.length, ops);
    const c = cursorOf(ranges, ops, { statement: index, event: at.event });
    if (!c) return false;
    this.seekGlobal(new Timeline(ops).global(c));
    const r = ranges[index]!;
    let events = 0;
    for (let op = r.first; op < r.end; op++) events += ops[op]!.events;
    return at.event <= events;
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

  /** The cursor in session terms (the link's at=), and how many statements the session on screen has. */
  private sessionPlace(): { at: At | null; statements: number } {
    const shown = this.ctx.place();
    const s = shown ? sessionAt(shown) : null;
    return s ? { at: s.at, statements: s.entries.length } : { at: null, statements: 0 };
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
      ...this.sessionPlace(),
      lesson: this.lessons.place(),
    };
  }

  /** Hears every answer the learner gives (a lesson's question or the quiz mode's): mm:quiz-result. */
  onQuizResult(listener: (r: QuizResult) => void): void {
    this.lessons.onResult(listener);
  }

  /** Opens shipped lesson `id` at `step` (from 1, or a step's name); false, with the panel saying why, when it cannot. */
  openLesson(id: string, step: string | null = null): Promise<boolean> {
    return this.survive(this.lessons.openLesson(id, step), false);
  }

  /** Runs a scenario text on the engine, as the Scenario tab would; true when it ran and every expect held. */
  async loadScenario(text: string): Promise<boolean> {
    return (await this.runScenario(text)).ok;
  }

  /** Runs a scenario text: whether it ran (an operation of the session), and whether every expect held. */
  async runScenario(text: string): Promise<{ ran: boolean; ok: boolean }> {
    await this.opening.catch(() => false);
    this.store.update((m) => withScenarioText(m, text));
    return this.survive(this.ops.runScenario(), { ran: false, ok: false });
  }

  /** Moves the cursor to event `event` of the session's newest statement (mm:load's step); false past its end. */
  seekInLast(event: number): boolean {
    const session = this.ctx.session;
    if (session.entries.length === 0) return false;
    return this.seekAt({ statement: session.entries.length - 1 - session.lastHead(), event });
  }

  /** What the error line and the scenario's failures say now (for mm:error). */
  errorText(): string {
    const m = this.store.model;
    const parts: string[] = [];
    if (m.error) parts.push(m.error.detail || t('en', m.error.key, m.error.params));
    for (const f of m.scenarioRun?.failures ?? []) parts.push(f.text);
    const le = m.lessons.error;
    if (le) parts.push(le.detail || t('en', le.key, le.params));
    return parts.join('; ');
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

  /** Shows the page in `lang`; `remember`: as the visitor's choice (not for a link's lang=). */
  setLang(lang: Lang, remember = true): void {
    if (remember) saveLang(this.storage, lang);
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

  /** The URL state of what is on screen, as a link to this page and an iframe of embed.html (or why it cannot be). */
  shareTexts(): Promise<ShareTexts> {
    return shareTexts(this.ctx, location.href);
  }
}
