// The page's only door to the WebAssembly engine (contract: wasm/mm-engine.d.ts).
// It loads the ES6 module built by the wasm preset. Every operation goes
// through call(op, ...args), typed by the d.ts's Operations map (one entry per
// row of wasm/bindings.cpp's table); a few answers are turned into the model's
// plain types here (a boot's machine, an allocation's block, a scenario's run),
// and the views (reads that cannot fail) are passed through.
//
// Every call into the instance runs through use(), the one guarded path.
// Refusals come back as `{ ok: false, error }`, so anything the instance
// throws (an Emscripten `RuntimeError: Aborted(...)`, a trap such as
// `unreachable` or an out-of-bounds access, a memory grow that failed, an
// uncaught C++ exception) means it is dead: use() marks it so, tells the
// onCrash listeners once, and throws EngineCrash, as every later call does
// until restart() made a new instance from the same factory.

import type {
  CacheDetail,
  CompiledLesson,
  LessonInfo,
  QuizQuestion,
  CreateMmEngine,
  Cursor,
  Engine,
  FrameInfo,
  MachineState,
  MmEngineModule,
  MmEvent,
  OpArgs,
  OpName,
  OpResult,
  ScenarioResult,
  TimelineOp,
} from '../../../wasm/mm-engine.js';
import { Catalog } from './catalogue.js';
import type { MapData } from '../render/framemap.js';
import type { AllocForm, LiveAllocation, MachineView, ScenarioRunView } from '../model/page.js';
import { parseDiffs, type KernelDiffRow } from '../model/kernels.js';

export type BootOutcome = { ok: true; machine: MachineView } | { ok: false; error: string };
/** ok; or out of memory (`failure`); or refused (`error`). */
export type AllocOutcome = { ok: true; block: LiveAllocation } | { ok: false; failure: string; error: string };

/** A run of statements as the page shows it; a run that did not happen has its
 *  error (FILE:LINE:COL) as its one failure. */
function runView(r: ScenarioResult): ScenarioRunView {
  const failures = r.failures.map((f) => ({ line: f.line, col: f.col, text: f.text }));
  // A run that did not happen has its error; one of statements that only
  // look (proc, expect...) ran but left no operation.
  if (!r.ran && failures.length === 0 && r.error) failures.push({ line: r.line, col: r.col, text: r.error });
  const ok = r.ok && (r.ran || !r.error);
  return { ran: r.ran, ok, output: r.output, passed: r.passed, failed: r.failed, failures };
}

/** What a thrown value says, for the page's message ("RuntimeError: Aborted()"). */
function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  // Emscripten throws a C++ exception as the number of its object.
  if (typeof e === 'number') return `an uncaught C++ exception (${e})`;
  return String(e);
}

/** The wasm instance stopped during engine call `op`; `detail` is what it threw. */
export class EngineCrash extends Error {
  constructor(
    readonly op: string,
    readonly detail: string,
  ) {
    super(`the engine stopped in ${op}: ${detail}`);
    this.name = 'EngineCrash';
  }
}

export class EngineClient {
  /** The event catalogue, names and constants: read once, never changes. */
  readonly catalogue: Catalog;
  /** Set once the instance has thrown: every call throws it until restart(). */
  private dead: EngineCrash | null = null;
  private readonly crashListeners: ((crash: EngineCrash) => void)[] = [];
  /** Whether boots record events: kept by reset() and restart(). */
  private readonly traceOn: boolean;

  private constructor(
    private readonly factory: CreateMmEngine,
    private module: MmEngineModule,
    private engine: Engine,
  ) {
    this.traceOn = this.use('trace', (e) => e.trace());
    this.catalogue = Catalog.parse(this.use('catalogue', (e) => e.catalogue()));
  }

  /**
   * The one door to the instance: runs `f` on it as engine call `op`. What
   * it throws kills the instance (see the top of this file): EngineCrash.
   */
  private use<T>(op: string, f: (engine: Engine) => T): T {
    if (this.dead) throw this.dead;
    try {
      return f(this.engine);
    } catch (e) {
      const crash = new EngineCrash(op, describe(e));
      this.dead = crash;
      for (const listener of this.crashListeners) listener(crash);
      throw crash;
    }
  }

  /** Hears the instance die, once per instance, while the call that killed it unwinds. */
  onCrash(listener: (crash: EngineCrash) => void): void {
    this.crashListeners.push(listener);
  }

