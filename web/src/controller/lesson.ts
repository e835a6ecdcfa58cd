// The lessons panel's actions: it opens a lesson the engine compiled
// (Engine.compileLesson), builds a step's machine through the session's
// command path (the setup, then each step's statements, one command each:
// the same entries a link's do= would run, so the share link and undo work
// as for anything else), puts the player at the step's pause, applies the
// step's `show`, and takes the learner's answers. The quiz mode asks the
// engine for seeded questions. Every answer is the engine's: here they are
// only compared with what the learner gave.
//
// The learner may leave the path (use the panels, undo, boot another
// machine, step the player away): the panel then offers "Return to the
// lesson", which builds the step again (undoing only what differs).

import type { CompiledLesson } from '../../../wasm/mm-engine.js';
import {
  answerKey,
  lessonAnswerCorrect,
  loadProgress,
  onlyLooks,
  quizAnswerCorrect,
  resolveStep,
  saveProgress,
  sharedPrefix,
  stepAnswered,
  stepCommands,
  stepPlace,
  withProgress,
  type LessonNotice,
  type LessonOrigin,
  type LessonView,
  type QuizView,
} from '../model/lesson.js';
import { patch, type PageModel, type Tab } from '../model/page.js';
import type { MessageKey, Params } from '../words/i18n.js';
import type { Context } from './context.js';
import type { Cursor } from './cursor.js';
import type { Operations } from './operations.js';

/** What the embed tells its host about an answer (mm:quiz-result). */
export interface QuizResult {
  /** The lesson's id; null for a question of the quiz mode. */
  lesson: string | null;
  /** Lesson questions: "STEP.QUESTION", both from 1 ("1.2": the first step's second question); quiz: its number from 1. */
  question: string;
  answer: string;
  correct: boolean;
  /** The engine's answer. */
  expected: string;
  /** Lesson questions: the step, from 1. */
  step?: number;
  /** Quiz questions: the topic and seed. */
  topic?: string;
  seed?: number;
}

export interface LessonHost {
  /** A fresh engine (no machine, nothing on the timeline). */
  reset(): void;
  /** The cursor after `event` events of the session's newest statement. */
  seekInLast(event: number): boolean;
  storage: Storage | null;
}

const lessonNotice = (key: MessageKey, params: Params = {}, detail = ''): LessonNotice => ({ key, params, detail });

/** The page's tab for a step's `show VIEW` (docs/lessons.md lists the views). */
const SHOW_TABS: Readonly<Record<string, Tab>> = {
  zones: 'zones',
  buddy: 'zones',
  pcp: 'zones',
  zonelist: 'zones',
  memblock: 'log',
  log: 'log',
  proc: 'proc',
  slab: 'slab',
  tasks: 'tasks',
  oom: 'tasks',
};

export class LessonController {
  /** Shipped lessons compiled once (they never change in a page's life). */
  private readonly compiled = new Map<string, CompiledLesson>();
  /** The global step the player was put at for the step shown (-1: none). */
  private targetG = -1;
  private readonly resultListeners: ((r: QuizResult) => void)[] = [];
  private building: Promise<boolean> = Promise.resolve(true);

  constructor(
    private readonly ctx: Context,
    private readonly ops: Operations,
    private readonly cursor: Cursor,
    private readonly host: LessonHost,
  ) {
    // After every change: is the machine on screen still the step's?
    ctx.store.onChange((next, before) => {
      if (next.player !== before.player && next.lessons.lesson && !next.lessons.building)
        queueMicrotask(() => this.checkPath());
    });
  }

  private get model(): PageModel {
    return this.ctx.store.model;
  }

  private get view(): LessonView {
    return this.model.lessons;
  }

  private setView(changes: Partial<LessonView>): void {
    this.ctx.store.update((m) => patch(m, { lessons: { ...m.lessons, ...changes } }));
  }

  private setQuiz(changes: Partial<QuizView>): void {
    this.ctx.store.update((m) => patch(m, { quiz: { ...m.quiz, ...changes } }));
  }

  onResult(listener: (r: QuizResult) => void): void {
    this.resultListeners.push(listener);
  }

  /** Once the engine has loaded: the shipped lessons, the quiz topics, the visitor's progress. */
  init(): void {
    const engine = this.ctx.engine;
    if (!engine) return;
    const topics = engine.quizTopics();
    this.setView({ list: engine.lessons(), progress: loadProgress(this.host.storage) });
    this.setQuiz({
      topics,
      topic: topics.includes(this.model.quiz.topic) ? this.model.quiz.topic : (topics[0] ?? ''),
      seed: randomSeed(),
    });
  }

  // --- The panel ------------------------------------------------------------------

  toggle(): void {
    this.setView({ open: !this.view.open });
  }

  show(mode: LessonView['mode'] = this.view.mode): void {
    this.setView({ open: true, mode });
  }

  close(): void {
    this.setView({ open: false });
  }

  /** Back to the picker (the machine stays). */
  all(): void {
    this.targetG = -1;
    this.setView({ lesson: null, origin: null, error: null, offPath: false, away: false });
  }

