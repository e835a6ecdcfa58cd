// The contract between the WebAssembly engine and its JS callers, written by
// hand (emscripten 3.1.6 cannot generate declarations). It describes both
// builds of wasm/bindings.cpp:
//   build/wasm/wasm/mm_wasm.js       ES6 module for the page: `export default createMmEngine`
//   build/wasm/wasm/mm_wasm_node.js  CommonJS for node: `module.exports = createMmEngine`
// tests/wasm/bindings.test.mjs checks this contract at the boundary.
//
// Rules every method keeps:
//  - Nothing throws for bad *input*: a bad spec, dmesg, /proc name, gfp string,
//    scenario, pfn or address comes back as `{ ok: false, error }`, and the
//    machine booted before is kept unchanged (runScenario replaces it with the
//    scenario's own machine once the scenario parses). An operation's argument
//    of the wrong type or out of range is refused the same way (see
//    Operations); only a wrong number of arguments throws (Embind's
//    BindingError), and a non-number passed to a view's number parameter.
//  - Results are copies, except frameStateView(), mapCells() and pageblockView().
//  - 64-bit engine numbers arrive as JS numbers (exact below 2^53).

/** Result of a boot. On failure `error` is compiler-style:
 *  "<machine>:1:5: error: <message>" (source:line:col: error: message). */
export interface BootResult {
  ok: boolean;
  /** Empty when ok. */
  error: string;
}

/** A text the engine produced: a /proc file as the kernel prints it, an OOM
 *  replay, a slab view. */
export interface ProcResult {
  ok: boolean;
  /** The text; empty when !ok. */
  text: string;
  /** Empty when ok. */
  error: string;
}
export type TextResult = ProcResult;

/** An operation with nothing to return (free, drain, kfree, ...). On failure
 *  nothing changed and `error` says why, compiler-style ("error: ..."). */
export interface StatusResult {
  ok: boolean;
  /** Empty when ok. */
  error: string;
}

/** What allocPages() takes. Every field is optional. */
export interface AllocRequest {
  /** A gfp mask as the kernel prints it: "GFP_KERNEL", "GFP_KERNEL|__GFP_ZERO",
   *  or a number "0xcc0". Default "GFP_KERNEL". */
  gfp?: string;
  /** 0 .. MAX_ORDER - 1 (6.1: 0 .. 10). Default 0. */
  order?: number;
  /** The allocating CPU, 0 .. cpus - 1. Default 0. */
  cpu?: number;
  /** Preferred node, 0 .. nodes - 1; -1 (default) means the CPU's node. */
  node?: number;
}

/** Result of allocPages(). Three outcomes:
 *  - ok: the block [pfn, pfn + 2^order) is allocated;
 *  - !ok with `failure`: the kernel would have failed it (out of memory; the
 *    reason in the kernel's terms); the machine may have reclaimed or killed;
 *  - !ok with `error`: a request the kernel refuses outright (bad gfp string,
 *    order, CPU or node); nothing changed. A bad gfp reads
 *    "gfp:1:1: error: unknown gfp flag 'GFP_KERNAL' (did you mean GFP_KERNEL?)". */
export interface AllocResult {
  ok: boolean;
  /** First page frame of the block; -1 when !ok. */
  pfn: number;
  order: number;
  /** Where the block came from (node id, zone name "DMA" | "DMA32" | "Normal" | "Movable"); -1 and "" when !ok. */
  node: number;
  zone: string;
  /** Empty unless out of memory: why, in English (the catalogue's
   *  `reasons` entry for `reason`, filled with the request's numbers). */
  failure: string;
  /** Why it failed, as a code of the catalogue's `reasons` ("noretry",
   *  "costly", "nothing_to_free", ...); "" unless out of memory. */
  reason: string;
  /** Empty unless the request was refused. */
  error: string;
}

