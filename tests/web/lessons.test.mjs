// Lessons and quizzes on the page (issue 12), in Debian's Chromium: two
// lessons (04 buddy, 05 pcp) walked end to end in English and in Chinese,
// every question answered before the reveal (right and wrong), the
// narration at each stop compared with the stop narration of the lesson the
// engine compiled (the state shown is the state narrated), leaving the path
// and returning to it, bad ids, steps and lesson texts reported, the embed's
// mm:quiz-result and <mm-playground lesson step>, and a quiz with its score.
// The expected values come from the node build of the same engine.
// Screenshots: build/test-artifacts/lesson-*.png, quiz-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, newPage as openPage, servePage } from './harness.mjs';
import { auditLayout, DECORATIONS, SCROLLERS } from './layout-audit.mjs';
import { newEngine, page as pageModule } from '../page/support.mjs';

const BOOT_TIMEOUT = 60_000;
const OP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 300_000;

const web = servePage();
let engine;
let words;
const compiled = {};
before(async () => {
  engine = await newEngine();
  words = await pageModule('words/i18n.js');
  for (const id of ['buddy', 'pcp']) {
    const r = engine.compileLesson(engine.lessonSource(id).text, `${id}.lesson`);
    assert.equal(r.ok, true, r.error);
    compiled[id] = JSON.parse(r.json);
  }
});
after(() => engine?.delete());

const squash = (s) => s.replace(/\s+/g, ' ').trim();

const newPage = (width = 1024, height = 768) => openPage(web, width, height);

/** Ready, not busy, and the lesson panel not building a step. */
async function waitLesson(page, timeout = BOOT_TIMEOUT) {
  await page.waitForFunction(
    () =>
      document.documentElement.dataset.ready === 'true' &&
      !document.documentElement.classList.contains('busy') &&
      !/Preparing step|正在准备/.test(document.getElementById('lesson')?.textContent ?? ''),
    null,
    { timeout },
  );
  await settle(page);
}

const settle = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

async function openLesson(hash, size = [1024, 768]) {
  const p = await newPage(...size);
  await p.page.goto(`${web.baseUrl}/index.html${hash}`);
  await waitLesson(p.page);
  return p;
}

async function audit(page, where) {
  await settle(page);
  const found = await page.evaluate(auditLayout, { scrollers: SCROLLERS, decorations: DECORATIONS, fold: false });
  return found.map((p) => `${where}: ${p}`);
}

/**
 * Walks lesson `id` in `lang` from step 1 to the end: the step's text, the
 * narration at its stop, every question answered (the even ones right, the
 * odd ones wrong) and the reveal. Returns the answers given.
 */
async function walk(page, id, lang) {
  const l = compiled[id];
  const say = (key, params) => words.t(lang, key, params);
  let asked = 0;
  const given = [];
  for (const [k, step] of l.steps.entries()) {
    const panel = page.locator('#lesson');
    assert.equal(
      squash(await panel.locator('.lesson-count').textContent()),
      squash(say('lessonStepOf', { n: k + 1, steps: l.steps.length })),
    );
    const text = squash(await panel.locator('.lesson-text').textContent());
    assert.equal(text, squash(step.text[lang].replace(/\n+/g, ' ')), `${id} step ${k + 1} text in ${lang}`);
    if (step.stop !== '') {
      // The state shown is the state narrated: the page's narration of the event at the cursor is the stop's.
      assert.equal(
        squash(await page.textContent('#n-text')),
        squash(step.stop.narration[lang]),
        `${id} step ${k + 1}: narration at the stop`,
      );
      assert.equal(await page.textContent('#n-fn'), await stopFunction(step.stop.code));
    }
    for (const [qi, q] of step.questions.entries()) {
      const right = asked++ % 2 === 0;
      const box = panel.locator(`.question[data-q="${qi}"]`);
      assert.equal(await box.locator('.reveal').count(), 0, 'nothing is revealed before the answer');
      let answer;
      if (q.kind === 'choice') {
        answer = right ? q.choices[q.correct] : q.choices.find((_, i) => i !== q.correct);
        await box.locator(`button[data-value="${answer}"]`).click();
      } else {
        answer = String(right ? q.number : q.number + 1);
        await box.locator('input').fill(answer);
        await box.locator('button[type="submit"]').click();
      }
      given.push({ step: k + 1, question: qi + 1, answer, right });
      await box.locator('.reveal').waitFor({ timeout: OP_TIMEOUT });
      const reveal = box.locator('.reveal');
      assert.equal(await reveal.getAttribute('class'), `reveal ${right ? 'right' : 'wrong'}`);
      assert.equal(
        await reveal.locator('.verdict').textContent(),
        say(right ? 'lessonRight' : 'lessonWrong'),
        `${id} ${k + 1}.${qi + 1}`,
      );
      assert.equal(await reveal.locator('.answer').textContent(), say('lessonTheAnswer', { answer: q.answer }));
      assert.equal(
        squash(await reveal.locator('.explain').first().textContent()),
        squash(q.explain[lang].split(/\n+/)[0]),
      );
      const evidence = await reveal.locator('.evidence li').allTextContents();
      assert.deepEqual(
        evidence.map(squash),
        q.evidence.map((e) => squash(e[lang])),
        `${id} ${k + 1}.${qi + 1}: the evidence is the engine's narration`,
      );
    }
    // A step that asked before running shows its end once answered.
    if (step.stop === '' && step.questions.length > 0)
      assert.match(
        await page.textContent('#p-position'),
        /step ([\d,]+)\/\1|第 ([\d,]+)\/\2/u,
        `${id} step ${k + 1}: at the end`,
      );
    if (k < l.steps.length - 1) {
      await panel.locator('.lesson-nav [data-act="next"]').first().click();
      await waitLesson(page);
    }
  }
  return given;
}

