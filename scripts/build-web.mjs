// Builds the page into build/web (or $MM_WEB_OUT):
//   web/src/**/*.ts         -> js/**/*.js (tsc, plain ES modules, no bundler;
//                              js/package.json marks them as such for node)
//   web/*.html              -> copied, with the served CSP as a <meta> tag
//   web/*.css (svg, png...) -> copied
//   $MM_WASM_DIR/mm_wasm.{js,wasm} -> copied (build the wasm preset first;
//                              MM_WASM_DIR defaults to build/wasm/wasm)
// and the single-file offline twin of every page: each page (web/NAME.html, embed.html) that
// loads `<script type="module" src="js/X.js">` becomes OFFLINE-NAME.html with
// its stylesheets inlined, web/src/X.ts bundled by esbuild, and
// mm_wasm_single.js (the engine, wasm inlined as base64; cmake target
// mm_wasm_single) inlined as a classic script that defines `createMmEngine`.
// Its CSP allows exactly those inline scripts and styles (sha256 hashes) and
// no request at all, so it works from file://. index.html's twin is
// mm-playground-offline.html (OFFLINE_NAMES); any other page gets NAME-offline.html.
//   MM_WEB_OFFLINE=auto (default) builds the twins when mm_wasm_single.js
//   exists and says so when it does not; =1 requires it; =0 skips them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVED_CSP_META, cspMeta, offlineCsp } from './csp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env.MM_WEB_OUT || path.join(root, 'build/web'));
const wasmDir = path.resolve(process.env.MM_WASM_DIR || path.join(root, 'build/wasm/wasm'));
const offlineMode = process.env.MM_WEB_OFFLINE || 'auto';
const web = path.join(root, 'web');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

/** The offline twin of a page; pages not listed get NAME-offline.html. */
const OFFLINE_NAMES = { 'index.html': 'mm-playground-offline.html' };
const offlineName = (page) => OFFLINE_NAMES[page] || page.replace(/\.html$/, '-offline.html');

function fail(msg) {
  console.error(`build-web: ${msg}`);
  process.exit(1);
}

/** Inserts `tag` right after <meta charset> (a CSP only governs what follows it). */
function insertAfterCharset(html, tag, page) {
  const m = /<meta\s+charset=[^>]*>\n?/i.exec(html) || /<head[^>]*>\n?/i.exec(html);
  if (!m) fail(`${page}: no <meta charset> or <head> to put the CSP after`);
  if (/http-equiv=["']?content-security-policy/i.test(html)) {
    fail(`${page} has its own CSP <meta>: the policy lives in scripts/csp.mjs`);
  }
  const at = m.index + m[0].length;
  const indent = /^[ \t]*/.exec(html.slice(html.lastIndexOf('\n', m.index) + 1))[0];
  return `${html.slice(0, at)}${indent}${tag}\n${html.slice(at)}`;
}

/** `<script type="module" src="js/X.js"></script>` tags of a page: [{ tag, entry: 'X' }]. */
function moduleScripts(html) {
  const found = [];
  for (const m of html.matchAll(/<script\b([^>]*)>\s*<\/script>/gi)) {
    const attrs = m[1];
    const src = /\bsrc="js\/([\w.-]+)\.js"/.exec(attrs);
    if (/\btype="module"/.test(attrs) && src) found.push({ tag: m[0], entry: src[1] });
  }
  return found;
}

// --- the served page ------------------------------------------------------------

for (const f of ['mm_wasm.js', 'mm_wasm.wasm']) {
  if (!existsSync(path.join(wasmDir, f))) {
    fail(
      `${path.join(wasmDir, f)} is missing: run cmake --preset wasm && cmake --build --preset wasm --target mm_wasm`,
    );
  }
}
if (!existsSync(tsc)) fail('typescript is not installed: run npm ci (or bash scripts/setup.sh)');

// Every page and offline twin is rebuilt below; one whose source is gone must go too.
rmSync(path.join(out, 'js'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.html')) rmSync(path.join(out, f));
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'web/tsconfig.json'), '--outDir', path.join(out, 'js')], {
  stdio: 'inherit',
});
// The modules are ES modules for node too (the page unit tests in tests/page import them).
writeFileSync(path.join(out, 'js/package.json'), '{ "type": "module" }\n');

const pages = readdirSync(web)
  .filter((f) => f.endsWith('.html'))
  .sort();
for (const f of readdirSync(web)) {
  if (/\.(css|svg|png|ico)$/.test(f)) copyFileSync(path.join(web, f), path.join(out, f));
}
// Every served page by name, as written before its CSP <meta> (the offline twins start from these).
const sources = new Map();
for (const page of pages) {
  const html = readFileSync(path.join(web, page), 'utf8');
  sources.set(page, html);
  writeFileSync(path.join(out, page), insertAfterCharset(html, cspMeta(SERVED_CSP_META), page));
}
// embed.html (what course pages put in an iframe) is index.html marked
// data-mode="embed": one page, two layouts, chosen by CSS and main.ts.
const embedHtml = embedVariant(readFileSync(path.join(web, 'index.html'), 'utf8'));
sources.set('embed.html', embedHtml);
writeFileSync(path.join(out, 'embed.html'), insertAfterCharset(embedHtml, cspMeta(SERVED_CSP_META), 'embed.html'));

