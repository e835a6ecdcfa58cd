// Lessons and quizzes as the page shows them: plain data and pure functions
// (no DOM, no engine). The engine compiles a lesson (Engine.compileLesson:
// docs/lessons.md, "The compiled lesson") and makes quizzes (Engine.quiz);
// every answer is the engine's. Here: which statements build a step's
// machine, where the player pauses, whether an answer given matches the
// engine's, the learner's progress, and the URL's lesson step.

import type { CompiledLesson, LessonInfo, LessonQuestion, LessonStep, QuizQuestion } from '../../../wasm/mm-engine.js';
import type { Lang, MessageKey, Params } from '../words/i18n.js';

/** A sentence of the page's words table with the engine's text (an error's FILE:LINE:COL lines). */
export interface LessonNotice {
  key: MessageKey;
  params: Params;
  detail: string;
}

/** An answer the learner gave, and whether it is the engine's. */
export interface GivenAnswer {
  given: string;
  correct: boolean;
}

/** Where the lesson open came from: a shipped lesson, or a teacher's text in a link (lessontext=). */
export type LessonOrigin = { kind: 'shipped'; id: string } | { kind: 'text'; text: string };

export interface LessonView {
  /** The panel is shown (key `l`, the Lessons button, a link's lesson=). */
  open: boolean;
  /** Lessons or quizzes. */
  mode: 'lesson' | 'quiz';
  /** The shipped lessons (Engine.lessons()). */
  list: readonly LessonInfo[];
  /** The lesson open; null: the picker. */
  lesson: CompiledLesson | null;
  origin: LessonOrigin | null;
  /** The step shown, 0-based. */
  step: number;
  /** Answers given, by answerKey(step, question). */
  answers: Readonly<Record<string, GivenAnswer>>;
  /** The machine on screen is no longer the step's (the learner used the panels): "Return to the lesson". */
  offPath: boolean;
  /** On the path, but the player is no longer at the step's pause. */
  away: boolean;
  /** A step's machine is being built. */
  building: boolean;
  /** What the step's statements printed when they only look (`proc tasks`); "" otherwise. */
  output: string;
  /** What went wrong: a bad id or step, a malformed text (with the engine's lines), a step that did not run. */
  error: LessonNotice | null;
  /** Shipped lessons' progress (localStorage). */
  progress: Readonly<Record<string, Progress>>;
}

export interface QuizView {
  topics: readonly string[];
  topic: string;
  seed: number;
  count: number;
  /** The questions in both languages (the same seed gives the same questions; the engine words each). */
  questions: Readonly<Record<Lang, readonly QuizQuestion[]>> | null;
  answers: Readonly<Record<number, GivenAnswer>>;
  error: LessonNotice | null;
}

export function initialLessonView(): LessonView {
  return {
    open: false,
    mode: 'lesson',
    list: [],
    lesson: null,
    origin: null,
    step: 0,
    answers: {},
    offPath: false,
    away: false,
    output: '',
    building: false,
    error: null,
    progress: {},
  };
}

export function initialQuizView(): QuizView {
  return { topics: [], topic: 'buddy', seed: 1, count: 5, questions: null, answers: {}, error: null };
}

export const answerKey = (step: number, question: number): string => `${step}.${question}`;

/** Spaces do not count when comparing ("9, 8" is "9,8"), as the engine compares choices. */
const squash = (s: string): string => s.replace(/\s+/g, '');

/** Whether `given` is the engine's answer to a lesson question (a choice's text, or a number). */
export function lessonAnswerCorrect(q: LessonQuestion, given: string): boolean {
  if (q.kind === 'choice') return q.correct !== undefined && q.correct >= 0 && q.choices[q.correct] === given;
  const n = Number(given.trim());
  return given.trim() !== '' && Number.isFinite(n) && q.number !== undefined && n === q.number;
}

/** Whether `given` is the engine's answer to a quiz question (a choice, a number or a list). */
export function quizAnswerCorrect(q: QuizQuestion, given: string): boolean {
  const g = squash(given);
  return g !== '' && g.toLowerCase() === squash(q.answer).toLowerCase();
}

/** Right answers of a quiz, and how many were answered. */
export function quizScore(v: QuizView): { right: number; answered: number; total: number } {
  const given = Object.values(v.answers);
  return {
    right: given.filter((a) => a.correct).length,
    answered: given.length,
    total: v.questions?.en.length ?? 0,
  };
}

/** A step whose statements only look (`proc`, `expect`, `echo`): they record no event and change nothing. */
export function onlyLooks(s: LessonStep): boolean {
  return s.statements.length > 0 && s.events === 0;
}

