// Seeded generators for the page's input checkers (issue 15): URL fragments
// for embed/urlstate.ts's parseHash and postMessage payloads for
// embed/api.ts's checkMessage. No dependency: a small PRNG (mulberry32) and
// hand-written generators that mix well-formed input, boundary values and
// hostile ones, and mutate well-formed input. The same seed gives the same
// input, so a failing case is reproduced from its seed alone
// (tests/page/fuzzprops.mjs, tests/page/fuzz.test.mjs, scripts/fuzz-web.mjs).

/** A seeded PRNG: mulberry32, 32-bit state. */
export class Rng {
  constructor(seed) {
    this.s = seed >>> 0;
  }
  /** A float in [0, 1). */
  next() {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  /** True with probability p. */
  chance(p) {
    return this.next() < p;
  }
  pick(items) {
    return items[this.int(items.length)];
  }
  /** One of [weight, make] pairs, by weight; returns make(). */
  weighted(choices) {
    let total = 0;
    for (const [w] of choices) total += w;
    let r = this.next() * total;
    for (const [w, make] of choices) {
      if ((r -= w) < 0) return make();
    }
    return choices[choices.length - 1][1]();
  }
  /** A length, mostly short, sometimes long (up to max). */
  length(max) {
    return this.weighted([
      [6, () => this.int(8)],
      [3, () => this.int(64)],
      [1, () => this.int(Math.min(max, 4096) + 1)],
      [0.05, () => this.int(max + 1)],
    ]);
  }
}

/** The seed of case `index` of a run seeded `seed`: case 0 is `seed` itself, so any case reruns as case 0. */
export function caseSeed(seed, index) {
  if (index === 0) return seed >>> 0;
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---- strings --------------------------------------------------------------------

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ' =&#%+?/:;,.-_~!*\'()[]{}<>"\\|^`@$',
  '\t\n\r\v\f\0\x01\x1b\x7f\x85\xa0\xad',
  '\u2028\u2029\ufeff\ufffd\uffff\u200b\u202e\u0301\u3000',
  '伙伴系统中文注释内存页分配',
  'αβγδ ЖЗИЙ עברית العربية',
];
const ASTRAL = ['🐧', '✓', '😀', '𝔘', '👩‍💻', '\u{10ffff}', '\u{1f1fa}\u{1f1f8}'];
const LONE = ['\ud800', '\udbff', '\udc00', '\udfff'];

/** A random string; lone surrogates only when `lone` is true. */
export function unicode(rng, max = 64, lone = false) {
  const n = rng.length(max);
  const alphabet = rng.pick(ALPHABETS);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += rng.weighted([
      [8, () => alphabet[rng.int(alphabet.length)]],
      [2, () => rng.pick(ALPHABETS)[0]],
      [1, () => rng.pick(ASTRAL)],
      [lone ? 0.5 : 0, () => rng.pick(LONE)],
      [0.5, () => String.fromCharCode(rng.int(0x10000))],
    ]);
    if (s.length >= max) break;
  }
  return s.slice(0, Math.max(max, 0));
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url-looking text: real alphabet, sometimes with padding, '+', '/', spaces or bad characters. */
export function base64ish(rng, max = 200) {
  const n = rng.length(max);
  let s = '';
  for (let i = 0; i < n; i++) s += B64[rng.int(64)];
  return rng.weighted([
    [6, () => s],
    [1, () => s + '='.repeat(rng.range(1, 3))],
    [1, () => s.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/'))],
    [1, () => insertAt(rng, s, rng.pick([' ', '%', '!', '.', '\n', '=', '中']))],
  ]);
}

function insertAt(rng, s, what) {
  const i = rng.int(s.length + 1);
  return s.slice(0, i) + what + s.slice(i);
}

/** A big decimal number as text (beyond what a double holds exactly). */
function digits(rng, n) {
  let s = String(rng.range(1, 9));
  for (let i = 1; i < n; i++) s += String(rng.int(10));
  return s;
}

// ---- URL fragments (embed/urlstate.ts) -----------------------------------------------

/** Every key parseHash reads, and some it must ignore. */
export const URL_KEYS = [
  'machine',
  'dmesg',
  'do',
  'scenario',
  'at',
  'step',
  'lang',
  'controls',
  'view',
  'history',
  'origin',
  'lesson',
  'lessontext',
];
const OTHER_KEYS = ['theme', 'projector', 'follow', 'colour', '', 'Machine', 'do ', 'lessonstep', 'x', '__proto__'];
const VIEW_VALUES = ['map', 'zones', 'slab', 'tasks', 'proc', 'log'];
const CONTROL_VALUES = ['full', 'player', 'none', 'lesson'];

const NUMBERISH = [
  '0',
  '1',
  '2',
  '-1',
  '-0',
  '1.5',
  '1e3',
  '1e21',
  '1e400',
  '0x10',
  '0b11',
  ' 5',
  '5 ',
  '+5',
  '',
  'NaN',
  'Infinity',
  '-Infinity',
  '９',
  '٣',
  '007',
  '9007199254740993',
  'end',
  'END',
];

function number(rng) {
  return rng.weighted([
    [4, () => String(rng.int(100))],
    [2, () => String(rng.int(100000))],
    [1, () => digits(rng, rng.range(10, 40))],
    [2, () => rng.pick(NUMBERISH)],
  ]);
}

function origin(rng) {
  return rng.pick([
    'https://course.example.org',
    'https://course.example.org/week3/page.html?x=1#y',
    'http://localhost:8080',
    'http://127.0.0.1:3000/',
    'http://[::1]:8080',
    'https://例子.测试',
    'https://user:pw@a.org:443/',
    'HTTPS://A.ORG',
    'blob:https://a.org/0d7f',
    'null',
    'not-a-url',
    'foo:bar',
    'file:///home/x.html',
    'data:text/html,<b>x</b>',
    'javascript:alert(1)',
    'about:blank',
    'ws://a.org',
    'https://',
    '//a.org',
    'https://a.org:99999',
    `https://${'a'.repeat(rng.range(1, 300))}.org`,
  ]);
}

function lessonId(rng) {
  return rng.weighted([
    [4, () => rng.pick(['buddy', 'pcp', 'oom', 'slab', 'reclaim_1', 'a-b'])],
    [1, () => rng.pick(['Buddy!', '', 'a b', '../x', 'buddy\n', '伙伴', 'BUDDY'])],
    [1, () => unicode(rng, 20)],
  ]);
}

function statementText(rng) {
  return rng.weighted([
    [
      4,
      () =>
        rng.pick([
          'alloc order=3 gfp=GFP_KERNEL cpu=0',
          'kmalloc p 200',
          'kfree p',
          'free pfn=4096 order=3 cpu=0',
          'drain all',
          'machine ram=256M cpus=1',
          'spawn A anon=30M adj=-500 # 中文注释 ✓',
          'kmalloc p 200 & more=yes #x',
        ]),
    ],
    [1, () => rng.pick(['', ' ', '\n', '\t \u3000', '\ufeff'])],
    [3, () => unicode(rng, 80)],
  ]);
}

/** A value for `key`: valid, at a boundary, or hostile, as the fragment would hold it once decoded. */
export function urlValue(rng, key) {
  const junk = () => unicode(rng, 40);
  switch (key) {
    case 'machine':
      return rng.weighted([
        [3, () => rng.pick(['ram=1G cpus=2', 'ram=128M cpus=1', 'ram=2G cpus=2 nodes=1G:0,1G:1', ''])],
        [1, junk],
      ]);
    case 'dmesg':
      return rng.weighted([
        [3, () => base64ish(rng, 300)],
        [1, junk],
      ]);
    case 'do':
      return statementText(rng);
    case 'scenario':
    case 'lessontext':
      return rng.weighted([
        [4, () => encodeTextLike(rng)],
        [2, () => base64ish(rng)],
        [1, () => rng.pick(['%%%', '', '_w', '____', 'AAAA', '77u_', 'a', '!!!'])],
        [1, junk],
      ]);
    case 'at':
      return rng.weighted([
        [4, () => `${number(rng)}.${number(rng)}`],
        [1, () => rng.pick(['3', '.5', '1.', '1.2.3', '1..2', '-1.2', '１.２', '1.2 ', '0.0', '1,2'])],
        [1, junk],
      ]);
    case 'step':
      return rng.weighted([
        [3, () => number(rng)],
        [2, () => lessonId(rng)],
        [1, junk],
      ]);
    case 'lang':
      return rng.weighted([
        [4, () => rng.pick(['en', 'zh'])],
        [1, () => rng.pick(['fr', 'EN', 'zh-CN', '', ' en'])],
        [1, junk],
      ]);
    case 'controls':
      return rng.weighted([
        [4, () => rng.pick(CONTROL_VALUES)],
        [1, () => rng.pick(['lessons', 'Full', '', 'some'])],
        [1, junk],
      ]);
    case 'view':
      return rng.weighted([
        [4, () => rng.pick(VIEW_VALUES)],
        [1, () => rng.pick(['nowhere', 'Map', '', 'map '])],
        [1, junk],
      ]);
    case 'history':
      return rng.weighted([
        [3, () => String(rng.range(0, 400))],
        [1, () => rng.pick(['2', '384', '1', '385', '002', '16.5', '1e2', '-4', 'lots'])],
        [2, () => number(rng)],
      ]);
    case 'origin':
      return rng.weighted([
        [4, () => origin(rng)],
        [1, junk],
      ]);
    case 'lesson':
      return lessonId(rng);
    default:
      return rng.weighted([
        [2, () => rng.pick(['dark', '1', '0', ''])],
        [1, junk],
      ]);
  }
}

/** base64url of UTF-8 as encodeText makes it (written here so the generator does not depend on the module). */
function encodeTextLike(rng) {
  const bytes = rng.chance(0.9)
    ? new TextEncoder().encode(unicode(rng, 120))
    : Uint8Array.from({ length: rng.length(40) }, () => rng.int(256)); // not always UTF-8
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A value as it goes into the fragment: percent-encoded, raw, or with broken escapes. */
function encodeValue(rng, value) {
  return rng.weighted([
    [6, () => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'))],
    [1, () => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd')).replace(/%20/g, '+')],
    [1, () => value], // raw: & = # and spaces as they are
    [
      1,
      () =>
        insertAt(
          rng,
          encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd')),
          rng.pick(['%', '%zz', '%E4%B8', '%C0%80', '%ED%A0%80', '%FF', '%0', '%%', '%25', '%00', '%0A', '%26', '%3D']),
        ),
    ],
  ]);
}

/** A key as the fragment spells it (sometimes percent-encoded, which URLSearchParams decodes too). */
function encodeKey(rng, key) {
  if (rng.chance(0.05)) return key.replace(/^./, (c) => '%' + c.charCodeAt(0).toString(16));
  return key;
}

/** A URL fragment built pair by pair: known keys (some repeated), unknown ones, empty pairs, odd separators. */
export function fragmentFromPairs(rng) {
  const n = rng.weighted([
    [3, () => rng.range(0, 4)],
    [2, () => rng.range(4, 12)],
    [0.3, () => rng.range(12, 60)],
  ]);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const key = rng.chance(0.85) ? rng.pick(URL_KEYS) : rng.pick(OTHER_KEYS);
    const value = rng.chance(0.003) ? hugeValue(rng, key) : urlValue(rng, key);
    parts.push(
      rng.weighted([
        [20, () => `${encodeKey(rng, key)}=${encodeValue(rng, value)}`],
        [1, () => key], // no '='
        [1, () => ''], // '&&'
        [1, () => '='],
        [1, () => `=${encodeValue(rng, value)}`], // empty key
        [1, () => `${key}==${encodeValue(rng, value)}`],
      ]),
    );
  }
  const sep = rng.weighted([
    [10, () => '&'],
    [1, () => '&&'],
    [1, () => ';'],
  ]);
  return (rng.chance(0.8) ? '#' : rng.pick(['', '##', '?', '#?'])) + parts.join(sep);
}

/** A value up to ~200 KB (a very long link). */
function hugeValue(rng, key) {
  const size = rng.range(64 * 1024, 200 * 1024);
  if (key === 'dmesg' || key === 'scenario' || key === 'lessontext') {
    let s = '';
    while (s.length < size) s += B64.slice(rng.int(32), 32 + rng.int(32));
    return s.slice(0, size);
  }
  return (unicode(rng, 64) || 'x').repeat(Math.ceil(size / 64)).slice(0, size);
}

/** A well-formed fragment: what the page writes for a random state (valid keys and values only). */
export function validFragment(rng) {
  const pairs = [];
  const lesson = rng.chance(0.25);
  if (lesson) {
    if (rng.chance(0.7)) pairs.push(['lesson', rng.pick(['buddy', 'pcp', 'oom', 'slab'])]);
    else pairs.push(['lessontext', encodeTextLike(rng)]);
    if (rng.chance(0.6)) pairs.push(['step', rng.pick(['1', '2', '12', 'merge', 'refill'])]);
  } else {
    if (rng.chance(0.7)) pairs.push(['machine', rng.pick(['ram=1G cpus=2', 'ram=128M cpus=1'])]);
    else if (rng.chance(0.3)) pairs.push(['dmesg', base64ish(rng, 300).replace(/[^A-Za-z0-9_-]/g, '') || 'abc']);
    for (let i = rng.int(6); i > 0; i--) {
      if (rng.chance(0.7)) pairs.push(['do', rng.pick(['kmalloc p 200', 'kfree p', 'drain all', 'alloc order=3'])]);
      else pairs.push(['scenario', encodeTextLike(rng)]);
    }
    if (rng.chance(0.5)) pairs.push(['at', `${rng.int(8)}.${rng.int(5000)}`]);
    else if (rng.chance(0.3)) pairs.push(['step', String(rng.int(10000))]);
  }
  if (rng.chance(0.5)) pairs.push(['lang', rng.pick(['en', 'zh'])]);
  if (rng.chance(0.4)) pairs.push(['controls', rng.pick(CONTROL_VALUES)]);
  if (rng.chance(0.4)) pairs.push(['view', rng.pick(VIEW_VALUES)]);
  if (rng.chance(0.2)) pairs.push(['history', String(rng.range(2, 384))]);
  for (let i = rng.chance(0.2) ? rng.range(1, 3) : 0; i > 0; i--) pairs.push(['origin', 'https://course.example.org']);
  return '#' + new URLSearchParams(pairs).toString();
}

/** Random edits of a string: character flips, splices of another string, truncation, deletion, repetition. */
export function mutate(rng, s, other = '') {
  let out = s;
  for (let k = rng.range(1, 4); k > 0; k--) {
    const i = rng.int(out.length + 1);
    out = rng.weighted([
      [3, () => out.slice(0, i) + String.fromCharCode(rng.pick([rng.int(128), rng.int(0x10000)])) + out.slice(i + 1)],
      [2, () => out.slice(0, i) + rng.pick(['&', '=', '%', '#', '+', '%2', '&&', '%26', '%3D', '.']) + out.slice(i)],
      [2, () => out.slice(0, i) + other.slice(rng.int(other.length + 1), rng.int(other.length + 1)) + out.slice(i)],
      [1, () => out.slice(0, i)],
      [1, () => out.slice(0, i) + out.slice(i + rng.range(1, 8))],
      [1, () => out.slice(0, i) + out.slice(i).repeat(2)],
    ]);
  }
  return out;
}

/** One input for the URL state target: a fragment (from pairs, valid, mutated) or a text for encodeText. */
export function urlCase(rng) {
  return rng.weighted([
    [5, () => ({ hash: fragmentFromPairs(rng) })],
    [2, () => ({ hash: validFragment(rng) })],
    [3, () => ({ hash: mutate(rng, validFragment(rng), fragmentFromPairs(rng)) })],
    [0.5, () => ({ hash: unicode(rng, 200, true) })],
    [1.5, () => ({ text: unicode(rng, 300, rng.chance(0.3)) })],
  ]);
}

// ---- postMessage payloads (embed/api.ts) ------------------------------------------------

/** Every type checkMessage accepts (the header comment of embed/api.ts). */
export const MESSAGE_TYPES = [
  'mm:load',
  'mm:step',
  'mm:play',
  'mm:pause',
  'mm:set-lang',
  'mm:set-view',
  'mm:get-state',
];

const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'then',
  'type',
  'link',
  'lesson',
  'scenario',
  'step',
  'delta',
  'to',
  'at',
  'lang',
  'view',
  'id',
  '',
  '0',
  'length',
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  0.1,
  2,
  12,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MAX_VALUE,
  1e21,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
];

export function anyNumber(rng) {
  return rng.weighted([
    [3, () => rng.pick(NUMBERS)],
    [2, () => rng.int(1000)],
    [1, () => (rng.next() - 0.5) * 10 ** rng.int(30)],
  ]);
}

/** An own data property, even for '__proto__' (as JSON.parse and structured clone make it). */
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Any value structured clone can carry (no functions, symbols or getters): primitives, containers, cycles. */
export function anyValue(rng, depth = 3) {
  const leaf = [
    [1, () => null],
    [1, () => undefined],
    [1, () => rng.chance(0.5)],
    [3, () => anyNumber(rng)],
    [0.5, () => BigInt(rng.int(1000)) * (rng.chance(0.5) ? 1n : -(10n ** 30n))],
    [3, () => unicode(rng, 60, true)],
    [0.5, () => rng.pick(MESSAGE_TYPES)],
    [0.02, () => 'x'.repeat(rng.range(10000, 200000))],
  ];
  if (depth <= 0) return rng.weighted(leaf);
  return rng.weighted([
    ...leaf,
    [2, () => anyObject(rng, depth - 1)],
    [
      1,
      () => {
        const a = Array.from({ length: rng.length(6) }, () => anyValue(rng, depth - 1));
        if (rng.chance(0.1)) a[rng.range(10, 100)] = 1; // sparse
        return a;
      },
    ],
    [
      0.5,
      () =>
        rng.pick([
          () => new Date(rng.int(2e12)),
          () => new Date(NaN),
          () => /mm:load/g,
          () => new Map([[rng.pick(ODD_KEYS), anyValue(rng, depth - 1)]]),
          () => new Set([rng.pick(MESSAGE_TYPES)]),
          () => new ArrayBuffer(rng.int(16)),
          () => new Uint8Array(rng.int(16)),
          () => new Error('boom'),
          () => Object(rng.pick(MESSAGE_TYPES)), // a String object
          () => Object(1),
          () => {
            const o = { type: rng.pick(MESSAGE_TYPES) };
            o.self = o; // a cycle
            o.at = o;
            return o;
          },
        ])(),
    ],
  ]);
}

function anyObject(rng, depth) {
  const o = rng.chance(0.1) ? Object.create(null) : {};
  for (let i = rng.length(8); i > 0; i--) {
    const key = rng.chance(0.6) ? rng.pick(ODD_KEYS) : unicode(rng, 12, true);
    setOwn(o, key, anyValue(rng, depth));
  }
  return o;
}

/** A message of `type` that checkMessage must accept, with only fields the API documents (and, for most, harmless extras). */
export function validMessage(rng, type = rng.pick(MESSAGE_TYPES)) {
  const m = { type };
  const maybe = (key, make) => {
    if (rng.chance(0.5)) m[key] = make();
  };
  const extras = () => {
    if (rng.chance(0.2)) m[rng.pick(['id', 'note', 'from', 'version'])] = anyValue(rng, 1);
  };
  const whole = () => rng.pick([0, 1, 2, 17, 1000, Number.MAX_SAFE_INTEGER]);
  switch (type) {
    case 'mm:load':
      rng.weighted([
        [
          2,
          () => {
            m.scenario = statementText(rng);
            maybe('step', () => rng.pick([0, -0, 1, 3, 2.5, 1e300, rng.int(10000)]));
          },
        ],
        [1, () => (m.link = rng.chance(0.5) ? validFragment(rng) : `https://x.org/embed.html${validFragment(rng)}`)],
        [
          1,
          () => {
            m.lesson = lessonId(rng);
            maybe('step', () => rng.pick([1, 2, 40, 'merge', '', '2.5', unicode(rng, 10, true)]));
          },
        ],
      ]);
      if (rng.chance(0.2)) m.id = anyValue(rng, 1); // not a field of mm:load: ignored
      break;
    case 'mm:step':
      rng.weighted([
        [1, () => {}],
        [2, () => (m.delta = rng.pick([1, -1, 0, 10, -1e6, 0.5]))],
        [2, () => (m.to = rng.pick([0, 12, 1e9, -3, 2.5]))],
        [1, () => (m.at = { statement: whole(), event: whole() })],
        [
          1,
          () => {
            m.delta = rng.pick([1, undefined]);
            m.to = rng.pick([5, undefined]);
            m.at = rng.pick([undefined, { statement: 1, event: 0, extra: 'x' }]);
          },
        ],
      ]);
      extras();
      break;
    case 'mm:set-lang':
      m.lang = rng.pick(['en', 'zh']);
      extras();
      break;
    case 'mm:set-view':
      m.view = rng.pick(VIEW_VALUES);
      extras();
      break;
    case 'mm:get-state':
      maybe('id', () => anyValue(rng, 2));
      break;
    default: // mm:play, mm:pause
      extras();
  }
  return m;
}

/** Not a type checkMessage knows: near misses, other strings, other kinds of value. */
export function wrongType(rng) {
  return rng.weighted([
    [
      3,
      () =>
        rng.pick([
          'mm:Load',
          'mm:load ',
          ' mm:load',
          'mm:loa',
          'mm:loadd',
          'MM:PLAY',
          'mm:',
          'mm:state',
          'mm:ready',
          'mm:error',
          'mm:height',
          'mm:quiz-result',
          'mm:explode',
          'mm:set_lang',
          'load',
          'play',
          '',
          'mm:play\n',
          'mm:play\u0000',
          'ｍｍ:play',
          '__proto__',
          'constructor',
        ]),
    ],
    [2, () => unicode(rng, 40, true)],
    [0.1, () => 'mm:' + 'x'.repeat(rng.range(1000, 100000))],
    [
      2,
      () =>
        rng.pick([
          () => null,
          () => undefined,
          () => anyNumber(rng),
          () => true,
          () => 1n,
          () => [rng.pick(MESSAGE_TYPES)],
          () => Object(rng.pick(MESSAGE_TYPES)),
          () => ({ toString: rng.pick(MESSAGE_TYPES) }),
          () => {
            const o = {};
            o.o = o;
            return o;
          },
        ])(),
    ],
  ]);
}

/** A mutation of a valid message: a field removed, replaced by any value, an odd key added, the object re-made. */
export function mutateMessage(rng, m) {
  const out = rng.chance(0.1) ? Object.assign(Object.create(null), m) : { ...m };
  for (let k = rng.range(1, 3); k > 0; k--) {
    const keys = Object.keys(out);
    rng.weighted([
      [2, () => keys.length && delete out[rng.pick(keys)]],
      [3, () => keys.length && setOwn(out, rng.pick(keys), anyValue(rng, 2))],
      [2, () => setOwn(out, rng.pick(ODD_KEYS), anyValue(rng, 2))],
      [1, () => typeof out.type === 'string' && (out.type = mutate(rng, out.type))],
    ]);
  }
  return out;
}

/** One input for the message target; `expect` says what checkMessage must do with it, when the generator knows. */
export function messageCase(rng) {
  return rng.weighted([
    [3, () => ({ message: validMessage(rng), expect: 'accept' })],
    [2, () => ({ message: { ...validMessage(rng), type: wrongType(rng) }, expect: 'refuse' })],
    [4, () => ({ message: mutateMessage(rng, validMessage(rng)) })],
    [2, () => ({ message: anyValue(rng, 3) })],
    [1, () => ({ message: anyObject(rng, 2) })],
  ]);
}
