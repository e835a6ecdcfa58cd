// URL state (the #fragment links and embeds carry): parse and format round
// trips, and bad input reported, never thrown.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { page } from './support.mjs';

let u;
before(async () => {
  u = await page('embed/urlstate.js');
});

const defaults = () => ({ machine: null, scenario: null, step: null, lang: null, controls: 'full', view: null, origins: [] });

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
