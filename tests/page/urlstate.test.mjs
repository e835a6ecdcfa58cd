// URL state (the #fragment links and embeds carry): parse and format round
// trips, and bad input reported, never thrown.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { page } from './support.mjs';

let u;
before(async () => {
  u = await page('embed/urlstate.js');
});

const defaults = () => ({
  machine: null,
  dmesg: null,
  statements: [],
  at: null,
  step: null,
  lang: null,
  controls: 'full',
  view: null,
  history: null,
  origins: [],
  lesson: null,
  lessonText: null,
  lessonStep: null,
});

test('history= bounds the undo history in MiB, 2 to 384, and round-trips', () => {
  const ok = u.parseHash('#machine=ram%3D1G&history=16');
  assert.deepEqual(ok, { state: { ...defaults(), machine: 'ram=1G', history: 16 }, problems: [] });
  assert.equal(u.formatHash(ok.state), '#machine=ram%3D1G&history=16');
  for (const bad of ['1', '385', '16.5', 'lots', '-4']) {
    const r = u.parseHash(`#history=${bad}`);
    assert.equal(r.state.history, null, bad);
    assert.deepEqual(r.problems, [`history=${bad}: use a number of MiB from 2 to 384`]);
  }
});

test('an empty fragment is the default state', () => {
  for (const h of ['', '#']) assert.deepEqual(u.parseHash(h), { state: defaults(), problems: [] });
  assert.equal(u.formatHash(defaults()), '#');
});