/** Result of kmalloc() / kmemCacheAlloc(). Same three outcomes as AllocResult. */
export interface KmallocResult {
  ok: boolean;
  /** The object's kernel address as hex ("0xffff888004a1c080"): kernel
   *  addresses do not fit a JS number exactly. "" when !ok. */
  addr: string;
  /** The serving cache ("kmalloc-128"); "" for kmalloc_large and kmalloc(0). */
  cache: string;
  /** First pfn of the slab (or of the large allocation); -1 when !ok. */
  pfn: number;
  /** Object index in its slab; -1 when !ok. */
  index: number;
  failure: string;
  error: string;
}

/** One problem of a scenario run (a failed expect, a statement that failed). */
export interface ScenarioFailure {
  /** 1-based; 0 when not tied to a line. */
  line: number;
  col: number;
  /** The message alone. */
  message: string;
  /** The compiler-style line: "scenario:12:8: error: expect failed: ...". */
  text: string;
}

/** Result of runScenario().
 *  - A parse error: ran = false, ok = false, `error` (compiler-style, the
 *    source is "scenario"), `line`, `col`; nothing ran, the machine is unchanged.
 *  - Otherwise the statements ran (the scenario's own machine replaced the
 *    engine's, unless its `machine` line failed), `output` is what
 *    proc/log/echo/slab printed, `failures` the failed expects and statements,
 *    and ok = (failures.length === 0). ran = true when at least one statement
 *    put an operation on the timeline (each statement that can change the
 *    machine is one; those that only look, and those that failed, put none).
 *    OOM reports and other kernel messages the run produced are appended to
 *    bootLog(). */
export interface ScenarioResult {
  ok: boolean;
  ran: boolean;
  output: string;
  failures: ScenarioFailure[];
  /** Number of expect lines that held / did not hold. */
  passed: number;
  failed: number;
  /** The parse error; "" when ran. */
  error: string;
  line: number;
  col: number;
}

export type EventKind = 'begin' | 'end' | 'step' | 'warn';

/** One step of the engine (mm::Event). Events nest: a 'begin' opens a group
 *  closed by the matching 'end'; `depth` is the nesting level. Fields that
 *  do not apply are -1 (ids) or 0 (a, b, c). */
export interface MmEvent {
  /** Position in the stream, from 0. */
  seq: number;
  depth: number;
  kind: EventKind;
  /** The event's code in the catalogue (Catalogue.events[].code), e.g. "buddy_merge". */
  code: string;
  /** The kernel function the step stands for, e.g. "__free_one_page". */
  fn: string;
  node: number;
  /** Zone type index: 0 DMA, 1 DMA32, 2 Normal, 3 Movable, 4 Device; -1 if none. */
  zone: number;
  /** Migrate type index: 0 Unmovable, 1 Movable, 2 Reclaimable, 3 HighAtomic, 4 Isolate; -1 if none. */
  mt: number;
  order: number;
  cpu: number;
  /** Page frame number, or -1 when the step is not about one frame. */
  pfn: number;
  /**
   * The event's named arguments other than the identity fields above, by
   * their catalogue names (Catalogue.events[].args, types in Catalogue.args):
   * numbers, or strings for Str, Gfp, AllocFlags, SlabFlags and Addr arguments.
   */
  args: Record<string, number | string>;
}

/** One entry of the event catalogue (engine/mm/core/events.def) with its templates. */
export interface CatalogueEvent {
  code: string;
  fn: string;
  kind: 'begin' | 'step' | 'warn';
  motion: string;
  /** Argument names, identity fields included, in the catalogue's order. */
  args: string[];
  /** Narration templates (engine/text/format/narration.def documents the syntax). */
  en: string;
  zh: string;
}

export type ArgType =
  | 'Pfn' | 'Order' | 'MigrateType' | 'Zone' | 'Node' | 'Cpu' | 'ZoneType' | 'Count' | 'Signed'
  | 'Bytes' | 'Phys' | 'Addr' | 'Gfp' | 'AllocFlags' | 'SlabFlags' | 'Wmark' | 'Bool' | 'Str' | 'Pid';