  /** The lesson open and its step (from 1), for mm:state; null when none. */
  place(): { id: string; step: number; steps: number } | null {
    const l = this.view.lesson;
    return l ? { id: l.id, step: this.view.step + 1, steps: l.steps.length } : null;
  }

  // --- Opening ---------------------------------------------------------------------

  /** Compiles shipped lesson `id` (once). Null, with the panel's error set, when there is no such lesson. */
  private shipped(id: string): CompiledLesson | null {
    const engine = this.ctx.engine!;
    const have = this.compiled.get(id);
    if (have) return have;
    const src = engine.lessonSource(id);
    if (!src.ok) {
      this.setView({
        open: true,
        mode: 'lesson',
        lesson: null,
        error: lessonNotice('lessonUnknown', { id }, src.error),
      });
      return null;
    }
    const file = this.view.list.find((l) => l.id === id)?.file ?? `${id}.lesson`;
    const c = engine.compileLesson(src.text, file);
    if (!c.ok) {
      this.setView({ open: true, mode: 'lesson', lesson: null, error: lessonNotice('lessonBadText', {}, c.error) });
      return null;
    }
    this.compiled.set(id, c.lesson);
    return c.lesson;
  }

  /**
   * Opens shipped lesson `id` at `step` (a number from 1 or a step's name;
   * none: where the visitor last was). False, with the error shown, for an
   * unknown lesson or step, or a step that did not run.
   */
  async openLesson(id: string, step: string | null = null): Promise<boolean> {
    if (!this.ctx.engine) return false;
    const l = this.shipped(id);
    if (!l) return false;
    return this.openCompiled(l, { kind: 'shipped', id }, step ?? String((this.view.progress[id]?.step ?? 0) + 1));
  }

  /** Opens a teacher's lesson text (a link's lessontext=): compiled by the engine, its errors shown. */
  async openText(text: string, step: string | null = null): Promise<boolean> {
    const engine = this.ctx.engine;
    if (!engine) return false;
    const c = engine.compileLesson(text, 'lessontext');
    if (!c.ok) {
      this.setView({ open: true, mode: 'lesson', lesson: null, error: lessonNotice('lessonBadText', {}, c.error) });
      return false;
    }
    return this.openCompiled(c.lesson, { kind: 'text', text }, step ?? '1');
  }

  private async openCompiled(l: CompiledLesson, origin: LessonOrigin, step: string): Promise<boolean> {
    const k = resolveStep(l, step);
    const bad = typeof k === 'string';
    this.setView({
      open: true,
      mode: 'lesson',
      lesson: l,
      origin,
      answers: {},
      step: bad ? 0 : k,
      error: bad ? lessonNotice('lessonBadStep', {}, k) : null,
    });
    const built = await this.goTo(bad ? 0 : k, bad);
    return built && !bad;
  }

  // --- Steps -------------------------------------------------------------------------

  next(): Promise<boolean> {
    return this.goTo(this.view.step + 1);
  }

  prev(): Promise<boolean> {
    return this.goTo(this.view.step - 1);
  }

  /** Builds the step shown again: its machine, its pause, its view. */
  returnToLesson(): Promise<boolean> {
    return this.goTo(this.view.step, true);
  }

  /** Shows step `step` (clamped): its machine, the player at its pause, its `show`. Steps run one after another. */
  goTo(step: number, keepError = false): Promise<boolean> {
    this.building = this.building.catch(() => false).then(() => this.build(step, keepError));
    return this.building;
  }

  private async build(step: number, keepError: boolean): Promise<boolean> {
    const l = this.view.lesson;
    const engine = this.ctx.engine;
    if (!l || !engine) return false;
    const k = Math.max(0, Math.min(l.steps.length - 1, step));
    this.setView({ step: k, building: true, offPath: false, away: false, ...(keepError ? {} : { error: null }) });
    this.cursor.pause();
    // Let "Preparing step N…" paint before a long run.
    await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const ok = this.ensureMachine(l, k);
    if (ok) this.seekPlace(k);
    // Statements that only look (proc, expect) are no operation: run them for what they print.
    const looks = l.steps[k]!;
    const output = ok && onlyLooks(looks) ? engine.runCommand(looks.statements.join('\n')).output : '';
    this.setView({ output });
    this.applyShow(k);
    this.setView({ building: false });
    if (ok && this.view.origin?.kind === 'shipped') this.remember();
    return ok;
  }

  /** The session's commands made the machine of step k: undo what differs, run what is missing. */
  private ensureMachine(l: CompiledLesson, k: number): boolean {
    const engine = this.ctx.engine!;
    const session = this.ctx.session;
    const want = stepCommands(l, k).texts;
    // Work at the live end (a command run in the past would drop the rest).
    if (!engine.cursor().atEnd) this.cursor.seekGlobal(this.model.player.timeline.total, false);
    const have = () => session.entries.map((e) => (e.kind === 'command' ? e.text : null));
    let j = sharedPrefix(have(), want);
    if (j === 0) this.host.reset();
    while (session.entries.length > j) {
      const n = session.entries.length;
      this.ops.undo();
      if (session.entries.length >= n) {
        // The history let it go: start afresh.
        this.host.reset();
        j = 0;
        break;
      }
    }
    for (let i = j; i < want.length; i++) {
      const run = this.ops.lessonCommand(want[i]!);
      if (!run.ran) {
        const detail = run.failures.map((f) => f.text).join('\n');
        this.setView({ error: lessonNotice('lessonFailed', { n: k + 1 }, detail) });
        return false;
      }
    }
    return true;
  }

