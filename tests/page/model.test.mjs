// The model's pure update functions: each returns a new model and leaves
// the old one as it was; what an operation does not concern stays.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { event, page } from './support.mjs';

let M;
let shownEventIndex;
let highlightTarget;
before(async () => {
  M = await page('model/page.js');
  ({ shownEventIndex } = await page('model/page.js'));
  ({ highlightTarget } = await page('model/highlight.js'));
});

const machine = (label = 'ram=1G cpus=2') => ({
  label,
  bootLog: 'Zone ranges:\n',
  frameCount: 262144,
  eventCount: 9000,
});

/** Deep-frozen, so an update that writes into the old model throws. */
function frozen(m) {
  const freeze = (v) => {
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
      Object.freeze(v);
      for (const k of Object.keys(v)) freeze(v[k]);
    }
    return v;
  };
  return freeze(m);
}

test('the initial model', () => {
  const m = M.initialModel('zh', 'ram=128M cpus=1');
  assert.equal(m.lang, 'zh');
  assert.equal(m.spec, 'ram=128M cpus=1');
  assert.equal(m.tab, 'zones');
  assert.equal(m.machine, null);
  assert.deepEqual(m.allocations, []);
  assert.ok(m.player.timeline.empty);
  assert.equal(m.player.atEnd, true);
  assert.equal(m.player.event, null);
});

test('small setters change one field', () => {
  const m = frozen(M.initialModel('en', 'x'));
  assert.equal(M.withLang(m, 'zh').lang, 'zh');
  assert.equal(M.withTab(m, 'slab').tab, 'slab');
  assert.equal(M.withHelp(m, true).helpOpen, true);
  assert.deepEqual(M.withBusy(m, M.notice('booting', { what: 'x' })).busy, {
    key: 'booting',
    params: { what: 'x' },
    detail: '',
  });
  assert.equal(M.patch(m, { cmdText: 'drain' }).cmdText, 'drain');
  assert.equal(M.withScenarioText(m, 'spawn A').scenarioText, 'spawn A');
  assert.equal(M.withOomText(m, 'log').oomText, 'log');
  assert.equal(m.lang, 'en', 'the old model is unchanged');
});

test('a boot replaces the machine, keeps a /proc file that still exists, clears errors', () => {
  let m = M.initialModel('en', 'x');
  m = M.procShown(m, 'buddyinfo', 'Node 0 ...');
  m = M.withError(m, M.notice('procFailed', { name: 'x' }));
  m = frozen(m);
  const b = M.bootSucceeded(m, machine(), ['zoneinfo', 'buddyinfo']);
  assert.deepEqual(b.machine, machine());
  assert.equal(b.procName, 'buddyinfo');
  assert.equal(b.error, null);
  assert.equal(b.busy, null);
  assert.equal(M.bootSucceeded(m, machine(), ['zoneinfo']).procName, 'zoneinfo', 'a file gone falls back to the first');
  assert.equal(M.bootSucceeded(m, machine(), []).procName, '');
});

test('a failed boot changes only the error', () => {
  const m = frozen(M.bootSucceeded(M.initialModel('en', 'x'), machine(), ['zoneinfo']));
  const f = M.bootFailed(m, 'ram=1Q', '<machine>:1:5: error: bad size');
  assert.deepEqual(f.machine, m.machine);
  assert.deepEqual(f.error, {
    key: 'bootFailed',
    params: { what: 'ram=1Q' },
    detail: '<machine>:1:5: error: bad size',
  });
  assert.equal(M.machineChanged(m, machine('again')).machine.label, 'again');
  // With nothing booted yet (a link with a bad machine) it does not claim one runs.
  const none = M.bootFailed(frozen(M.initialModel('en', 'x')), 'ram=0', 'bad');
  assert.equal(none.error.key, 'bootFailedNone');
  assert.equal(none.machine, null);
});

test('a click on a frame that cannot be freed says why, by what the frame is', () => {
  assert.equal(M.notFreeableKey(3), 'freeWhyFree');
  assert.equal(M.notFreeableKey(4), 'freeWhyPcp');
  assert.equal(M.notFreeableKey(7), 'freeWhySlab');
  for (const k of [6, 8, 9]) assert.equal(M.notFreeableKey(k), 'freeWhyTask');
  assert.equal(M.notFreeableKey(5), 'freeWhyKernel');
  for (const k of [0, 1, 2]) assert.equal(M.notFreeableKey(k), 'freeWhyBoot');
  assert.equal(M.notFreeableKey(10), 'freeClickRefused');
});

test('/proc: shown, failed', () => {
  const m = frozen(M.initialModel('en', 'x'));
  const s = M.procShown(m, 'vmstat', 'nr_free_pages 1');
  assert.deepEqual([s.procName, s.procText], ['vmstat', 'nr_free_pages 1']);
  const f = M.procFailed(s, 'nonesuch', 'error: no such file');
  assert.deepEqual(
    [f.procName, f.procText, f.error.key, f.error.detail],
    ['nonesuch', '', 'procFailed', 'error: no such file'],
  );
});

