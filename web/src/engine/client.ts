// The page's only door to the WebAssembly engine (contract: wasm/mm-engine.d.ts).
// It loads the ES6 module built by the wasm preset. Every operation goes
// through call(op, ...args), typed by the d.ts's Operations map (one entry per
// row of wasm/bindings.cpp's table); a few answers are turned into the model's
// plain types here (a boot's machine, an allocation's block, a scenario's run),
// and the views (reads that cannot fail) are passed through.

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

export class EngineClient {
  /** The event catalogue, names and constants: read once, never changes. */
  readonly catalogue: Catalog;

  private constructor(
    private readonly module: MmEngineModule,
    private engine: Engine,
  ) {
    this.catalogue = Catalog.parse(engine.catalogue());
  }

  /** Starts again on a fresh engine (no machine, an empty timeline); the catalogue stays. */
  reset(): void {
    const trace = this.engine.trace();
    this.engine.delete();
    this.engine = new this.module.Engine();
    this.engine.setTrace(trace);
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
    return new EngineClient(module, new module.Engine());
  }

  /**
   * Runs one operation of the engine (names, arguments and results:
   * Operations in wasm/mm-engine.d.ts). Arguments the engine refuses come
   * back as `{ ok: false, error }`, never as a throw.
   */
  call<K extends OpName>(op: K, ...args: OpArgs<K>): OpResult<K> {
    const method = this.engine[op] as (...a: OpArgs<K>) => OpResult<K>;
    return method.apply(this.engine, args);
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

  slabDetail(cache: string): CacheDetail | null {
    const r = this.call('slabDetail', cache);
    return r.ok ? (JSON.parse(r.text) as CacheDetail) : null;
  }

  // --- Lessons and quizzes (on machines of their own) -------------------------

  /** The shipped lessons, in course order. */
  lessons(): LessonInfo[] {
    return JSON.parse(this.engine.lessons()) as LessonInfo[];
  }

  /** A shipped lesson's text, or the engine's error (an unknown id names the nearest). */
  lessonSource(id: string): { ok: true; text: string } | { ok: false; error: string } {
    const r = this.engine.lessonSource(id);
    return r.ok ? { ok: true, text: r.text } : { ok: false, error: r.error };
  }

  /** A lesson text compiled by the engine: the lesson when every check passed, else every problem (FILE:LINE:COL). */
  compileLesson(text: string, source: string): { ok: true; lesson: CompiledLesson } | { ok: false; error: string } {
    const r = this.engine.compileLesson(text, source);
    return r.ok ? { ok: true, lesson: JSON.parse(r.json) as CompiledLesson } : { ok: false, error: r.error };
  }

  quizTopics(): string[] {
    return this.engine.quizTopics();
  }

  /** Seeded questions with the engine's answers, or the engine's error. */
  quiz(
    topic: string,
    seed: number,
    count: number,
    lang: 'en' | 'zh',
  ): { ok: true; questions: QuizQuestion[] } | { ok: false; error: string } {
    const r = this.engine.quiz(topic, seed, count, lang);
    return r.ok ? { ok: true, questions: JSON.parse(r.text) as QuizQuestion[] } : { ok: false, error: r.error };
  }

  // --- Views: the machine at the cursor, the timeline -------------------------

  procNames(): string[] {
    return this.engine.procNames();
  }

  /** The running machine again, after an operation changed it. */
  current(label: string): MachineView | null {
    return this.engine.frameCount() > 0 ? this.machine(label) : null;
  }

  timeline(): TimelineOp[] {
    return this.engine.timeline();
  }

  cursor(): Cursor {
    return this.engine.cursor();
  }

  seekEnd(): void {
    this.engine.seekEnd();
  }

  opEvents(op: number, start: number, count: number): MmEvent[] {
    return this.engine.opEvents(op, start, count);
  }

  opCrumbs(op: number, index: number): MmEvent[] {
    return this.engine.opCrumbs(op, index);
  }

  state(): MachineState | null {
    const s = JSON.parse(this.engine.stateJson()) as MachineState;
    return s.booted ? s : null;
  }

  /** Copies of the per-frame cells and pageblock types (views would not
   *  survive the next engine call). */
  mapData(state: MachineState): MapData {
    const cells = this.engine.mapCells().slice();
    const pageblockMt = this.engine.pageblockView().slice();
    return {
      cells,
      pageblockMt,
      zones: state.zones.map((z) => ({ node: z.node, name: z.name, startPfn: z.startPfn, spanned: z.spanned })),
      nodes: state.nodes.map((n) => ({ id: n.id, startPfn: n.startPfn, spanned: n.spanned })),
    };
  }

  frameInfo(pfn: number): FrameInfo {
    return JSON.parse(this.engine.frameInfoJson(pfn)) as FrameInfo;
  }

  freeBlocks(node: number, zone: number, order: number, mt: number, limit: number): number[] {
    return this.engine.freeBlocks(node, zone, order, mt, limit);
  }

  private machine(label: string): MachineView {
    return {
      label,
      bootLog: this.engine.bootLog(),
      frameCount: this.engine.frameCount(),
      eventCount: this.engine.eventCount(),
    };
  }
}
