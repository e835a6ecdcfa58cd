// Property-based fuzzing of the page's two input checkers (issue 15): the URL
// state (embed/urlstate.ts) and the embed's postMessage messages
// (embed/api.ts). The properties are in fuzzprops.mjs, the inputs in
// fuzzgen.mjs. Each target runs a bounded number of cases from fixed seeds
// and one from the clock; a failure prints the seed of its case and the
// input. Inputs that found bugs are kept below as fixed cases.
//   MM_FUZZ_SEED=N      run only seed N (a failure's seed reruns its input as case 0)
//   MM_FUZZ_SECONDS=S   run each target for S seconds instead (from MM_FUZZ_SEED, or the clock)
// A longer run with figures: node scripts/fuzz-web.mjs [seconds] [target...].
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { TARGETS, checkInput, defaults, envSeed, run } from './fuzzprops.mjs';

const FIXED_SEEDS = [1, 0xc0ffee, 0x15150015, 20250915];
const CASES = { urlstate: 800, messages: 2000 };

let mods;
before(async () => {
  mods = {};
  for (const [name, t] of Object.entries(TARGETS)) mods[name] = await t.load();
});

function runs() {
  const seconds = Number(process.env.MM_FUZZ_SECONDS) || 0;
  const seed = envSeed();
  if (seconds > 0) return [{ seed: seed ?? Date.now() >>> 0, seconds }];
  if (seed !== null) return [{ seed }];
  return [...FIXED_SEEDS, Date.now() >>> 0].map((s) => ({ seed: s }));
}

for (const target of Object.keys(TARGETS)) {
  test(`${target}: the properties hold for generated inputs`, async () => {
    let total = 0;
    for (const r of runs()) {
      const f = await run(target, { ...r, cases: r.seconds ? Infinity : CASES[target], mods: mods[target] });
      total += f.cases;
      if (f.finding) assert.fail(`run seed 0x${r.seed.toString(16)}, case ${f.cases - 1}: ${f.finding.message}`);
    }
    assert.ok(total > 0);
  });
}

// ---- fixed cases: inputs that broke a property once --------------------------------

test('urlstate: fixed cases', async () => {
  const u = mods.urlstate.u;
  const check = (input) => checkInput('urlstate', mods.urlstate, input);
  const parse = (hash) => (check({ hash }), u.parseHash(hash));

  // A text that begins with U+FEFF kept it only once: decodeText dropped a BOM.
  check({ text: '\ufeffmachine ram=1G' });
  assert.deepEqual(parse(`#scenario=${u.encodeText('\ufeff\ufeffx')}`).state.statements, [
    { kind: 'scenario', text: '\ufeff\ufeffx' },
  ]);
  assert.equal(await u.unpackText(await u.packText('\ufeffLinux version 6.1')), '\ufeffLinux version 6.1');

  // at= beyond 2^53 formatted as 1e+21 and did not parse back.
  const big = parse('#at=1000000000000000000000.0');
  assert.equal(big.state.at, null);
  assert.match(big.problems[0], /^at=1000000000000000000000\.0 is not a place/);

  // A cursor the fragment cannot hold: at= with a lesson, at= beside an old step=.
  assert.deepEqual(parse('#lesson=buddy&at=1.2&step=2').state, { ...defaults(), lesson: 'buddy', lessonStep: '2' });
  const both = parse('#machine=ram%3D1G&at=1.2&step=5').state;
  assert.deepEqual([both.at, both.step], [{ statement: 1, event: 2 }, null]);
  assert.equal(parse('#step=-0').state.step, 0);

  // An opaque origin is "null", as a sandboxed frame's: it must not be allowed to drive the embed.
  for (const o of ['foo:bar', 'file:///x.html', 'data:text/html,x', 'javascript:alert(1)']) {
    const r = parse(`#origin=${encodeURIComponent(o)}`);
    assert.deepEqual(r.state.origins, [], o);
    assert.deepEqual(r.problems, [`origin=${o} is not an origin like https://course.example.org`], o);
  }

  // Problems quote a value on one short line.
  assert.deepEqual(parse('#lang=a%0Ab').problems, ['lang=a\\u000ab: use en or zh']);
  assert.deepEqual(parse('#view=%E2%80%A8').problems, [`view=\\u2028: use one of ${u.VIEWS.join(', ')}`]);
  const long = parse(`#lesson=${'X'.repeat(100000)}`).problems[0];
  assert.equal(long, `lesson=${'X'.repeat(40)}… is not a lesson id (a-z, 0-9, - and _)`);
  check({ hash: `#step=${'😀'.repeat(30)}` }); // cut between the halves of a pair: no lone surrogate
});

test('messages: fixed cases', () => {
  const { checkMessage } = mods.messages.a;
  const check = (message, expect) => checkInput('messages', mods.messages, { message, expect });
  const accepted = (message, expected) => {
    check(message, 'accept');
    assert.deepEqual(checkMessage(message), expected);
  };
  const refused = (message, text) => {
    check(message);
    assert.equal(checkMessage(message), text);
  };

  // The error for an unknown type threw on a bigint or a cycle, and quoted any length on many lines.
  const cyclic = {};
  cyclic.self = cyclic;
  refused({ type: 1n }, 'unknown message type 1n');
  refused({ type: cyclic }, 'unknown message type an object');
  refused({ type: ['mm:play'] }, 'unknown message type an array');
  refused({ type: 'a\u2028b\u0085' }, 'unknown message type "a\\u2028b\\u0085"');
  refused({ type: `mm:${'x'.repeat(100000)}` }, `unknown message type "mm:${'x'.repeat(37)}…"`);
  refused({ type: NaN }, 'unknown message type NaN');
  refused({ type: 'mm:explode' }, 'unknown message type "mm:explode"');

  // mm:load: handle() tells the variants apart by `'link' in msg`, then
  // lesson: a link or lesson that is there but no string made it crash
  // (msg.link.includes) or open a lesson named undefined.
  accepted({ type: 'mm:load', link: 5, scenario: 'x' }, { type: 'mm:load', scenario: 'x' });
  accepted({ type: 'mm:load', scenario: 'x', step: 2, link: undefined }, { type: 'mm:load', scenario: 'x', step: 2 });
  accepted({ type: 'mm:load', scenario: 'x', lesson: undefined }, { type: 'mm:load', scenario: 'x' });
  accepted({ type: 'mm:load', lesson: 'buddy', link: null, id: 3 }, { type: 'mm:load', lesson: 'buddy' });
  accepted({ type: 'mm:load', link: '#lesson=buddy', step: 'x' }, { type: 'mm:load', link: '#lesson=buddy' });
  refused({ type: 'mm:load', link: 5 }, 'mm:load needs scenario: string (or link: string)');
});
