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
  scenario: null,
  step: null,
  lang: null,
  controls: 'full',
  view: null,
  origins: [],
});

test('an empty fragment is the default state', () => {
  for (const h of ['', '#']) assert.deepEqual(u.parseHash(h), { state: defaults(), problems: [] });
  assert.equal(u.formatHash(defaults()), '#');
});

test('every field survives format then parse', () => {
  const state = {
    machine: 'ram=2G cpus=2 nodes=1G:0,1G:1',
    scenario: 'machine ram=256M cpus=1\nspawn A anon=30M adj=-500 # 中文注释 ✓\n',
    step: 1234,
    lang: 'zh',
    controls: 'player',
    view: 'tasks',
    origins: ['https://course.example.org', 'http://localhost:8080'],
  };
  const hash = u.formatHash(state);
  assert.match(hash, /^#machine=ram%3D2G/);
  assert.deepEqual(u.parseHash(hash), { state, problems: [] });
  // And the fragment of a parsed state formats back to itself.
  assert.equal(u.formatHash(u.parseHash(hash).state), hash);
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
    ['#scenario=%%%', 'scenario', /scenario= is not base64url/],
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

test('share: the link and the embed carry the state on screen, and parse back to it', async () => {
  const { shareTexts } = await page('controller/dialogs.js');
  const M = await page('model/page.js');
  const { Timeline } = await page('clock/player.js');
  let m = M.initialModel('zh', 'ram=128M cpus=1');
  m = M.bootSucceeded(m, { label: 'ram=128M cpus=1', bootLog: '', frameCount: 32768, eventCount: 10 }, ['zoneinfo']);
  m = M.patch(M.withTab(m, 'tasks'), {
    player: { ...m.player, timeline: new Timeline([{ label: 'boot', events: 10 }]), g: 4, atEnd: false },
  });
  const { link, embed, state } = shareTexts(m, 'https://example.org/mm/index.html?x=1#old');
  assert.deepEqual(state, {
    machine: 'ram=128M cpus=1',
    scenario: null,
    step: 4,
    lang: 'zh',
    controls: 'full',
    view: 'tasks',
    origins: [],
  });
  const url = new URL(link);
  assert.equal(url.origin + url.pathname, 'https://example.org/mm/index.html');
  assert.deepEqual(u.parseHash(url.hash), { state, problems: [] });
  const src = /src="([^"]+)"/.exec(embed)[1].replace(/&amp;/g, '&');
  assert.ok(src.startsWith('https://example.org/mm/embed.html#'), src);
  assert.deepEqual(u.parseHash(new URL(src).hash).state, { ...state, controls: 'player' });
  // A scenario that ran replaces the machine; at the end there is no step.
  const s = M.patch(
    M.scenarioRan(M.withScenarioText(m, 'spawn A anon=1M'), {
      ran: true,
      ok: true,
      output: '',
      failures: [],
      passed: 0,
      failed: 0,
    }),
    {
      player: { ...m.player, atEnd: true },
    },
  );
  assert.deepEqual(
    { ...shareTexts(s, 'https://example.org/').state },
    {
      machine: null,
      scenario: 'spawn A anon=1M',
      step: null,
      lang: 'zh',
      controls: 'full',
      view: 'tasks',
      origins: [],
    },
  );
});

test('embed messages: good ones pass, bad ones are named', async () => {
  const { checkMessage } = await page('embed/api.js');
  for (const ok of [
    { type: 'mm:load', scenario: 'spawn A anon=1M' },
    { type: 'mm:load', scenario: '', step: 3 },
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
    [{ type: 'mm:step', delta: Infinity }, /delta or to as numbers/],
    [{ type: 'mm:set-lang', lang: 'fr' }, /"en" or "zh"/],
    [{ type: 'mm:set-view', view: 'nowhere' }, /needs view: map\|zones/],
    [{ type: 'mm:explode' }, /unknown message type "mm:explode"/],
  ];
  for (const [msg, why] of bad) assert.match(checkMessage(msg), why, JSON.stringify(msg));
});
