// Page benchmarks in headless Chromium (Debian's, via playwright-core).
// Prints figures; it asserts nothing (targets are in the README):
//   - time to interactive: navigation start to the first interactive map
//     (performance.mark 'mm-interactive', set once the default machine is
//     booted and drawn), on localhost; median of RUNS loads;
//   - frames per second while the player animates an operation on a 4 GiB
//     machine (a million frames): rAF callbacks counted over 4 s of play;
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
  let frames = 0;
  let longest = 0;
  let last = performance.now();
  const t0 = last;
  play.click();
  await new Promise((resolve) => {
    const tick = (now) => {
      frames++;
      longest = Math.max(longest, now - last);
      last = now;
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
  return { fps: frames / ((last - t0) / 1000), longest, step: steps[steps.length >> 1] ?? 0 };
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
} finally {
  await browser.close();
  server.close();
}

// --- sizes ----------------------------------------------------------------------
execFileSync(process.execPath, [path.join(root, 'scripts/size-web.mjs'), webRoot], { stdio: 'inherit' });
