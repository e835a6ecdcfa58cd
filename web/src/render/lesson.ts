// The lessons panel (#lesson, above the views, beside the map): the picker,
// a lesson's step (its text, what it runs, where the player paused, its
// questions before and after the reveal) and the quiz mode. It only reads
// the model (model/lesson.ts) and writes the DOM; the controller hears the
// clicks through the data-act attributes (controller/lesson.ts).
//
// The panel is rebuilt only when the lesson part of the model or the
// language changes, so the player moving never disturbs a half-typed answer.

import type { LessonQuestion, QuizQuestion } from '../../../wasm/mm-engine.js';
import {
  answerKey,
  quizScore,
  stepAnswered,
  stepPlace,
  type GivenAnswer,
  type LessonNotice,
  type LessonView,
  type QuizView,
} from '../model/lesson.js';
import type { PageModel } from '../model/page.js';
import { t, type Lang, type MessageKey, type Params } from '../words/i18n.js';
import type { Dom } from './dom.js';

let shown: { lessons: LessonView; quiz: QuizView; lang: Lang } | null = null;

export function renderLesson(m: PageModel, dom: Dom): void {
  const v = m.lessons;
  dom.lessonsButton.setAttribute('aria-expanded', String(v.open));
  dom.lessonsButton.title = t(m.lang, 'lessonsButtonTitle');
  dom.lessonsButton.setAttribute('aria-label', t(m.lang, 'lessonsButton'));
  dom.root.dataset['lesson'] = v.open ? 'open' : '';
  dom.lesson.hidden = !v.open;
  if (shown && shown.lessons === v && shown.quiz === m.quiz && shown.lang === m.lang) return;
  shown = { lessons: v, quiz: m.quiz, lang: m.lang };
  if (!v.open) return;
  const focusedAct = (document.activeElement as HTMLElement | null)?.closest?.('#lesson')
    ? actKey(document.activeElement as HTMLElement)
    : null;
  const say = (key: MessageKey, params: Params = {}) => t(m.lang, key, params);
  const body = v.mode === 'quiz' ? quizBody(m.quiz, m.lang, say) : lessonBody(v, m.lang, say);
  dom.lesson.replaceChildren(head(v, say), ...body);
  // Keep the keyboard where it was (the panel was rebuilt).
  if (focusedAct) dom.lesson.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedAct)}"]`)?.focus();
}

type Say = (key: MessageKey, params?: Params) => string;

function actKey(el: HTMLElement): string | null {
  return el.dataset['key'] ?? null;
}

