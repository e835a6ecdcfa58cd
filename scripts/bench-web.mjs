// Page benchmarks in headless Chromium (Debian's, via playwright-core).
// Prints figures; it asserts nothing (targets are in the README):
//   - time to interactive: navigation start to the first interactive map
//     (performance.mark 'mm-interactive', set once the default machine is
//     booted and drawn), on localhost; median of RUNS loads;
//   - frames per second while the player animates an operation on a 4 GiB
//     machine (a million frames): rAF callbacks counted over 4 s of play;
//   - time travel (issue 11): a scrub to a random place and a step to the
//     next event, inside a 16 GiB boot and inside a 1.2 M-event scenario
//     (ram=512M: read 300M, spawn 250M): the handler's time (the engine's
//     seek and the page's refresh, synchronous) and the time to the next
//     animation frame; then playing that scenario at 300 events/s and at
//     "max" (fps, and events actually played per second);
//   - gzip sizes of what the page loads (scripts/size-web.mjs).
//
//   node scripts/bench-web.mjs [RUNS=5]      (build the page first: npm run build:web)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { startServer } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webRoot = process.env.MM_WEB_OUT || path.join(root, 'build/web');
const runs = Number(process.argv[2] || 5);
if (!existsSync(path.join(webRoot, 'index.html'))) {
  console.error(`bench-web: ${webRoot}/index.html is missing: run node scripts/build-web.mjs`);
  process.exit(2);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { server, url } = await startServer({ root: webRoot, port: 0 });
const browser = await launchChromium();

/** In the page: plays the last operation for 4 s (starting it again when it
 *  ends) and counts animation frames. */
async function measurePlay() {
  const play = document.getElementById('p-play');
  const opStart = document.getElementById('p-opstart');
  performance.clearMeasures('mm-refresh');
  const scrub = document.getElementById('p-scrub');
  let frames = 0;
  let longest = 0;
  let advanced = 0;
  let at = Number(scrub.value);
  let last = performance.now();
  const t0 = last;
  play.click();
  await new Promise((resolve) => {
    const tick = (now) => {
      frames++;
      longest = Math.max(longest, now - last);
      last = now;
      const g = Number(scrub.value);
      if (g > at) advanced += g - at;
      at = g;
      if (play.getAttribute('aria-pressed') !== 'true') {
        opStart.click();
        play.click();
      }
      if (now - t0 < 4000) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  play.click();
  const steps = performance
    .getEntriesByName('mm-refresh')
    .map((m) => m.duration)
    .sort((a, b) => a - b);
  const seconds = (last - t0) / 1000;
  return { fps: frames / seconds, longest, step: steps[steps.length >> 1] ?? 0, perSecond: advanced / seconds };
}

/** In the page: RUNS scrubs to random places in global steps [lo, hi), then
 *  RUNS steps forward from the middle; each timed as its handler (seek and
 *  refresh, synchronous) and until the next animation frame. */
async function measureSeeks({ lo, hi, runs }) {
  const scrub = document.getElementById('p-scrub');
  const forward = document.getElementById('p-forward');
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const timed = async (act) => {
    const t0 = performance.now();
    act();
    const handler = performance.now() - t0;
    await frame();
    return { handler, frame: performance.now() - t0 };
  };
  const random = [];
  for (let i = 0; i < runs; i++) {
    const g = Math.floor(lo + rnd() * (hi - lo));
    random.push(
      await timed(() => {
        scrub.value = String(g);
        scrub.dispatchEvent(new Event('input'));
      }),
    );
  }
  scrub.value = String(Math.floor((lo + hi) / 2));
  scrub.dispatchEvent(new Event('input'));
  await frame();
  const next = [];
  for (let i = 0; i < runs; i++) next.push(await timed(() => forward.click()));
  const pick = (xs, k) => xs.map((x) => x[k]);
  return {
    randomHandler: med(pick(random, 'handler')),
    randomHandlerMax: Math.max(...pick(random, 'handler')),
    randomFrame: med(pick(random, 'frame')),
    nextHandler: med(pick(next, 'handler')),
    nextHandlerMax: Math.max(...pick(next, 'handler')),
    nextFrame: med(pick(next, 'frame')),
  };
}

function reportSeeks(label, f) {
  console.log(
    `${label}: random scrub ${f.randomHandler.toFixed(1)} ms median (max ${f.randomHandlerMax.toFixed(1)}), ` +
      `${f.randomFrame.toFixed(1)} ms to the next frame; next event ${f.nextHandler.toFixed(1)} ms median ` +
      `(max ${f.nextHandlerMax.toFixed(1)}), ${f.nextFrame.toFixed(1)} ms to the next frame (target <= 50 ms)`,
  );
}

/** Opens `hash` in a fresh page and waits until its session is on screen. */
async function openSession(hash) {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const t0 = Date.now();
  await page.goto(`${url}${hash}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 600_000 });
  const total = Number(await page.getAttribute('#p-scrub', 'max'));
  return { page, total, openMs: Date.now() - t0 };
}

try {
  // --- time to interactive ---------------------------------------------------
  const tti = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
    tti.push(await page.evaluate(() => performance.getEntriesByName('mm-interactive')[0].startTime));
    await page.close();
  }
  console.log(
    `time to interactive (ram=1G cpus=2, localhost): median ${median(tti).toFixed(0)} ms, ` +
      `min ${Math.min(...tti).toFixed(0)}, max ${Math.max(...tti).toFixed(0)} over ${runs} loads (target <= 1500 ms)`,
  );

  // --- frames per second while animating on 4 GiB -------------------------------
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`${url}#machine=${encodeURIComponent('ram=4G cpus=4')}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
  // An order-3 allocation after a few others: its split steps are what plays.
  for (let i = 0; i < 4; i++) await page.click('#alloc-submit');
  await page.selectOption('#alloc-order', '3');
  await page.click('#alloc-submit');
  await page.click('#p-opstart');
  for (const [index, label] of [
    ['2', '5/s (the default)'],
    ['3', '10/s'],
  ]) {
    await page.selectOption('#p-speed', index);
    const fps = await page.evaluate(measurePlay);
    console.log(
      `animating on ram=4G cpus=4 (1,048,576 frames) at ${label}: ${fps.fps.toFixed(1)} fps, longest frame ` +
        `${fps.longest.toFixed(1)} ms, one step's refresh ${fps.step.toFixed(1)} ms median (target >= 55 fps)`,
    );
  }
  await page.close();

  // --- time travel: inside a 16 GiB boot -----------------------------------------
  const seekRuns = Math.max(runs * 4, 21);
  {
    const { page: big, total, openMs } = await openSession(`#machine=${encodeURIComponent('ram=16G cpus=2')}`);
    console.log(`ram=16G cpus=2 booted traced in ${openMs} ms: ${total} events`);
    reportSeeks(`inside the 16 GiB boot`, await big.evaluate(measureSeeks, { lo: 1, hi: total, runs: seekRuns }));
    await big.close();
  }

  // --- time travel and playing: inside the 1.2 M-event scenario ---------------------
  {
    const hash =
      `#machine=${encodeURIComponent('ram=512M cpus=2')}` +
      `&do=${encodeURIComponent('read big size=300M')}&do=${encodeURIComponent('spawn hog anon=250M')}`;
    const { page: long, total, openMs } = await openSession(hash);
    console.log(`ram=512M, read 300M, spawn 250M: ${total} events, opened in ${openMs} ms`);
    reportSeeks(`inside the scenario`, await long.evaluate(measureSeeks, { lo: 1, hi: total, runs: seekRuns }));
    // Play the last operation (spawn: faults, reclaim) at 300/s and at max.
    await long.click('#p-last');
    await long.click('#p-opstart');
    for (const [index, label, target] of [
      ['6', '300/s', ' (target >= 30 fps)'],
      ['7', 'max', ' (the fastest)'],
    ]) {
      await long.selectOption('#p-speed', index);
      const f = await long.evaluate(measurePlay);
      console.log(
        `playing the scenario's spawn at ${label}: ${f.fps.toFixed(1)} fps, ${f.perSecond.toFixed(0)} events/s, ` +
          `longest frame ${f.longest.toFixed(1)} ms${target}`,
      );
    }
    await long.close();
  }
} finally {
  await browser.close();
  server.close();
}

// --- sizes ----------------------------------------------------------------------
execFileSync(process.execPath, [path.join(root, 'scripts/size-web.mjs'), webRoot], { stdio: 'inherit' });
