// The page survives the wasm instance dying (issue 15), in Debian's
// Chromium. The test serves mm_wasm.js with its factory wrapped (nothing
// in the product is for tests): its factory's Engine traps for real inside
// the instance (a free() of a wild pointer: "RuntimeError: memory access out
// of bounds") when runCommand or runScenario is given a statement naming
// crash_me, and also for crash_later on any instance after the first one.
// Then: the page says so in both languages, the session is back as it was
// before the failing statement (the machine, the statements, the cursor,
// /proc, the narration), later commands work; a crash while restoring gives
// an empty engine; an embed's mm:load that crashes gets mm:error and the
// frame goes on answering; the offline single file (whose inlined engine
// defines the global factory, wrapped here as it is assigned) restarts
// from that factory without a request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { newPage, servePage, webRoot } from './harness.mjs';

const BOOT_TIMEOUT = 60_000;
const OP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 240_000;
const SMALL = 'ram=128M cpus=1';

const web = servePage();

/** Wraps the module's factory: its instances trap on the marker statements. */
const CRASHING = `(create) => {
  let instances = 0;
  return async (options) => {
    const module = await create(options);
    const n = ++instances;
    for (const name of ['runCommand', 'runScenario']) {
      const real = module.Engine.prototype[name];
      module.Engine.prototype[name] = function (text, ...rest) {
        if (/\\bcrash_me\\b/.test(text) || (n > 1 && /\\bcrash_later\\b/.test(text))) module._free(-8);
        return real.call(this, text, ...rest);
      };
    }
    return module;
  };
}`;

/** A page (context) whose mm_wasm.js exports the crashing factory. */
async function crashingPage() {
  const p = await newPage(web, 1280, 860);
  await p.context.route('**/mm_wasm.js', async (route) => {
    const response = await route.fetch();
    const text = await response.text();
    const exported = 'export default createMmEngine;';
    assert.equal(text.split(exported).length, 2, 'mm_wasm.js ends with one export default');
    await route.fulfill({ response, body: text.replace(exported, `export default (${CRASHING})(createMmEngine);`) });
  });
  return p;
}

async function waitReady(page, timeout = BOOT_TIMEOUT) {
  await page.waitForFunction(
    () =>
      document.documentElement.dataset.ready === 'true' &&
      !document.documentElement.classList.contains('busy') &&
      (document.getElementById('summary')?.textContent ?? '') !== '',
    null,
    { timeout },
  );
}

/** "Operation 2/3 “label” · step 7/11 · 5279/5304 in all": op, label, pos, total. */
async function position(page) {
  const text = await page.textContent('#p-position');
  const m = /([\d,]+)\/([\d,]+)\D*?“(.*)”\D+([\d,]+)\/([\d,]+)\D+([\d,]+)\/([\d,]+)/u.exec(text);
  assert.ok(m, `unreadable position "${text}"`);
  const n = (s) => Number(s.replace(/,/g, ''));
  return { text, ops: n(m[2]), label: m[3], g: n(m[6]), total: n(m[7]) };
}

/** Runs a statement from the command box and waits for its operation. */
async function command(page, text) {
  const before = (await position(page)).ops;
  await page.fill('#cmd', text);
  await page.press('#cmd', 'Enter');
  await page.waitForFunction(
    (b) => Number(/\/([\d,]+)/.exec(document.getElementById('p-position').textContent)?.[1].replace(/,/g, '')) > b,
    before,
    { timeout: OP_TIMEOUT },
  );
}

/** What the page shows of the machine at its cursor. */
async function shown(page) {
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : null));
  await page.click('#tab-proc');
  await page.selectOption('#proc-select', 'buddyinfo');
  await page.locator('#proc-text').filter({ hasText: 'Node 0' }).waitFor({ timeout: OP_TIMEOUT });
  const buddyinfo = await page.textContent('#proc-text');
  await page.click('#tab-tasks');
  return {
    position: (await position(page)).text,
    narration: await page.textContent('#n-text'),
    summary: await page.textContent('#summary'),
    buddyinfo,
    tasks: await page.textContent('#tasks-view'),
    allocations: await page.$$eval('#alloc-list tr', (rs) => rs.map((r) => r.textContent)),
  };
}

