// Boundary test of the WebAssembly engine (contract: wasm/mm-engine.d.ts).
// Loads the node build (build/wasm/wasm/mm_wasm_node.js, or $MM_WASM_NODE)
// and checks what crosses the boundary: results are values, bad input is
// {ok:false, error} and never kills the instance, events have every field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
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
  const fields = ['seq', 'depth', 'kind', 'code', 'fn', 'node', 'zone', 'mt', 'order', 'cpu', 'pfn', 'args'];
  const catalogue = JSON.parse(engine.catalogue());
  const byCode = new Map(catalogue.events.map((c) => [c.code, c]));
  for (const [i, e] of evs.entries()) {
    assert.deepEqual(Object.keys(e).sort(), [...fields].sort());
    assert.equal(e.seq, i);
    assert.ok(['begin', 'end', 'step', 'warn'].includes(e.kind), e.kind);
    for (const f of fields) {
      if (f === 'kind' || f === 'fn' || f === 'code') assert.equal(typeof e[f], 'string', f);
      else if (f === 'args') assert.equal(typeof e[f], 'object', f);
      else assert.ok(Number.isFinite(e[f]), `${f} = ${e[f]}`);
    }
    assert.ok(e.pfn >= -1);
    // Every argument is one the catalogue declares for the code, and every
    // declared argument other than the identity fields is there.
    const entry = byCode.get(e.code);
    assert.ok(entry, `code ${e.code} is in the catalogue`);
    const identity = new Set(['pfn', 'order', 'mt', 'zone', 'node', 'cpu']);
    assert.deepEqual(Object.keys(e.args).sort(), entry.args.filter((a) => !identity.has(a)).sort());
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

// --- operations after boot: alloc/free/drain, scenarios, OOM replay, SLUB ----

const referenceDir = path.resolve(root, '../shared/reference/linux-6.1');

/** A fresh engine booted from `spec`, for tests that change the machine. */
function booted(spec = 'ram=1G cpus=2') {
  const e = new mod.Engine();
  const r = e.bootShorthand(spec);
  assert.equal(r.ok, true, r.error);
  return e;
}

test('allocPages order 3 GFP_KERNEL returns an aligned block; freeBlock frees it', () => {
  const e = booted();
  try {
    const buddyBefore = e.proc('buddyinfo').text;
    const r = e.allocPages({ gfp: 'GFP_KERNEL', order: 3, cpu: 0, node: -1 });
    assert.deepEqual(Object.keys(r).sort(), ['error', 'failure', 'node', 'ok', 'order', 'pfn', 'reason', 'zone']);
    assert.equal(r.ok, true, r.error || r.failure);
    assert.equal(r.order, 3);
    assert.ok(Number.isInteger(r.pfn) && r.pfn >= 0 && r.pfn % 8 === 0, `pfn ${r.pfn}`);
    assert.equal(r.node, 0);
    assert.ok(['DMA', 'DMA32', 'Normal'].includes(r.zone), r.zone);
    assert.equal(r.error, '');
    assert.equal(r.failure, '');
    assert.equal(r.reason, '');
    assert.notEqual(e.proc('buddyinfo').text, buddyBefore, 'an order-3 allocation splits a buddy block');
    assert.deepEqual(e.check(), []);

    const f = e.freeBlock(r.pfn, 0);
    assert.deepEqual(f, { ok: true, error: '' });
    assert.deepEqual(e.check(), []);

    // Freeing the same (now free) block again is an error value that changes nothing.
    const buddyAfter = e.proc('buddyinfo').text;
    const again = e.freeBlock(r.pfn, 0);
    assert.equal(again.ok, false);
    assert.match(again.error, /error: /);
    assert.equal(e.proc('buddyinfo').text, buddyAfter);
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('allocPages defaults every field, and freePages takes the order', () => {
  const e = booted();
  try {
    const r = e.allocPages({});
    assert.equal(r.ok, true, r.error);
    assert.equal(r.order, 0);
    const wrong = e.freePages(r.pfn, 2, 0);
    assert.equal(wrong.ok, false, 'a wrong order is refused');
    assert.deepEqual(e.freePages(r.pfn, 0, 0), { ok: true, error: '' });
  } finally {
    e.delete();
  }
});

test('a bad gfp string is an error value with a suggestion, and the machine survives', () => {
  const e = booted();
  try {
    const zone = e.proc('zoneinfo').text;
    const r = e.allocPages({ gfp: 'GFP_KERNAL', order: 0, cpu: 0, node: -1 });
    assert.equal(r.ok, false);
    assert.equal(r.pfn, -1);
    assert.match(r.error, /^gfp:1:\d+: error: .*GFP_KERNAL/, r.error);
    assert.match(r.error, /did you mean GFP_KERNEL\?/, r.error);
    assert.equal(e.proc('zoneinfo').text, zone);
    assert.equal(e.allocPages({ gfp: 'GFP_KERNEL|__GFP_ZERO', order: 1 }).ok, true);
  } finally {
    e.delete();
  }
});

test('bad allocPages arguments never throw', () => {
  const e = booted();
  try {
    const bad = [
      undefined,
      null,
      42,
      'GFP_KERNEL',
      { order: 11 },
      { order: -1 },
      { order: 1.5 },
      { order: NaN },
      { cpu: 7 },
      { node: 5 },
      { gfp: 3 },
      { order: '3' },
      { gfp: '' },
    ];
    for (const req of bad) {
      const r = e.allocPages(req);
      assert.equal(r.ok, false, JSON.stringify(req));
      assert.match(r.error, /error: /, `${JSON.stringify(req)}: ${r.error}`);
    }
    for (const [pfn, cpu] of [
      [-1, 0],
      [NaN, 0],
      [1.5, 0],
      [2 ** 60, 0],
      [0, -3],
      [0, 99],
    ]) {
      const r = e.freeBlock(pfn, cpu);
      assert.equal(r.ok, false, `freeBlock(${pfn}, ${cpu})`);
      assert.match(r.error, /error: /);
    }
    assert.deepEqual(e.check(), []);
    assert.equal(e.allocPages({ order: 0 }).ok, true, 'still works');
  } finally {
    e.delete();
  }
});

test('drain one CPU, every CPU, and a CPU that does not exist', () => {
  const e = booted();
  try {
    const a = e.allocPages({ order: 0, cpu: 1 });
    assert.equal(a.ok, true);
    assert.deepEqual(e.freeBlock(a.pfn, 1), { ok: true, error: '' });
    assert.deepEqual(e.drain(1), { ok: true, error: '' });
    assert.deepEqual(e.drain(-1), { ok: true, error: '' });
    const bad = e.drain(9);
    assert.equal(bad.ok, false);
    assert.match(bad.error, /error: .*CPU/, bad.error);
    assert.equal(e.drain(-2).ok, false);
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('operations before the first boot are error values', () => {
  const e = new mod.Engine();
  try {
    assert.match(e.allocPages({ order: 0 }).error, /error: /);
    assert.match(e.freeBlock(0, 0).error, /error: /);
    assert.match(e.drain(-1).error, /error: /);
    assert.equal(e.kmalloc(64, 'GFP_KERNEL', 0).ok, false);
  } finally {
    e.delete();
  }
});

const OOM_SCENARIO = `# five hogs, then one that grows until the OOM killer runs
machine ram=256M cpus=1
spawn A anon=30M adj=0
spawn B anon=30M adj=500
spawn D anon=8M adj=1000
spawn E anon=30M adj=-1000
proc tasks
spawn T anon=1G
expect oom_kills >= 1
expect task D alive == 0
expect task E alive == 1
expect log contains "Out of memory: Killed process"
`;

test('runScenario runs, keeps its machine, and appends the OOM reports to bootLog()', () => {
  const e = booted();
  try {
    const r = e.runScenario(OOM_SCENARIO);
    assert.deepEqual(Object.keys(r).sort(), [
      'col',
      'error',
      'failed',
      'failures',
      'line',
      'ok',
      'output',
      'passed',
      'ran',
    ]);
    assert.equal(r.ok, true, JSON.stringify(r.failures));
    assert.equal(r.ran, true);
    assert.equal(r.error, '');
    assert.deepEqual(r.failures, []);
    assert.equal(r.passed, 4);
    assert.equal(r.failed, 0);
    assert.ok(r.output.length > 0, 'proc tasks printed something');
    // The scenario's machine stays: 256M now, with the OOM report in its log.
    assert.match(e.bootLog(), /Out of memory: Killed process \d+ \(D\)/);
    assert.match(e.bootLog(), /invoked oom-killer/);
    assert.ok(e.frameCount() < 262144 / 2, `frameCount ${e.frameCount()}`);
    assert.ok(e.proc('tasks').ok);
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('runScenario reports a failing expect with line:col', () => {
  const e = booted();
  try {
    const r = e.runScenario('machine ram=256M cpus=1\nexpect cpus == 1\nexpect cpus == 4\n');
    assert.equal(r.ok, false);
    assert.equal(r.ran, true);
    assert.equal(r.passed, 1);
    assert.equal(r.failed, 1);
    assert.equal(r.failures.length, 1);
    const f = r.failures[0];
    assert.deepEqual(Object.keys(f).sort(), ['col', 'line', 'message', 'text']);
    assert.equal(f.line, 3);
    assert.ok(f.col >= 1);
    assert.match(f.message, /expect failed/);
    assert.match(f.text, /^scenario:3:\d+: error: expect failed/);
  } finally {
    e.delete();
  }
});

test('a scenario with a typo is a parse error with line:col, and the machine is kept', () => {
  const e = booted();
  try {
    const log = e.bootLog();
    const r = e.runScenario('machine ram=256M cpus=1\n  spwan A anon=10M\n');
    assert.equal(r.ok, false);
    assert.equal(r.ran, false);
    assert.equal(r.line, 2);
    assert.equal(r.col, 3);
    assert.match(r.error, /^scenario:2:3: error: .*spwan/, r.error);
    assert.equal(r.output, '');
    assert.deepEqual(r.failures, []);
    assert.equal(e.bootLog(), log, 'nothing ran');
    // On an engine without a machine, a scenario that never boots is a parse error too.
    const fresh = new mod.Engine();
    try {
      assert.equal(fresh.runScenario('').ran, false);
    } finally {
      fresh.delete();
    }
  } finally {
    e.delete();
  }
});

test('oomReplay of the reference capture names pid 109 first', () => {
  const text = readFileSync(path.join(referenceDir, 'oom-m256-smp1/dmesg.txt'), 'utf8');
  const e = new mod.Engine(); // no machine needed
  try {
    const r = e.oomReplay(text);
    assert.deepEqual(Object.keys(r).sort(), ['error', 'ok', 'text']);
    assert.equal(r.ok, true, r.error);
    const kills = [...r.text.matchAll(/Out of memory: Killed process (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(kills.length >= 1, r.text.slice(0, 600));
    assert.equal(kills[0], 109);
    assert.equal(e.bootLog(), '', 'the replay boots nothing on this engine');

    const none = e.oomReplay('just some text\n');
    assert.equal(none.ok, false);
    assert.equal(none.text, '');
    assert.match(none.error, /error: /);
  } finally {
    e.delete();
  }
});

test('SLUB: kmalloc, kfree, double free, caches', () => {
  const e = booted();
  try {
    const k = e.kmalloc(100, 'GFP_KERNEL', 0);
    assert.deepEqual(Object.keys(k).sort(), ['addr', 'cache', 'error', 'failure', 'index', 'ok', 'pfn']);
    assert.equal(k.ok, true, k.error || k.failure);
    assert.match(k.addr, /^0xffff888[0-9a-f]+$/);
    assert.equal(k.cache, 'kmalloc-128');
    assert.ok(k.pfn >= 0 && k.index >= 0);
    assert.deepEqual(e.kfree(k.addr, 0), { ok: true, error: '' });
    const twice = e.kfree(k.addr, 0);
    assert.equal(twice.ok, false);
    assert.match(twice.error, /error: /);
    assert.equal(e.kfree('not an address', 0).ok, false);
    assert.match(e.kmalloc(64, 'GFP_KERNAL', 0).error, /did you mean GFP_KERNEL\?/);

    assert.deepEqual(e.kmemCacheCreate('figo_object', 20, 8, ''), { ok: true, error: '' });
    const o = e.kmemCacheAlloc('figo_object', 'GFP_KERNEL', 0);
    assert.equal(o.ok, true, o.error);
    assert.equal(o.cache, 'figo_object');
    assert.equal(e.kmemCacheDestroy('figo_object').ok, false, 'refused while objects are live');
    assert.deepEqual(e.kmemCacheFree('figo_object', o.addr, 0), { ok: true, error: '' });
    assert.deepEqual(e.kmemCacheShrink('figo_object'), { ok: true, error: '' });
    const view = e.slabView('kmalloc-128');
    assert.equal(view.ok, true, view.error);
    assert.ok(view.text.length > 0);
    assert.equal(e.slabView('no-such-cache').ok, false);
    assert.deepEqual(e.kmemCacheDestroy('figo_object'), { ok: true, error: '' });
    assert.equal(e.kmemCacheCreate('bad', 20, 0, 'SLAB_NOPE').ok, false);
    assert.ok(e.proc('slabinfo').text.startsWith('slabinfo - version: 2.1'));
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('a scenario is one operation per statement in one group; undo takes the group, undoStatement one', () => {
  const e = new mod.Engine();
  try {
    assert.equal(e.bootShorthand('ram=256M cpus=1').ok, true);
    const r = e.runScenario('spawn a anon=4M\necho hi\nspawn b anon=4M\nexpect task b alive == 1\n');
    assert.equal(r.ok, true, r.error);
    const tl = e.timeline();
    assert.deepEqual(
      tl.map((o) => o.label),
      ['boot ram=256M cpus=1', 'spawn a anon=4M', 'spawn b anon=4M'],
    );
    assert.equal(tl[1].group, tl[2].group);
    assert.notEqual(tl[0].group, tl[1].group);
    assert.equal(e.cursor().dropped, 0);
    assert.equal(e.undoStatement().ok, true);
    assert.equal(e.timeline().length, 2);
    assert.equal(e.redoStatement().ok, true);
    assert.equal(e.undo().ok, true, 'the whole scenario');
    assert.deepEqual(
      e.timeline().map((o) => o.label),
      ['boot ram=256M cpus=1'],
    );
    assert.equal(e.redo().ok, true);
    assert.equal(e.timeline().length, 3);
  } finally {
    e.delete();
  }
});

test('setHistoryBudget: a small history lets the oldest operations go and the cursor counts them', () => {
  const e = new mod.Engine();
  try {
    assert.equal(e.setHistoryBudget(1).ok, false, 'below 2 MiB is refused');
    assert.equal(e.setHistoryBudget(385).ok, false, 'above 384 MiB is refused');
    assert.equal(e.setHistoryBudget(2).ok, true);
    assert.equal(e.bootShorthand('ram=1G cpus=2').ok, true);
    for (let i = 0; i < 40; i++) assert.equal(e.runCommand(`spawn t${i} anon=1M`).ok, true);
    const dropped = e.cursor().dropped;
    assert.ok(dropped > 0, `2 MiB holds fewer than 41 operations (dropped ${dropped})`);
    assert.equal(e.timeline().length, 41 - dropped, 'the timeline holds what was kept');
    let undone = 0;
    while (e.undoStatement().ok) undone++;
    assert.equal(undone, 41 - dropped, 'what was kept can be undone, the oldest kept too');
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('undo takes operations back to the boot, redo replays them', () => {
  const e = new mod.Engine();
  try {
    assert.equal(e.bootShorthand('ram=256M cpus=1').ok, true);
    const zoneinfo = e.proc('zoneinfo').text;
    const a = e.allocPages({ gfp: 'GFP_KERNEL', order: 3, cpu: 0 });
    assert.equal(a.ok, true, a.error);
    assert.notEqual(e.proc('zoneinfo').text, zoneinfo);
    assert.equal(e.history().at(-1), 'alloc_pages(GFP_KERNEL, 3)');
    assert.equal(e.undo().ok, true);
    assert.equal(e.proc('zoneinfo').text, zoneinfo, 'back to the boot state');
    assert.equal(e.redoDepth(), 1);
    assert.equal(e.redo().ok, true);
    assert.notEqual(e.proc('zoneinfo').text, zoneinfo);
    assert.equal(e.redo().ok, false);
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('timeline: a cursor between any two events, and views of the machine there', () => {
  assert.equal(engine.bootShorthand('ram=128M cpus=2').ok, true);
  const a = engine.allocPages({ order: 2 });
  assert.equal(a.ok, true, a.error);
  const ops = engine.timeline();
  assert.ok(ops.length >= 2);
  const last = ops.length - 1;
  assert.equal(ops[last].label, 'alloc_pages(GFP_KERNEL, 2)');
  assert.ok(ops[last].events > 2);
  assert.deepEqual(engine.cursor(), { op: last, pos: ops[last].events, atEnd: true, dropped: 0 });

  // The live state: the block is allocated and freeable.
  const live = JSON.parse(engine.frameInfoJson(a.pfn));
  assert.equal(live.ok, true);
  assert.equal(live.head, a.pfn);
  assert.equal(live.order, 2);
  assert.equal(live.freeable, true);

  // Before the operation the same frame is free; the map says so too.
  assert.equal(engine.seek(last, 0).ok, true);
  assert.equal(engine.cursor().atEnd, false);
  assert.equal(JSON.parse(engine.frameInfoJson(a.pfn)).kind, 3 /* Free */);
  const cells = engine.mapCells();
  assert.equal(cells.length, engine.frameCount());
  assert.equal(cells[a.pfn] & 0x0f, 3);

  // Half way through, the replay has recorded exactly the events before the cursor.
  const half = Math.floor(ops[last].events / 2);
  assert.equal(engine.seek(last, half).ok, true);
  const ev = engine.opEvents(last, 0, ops[last].events);
  assert.equal(ev.length, ops[last].events);
  assert.equal(ev[0].fn, '__alloc_pages');

  const state = JSON.parse(engine.stateJson());
  assert.equal(state.booted, true);
  assert.ok(state.zones.some((z) => z.name === 'DMA32' && z.managed > 0 && z.pcp.length === 2));
  assert.equal(
    state.cellCounts.reduce((x, y) => x + y, 0),
    engine.frameCount(),
  );
  assert.deepEqual(state.zoneTypes, [0, 1, 2, 3, 4]); // Debian's build: every zone type

  // Bad input is a value; the cursor stays where it was.
  const bad = engine.seek(99, 0);
  assert.equal(bad.ok, false);
  assert.match(bad.error, /no operation 99/);
  assert.equal(engine.seek(-1, 0).ok, false);
  assert.equal(JSON.parse(engine.frameInfoJson(1e12)).ok, false);
  assert.equal(engine.slabDetail('no-such-cache').ok, false);
  assert.deepEqual(engine.freeBlocks(0, 99, 0, 0, 10), []);

  engine.seekEnd();
  assert.equal(engine.cursor().atEnd, true);
  const detail = engine.slabDetail('kmalloc-64');
  assert.equal(detail.ok, true, detail.error);
  assert.equal(JSON.parse(detail.text).cache.name, 'kmalloc-64');
  const dma32 = state.zones.find((z) => z.name === 'DMA32');
  const blocks = engine.freeBlocks(dma32.node, dma32.type, 10, 1, 5);
  assert.ok(blocks.length > 0 && blocks.every((p) => Number.isInteger(p)));
  assert.equal(JSON.parse(engine.frameInfoJson(blocks[0])).order, 10);
});

test('a kernel without ZONE_DMA: state() lists the zone types it has, and no DMA zone', () => {
  assert.equal(engine.bootShorthand('ram=256M cpus=1 zone_dma=off').ok, true);
  const state = JSON.parse(engine.stateJson());
  assert.deepEqual(state.zoneTypes, [1, 2, 3, 4]);
  assert.ok(state.zones.every((z) => z.name !== 'DMA'));
  const dma32 = state.zones.find((z) => z.name === 'DMA32');
  assert.equal(dma32.startPfn, 1); // DMA32 from the first RAM page
});

test('acting in the past drops the future; freeing a task page is refused', () => {
  assert.equal(engine.bootShorthand('ram=128M cpus=1').ok, true);
  assert.equal(engine.runScenario('spawn A anon=8M\n').ok, true);
  const n = engine.timeline().length;
  assert.equal(engine.seek(n - 1, 0).ok, true); // before "spawn A"
  assert.equal(engine.drain(-1).ok, true);
  const ops = engine.timeline();
  assert.equal(ops.length, n);
  assert.equal(ops[n - 1].label, 'drain_all_pages');
  assert.ok(!engine.proc('tasks').text.includes(' A'));

  assert.equal(engine.runScenario('spawn B anon=8M\n').ok, true);
  const cells = engine.mapCells();
  const anon = cells.findIndex((c) => (c & 0x0f) === 8 /* Anon */);
  assert.ok(anon >= 0);
  const info = JSON.parse(engine.frameInfoJson(anon));
  assert.equal(info.freeable, false);
  const r = engine.freeBlock(info.head, 0);
  assert.equal(r.ok, false);
  assert.deepEqual(engine.check(), []);
});

// --- the binding table: one row per operation, one message per refusal -------

/** A value each argument kind accepts (on a booted 2-CPU machine). */
const GOOD = {
  whole: 0,
  bytes: 1,
  order: 0,
  pfn: 0,
  cpu: 0,
  cpuOrAll: -1,
  node: -1,
  gfp: 'GFP_KERNEL',
  slabFlags: '',
  addr: '0x0',
  text: 'x',
};
const NUMERIC = new Set(['whole', 'bytes', 'order', 'pfn', 'cpu', 'cpuOrAll', 'node']);

/** Calls operation `op` (a row of engine.operations()) with argument i set to `bad`. */
function callWith(e, op, i, bad) {
  const values = op.args.map((a, j) => (j === i ? bad : GOOD[a.kind]));
  if (op.request) return e[op.name](Object.fromEntries(op.args.map((a, j) => [a.name, values[j]])));
  return e[op.name](...values);
}

test('the binding table lists every operation, each an Engine method', () => {
  const ops = engine.operations();
  assert.deepEqual(
    ops.map((o) => o.name),
    [
      'bootShorthand',
      'bootDmesg',
      'runScenario',
      'runCommand',
      'oomReplay',
      'compareKernels',
      'proc',
      'slabView',
      'slabDetail',
      'allocPages',
      'freePages',
      'freeBlock',
      'drain',
      'kmalloc',
      'kfree',
      'kmemCacheCreate',
      'kmemCacheAlloc',
      'kmemCacheFree',
      'kmemCacheDestroy',
      'kmemCacheShrink',
      'undo',
      'redo',
      'undoStatement',
      'redoStatement',
      'setHistoryBudget',
      'seek',
    ],
  );
  for (const op of ops) {
    assert.equal(typeof engine[op.name], 'function', op.name);
    for (const a of op.args) assert.ok(a.kind in GOOD, `${op.name}.${a.name}: kind ${a.kind}`);
  }
  const alloc = ops.find((o) => o.name === 'allocPages');
  assert.equal(alloc.request, true);
  assert.deepEqual(
    alloc.args.map((a) => [a.name, a.kind, a.optional]),
    [
      ['gfp', 'gfp', true],
      ['order', 'order', true],
      ['cpu', 'cpu', true],
      ['node', 'node', true],
    ],
  );
});

test('every argument of every operation is refused with the one template', () => {
  const e = booted();
  try {
    const kinds = new Set();
    let cases = 0;
    for (const op of e.operations()) {
      op.args.forEach((a, i) => {
        kinds.add(a.kind);
        // A value of the wrong type, and for numbers a fraction.
        const bads = NUMERIC.has(a.kind)
          ? [
              ['3', "'3'"],
              [2.5, '2.5'],
              [NaN, 'NaN'],
            ]
          : [
              [42, '42'],
              [[1], 'an array'],
            ];
        if (!a.optional) bads.push([undefined, 'undefined']);
        for (const [bad, shown] of bads) {
          const r = callWith(e, op, i, bad);
          const what = `${op.name}: ${a.name} = ${shown}`;
          assert.equal(r.ok, false, what);
          assert.ok(r.error.startsWith(`error: ${a.name} must be `), `${what}: ${r.error}`);
          assert.ok(r.error.endsWith(`, got ${shown}`), `${what}: ${r.error}`);
          cases++;
        }
      });
    }
    assert.deepEqual([...kinds].sort(), Object.keys(GOOD).sort(), 'the table uses every kind');
    assert.ok(cases > 60, `${cases} cases`);
    assert.deepEqual(e.check(), []);
    assert.equal(e.history().length, 1, 'nothing ran but the boot');
  } finally {
    e.delete();
  }
});

test('refusals name the argument, the accepted range and what was given', () => {
  const e = booted('ram=1G cpus=2');
  try {
    const maxOrder = JSON.parse(e.catalogue()).constants.MAX_ORDER;
    const frames = e.frameCount();
    const cases = [
      [() => e.allocPages({ cpu: -1 }), 'error: cpu must be a whole number from 0 to 1, got -1'],
      [() => e.allocPages({ cpu: 2 }), 'error: cpu must be a whole number from 0 to 1, got 2'],
      [() => e.allocPages({ cpu: 2.5 }), 'error: cpu must be a whole number from 0 to 1, got 2.5'],
      [
        () => e.allocPages({ order: maxOrder }),
        `error: order must be a whole number from 0 to ${maxOrder - 1}, got ${maxOrder}`,
      ],
      [() => e.allocPages({ node: 5 }), "error: node must be 0, or -1 for the CPU's node, got 5"],
      [() => e.allocPages({ order: '3' }), `error: order must be a whole number from 0 to ${maxOrder - 1}, got '3'`],
      [() => e.allocPages({ gfp: 3 }), 'error: gfp must be a gfp mask string such as "GFP_KERNEL", got 3'],
      [() => e.allocPages(42), 'error: request must be an object {gfp, order, cpu, node}, got 42'],
      [() => e.allocPages(null), 'error: request must be an object {gfp, order, cpu, node}, got null'],
      [() => e.drain(9), 'error: cpu must be a whole number from 0 to 1, or -1 for every CPU, got 9'],
      [() => e.drain(-2), 'error: cpu must be a whole number from 0 to 1, or -1 for every CPU, got -2'],
      [
        () => e.freeBlock(2 ** 60, 0),
        `error: pfn must be a whole number from 0 to ${frames - 1}, got 1152921504606846976`,
      ],
      [() => e.freeBlock(0, undefined), 'error: cpu must be a whole number from 0 to 1, got undefined'],
      [() => e.freePages(0, 0, -1), 'error: cpu must be a whole number from 0 to 1, got -1'],
      [() => e.kmalloc(64, 'GFP_KERNEL', -1), 'error: cpu must be a whole number from 0 to 1, got -1'],
      [
        () => e.kmalloc(-1, 'GFP_KERNEL', 0),
        'error: size must be a whole number of bytes from 0 to 9007199254740991, got -1',
      ],
      [
        () => e.kfree('not an address', 0),
        'error: addr must be a kernel address, hex "0x..." or decimal, got \'not an address\'',
      ],
      [
        () => e.kmemCacheCreate('c', 0, 0, ''),
        'error: size must be a whole number of bytes from 1 to 4294967295, got 0',
      ],
      [() => e.bootShorthand(42), 'error: spec must be a string (a machine shorthand such as "ram=1G cpus=2"), got 42'],
      [() => e.proc(true), 'error: name must be a string (a /proc view, one of procNames()), got true'],
      [() => e.seek(-1, 0), 'error: op must be a whole number from 0 to 9007199254740991, got -1'],
      [() => e.slabView({}), 'error: cache must be a string (a slab cache name), got an object'],
      [
        () => e.runScenario('x'.repeat(100)),
        null, // a string: parsed (and refused by the scenario parser, not by the table)
      ],
    ];
    for (const [call, message] of cases) {
      const r = call();
      assert.equal(r.ok, false, String(call));
      if (message) assert.equal(r.error, message, String(call));
    }
    // A long string is cut short in the message.
    assert.equal(
      e.kfree('0x' + 'z'.repeat(60), 0).error,
      `error: addr must be a kernel address, hex "0x..." or decimal, got '0x${'z'.repeat(38)}...'`,
    );
    // Parse errors keep the parser's words, named after the argument.
    assert.match(
      e.kmemCacheAlloc('kmalloc-64', 'GFP_KERNAL', 0).error,
      /^gfp:1:\d+: error: .*did you mean GFP_KERNEL\?/,
    );
    assert.match(e.kmemCacheCreate('c', 20, 0, 'SLAB_NOPE').error, /^flags:.*error: .*'SLAB_NOPE'/);
    assert.deepEqual(e.check(), []);
    // A good call still works.
    const a = e.allocPages({ cpu: 1 });
    assert.equal(a.ok, true, a.error);
    assert.deepEqual(e.freeBlock(a.pfn, 1), { ok: true, error: '' });
  } finally {
    e.delete();
  }
});

test('limits come from the machine at call time', () => {
  const e = booted('ram=256M cpus=1');
  try {
    assert.equal(e.allocPages({ cpu: 1 }).error, 'error: cpu must be 0, got 1');
    assert.equal(e.drain(1).error, 'error: cpu must be 0, or -1 for every CPU, got 1');
    assert.equal(e.bootShorthand('ram=256M cpus=4').ok, true);
    const a = e.allocPages({ cpu: 3 });
    assert.equal(a.ok, true, a.error);
    assert.equal(e.allocPages({ cpu: 4 }).error, 'error: cpu must be a whole number from 0 to 3, got 4');
  } finally {
    e.delete();
  }
  // Before the first boot only the lower bound is known; the Playground then says why.
  const fresh = new mod.Engine();
  try {
    assert.equal(fresh.freeBlock(0, -3).error, 'error: cpu must be a whole number from 0, got -3');
    assert.equal(fresh.freeBlock(0, 0).error, 'error: no machine has booted yet');
    assert.equal(fresh.undo().error, 'error: nothing to undo');
  } finally {
    fresh.delete();
  }
});

test('a session that records more events than the trace holds goes on: no abort, one trace_full, exact state', () => {
  // 48 tasks of 100 MiB on 128 MiB: each spawn ends in OOM kills, ~10 M
  // events in all. Recorded in full that is past what a wasm heap can hold
  // (std::bad_alloc, an abort on the page); the trace stops at its ceiling.
  const e = booted('ram=128M cpus=1');
  try {
    for (let i = 0; i < 48; i++) {
      const r = e.runCommand(`spawn t${i} anon=100M`);
      assert.equal(r.ok, true, `spawn t${i}: ${r.error} ${JSON.stringify(r.failures)}`);
    }
    const ops = e.timeline();
    let full = 0;
    let total = 0;
    for (let op = 0; op < ops.length; op++) {
      total += ops[op].events;
      if (ops[op].events === 0) continue;
      const last = e.opEvents(op, ops[op].events - 1, 1)[0];
      if (last.code === 'trace_full') full++;
    }
    assert.equal(full, 1, 'one operation ends with trace_full');
    assert.ok(total <= 4 * 1024 * 1024, `${total} events kept`);
    assert.deepEqual(e.check(), []);
    assert.match(e.proc('meminfo').text, /MemFree:/);
    // The session goes on and time travel still works.
    assert.equal(e.runCommand('kmalloc p 200').ok, true);
    assert.equal(e.undoStatement().ok, true);
    assert.equal(e.seek(1, 1).ok, true);
    assert.deepEqual(e.check(), []);
  } finally {
    e.delete();
  }
});

test('runCommand remembers names across calls; a failing command keeps nothing', () => {
  const e = booted('ram=256M cpus=1');
  try {
    const k = e.runCommand('kmalloc p 200');
    assert.equal(k.ran, true, k.error);
    assert.equal(k.ok, true);
    const ops = e.timeline().length;
    const f = e.runCommand('kfree p');
    assert.equal(f.ok, true, JSON.stringify(f.failures));
    assert.equal(e.timeline().length, ops + 1);
    // p is gone now: refused, with where and why, and not an operation.
    const again = e.runCommand('kfree p');
    assert.equal(again.ran, false);
    assert.equal(again.ok, false);
    assert.match(again.error, /^command:1:7: error: kfree: 'p' holds no object$/, 'the column of the name');
    assert.equal(e.timeline().length, ops + 1);
    // A later statement failing takes the earlier one back too.
    const two = e.runCommand('spawn B anon=8M\nkill nobody');
    assert.equal(two.ran, false);
    assert.equal(two.line, 2);
    assert.doesNotMatch(e.proc('tasks').text, / B\b/);
    assert.equal(e.timeline().length, ops + 1);
  } finally {
    e.delete();
  }
});

test('a run of statements that only look puts no operation on the timeline: ran is false, ok is true', () => {
  const e = new mod.Engine();
  try {
    assert.equal(e.bootShorthand('ram=256M cpus=1').ok, true);
    const before = e.timeline().length;
    const r = e.runScenario('proc buddyinfo\nexpect cpus == 1\n');
    assert.equal(r.ran, false);
    assert.equal(r.ok, true);
    assert.equal(r.error, '');
    assert.match(r.output, /Node 0, zone/);
    const c = e.runCommand('expect cpus == 1');
    assert.equal(c.ran, false);
    assert.equal(c.ok, true);
    assert.equal(e.timeline().length, before);
  } finally {
    e.delete();
  }
});

// --- Lessons and quizzes (wasm/lessons.cpp) ---------------------------------------

const shippedLessons = () =>
  readdirSync(path.join(root, 'lessons'))
    .filter((f) => f.endsWith('.lesson'))
    .sort();

test('lessons() lists every shipped lesson, in course order, with both titles', () => {
  const list = JSON.parse(engine.lessons());
  const files = shippedLessons();
  assert.equal(list.length, files.length);
  assert.deepEqual(
    list.map((l) => l.file),
    files,
  );
  for (const l of list) {
    assert.match(l.id, /^[a-z0-9_-]+$/);
    assert.ok(l.title.en && l.title.zh, `${l.id} has both titles`);
    assert.ok(l.steps > 0, `${l.id} has steps`);
  }
  assert.ok(list.some((l) => l.id === 'buddy'));
});

test('lessonSource() gives the shipped text byte for byte; an unknown id names the nearest', () => {
  const list = JSON.parse(engine.lessons());
  for (const l of list) {
    const r = engine.lessonSource(l.id);
    assert.equal(r.ok, true, r.error);
    assert.equal(r.text, readFileSync(path.join(root, 'lessons', l.file), 'utf8'));
  }
  const bad = engine.lessonSource('budy');
  assert.equal(bad.ok, false);
  assert.equal(bad.text, '');
  assert.match(bad.error, /^error: unknown lesson 'budy': did you mean 'buddy'\?/);
});

test('every shipped lesson compiles in wasm with ok:true, every answer computed', () => {
  for (const l of JSON.parse(engine.lessons())) {
    const src = engine.lessonSource(l.id);
    const r = engine.compileLesson(src.text, l.file);
    assert.equal(r.ok, true, `${l.file}: ${r.error}`);
    assert.equal(r.error, '');
    const c = JSON.parse(r.json);
    assert.equal(c.id, l.id);
    assert.equal(c.ok, true);
    assert.equal(c.steps.length, l.steps);
    const first = c.setup.length > 0 ? c.setup[0] : c.steps[0].statements[0];
    assert.match(first, /^machine\b/, `${l.id} boots first (in its setup or its first step)`);
    let questions = 0;
    for (const s of c.steps) {
      assert.ok(s.text.en && s.text.zh);
      if (s.stop !== '') {
        assert.ok(s.stop.event >= 0 && s.stop.event < s.events, `${l.id}/${s.name}: stop inside the step`);
        assert.ok(s.stop.narration.en && s.stop.narration.zh);
      }
      for (const q of s.questions) {
        questions++;
        assert.equal(q.computed, true, `${l.id}/${s.name}: ${q.source}`);
        if (q.kind === 'choice') assert.equal(q.choices[q.correct].replace(/\s/g, ''), q.answer.replace(/\s/g, ''));
        else assert.equal(String(q.number), q.answer);
      }
    }
    assert.equal(questions, l.questions);
  }
});

test('the buddy lesson compiles to the answers the lesson teaches', () => {
  const c = JSON.parse(engine.compileLesson(engine.lessonSource('buddy').text, '04-buddy.lesson').json);
  const split = c.steps[0];
  assert.equal(split.stop.code, 'expand_split');
  assert.equal(split.questions[0].number, 10, 'an order-10 block is taken');
  assert.equal(split.questions[1].answer, '9,8,7,6,5,4');
  assert.equal(c.steps[1].questions[0].number, 6, 'six merges');
});

test('a malformed lesson is an error with FILE:LINE:COL, and the instance lives on', () => {
  const text =
    'lesson demo\ntitle en: Demo\ntitle zh: 演示\nmachine ram=128M cpus=1\nstep one\nen: x\nzh: x\nalloc a order=3\nstop expnd_split\n';
  const r = engine.compileLesson(text, 'mine.lesson');
  assert.equal(r.ok, false);
  assert.equal(r.json, '');
  assert.match(r.error, /^mine\.lesson:9:\d+: error: .*expnd_split.*expand_split/);
  const unnamed = engine.compileLesson('not a lesson\n', '');
  assert.equal(unnamed.ok, false);
  assert.match(unnamed.error, /^<lesson>:1:\d+: error: /);
  // Parsed but does not run / incomplete: the compiled lesson and every problem.
  const bad = engine.compileLesson(text.replace('stop expnd_split', 'expect a.count == 2'), 'mine.lesson');
  assert.equal(bad.ok, false);
  assert.notEqual(bad.json, '');
  assert.equal(JSON.parse(bad.json).ok, false);
  assert.match(bad.error, /mine\.lesson:\d+:\d+: error: /);
  assert.equal(engine.bootShorthand('ram=128M cpus=1').ok, true, 'the engine still works');
});

test('quizTopics() and quiz(): well formed, deterministic, answers from the engine', () => {
  const topics = engine.quizTopics();
  assert.ok(topics.includes('buddy') && topics.includes('pcp') && topics.length >= 11, String(topics));
  for (const topic of topics) {
    const r = engine.quiz(topic, 7, 3, 'en');
    assert.equal(r.ok, true, `${topic}: ${r.error}`);
    const qs = JSON.parse(r.text);
    assert.equal(qs.length, 3);
    for (const [i, q] of qs.entries()) {
      assert.equal(q.topic, topic);
      assert.equal(q.seed, 7);
      assert.equal(q.index, i);
      assert.ok(q.question && q.answer, `${topic} #${i}`);
      if (q.choices.length > 0) assert.ok(q.choices.includes(q.answer), `${topic} #${i}: answer among the choices`);
    }
    assert.equal(engine.quiz(topic, 7, 3, 'en').text, r.text, `${topic}: same seed, same questions`);
    const zh = JSON.parse(engine.quiz(topic, 7, 3, 'zh').text);
    assert.deepEqual(
      zh.map((q) => q.answer),
      qs.map((q) => q.answer),
      `${topic}: the answers do not depend on the language`,
    );
  }
  assert.notEqual(engine.quiz('buddy', 8, 5, 'en').text, engine.quiz('buddy', 7, 5, 'en').text);
  // An independent check of one topic: the buddy of pfn at order is pfn ^ (1 << order).
  for (const q of JSON.parse(engine.quiz('buddy', 11, 10, 'en').text))
    if (/buddy/i.test(q.question) && !/merge/i.test(q.question) && typeof q.pfn === 'number')
      assert.equal(Number(q.answer), q.pfn ^ (1 << q.order), q.question);
});

test('quiz() refuses bad input with messages: an unknown topic names the nearest', () => {
  const r = engine.quiz('budy', 1, 5, 'en');
  assert.equal(r.ok, false);
  assert.match(r.error, /^error: unknown quiz topic 'budy': did you mean 'buddy'\?/);
  assert.match(engine.quiz('buddy', -1, 5, 'en').error, /^error: seed must be a whole number/);
  assert.match(engine.quiz('buddy', 1.5, 5, 'en').error, /^error: seed must be a whole number/);
  assert.match(engine.quiz('buddy', 1, 0, 'en').error, /^error: count must be a whole number from 1 to 50/);
  assert.match(engine.quiz('buddy', 1, 51, 'en').error, /count/);
  assert.match(engine.quiz('buddy', 1, 5, 'fr').error, /^error: lang must be en or zh/);
});

test('compareKernels: the differences as JSON, each reason a code of the catalogue, the running machine untouched', () => {
  const e = new mod.Engine();
  try {
    assert.equal(e.bootShorthand('ram=256M cpus=1').ok, true);
    const before = e.bootLog();
    const r = e.compareKernels('ram=1G cpus=2');
    assert.equal(r.ok, true, r.error);
    const rows = JSON.parse(r.text);
    const codes = new Set(JSON.parse(e.catalogue()).kernelDiffs.map((d) => d.code));
    assert.ok(rows.length > 20);
    for (const row of rows) {
      assert.deepEqual(Object.keys(row).sort(), ['v6_1', 'v6_12', 'what', 'why']);
      assert.ok(codes.has(row.why), row.why);
      assert.notEqual(row.v6_1, row.v6_12);
    }
    const managed = rows.find((row) => row.what === 'Node 0 DMA32 managed');
    assert.deepEqual([managed.v6_1, managed.v6_12, managed.why], ['242033', '243796', 'image']);
    assert.equal(e.bootLog(), before);
    const bad = e.compareKernels('ram=1G kernel=6.6');
    assert.equal(bad.ok, false);
    assert.match(bad.error, /^<machine>:1:15: error: kernel=6\.6 is not modelled/);
  } finally {
    e.delete();
  }
});