function h<K extends keyof HTMLElementTagNameMap>(
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

function button(act: string, text: string, extra: Record<string, string> = {}): HTMLButtonElement {
  const key = [act, ...Object.values(extra)].join(':');
  return h('button', { type: 'button', 'data-act': act, 'data-key': key, ...extra }, text);
}

/** A text of the lesson: paragraphs where the file started one. */
function paragraphs(text: string, cls = ''): HTMLElement[] {
  return text
    .split(/\n+/)
    .filter((p) => p.trim() !== '')
    .map((p) => h('p', cls ? { class: cls } : {}, p));
}

function head(v: LessonView, say: Say): HTMLElement {
  const modes = h(
    'div',
    { class: 'lesson-modes', role: 'group' },
    button('mode', say('lessonModeLessons'), { 'data-mode': 'lesson', 'aria-pressed': String(v.mode === 'lesson') }),
    button('mode', say('lessonModeQuiz'), { 'data-mode': 'quiz', 'aria-pressed': String(v.mode === 'quiz') }),
  );
  const close = button('close', '×', { class: 'dismiss', 'aria-label': say('dismiss'), title: say('dismiss') });
  return h('div', { class: 'lesson-head' }, modes, close);
}

function errorBox(n: LessonNotice | null, say: Say): HTMLElement[] {
  if (!n) return [];
  const box = h('div', { class: 'lesson-error', role: 'alert' }, h('p', {}, say(n.key, n.params)));
  if (n.detail) box.append(h('pre', {}, n.detail));
  return [box];
}

// --- Lessons ---------------------------------------------------------------------------

function lessonBody(v: LessonView, lang: Lang, say: Say): HTMLElement[] {
  if (!v.lesson) return [...errorBox(v.error, say), picker(v, lang, say)];
  const l = v.lesson;
  const s = l.steps[v.step]!;
  const out: HTMLElement[] = [];
  out.push(h('h3', { class: 'lesson-title' }, l.title[lang]));
  const nav = h(
    'div',
    { class: 'lesson-nav' },
    button('all', say('lessonAll'), { class: 'secondary' }),
    h('span', { class: 'lesson-count' }, say('lessonStepOf', { n: v.step + 1, steps: l.steps.length })),
    button('prev', say('lessonPrev'), { class: 'secondary' }),
    button('next', say('lessonNext')),
  );
  const [, , prev, next] = nav.children as unknown as HTMLButtonElement[];
  prev!.disabled = v.step === 0 || v.building;
  next!.disabled = v.step >= l.steps.length - 1 || v.building;
  out.push(nav);
  out.push(...errorBox(v.error, say));
  if (v.offPath) {
    out.push(
      h(
        'div',
        { class: 'lesson-offpath', role: 'status' },
        h('p', {}, say('lessonOffPath', { n: v.step + 1 })),
        button('return', say('lessonReturn')),
      ),
    );
  } else if (v.away && !v.building)
    out.push(h('div', { class: 'lesson-offpath away' }, button('return', say('lessonReturn'), { class: 'secondary' })));
  if (v.building) out.push(h('p', { class: 'help', role: 'status' }, say('lessonBuilding', { n: v.step + 1 })));
  if (v.step === 0) {
    out.push(h('div', { class: 'lesson-intro' }, ...paragraphs(l.intro[lang])));
    if (l.linux61[lang])
      out.push(
        h('details', { class: 'lesson-61' }, h('summary', {}, say('lessonLinux61')), ...paragraphs(l.linux61[lang])),
      );
    if (l.linux612?.[lang])
      out.push(
        h(
          'details',
          { class: 'lesson-61 lesson-612' },
          h('summary', {}, say('lessonLinux612')),
          ...paragraphs(l.linux612[lang]),
        ),
      );
  }
  const stepText = h('div', { class: 'lesson-text' }, ...paragraphs(s.text[lang]));
  if (s.name) stepText.dataset['step'] = s.name;
  out.push(stepText);
  if (s.statements.length > 0)
    out.push(
      h(
        'div',
        { class: 'lesson-runs' },
        h('span', { class: 'help' }, say('lessonRuns')),
        h('pre', { class: 'text' }, s.statements.join('\n')),
        ...(v.output ? [h('pre', { class: 'text lesson-output' }, v.output.trimEnd())] : []),
      ),
    );
  const place = stepPlace(v, v.step);
  if (!v.offPath && !v.building) {
    if (s.stop !== '' && s.stop.event >= 0)
      out.push(
        h('p', { class: 'lesson-stop help' }, say('lessonPausedAt', { code: s.stop.code, event: s.stop.event + 1 })),
      );
    else if (place === 0) out.push(h('p', { class: 'lesson-stop help' }, say('lessonBeforeRun')));
  }
  s.questions.forEach((q, i) => out.push(question(q, i, v.answers[answerKey(v.step, i)] ?? null, lang, say)));
  if (stepAnswered(v, v.step) && v.step < l.steps.length - 1 && s.questions.length > 0)
    out.push(h('div', { class: 'lesson-nav end' }, button('next', say('lessonNext'), { 'data-where': 'end' })));
  return out;
}

function picker(v: LessonView, lang: Lang, say: Say): HTMLElement {
  const list = h('ol', { class: 'lesson-list' });
  for (const l of v.list) {
    const p = v.progress[l.id];
    const status =
      p && p.done.length >= l.steps
        ? say('lessonDoneAll')
        : p
          ? say('lessonProgress', { step: p.step + 1, steps: l.steps })
          : say('lessonSteps', { steps: l.steps, questions: l.questions });
    list.append(
      h(
        'li',
        {},
        button('pick', l.title[lang], { 'data-id': l.id, class: 'link' }),
        h('span', { class: 'help' }, ` ${status}`),
      ),
    );
  }
  return h(
    'div',
    { class: 'lesson-picker' },
    h('h3', {}, say('lessonPickTitle')),
    h('p', { class: 'help' }, say('lessonPickHelp')),
    list,
  );
}

/** Question `i`'s choices as buttons; once answered they are disabled, the
 *  right one (`isRight`, from the engine's answer) and a wrong pick marked. */
function choiceButtons(
  act: string,
  choices: readonly string[],
  i: number,
  a: GivenAnswer | null,
  isRight: (choice: string, k: number) => boolean,
): HTMLElement {
  const group = h('div', { class: 'choices', role: 'group' });
  choices.forEach((c, k) => {
    const b = button(act, c, { 'data-q': String(i), 'data-value': c });
    if (a) {
      b.disabled = true;
      if (isRight(c, k)) b.classList.add('right');
      if (a.given === c && !a.correct) b.classList.add('wrong');
    }
    group.append(b);
  });
  return group;
}

function question(q: LessonQuestion, i: number, a: GivenAnswer | null, lang: Lang, say: Say): HTMLElement {
  const box = h('div', { class: 'question', 'data-q': String(i) });
  box.append(h('p', { class: 'prompt' }, h('strong', {}, `${say('lessonAsk')} · `), q.prompt[lang]));
  if (q.kind === 'choice') {
    box.append(choiceButtons('answer', q.choices, i, a, (_, k) => k === q.correct));
  } else if (!a) {
    const input = h('input', {
      type: 'number',
      step: 'any',
      inputmode: 'numeric',
      'data-key': `number:${i}`,
      'aria-label': q.prompt[lang],
      placeholder: say('lessonAnswerPlaceholder'),
    });
    box.append(
      h(
        'form',
        { class: 'number-answer', 'data-act': 'answer-number', 'data-q': String(i) },
        input,
        h('button', { type: 'submit', 'data-key': `check:${i}` }, say('lessonCheck')),
      ),
    );
  }
  if (a)
    box.append(
      reveal(
        a,
        q.answer,
        q.explain[lang],
        q.evidence.map((e) => e[lang]),
        say,
      ),
    );
  return box;
}

function reveal(a: GivenAnswer, answer: string, explain: string, evidence: string[], say: Say): HTMLElement {
  const r = h(
    'div',
    { class: `reveal ${a.correct ? 'right' : 'wrong'}`, role: 'status' },
    h('p', { class: 'verdict' }, a.correct ? say('lessonRight') : say('lessonWrong')),
  );
  if (!a.correct) r.append(h('p', {}, say('lessonYours', { given: a.given })));
  r.append(h('p', { class: 'answer' }, say('lessonTheAnswer', { answer })));
  r.append(...paragraphs(explain, 'explain'));
  if (evidence.length > 0) {
    r.append(
      h(
        'details',
        { class: 'evidence', open: '' },
        h('summary', {}, say('lessonEvidence')),
        h('ul', {}, ...evidence.map((e) => h('li', {}, e))),
      ),
    );
  }
  return r;
}

// --- Quiz --------------------------------------------------------------------------------

function quizBody(v: QuizView, lang: Lang, say: Say): HTMLElement[] {
  const topic = h('select', { name: 'topic', 'data-key': 'quiz-topic' });
  for (const name of v.topics) topic.append(new Option(name, name, false, name === v.topic));
  const seed = h('input', {
    name: 'seed',
    type: 'number',
    min: '0',
    step: '1',
    value: String(v.seed),
    'data-key': 'quiz-seed',
  });
  const count = h('input', {
    name: 'count',
    type: 'number',
    min: '1',
    max: '50',
    step: '1',
    value: String(v.count),
    'data-key': 'quiz-count',
  });
  const form = h(
    'form',
    // The engine checks the values (and says why it refuses them).
    { class: 'quiz-form', 'data-act': 'quiz-start', novalidate: '' },
    h('label', {}, h('span', {}, say('quizTopic')), topic),
    h('label', {}, h('span', {}, say('quizSeed')), seed),
    h('label', {}, h('span', {}, say('quizCount')), count),
    h(
      'div',
      { class: 'actions' },
      button('quiz-seed', say('quizNewSeed'), { class: 'secondary' }),
      h('button', { type: 'submit', 'data-key': 'quiz-start' }, say('quizStart')),
    ),
  );
  const out: HTMLElement[] = [h('h3', {}, say('quizTitle')), h('p', { class: 'help' }, say('quizHelp')), form];
  out.push(...errorBox(v.error, say));
  const qs = v.questions?.[lang];
  if (!qs) return out;
  const score = quizScore(v);
  out.push(h('p', { class: 'quiz-score', role: 'status' }, say('quizScore', { ...score })));
  const list = h('ol', { class: 'quiz-list' });
  qs.forEach((q, i) => list.append(quizQuestion(q, i, v.answers[i] ?? null, say)));
  out.push(list);
  return out;
}

function quizQuestion(q: QuizQuestion, i: number, a: GivenAnswer | null, say: Say): HTMLElement {
  const li = h('li', { class: 'question', 'data-q': String(i) }, h('p', { class: 'prompt' }, q.question));
  if (q.machine) li.append(h('p', { class: 'help small' }, say('quizMachine', { machine: q.machine })));
  if (q.choices.length > 0) {
    li.append(choiceButtons('quiz-answer', q.choices, i, a, (c) => c === q.answer));
  } else if (!a) {
    li.append(
      h(
        'form',
        { class: 'number-answer', 'data-act': 'quiz-answer-text', 'data-q': String(i) },
        h('input', {
          type: 'text',
          'data-key': `quiz-text:${i}`,
          'aria-label': q.question,
          placeholder: say('quizAnswerPlaceholder'),
          spellcheck: 'false',
        }),
        h('button', { type: 'submit', 'data-key': `quiz-check:${i}` }, say('lessonCheck')),
      ),
    );
  }
  if (a) li.append(reveal(a, q.answer, q.explanation, [], say));
  return li;
}
