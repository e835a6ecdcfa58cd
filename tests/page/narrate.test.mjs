// The page's narration against the engine's, and the template filler on
// hand-made events. The page fills the catalogue's templates itself
// (narrate.ts); the engine has its own filler (narration.cpp) behind
// Engine.narrate(). For every event of a few recorded operations both must
// give the same English and the same Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { event, newEngine, page } from './support.mjs';

let Catalog;
let narrate;
let motionOf;
let fill;
let engine;
let cat;
let rawCatalogue;

before(async () => {
  ({ Catalog } = await page('engine/catalogue.js'));
  ({ narrate, motionOf, fill } = await page('words/narrate.js'));
  engine = await newEngine();
  rawCatalogue = JSON.parse(engine.catalogue());
  cat = Catalog.parse(engine.catalogue());
});

after(() => engine?.delete());

/** Every event of operation `op` narrated by the page and by the engine, in both languages. */
function compareOp(op) {
  const n = engine.timeline()[op].events;
  const events = engine.opEvents(op, 0, n);
  assert.equal(events.length, n);
  const codes = new Map();
  for (const lang of ['en', 'zh']) {
    const theirs = engine.narrate(op, 0, n, lang);
    assert.equal(theirs.length, n, `engine.narrate(${op}, 0, ${n}, ${lang})`);
    events.forEach((ev, i) => {
      const ours = narrate(cat, ev, lang).text;
      assert.equal(ours, theirs[i], `op ${op} event ${i} (${ev.code}, ${ev.fn}) in ${lang}`);
      if (lang === 'en') codes.set(ev.code, (codes.get(ev.code) ?? 0) + 1);
    });
  }
  return codes;
}

test('cross-check: a traced boot of ram=128M cpus=1 narrates as the engine does', () => {
  assert.ok(engine.bootShorthand('ram=128M cpus=1').ok);
  const codes = compareOp(0);
  for (const code of ['printk', 'buddy_free', 'buddy_merge'])
    assert.ok(codes.get(code) > 0, `the boot records ${code}`);
});

test('cross-check: alloc_pages and a free that merges narrate as the engine does', () => {
  // Order 3 goes through the pcp lists, refilled from a split buddy block.
  const small = engine.allocPages({ gfp: 'GFP_KERNEL', order: 3 });
  assert.ok(small.ok, small.error || small.failure);
  const alloc = compareOp(engine.timeline().length - 1);
  for (const code of ['rmqueue_smallest', 'expand_split'])
    assert.ok(alloc.get(code) > 0, `alloc_pages records ${code}`);
  // Order 4 comes straight from the buddy lists and goes straight back, merging.
  const big = engine.allocPages({ gfp: 'GFP_KERNEL', order: 4 });
  assert.ok(big.ok, big.error || big.failure);
  compareOp(engine.timeline().length - 1);
  assert.ok(engine.freeBlock(big.pfn, 0).ok);
  const free = compareOp(engine.timeline().length - 1);
  assert.ok(free.get('buddy_merge') > 0, 'the free merges with a buddy');
  assert.ok(free.get('buddy_free') > 0, 'the merged block goes to a free list');
});

test('narration shows its arithmetic, as the engine does: buddy = pfn ^ (1 << order), free - (2^order - 1), count >= high', () => {
  // The checks, splits and merges of an order-0 and an order-3 alloc and a free.
  assert.ok(engine.allocPages({ gfp: 'GFP_KERNEL', order: 0 }).ok);
  const a = engine.allocPages({ gfp: 'GFP_KERNEL', order: 3 });
  assert.ok(a.ok, a.error || a.failure);
  assert.ok(engine.freeBlock(a.pfn, 0).ok);
  const tl = engine.timeline();
  const seen = new Set();
  for (const op of [tl.length - 3, tl.length - 2, tl.length - 1]) {
    const events = engine.opEvents(op, 0, tl[op].events);
    for (const lang of ['en', 'zh']) {
      const theirs = engine.narrate(op, 0, events.length, lang);
      events.forEach((ev, i) => {
        const text = narrate(cat, ev, lang).text;
        assert.equal(text, theirs[i], `${ev.code} in ${lang}`);
        if (lang !== 'en') return;
        if (ev.code.startsWith('wmark_') && ev.code !== 'wmark_ok_block') {
          assert.match(
            text,
            new RegExp(`unusable ${ev.args.unusable} \\(2\\^${ev.order} - 1 = ${2 ** ev.order - 1}`),
            text,
          );
          assert.match(text, new RegExp(`lowmem_reserve ${ev.args.reserve} = ${ev.args.mark + ev.args.reserve}`), text);
          seen.add('wmark');
        }
        if (ev.code === 'expand_split') {
          assert.ok(text.endsWith(`${ev.pfn ^ (1 << ev.order)} ^ (1 << ${ev.order}) = ${ev.pfn}`), text);
          seen.add('split');
        }
        if (ev.code === 'buddy_merge') {
          assert.ok(text.includes(`buddy ${ev.args.buddy} = ${ev.pfn} ^ (1 << ${ev.order})`), text);
          seen.add('merge');
        }
        if (ev.code === 'pcp_free') {
          assert.match(text, ev.args.spill ? / >= high \d+ -> free a batch/ : / < high \d+: it stays/, text);
          seen.add('pcp');
        }
      });
    }
  }
  for (const k of ['wmark', 'split', 'pcp']) assert.ok(seen.has(k), `an event of kind ${k} was checked`);
});