/** Engine.catalogue(), parsed: everything the page names or lays out by. */
export interface Catalogue {
  events: CatalogueEvent[];
  /** Every argument name and its type. */
  args: Record<string, ArgType>;
  names: {
    zone: string[];
    migratetype_en: string[];
    migratetype_zh: string[];
    migratetype_letter: string[];
    wmark: string[];
    motion: string[];
  };
  constants: {
    MAX_ORDER: number;
    pageblock_order: number;
    PAGE_ALLOC_COSTLY_ORDER: number;
    MIGRATE_PCPTYPES: number;
    MIGRATE_TYPES: number;
    MAX_NR_ZONES: number;
    NR_PCP_LISTS: number;
    PAGE_SHIFT: number;
  };
  /** What each per-CPU list holds (order_to_pindex's layout). */
  pcp_lists: { pindex: number; order: number; mt: number }[];
  /** Why an allocation failed (AllocResult.reason), in both languages;
   *  {order}, {node} and {gfp} name the request. */
  reasons: { code: string; en: string; zh: string }[];
  /** Why a figure differs between Linux 6.1 and 6.12 (compareKernels' `why`). */
  kernelDiffs: { code: string; en: string; zh: string }[];
  /** The sentence of an 'end' event; {fn} is the function of the phase it closes. */
  phase_end: { en: string; zh: string };
}

// ---- The machine at the player's cursor, as the page shows it -------------
// Every read below (state(), mapCells(), frameInfo(), proc(), bootLog(),
// slabDetail()...) describes the machine at the timeline cursor (see seek()):
// the live machine when the cursor is at the end, else the state between
// two events of an earlier operation.

/** How the map colours a frame: mapCells() byte & 0x0f. */
export const enum CellKind {
  Hole = 0, Reserved = 1, Uninit = 2, Free = 3, Pcp = 4, Kernel = 5, PageTable = 6,
  Slab = 7, Anon = 8, PageCache = 9, Other = 10,
}

/** One per-CPU page list set (struct per_cpu_pages) of a zone. */
export interface PcpState {
  cpu: number;
  /** Pages on all its lists (pcp->count). */
  count: number;
  high: number;
  batch: number;
  /** Pages per list, NR_PCP_LISTS = 14 entries: index order*3+mt for orders
   *  0..3 (Unmovable, Movable, Reclaimable), then the two THP lists (12, 13). */
  lists: number[];
}

export interface ZoneState {
  node: number;
  /** Zone type index: 0 DMA, 1 DMA32, 2 Normal, 3 Movable, 4 Device. */
  type: number;
  name: string;
  startPfn: number;
  spanned: number;
  present: number;
  managed: number;
  /** NR_FREE_PAGES (buddy lists only; pcp pages are not counted). */
  free: number;
  /** Watermarks as zone_watermark_ok() sees them (boost included), and the boost. */
  min: number;
  low: number;
  high: number;
  boost: number;
  /** lowmem_reserve[] (zoneinfo's "protection"), one per zone type (5,
   *  indexed by type; the entries of types the kernel lacks, as
   *  MachineState.zoneTypes tells, are 0 and not the kernel's). */
  protection: number[];
  /** nr_free[order] of free_area[order], orders 0..10. */
  nrFree: number[];
  /** Blocks on each free list: freeArea[order][mt], mt in migrateTypes order. */
  freeArea: number[][];
  nrReservedHighatomic: number;
  /** One per possible CPU. */
  pcp: PcpState[];
}

export interface NodeState {
  id: number;
  startPfn: number;
  spanned: number;
  present: number;
  /** ZONELIST_FALLBACK of this node: zones in the order the allocator tries them, "Node 0 Normal". */
  zonelist: string[];
  /** kswapd's state for the node, e.g. "sleeping", or the last balance result. */
  kswapd: string;
}

