// The engine's event catalogue and vocabulary (Engine.catalogue(), schema
// Catalogue in wasm/mm-engine.d.ts): every event code with its kernel
// function, motion, arguments and English and Chinese templates; the types
// of the arguments; the names of zones, migrate types and watermarks; the
// constants the page lays out by (MAX_ORDER, pageblock_order, the pcp lists).
//
// The EngineClient reads it once at startup and hands this one immutable
// object to whoever names or lays out something the engine defines. The
// page has no list of its own of any of these.

import type { ArgType, Catalogue, CatalogueEvent } from '../../../wasm/mm-engine.js';
import type { Lang } from '../words/i18n.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export class Catalog {
  /** The catalogue as the engine exported it (frozen). */
  readonly raw: Catalogue;
  /** Orders 0 .. MAX_ORDER - 1 exist (6.1: MAX_ORDER = 11). */
  readonly maxOrder: number;
  readonly pageblockOrder: number;
  /** Frames per pageblock: 2^pageblock_order. */
  readonly pageblockPages: number;
  readonly costlyOrder: number;
  /** The page size in KiB: 2^(PAGE_SHIFT - 10). */
  readonly pageKib: number;
  /** Migrate types with pcp lists (Unmovable, Movable, Reclaimable). */
  readonly pcpTypes: number;
  private readonly events: ReadonlyMap<string, CatalogueEvent>;
  private readonly args: ReadonlyMap<string, ArgType>;
  private readonly kernelDiffs: ReadonlyMap<string, { en: string; zh: string }>;

  private constructor(raw: Catalogue) {
    this.raw = deepFreeze(raw);
    this.maxOrder = raw.constants.MAX_ORDER;
    this.pageblockOrder = raw.constants.pageblock_order;
    this.pageblockPages = 2 ** raw.constants.pageblock_order;
    this.costlyOrder = raw.constants.PAGE_ALLOC_COSTLY_ORDER;
    this.pageKib = 2 ** (raw.constants.PAGE_SHIFT - 10);
    this.pcpTypes = raw.constants.MIGRATE_PCPTYPES;
    this.events = new Map(raw.events.map((e) => [e.code, e]));
    this.args = new Map(Object.entries(raw.args));
    this.kernelDiffs = new Map((raw.kernelDiffs ?? []).map((d) => [d.code, d]));
    Object.freeze(this);
  }

  /** From Engine.catalogue()'s JSON. */
  static parse(json: string): Catalog {
    return new Catalog(JSON.parse(json) as Catalogue);
  }

  /** From an already parsed catalogue (tests build small ones by hand). */
  static from(raw: Catalogue): Catalog {
    return new Catalog(structuredClone(raw));
  }

  event(code: string): CatalogueEvent | undefined {
    return this.events.get(code);
  }

  argType(name: string): ArgType | undefined {
    return this.args.get(name);
  }

  /** Zone type index -> "DMA", "DMA32", "Normal"...; undefined when out of range. */
  zoneName(type: number): string | undefined {
    return this.raw.names.zone[type];
  }

  /** Migrate type index -> its name ("Movable", "可移动"); undefined when out of range. */
  migrateTypeName(mt: number, lang: Lang): string | undefined {
    return (lang === 'zh' ? this.raw.names.migratetype_zh : this.raw.names.migratetype_en)[mt];
  }

  /** The Chinese name of a migrate type the engine named in English ("Movable" -> "可移动"); the name itself when unknown. */
  migrateTypeNameOf(english: string, lang: Lang): string {
    if (lang === 'en') return english;
    const i = this.raw.names.migratetype_en.indexOf(english);
    return i < 0 ? english : (this.raw.names.migratetype_zh[i] ?? english);
  }

  /** One letter per migrate type, as /proc and show_mem print them ("U", "M", "E"...). */
  migrateTypeLetter(mt: number): string | undefined {
    return this.raw.names.migratetype_letter[mt];
  }

  /** The sentence of an 'end' event in `lang`, "{fn}" to fill. */
  phaseEnd(lang: Lang): string {
    return this.raw.phase_end[lang];
  }

  /** Why a figure differs between Linux 6.1 and 6.12 (a compareKernels row's `why`), in `lang`; undefined for a code it lacks. */
  kernelDiff(code: string, lang: Lang): string | undefined {
    return this.kernelDiffs.get(code)?.[lang];
  }

  wmarkName(w: number): string | undefined {
    return this.raw.names.wmark[w];
  }

  /** The per-CPU list (pindex) holding pages of `order` and migrate type
   *  `mt`, as order_to_pindex lays them out; -1 when the catalogue lists
   *  none for that pair. */
  pcpIndex(order: number, mt: number): number {
    for (const l of this.raw.pcp_lists) if (l.order === order && l.mt === mt) return l.pindex;
    return -1;
  }
}
