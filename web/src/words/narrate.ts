// Narration of engine events: one sentence per event in the page's language,
// and the animation each event asks for, both from the engine's catalogue.
//
// The sentence is the template of the event's code (the narration table,
// engine/text/format/narration.def, exported in Catalogue.events[].en/zh)
// filled from the event's typed arguments, the same way the engine fills it
// for the CLI (engine/text/format/narration.cpp; a unit test compares the
// two event by event). Syntax:
//   {name}       the argument, shown by its type (Catalogue.args)
//   {name?A|B}   A when the argument is non-zero (true), else B
// and the derived placeholders (DERIVED below: the sentence's arithmetic,
// worked out from the code's own arguments, as narration.cpp's kDerived).
// The result is a list of pieces, plain text and typed values, so a renderer
// can put glossary tooltips on the words and make values clickable.
//
// The motion (what the frame map animates) is the catalogue's motion of the
// event's code.

import type { ArgType, MmEvent } from '../../../wasm/mm-engine.js';
import type { Catalog } from '../engine/catalogue.js';
import type { Lang } from './i18n.js';

/** A piece of a sentence: words of the template, an argument's value as
 *  its type shows it, or a placeholder the event's code does not declare
 *  (shown as written, "{name}", so a template bug is visible but harmless). */
export type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'value';
      readonly text: string;
      readonly arg: string;
      readonly type: ArgType;
      readonly value: number | string;
    }
  | { readonly kind: 'unknown'; readonly text: string; readonly arg: string };

export interface Narration {
  /** The kernel function the event stands for. */
  fn: string;
  pieces: readonly Piece[];
  /** The pieces joined. */
  text: string;
}

/** The six identity fields every MmEvent carries as its own fields. */
const IDENTITY = new Set(['pfn', 'order', 'mt', 'zone', 'node', 'cpu']);

/** Types the engine formats itself and sends as strings (a gfp mask's flag names, a 64-bit address, a string-table entry). */
const STRING_TYPES = new Set<ArgType>(['Str', 'Gfp', 'AllocFlags', 'SlabFlags', 'Addr']);

/** The value of argument `name` of `ev`: an identity field or one of `args`. */
function argValue(ev: MmEvent, name: string, type: ArgType): number | string {
  if (IDENTITY.has(name)) return ev[name as 'pfn' | 'order' | 'mt' | 'zone' | 'node' | 'cpu'];
  const v = ev.args[name];
  if (v !== undefined) return v;
  return STRING_TYPES.has(type) ? '' : 0; // not set by the emit site: the engine reads 0
}

/** Derived placeholders (narration.def lists them): a code that carries
 *  both inputs may name one. The same table as narration.cpp's kDerived. */
interface Derived {
  readonly inputs: readonly [string, string];
  readonly type: ArgType;
  readonly value: (a: number, b: number) => number;
}
const orderUnusable = (order: number) => 2 ** order - 1;
const DERIVED: Readonly<Record<string, Derived>> = {
  order_unusable: { inputs: ['order', 'order'], type: 'Count', value: (order) => orderUnusable(order) },
  highatomic: {
    inputs: ['order', 'unusable'],
    type: 'Count',
    value: (order, unusable) => unusable - orderUnusable(order),
  },
  mark_reserve: { inputs: ['mark', 'reserve'], type: 'Count', value: (mark, reserve) => mark + reserve },
  below_zero: { inputs: ['usable', 'usable'], type: 'Bool', value: (usable) => (usable < 0 ? 1 : 0) },
  // pfn ^ (1 << order) in 64 bits, as the engine works it out.
  buddy_of: {
    inputs: ['pfn', 'order'],
    type: 'Pfn',
    value: (pfn, order) => Number(BigInt(pfn) ^ (1n << BigInt(order))),
  },
};

/** A derived placeholder's type and value for `ev`, when its code carries the inputs. */
function derived(ev: MmEvent, name: string, declared: readonly string[]): { type: ArgType; value: number } | null {
  const d = Object.hasOwn(DERIVED, name) ? DERIVED[name] : undefined;
  if (!d || !d.inputs.every((i) => declared.includes(i))) return null;
  const [a, b] = d.inputs.map((i) => {
    const v = argValue(ev, i, 'Count');
    return typeof v === 'number' ? v : 0;
  }) as [number, number];
  return { type: d.type, value: d.value(a, b) };
}

function truthy(v: number | string): boolean {
  return typeof v === 'number' ? v !== 0 : v !== '';
}

/** "0x" and the low 64 bits of v in hex, at least `width` digits. */
function hex(v: number, width: number): string {
  if (!Number.isInteger(v)) return String(v);
  return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(width, '0');
}