/** A slab cache, as /proc/slabinfo sees it. */
export interface CacheState {
  name: string;
  objectSize: number;
  /** Object size with metadata and alignment (s->size). */
  size: number;
  objPerSlab: number;
  pagesPerSlab: number;
  activeObjs: number;
  numObjs: number;
  slabs: number;
}

export interface SlabState {
  pfn: number;
  order: number;
  objects: number;
  inuse: number;
  /** One char per object: '#' in use, '.' free (on the slab's freelist or a CPU freelist). */
  map: string;
  /** Where the slab is: "cpu" (a CPU's active slab), "cpu-partial", "node-partial", "full". */
  where: string;
  cpu: number;
  node: number;
}

/** slabDetail(cache): every slab of one cache. */
export interface CacheDetail {
  cache: CacheState;
  slabs: SlabState[];
}

export interface TaskState {
  pid: number;
  name: string;
  alive: boolean;
  /** Pages. */
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  swapEnts: number;
  /** Page-table pages. */
  pgtables: number;
  oomScoreAdj: number;
  /** /proc/<pid>/oom_score (0..2000). */
  oomScore: number;
  /** oom_badness() returned a score: the task may be chosen (not unkillable, not exiting). */
  killable: boolean;
  /** oom_badness() in pages (the number the OOM killer compares; may be negative); 0 when !killable. */
  badness: number;
}

/** state(): the structures at the cursor. */
export interface MachineState {
  booted: boolean;
  frames: number;
  /** log2 of the frames per mapCells() cell, as mapShift(): 0 up to 16 GiB. */
  mapShift: number;
  cpus: number;
  /** As /proc/pagetypeinfo prints them for this kernel (CONFIG_CMA off):
   *  ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"]. */
  migrateTypes: string[];
  pageblockOrder: number;
  /** The zone types this kernel was built with (indices: 0 DMA, 1 DMA32,
   *  2 Normal, 3 Movable, 4 Device): without CONFIG_ZONE_DMA no 0, without
   *  CONFIG_ZONE_DEVICE no 4. */
  zoneTypes: number[];
  nodes: NodeState[];
  /** Populated and empty zones alike, node by node. */
  zones: ZoneState[];
  caches: CacheState[];
  tasks: TaskState[];
  /** Frames of each CellKind (index = CellKind), for the legend. */
  cellCounts: number[];
}

/** frameInfo(pfn): what the map's hover shows. */
export interface FrameInfo {
  ok: boolean;
  error: string;
  pfn: number;
  node: number;
  /** Zone name, "" in a hole. */
  zone: string;
  kind: CellKind;
  /** The block holding the frame: its first pfn and order (-1 when none, e.g. a hole or reserved page). */
  head: number;
  order: number;
  /** Pageblock migrate type name. */
  migrateType: string;
  /** Who owns it: "free", "pcp cpu 1", "kernel", "slab kmalloc-64", "task 3 (A) anon", "page cache (B)", "reserved", "hole". */
  owner: string;
  /** Whether freeBlock(head) would free it (a plain alloc_pages block of the user). */
  freeable: boolean;
}

/** An operation on the timeline (oldest first). */
export interface TimelineOp {
  label: string;
  /** Events it emitted; positions 0..events of the cursor fall inside it. */
  events: number;
  /** Operations of one run share it: the statements of a scenario or of a
   *  command box entry (each statement that can change the machine is an
   *  operation of its own); a boot or a panel action has a group of its own. */
  group: number;
}

/** Where the cursor is: between event pos-1 and event pos of operation `op`
 *  (pos 0: before the operation; pos = events: after it). */
export interface Cursor {
  op: number;
  pos: number;
  /** True when the cursor shows the live machine (after the last operation). */
  atEnd: boolean;
  /** Operations the history let go of (oldest first) to stay within its
   *  memory budget, since the engine started. */
  dropped: number;
}

// ---- The operations: wasm/bindings.cpp's table, one entry per row ----------

