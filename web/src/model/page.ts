// The model: everything the page shows, as plain data. Renderers only read
// it; the controller replaces it through the pure functions below. Nothing
// here knows about the DOM or the engine.

import type { CacheDetail, MachineState, MmEvent } from '../../../wasm/mm-engine.js';
import type { Lang, MessageKey, Params } from '../words/i18n.js';
import { DEFAULT_SPEED, Timeline } from '../clock/player.js';
import { initialLessonView, initialQuizView, type LessonView, type QuizView } from './lesson.js';
import { logKernel, type KernelDiffRow, type KernelInfo } from './kernels.js';
import type { BootSource } from './session.js';

/** The machine the page boots when nothing else is asked for. */
export const DEFAULT_SPEC = 'ram=1G cpus=2';

export type Tab = 'zones' | 'slab' | 'tasks' | 'log' | 'proc' | 'compare' | 'scenario' | 'oom' | 'dmesg';
export const TABS: readonly Tab[] = ['zones', 'slab', 'tasks', 'log', 'proc', 'compare', 'scenario', 'oom', 'dmesg'];

/** The player: the timeline, where the cursor is, and what just happened there. */
export interface PlayerView {
  timeline: Timeline;
  /** Global step of the cursor (see clock/player.ts). */
  g: number;
  /** The cursor shows the live machine. */
  atEnd: boolean;
  playing: boolean;
  /** Events per second (Infinity: as fast as frames allow). */
  speed: number;
  /** The event just before the cursor (the step being shown); null at an operation's start. */
  event: MmEvent | null;
  /** The enclosing 'begin' events of `event`, outermost first (the narration's breadcrumbs). */
  crumbs: readonly MmEvent[];
  /** Operations the engine's history let go of to stay in its memory budget (the oldest first). */
  dropped: number;
}

/** A list of free blocks the user asked for (a free_area cell). */
export interface BlockList {
  title: string;
  pfns: readonly number[];
  order: number;
}

/** The machine currently running in the engine. */
export interface MachineView {
  /** What the user booted: a shorthand spec, or a label for a pasted dmesg or a scenario. */
  label: string;
  /** The kernel log: boot messages, then what later operations printed (OOM reports...). */
  bootLog: string;
  frameCount: number;
  eventCount: number;
}

/** A translated sentence plus, optionally, the engine's own message. */
export interface Notice {
  key: MessageKey;
  params: Params;
  detail: string;
}

/** How a panel's last result reads: done, refused by the kernel model
 *  (out of memory), or bad input. */
export type Tone = 'ok' | 'warn' | 'error';
export interface PanelMessage {
  tone: Tone;
  notice: Notice;
}

/** A block the user allocated from the Allocate panel and has not freed. */
export interface LiveAllocation {
  pfn: number;
  order: number;
  node: number;
  zone: string;
  gfp: string;
}

/** What the Allocate panel's fields hold. `node` -1: the CPU's node. */
export interface AllocForm {
  gfp: string;
  order: number;
  cpu: number;
  node: number;
}

export interface ScenarioFailureView {
  line: number;
  col: number;
  text: string;
}

/** The last scenario run. A parse error has ran = false and one failure (the error). */
export interface ScenarioRunView {
  ran: boolean;
  ok: boolean;
  output: string;
  failures: readonly ScenarioFailureView[];
  passed: number;
  failed: number;
}

/** The compare view: a machine booted as Linux 6.1 and as 6.12, every figure that differs. */
export interface CompareView {
  /** The shorthand compared (null: nothing compared yet). */
  spec: string | null;
  /** What differs, in the engine's order; null when the engine refused the shorthand (the error line says why). */
  rows: readonly KernelDiffRow[] | null;
  /** Nothing to compare: the machine came from a pasted dmesg and the Machine box is empty. */
  needShorthand: boolean;
}

export interface OomReplayView {
  ok: boolean;
  text: string;
  error: string;
}

export interface PageModel {
  readonly lang: Lang;
  readonly tab: Tab;
  /** Text of the spec box (kept even when a boot fails, so it can be fixed). */
  readonly spec: string;
  /** Engine loading, a boot or a run in progress. */
  readonly busy: Notice | null;
  /** A passing remark on the status line (e.g. a jump that found nothing); cleared by the next step. */
  readonly hint: Notice | null;
  readonly machine: MachineView | null;
  /** The profile the machine on screen follows, as its boot log says (null: no machine, or its log not begun). */
  readonly kernel: KernelInfo | null;
  /** What booted the machine on screen, as the session has it (null: nothing known). */
  readonly booted: BootSource | null;
  readonly procNames: readonly string[];
  readonly procName: string;
  readonly procText: string;
  /** The last failure of a boot or /proc read; the machine above is untouched by it. */
  readonly error: Notice | null;

