// Checks the built page under its Content-Security-Policy in Debian's Chromium
// (playwright-core, /usr/bin/chromium):
//   served   every WEB/*.html (not the offline twins) over http from
//            scripts/serve.mjs, which sends the CSP header;
//   offline  every WEB/*-offline.html opened from file://.
// Each page must load with no CSP violation ('securitypolicyviolation' events
// and "Content Security Policy" console messages), no console error and no
// page error; the offline pages must make no request but their own file://
// URL (data: is allowed). Pages with a #boot-log must boot their machine
// (the boot log shows "Zone ranges:") and survive an allocation and a /proc
// read, so Embind's lazily built callers run too. A control then checks that
// the policy really is enforced: `new Function` must be refused.
//   node scripts/check-web-csp.mjs [WEB=build/web or $MM_WEB_OUT]
// Prints one line per page and exits non-zero when anything failed.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { startServer } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webRoot = path.resolve(process.argv[2] || process.env.MM_WEB_OUT || path.join(root, 'build/web'));
const BOOT_TIMEOUT = 60_000;

// Runs in the page before any of its scripts: collects violation reports.
function recordViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(
      `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`,
    );
  });
}

async function checkPage(browser, url, { offline }) {
  const problems = [];
  const requests = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.addInitScript(recordViolations);
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text()))
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  const notes = [];
  try {
    await page.goto(url, { waitUntil: 'load' });
    if (await page.locator('#boot-log').count()) {
      const boot = page.locator('#boot-log').filter({ hasText: 'Zone ranges:' });
      // attached, not visible: the log's tab need not be the one shown.
      const booted = await boot.waitFor({ state: 'attached', timeout: BOOT_TIMEOUT }).then(
        () => true,
        async () => {
          const text = async (sel) =>
            (
              (await page
                .locator(sel)
                .first()
                .textContent({ timeout: 1000 })
                .catch(() => '?')) || ''
            ).trim();
          problems.push(`no boot log; status "${await text('#status')}", error "${await text('#error')}"`);
          return false;
        },
      );
      if (booted) {
        notes.push('booted');
        if (await page.locator('#alloc-submit').isVisible()) {
          await page.click('#alloc-submit');
          await page.locator('#alloc-list tr').first().waitFor({ timeout: 10_000 });
          notes.push('allocated');
        }
        if (await page.locator('#tab-proc').isVisible()) {
          await page.click('#tab-proc');
          await page.locator('#proc-text').filter({ hasText: /\S/ }).waitFor({ timeout: 10_000 });
          notes.push('/proc read');
        }
      }
    }
    await page.waitForTimeout(300); // late reports
    problems.push(...(await page.evaluate(() => window.__cspViolations)).map((v) => `CSP violation: ${v}`));
    // Control: the policy is in force and its reports reach us. DevTools'
    // own evaluation may build code from strings, so the attempt runs later,
    // as the page's own code would.
    const control = await page.evaluate(
      () =>
        new Promise((resolve) =>
          setTimeout(() => {
            try {
              resolve(new Function('return "ran"')());
            } catch (e) {
              resolve(`refused (${e.name})`);
            }
          }, 0),
        ),
    );
    await page.waitForTimeout(100);
    // One report per policy in force: served pages have the header and the <meta>.
    const reported = await page.evaluate(() => window.__cspViolations.length);
    if (!control.startsWith('refused')) problems.push(`control: new Function ${control} (no CSP in force?)`);
    else if (reported !== (offline ? 1 : 2))
      problems.push(`control: new Function refused, ${reported} violation reports`);
    else notes.push(`control: new Function ${control}, ${reported} report(s)`);
  } catch (e) {
    problems.push(`error: ${e.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  if (offline) {
    const foreign = requests.filter((u) => u !== url && !/^(data|blob):/.test(u));
    if (foreign.length) problems.push(`requests besides the file itself: ${foreign.join(', ')}`);
    notes.push(`${requests.length} request(s): ${[...new Set(requests.map((u) => u.split(':')[0] + ':'))].join(' ')}`);
  } else {
    notes.push(`${requests.length} requests`);
  }
  return { problems, notes };
}

async function main() {
  if (!existsSync(path.join(webRoot, 'index.html')))
    throw new Error(`${webRoot}/index.html missing: run node scripts/build-web.mjs`);
  const html = readdirSync(webRoot)
    .filter((f) => f.endsWith('.html'))
    .sort();
  const served = html.filter((f) => !f.endsWith('-offline.html'));
  const offline = html.filter((f) => f.endsWith('-offline.html'));
  const { server, url: base } = await startServer({ root: webRoot, port: 0 });
  const browser = await launchChromium();
  let failed = 0;
  try {
    const runs = [
      ...served.map((f) => ({ label: `served  ${f}`, url: new URL(f, base).href, offline: false })),
      ...offline.map((f) => ({ label: `offline ${f}`, url: pathToFileURL(path.join(webRoot, f)).href, offline: true })),
    ];
    for (const run of runs) {
      const { problems, notes } = await checkPage(browser, run.url, run);
      failed += problems.length ? 1 : 0;
      console.log(`${problems.length ? 'FAIL' : 'ok  '} ${run.label}: ${notes.join(', ')}`);
      for (const p of problems) console.log(`       ${p}`);
    }
    if (!offline.length) console.log('note: no *-offline.html in', webRoot);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return failed;
}

main().then(
  (failed) => process.exit(failed ? 1 : 0),
  (e) => {
    console.error(`check-web-csp: ${e.stack || e}`);
    process.exit(1);
  },
);
