// The lesson model (web/src/model/lesson.ts), on lessons the engine
// compiled (the node build of the wasm): which commands build a step, where
// the player pauses, answers compared with the engine's, steps as links name
// them, and the visitor's progress. No browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newEngine, page } from './support.mjs';

let L;
let engine;
let buddy;
let pcp;
before(async () => {
  L = await page('model/lesson.js');
  engine = await newEngine();
  const compile = (id) => JSON.parse(engine.compileLesson(engine.lessonSource(id).text, id).json);
  buddy = compile('buddy');
  pcp = compile('pcp');
});
after(() => engine?.delete());

const view = (lesson, changes = {}) => ({ ...L.initialLessonView(), lesson, ...changes });

test("stepCommands: the setup as one command, then each step's statements up to the step", () => {
  const first = L.stepCommands(buddy, 0);
  assert.equal(first.texts.length, 2);
  assert.equal(first.texts[0], buddy.setup.join('\n'));
  assert.match(first.texts[0], /^machine ram=128M cpus=1\n/);
  assert.equal(first.texts[1], buddy.steps[0].statements.join('\n'));
  assert.equal(first.own, true);
  const second = L.stepCommands(buddy, 1);
  assert.deepEqual(second.texts.slice(0, 2), first.texts, 'a later step extends the earlier one');
  assert.equal(second.texts[2], 'free big');
  // Clamped to the last step.
  assert.deepEqual(L.stepCommands(buddy, 99).texts, L.stepCommands(buddy, buddy.steps.length - 1).texts);
  // A lesson whose first step boots (memblock): no setup command.
  const memblock = JSON.parse(engine.compileLesson(engine.lessonSource('memblock').text, 'm').json);
  assert.deepEqual(memblock.setup, []);
  assert.match(L.stepCommands(memblock, 0).texts[0], /^machine ram=1G/);
});

test("sharedPrefix: how much of the session is already the step's", () => {
  const want = ['a', 'b', 'c'];
  assert.equal(L.sharedPrefix([], want), 0);
  assert.equal(L.sharedPrefix(['a', 'b'], want), 2);
  assert.equal(L.sharedPrefix(['a', 'x', 'c'], want), 1);
  assert.equal(L.sharedPrefix([null, 'a'], want), 0, 'a boot entry is not a command');
  assert.equal(L.sharedPrefix(['a', 'b', 'c', 'd'], want), 3);
});

test('stepPlace: at the stop event (shown at stop.event + 1); before the statements when a step asks without a stop', () => {
  const split = buddy.steps[0];
  assert.equal(split.stop.code, 'expand_split');
  assert.equal(L.stepPlace(view(buddy), 0), split.stop.event + 1);
  // pcp step 2 ("more") has no stop and a question: asked first, at 0; its end once answered.
  const more = pcp.steps[1];
  assert.equal(more.stop, '');
  assert.ok(more.questions.length > 0);
  assert.equal(L.stepPlace(view(pcp, { step: 1 }), 1), 0);
  const answered = view(pcp, { step: 1, answers: { [L.answerKey(1, 0)]: { given: '1', correct: false } } });
  assert.equal(L.stepAnswered(answered, 1), true);
  assert.equal(L.stepPlace(answered, 1), 'end');
  assert.equal(L.stepAnswered(view(pcp), 0), false);
});

test("answers are compared with the engine's: a choice by its text, a number by value", () => {
  const [orderQ, halvesQ] = buddy.steps[0].questions;
  assert.equal(orderQ.kind, 'number');
  assert.equal(L.lessonAnswerCorrect(orderQ, String(orderQ.number)), true);
  assert.equal(L.lessonAnswerCorrect(orderQ, ` ${orderQ.number} `), true);
  assert.equal(L.lessonAnswerCorrect(orderQ, String(orderQ.number + 1)), false);
  assert.equal(L.lessonAnswerCorrect(orderQ, ''), false);
  assert.equal(L.lessonAnswerCorrect(orderQ, 'ten'), false);
  assert.equal(halvesQ.kind, 'choice');
  assert.equal(L.lessonAnswerCorrect(halvesQ, halvesQ.choices[halvesQ.correct]), true);
  for (const [k, c] of halvesQ.choices.entries())
    if (k !== halvesQ.correct) assert.equal(L.lessonAnswerCorrect(halvesQ, c), false, c);
});

test("quiz answers and the score: the engine's answer, spaces and case aside", () => {
  const qs = JSON.parse(engine.quiz('buddy', 7, 3, 'en').text);
  assert.equal(L.quizAnswerCorrect(qs[0], qs[0].answer), true);
  assert.equal(L.quizAnswerCorrect(qs[0], ` ${qs[0].answer} `), true);
  assert.equal(
    L.quizAnswerCorrect(
      qs[0],
      qs[0].choices.find((c) => c !== qs[0].answer),
    ),
    false,
  );
  assert.equal(L.quizAnswerCorrect(qs[0], ''), false);
  const v = {
    ...L.initialQuizView(),
    questions: { en: qs, zh: qs },
    answers: { 0: { given: 'x', correct: true }, 2: { given: 'y', correct: false } },
  };
  assert.deepEqual(L.quizScore(v), { right: 1, answered: 2, total: 3 });
});

test("resolveStep: a number from 1 or a step's name; anything else says what the lesson has", () => {
  assert.equal(L.resolveStep(buddy, '1'), 0);
  assert.equal(L.resolveStep(buddy, String(buddy.steps.length)), buddy.steps.length - 1);
  assert.equal(L.resolveStep(buddy, 'merge'), 1);
  assert.match(L.resolveStep(buddy, '0'), /^step=0: lesson buddy has steps 1 to \d+$/);
  assert.match(L.resolveStep(buddy, '99'), /^step=99: lesson buddy has steps 1 to \d+$/);
  assert.match(
    L.resolveStep(buddy, 'nope'),
    /^step=nope: lesson buddy has no such step \(a number from 1 to \d+ or split, merge/,
  );
});

test('progress: remembered per lesson, steps done once all their questions are answered, bad storage ignored', () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  assert.deepEqual(L.loadProgress(storage), {});
  let p = L.withProgress({}, 'buddy', 0, false);
  p = L.withProgress(p, 'buddy', 1, true);
  p = L.withProgress(p, 'pcp', 2, true);
  L.saveProgress(storage, p);
  assert.deepEqual(L.loadProgress(storage), { buddy: { step: 1, done: [1] }, pcp: { step: 2, done: [2] } });
  assert.deepEqual(L.withProgress(p, 'buddy', 1, true).buddy.done, [1], 'no step twice');
  store.set('mm-playground.lessons', '{not json');
  assert.deepEqual(L.loadProgress(storage), {});
  store.set('mm-playground.lessons', JSON.stringify({ a: { step: 'x', done: [] }, b: { step: 1, done: [0, 'q'] } }));
  assert.deepEqual(L.loadProgress(storage), { b: { step: 1, done: [0] } });
  assert.deepEqual(L.loadProgress(null), {});
  const throwing = {
    getItem: () => {
      throw new Error('denied');
    },
    setItem: () => {
      throw new Error('denied');
    },
  };
  assert.deepEqual(L.loadProgress(throwing), {});
  L.saveProgress(throwing, p); // does not throw
});
