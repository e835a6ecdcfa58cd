// The session as statements (model/session.ts): which operations of the
// timeline belong to which entry, the cursor as (statement, event), the list
// kept in step with the engine's undo, redo and "edit the past", and the
// panels' actions as statements.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { page } from './support.mjs';

let S;
before(async () => {
  S = await page('model/session.js');
});

const op = (events, group) => (group === undefined ? { label: '', events } : { label: '', events, group });
const boot = (spec) => ({ kind: 'boot', machine: { kind: 'shorthand', spec } });
const cmd = (text) => ({ kind: 'command', text });

test('opRanges: one operation an entry; a group of operations is one entry; dropped history is null', () => {
  assert.deepEqual(S.opRanges(3, [op(5), op(6), op(7)]), [
    { first: 0, end: 1 },
    { first: 1, end: 2 },
    { first: 2, end: 3 },
  ]);
  // A scenario recorded as one operation per statement, sharing a group id.
  assert.deepEqual(S.opRanges(3, [op(5), op(1, 7), op(2, 7), op(3, 7), op(4)]), [
    { first: 0, end: 1 },
    { first: 1, end: 4 },
    { first: 4, end: 5 },
  ]);
  // The engine dropped its oldest operations: the list's oldest entries have none.
  assert.deepEqual(S.opRanges(4, [op(1), op(2)]), [null, null, { first: 0, end: 1 }, { first: 1, end: 2 }]);
});

test('cursorOf: event E of statement S, across the operations of a group, clamped to its end', () => {
  const ops = [op(5), op(3, 1), op(4, 1)];
  const ranges = S.opRanges(2, ops);
  assert.deepEqual(S.cursorOf(ranges, ops, { statement: 0, event: 2 }), { op: 0, pos: 2 });
  assert.deepEqual(S.cursorOf(ranges, ops, { statement: 1, event: 0 }), { op: 1, pos: 0 });
  assert.deepEqual(S.cursorOf(ranges, ops, { statement: 1, event: 3 }), { op: 1, pos: 3 });
  assert.deepEqual(S.cursorOf(ranges, ops, { statement: 1, event: 5 }), { op: 2, pos: 2 });
  assert.deepEqual(S.cursorOf(ranges, ops, { statement: 1, event: 99 }), { op: 2, pos: 4 });
});

test('startsMachine: boots, and statements whose first line boots', () => {
  assert.equal(S.startsMachine(boot('ram=1G')), true);
  assert.equal(S.startsMachine({ kind: 'boot', machine: { kind: 'dmesg', text: 'x' } }), true);
  assert.equal(S.startsMachine(cmd('machine ram=1G cpus=2')), true);
  assert.equal(S.startsMachine({ kind: 'scenario', text: '# lesson 3\n\n  machine ram=256M\nspawn A' }), true);
  assert.equal(S.startsMachine({ kind: 'scenario', text: 'spawn A anon=1M\nmachine ram=256M' }), false);
  assert.equal(S.startsMachine(cmd('kmalloc p 200')), false);
});

test('SessionLog: undo, redo and an operation in the past keep the list as the engine keeps its timeline', () => {
  const log = new S.SessionLog();
  log.push(boot('ram=1G cpus=2'));
  log.push(cmd('alloc order=0 cpu=0'));
  log.push(cmd('kmalloc p 200'));
  log.undo();
  assert.deepEqual(
    log.entries.map((e) => e.text ?? e.machine.spec),
    ['ram=1G cpus=2', 'alloc order=0 cpu=0'],
  );
  log.redo();
  assert.equal(log.entries.length, 3);
  // The cursor inside operation 1: the engine keeps it whole, drops op 2.
  const ops = [op(100), op(20), op(30)];
  log.settle(ops, { op: 1, pos: 4 });
  assert.equal(log.entries.length, 2);
  log.push(cmd('drain all'));
  log.redo(); // nothing to redo after a new operation
  assert.deepEqual(
    log.entries.map((e) => e.text ?? e.machine.spec),
    ['ram=1G cpus=2', 'alloc order=0 cpu=0', 'drain all'],
  );
  // At the start of an operation the engine drops it too.
  log.settle([op(100), op(20), op(1)], { op: 1, pos: 0 });
  assert.equal(log.entries.length, 1);
});

test('sessionAt: from the boot before the cursor to the next boot; the cursor in its terms', () => {
  const log = new S.SessionLog();
  for (const e of [boot('a'), cmd('x'), boot('b'), cmd('y'), cmd('z'), cmd('machine ram=96M'), cmd('w')]) log.push(e);
  const ops = [10, 11, 12, 13, 14, 15, 16].map((n) => op(n));
  const names = (s) => s.entries.map((e) => e.text ?? e.machine.spec);
  let s = log.sessionAt(ops, { op: 3, pos: 4 });
  assert.deepEqual([names(s), s.at], [['b', 'y', 'z'], { statement: 1, event: 4 }]);
  s = log.sessionAt(ops, { op: 1, pos: 0 });
  assert.deepEqual([names(s), s.at], [['a', 'x'], { statement: 1, event: 0 }]);
  // The end of a session's last statement is its end: no cursor.
  s = log.sessionAt(ops, { op: 4, pos: 14 });
  assert.deepEqual([names(s), s.at], [['b', 'y', 'z'], null]);
  s = log.sessionAt(ops, null);
  assert.deepEqual([names(s), s.at], [['machine ram=96M', 'w'], null]);
  assert.equal(log.lastHead(), 5);
  // History the engine dropped still belongs to the list; a cursor on an unknown operation has none.
  assert.equal(log.sessionAt(ops.slice(3), { op: 0, pos: 1 }).entries.length, 3);
  assert.equal(new S.SessionLog().sessionAt(ops, null), null);
});

test('panel actions as statements', () => {
  assert.equal(
    S.allocStatement({ gfp: 'GFP_KERNEL | __GFP_ZERO', order: 3, cpu: 1, node: -1 }),
    'alloc order=3 gfp=GFP_KERNEL|__GFP_ZERO cpu=1',
  );
  assert.equal(S.allocStatement({ gfp: '', order: 0, cpu: NaN, node: 1 }), 'alloc order=0 cpu=0 node=1');
  assert.equal(S.freeStatement(4096, 3, 0), 'free pfn=4096 order=3 cpu=0');
  assert.equal(S.DRAIN_STATEMENT, 'drain all');
});
