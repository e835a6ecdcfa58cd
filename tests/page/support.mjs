// Shared by the page unit tests: the page's compiled modules (the tsc output
// in build/web/js, or $MM_WEB_OUT/js: run `node scripts/build-web.mjs`
// first) and the node build of the engine (build/wasm/wasm/mm_wasm_node.js,
// or $MM_WASM_NODE). These tests need no browser: they import the modules
// that do not touch the DOM (narration, URL state, the clock, the model).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const jsDir = path.join(path.resolve(process.env.MM_WEB_OUT || path.join(root, 'build/web')), 'js');
const wasmNode = process.env.MM_WASM_NODE || path.join(root, 'build/wasm/wasm/mm_wasm_node.js');

/** A compiled page module, e.g. page('words/narrate.js'). */
export async function page(module) {
  const file = path.join(jsDir, module);
  assert.ok(existsSync(file), `${file} is missing: run node scripts/build-web.mjs first`);
  return import(pathToFileURL(file).href);
}

let engineModule;

/** The node build's factory, as the page's createMmEngine: each call makes a new instance of the module. */
export function engineFactory() {
  assert.ok(existsSync(wasmNode), `${wasmNode} is missing: build the wasm preset first`);
  const create = createRequire(import.meta.url)(wasmNode);
  const wasmBinary = readFileSync(wasmNode.replace(/\.js$/, '.wasm'));
  return (options = {}) => create({ ...options, wasmBinary });
}

/** A new engine (call delete() when done). */
export async function newEngine() {
  if (!engineModule) engineModule = await engineFactory()();
  return new engineModule.Engine();
}

/** A minimal MmEvent: every field present, the given ones set. */
export function event(fields = {}) {
  return {
    seq: 0,
    depth: 0,
    kind: 'step',
    code: '',
    fn: '',
    node: -1,
    zone: -1,
    mt: -1,
    order: -1,
    cpu: -1,
    pfn: -1,
    args: {},
    ...fields,
  };
}
