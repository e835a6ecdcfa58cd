// The player clock: global steps over the timeline's operations, jumps, and
// how far playing advances per frame.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { page } from './support.mjs';

let Timeline;
let jumpTarget;
let scanMotion;
let STEP_KINDS;
let Clock;
let SPEEDS;
let DEFAULT_SPEED;
let MAX_RATE;
before(async () => {
  ({ Timeline, jumpTarget, Clock, SPEEDS, DEFAULT_SPEED, MAX_RATE, scanMotion, STEP_KINDS } =
    await page('clock/player.js'));
});

// boot (10 events), an operation with none, alloc (4), free (6): 20 steps.
const ops = () => [
  { label: 'boot', events: 10 },
  { label: 'nothing', events: 0 },
  { label: 'alloc', events: 4 },
  { label: 'free', events: 6 },
];

test('an empty timeline has one place', () => {
  const tl = new Timeline([]);
  assert.ok(tl.empty);
  assert.equal(tl.total, 0);
  assert.deepEqual(tl.place(5), { op: 0, pos: 0 });
  assert.equal(tl.global({ op: 3, pos: 3 }), 0);
  for (const j of ['back', 'forward', 'first', 'last']) assert.equal(jumpTarget(tl, 0, j), 0);
});

test('starts, total, and place/global are inverses', () => {
  const tl = new Timeline(ops());
  assert.deepEqual(tl.starts, [0, 10, 10, 14]);
  assert.equal(tl.total, 20);
  for (let g = 0; g <= tl.total; g++) assert.equal(tl.global(tl.place(g)), g, `g=${g}`);
});

test('the end of one operation is the start of the next; an empty operation only has its start', () => {
  const tl = new Timeline(ops());
  assert.deepEqual(tl.place(9), { op: 0, pos: 9 });
  assert.deepEqual(tl.place(10), { op: 2, pos: 0 }, 'the empty op 1 is skipped');
  assert.deepEqual(tl.place(14), { op: 3, pos: 0 });
  assert.deepEqual(tl.place(20), { op: 3, pos: 6 }, 'the very end stays in the last operation');
  assert.equal(tl.global({ op: 1, pos: 0 }), 10);
  assert.equal(tl.global({ op: 0, pos: 10 }), 10);
});

test('place and global clamp and round', () => {
  const tl = new Timeline(ops());
  assert.deepEqual(tl.place(-5), { op: 0, pos: 0 });
  assert.deepEqual(tl.place(99), { op: 3, pos: 6 });
  assert.deepEqual(tl.place(2.6), { op: 0, pos: 3 });
  assert.equal(tl.global({ op: 9, pos: 99 }), 20);
  assert.equal(tl.global({ op: -1, pos: -4 }), 0);
  assert.equal(tl.global({ op: 2, pos: 99 }), 14, 'pos clamps to the operation');
});

test('opBounds', () => {
  const tl = new Timeline(ops());
  assert.deepEqual(tl.opBounds(3), { start: 0, end: 10, op: 0 });
  assert.deepEqual(tl.opBounds(10), { start: 10, end: 14, op: 2 });
  assert.deepEqual(tl.opBounds(20), { start: 14, end: 20, op: 3 });
});

test('jumps: steps clamp, operation jumps go on to the neighbour when already there', () => {
  const tl = new Timeline(ops());
  assert.equal(jumpTarget(tl, 0, 'back'), 0);
  assert.equal(jumpTarget(tl, 5, 'back'), 4);
  assert.equal(jumpTarget(tl, 5, 'forward'), 6);
  assert.equal(jumpTarget(tl, 20, 'forward'), 20);
  assert.equal(jumpTarget(tl, 12, 'first'), 0);
  assert.equal(jumpTarget(tl, 12, 'last'), 20);
  assert.equal(jumpTarget(tl, 12, 'op-start'), 10);
  assert.equal(jumpTarget(tl, 10, 'op-start'), 0, 'at a start: the previous operation');
  assert.equal(jumpTarget(tl, 0, 'op-start'), 0);
  assert.equal(jumpTarget(tl, 12, 'op-end'), 14);
  assert.equal(jumpTarget(tl, 14, 'op-end'), 20, 'the end of op 2 is the start of op 3');
  assert.equal(jumpTarget(tl, 20, 'op-end'), 20);
});

test('the clock advances by speed, carrying fractions', () => {
  const c = new Clock(2); // 2 events per second
  assert.equal(c.advance(1000), 0, 'not playing');
  c.start(0);
  assert.equal(c.advance(250), 0);
  assert.equal(c.advance(500), 1, 'two quarter seconds make half a second: one step');
  assert.equal(c.advance(1500), 2);
  assert.equal(c.advance(1400), 0, 'time going backwards counts as none');
  c.stop();
  assert.equal(c.advance(5000), 0);
  c.start(5000);
  assert.equal(c.advance(5000), 0, 'start resets the carry and the time');
});

test('max is the fastest speed: MAX_RATE events a second, at least one a frame', () => {
  const c = new Clock(Infinity);
  c.start(0);
  assert.equal(c.advance(0), 1, 'a frame with no time still moves');
  assert.equal(c.advance(1000), MAX_RATE, 'one second later: MAX_RATE');
  let total = 0;
  for (let f = 1; f <= 60; f++) total += c.advance(1000 + (f * 1000) / 60);
  assert.ok(Math.abs(total - MAX_RATE) <= 1, `a second of 60 fps frames plays ${total}`);
  assert.ok(MAX_RATE > Math.max(...SPEEDS.filter(Number.isFinite)), 'faster than every listed speed');
});

test('speeds', () => {
  assert.ok(SPEEDS.includes(DEFAULT_SPEED));
  assert.equal(SPEEDS[SPEEDS.length - 1], Infinity);
  assert.deepEqual(
    [...SPEEDS].sort((a, b) => a - b),
    [...SPEEDS],
  );
});

test('scanMotion: the next or previous step of a kind, never the one on screen', () => {
  const m = ['none', 'split', 'take', 'split', 'none', 'merge', 'pcp-drain'];
  assert.equal(scanMotion(m, -1, 1, STEP_KINDS.split), 1, 'from before the first event');
  assert.equal(scanMotion(m, 1, 1, STEP_KINDS.split), 3, 'not the split on screen');
  assert.equal(scanMotion(m, 3, 1, STEP_KINDS.split), -1);
  assert.equal(scanMotion(m, 3, -1, STEP_KINDS.split), 1);
  assert.equal(scanMotion(m, m.length, -1, STEP_KINDS.pcp), 6, 'from past the end, backwards');
  assert.equal(scanMotion(m, 0, 1, STEP_KINDS.merge), 5);
  assert.equal(scanMotion(m, 0, -1, STEP_KINDS.merge), -1);
  assert.deepEqual([...STEP_KINDS.oom], ['oom-score', 'oom-kill']);
});