/** Every operation of the binding table (wasm/bindings.cpp), by name: its
 *  arguments, in order, and its result. Engine has one method per entry
 *  (`engine.freeBlock(pfn, cpu)`); EngineClient.call(op, ...args) calls any.
 *
 *  The table checks the arguments before anything runs. One that does not
 *  fit is refused as `{ ok: false, error }` (the result's other fields at
 *  their defaults) with one message for every operation and argument:
 *  "error: <name> must be <what it accepts>, got <what was given>", e.g.
 *  "error: cpu must be a whole number from 0 to 1, got 2.5". Ranges are read
 *  when the call is made: orders 0 .. MAX_ORDER - 1, CPUs, nodes and page
 *  frames of the running machine. A gfp mask or SLAB_* flags that do not
 *  parse give the parser's message, named after the argument:
 *  "gfp:1:1: error: unknown gfp flag 'GFP_KERNAL' (did you mean GFP_KERNEL?)". */
export interface Operations {
  // Machines, scenarios, logs.
  /** Boot from a machine shorthand such as "ram=1G cpus=2". */
  bootShorthand: { args: [spec: string]; result: BootResult };
  /** Boot from the text of a real dmesg; `name` labels it in errors ("" for "<dmesg>"). */
  bootDmesg: { args: [text: string, name: string]; result: BootResult };
  /** Parse and run a scenario (the language of docs/cli-and-scenarios.md) on
   *  this engine. `dmesg` statements cannot read files here. */
  runScenario: { args: [text: string]; result: ScenarioResult };
  /** Scenario statements on the running machine, as one operation (the
   *  command box). The names they give (`kmalloc p 200`, `alloc a`) live on
   *  for later commands, and undo/redo take them back and forth; a new boot
   *  forgets them. A command with a failing statement keeps nothing (no
   *  operation, the machine and names unchanged): ran = false, its first
   *  failure in error/line/col ("command:LINE:COL: error: ..."). */
  runCommand: { args: [text: string]; result: ScenarioResult };
  /** Replays every OOM report of a pasted kernel log (dmesg, journalctl -k,
   *  syslog) with the engine's oom_badness; the same text as `mmsim oom --replay`.
   *  Needs no machine and does not touch the one running. */
  oomReplay: { args: [log: string]; result: TextResult };
  /** The machine of a shorthand booted as Linux 6.1 and as 6.12: every
   *  figure that differs, as JSON [{what, v6_1, v6_12, why}] (why: a code of
   *  the catalogue's kernelDiffs); the same list as `mmsim compare`. Needs no
   *  machine and does not touch the one running. */
  compareKernels: { args: [spec: string]; result: TextResult };

  // Reads of the machine at the cursor.
  /** One /proc file (one of procNames()). Fails before the first boot. */
  proc: { args: [name: string]; result: ProcResult };
  /** One cache's slabs, objects and freelists (mmsim --slab). */
  slabView: { args: [cache: string]; result: TextResult };
  /** JSON of a CacheDetail in `text`; unknown cache: ok false. */
  slabDetail: { args: [cache: string]; result: TextResult };

  // The page allocator.
  /** alloc_pages(). */
  allocPages: { args: [request: AllocRequest]; result: AllocResult };
  /** free_pages(pfn, order): the order must be the allocation's. */
  freePages: { args: [pfn: number, order: number, cpu: number]; result: StatusResult };
  /** Frees the live allocation whose first page is `pfn` (its order is known).
   *  A pfn that is not the head of a live allocation (e.g. already free) is an
   *  error and changes nothing. */
  freeBlock: { args: [pfn: number, cpu: number]; result: StatusResult };
  /** drain_local_pages(cpu), or drain_all_pages() for cpu = -1. */
  drain: { args: [cpu: number]; result: StatusResult };