test('Engine.narrate: bad arguments give an empty list', () => {
  assert.deepEqual(engine.narrate(0, 0, 3, 'fr'), []);
  assert.deepEqual(engine.narrate(999, 0, 3, 'en'), []);
  assert.deepEqual(engine.narrate(-1, 0, 3, 'en'), []);
  assert.equal(engine.narrate(0, 0, 3, 'en').length, 3);
});

// ---- hand-made events ------------------------------------------------------------

/** The engine's catalogue plus one code `t` with the given args and templates. */
function withCode(args, en, zh = en) {
  const raw = structuredClone(rawCatalogue);
  raw.events.push({ code: 't', fn: 'test_fn', kind: 'step', motion: 'check', args, en, zh });
  return Catalog.from(raw);
}

test('every argument type is shown as the engine shows it', () => {
  const args = [
    'pfn',
    'order',
    'mt',
    'zone',
    'cpu',
    'buddy',
    'to_order',
    'fallback',
    'pages',
    'points',
    'size',
    'base',
    'addr',
    'gfp',
    'alloc_flags',
    'flags',
    'wmark',
    'ok',
    'cache',
    'pid',
    'highest',
  ];
  const types = new Set(args.map((a) => rawCatalogue.args[a]));
  // Every type but Node (an event carries `zone` or `node`, not both) is here; Node is below.
  const allTypes = new Set(Object.values(rawCatalogue.args));
  for (const t of allTypes) if (t !== 'Node') assert.ok(types.has(t), `type ${t} is exercised`);
  const tpl = args.map((a) => `${a}={${a}}`).join(' ');
  const c = withCode(args, tpl);
  const ev = event({
    code: 't',
    pfn: 4096,
    order: 3,
    mt: 1,
    zone: 1,
    node: 0,
    cpu: 2,
    args: {
      buddy: 4104,
      to_order: 4,
      fallback: 2,
      pages: 512,
      points: -7,
      size: 65536,
      base: 0x1000000,
      addr: '0xffff888004a1c080',
      gfp: 'GFP_KERNEL',
      alloc_flags: 'ALLOC_WMARK_LOW',
      flags: 'SLAB_HWCACHE_ALIGN',
      wmark: 1,
      ok: 1,
      cache: 'kmalloc-128',
      pid: 42,
      highest: 2,
    },
  });
  assert.equal(
    narrate(c, ev, 'en').text,
    'pfn=4096 order=3 mt=Movable zone=Node 0 DMA32 cpu=2 buddy=4104 to_order=4 fallback=Reclaimable pages=512 ' +
      'points=-7 size=65536 base=0x0000000001000000 addr=0xffff888004a1c080 gfp=GFP_KERNEL ' +
      'alloc_flags=ALLOC_WMARK_LOW flags=SLAB_HWCACHE_ALIGN wmark=low ok=1 cache=kmalloc-128 pid=42 highest=Normal',
  );
  const zh = narrate(c, ev, 'zh').text;
  assert.match(zh, /mt=可移动 zone=节点 0 DMA32 /);
  assert.match(zh, /fallback=可回收 /);

  const n = withCode(['node', 'pages'], 'node {node}: {pages}');
  assert.equal(narrate(n, event({ code: 't', node: 1, args: { pages: 3 } }), 'en').text, 'node 1: 3');
});

test('values the engine did not format: numbers for Addr, Gfp, AllocFlags, SlabFlags; out-of-range names', () => {
  const c = withCode(
    ['addr', 'gfp', 'alloc_flags', 'flags', 'mt', 'wmark', 'highest', 'zone'],
    '{addr} {gfp} {alloc_flags} {flags} {mt} {wmark} {highest} {zone}',
  );
  const ev = event({
    code: 't',
    mt: 9,
    zone: 7,
    node: 0,
    args: { addr: 255, gfp: 0xcc0, alloc_flags: 0, flags: 0x2000, wmark: 8, highest: -1 },
  });
  assert.equal(narrate(c, ev, 'en').text, '0xff 0xcc0 0x0 0x2000 ? ? ? Node 0 ?');
});