test('allocations: newest first, freed by pfn, with their messages', () => {
  const a = { pfn: 512, order: 3, node: 0, zone: 'DMA32', gfp: 'GFP_KERNEL' };
  const b = { pfn: 1024, order: 0, node: 0, zone: 'Normal', gfp: 'GFP_ATOMIC' };
  let m = frozen(M.initialModel('en', 'x'));
  m = M.allocated(m, a);
  m = M.allocated(m, b);
  assert.deepEqual(
    m.allocations.map((x) => x.pfn),
    [1024, 512],
  );
  assert.deepEqual(M.allocated(M.initialModel('en', 'x'), a).allocMessage, {
    tone: 'ok',
    notice: { key: 'allocOk', params: { pfn: 512, order: 3, pages: 8, node: 0, zone: 'DMA32' }, detail: '' },
  });
  const f = M.freed(m, 512);
  assert.deepEqual(
    f.allocations.map((x) => x.pfn),
    [1024],
  );
  assert.deepEqual(f.allocMessage.notice.params, { pfn: 512, order: 3 });
  assert.equal(M.freed(m, 7).allocations.length, 2, 'an unknown pfn frees nothing from the list');
  assert.equal(M.freed(m, 7).allocMessage.notice.params.order, 0);
});

test('allocation outcomes have their tones', () => {
  const m = frozen(M.initialModel('en', 'x'));
  assert.equal(M.allocFailed(m, 'out of memory').allocMessage.tone, 'warn');
  assert.equal(M.allocRefused(m, 'gfp:1:1: error').allocMessage.tone, 'error');
  assert.equal(M.freeRefused(m, 3, 'not allocated').allocMessage.notice.params.pfn, 3);
  assert.equal(M.drained(m).allocMessage.notice.key, 'drained');
  assert.deepEqual(M.panelError(m, 'needMachine', '').allocMessage, {
    tone: 'error',
    notice: { key: 'needMachine', params: {}, detail: '' },
  });
  assert.deepEqual(M.withAllocForm(m, { gfp: 'GFP_ATOMIC', order: 2, cpu: 1, node: -1 }).allocForm.order, 2);
});

test('scenario and OOM results end the busy state', () => {
  const m = frozen(M.withBusy(M.initialModel('en', 'x'), M.notice('runningScenario')));
  const run = { ran: true, ok: true, output: '', failures: [], passed: 3, failed: 0 };
  const s = M.scenarioRan(m, run);
  assert.equal(s.busy, null);
  assert.deepEqual(s.scenarioRun, run);
  const o = M.oomReplayed(m, { ok: true, text: 'pid 109', error: '' });
  assert.equal(o.busy, null);
  assert.equal(o.oomReplay.text, 'pid 109');
});

// ---- the shown event, its breadcrumbs, its highlight ---------------------------------

const ops = [
  event({ kind: 'begin', fn: '__alloc_pages' }), // 0
  event({ kind: 'step', fn: 'prepare_alloc_pages' }), // 1
  event({ kind: 'begin', fn: 'rmqueue_bulk' }), // 2
  event({ kind: 'step', fn: '__rmqueue_smallest' }), // 3
  event({ kind: 'end' }), // 4
  event({ kind: 'end' }), // 5
];

test('the event shown at a cursor: the one just taken, an end too (it has its own sentence)', () => {
  assert.equal(shownEventIndex(ops.length, 0), -1, 'before the operation: none');
  assert.equal(shownEventIndex(ops.length, 1), 0);
  assert.equal(shownEventIndex(ops.length, 4), 3);
  assert.equal(shownEventIndex(ops.length, 5), 4, 'after an end: the end');
  assert.equal(shownEventIndex(ops.length, 6), 5);
  assert.equal(shownEventIndex(ops.length, 9), 5, 'past the last: the last');
  assert.equal(shownEventIndex(0, 3), -1, 'an operation without events');
});

test('highlight targets: a merge shows the buddy, a split the parent block', () => {
  const merge = event({ code: 'buddy_merge', pfn: 12, order: 2, args: { buddy: 8, merged: 8, to_order: 3 } });
  assert.deepEqual(highlightTarget(merge, 'merge'), { motion: 'merge', pfn: 12, order: 2, other: 8 });
  // expand_split names the upper half (pfn 24, order 3) of the block 16..31.
  const split = event({ code: 'expand_split', pfn: 24, order: 3 });
  assert.deepEqual(highlightTarget(split, 'split'), { motion: 'split', pfn: 16, order: 4, other: 24 });
  assert.deepEqual(highlightTarget(event({ pfn: 5, order: -1 }), 'take'), {
    motion: 'take',
    pfn: 5,
    order: 0,
    other: -1,
  });
  assert.equal(highlightTarget(event({ pfn: -1 }), 'give'), null);
});