  // SLUB. Addresses cross as strings: hex "0x..." or decimal.
  /** kmalloc(size, gfp). */
  kmalloc: { args: [size: number, gfp: string, cpu: number]; result: KmallocResult };
  /** kfree(addr). Double frees and bad pointers are errors (SLUB's own words)
   *  and change nothing. */
  kfree: { args: [addr: string, cpu: number]; result: StatusResult };
  /** kmem_cache_create(name, size, align, flags); flags like
   *  "SLAB_HWCACHE_ALIGN|SLAB_RECLAIM_ACCOUNT" or "" for none. */
  kmemCacheCreate: { args: [name: string, size: number, align: number, flags: string]; result: StatusResult };
  kmemCacheAlloc: { args: [cache: string, gfp: string, cpu: number]; result: KmallocResult };
  kmemCacheFree: { args: [cache: string, addr: string, cpu: number]; result: StatusResult };
  /** Refused (nothing changes) while the cache has live objects. */
  kmemCacheDestroy: { args: [cache: string]; result: StatusResult };
  kmemCacheShrink: { args: [cache: string]; result: StatusResult };

  // History and the timeline.
  /** Takes back the last operation that changed the machine (boot, alloc,
   *  free, drain, scenario, kmalloc...): the state before it, exactly.
   *  {ok:false, error} when there is nothing to undo. */
  undo: { args: []; result: StatusResult };
  /** Replays forward what undo took back. undo and redo move a whole group
   *  (every statement of one scenario or command entry). */
  redo: { args: []; result: StatusResult };
  /** Takes back one statement's operation (the last on the timeline). */
  undoStatement: { args: []; result: StatusResult };
  /** Replays forward one statement's operation. */
  redoStatement: { args: []; result: StatusResult };
  /** Moves the cursor to (op, pos), pos clamped to the operation's events.
   *  Inside an operation the engine replays it from the snapshot before it
   *  (exact: operations are deterministic). Every read then describes that
   *  state. An operation started while the cursor is in the past first
   *  discards what came after the state on screen. */
  seek: { args: [op: number, pos: number]; result: StatusResult };
  /** At most `mib` MiB (2..384, default 384) of undo history; beyond it the
   *  oldest operations are let go of (cursor().dropped counts them). */
  setHistoryBudget: { args: [mib: number]; result: StatusResult };
}

export type OpName = keyof Operations;
export type OpArgs<K extends OpName> = Operations[K]['args'];
export type OpResult<K extends OpName> = Operations[K]['result'];
/** One shipped lesson, as Engine.lessons() lists it. */
export interface LessonInfo {
  id: string;
  /** Its file in lessons/ ("04-buddy.lesson"). */
  file: string;
  title: Bilingual;
  steps: number;
  questions: number;
}

/** A sentence in both languages. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** Engine.compileLesson(). */
export interface LessonResult {
  /** Every check passed: it parses, both languages are complete, it runs,
   *  every stop is found and every answer computed. */
  ok: boolean;
  /** JSON of CompiledLesson when the text parsed (even when a check failed); "" otherwise. */
  json: string;
  /** Every problem, one a line: "SOURCE:LINE:COL: error: message". "" when ok. */
  error: string;
}

/** A question of a compiled lesson, with what the engine computed. */
export interface LessonQuestion {
  kind: 'choice' | 'number';
  prompt: Bilingual;
  /** Choice questions: the choices; [] for a number. */
  choices: string[];
  /** Where the engine found the answer ("args expand_split order"). */
  source: string;
  computed: boolean;
  /** As shown: a number, a name or "a,b,c". */
  answer: string;
  /** Choice questions only: the index of the right choice (-1: none). */
  correct?: number;
  /** Number questions: the answer. */
  number?: number;
  explain: Bilingual;
  /** The narrated events the answer was read from. */
  evidence: Bilingual[];
}

/** A step of a compiled lesson. */
export interface LessonStep {
  name: string;
  line: number;
  text: Bilingual;
  /** Statements of the scenario language the step runs, as one command. */
  statements: string[];
  /** What the page shows: {view, ...details}; "" when nothing. */
  show: ({ view: string } & Record<string, string>) | '';
  /** Events the statements recorded (End records included). */
  events: number;
  /** The pause: event index `event` (0-based, among the step's events; -1:
   *  not found, and then no narration) is the `nth` event of `code`; "" when
   *  the step has no stop. */
  stop: { code: string; nth: number; event: number; narration?: Bilingual } | '';
  questions: LessonQuestion[];
}

