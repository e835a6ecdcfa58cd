// Builds the page into build/web (or $MM_WEB_OUT):
//   web/src/*.ts            -> js/*.js   (tsc, plain ES modules, no bundler)
//   web/index.html, *.css   -> copied
//   build/wasm/wasm/mm_wasm.{js,wasm} -> copied (build the wasm preset first)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.env.MM_WEB_OUT || path.join(root, 'build/web'));
const wasmDir = path.join(root, 'build/wasm/wasm');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

function fail(msg) {
  console.error(`build-web: ${msg}`);
  process.exit(1);
}

for (const f of ['mm_wasm.js', 'mm_wasm.wasm']) {
  if (!existsSync(path.join(wasmDir, f))) {
    fail(`${path.join(wasmDir, f)} is missing: run cmake --preset wasm && cmake --build --preset wasm --target mm_wasm`);
  }
}
if (!existsSync(tsc)) fail('typescript is not installed: run npm ci (or bash scripts/setup.sh)');

rmSync(path.join(out, 'js'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'web/tsconfig.json'), '--outDir', path.join(out, 'js')], {
  stdio: 'inherit',
});

const web = path.join(root, 'web');
for (const f of readdirSync(web)) {
  if (/\.(html|css|svg|png|ico)$/.test(f)) copyFileSync(path.join(web, f), path.join(out, f));
}
for (const f of ['mm_wasm.js', 'mm_wasm.wasm']) copyFileSync(path.join(wasmDir, f), path.join(out, f));
console.log(`build-web: page built in ${path.relative(process.cwd(), out) || '.'}`);