  readonly allocForm: AllocForm;
  /** Newest first: what this page allocated that is still allocated at the cursor. */
  readonly allocations: readonly LiveAllocation[];
  readonly allocMessage: PanelMessage | null;

  readonly scenarioText: string;
  readonly scenarioRun: ScenarioRunView | null;

  readonly oomText: string;
  readonly oomReplay: OomReplayView | null;

  readonly compare: CompareView;

  readonly helpOpen: boolean;

  readonly player: PlayerView;
  /** The structures at the cursor (null before the first boot). */
  readonly state: MachineState | null;
  readonly cache: string | null;
  readonly cacheDetail: CacheDetail | null;
  readonly blocks: BlockList | null;
  readonly cmdText: string;
  readonly cmdMessage: PanelMessage | null;
  /** The lessons panel (model/lesson.ts). */
  readonly lessons: LessonView;
  readonly quiz: QuizView;
}

/** Replaces some fields (for the page's many small state changes). */
export function patch(m: PageModel, changes: Partial<PageModel>): PageModel {
  return { ...m, ...changes };
}

export const EXAMPLE_SCENARIO = `# Five tasks with different oom_score_adj values, then one that grows
# until the OOM killer runs. Ctrl+Enter runs it (the language: README.md).
machine ram=256M cpus=1
spawn A anon=30M adj=0
spawn B anon=30M adj=500
spawn C anon=30M adj=-500
spawn D anon=8M adj=1000
spawn E anon=30M adj=-1000
proc tasks

spawn T anon=16M
grow T anon=1G
expect oom_kills == 3
expect task D alive == 0
expect task B alive == 0
expect task T alive == 0
expect task E alive == 1
expect log contains "Out of memory: Killed process"
proc tasks
`;

export const GFP_CHOICES: readonly string[] = [
  'GFP_KERNEL',
  'GFP_ATOMIC',
  'GFP_HIGHUSER_MOVABLE',
  'GFP_DMA32',
  'GFP_NOWAIT',
  'GFP_KERNEL|__GFP_ZERO',
];

export function initialModel(lang: Lang, spec: string): PageModel {
  return {
    lang,
    tab: 'zones',
    spec,
    busy: null,
    hint: null,
    machine: null,
    kernel: null,
    booted: null,
    procNames: [],
    procName: 'zoneinfo',
    procText: '',
    error: null,
    allocForm: { gfp: 'GFP_KERNEL', order: 0, cpu: 0, node: -1 },
    allocations: [],
    allocMessage: null,
    scenarioText: EXAMPLE_SCENARIO,
    scenarioRun: null,
    oomText: '',
    oomReplay: null,
    compare: { spec: null, rows: null, needShorthand: false },
    helpOpen: false,
    player: {
      timeline: new Timeline([]),
      g: 0,
      atEnd: true,
      playing: false,
      speed: DEFAULT_SPEED,
      event: null,
      crumbs: [],
      dropped: 0,
    },
    state: null,
    cache: null,
    cacheDetail: null,
    blocks: null,
    cmdText: '',
    cmdMessage: null,
    lessons: initialLessonView(),
    quiz: initialQuizView(),
  };
}

export const notice = (key: MessageKey, params: Params = {}, detail = ''): Notice => ({ key, params, detail });

/** Why a click on a frame of this kind (CellKind) cannot free it. */
export function notFreeableKey(kind: number): MessageKey {
  switch (kind) {
    case 3: // Free
      return 'freeWhyFree';
    case 4: // Pcp
      return 'freeWhyPcp';
    case 7: // Slab
      return 'freeWhySlab';
    case 6: // PageTable
    case 8: // Anon
    case 9: // PageCache
      return 'freeWhyTask';
    case 5: // Kernel
      return 'freeWhyKernel';
    case 0: // Hole
    case 1: // Reserved
    case 2: // Uninit
      return 'freeWhyBoot';
    default:
      return 'freeClickRefused';
  }
}

export function withLang(m: PageModel, lang: Lang): PageModel {
  return { ...m, lang };
}

export function withTab(m: PageModel, tab: Tab): PageModel {
  return { ...m, tab };
}

export function withBusy(m: PageModel, busy: Notice | null): PageModel {
  return { ...m, busy };
}

export function withHelp(m: PageModel, helpOpen: boolean): PageModel {
  return { ...m, helpOpen };
}

/** A new machine replaces the old one: what was allocated on the old one is gone. */
export function bootSucceeded(m: PageModel, machine: MachineView, procNames: readonly string[]): PageModel {
  const procName = procNames.includes(m.procName) ? m.procName : (procNames[0] ?? '');
  const kernel = logKernel(machine.bootLog);
  return { ...m, machine, kernel, procNames, procName, busy: null, error: null, allocMessage: null };
}