/** The compiled lesson (docs/lessons.md, "The compiled lesson"). */
export interface CompiledLesson {
  id: string;
  title: Bilingual;
  intro: Bilingual;
  linux61: Bilingual;
  /** What changed in Linux 6.12 where it matters (empty strings when the lesson has no such note). */
  linux612: Bilingual;
  /** Statements before the first step (the first boots the machine). */
  setup: string[];
  ok: boolean;
  steps: LessonStep[];
}

/** One quiz question (Engine.quiz(), `mmsim quiz --json`), in the language asked for. */
export interface QuizQuestion {
  topic: string;
  seed: number;
  /** 0-based within the seed's questions. */
  index: number;
  /** The shorthand of the machine the answer was computed on ("" when none). */
  machine: string;
  question: string;
  /** Empty: answer with a number or a list. */
  choices: string[];
  answer: string;
  /** The narrated events, where the engine recorded some. */
  explanation: string;
  /** The numbers the question is about (pfn, order, size, ...). */
  [figure: string]: unknown;
}

/** The methods the table gives Engine: one per operation. */
export type OperationMethods = { [K in OpName]: (...args: OpArgs<K>) => OpResult<K> };

/** An argument kind of the table (wasm/args.h). */
export type ArgKind =
  | 'whole' | 'bytes' | 'order' | 'pfn' | 'cpu' | 'cpuOrAll' | 'node' | 'gfp' | 'slabFlags' | 'addr' | 'text';

/** One row of the table, as Engine.operations() lists it. */
export interface OperationSpec {
  name: OpName;
  /** True: the method takes one object whose fields are `args` (allocPages). */
  request: boolean;
  args: { name: string; kind: ArgKind; optional: boolean }[];
}

/** One simulated machine. Create with `new module.Engine()`; call `delete()`
 *  when done (Embind objects are not garbage collected). The operations are
 *  the methods of OperationMethods; below are the views, reads that cannot
 *  fail. */
export interface Engine extends OperationMethods {
  /** The binding table: every operation and its arguments. */
  operations(): OperationSpec[];
  /** Names proc() accepts, e.g. ["zoneinfo", "buddyinfo", ...]. */
  procNames(): string[];
  /** The kernel-style boot log ("" before the first boot). */
  bootLog(): string;
  /** Number of events recorded by the last successful boot. */
  eventCount(): number;
  /** Events [start, start + count), clamped to what exists (never throws). */
  events(start: number, count: number): MmEvent[];
  /** Invariant violations of the current state; [] when all hold. */
  check(): string[];
  /** Number of page frames (0 before the first boot). */
  frameCount(): number;
  /** One byte per page frame (the engine's FrameState values), length frameCount();
   *  empty on machines above 16 GiB (4194304 frames): use mapCells() and
   *  mapCellsRange() there.
   *
   *  This is a VIEW into the wasm heap, not a copy. Do not keep it across
   *  calls into the engine: any call may grow memory, which replaces the heap
   *  and leaves old views detached (length 0) or stale. Fetch it again each
   *  time, and copy it (`.slice()`) if you need to keep the bytes. */
  frameStateView(): Uint8Array;

  /** Labels of the steps undo can take back, oldest first. */
  history(): string[];
  redoDepth(): number;