test('every field survives format then parse', () => {
  const state = {
    machine: 'ram=2G cpus=2 nodes=1G:0,1G:1',
    dmesg: null,
    statements: [
      { kind: 'command', text: 'alloc order=3 gfp=GFP_KERNEL|__GFP_ZERO cpu=1' },
      { kind: 'scenario', text: 'machine ram=256M cpus=1\nspawn A anon=30M adj=-500 # 中文注释 ✓\n' },
      { kind: 'command', text: 'kmalloc p 200 & more=yes #x' },
    ],
    at: { statement: 2, event: 1234 },
    step: null,
    lang: 'zh',
    controls: 'player',
    view: 'tasks',
    history: 64,
    origins: ['https://course.example.org', 'http://localhost:8080'],
    lesson: null,
    lessonText: null,
    lessonStep: null,
  };
  const hash = u.formatHash(state);
  assert.match(hash, /^#machine=ram%3D2G/);
  assert.deepEqual(u.parseHash(hash), { state, problems: [] });
  // And the fragment of a parsed state formats back to itself.
  assert.equal(u.formatHash(u.parseHash(hash).state), hash);
});

test('statements keep their order; at= wins over an old step=; dmesg= replaces machine=', () => {
  const h = '#machine=ram%3D1G&do=kfree%20p&scenario=' + u.encodeText('spawn A anon=1M') + '&do=drain%20all&at=1.7';
  const { state, problems } = u.parseHash(h);
  assert.deepEqual(problems, []);
  assert.deepEqual(state.statements, [
    { kind: 'command', text: 'kfree p' },
    { kind: 'scenario', text: 'spawn A anon=1M' },
    { kind: 'command', text: 'drain all' },
  ]);
  assert.deepEqual(state.at, { statement: 1, event: 7 });
  assert.equal(u.formatHash({ ...defaults(), at: { statement: 0, event: 3 }, step: 9 }), '#at=0.3');
  const d = u.parseHash('#machine=ram%3D1G&dmesg=abc_-9');
  assert.deepEqual([d.state.machine, d.state.dmesg], [null, 'abc_-9']);
  assert.match(d.problems[0], /both name a machine/);
  assert.equal(u.formatHash({ ...defaults(), machine: 'ram=1G', dmesg: 'xyz' }), '#dmesg=xyz');
  // An old link: machine and a global step.
  assert.deepEqual(u.parseHash('#machine=ram%3D1G%20cpus%3D2&step=7082').state, {
    ...defaults(),
    machine: 'ram=1G cpus=2',
    step: 7082,
  });
});

test('packText: a long kernel log round-trips, much shorter, in URL-safe characters', async () => {
  const log = Array.from(
    { length: 2000 },
    (_, i) => `[    0.${String(i).padStart(6, '0')}] BIOS-e820: [mem 0x${(i * 4096).toString(16)}] usable 中文`,
  ).join('\n');
  const packed = await u.packText(log);
  assert.match(packed, /^[A-Za-z0-9_-]+$/);
  assert.ok(packed.length < log.length / 4, `${packed.length} of ${log.length}`);
  assert.equal(await u.unpackText(packed), log);
  assert.equal(await u.unpackText('not packed!'), null);
  assert.equal(await u.unpackText('AAAA'), null);
  assert.equal(u.parseHash(`#dmesg=${packed}`).state.dmesg, packed);
});

test('sessionKey: the same session, whatever the language or view', () => {
  const a = u.parseHash('#machine=ram%3D1G&do=kfree%20p&lang=zh').state;
  const b = u.parseHash('#machine=ram%3D1G&do=kfree%20p&view=tasks&theme=dark').state;
  const c = u.parseHash('#machine=ram%3D1G&do=kfree%20p&at=1.0').state;
  assert.equal(u.sessionKey(a), u.sessionKey(b));
  assert.notEqual(u.sessionKey(a), u.sessionKey(c));
});

test('only what differs from the defaults is written', () => {
  assert.equal(u.formatHash({ ...defaults(), step: 0 }), '#step=0');
  assert.equal(u.formatHash({ ...defaults(), controls: 'none' }), '#controls=none');
  assert.equal(u.formatHash({ ...defaults(), lang: 'en', view: 'map' }), '#lang=en&view=map');
});

test('step=end is the end; every view and control value is accepted', () => {
  assert.equal(u.parseHash('#step=end').state.step, null);
  assert.deepEqual(u.parseHash('#step=end').problems, []);
  for (const view of u.VIEWS) assert.equal(u.parseHash(`#view=${view}`).state.view, view);
  for (const c of ['full', 'player', 'none']) assert.equal(u.parseHash(`#controls=${c}`).state.controls, c);
});

test('bad values fall back to the defaults and are reported', () => {
  const cases = [
    ['#step=-1', 'step', /step=-1 is not a step number/],
    ['#step=1.5', 'step', /step=1\.5/],
    ['#step=abc', 'step', /step=abc/],
    ['#lang=fr', 'lang', /lang=fr: use en or zh/],
    ['#controls=some', 'controls', /controls=some/],
    ['#view=nowhere', 'view', /view=nowhere: use one of map, zones/],
    ['#scenario=%%%', 'statements', /scenario= is not base64url/],
    ['#at=3', 'at', /at=3 is not a place/],
    ['#dmesg=a%20b', 'dmesg', /dmesg= is not a packed kernel log/],
    ['#origin=not-a-url', 'origins', /origin=not-a-url is not an origin/],
  ];
  for (const [hash, key, problem] of cases) {
    const { state, problems } = u.parseHash(hash);
    assert.deepEqual(state[key], defaults()[key], hash);
    assert.equal(problems.length, 1, hash);
    assert.match(problems[0], problem, hash);
  }
});

test('unknown keys are ignored; several problems are all reported', () => {
  const { state, problems } = u.parseHash('#colour=blue&machine=ram%3D1G&lang=xx&step=-3');
  assert.equal(state.machine, 'ram=1G');
  assert.equal(problems.length, 2);
});

test('origins are reduced to their origin', () => {
  const { state } = u.parseHash('#origin=' + encodeURIComponent('https://course.example.org/week3/page.html?x=1'));
  assert.deepEqual(state.origins, ['https://course.example.org']);
});

test('base64url text: UTF-8 round trip, no padding, bad input is null', () => {
  for (const text of ['', 'a', 'ab', 'abc', 'spawn A anon=64M\n', '伙伴系统 🐧', '\u0000\uffff']) {
    const enc = u.encodeText(text);
    assert.doesNotMatch(enc, /[+/=]/);
    assert.equal(u.decodeText(enc), text);
  }
  assert.equal(u.decodeText('!!!'), null);
  // Valid base64 of bytes that are not UTF-8.
  assert.equal(u.decodeText('_w'), null);
});

test('embedCode escapes what would break the attribute', () => {
  const code = u.embedCode('https://x.org/embed.html#a&b="c"', 'A <b> "title"');
  assert.equal(
    code,
    '<iframe src="https://x.org/embed.html#a&amp;b=&quot;c&quot;" title="A &lt;b> &quot;title&quot;" width="100%" height="640" style="border:0" loading="lazy"></iframe>',
  );
});

// ---- what the page puts in links, and what the embed accepts ---------------------

test('share: the link holds the session on screen and its cursor, and parses back to it', async () => {
  const { shareTexts } = await page('controller/dialogs.js');
  const M = await page('model/page.js');
  const { SessionLog } = await page('model/session.js');
  const session = new SessionLog();
  session.push({ kind: 'boot', machine: { kind: 'shorthand', spec: 'ram=1G cpus=2' } });
  session.push({ kind: 'boot', machine: { kind: 'shorthand', spec: 'ram=128M cpus=1' } });
  session.push({ kind: 'command', text: 'alloc order=3 gfp=GFP_KERNEL cpu=0' });
  session.push({ kind: 'scenario', text: 'spawn A anon=1M' });
  session.push({ kind: 'command', text: 'machine ram=256M cpus=1' });
  const ops = [10, 11, 12, 13, 14].map((events, i) => ({ label: `op ${i}`, events }));
  let cursor = { op: 2, pos: 5, atEnd: false };
  const ctx = {
    store: { model: M.withTab(M.initialModel('zh', 'ram=128M cpus=1'), 'tasks') },
    engine: { cursor: () => cursor, timeline: () => ops },
    session,
  };
  const { link, embed, state, tooLong } = await shareTexts(ctx, 'https://example.org/mm/index.html?x=1#old');
  assert.equal(tooLong, false);
  // From the boot before the cursor up to the next one that boots.
  assert.deepEqual(state, {
    machine: 'ram=128M cpus=1',
    dmesg: null,
    statements: [
      { kind: 'command', text: 'alloc order=3 gfp=GFP_KERNEL cpu=0' },
      { kind: 'scenario', text: 'spawn A anon=1M' },
    ],
    at: { statement: 1, event: 5 },
    step: null,
    lang: 'zh',
    controls: 'full',
    view: 'tasks',
    history: null,
    origins: [],
    lesson: null,
    lessonText: null,
    lessonStep: null,
  });
  const url = new URL(link);
  assert.equal(url.origin + url.pathname, 'https://example.org/mm/index.html');
  assert.deepEqual(u.parseHash(url.hash), { state, problems: [] });
  const src = /src="([^"]+)"/.exec(embed)[1].replace(/&amp;/g, '&');
  assert.ok(src.startsWith('https://example.org/mm/embed.html#'), src);
  assert.deepEqual(u.parseHash(new URL(src).hash).state, { ...state, controls: 'player' });
  // At the end: the newest session (a command that boots), no cursor.
  cursor = { op: 4, pos: 14, atEnd: true };
  const end = (await shareTexts(ctx, 'https://example.org/')).state;
  assert.deepEqual(
    [end.machine, end.statements, end.at],
    [null, [{ kind: 'command', text: 'machine ram=256M cpus=1' }], null],
  );
  // A pasted dmesg goes in packed; one too long for a link is refused with its size.
  session.push({ kind: 'boot', machine: { kind: 'dmesg', text: 'Linux version 6.1\n'.repeat(10) } });
  ops.push({ label: 'boot dmesg', events: 3 });
  cursor = { op: 5, pos: 3, atEnd: true };
  const d = await shareTexts(ctx, 'https://example.org/');
  assert.equal(await u.unpackText(d.state.dmesg), 'Linux version 6.1\n'.repeat(10));
  assert.equal(d.state.machine, null);
  let noise = '';
  for (let i = 0; i < 60000; i++) noise += String.fromCharCode(33 + ((i * 7919) % 90));
  session.push({ kind: 'command', text: `echo ${noise}` });
  ops.push({ label: 'echo', events: 0 });
  const big = await shareTexts(ctx, 'https://example.org/');
  assert.equal(big.tooLong, true);
  assert.ok(big.size > u.MAX_LINK_BYTES, String(big.size));
  assert.deepEqual([big.link, big.embed], ['', '']);
});