function embedVariant(html) {
  const marked = html.replace(/<html\b([^>]*)>/i, '<html$1 data-mode="embed">');
  if (marked === html) fail('web/index.html has no <html> tag to mark as the embed');
  return marked;
}
for (const f of ['mm_wasm.js', 'mm_wasm.wasm']) copyFileSync(path.join(wasmDir, f), path.join(out, f));
console.log(`build-web: page built in ${path.relative(process.cwd(), out) || '.'}`);

// --- the offline twins --------------------------------------------------------------

/** Text that can sit inside <script> or <style> as it is (no escaping exists there). */
function checkInline(text, what, element) {
  // `</script` would end the element; after `<!--` a `<script` would stop
  // the real end tag from ending it. esbuild already writes `<\/script`.
  const bad = new RegExp(`<\\/${element}|<!--`, 'i').exec(text);
  if (bad) fail(`${what} contains "${bad[0]}" and cannot be inlined in <${element}>`);
  // The HTML parser turns CRLF into LF before the CSP hash is checked.
  return text.replace(/\r\n?/g, '\n');
}

let esbuildModule;
async function esbuild() {
  try {
    esbuildModule ??= await import('esbuild');
  } catch {
    fail('esbuild is not installed: run npm ci (or bash scripts/setup.sh)');
  }
  return esbuildModule;
}

async function bundle(entry) {
  const result = await (
    await esbuild()
  ).build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm', // inlined as <script type="module">, as the served page loads it
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'ascii',
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/** web/<page> as one file: stylesheets, bundled scripts and the engine inline. */
async function buildOffline(page, html, engineGlue) {
  const scripts = moduleScripts(html);
  const styles = [];
  const inlineScripts = [];

  for (const [tag] of html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*>/gi)) {
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (!href || /^[a-z]+:/i.test(href)) fail(`${page}: cannot inline stylesheet ${tag}`);
    if (!existsSync(path.join(web, href))) fail(`${page} links ${href}, which does not exist`);
    const source = readFileSync(path.join(web, href), 'utf8');
    if (/url\(\s*(?!['"]?data:)|@import/i.test(source)) fail(`${href} loads other files; inline them first`);
    const { code } = await (await esbuild()).transform(source, { loader: 'css', minify: true, charset: 'ascii' });
    const css = checkInline(code.trimEnd(), href, 'style');
    styles.push(css);
    html = html.replace(tag, () => `<style>${css}</style>`);
  }

  // Anything else in the markup that the browser would fetch by itself is a
  // request (checked before the scripts go in: their strings may hold markup).
  const markup = scripts.reduce((h, { tag }) => h.replace(tag, ''), html);
  const leftover =
    /<(?:script|link|img|iframe|frame|embed|source|video|audio|track|input)\b[^>]*\b(?:src|href|srcset|poster)="(?!data:|#)[^"]*"[^>]*>/i.exec(
      markup,
    );
  if (leftover) fail(`${page}: ${leftover[0]} would be fetched; the offline page must not load anything`);

  let first = true;
  for (const { tag, entry } of scripts) {
    const source = path.join(web, 'src', `${entry}.ts`);
    if (!existsSync(source)) fail(`${page} loads js/${entry}.js but ${path.relative(root, source)} does not exist`);
    const code = checkInline(await bundle(source), `the bundle of ${entry}.ts`, 'script');
    let replacement = '';
    if (first) {
      // Classic script, run first: defines the global factory createMmEngine
      // that EngineClient.load() looks for.
      inlineScripts.push(engineGlue);
      replacement += `<script>${engineGlue}</script>\n`;
      first = false;
    }
    inlineScripts.push(code);
    replacement += `<script type="module">${code}</script>`;
    html = html.replace(tag, () => replacement);
  }

  return insertAfterCharset(html, cspMeta(offlineCsp({ scripts: inlineScripts, styles })), page);
}

const singleGlue = path.join(wasmDir, 'mm_wasm_single.js');
const offlinePages = [...sources.keys()].filter((page) => moduleScripts(sources.get(page)).length);
if (offlineMode === '0') {
  console.log('build-web: offline pages skipped (MM_WEB_OFFLINE=0)');
} else if (!existsSync(singleGlue)) {
  const msg = `${singleGlue} is missing: cmake --build --preset wasm --target mm_wasm_single`;
  if (offlineMode === '1') fail(msg);
  console.log(`build-web: offline pages skipped (${msg})`);
} else {
  const glue = checkInline(readFileSync(singleGlue, 'utf8'), 'mm_wasm_single.js', 'script');
  if (/\bnew Function\b|[^\w.$]eval\(/.test(glue)) {
    fail('mm_wasm_single.js builds code from strings: link it with -sDYNAMIC_EXECUTION=0');
  }
  for (const page of offlinePages) {
    const name = offlineName(page);
    writeFileSync(path.join(out, name), await buildOffline(page, sources.get(page), glue));
    console.log(`build-web: offline page ${path.relative(process.cwd(), path.join(out, name))}`);
  }
}