/** The error line, once it says `pattern`. */
async function errorLine(page, pattern) {
  await page.locator('#error-text').filter({ hasText: pattern }).waitFor({ timeout: BOOT_TIMEOUT });
  await page.waitForFunction(() => !document.documentElement.classList.contains('busy'), null, {
    timeout: OP_TIMEOUT,
  });
  return page.textContent('#error-text');
}

test(
  'the instance traps in a command: the message says so, the session before it is back, later commands work',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await crashingPage();
    try {
      await page.goto(`${web.baseUrl}#machine=${encodeURIComponent(SMALL)}`);
      await waitReady(page);
      const boot = (await position(page)).total;
      await command(page, 'spawn A anon=8M');
      await page.selectOption('#alloc-order', '3');
      await page.click('#alloc-submit');
      await page.locator('#alloc-list tr').first().waitFor({ timeout: OP_TIMEOUT });
      await command(page, 'kmalloc p 200');
      // The cursor inside the session's second statement (the spawn).
      await page.$eval(
        '#p-scrub',
        (s, v) => {
          s.value = String(v);
          s.dispatchEvent(new Event('input', { bubbles: true }));
        },
        boot + 5,
      );
      const before = await shown(page);
      assert.match(before.position, /“spawn A anon=8M”/);
      assert.match(before.tasks, /A next OOM victim/);
      assert.equal(before.allocations.length, 0, 'the allocation is after the cursor');

      // A command run here would drop what follows the cursor: the engine stops first.
      await page.fill('#cmd', 'kmalloc crash_me 64');
      await page.press('#cmd', 'Enter');
      const message = await errorLine(page, 'restored');
      assert.match(
        message,
        /^The engine stopped while running «kmalloc crash_me 64» \(RuntimeError: memory access out of bounds\)\. It was restarted and your session restored to before that step\.$/,
      );
      assert.deepEqual(await shown(page), before, 'the same machine, statements and cursor');
      await page.click('#p-last');
      const end = await position(page);
      assert.equal(end.ops, 4, `the boot and three statements: ${end.text}`);
      assert.match(end.label, /kmalloc p 200/);
      assert.equal((await shown(page)).allocations.length, 1, 'the block the panel allocated is listed again');

      await page.click('#lang');
      assert.match(
        await page.textContent('#error-text'),
        /^引擎在运行“kmalloc crash_me 64”时停止了（RuntimeError: memory access out of bounds）。它已重新启动，你的会话已恢复到这一步之前。$/,
      );
      await page.click('#lang');

      // The new instance takes commands.
      await command(page, 'kmalloc q 300');
      const after = await position(page);
      assert.equal(after.ops, 5, after.text);
      assert.match(after.label, /kmalloc q 300/);
      assert.equal(await page.getAttribute('#cmd-message', 'data-tone'), 'ok');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'the replay stops the instance again: an empty engine and a message, and the page goes on',
  { timeout: TEST_TIMEOUT },
  async () => {
    const { context, page, problems } = await crashingPage();
    try {
      await page.goto(`${web.baseUrl}#machine=${encodeURIComponent(SMALL)}`);
      await waitReady(page);
      await command(page, 'kmalloc crash_later 64'); // runs on the first instance
      await page.fill('#cmd', 'kmalloc crash_me 64');
      await page.press('#cmd', 'Enter');
      assert.match(
        await errorLine(page, 'again'),
        /^The engine stopped while running «kmalloc crash_me 64» \(RuntimeError: [^)]*\), and again while restoring your session\. It was restarted with no machine: boot one to go on\.$/,
      );
      assert.match(await page.textContent('#p-position'), /Nothing on the timeline/);
      await page.fill('#spec', SMALL);
      await page.press('#spec', 'Enter');
      await page.locator('#summary').filter({ hasText: SMALL }).waitFor({ timeout: BOOT_TIMEOUT });
      await command(page, 'kmalloc p 64');
      assert.equal((await position(page)).ops, 2);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'embed: an mm:load that stops the instance gets mm:error; the frame keeps its state and answers',
  { timeout: TEST_TIMEOUT },
  async () => {
    const p = await crashingPage();
    const { context, page, problems } = p;
    const src = new URL(`embed.html#machine=${encodeURIComponent(SMALL)}&controls=player`, web.baseUrl).href;
    const url = new URL('host-page-for-test.html', web.baseUrl).href;
    await context.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>host</title></head><body>
<iframe id="f" src="${src}" style="width:900px;height:700px"></iframe>
<script>
  window.received = [];
  addEventListener('message', (e) => received.push(e.data));
  window.send = (m) => document.getElementById('f').contentWindow.postMessage(m, location.origin);
</script></body></html>`,
      }),
    );
    try {
      await page.goto(url);
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:ready'), null, { timeout: BOOT_TIMEOUT });
      const ask = async (id) => {
        await page.evaluate((i) => send({ type: 'mm:get-state', id: i }), id);
        await page.waitForFunction((i) => received.some((m) => m.type === 'mm:state' && m.id === i), id, {
          timeout: OP_TIMEOUT,
        });
        return page.evaluate((i) => received.find((m) => m.type === 'mm:state' && m.id === i).state, id);
      };
      await page.evaluate(() => send({ type: 'mm:load', scenario: 'spawn A anon=4M\nkmalloc p 100' }));
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:state' && m.state.statements === 2), null, {
        timeout: OP_TIMEOUT,
      });
      const before = await ask(1);
      assert.equal(before.label, 'kmalloc p 100', JSON.stringify(before));

      await page.evaluate(() => send({ type: 'mm:load', scenario: 'kmalloc q 64\nkmalloc crash_me 64' }));
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:error'), null, { timeout: BOOT_TIMEOUT });
      const errors = await page.evaluate(() => received.filter((m) => m.type === 'mm:error').map((m) => m.message));
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(
        errors[0],
        /^the scenario did not run: The engine stopped while running «kmalloc q 64 …» \(RuntimeError: memory access out of bounds\)\. It was restarted and your session restored to before that step\./,
      );
      const after = await ask(2);
      for (const k of ['statements', 'total', 'step', 'label', 'at', 'atEnd']) assert.deepEqual(after[k], before[k], k);

      await page.evaluate(() => send({ type: 'mm:load', scenario: 'kmalloc r 64' }));
      await page.waitForFunction(() => received.some((m) => m.type === 'mm:state' && m.state.statements === 3), null, {
        timeout: OP_TIMEOUT,
      });
      assert.equal((await ask(3)).label, 'kmalloc r 64');
      assert.equal(await page.evaluate(() => received.filter((m) => m.type === 'mm:error').length), 1);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);

test(
  'offline: the single file restarts from its own inlined factory, with no request',
  { timeout: TEST_TIMEOUT },
  async (t) => {
    const file = path.join(webRoot, 'mm-playground-offline.html');
    if (!existsSync(file)) {
      assert.ok(!process.env.CI, `${file} is missing under CI`);
      t.skip(`${file} is missing (build the wasm target mm_wasm_single, then node scripts/build-web.mjs)`);
      return;
    }
    const { context, page, problems } = await newPage(web, 1280, 860);
    try {
      const href = pathToFileURL(file).href;
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      // The inlined engine script assigns the global createMmEngine: wrap what it assigns.
      await page.addInitScript({
        content: `{
        const wrap = ${CRASHING};
        let factory;
        Object.defineProperty(globalThis, 'createMmEngine', {
          configurable: true,
          get: () => factory,
          set: (f) => { factory = wrap(f); },
        });
      }`,
      });
      await page.goto(href);
      await waitReady(page);
      await command(page, 'kmalloc p 200');
      const before = await shown(page);
      await page.fill('#cmd', 'kmalloc crash_me 64');
      await page.press('#cmd', 'Enter');
      assert.match(
        await errorLine(page, 'restored'),
        /«kmalloc crash_me 64» \(RuntimeError: memory access out of bounds\)/,
      );
      assert.deepEqual(await shown(page), before);
      await command(page, 'kmalloc q 64');
      assert.equal((await position(page)).ops, 3);
      const foreign = requests.filter((u) => u !== href && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(foreign, [], 'the offline page loads nothing but itself');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  },
);