  /** The crash that killed the instance; null while it lives. */
  get crashed(): EngineCrash | null {
    return this.dead;
  }

  /** Starts again on a fresh engine (no machine, an empty timeline); the catalogue stays. */
  reset(): void {
    this.engine = this.use('reset', (e) => {
      e.delete();
      return this.fresh(this.module);
    });
  }

  /**
   * A new instance of the module from the same factory (one that aborted
   * cannot run again) and a fresh engine on it with the same trace setting,
   * as reset() gives. Rejects, leaving the client dead, when that fails too.
   */
  async restart(): Promise<void> {
    const module = await this.factory();
    const engine = this.fresh(module);
    // The dead instance's memory goes with its module: no delete() on it.
    this.module = module;
    this.engine = engine;
    this.dead = null;
  }

  private fresh(module: MmEngineModule): Engine {
    const engine = new module.Engine();
    engine.setTrace(this.traceOn);
    return engine;
  }

  /**
   * Loads mm_wasm.js (and its .wasm) from the folder holding js/; in the
   * single-file offline page, whose inlined mm_wasm_single.js has already
   * defined the global factory `createMmEngine`, uses that instead (no request).
   */
  static async load(): Promise<EngineClient> {
    let factory = (globalThis as { createMmEngine?: CreateMmEngine }).createMmEngine;
    if (typeof factory !== 'function') {
      const url = new URL('../../mm_wasm.js', import.meta.url).href;
      factory = ((await import(url)) as { default: CreateMmEngine }).default;
    }
    const module: MmEngineModule = await factory();
    return new EngineClient(factory, module, new module.Engine());
  }

  /**
   * Runs one operation of the engine (names, arguments and results:
   * Operations in wasm/mm-engine.d.ts). Arguments the engine refuses come
   * back as `{ ok: false, error }`, never as a throw.
   */
  call<K extends OpName>(op: K, ...args: OpArgs<K>): OpResult<K> {
    return this.use(op, (e) => (e[op] as (...a: OpArgs<K>) => OpResult<K>).apply(e, args));
  }

  // --- Operations whose answers the page keeps in its own terms ---------------

  bootShorthand(spec: string): BootOutcome {
    const r = this.call('bootShorthand', spec);
    return r.ok ? { ok: true, machine: this.machine(spec) } : { ok: false, error: r.error };
  }

  bootDmesg(text: string, label: string): BootOutcome {
    const r = this.call('bootDmesg', text, label);
    return r.ok ? { ok: true, machine: this.machine(label) } : { ok: false, error: r.error };
  }

  allocPages(form: AllocForm): AllocOutcome {
    const r = this.call('allocPages', { gfp: form.gfp, order: form.order, cpu: form.cpu, node: form.node });
    if (!r.ok) return { ok: false, failure: r.failure, error: r.error };
    return { ok: true, block: { pfn: r.pfn, order: r.order, node: r.node, zone: r.zone, gfp: form.gfp } };
  }

  /** Runs a scenario; when it ran, `machine` is the machine it left (labelled `label`). */
  runScenario(text: string, label: string): { run: ScenarioRunView; machine: MachineView | null } {
    const run = runView(this.call('runScenario', text));
    return { run, machine: run.ran ? this.current(label) : null };
  }

  /** Statements on the running machine that remember their names (the command box). */
  runCommand(text: string): ScenarioRunView {
    return runView(this.call('runCommand', text));
  }

  /** The machine of shorthand `spec` booted as Linux 6.1 and as 6.12 (the running one untouched):
   *  every figure that differs, in the engine's order; or the engine's error (a bad shorthand). */
  compareKernels(spec: string): { ok: true; rows: KernelDiffRow[] } | { ok: false; error: string } {
    const r = this.call('compareKernels', spec);
    if (!r.ok) return { ok: false, error: r.error };
    const rows = parseDiffs(r.text);
    return rows ? { ok: true, rows } : { ok: false, error: 'compareKernels: the answer is not a list of differences' };
  }

  slabDetail(cache: string): CacheDetail | null {
    const r = this.call('slabDetail', cache);
    return r.ok ? (JSON.parse(r.text) as CacheDetail) : null;
  }

  // --- Lessons and quizzes (on machines of their own) -------------------------

