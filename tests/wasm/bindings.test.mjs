// Boundary test of the WebAssembly engine (contract: wasm/mm-engine.d.ts).
// Loads the node build (build/wasm/wasm/mm_wasm_node.js, or $MM_WASM_NODE)
// and checks what crosses the boundary: results are values, bad input is
// {ok:false, error} and never kills the instance, events have every field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const jsPath = process.env.MM_WASM_NODE || path.join(root, 'build/wasm/wasm/mm_wasm_node.js');

let mod;
let engine;

before(async () => {
  assert.ok(existsSync(jsPath), `${jsPath} is missing: build the wasm preset first`);
  const createMmEngine = createRequire(import.meta.url)(jsPath);
  // emscripten 3.1.6 would fetch() the .wasm by file path under Node 18+; hand it the bytes.
  const wasmBinary = readFileSync(jsPath.replace(/\.js$/, '.wasm'));
  mod = await createMmEngine({ wasmBinary });
  engine = new mod.Engine();
});

after(() => engine?.delete());

test('boots "ram=1G cpus=2"', () => {
  const r = engine.bootShorthand('ram=1G cpus=2');
  assert.deepEqual(Object.keys(r).sort(), ['error', 'ok']);
  assert.equal(r.ok, true, r.error);
  assert.equal(r.error, '');
  assert.match(engine.bootLog(), /Zone ranges:/);
});

test('proc zoneinfo has the DMA32 zone', () => {
  const names = engine.procNames();
  assert.ok(Array.isArray(names) && names.every((n) => typeof n === 'string'));
  assert.ok(names.includes('zoneinfo'), `procNames: ${names}`);
  const r = engine.proc('zoneinfo');
  assert.equal(r.ok, true, r.error);
  assert.ok(r.text.includes('Node 0, zone    DMA32'), r.text.slice(0, 400));
});

test('an unknown /proc name is an error value', () => {
  const r = engine.proc('no-such-file');
  assert.equal(r.ok, false);
  assert.equal(r.text, '');
  assert.match(r.error, /error:/);
});

test('a bad spec returns ok:false with a column, and the machine survives', () => {
  const logBefore = engine.bootLog();
  const frames = engine.frameCount();
  const r = engine.bootShorthand('ram=1Q');
  assert.equal(r.ok, false);
  // compiler style: source:line:col: error: message
  assert.match(r.error, /:\d+:\d+: error: /, r.error);
  assert.equal(engine.bootLog(), logBefore);
  assert.equal(engine.frameCount(), frames);
  assert.ok(engine.proc('zoneinfo').text.includes('Node 0, zone    DMA32'));
});

test('a bad dmesg returns ok:false, and the machine survives', () => {
  const logBefore = engine.bootLog();
  const r = engine.bootDmesg('this is not a kernel log\n', 'pasted.txt');
  assert.equal(r.ok, false);
  assert.match(r.error, /error:/);
  assert.equal(engine.bootLog(), logBefore);
});

test('events() returns objects with every field', () => {
  const n = engine.eventCount();
  assert.ok(n > 0, 'a traced boot records events');
  const evs = engine.events(0, 50);
  assert.equal(evs.length, Math.min(50, n));
  const fields = ['seq', 'depth', 'kind', 'fn', 'node', 'zone', 'mt', 'order', 'cpu', 'pfn', 'a', 'b', 'c', 'text'];
  for (const [i, e] of evs.entries()) {
    assert.deepEqual(Object.keys(e).sort(), [...fields].sort());
    assert.equal(e.seq, i);
    assert.ok(['begin', 'end', 'step', 'warn'].includes(e.kind), e.kind);
    for (const f of fields) {
      if (f === 'kind' || f === 'fn' || f === 'text') assert.equal(typeof e[f], 'string', f);
      else assert.ok(Number.isFinite(e[f]), `${f} = ${e[f]}`);
    }
    assert.ok(e.pfn >= -1);
  }
  // Clamped, never throws.
  assert.deepEqual(engine.events(n, 10), []);
  assert.deepEqual(engine.events(-5, 0), []);
  assert.equal(engine.events(n - 1, 1e9).length, 1);
});

test('frameStateView covers every frame', () => {
  const count = engine.frameCount();
  assert.ok(Number.isInteger(count) && count > 0, `frameCount = ${count}`);
  const view = engine.frameStateView();
  assert.ok(view instanceof Uint8Array);
  assert.equal(view.length, count);
});

test('check() returns strings', () => {
  const v = engine.check();
  assert.ok(Array.isArray(v) && v.every((s) => typeof s === 'string'));
});

test('a fresh engine answers before its first boot', () => {
  const e = new mod.Engine();
  try {
    assert.equal(e.bootLog(), '');
    assert.equal(e.frameCount(), 0);
    assert.equal(e.frameStateView().length, 0);
    assert.equal(e.eventCount(), 0);
    assert.equal(e.proc('zoneinfo').ok, false);
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});