test('embed messages: good ones pass, bad ones are named', async () => {
  const { checkMessage } = await page('embed/api.js');
  for (const ok of [
    { type: 'mm:load', scenario: 'spawn A anon=1M' },
    { type: 'mm:load', scenario: '', step: 3 },
    { type: 'mm:load', link: '#machine=ram%3D128M' },
    { type: 'mm:step' },
    { type: 'mm:step', delta: -1 },
    { type: 'mm:step', to: 12 },
    { type: 'mm:play' },
    { type: 'mm:pause' },
    { type: 'mm:get-state', id: 'x' },
    { type: 'mm:set-lang', lang: 'zh' },
    { type: 'mm:set-view', view: 'map' },
  ]) {
    assert.equal(typeof checkMessage(ok), 'object', JSON.stringify(ok));
  }
  const bad = [
    [null, /must be an object/],
    ['mm:play', /must be an object/],
    [{ type: 'mm:load' }, /needs scenario/],
    [{ type: 'mm:load', scenario: 'x', step: 'end' }, /step must be a number/],
    [{ type: 'mm:load', scenario: 'x', step: -2 }, /step must be a number/],
    [{ type: 'mm:step', delta: Infinity }, /delta or to as numbers/],
    [{ type: 'mm:set-lang', lang: 'fr' }, /"en" or "zh"/],
    [{ type: 'mm:set-view', view: 'nowhere' }, /needs view: map\|zones/],
    [{ type: 'mm:explode' }, /unknown message type "mm:explode"/],
  ];
  for (const [msg, why] of bad) assert.match(checkMessage(msg), why, JSON.stringify(msg));
});

// ---- lessons in links (lesson=ID&step=N, lessontext=) ------------------------------