/** A failed boot changes only the error: the running machine (if any) stays on screen. */
export function bootFailed(m: PageModel, what: string, detail: string): PageModel {
  return { ...m, busy: null, error: notice(m.machine ? 'bootFailed' : 'bootFailedNone', { what }, detail) };
}

/** The same machine after an operation or at another cursor: its log and counters moved on (a log
 *  not begun yet keeps the profile known). */
export function machineChanged(m: PageModel, machine: MachineView): PageModel {
  return { ...m, machine, kernel: logKernel(machine.bootLog) ?? m.kernel };
}

export function procShown(m: PageModel, procName: string, procText: string): PageModel {
  return { ...m, procName, procText };
}

export function procFailed(m: PageModel, procName: string, detail: string): PageModel {
  return { ...m, procName, procText: '', error: notice('procFailed', { name: procName }, detail) };
}

export function withError(m: PageModel, error: Notice | null): PageModel {
  return { ...m, busy: null, error };
}

// --- Allocate panel ---------------------------------------------------------

export function withAllocForm(m: PageModel, allocForm: AllocForm): PageModel {
  return { ...m, allocForm };
}

export function allocated(m: PageModel, a: LiveAllocation): PageModel {
  const pages = 2 ** a.order;
  return {
    ...m,
    allocations: [a, ...m.allocations],
    allocMessage: {
      tone: 'ok',
      notice: notice('allocOk', { pfn: a.pfn, order: a.order, pages, node: a.node, zone: a.zone }),
    },
  };
}

/** Out of memory: the kernel's own reason is the detail. */
export function allocFailed(m: PageModel, failure: string): PageModel {
  return { ...m, allocMessage: { tone: 'warn', notice: notice('allocFailed', {}, failure) } };
}

/** A request the allocator refuses (bad gfp, order, CPU, node): nothing changed. */
export function allocRefused(m: PageModel, error: string): PageModel {
  return { ...m, allocMessage: { tone: 'error', notice: notice('allocRefused', {}, error) } };
}

export function freed(m: PageModel, pfn: number): PageModel {
  const gone = m.allocations.find((a) => a.pfn === pfn);
  return {
    ...m,
    allocations: m.allocations.filter((a) => a.pfn !== pfn),
    allocMessage: { tone: 'ok', notice: notice('freed', { pfn, order: gone?.order ?? 0 }) },
  };
}

export function freeRefused(m: PageModel, pfn: number, error: string): PageModel {
  return { ...m, allocMessage: { tone: 'error', notice: notice('freeRefused', { pfn }, error) } };
}

export function drained(m: PageModel): PageModel {
  return { ...m, allocMessage: { tone: 'ok', notice: notice('drained') } };
}

export function panelError(m: PageModel, key: MessageKey, error: string): PageModel {
  return { ...m, allocMessage: { tone: 'error', notice: notice(key, {}, error) } };
}

// --- Scenario and OOM replay tabs -------------------------------------------

export function withScenarioText(m: PageModel, scenarioText: string): PageModel {
  return { ...m, scenarioText };
}

export function scenarioRan(m: PageModel, run: ScenarioRunView): PageModel {
  return { ...m, busy: null, scenarioRun: run };
}

export function withOomText(m: PageModel, oomText: string): PageModel {
  return { ...m, oomText };
}

export function oomReplayed(m: PageModel, oomReplay: OomReplayView): PageModel {
  return { ...m, busy: null, oomReplay };
}

// --- The compare view -------------------------------------------------------

/** compareKernels' answer for `spec`: its rows, or (refused) the error line says why. */
export function compared(m: PageModel, spec: string, rows: readonly KernelDiffRow[] | null, error: string): PageModel {
  const compare = { spec, rows, needShorthand: false };
  return rows
    ? { ...m, busy: null, compare }
    : { ...m, busy: null, compare, error: notice('compareFailed', { what: spec }, error) };
}

/** Nothing to compare: the machine came from a pasted dmesg, and no shorthand was typed. */
export function compareNeedsShorthand(m: PageModel): PageModel {
  return { ...m, compare: { spec: null, rows: null, needShorthand: true } };
}

// --- The event at the cursor --------------------------------------------------

/** Which of an operation's `count` events the player shows with the cursor
 *  at `pos` (between events pos-1 and pos): the step just taken (an 'end'
 *  too: it has its own sentence); -1 at the start. */
export function shownEventIndex(count: number, pos: number): number {
  if (pos <= 0 || count <= 0) return -1;
  return Math.min(pos, count) - 1;
}