/** The kernel function the catalogue gives an event code (what the narration's <code> shows). */
let catalogue;
async function stopFunction(code) {
  catalogue ??= JSON.parse(engine.catalogue());
  return catalogue.events.find((e) => e.code === code).fn;
}

for (const lang of ['en', 'zh']) {
  test(
    `lessons 04 buddy and 05 pcp end to end in ${lang}: stops narrated, answers right and wrong`,
    { timeout: TEST_TIMEOUT },
    async () => {
      const { context, page, problems } = await openLesson(`#lesson=buddy&step=1&lang=${lang}`);
      try {
        assert.equal(await page.isVisible('#lesson'), true);
        assert.equal(await page.textContent('#lesson .lesson-title'), compiled.buddy.title[lang]);
        await page.mouse.move(0, 0);
        await page.screenshot({ path: path.join(artifacts, `lesson-buddy-1024x768-${lang}.png`) });
        const found = await audit(page, `buddy 1024×768 ${lang}`);
        const buddy = await walk(page, 'buddy', lang);
        assert.ok(buddy.some((a) => a.right) && buddy.some((a) => !a.right), JSON.stringify(buddy));
        // The show hint of step 1 picked the zones tab.
        assert.equal(await page.getAttribute('#tab-zones', 'aria-selected'), 'true');

        // Back to the picker, then the pcp lesson from it.
        await page.click('#lesson [data-act="all"]');
        const items = await page.locator('#lesson .lesson-list button').allTextContents();
        assert.equal(items.length, JSON.parse(engine.lessons()).length);
        assert.ok(items.includes(compiled.pcp.title[lang]), items.join(' | '));
        await page.click('#lesson [data-act="pick"][data-id="pcp"]');
        await waitLesson(page);
        const pcp = await walk(page, 'pcp', lang);
        assert.ok(pcp.length >= 4);
        found.push(...(await audit(page, `pcp end 1024×768 ${lang}`)));
        assert.deepEqual(found, [], found.join('\n'));
        // Progress is remembered: the picker says so.
        await page.click('#lesson [data-act="all"]');
        const buddyRow = await page
          .locator('#lesson .lesson-list li', { hasText: compiled.buddy.title[lang] })
          .textContent();
        assert.match(buddyRow, lang === 'en' ? /done|step 2 of 2/ : /已完成|第 2 步/);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    },
  );
}

test(
  'screenshots and layout: a lesson at 1920×1080 and 390 px wide, in en and zh',
  { timeout: TEST_TIMEOUT },
  async () => {
    const found = [];
    for (const lang of ['en', 'zh']) {
      for (const [w, h] of [
        [1920, 1080],
        [390, 844],
      ]) {
        const { context, page, problems } = await openLesson(`#lesson=buddy&step=1&lang=${lang}`, [w, h]);
        try {
          await page.mouse.move(0, 0);
          await page.screenshot({
            path: path.join(artifacts, `lesson-buddy-${w}x${h}-${lang}.png`),
            fullPage: w < 500,
          });
          found.push(...(await audit(page, `${w}×${h} ${lang}`)));
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  },
);

test(
  'leaving the path: the panels and the player move away, "Return to the lesson" restores the step',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openLesson('#lesson=buddy&step=1&lang=en');
    try {
      const stop = compiled.buddy.steps[0].stop;
      const atStop = async () => assert.equal(squash(await page.textContent('#n-text')), squash(stop.narration.en));
      await atStop();
      // The player stepped on: still the lesson's machine, the button brings the pause back.
      await page.click('#p-forward');
      await page.locator('#lesson .lesson-offpath.away [data-act="return"]').waitFor({ timeout: OP_TIMEOUT });
      await page.click('#lesson [data-act="return"]');
      await waitLesson(page);
      await atStop();
      assert.equal(await page.locator('#lesson .lesson-offpath').count(), 0);
      // A panel action: the machine is the learner's now.
      await page.fill('#cmd', 'drain all');
      await page.press('#cmd', 'Enter');
      await page.locator('#lesson .lesson-offpath:not(.away)').waitFor({ timeout: OP_TIMEOUT });
      assert.match(await page.textContent('#lesson .lesson-offpath'), /You left the lesson’s path/);
      await page.click('#lesson [data-act="return"]');
      await waitLesson(page);
      await atStop();
      assert.equal(await page.locator('#lesson .lesson-offpath').count(), 0);
      // Key l closes and opens the panel; the help lists it.
      await page.click('#map-title');
      await page.keyboard.press('l');
      assert.equal(await page.isVisible('#lesson'), false);
      await page.keyboard.press('l');
      assert.equal(await page.isVisible('#lesson'), true);
      assert.equal(await page.getAttribute('#lessons-button', 'aria-expanded'), 'true');
      assert.equal(await page.locator('#help dt', { hasText: /^l$/ }).count(), 1);
      // The share link names the lesson step.
      await page.click('#share-button');
      await page.waitForFunction(() => /lesson=buddy/.test(document.getElementById('share-link').value), null, {
        timeout: OP_TIMEOUT,
      });
      assert.match(await page.inputValue('#share-link'), /#lesson=buddy&step=1&lang=en/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test('bad lesson ids, steps and lesson texts are said clearly', { timeout: TEST_TIMEOUT }, async () => {
  const encode = (text) => Buffer.from(text, 'utf8').toString('base64url');
  {
    const { context, page } = await openLesson('#lesson=budy');
    try {
      const err = await page.textContent('#lesson .lesson-error');
      assert.match(err, /There is no lesson “budy”/);
      assert.match(err, /did you mean 'buddy'/);
      assert.equal(await page.locator('#lesson .lesson-list button').count(), JSON.parse(engine.lessons()).length);
    } finally {
      await context.close();
    }
  }
  {
    const { context, page } = await openLesson('#lesson=buddy&step=9');
    try {
      assert.match(await page.textContent('#lesson .lesson-error'), /step=9: lesson buddy has steps 1 to 2/);
      assert.equal(
        await page.textContent('#lesson .lesson-title'),
        compiled.buddy.title.en,
        'the lesson opens at step 1',
      );
    } finally {
      await context.close();
    }
  }
  {
    const bad =
      'lesson mine\ntitle en: Mine\ntitle zh: 我的\nmachine ram=128M cpus=1\nstep one\nen: x\nzh: x\nalloc a order=3\nstop expnd_split\n';
    const { context, page } = await openLesson(`#lessontext=${encode(bad)}`);
    try {
      const err = await page.textContent('#lesson .lesson-error');
      assert.match(err, /The lesson in the link could not be used/);
      assert.match(err, /lessontext:9:\d+: error: .*expnd_split/);
    } finally {
      await context.close();
    }
  }
  {
    // A teacher's own lesson that is fine runs like a shipped one.
    const own = engine.lessonSource('buddy').text.replace(/^lesson buddy$/m, 'lesson my-buddy');
    const { context, page, problems } = await openLesson(`#lessontext=${encode(own)}&step=2`);
    try {
      assert.equal(await page.locator('#lesson .lesson-error').count(), 0);
      assert.match(await page.textContent('#lesson .lesson-count'), /Step 2 of 2/);
      assert.equal(squash(await page.textContent('#n-text')), squash(compiled.buddy.steps[1].stop.narration.en));
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

/** A page of the playground's own origin (served by the test) holding `body`. */
async function hostPage(body) {
  const p = await newPage(1100, 900);
  const url = new URL('host-page-for-lessons.html', web.baseUrl).href;
  await p.context.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>host</title></head><body>${body}</body></html>`,
    }),
  );
  await p.page.goto(url);
  return p;
}

test(
  'embed: controls=lesson shows the lesson and the player; answers reach the host as mm:quiz-result',
  { timeout: TEST_TIMEOUT },
  async () => {
    const src = new URL('embed.html#lesson=buddy&step=1&controls=lesson', web.baseUrl).href;
    const { context, page, problems } = await hostPage(
      `<iframe id="f" src="${src}" style="width:1000px;height:850px"></iframe>
<script>
  window.received = [];
  addEventListener('message', (e) => received.push(e.data));
</script>`,
    );
    try {
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:ready'), null, { timeout: BOOT_TIMEOUT });
      const frame = page.frameLocator('#f');
      await frame.locator('#lesson .question').first().waitFor({ timeout: BOOT_TIMEOUT });
      for (const [sel, shown] of [
        ['#lesson', true],
        ['#player', true],
        ['.side', false],
        ['.tabs', false],
        ['#spec-form', false],
        ['#share-button', false],
      ])
        assert.equal(await frame.locator(sel).isVisible(), shown, sel);
      const [q0, q1] = compiled.buddy.steps[0].questions;
      await frame.locator('.question[data-q="0"] input').fill(String(q0.number));
      await frame.locator('.question[data-q="0"] button[type="submit"]').click();
      const wrong = q1.choices.find((_, i) => i !== q1.correct);
      await frame.locator(`.question[data-q="1"] button[data-value="${wrong}"]`).click();
      await page.waitForFunction(() => received.filter((m) => m.type === 'mm:quiz-result').length === 2, null, {
        timeout: OP_TIMEOUT,
      });
      const results = await page.evaluate(() => received.filter((m) => m.type === 'mm:quiz-result'));
      assert.deepEqual(
        results.map(({ type, lesson, question, answer, correct }) => ({ type, lesson, question, answer, correct })),
        [
          { type: 'mm:quiz-result', lesson: 'buddy', question: '1.1', answer: String(q0.number), correct: true },
          { type: 'mm:quiz-result', lesson: 'buddy', question: '1.2', answer: wrong, correct: false },
        ],
      );
      assert.equal(results[1].expected, q1.answer);
      // mm:state (and mm:ready's) names the lesson and its step.
      await page.evaluate(() =>
        document.getElementById('f').contentWindow.postMessage({ type: 'mm:get-state', id: 7 }, location.origin),
      );
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:state' && m.id === 7), null, {
        timeout: OP_TIMEOUT,
      });
      const state = await page.evaluate(() => received.find((m) => m.type === 'mm:state' && m.id === 7).state);
      assert.deepEqual(state.lesson, { id: 'buddy', step: 1, steps: 2 });
      assert.equal(state.event.text, compiled.buddy.steps[0].stop.narration.en);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  '<mm-playground lesson="buddy" step="1">: a later step attribute opens that step',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await hostPage(
      `<script type="module" src="${new URL('js/element.js', web.baseUrl).href}"></script>
<mm-playground id="el" lesson="buddy" step="1" controls="lesson" style="width:1000px"></mm-playground>
<script>
  window.events = [];
  const el = document.getElementById('el');
  for (const n of ['mm-ready', 'mm-state', 'mm-error', 'mm-quiz-result']) el.addEventListener(n, (e) => events.push({ n, d: e.detail }));
</script>`,
    );
    try {
      await page.waitForFunction(() => events.some((e) => e.n === 'mm-ready'), null, { timeout: BOOT_TIMEOUT });
      let s = await page.evaluate(() => document.getElementById('el').getState());
      assert.deepEqual(s.lesson, { id: 'buddy', step: 1, steps: 2 });
      await page.evaluate(() => document.getElementById('el').setAttribute('step', '2'));
      await page.waitForFunction(() => events.some((e) => e.n === 'mm-state' && e.d.lesson?.step === 2), null, {
        timeout: BOOT_TIMEOUT,
      });
      s = await page.evaluate(() => document.getElementById('el').getState());
      assert.deepEqual(s.lesson, { id: 'buddy', step: 2, steps: 2 });
      assert.equal(s.event.text, compiled.buddy.steps[1].stop.narration.en, 'the embed is at the stop of step 2');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  "quiz mode: a topic, a seed and a count; the engine's questions; the score",
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await openLesson('#machine=ram%3D128M%20cpus%3D1');
    try {
      await page.click('#lessons-button');
      await page.click('#lesson [data-act="mode"][data-mode="quiz"]');
      // A random seed is offered and shown.
      assert.match(await page.inputValue('#lesson input[name="seed"]'), /^\d+$/);
      await page.selectOption('#lesson select[name="topic"]', 'buddy');
      await page.fill('#lesson input[name="seed"]', '42');
      await page.fill('#lesson input[name="count"]', '3');
      await page.click('#lesson .quiz-form button[type="submit"]');
      await page.locator('#lesson .quiz-list .question').first().waitFor({ timeout: OP_TIMEOUT });
      const expected = JSON.parse(engine.quiz('buddy', 42, 3, 'en').text);
      const prompts = await page.locator('#lesson .quiz-list .prompt').allTextContents();
      assert.deepEqual(
        prompts,
        expected.map((q) => q.question),
        "the engine's questions for that topic and seed",
      );
      const plan = [true, false, true];
      for (const [i, q] of expected.entries()) {
        const box = page.locator(`#lesson .quiz-list .question[data-q="${i}"]`);
        const answer = plan[i] ? q.answer : (q.choices.find((c) => c !== q.answer) ?? `${q.answer}9`);
        if (q.choices.length > 0) await box.locator(`button[data-value="${answer}"]`).click();
        else {
          await box.locator('input').fill(answer);
          await box.locator('button[type="submit"]').click();
        }
        await box.locator('.reveal').waitFor({ timeout: OP_TIMEOUT });
      }
      assert.equal(await page.textContent('#lesson .quiz-score'), 'Score: 2 of 3 (3 answered)');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(artifacts, 'quiz-buddy-1024x768-en.png') });
      // Chinese: the same questions in the engine's Chinese, the score kept.
      await page.click('#lang');
      const zh = JSON.parse(engine.quiz('buddy', 42, 3, 'zh').text);
      assert.deepEqual(
        await page.locator('#lesson .quiz-list .prompt').allTextContents(),
        zh.map((q) => q.question),
      );
      assert.equal(await page.textContent('#lesson .quiz-score'), '得分：2 / 3（已答 3 题）');
      await page.screenshot({ path: path.join(artifacts, 'quiz-buddy-1024x768-zh.png') });
      const found = await audit(page, 'quiz 1024×768 zh');
      assert.deepEqual(found, [], found.join('\n'));
      // An unknown topic cannot be picked; a bad count is the engine's message.
      await page.fill('#lesson input[name="count"]', '99');
      await page.click('#lesson .quiz-form button[type="submit"]');
      await page.locator('#lesson .lesson-error').waitFor({ timeout: OP_TIMEOUT });
      assert.match(await page.textContent('#lesson .lesson-error'), /count must be a whole number from 1 to 50/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  "every shipped lesson opens at every step: no error, the stop narrated, the show hint's tab",
  { timeout: 600_000 },
  async () => {
    const tabs = { zones: 'zones', buddy: 'zones', pcp: 'zones', zonelist: 'zones', memblock: 'log', proc: 'proc' };
    Object.assign(tabs, { zoneinfo: 'proc', slab: 'slab', tasks: 'tasks', oom: 'tasks' });
    const failures = [];
    for (const info of JSON.parse(engine.lessons())) {
      const l = JSON.parse(engine.compileLesson(engine.lessonSource(info.id).text, info.file).json);
      const { context, page, problems } = await newPage(1280, 800);
      try {
        for (const [k, step] of l.steps.entries()) {
          await page.goto(`${web.baseUrl}/index.html#lesson=${l.id}&step=${k + 1}`);
          if (k > 0) await page.reload();
          await waitLesson(page, 120_000);
          const where = `${l.id} step ${k + 1}`;
          if ((await page.locator('#lesson .lesson-error').count()) > 0)
            failures.push(`${where}: ${await page.textContent('#lesson .lesson-error')}`);
          if (step.stop !== '' && squash(await page.textContent('#n-text')) !== squash(step.stop.narration.en))
            failures.push(`${where}: narrated "${await page.textContent('#n-text')}", not the stop's`);
          const want = step.show === '' ? null : tabs[step.show.view];
          const tab = await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-tab');
          if (want && tab !== want) failures.push(`${where}: show ${step.show.view} selected the ${tab} tab`);
        }
        failures.push(...problems.map((p) => `${l.id}: ${p}`));
      } finally {
        await context.close();
      }
    }
    assert.deepEqual(failures, []);
  },
);
