// DOM events of the lessons panel (render/lesson.ts writes it; every control
// carries a data-act naming what it asks for). One listener per event kind
// on the panel, so a rebuilt panel needs no wiring.

import type { Dom } from '../render/dom.js';
import type { LessonController } from './lesson.js';

export function wireLesson(dom: Dom, lessons: LessonController): void {
  dom.lessonsButton.addEventListener('click', () => lessons.toggle());
  dom.lesson.addEventListener('click', (ev) => {
    const el = (ev.target as HTMLElement).closest<HTMLElement>('[data-act]');
    if (!el || !dom.lesson.contains(el) || el instanceof HTMLFormElement) return;
    const d = el.dataset;
    switch (d['act'] ?? '') {
      case 'mode':
        lessons.show(d['mode'] === 'quiz' ? 'quiz' : 'lesson');
        break;
      case 'close':
        lessons.close();
        break;
      case 'pick':
        void lessons.openLesson(d['id'] ?? '');
        break;
      case 'all':
        lessons.all();
        break;
      case 'prev':
        void lessons.prev();
        break;
      case 'next':
        void lessons.next();
        break;
      case 'return':
        void lessons.returnToLesson();
        break;
      case 'answer':
        lessons.answer(Number(d['q']), d['value'] ?? '');
        break;
      case 'quiz-answer':
        lessons.quizAnswer(Number(d['q']), d['value'] ?? '');
        break;
      case 'quiz-seed':
        lessons.newSeed();
        break;
      default:
        break;
    }
  });
  dom.lesson.addEventListener('submit', (ev) => {
    const form = ev.target as HTMLFormElement;
    ev.preventDefault();
    const q = Number(form.dataset['q']);
    const text = () => form.querySelector('input')?.value ?? '';
    switch (form.dataset['act'] ?? '') {
      case 'answer-number':
        lessons.answer(q, text());
        break;
      case 'quiz-answer-text':
        lessons.quizAnswer(q, text());
        break;
      case 'quiz-start': {
        const data = new FormData(form);
        const field = (name: string) => {
          const v = data.get(name);
          return typeof v === 'string' ? v : '';
        };
        lessons.startQuiz(field('topic'), Number(field('seed')), Number(field('count')));
        break;
      }
      default:
        break;
    }
  });
}
