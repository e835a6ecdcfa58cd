// The properties the page's input checkers must keep for any input (issue
// 15), shared by tests/page/fuzz.test.mjs (a bounded run in CI) and
// scripts/fuzz-web.mjs (a timed run). Inputs come from tests/page/fuzzgen.mjs;
// a case is reproduced from its seed alone (case 0 of a run is its seed).
//   urlstate  embed/urlstate.ts: parseHash, formatHash, sessionKey, encodeText/decodeText
//   messages  embed/api.ts: checkMessage
import assert from 'node:assert/strict';
import { page } from './support.mjs';
import { Rng, caseSeed, messageCase, urlCase, URL_KEYS, MESSAGE_TYPES } from './fuzzgen.mjs';

/** The state of an empty fragment (as tests/page/urlstate.test.mjs has it). */
export const defaults = () => ({
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

/** A value as a failure prints it: any value (cycles, bigint, NaN, undefined), cut to `max` characters. */
export function show(value, max = 600) {
  const seen = new Set();
  const walk = (v, depth) => {
    if (typeof v === 'string') return JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (v === null || typeof v !== 'object') return String(v);
    if (seen.has(v)) return '<cycle>';
    if (depth > 4) return '…';
    seen.add(v);
    const name = Array.isArray(v) ? '' : Object.getPrototypeOf(v) === null ? '[null proto]' : v.constructor?.name;
    const body = Array.isArray(v)
      ? `[${v.map((x) => walk(x, depth + 1)).join(', ')}]`
      : `{${Object.keys(v)
          .map((k) => `${JSON.stringify(k)}: ${walk(v[k], depth + 1)}`)
          .join(', ')}}`;
    seen.delete(v);
    return name && name !== 'Object' ? `${name} ${body}` : body;
  };
  const text = walk(value, 0);
  return text.length > max ? `${text.slice(0, max)}…(${text.length} characters)` : text;
}

// A problem or an error text is one short line: no control characters, no line or paragraph separators.
const NOT_ONE_LINE = /[\p{Cc}\u2028\u2029]/u;
const MAX_TEXT = 300;

function checkText(text, what) {
  assert.equal(typeof text, 'string', `${what} is not a string`);
  assert.ok(text.length > 0, `${what} is empty`);
  assert.ok(!NOT_ONE_LINE.test(text), `${what} is not one line: ${JSON.stringify(text.slice(0, 200))}`);
  assert.ok(text.length <= MAX_TEXT, `${what} is ${text.length} characters long`);
  assert.ok(text.isWellFormed(), `${what} has a lone surrogate`);
}

/** A message with the value it quotes taken out: a rough figure of which checks were reached. */
export function template(text) {
  return text
    .replace(/^(\w+)=.*?( is not |: use )/, '$1=…$2')
    .replace(/unknown message type .*/, 'unknown message type …');
}

// ---- URL state ----------------------------------------------------------------------

const PROBLEM_KEY = new RegExp(`^(${URL_KEYS.join('|')})=`);
const plainObject = (v) => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const keysOf = (v) => Object.keys(v).sort();
const wholeOrNull = (v) => v === null || (Number.isInteger(v) && v >= 0);

/** The state's shape: every key of defaults() and no other, each value of the type and range UrlState documents. */
function checkState(u, s) {
  assert.ok(plainObject(s), 'the state is not a plain object');
  assert.deepEqual(keysOf(s), keysOf(defaults()), 'the state has other keys than the defaults');
  const strOrNull = (v) => v === null || typeof v === 'string';
  for (const k of ['machine', 'dmesg', 'lesson', 'lessonText', 'lessonStep'])
    assert.ok(strOrNull(s[k]), `${k} is ${show(s[k])}`);
  assert.ok(s.machine !== '', 'machine is an empty string (null means none)');
  assert.ok(s.dmesg === null || /^[A-Za-z0-9_-]+$/.test(s.dmesg), `dmesg is ${show(s.dmesg)}`);
  assert.ok(!(s.machine !== null && s.dmesg !== null), 'both machine and dmesg');
  assert.ok(Array.isArray(s.statements), 'statements is not an array');
  for (const st of s.statements) {
    assert.ok(plainObject(st) && keysOf(st).join() === 'kind,text', `a statement is ${show(st)}`);
    assert.ok(st.kind === 'command' || st.kind === 'scenario', `a statement's kind is ${show(st.kind)}`);
    assert.equal(typeof st.text, 'string');
    if (st.kind === 'command') assert.ok(st.text.trim() !== '', 'an empty do= became a statement');
  }
  if (s.at !== null) {
    assert.ok(plainObject(s.at) && keysOf(s.at).join() === 'event,statement', `at is ${show(s.at)}`);
    for (const k of ['statement', 'event'])
      assert.ok(Number.isSafeInteger(s.at[k]) && s.at[k] >= 0, `at.${k} is ${show(s.at[k])}`);
  }
  assert.ok(wholeOrNull(s.step), `step is ${show(s.step)}`);
  assert.ok([null, 'en', 'zh'].includes(s.lang), `lang is ${show(s.lang)}`);
  assert.ok(u.CONTROLS.includes(s.controls), `controls is ${show(s.controls)}`);
  assert.ok(s.view === null || u.VIEWS.includes(s.view), `view is ${show(s.view)}`);
  assert.ok(s.history === null || (Number.isInteger(s.history) && s.history >= 2 && s.history <= 384), 'history');
  assert.ok(Array.isArray(s.origins), 'origins is not an array');
  for (const o of s.origins) {
    assert.equal(typeof o, 'string');
    assert.notEqual(o, 'null', 'an opaque origin ("null") is allowed to drive the embed');
    assert.equal(new URL(o).origin, o, `origin ${show(o)} is not an origin`);
  }
  assert.ok(s.lesson === null || /^[a-z0-9_-]+$/.test(s.lesson), `lesson is ${show(s.lesson)}`);
  assert.ok(!(s.lesson !== null && s.lessonText !== null), 'both lesson and lessonText');
  const inLesson = s.lesson !== null || s.lessonText !== null;
  if (s.lessonStep !== null) {
    assert.ok(inLesson, 'a lesson step without a lesson');
    assert.match(s.lessonStep, /^[A-Za-z0-9_-]+$/);
  }
  // What formatHash would not write must not be in the state (else a link would not hold it).
  if (inLesson) assert.ok(s.at === null && s.step === null, 'a cursor (at= or step=) with a lesson');
  if (s.at !== null) assert.equal(s.step, null, 'both at and an old global step');
  // Every string survives the URL: no lone surrogates.
  const strings = [s.machine, s.dmesg, s.lesson, s.lessonText, s.lessonStep, ...s.statements.map((st) => st.text)];
  for (const v of strings) if (v !== null) assert.ok(v.isWellFormed(), `a lone surrogate in ${show(v)}`);
}

/** parseHash, formatHash and sessionKey on one fragment; returns the problems. */
function checkHash(u, hash) {
  let parsed;
  assert.doesNotThrow(() => (parsed = u.parseHash(hash)), 'parseHash threw');
  assert.ok(
    plainObject(parsed) && keysOf(parsed).join() === 'problems,state',
    'parseHash did not return {state, problems}',
  );
  const { state, problems } = parsed;
  assert.ok(Array.isArray(problems), 'problems is not an array');
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const p of problems) {
    checkText(p, 'a problem');
    const key = PROBLEM_KEY.exec(p);
    assert.ok(key, `a problem names no key (KEY=...): ${show(p)}`);
    assert.ok(params.has(key[1]), `a problem names ${key[1]}=, which the fragment does not have: ${show(p)}`);
  }
  checkState(u, state);

  // The state is canonical: its fragment parses back to it, cleanly, and formats to itself.
  let hash2;
  assert.doesNotThrow(() => (hash2 = u.formatHash(state)), 'formatHash threw');
  assert.equal(typeof hash2, 'string');
  assert.ok(hash2.startsWith('#'), 'formatHash does not start with #');
  const again = u.parseHash(hash2);
  assert.deepEqual(again.problems, [], `the formatted fragment ${show(hash2)} has problems`);
  assert.deepEqual(again.state, state, `the formatted fragment ${show(hash2)} is another state`);
  assert.equal(u.formatHash(again.state), hash2, 'formatHash is not a fixed point');
  assert.equal(u.sessionKey(again.state), u.sessionKey(state), 'sessionKey differs for the same state');
  assert.equal(typeof u.sessionKey(state), 'string');

  // Unknown keys are ignored.
  const withUnknown = u.parseHash(`${hash}&x-fuzz-unknown=1`);
  assert.deepEqual(withUnknown, parsed, 'an unknown key changed the result');
  return problems;
}

/**
 * encodeText then decodeText gives the text back. encodeText encodes UTF-8,
 * which cannot hold a lone surrogate (TextEncoder writes U+FFFD for it):
 * such a text comes back as its well-formed form.
 */
function checkText64(u, text) {
  const enc = u.encodeText(text);
  assert.match(enc, /^[A-Za-z0-9_-]*$/, 'encodeText is not unpadded base64url');
  assert.equal(u.decodeText(enc), text.toWellFormed(), 'decodeText(encodeText(text)) is not the text');
}

// ---- messages -----------------------------------------------------------------------

const finite = (v) => typeof v === 'number' && Number.isFinite(v);
const optional = (v, ok) => v === undefined || ok(v);
const whole = (v) => Number.isInteger(v) && v >= 0;

/** The fields of each mm:load variant, told apart as api.ts's handle() does: link, then lesson, then scenario. */
const LOAD_FIELDS = {
  link: ['type', 'link'],
  lesson: ['type', 'lesson', 'step'],
  scenario: ['type', 'scenario', 'step'],
};

/** checkMessage on one payload; returns the refusal text or null. */
function checkOneMessage(a, u, { message, expect }) {
  let r;
  assert.doesNotThrow(() => (r = a.checkMessage(message)), 'checkMessage threw');
  if (typeof r === 'string') {
    checkText(r, 'the refusal');
    assert.notEqual(expect, 'accept', `a valid message was refused: ${r}`);
    if (typeof message !== 'object' || message === null) assert.equal(r, 'a message must be an object');
    if (expect === 'refuse') assert.match(r, /^unknown message type /);
    return r;
  }
  assert.notEqual(expect, 'refuse', 'a message of an unknown type was accepted');
  assert.ok(typeof message === 'object' && message !== null, 'a non-object was accepted');
  assert.ok(typeof r === 'object' && r !== null, `checkMessage returned ${show(r)}`);
  assert.ok(MESSAGE_TYPES.includes(r.type), `accepted type ${show(r.type)}`);
  assert.equal(r.type, message.type, 'the accepted type is not the message type');
  switch (r.type) {
    case 'mm:load': {
      // A fresh object with only its variant's fields, each the message's own value.
      const variant = 'link' in r ? 'link' : 'lesson' in r ? 'lesson' : 'scenario';
      for (const k of Object.keys(r)) {
        assert.ok(LOAD_FIELDS[variant].includes(k), `mm:load (${variant}) carries ${k}`);
        assert.ok(Object.is(r[k], message[k]), `mm:load ${k} is not the message's`);
      }
      assert.equal(typeof r[variant], 'string', `mm:load ${variant} is not a string`);
      if (variant === 'lesson')
        assert.ok(
          optional(r.step, (s) => typeof s === 'string' || (Number.isInteger(s) && s >= 1)),
          'lesson step',
        );
      if (variant === 'scenario')
        assert.ok(
          optional(r.step, (s) => finite(s) && s >= 0),
          'scenario step',
        );
      if (expect === 'accept') for (const k of LOAD_FIELDS[variant]) assert.ok(Object.is(r[k], message[k]), k);
      if (variant === 'link') checkHash(u, r.link.includes('#') ? r.link.slice(r.link.indexOf('#')) : `#${r.link}`);
      return null;
    }
    case 'mm:step':
      assert.ok(optional(r.delta, finite) && optional(r.to, finite), 'mm:step delta or to not finite');
      if (r.at !== undefined) {
        assert.ok(typeof r.at === 'object' && r.at !== null, 'mm:step at');
        assert.ok(whole(r.at.statement) && whole(r.at.event), 'mm:step at is not two whole numbers');
      }
      break;
    case 'mm:set-lang':
      assert.ok(r.lang === 'en' || r.lang === 'zh', `lang ${show(r.lang)}`);
      break;
    case 'mm:set-view':
      assert.ok(u.VIEWS.includes(r.view), `view ${show(r.view)}`);
      break;
    default: // mm:play, mm:pause, mm:get-state: nothing more to check
  }
  assert.equal(r, message, 'an accepted message is not the message itself');
  return null;
}

// ---- targets and the run loop -------------------------------------------------------

/** What a target is: its modules, its inputs, and the check of one input (throws on a broken property). */
export const TARGETS = {
  urlstate: {
    load: async () => ({ u: await page('embed/urlstate.js') }),
    generate: urlCase,
    /** Returns the problems of a fragment (null for a text case). */
    check({ u }, input) {
      if ('text' in input) {
        checkText64(u, input.text);
        return null;
      }
      return checkHash(u, input.hash);
    },
  },
  messages: {
    load: async () => ({ a: await page('embed/api.js'), u: await page('embed/urlstate.js') }),
    generate: messageCase,
    /** Returns [the refusal] or [] when accepted. */
    check({ a, u }, input) {
      const r = checkOneMessage(a, u, input);
      return r === null ? [] : [r];
    },
  },
};

/** A failure: the seed that regenerates its input (MM_FUZZ_SEED; null for a fixed case), the input, what broke. */
export class Finding extends Error {
  constructor(target, seed, input, cause) {
    const where = seed === null ? 'fixed case' : `seed ${seed} (rerun: MM_FUZZ_SEED=${seed})`;
    super(`${target}: ${where}: ${cause?.message ?? cause}\ninput: ${show(input)}`, { cause });
    this.seed = seed;
    this.input = input;
  }
}

/** Runs one fixed input through a target's check; throws a Finding. */
export function checkInput(target, mods, input) {
  try {
    return TARGETS[target].check(mods, input);
  } catch (e) {
    throw new Finding(target, null, input, e);
  }
}

/**
 * Runs `target` from `seed`: `cases` inputs, or for `seconds`. Returns the
 * figures: cases, seconds, problems (inputs with problems or refusals), clean,
 * templates (distinct problem texts, values taken out). Stops at the first
 * broken property and returns it as `finding`.
 */
export async function run(target, { seed, cases = Infinity, seconds = Infinity, mods }) {
  const t = TARGETS[target];
  mods ??= await t.load();
  const figures = { cases: 0, seconds: 0, problems: 0, clean: 0, templates: new Set(), finding: null };
  const start = performance.now();
  const deadline = start + seconds * 1000;
  for (let i = 0; i < cases; i++) {
    if ((i & 15) === 0 && performance.now() > deadline) break;
    const s = caseSeed(seed, i);
    const input = t.generate(new Rng(s));
    let problems;
    try {
      problems = t.check(mods, input);
    } catch (e) {
      figures.finding = new Finding(target, `0x${s.toString(16)}`, input, e);
      figures.cases++;
      break;
    }
    figures.cases++;
    if (problems === null) continue;
    if (problems.length > 0) figures.problems++;
    else figures.clean++;
    for (const p of problems) figures.templates.add(template(p));
  }
  figures.seconds = (performance.now() - start) / 1000;
  return figures;
}

/** A seed from the environment (MM_FUZZ_SEED: decimal or 0x hex), or null. */
export function envSeed() {
  const v = process.env.MM_FUZZ_SEED;
  if (!v) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`MM_FUZZ_SEED=${v} is not a 32-bit seed`);
  return n;
}
