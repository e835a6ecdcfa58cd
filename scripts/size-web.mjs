// Sizes of the built page: what a browser loads for each served page, and each
// single-file offline page.
//   node scripts/size-web.mjs [WEB=build/web or $MM_WEB_OUT] [--json]
// Served page = the HTML, its stylesheets, its module scripts and every module
// they import (the static graph, found by esbuild), plus what engine/client.ts loads
// at run time (RUNTIME). Each file is one response, so the gzip total is the
// sum of the files compressed one by one. gzip is level 9, brotli quality 11
// (what a server precompressing static files would send); source maps are
// not counted (browsers only fetch them with DevTools open).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const webRoot = path.resolve(
  args.find((a) => !a.startsWith('--')) || process.env.MM_WEB_OUT || path.join(root, 'build/web'),
);

/** Loaded by web/src/engine/client.ts (EngineClient.load) with a computed URL, so no static import shows them. */
const RUNTIME = ['mm_wasm.js', 'mm_wasm.wasm'];

function measure(file) {
  const data = readFileSync(path.join(webRoot, file));
  return {
    file,
    bytes: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

function total(name, files) {
  const sum = (k) => files.reduce((n, f) => n + f[k], 0);
  return { page: name, requests: files.length, bytes: sum('bytes'), gzip: sum('gzip'), brotli: sum('brotli'), files };
}

/** The files a served page loads, relative to webRoot. */
async function servedFiles(page) {
  const html = readFileSync(path.join(webRoot, page), 'utf8');
  const files = [page];
  for (const m of html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/gi)) files.push(m[1]);
  const entries = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/gi)].map((m) => m[1]);
  if (entries.length) {
    const { metafile } = await esbuild.build({
      entryPoints: entries,
      absWorkingDir: webRoot,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      outdir: 'unused',
      logLevel: 'silent',
    });
    files.push(...Object.keys(metafile.inputs).filter((f) => !files.includes(f)));
  }
  for (const f of RUNTIME) if (existsSync(path.join(webRoot, f))) files.push(f);
  const missing = files.filter((f) => !existsSync(path.join(webRoot, f)));
  if (missing.length) throw new Error(`${page} loads ${missing.join(', ')}, missing from ${webRoot}`);
  return files;
}

const fmt = (n) => n.toLocaleString('en-US').padStart(11);

async function main() {
  if (!existsSync(webRoot)) throw new Error(`${webRoot} missing: run node scripts/build-web.mjs`);
  const html = readdirSync(webRoot)
    .filter((f) => f.endsWith('.html'))
    .sort();
  const served = [];
  for (const page of html.filter((f) => !f.endsWith('-offline.html'))) {
    served.push(total(page, (await servedFiles(page)).map(measure)));
  }
  const offline = html.filter((f) => f.endsWith('-offline.html')).map((f) => total(f, [measure(f)]));

  if (json) {
    console.log(JSON.stringify({ webRoot, served, offline }, null, 2));
    return;
  }
  console.log(`${'file'.padEnd(46)}${'bytes'.padStart(11)}${'gzip -9'.padStart(11)}${'brotli'.padStart(11)}`);
  const row = (label, r) => console.log(`${label.padEnd(46)}${fmt(r.bytes)}${fmt(r.gzip)}${fmt(r.brotli)}`);
  for (const s of served) {
    for (const f of s.files) row(`  ${f.file}`, f);
    row(`served ${s.page} (${s.requests} requests)`, s);
  }
  for (const o of offline) row(`offline ${o.page} (1 file)`, o);
}

main().catch((e) => {
  console.error(`size-web: ${e.message}`);
  process.exit(1);
});