test('pieces: text and typed values, so the page can gloss words and point at values', () => {
  const c = withCode(['pfn', 'mt'], 'take pfn {pfn} from the {mt} list');
  const { pieces } = narrate(c, event({ code: 't', pfn: 77, mt: 0 }), 'en');
  assert.deepEqual(pieces, [
    { kind: 'text', text: 'take pfn ' },
    { kind: 'value', text: '77', arg: 'pfn', type: 'Pfn', value: 77 },
    { kind: 'text', text: ' from the ' },
    { kind: 'value', text: 'Unmovable', arg: 'mt', type: 'MigrateType', value: 0 },
    { kind: 'text', text: ' list' },
  ]);
});

test('choices: {name?A|B} picks by the value, and a branch may hold placeholders', () => {
  const c = withCode(
    ['grew', 'tail', 'pfn', 'order'],
    '{grew?merged into {pfn}|no buddy,} order {order} to the {tail?tail|head}',
  );
  const on = event({ code: 't', pfn: 8, order: 2, args: { grew: 1, tail: 0 } });
  const off = event({ code: 't', pfn: 8, order: 2, args: { grew: 0, tail: 1 } });
  assert.equal(narrate(c, on, 'en').text, 'merged into 8 order 2 to the head');
  assert.equal(narrate(c, off, 'en').text, 'no buddy, order 2 to the tail');
  // A branch's value is still a typed piece.
  assert.ok(narrate(c, on, 'en').pieces.some((p) => p.kind === 'value' && p.arg === 'pfn'));
  // A missing argument reads as 0, as in the engine.
  assert.equal(narrate(c, event({ code: 't', pfn: 8, order: 2 }), 'en').text, 'no buddy, order 2 to the head');
  // Empty branches.
  const e = withCode(['ok'], '[{ok?|not }ok]');
  assert.equal(narrate(e, event({ code: 't', args: { ok: 1 } }), 'en').text, '[ok]');
  assert.equal(narrate(e, event({ code: 't', args: { ok: 0 } }), 'en').text, '[not ok]');
});

test('a placeholder the code does not declare stays visible and harms nothing', () => {
  const c = withCode(['pfn'], 'pfn {pfn}, {nonesuch} and {also?a|b}; {order}');
  const n = narrate(c, event({ code: 't', pfn: 5, order: 3 }), 'en');
  // `order` is a known argument name, but not one this code declares.
  assert.equal(n.text, 'pfn 5, {nonesuch} and {also}; {order}');
  assert.deepEqual(
    n.pieces.filter((p) => p.kind === 'unknown').map((p) => p.arg),
    ['nonesuch', 'also', 'order'],
  );
  // Malformed templates keep their text.
  assert.equal(narrate(withCode(['pfn'], 'pfn {pfn} {pfn'), event({ code: 't', pfn: 1 }), 'en').text, 'pfn 1 {pfn');
  assert.equal(narrate(withCode(['ok'], 'a {ok?yes} b'), event({ code: 't' }), 'en').text, 'a {ok?yes} b');
});

test('an end event says its function returns; an unknown code names itself', () => {
  const end = event({ code: 'alloc_pages', fn: '__alloc_pages', kind: 'end', pfn: 8, order: 0 });
  assert.equal(narrate(cat, end, 'en').text, '__alloc_pages returns.');
  assert.equal(narrate(cat, end, 'zh').text, '__alloc_pages 返回。');
  assert.equal(narrate(cat, event({ code: 'from_a_newer_engine', fn: 'f' }), 'zh').text, 'from_a_newer_engine');
});

test('motions come from the catalogue', () => {
  const m = (fields) => motionOf(cat, event(fields));
  assert.equal(m({ code: 'buddy_merge', fn: '__free_one_page' }), 'merge');
  assert.equal(m({ code: 'buddy_free', fn: '__free_one_page' }), 'give');
  assert.equal(m({ code: 'rmqueue_smallest', fn: '__rmqueue_smallest' }), 'take');
  assert.equal(m({ code: 'expand_split', fn: 'expand' }), 'split');
  assert.equal(m({ code: 'printk', fn: 'printk' }), 'none');
  assert.equal(m({ code: 'buddy_merge', kind: 'end' }), 'none');
  // rmqueue_bulk opens as a phase (no motion); the pages arrive on its step.
  assert.equal(m({ code: 'pcp_refill', fn: 'rmqueue_bulk', kind: 'begin' }), 'none');
  assert.equal(m({ code: 'pcp_refilled', fn: 'rmqueue_bulk' }), 'pcp-refill');
  assert.equal(m({ code: 'no_such_code', fn: 'rmqueue_bulk' }), 'none');
  for (const e of rawCatalogue.events) {
    assert.ok(rawCatalogue.names.motion.includes(e.motion), `${e.code}: motion ${e.motion} is a known motion`);
  }
});

test('fill() alone: the declared list decides what a placeholder may name', () => {
  const ev = event({ pfn: 3, args: { pages: 2 } });
  assert.deepEqual(
    fill(cat, '{pfn}/{pages}', ev, ['pfn'], 'en').map((p) => p.text),
    ['3', '/', '{pages}'],
  );
});