  /** The player at step k's pause (stepPlace), remembered to tell when the learner steps away. */
  private seekPlace(k: number): void {
    const l = this.view.lesson!;
    const place = stepPlace(this.view, k);
    const own = stepCommands(l, k).own;
    if (place === 'end' || !own) this.cursor.seekGlobal(this.model.player.timeline.total, false);
    else this.host.seekInLast(place);
    this.targetG = this.model.player.g;
  }

  private applyShow(k: number): void {
    const show = this.view.lesson?.steps[k]?.show;
    if (!show) return;
    const tab = SHOW_TABS[show.view];
    // `show proc file=NAME` names the /proc file (the engine checks the name).
    const proc = tab === 'proc' && show['file'] && this.model.procNames.includes(show['file']) ? show['file'] : null;
    if (!tab) return; // `map`: the map is always beside the lesson
    this.ops.selectTab(tab);
    if (proc) this.ops.showProc(proc);
    if (tab === 'slab' && show['cache']) this.ops.selectCache(show['cache']);
  }

  /** After a change: still on the step's machine, at its pause? */
  private checkPath(): void {
    const v = this.view;
    const l = v.lesson;
    if (!l || v.building) return;
    const want = stepCommands(l, v.step).texts;
    const entries = this.ctx.session.entries;
    const offPath =
      entries.length !== want.length ||
      sharedPrefix(
        entries.map((e) => (e.kind === 'command' ? e.text : null)),
        want,
      ) !== want.length;
    const away = !offPath && this.targetG >= 0 && this.model.player.g !== this.targetG;
    if (offPath !== v.offPath || away !== v.away) this.setView({ offPath, away });
  }

  private remember(): void {
    const v = this.view;
    const l = v.lesson;
    if (!l) return;
    const progress = withProgress(v.progress, l.id, v.step, stepAnswered(v, v.step));
    saveProgress(this.host.storage, progress);
    this.setView({ progress });
  }

  // --- Answers -----------------------------------------------------------------------

  /** The learner's answer to question q of the step shown: compared with the engine's, then revealed. */
  answer(q: number, given: string): void {
    const v = this.view;
    const l = v.lesson;
    const question = l?.steps[v.step]?.questions[q];
    if (!l || !question || v.answers[answerKey(v.step, q)] || v.building || given.trim() === '') return;
    const before = stepPlace(v, v.step);
    const correct = lessonAnswerCorrect(question, given);
    this.setView({ answers: { ...v.answers, [answerKey(v.step, q)]: { given, correct } } });
    // A step that asked before running: the reveal shows what its statements did.
    if (before === 0 && stepPlace(this.view, v.step) === 'end') this.seekPlace(v.step);
    if (v.origin?.kind === 'shipped') this.remember();
    const r: QuizResult = {
      lesson: l.id,
      question: `${v.step + 1}.${q + 1}`,
      answer: given,
      correct,
      expected: question.answer,
      step: v.step + 1,
    };
    for (const f of this.resultListeners) f(r);
  }

  // --- The quiz mode -------------------------------------------------------------------

  /** Asks the engine for `count` questions of `topic` with `seed` (in both languages: switching keeps them). */
  startQuiz(topic: string, seed: number, count: number): boolean {
    const engine = this.ctx.engine;
    if (!engine) return false;
    const en = engine.quiz(topic, seed, count, 'en');
    const zh = en.ok ? engine.quiz(topic, seed, count, 'zh') : en;
    if (!en.ok || !zh.ok) {
      const error = !en.ok ? en.error : !zh.ok ? zh.error : '';
      this.setQuiz({ topic, seed, count, questions: null, answers: {}, error: lessonNotice('quizFailed', {}, error) });
      return false;
    }
    this.setQuiz({ topic, seed, count, questions: { en: en.questions, zh: zh.questions }, answers: {}, error: null });
    return true;
  }

  newSeed(): void {
    this.setQuiz({ seed: randomSeed() });
  }

  quizAnswer(i: number, given: string): void {
    const v = this.model.quiz;
    const q = v.questions?.en[i];
    if (!q || v.answers[i] || given.trim() === '') return;
    const correct = quizAnswerCorrect(q, given);
    this.setQuiz({ answers: { ...v.answers, [i]: { given, correct } } });
    const r: QuizResult = {
      lesson: null,
      question: String(i + 1),
      answer: given,
      correct,
      expected: q.answer,
      topic: v.topic,
      seed: v.seed,
    };
    for (const f of this.resultListeners) f(r);
  }
}

/** A fresh seed for the quiz (shown and editable: the same seed gives the same questions). */
function randomSeed(): number {
  return Math.floor(Math.random() * 1_000_000);
}