  /** The shipped lessons, in course order. */
  lessons(): LessonInfo[] {
    return JSON.parse(this.use('lessons', (e) => e.lessons())) as LessonInfo[];
  }

  /** A shipped lesson's text, or the engine's error (an unknown id names the nearest). */
  lessonSource(id: string): { ok: true; text: string } | { ok: false; error: string } {
    const r = this.use('lessonSource', (e) => e.lessonSource(id));
    return r.ok ? { ok: true, text: r.text } : { ok: false, error: r.error };
  }

  /** A lesson text compiled by the engine: the lesson when every check passed, else every problem (FILE:LINE:COL). */
  compileLesson(text: string, source: string): { ok: true; lesson: CompiledLesson } | { ok: false; error: string } {
    const r = this.use('compileLesson', (e) => e.compileLesson(text, source));
    return r.ok ? { ok: true, lesson: JSON.parse(r.json) as CompiledLesson } : { ok: false, error: r.error };
  }

  quizTopics(): string[] {
    return this.use('quizTopics', (e) => e.quizTopics());
  }

  /** Seeded questions with the engine's answers, or the engine's error. */
  quiz(
    topic: string,
    seed: number,
    count: number,
    lang: 'en' | 'zh',
  ): { ok: true; questions: QuizQuestion[] } | { ok: false; error: string } {
    const r = this.use('quiz', (e) => e.quiz(topic, seed, count, lang));
    return r.ok ? { ok: true, questions: JSON.parse(r.text) as QuizQuestion[] } : { ok: false, error: r.error };
  }

  // --- Views: the machine at the cursor, the timeline -------------------------

  procNames(): string[] {
    return this.use('procNames', (e) => e.procNames());
  }

  /** The running machine again, after an operation changed it. */
  current(label: string): MachineView | null {
    return this.use('frameCount', (e) => e.frameCount()) > 0 ? this.machine(label) : null;
  }

  timeline(): TimelineOp[] {
    return this.use('timeline', (e) => e.timeline());
  }

  cursor(): Cursor {
    return this.use('cursor', (e) => e.cursor());
  }

  seekEnd(): void {
    this.use('seekEnd', (e) => e.seekEnd());
  }

  opEvents(op: number, start: number, count: number): MmEvent[] {
    return this.use('opEvents', (e) => e.opEvents(op, start, count));
  }

  opCrumbs(op: number, index: number): MmEvent[] {
    return this.use('opCrumbs', (e) => e.opCrumbs(op, index));
  }

  state(): MachineState | null {
    const s = JSON.parse(this.use('stateJson', (e) => e.stateJson())) as MachineState;
    return s.booted ? s : null;
  }

  /** Copies of the map's cells (one per frame up to 16 GiB, one per
   *  2^mapShift frames above) and the pageblock types (views would not
   *  survive the next engine call). */
  mapData(state: MachineState): MapData {
    const cells = this.use('mapCells', (e) => e.mapCells().slice());
    const pageblockMt = this.use('pageblockView', (e) => e.pageblockView().slice());
    return {
      cells,
      shift: state.mapShift,
      frames: state.frames,
      pageblockMt,
      zones: state.zones.map((z) => ({ node: z.node, name: z.name, startPfn: z.startPfn, spanned: z.spanned })),
      nodes: state.nodes.map((n) => ({ id: n.id, startPfn: n.startPfn, spanned: n.spanned })),
    };
  }

  /** A copy of frames [first, first + count) at the cursor, one cell byte
   *  each (a zoomed-in map of a large machine); empty beyond the machine or
   *  above 4194304 frames. */
  mapWindow(first: number, count: number): Uint8Array {
    return this.use('mapCellsRange', (e) => e.mapCellsRange(first, count).slice());
  }

  frameInfo(pfn: number): FrameInfo {
    return JSON.parse(this.use('frameInfoJson', (e) => e.frameInfoJson(pfn))) as FrameInfo;
  }

  freeBlocks(node: number, zone: number, order: number, mt: number, limit: number): number[] {
    return this.use('freeBlocks', (e) => e.freeBlocks(node, zone, order, mt, limit));
  }

  private machine(label: string): MachineView {
    return this.use('bootLog', (e) => ({
      label,
      bootLog: e.bootLog(),
      frameCount: e.frameCount(),
      eventCount: e.eventCount(),
    }));
  }
}