/**
 * The command texts that build step `step`'s machine, in order: the setup
 * (one command: its first statement boots), then each step's statements up
 * to this one (steps without statements, or whose statements only look,
 * change nothing). `own` is true when the last text is this step's.
 */
export function stepCommands(l: CompiledLesson, step: number): { texts: string[]; own: boolean } {
  const texts: string[] = [];
  if (l.setup.length > 0) texts.push(l.setup.join('\n'));
  let own = false;
  for (let i = 0; i <= Math.min(step, l.steps.length - 1); i++) {
    const s = l.steps[i]!;
    own = s.statements.length > 0 && !onlyLooks(s);
    if (own) texts.push(s.statements.join('\n'));
  }
  return { texts, own };
}

/** How many texts at the start of `have` are the first of `want` (the session's command texts). */
export function sharedPrefix(have: readonly (string | null)[], want: readonly string[]): number {
  let i = 0;
  while (i < have.length && i < want.length && have[i] === want[i]) i++;
  return i;
}

/** Whether every question of the step has an answer. */
export function stepAnswered(v: LessonView, step: number): boolean {
  const s = v.lesson?.steps[step];
  if (!s) return false;
  return s.questions.every((_, q) => v.answers[answerKey(step, q)] !== undefined);
}

/**
 * Where the player stands for a step, among the events of the step's own
 * command: 'end' (after all of them) or an event count (the cursor shows the
 * state after that many: the stop event e is shown at e + 1). A step with a
 * stop pauses there; one without a stop but with questions asks them before
 * its statements run (at 0) and shows the end once they are answered.
 */
export function stepPlace(v: LessonView, step: number): number | 'end' {
  const s = v.lesson?.steps[step];
  if (!s || s.statements.length === 0 || onlyLooks(s)) return 'end';
  if (s.stop !== '' && s.stop.event >= 0) return s.stop.event + 1;
  if (s.questions.length > 0 && !stepAnswered(v, step)) return 0;
  return 'end';
}

/**
 * A step as a link or an attribute names it: its number from 1, or its
 * name. The 0-based index, or why not (in plain words, like the URL's other
 * problems).
 */
export function resolveStep(l: CompiledLesson, given: string): number | string {
  const t = given.trim();
  const n = l.steps.length;
  if (/^\d+$/.test(t)) {
    const k = Number(t);
    if (k >= 1 && k <= n) return k - 1;
    return `step=${t}: lesson ${l.id} has steps 1 to ${n}`;
  }
  const byName = l.steps.findIndex((s) => s.name !== '' && s.name === t);
  if (byName >= 0) return byName;
  const names = l.steps.map((s) => s.name).filter((s) => s !== '');
  return `step=${t}: lesson ${l.id} has no such step (a number from 1 to ${n}${names.length ? ` or ${names.join(', ')}` : ''})`;
}

// --- Progress (the visitor's, in localStorage) --------------------------------------

export interface Progress {
  /** The step last shown, 0-based. */
  step: number;
  /** Steps whose questions were all answered. */
  done: readonly number[];
}

const PROGRESS_KEY = 'mm-playground.lessons';

export function loadProgress(storage: Storage | null): Record<string, Progress> {
  try {
    const raw = storage?.getItem(PROGRESS_KEY);
    if (!raw) return {};
    const data = JSON.parse(raw) as unknown;
    if (typeof data !== 'object' || data === null) return {};
    const out: Record<string, Progress> = {};
    for (const [id, p] of Object.entries(data as Record<string, unknown>)) {
      const q = p as { step?: unknown; done?: unknown };
      if (!Number.isInteger(q.step) || !Array.isArray(q.done)) continue;
      out[id] = { step: q.step as number, done: (q.done as unknown[]).filter((d): d is number => Number.isInteger(d)) };
    }
    return out;
  } catch {
    return {};
  }
}

export function saveProgress(storage: Storage | null, progress: Readonly<Record<string, Progress>>): void {
  try {
    storage?.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // A full or forbidden storage loses the progress, nothing else.
  }
}

/** The progress after showing `step` of lesson `id` (and, when all its questions are answered, marking it done). */
export function withProgress(
  progress: Readonly<Record<string, Progress>>,
  id: string,
  step: number,
  answered: boolean,
): Record<string, Progress> {
  const before = progress[id] ?? { step: 0, done: [] };
  const done = answered && !before.done.includes(step) ? [...before.done, step].sort((a, b) => a - b) : before.done;
  return { ...progress, [id]: { step, done } };
}