test('lesson=ID&step=N: the lesson and its step (from 1, or a name) round-trip; step= is then the lesson step', () => {
  const r = u.parseHash('#lesson=buddy&step=2&lang=zh');
  assert.deepEqual(r, { state: { ...defaults(), lesson: 'buddy', lessonStep: '2', lang: 'zh' }, problems: [] });
  assert.equal(u.formatHash(r.state), '#lesson=buddy&step=2&lang=zh');
  // A step's name, and no step: the first.
  assert.equal(u.parseHash('#lesson=pcp&step=refill').state.lessonStep, 'refill');
  assert.equal(u.parseHash('#lesson=pcp').state.lessonStep, null);
  assert.equal(u.parseHash('#lesson=pcp').state.step, null, 'not an old global step');
  assert.equal(u.formatHash({ ...defaults(), lesson: 'oom' }), '#lesson=oom');
  // Without a lesson, step= is still an old link's global step.
  assert.equal(u.parseHash('#machine=ram%3D1G&step=12').state.step, 12);
  assert.equal(u.parseHash('#machine=ram%3D1G&step=12').state.lessonStep, null);
  // controls=lesson.
  assert.equal(u.parseHash('#lesson=buddy&controls=lesson').state.controls, 'lesson');
  assert.equal(u.formatHash({ ...defaults(), lesson: 'buddy', controls: 'lesson' }), '#lesson=buddy&controls=lesson');
});

test('lesson links: bad values are reported like the other keys', () => {
  const cases = [
    ['#lesson=Buddy!', 'lesson', /lesson=Buddy! is not a lesson id/],
    ['#lesson=buddy&step=2.5', 'lessonStep', /step=2\.5 is not a lesson step/],
    ['#lessontext=%%%', 'lessonText', /lessontext= is not base64url-encoded UTF-8 text/],
    ['#controls=lessons', 'controls', /controls=lessons: use full, player, none or lesson/],
  ];
  for (const [hash, key, re] of cases) {
    const { state, problems } = u.parseHash(hash);
    assert.equal(problems.length, 1, `${hash}: ${problems}`);
    assert.match(problems[0], re, hash);
    assert.deepEqual(state[key], defaults()[key], hash);
  }
});

test("lessontext= carries a teacher's text (base64url UTF-8) and wins over lesson=", () => {
  const text = 'lesson mine\ntitle en: Mine\ntitle zh: 我的\n';
  const hash = u.formatHash({ ...defaults(), lessonText: text, lessonStep: '1' });
  assert.match(hash, /^#lessontext=[A-Za-z0-9_-]+&step=1$/);
  assert.deepEqual(u.parseHash(hash), { state: { ...defaults(), lessonText: text, lessonStep: '1' }, problems: [] });
  const both = u.parseHash(`#lesson=buddy&${hash.slice(1)}`);
  assert.equal(both.state.lesson, null);
  assert.equal(both.state.lessonText, text);
  assert.match(both.problems[0], /lesson= and lessontext= both name a lesson/);
});

test('sessionKey: another lesson or step is another session', () => {
  const key = (h) => u.sessionKey(u.parseHash(h).state);
  assert.notEqual(key('#lesson=buddy&step=1'), key('#lesson=buddy&step=2'));
  assert.notEqual(key('#lesson=buddy'), key('#lesson=pcp'));
  assert.equal(key('#lesson=buddy&step=2'), key('#lesson=buddy&step=2&lang=zh'));
});

test('share: a lesson on its path links to the lesson and its step, the embed with controls=lesson', async () => {
  const { shareTexts } = await page('controller/dialogs.js');
  const M = await page('model/page.js');
  const { SessionLog } = await page('model/session.js');
  const session = new SessionLog();
  session.push({ kind: 'command', text: 'machine ram=128M cpus=1' });
  const ops = [{ label: 'machine', events: 10 }];
  const base = M.initialModel('en', '');
  const lessons = {
    ...base.lessons,
    lesson: { id: 'buddy', steps: [{}, {}] },
    origin: { kind: 'shipped', id: 'buddy' },
    step: 1,
  };
  const ctx = (l) => ({
    store: { model: { ...base, lessons: l } },
    engine: { cursor: () => ({ op: 0, pos: 3, atEnd: false }), timeline: () => ops },
    session,
  });
  const on = await shareTexts(ctx(lessons), 'https://example.org/mm/index.html');
  assert.equal(new URL(on.link).hash, '#lesson=buddy&step=2&lang=en&view=zones');
  assert.match(on.embed, /embed\.html#lesson=buddy&amp;step=2&amp;lang=en&amp;controls=lesson/);
  // Off the path, the link is the machine on screen, as always.
  const off = await shareTexts(ctx({ ...lessons, offPath: true }), 'https://example.org/mm/index.html');
  assert.match(new URL(off.link).hash, /^#do=machine/);
});
