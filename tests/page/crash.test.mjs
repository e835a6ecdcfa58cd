// When the wasm instance dies (issue 15), under node: the page's engine
// client (engine/client.ts) on the node build, whose factory here makes
// instances that trap for real on a marker statement; and the session the
// page keeps from its last refresh (model/session.ts: Shown), which is what
// the page rebuilds on a new instance (controller/recovery.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineFactory, page } from './support.mjs';

let C;
let S;
/** The module instances the factory made, and whether the next one's first engine traces. */
const made = [];
let traceOff = false;

before(async () => {
  const create = engineFactory();
  // EngineClient.load() takes the global factory (as the offline page does).
  globalThis.createMmEngine = async (options) => {
    const module = await create(options);
    made.push(module);
    const run = module.Engine.prototype.runCommand;
    module.Engine.prototype.runCommand = function (text) {
      if (text.includes('crash_me')) module._free(-8); // a wild free(): the instance traps
      return run.call(this, text);
    };
    if (traceOff) {
      const make = module.Engine;
      module.Engine = function () {
        const e = new make();
        e.setTrace(false);
        return e;
      };
    }
    return module;
  };
  C = await page('engine/client.js');
  S = await page('model/session.js');
});

after(() => {
  delete globalThis.createMmEngine;
});

test('a throw out of the instance is EngineCrash: told once, thrown by every later call until restart()', async () => {
  made.length = 0;
  const client = await C.EngineClient.load();
  const crashes = [];
  client.onCrash((c) => crashes.push(c));
  assert.equal(client.bootShorthand('ram=128M cpus=1').ok, true);
  assert.equal(client.runCommand('kmalloc p 64').ran, true);
  // A refusal is an answer, not a crash.
  assert.equal(client.runCommand('kmalloc').ran, false);
  assert.equal(client.call('proc', 'nosuchfile').ok, false);
  assert.equal(client.crashed, null);

  assert.throws(
    () => client.runCommand('kmalloc crash_me 64'),
    (e) =>
      e instanceof C.EngineCrash &&
      e.op === 'runCommand' &&
      e.detail === 'RuntimeError: memory access out of bounds' &&
      e.message === 'the engine stopped in runCommand: RuntimeError: memory access out of bounds',
  );
  assert.equal(crashes.length, 1);
  assert.equal(client.crashed, crashes[0]);
  // Every later call, views and operations alike, throws the same crash without touching the instance.
  assert.throws(
    () => client.timeline(),
    (e) => e === crashes[0],
  );
  assert.throws(
    () => client.call('proc', 'buddyinfo'),
    (e) => e === crashes[0],
  );
  assert.throws(
    () => client.reset(),
    (e) => e === crashes[0],
  );
  assert.equal(crashes.length, 1, 'told once');

  await client.restart();
  assert.equal(made.length, 2, 'a new instance of the module');
  assert.equal(client.crashed, null);
  assert.deepEqual(client.timeline(), [], 'a fresh engine');
  assert.equal(client.current('x'), null);
  assert.equal(client.bootShorthand('ram=128M cpus=1').ok, true);
  assert.equal(client.runCommand('kmalloc p 64').ran, true);
  // The new instance dies the same way, and says so again.
  assert.throws(() => client.runCommand('kmalloc crash_me 64'), C.EngineCrash);
  assert.equal(crashes.length, 2);
});

test('restart() keeps the trace setting of the engine the client began with', async () => {
  traceOff = true;
  try {
    const client = await C.EngineClient.load();
    assert.equal(client.bootShorthand('ram=128M cpus=1').ok, true);
    assert.equal(client.current('x').eventCount, 0, 'no events recorded');
    assert.throws(() => client.runCommand('kmalloc crash_me 64'), C.EngineCrash);
    traceOff = false; // the next instance's engines would trace: the client sets it off
    await client.restart();
    assert.equal(client.bootShorthand('ram=128M cpus=1').ok, true);
    assert.equal(client.current('x').eventCount, 0, 'still no events recorded');
  } finally {
    traceOff = false;
  }
});

const op = (events, group) => ({ label: '', events, group });
const boot = (spec) => ({ kind: 'boot', machine: { kind: 'shorthand', spec } });
const cmd = (text) => ({ kind: 'command', text });

test('Shown: the entries of the last refresh stay as they were when the list changes after it', () => {
  const log = new S.SessionLog();
  log.push(boot('ram=128M cpus=1'));
  log.push(cmd('spawn A anon=8M'));
  log.push(cmd('kmalloc p 200'));
  // The refresh: the cursor at event 5 of the spawn.
  const ops = [op(900, 1), op(40, 2), op(12, 3)];
  const shown = { entries: log.entries, ops, cursor: { op: 1, pos: 5 } };
  // An operation ran and was recorded, then the engine stopped before the next refresh.
  log.settle(ops, shown.cursor);
  log.push(cmd('kmalloc crash_me 64'));
  log.undo();
  log.redo();
  assert.deepEqual(shown.entries, [boot('ram=128M cpus=1'), cmd('spawn A anon=8M'), cmd('kmalloc p 200')]);
  // What the page rebuilds: the whole session, the cursor where it was.
  assert.deepEqual(S.sessionAt(shown), {
    entries: [boot('ram=128M cpus=1'), cmd('spawn A anon=8M'), cmd('kmalloc p 200')],
    at: { statement: 1, event: 5 },
  });
  assert.deepEqual(S.sessionAt({ ...shown, cursor: null }).at, null);
  assert.equal(S.sessionAt({ entries: [], ops: [], cursor: null }), null, 'nothing to rebuild');
  // The list itself moved on.
  assert.deepEqual(log.entries, [boot('ram=128M cpus=1'), cmd('spawn A anon=8M'), cmd('kmalloc crash_me 64')]);
});