/** An argument's value as its type shows it (narration.cpp's format_arg). */
export function formatValue(cat: Catalog, ev: MmEvent, type: ArgType, v: number | string, lang: Lang): string {
  if (typeof v === 'string') return v; // formatted by the engine (Str, Gfp, AllocFlags, SlabFlags, Addr)
  switch (type) {
    case 'MigrateType':
      return cat.migrateTypeName(v, lang) ?? '?';
    case 'Zone':
      return `${lang === 'zh' ? '节点' : 'Node'} ${ev.node} ${cat.zoneName(ev.zone) ?? '?'}`;
    case 'ZoneType':
      return cat.zoneName(v) ?? '?';
    case 'Phys':
      return hex(v, 16);
    case 'Addr':
    case 'Gfp':
    case 'AllocFlags':
    case 'SlabFlags':
      return hex(v, 1);
    case 'Wmark':
      return cat.wmarkName(v) ?? '?';
    case 'Bool':
      return v ? '1' : '0';
    case 'Str':
      return ''; // a string-table entry the engine did not send
    case 'Pfn':
    case 'Order':
    case 'Node':
    case 'Cpu':
    case 'Count':
    case 'Signed':
    case 'Bytes':
    case 'Pid':
      return String(v);
  }
}

/** The index of the '}' closing the '{' at `open` (placeholders nest inside
 *  a choice's branches), or -1. */
function closing(tpl: string, open: number): number {
  let depth = 0;
  for (let i = open; i < tpl.length; i++) {
    if (tpl[i] === '{') depth++;
    else if (tpl[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The '|' between a choice's branches: the first one outside any placeholder. */
function bar(rest: string): number {
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '{') depth++;
    else if (rest[i] === '}') depth--;
    else if (rest[i] === '|' && depth === 0) return i;
  }
  return -1;
}

/** Fills `template` from `ev`, whose code declares the arguments `declared`.
 *  A malformed template (an unclosed '{', a choice without '|') keeps its
 *  remaining text as it is. */
export function fill(cat: Catalog, template: string, ev: MmEvent, declared: readonly string[], lang: Lang): Piece[] {
  const out: Piece[] = [];
  const text = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + t };
    else out.push({ kind: 'text', text: t });
  };
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      text(template.slice(i));
      break;
    }
    text(template.slice(i, open));
    const close = closing(template, open);
    if (close < 0) {
      text(template.slice(open));
      break;
    }
    const body = template.slice(open + 1, close);
    const q = body.indexOf('?');
    const name = q < 0 ? body : body.slice(0, q);
    const worked = declared.includes(name) ? null : derived(ev, name, declared);
    const type = worked ? worked.type : declared.includes(name) ? cat.argType(name) : undefined;
    let branches: [string, string] | null = null;
    if (q >= 0) {
      const rest = body.slice(q + 1);
      const b = bar(rest);
      if (b < 0) {
        text(template.slice(open));
        break;
      }
      branches = [rest.slice(0, b), rest.slice(b + 1)];
    }
    if (type === undefined) {
      out.push({ kind: 'unknown', text: `{${name}}`, arg: name });
    } else {
      const value = worked ? worked.value : argValue(ev, name, type);
      if (branches) {
        for (const p of fill(cat, truthy(value) ? branches[0] : branches[1], ev, declared, lang)) {
          if (p.kind === 'text') text(p.text);
          else out.push(p);
        }
      } else {
        out.push({ kind: 'value', text: formatValue(cat, ev, type, value, lang), arg: name, type, value });
      }
    }
    i = close + 1;
  }
  return out;
}

export function joinPieces(pieces: readonly Piece[]): string {
  let s = '';
  for (const p of pieces) s += p.text;
  return s;
}

/** One event as a sentence in `lang`. An 'end' event says that the
 *  function its phase stands for returns (the breadcrumbs show which). */
export function narrate(cat: Catalog, ev: MmEvent, lang: Lang): Narration {
  const entry = cat.event(ev.code);
  if (ev.kind === 'end') {
    const text = cat.phaseEnd(lang).replace('{fn}', ev.fn);
    return { fn: ev.fn, pieces: [{ kind: 'text', text }], text };
  }
  if (!entry) {
    // A code this catalogue does not know (a page older than its engine): say which.
    const text = `${ev.code}`;
    return { fn: ev.fn, pieces: [{ kind: 'text', text }], text };
  }
  const pieces = fill(cat, lang === 'zh' ? entry.zh : entry.en, ev, entry.args, lang);
  return { fn: ev.fn, pieces, text: joinPieces(pieces) };
}

/** The animation the frame map plays for `ev` (a motion name of
 *  Catalogue.names.motion: 'split', 'merge', 'take', 'give', ...). 'end'
 *  and 'warn' events play none. */
export function motionOf(cat: Catalog, ev: MmEvent): string {
  if (ev.kind === 'end' || ev.kind === 'warn') return 'none';
  return cat.event(ev.code)?.motion ?? 'none';
}