  /** The operations of the timeline (the ones undo can take back), oldest first. */
  timeline(): TimelineOp[];
  cursor(): Cursor;
  /** Back to the live machine. */
  seekEnd(): void;
  /** Events [start, start + count) of operation `op`, clamped. */
  opEvents(op: number, start: number, count: number): MmEvent[];
  /** The 'begin' records of the phases open around event `index` of
   *  operation `op`, outermost first (an 'end' is inside the phase it
   *  closes): the narration's breadcrumbs, without reading the operation. */
  opCrumbs(op: number, index: number): MmEvent[];
  /** The engine's own narration (engine/text/format/narration.cpp) of the
   *  same events as opEvents(op, start, count), one sentence each, in `lang`
   *  ('en' | 'zh'; any other value gives []). An 'end' event's sentence is
   *  the catalogue's phase_end ("__alloc_pages returns."). The page narrates
   *  from the catalogue itself; this is for checking that both agree. */
  narrate(op: number, start: number, count: number, lang: string): string[];

  /** One byte per map cell at the cursor: (order << 4) | CellKind. A cell is
   *  one frame up to 16 GiB (mapShift() 0); a larger machine gets one cell per
   *  2^mapShift() frames, showing the kind most of them have and the largest
   *  order of that kind's blocks there. A VIEW, like frameStateView(). */
  mapCells(): Uint8Array;
  /** log2 of the frames per mapCells() cell. */
  mapShift(): number;
  /** One byte per frame for [first, first + count) at the cursor (a
   *  zoomed-in map of a large machine). Empty when `first` is beyond the
   *  last frame or `count` exceeds 4194304. A VIEW, like frameStateView(). */
  mapCellsRange(first: number, count: number): Uint8Array;
  /** Migrate type per pageblock (512 frames). A VIEW, like frameStateView(). */
  pageblockView(): Uint8Array;
  /** JSON of a MachineState. */
  stateJson(): string;
  /** The event catalogue and narration table as JSON (Catalogue). */
  catalogue(): string;
  /** JSON of a FrameInfo (ok:false with error for a pfn beyond the machine). */
  frameInfoJson(pfn: number): string;
  /** First `limit` free blocks (their head pfns) on free_area[order].free_list[mt] of one zone. */
  freeBlocks(node: number, zoneType: number, order: number, mt: number, limit: number): number[];

  // Lessons and quizzes (wasm/lessons.cpp; docs/lessons.md). They run on
  // machines of their own: this engine's machine and timeline are untouched.
  /** The shipped lessons (lessons/*.lesson, compiled into the module), in
   *  course order: JSON of LessonInfo[] (as `mmsim lesson list --json`). */
  lessons(): string;
  /** The text of shipped lesson `id`; an unknown id is {ok:false, error}
   *  naming the nearest id. */
  lessonSource(id: string): TextResult;
  /** Parses, checks and runs a lesson text as `mmsim lesson check` does, and
   *  gives the compiled lesson (`mmsim lesson show --json`; CompiledLesson).
   *  `source` names the text in errors ("" for <lesson>). */
  compileLesson(text: string, source: string): LessonResult;
  /** The quiz topics, as `mmsim quiz --help` lists them. */
  quizTopics(): string[];
  /** `count` (1..50) seeded questions of `topic` in `lang` ('en' | 'zh'):
   *  `text` is JSON of QuizQuestion[] (`mmsim quiz --json`). The same topic
   *  and seed give the same questions. An unknown topic is an error naming
   *  the nearest one. */
  quiz(topic: string, seed: number, count: number, lang: string): TextResult;

  /** Whether later boots record events (default true). */
  setTrace(on: boolean): void;
  trace(): boolean;
  /** Frees the C++ object. */
  delete(): void;
}

export interface MmEngineModule {
  Engine: { new (): Engine };
}

/** Options for the factory (a subset of Emscripten's Module object). */
export interface MmEngineOptions {
  /** The .wasm bytes; pass them under node (emscripten 3.1.6 would otherwise
   *  try fetch() on a file path). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to find mm_wasm.wasm (default: next to the .js file). */
  locateFile?: (path: string, prefix: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

export type CreateMmEngine = (options?: MmEngineOptions) => Promise<MmEngineModule>;

declare const createMmEngine: CreateMmEngine;
export default createMmEngine;
