// The contract between the WebAssembly engine and its JS callers, written by
// hand (emscripten 3.1.6 cannot generate declarations). It describes both
// builds of wasm/bindings.cpp:
//   build/wasm/wasm/mm_wasm.js       ES6 module for the page: `export default createMmEngine`
//   build/wasm/wasm/mm_wasm_node.js  CommonJS for node: `module.exports = createMmEngine`
// tests/wasm/bindings.test.mjs checks this contract at the boundary.
//
// Rules every method keeps:
//  - Nothing throws for bad *input*: a bad spec, dmesg or /proc name comes back
//    as `{ ok: false, error }`, and the machine booted before is kept unchanged.
//    (Passing a non-string where a string is declared is a programming error;
//    Embind reports it with a BindingError.)
//  - Results are copies, except frameStateView().
//  - 64-bit engine numbers arrive as JS numbers (exact below 2^53).

/** Result of a boot. On failure `error` is compiler-style:
 *  "<machine>:1:5: error: <message>" (source:line:col: error: message). */
export interface BootResult {
  ok: boolean;
  /** Empty when ok. */
  error: string;
}

/** One /proc file as the kernel prints it. */
export interface ProcResult {
  ok: boolean;
  /** The file's text; empty when !ok. */
  text: string;
  /** Empty when ok. */
  error: string;
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
  /** Numbers behind the step; their meaning depends on `fn` (documented in the engine). */
  a: number;
  b: number;
  c: number;
  /** One English sentence. */
  text: string;
}

/** One simulated machine. Create with `new module.Engine()`; call `delete()`
 *  when done (Embind objects are not garbage collected). */
export interface Engine {
  /** Boot from a machine shorthand such as "ram=1G cpus=2". */
  bootShorthand(spec: string): BootResult;
  /** Boot from the text of a real dmesg; `name` labels it in errors (default "<dmesg>"). */
  bootDmesg(text: string, name: string): BootResult;
  /** Read one /proc file (one of procNames()). Fails before the first boot. */
  proc(name: string): ProcResult;
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
  /** One byte per page frame (the engine's FrameState values), length frameCount().
   *
   *  This is a VIEW into the wasm heap, not a copy. Do not keep it across
   *  calls into the engine: any call may grow memory, which replaces the heap
   *  and leaves old views detached (length 0) or stale. Fetch it again each
   *  time, and copy it (`.slice()`) if you need to keep the bytes. */
  frameStateView(): Uint8Array;
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
