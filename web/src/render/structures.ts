// The kernel's structures as tables: each zone's watermarks, free_area and
// per-CPU lists, the nodes' zonelists, the slab caches and their slabs, the
// tasks as the OOM killer ranks them. Like the renderers these only read what
// they are given and write DOM; what the user picks goes back to the page
// through StructureHandlers.
//
// Why patching instead of rebuilding: the views are redrawn at every step of
// an animation, while the user may be tabbing through a table or scrolled
// half-way down it. Each view builds its skeleton once per "shape" (language,
// zones, CPUs, migrate types...) and afterwards only writes a text, attribute
// or class that differs from what is on screen, so the same state drawn twice
// touches nothing and a focused button survives.

import type {
  CacheDetail,
  CacheState,
  MachineState,
  NodeState,
  PcpState,
  SlabState,
  TaskState,
  ZoneState,
} from '../../../wasm/mm-engine.js';
import type { Catalog } from '../engine/catalogue.js';
import type { PageModel } from '../model/page.js';
import type { Lang } from '../words/i18n.js';
import type { Dom } from './dom.js';

export interface StructureHandlers {
  /** The user picked a free_area cell: list its blocks (the page asks the engine and calls showBlocks). */
  onFreeAreaCell(node: number, zoneType: number, order: number, mt: number): void;
  /** The user picked a slab cache. */
  onCache(name: string): void;
  /** The user clicked a block pfn somewhere (free list entry, slab) — the page will point at it on the frame map. */
  onPfn(pfn: number, order: number): void;
}

export interface ZoneHighlight {
  node: number;
  zone: number;
  order: number;
  mt: number;
  cpu: number;
}

// --- Labels -------------------------------------------------------------------
// The page's i18n table belongs to the rest of the page; these words are only
// used here. Kernel identifiers (min, low, high, nr_free, oom_score_adj...)
// stay as the kernel spells them in both languages: they are what /proc shows.

const en = {
  noMachine: 'No machine yet.',
  nodeTitle: 'Node {node}',
  nodeMeta: 'pfn {start}–{end} · present {present} pages',
  zonelist: 'zonelist (fallback order)',
  zonelistTitle:
    'ZONELIST_FALLBACK: the zones an allocation starting on this node tries, in order. An allocation skips zones above its highest zone (GFP_KERNEL stops at Normal).',
  kswapd: 'kswapd{node}: {state}',
  emptyZones: 'empty zones: {list}',
  zoneTitle: 'Node {node} · {zone}',
  zoneMeta: 'pfn {start}–{end} · spanned {spanned} · present {present} · managed {managed}',
  wmText: 'free {free} ({mib} MiB) · min {min} · low {low} · high {high} pages',
  wmBoost: ' · boost {boost}',
  levelMin: 'below min',
  levelLow: 'below low',
  levelHigh: 'below high',
  levelOk: 'above high',
  levelMinWhy:
    'Only allocations allowed into the reserves (atomic, __GFP_HIGH, OOM victims) succeed; the others reclaim directly or end in the OOM killer.',
  levelLowWhy: "The allocator's fast path fails here and wakes kswapd; the slow path still allocates down to min.",
  levelHighWhy: 'kswapd keeps reclaiming until free is above high.',
  levelOkWhy: 'Plenty free: kswapd sleeps.',
  gaugeTitle:
    'Watermarks of this zone. The bar is zoomed: its left {split}% spans 0 to {zoom} pages (1.25 × high) so min, low and high can be told apart; the rest spans {zoom} to the {managed} managed pages. The fill is NR_FREE_PAGES (pages on the buddy lists; pages on per-CPU lists are not counted). The dashed tick is high + protection for a GFP_KERNEL allocation (highest zone {target}): kswapd balances a zone for such requests only above it, and the allocation checks add the same protection to low and min.',
  protLine: 'protection (lowmem_reserve) for allocations whose highest zone is:',
  protTick: 'high+prot',
  protChip: 'GFP_KERNEL skips it',
  protChipWhy:
    'free ≤ low + protection[{target}] = {mark}: a GFP_KERNEL allocation falling back to this zone fails its watermark check here. lowmem_reserve keeps these pages for allocations that can only use this zone or lower ones.',
  faCaption: 'free_area of Node {node} {zone}: free blocks per order and migrate type',
  faOrder: 'order',
  faOrderTitle: 'order {order}: blocks of {pages} pages ({size})',
  faNrFree: 'nr_free',
  faNrFreeTitle: 'free_area[order].nr_free: blocks of this order on all lists',
  faPages: 'pages',
  faPagesTitle: 'Free pages on the lists of this migrate type (blocks × 2^order)',
  faCell: 'Order {order}, {mt}: {n} blocks ({pages} pages). Show the blocks.',
  pcpCaption: 'Per-CPU pages of Node {node} {zone} (pcp lists, in pages)',
  pcpCpu: 'CPU',
  pcpCount: 'count',
  pcpCountTitle: 'pcp->count: pages on all lists of this CPU',
  pcpHigh: 'high',
  pcpHighTitle: 'pcp->high: above this many pages, frees return a batch to the buddy lists',
  pcpBatch: 'batch',
  pcpBatchTitle: 'pcp->batch: pages moved between the buddy lists and this CPU at once',
  pcpOrder: 'order {order}',
  pcpThp: 'THP',
  pcpThpTitle: 'THP-sized pages (order {order}): one list for non-movable, one for movable',
  pcpList: 'CPU {cpu}, {list}: {n} pages',
  cachesCaption: 'Slab caches (/proc/slabinfo); pick one to see its slabs',
  colName: 'name',
  colObjSize: 'objsize',
  colObjSizeTitle: 'The object size the cache was created with (bytes)',
  colSize: 'size',
  colSizeTitle: 's->size: the slot of one object, with metadata and alignment (bytes)',
  colObjPerSlab: 'objs/slab',
  colPagesPerSlab: 'pages/slab',
  colObjs: 'active / total objs',
  colSlabs: 'slabs',
  cacheButton: 'Show the slabs of {name}',
  showEmpty: 'Show {n} empty caches',
  hideEmpty: 'Hide empty caches',
  noCaches: 'No slab caches.',
  pickCache: 'Pick a cache to see its slabs.',
  detailTitle: '{name}: {slabs} slabs of {pages} page(s), {objs} objects each',
  legendUsed: 'object in use',
  legendFree: 'free object',
  groupCpu: 'CPU {cpu} · active slab (c->slab)',
  groupCpuPartial: 'CPU {cpu} · partial slabs (c->partial)',
  groupNodePartial: 'Node {node} · partial slabs (n->partial)',
  groupFull: 'Node {node} · full slabs',
  groupOther: '{where}',
  groupCount: '{n} slabs',
  groupCount1: '1 slab',
  noSlabs: 'This cache has no slabs.',
  more: '+{n} more',
  showMore: 'show {n} more',
  slabTitle:
    'pfn {pfn} · order {order} · {used} of {objects} objects in use here (slab->inuse {inuse}: objects on a CPU freelist count as taken)',
  pfnButton: 'pfn {pfn}, {used} of {objects} objects in use: show it on the frame map',
  tasksCaption:
    'Tasks as the OOM killer ranks them. badness = rss + swap entries + page tables + oom_score_adj × totalpages / 1000 (pages); the highest live one is killed next',
  colPid: 'PID',
  colTask: 'name',
  colState: 'state',
  colAnon: 'anon',
  colFile: 'file',
  colShmem: 'shmem',
  colSwap: 'swap',
  colPgtables: 'page tables',
  colAdj: 'oom_score_adj',
  colScore: 'oom_score',
  colBadness: 'badness',
  rssGroup: 'rss (pages)',
  alive: 'alive',
  exited: 'exited',
  unkillable: 'unkillable',
  unkillableTitle: 'oom_score_adj = -1000 (or a kernel thread): the OOM killer never picks it',
  victim: 'next OOM victim',
  victimTitle: 'The live task with the highest badness: the one the OOM killer would pick now',
  noTasks: 'No tasks.',
  blocksSummary: '{n} blocks of order {order} ({pages} pages each), head first',
  blocksEmpty: 'This list is empty.',
  blockButton: 'pfn {pfn}–{end}: show it on the frame map',
};

type LabelKey = keyof typeof en;
type Params = Record<string, string | number>;

const zh: Record<LabelKey, string> = {
  noMachine: '尚未启动机器。',
  nodeTitle: '节点 {node}',
  nodeMeta: 'pfn {start}–{end} · 实际 {present} 页',
  zonelist: '备用区域列表（回退顺序）',
  zonelistTitle:
    'ZONELIST_FALLBACK：从本节点开始的分配依次尝试的区域。分配会跳过高于其最高可用区域的区域（GFP_KERNEL 最高到 Normal）。',
  kswapd: 'kswapd{node}：{state}',
  emptyZones: '空区域：{list}',
  zoneTitle: '节点 {node} · {zone}',
  zoneMeta: 'pfn {start}–{end} · 跨度 {spanned} · 实际 {present} · 受管页 {managed}',
  wmText: '空闲页 {free}（{mib} MiB）· min {min} · low {low} · high {high}（页）',
  wmBoost: ' · boost {boost}',
  levelMin: '低于 min',
  levelLow: '低于 low',
  levelHigh: '低于 high',
  levelOk: '高于 high',
  levelMinWhy:
    '只有允许动用保留页的分配（原子分配、__GFP_HIGH、OOM 受害者）能成功；其他分配直接回收，或最终触发 OOM killer。',
  levelLowWhy: '分配器快速路径在此失败并唤醒 kswapd；慢速路径仍可分配到 min 为止。',
  levelHighWhy: 'kswapd 持续回收，直到空闲页高于 high。',
  levelOkWhy: '空闲页充足：kswapd 休眠。',
  gaugeTitle:
    '本区域的水位线。刻度经过放大：左侧 {split}% 表示 0 到 {zoom} 页（1.25 × high），以便分辨 min、low、high；其余部分表示 {zoom} 到 {managed} 个受管页。填充为 NR_FREE_PAGES（伙伴系统链表上的页；每CPU页框链表上的页不计入）。虚线刻度是 GFP_KERNEL 分配（最高区域 {target}）的 high + 保护值：kswapd 只有在空闲页高于它时才认为本区域对这类请求已平衡，分配检查也在 low 和 min 上加同样的保护值。',
  protLine: '保护值（lowmem_reserve），按分配可用的最高区域：',
  protTick: 'high+保护值',
  protChip: 'GFP_KERNEL 跳过此区域',
  protChipWhy:
    '空闲页 ≤ low + 保护值[{target}] = {mark}：回退到本区域的 GFP_KERNEL 分配在此无法通过水位线检查。lowmem_reserve 把这些页留给只能使用本区域或更低区域的分配。',
  faCaption: '节点 {node} {zone} 的 free_area：各阶、各迁移类型的空闲块数',
  faOrder: '阶',
  faOrderTitle: '{order} 阶：每块 {pages} 页（{size}）',
  faNrFree: 'nr_free',
  faNrFreeTitle: 'free_area[order].nr_free：所有链表上该阶的块数',
  faPages: '页数',
  faPagesTitle: '该迁移类型链表上的空闲页（块数 × 2^阶）',
  faCell: '{order} 阶，{mt}：{n} 个块（{pages} 页）。列出这些块。',
  pcpCaption: '节点 {node} {zone} 的每CPU页框（pcp 链表，单位：页）',
  pcpCpu: 'CPU',
  pcpCount: 'count',
  pcpCountTitle: 'pcp->count：该 CPU 所有链表上的页数',
  pcpHigh: 'high',
  pcpHighTitle: 'pcp->high：超过此页数时，释放会把一批页还给伙伴系统',
  pcpBatch: 'batch',
  pcpBatchTitle: 'pcp->batch：伙伴系统与该 CPU 之间一次搬运的页数',
  pcpOrder: '{order} 阶',
  pcpThp: 'THP',
  pcpThpTitle: 'THP 大小的页（{order} 阶）：一条链表给不可移动类型，一条给可移动类型',
  pcpList: 'CPU {cpu}，{list}：{n} 页',
  cachesCaption: 'slab 缓存（/proc/slabinfo）；选择一个查看它的 slab',
  colName: '名称',
  colObjSize: '对象大小',
  colObjSizeTitle: '创建缓存时给出的对象大小（字节）',
  colSize: '槽大小',
  colSizeTitle: 's->size：一个对象占用的槽，含元数据与对齐（字节）',
  colObjPerSlab: '对象/slab',
  colPagesPerSlab: '页/slab',
  colObjs: '活跃 / 全部对象',
  colSlabs: 'slab 数',
  cacheButton: '查看 {name} 的 slab',
  showEmpty: '显示 {n} 个空缓存',
  hideEmpty: '隐藏空缓存',
  noCaches: '没有 slab 缓存。',
  pickCache: '选择一个缓存查看它的 slab。',
  detailTitle: '{name}：{slabs} 个 slab，每个 {pages} 页、{objs} 个对象',
  legendUsed: '已用对象',
  legendFree: '空闲对象',
  groupCpu: 'CPU {cpu} · 当前 slab（c->slab）',
  groupCpuPartial: 'CPU {cpu} · 部分空闲 slab（c->partial）',
  groupNodePartial: '节点 {node} · 部分空闲 slab（n->partial）',
  groupFull: '节点 {node} · 全满 slab',
  groupOther: '{where}',
  groupCount: '{n} 个 slab',
  groupCount1: '1 个 slab',
  noSlabs: '该缓存没有 slab。',
  more: '还有 {n} 个',
  showMore: '再显示 {n} 个',
  slabTitle:
    'pfn {pfn} · {order} 阶 · {objects} 个对象中 {used} 个在用（slab->inuse {inuse}：CPU 空闲链表上的对象也算作已占用）',
  pfnButton: 'pfn {pfn}，{objects} 个对象中 {used} 个在用：在页框图上显示',
  tasksCaption:
    '进程，按 OOM killer 的排序。badness = rss + 交换项 + 页表 + oom_score_adj × totalpages / 1000（页）；分数最高的存活进程下一个被杀',
  colPid: 'PID',
  colTask: '名称',
  colState: '状态',
  colAnon: '匿名页',
  colFile: '文件页',
  colShmem: '共享内存',
  colSwap: '交换',
  colPgtables: '页表',
  colAdj: 'oom_score_adj',
  colScore: 'oom_score',
  colBadness: 'badness',
  rssGroup: 'rss（页）',
  alive: '运行中',
  exited: '已退出',
  unkillable: '不可杀',
  unkillableTitle: 'oom_score_adj = -1000（或内核线程）：OOM killer 从不选它',
  victim: 'OOM 下一个目标',
  victimTitle: 'badness 最高的存活进程：OOM killer 此刻会选中它',
  noTasks: '没有进程。',
  blocksSummary: '{n} 个 {order} 阶块（每块 {pages} 页），从链表头开始',
  blocksEmpty: '该链表为空。',
  blockButton: 'pfn {pfn}–{end}：在页框图上显示',
};

const LABELS: Record<Lang, Record<LabelKey, string>> = { en, zh };

/** Numbers in `params` are quantities and get grouped ("242,033"), except
 *  the identifiers (pfns, pids, CPUs, nodes, orders), which the kernel and
 *  the rest of the page print plain. */
const PLAIN = new Set(['pfn', 'start', 'end', 'node', 'cpu', 'order', 'pid']);

function tr(lang: Lang, key: LabelKey, params: Params = {}): string {
  return LABELS[lang][key].replace(/\{(\w+)\}/g, (all, name: string) => {
    const v = params[name];
    return v === undefined ? all : typeof v === 'number' && !PLAIN.has(name) ? fmt(v) : String(v);
  });
}

/** Plain en-US grouping in both languages ("242,033"): the numbers are the
 *  kernel's and read the same everywhere. */
const NF = new Intl.NumberFormat('en-US');
function fmt(n: number): string {
  return NF.format(n);
}

/** Pages of `pageKib` KiB in MiB, one decimal below 10. */
function mib(pages: number, pageKib: number): string {
  const m = (pages * pageKib) / 1024;
  return m < 10 ? m.toFixed(1) : fmt(Math.round(m));
}

/** 2^order pages of `pageKib` KiB, as "4K" .. "4M". */
function sizeOf(order: number, pageKib: number): string {
  const k = pageKib * 2 ** order;
  return k < 1024 ? `${k}K` : `${k / 1024}M`;
}

/** GFP_KERNEL's highest zone (ZONE_NORMAL): the protection the gauge's dashed tick adds. */
const GFP_KERNEL_ZONE_NAME = 'Normal';

// --- DOM writes that happen only on change ------------------------------------

function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function setText(e: Node, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

function setAttr(e: Element, name: string, value: string | null): void {
  if (value === null) {
    if (e.hasAttribute(name)) e.removeAttribute(name);
  } else if (e.getAttribute(name) !== value) {
    e.setAttribute(name, value);
  }
}

/** Assigning .hidden writes the attribute even when it already holds. */
function setHidden(e: HTMLElement, hidden: boolean): void {
  if (e.hidden !== hidden) e.hidden = hidden;
}

function setClass(e: Element, cls: string, on: boolean): void {
  if (e.classList.contains(cls) !== on) e.classList.toggle(cls, on);
}

/** Style values come back normalised by the browser ("12.50%" reads
 *  "12.5%"), so compare with what was last written instead. Setting a
 *  property through CSSOM is allowed by the page's style-src 'self'. */
const lastStyle = new WeakMap<HTMLElement, Map<string, string>>();
function setStyle(e: HTMLElement, prop: 'left' | 'width', value: string): void {
  let m = lastStyle.get(e);
  if (!m) lastStyle.set(e, (m = new Map<string, string>()));
  if (m.get(prop) === value) return;
  m.set(prop, value);
  e.style[prop] = value;
}

/** Puts `root` as the only child of `el`, keeping the keyboard focus on the
 *  equivalent element (same data-key) and the scroll positions. */
function mount(el: HTMLElement, root: HTMLElement): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && el.contains(active) ? active.dataset['key'] : undefined;
  const top = el.scrollTop;
  const left = el.scrollLeft;
  el.replaceChildren(root);
  // Reading a scroll position lays the new tree out at once: only when
  // there is one to restore.
  if (top && el.scrollTop !== top) el.scrollTop = top;
  if (left && el.scrollLeft !== left) el.scrollLeft = left;
  if (key !== undefined) {
    const again = root.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    if (again) {
      makeRoving(again);
      again.focus({ preventScroll: true });
    }
  }
}

function button(cls: string, key: string): HTMLButtonElement {
  const b = h('button', cls);
  b.type = 'button';
  b.dataset['key'] = key;
  return b;
}

function th(text: string, title = '', scope: 'col' | 'row' | 'colgroup' = 'col'): HTMLTableCellElement {
  const c = h('th', '', text);
  c.scope = scope;
  if (title) c.title = title;
  return c;
}

// --- Keyboard: one tab stop per table, arrows move inside it -----------------
// Cells carry data-r / data-c; the element with tabindex 0 is the one Tab
// reaches. The skeleton sets the first one; afterwards only focus moves it.

function makeRoving(target: HTMLElement): void {
  const grid = target.closest('[data-grid]');
  if (!grid || target.dataset['r'] === undefined) return;
  for (const old of grid.querySelectorAll<HTMLElement>('[data-r][tabindex="0"]')) {
    if (old !== target) old.tabIndex = -1;
  }
  if (target.tabIndex !== 0) target.tabIndex = 0;
}

function gridKeydown(e: KeyboardEvent): void {
  gridMove(e, e.key);
}

/** Moves the focus inside the grid as `key` says (an arrow, Home, End...). */
function gridMove(e: KeyboardEvent, key: string): void {
  const from = (e.target as Element | null)?.closest<HTMLElement>('[data-r]');
  const grid = from?.closest<HTMLElement>('[data-grid]');
  if (!from || !grid) return;
  let r = Number(from.dataset['r']);
  let c = Number(from.dataset['c']);
  const cells = [...grid.querySelectorAll<HTMLElement>('[data-r]')];
  const rows = Math.max(...cells.map((x) => Number(x.dataset['r'])));
  const cols = Math.max(...cells.map((x) => Number(x.dataset['c'])));
  switch (key) {
    case 'ArrowUp':
      r -= 1;
      break;
    case 'ArrowDown':
      r += 1;
      break;
    case 'ArrowLeft':
      c -= 1;
      break;
    case 'ArrowRight':
      c += 1;
      break;
    case 'Home':
      c = 0;
      if (e.ctrlKey) r = 0;
      break;
    case 'End':
      c = cols;
      if (e.ctrlKey) r = rows;
      break;
    case 'PageUp':
      r = 0;
      break;
    case 'PageDown':
      r = rows;
      break;
    default:
      return;
  }
  const to = cells.find((x) => Number(x.dataset['r']) === r && Number(x.dataset['c']) === c);
  e.preventDefault();
  if (!to) return;
  makeRoving(to);
  to.focus();
}

function gridFocusin(e: FocusEvent): void {
  const cell = (e.target as Element | null)?.closest<HTMLElement>('[data-r]');
  if (cell) makeRoving(cell);
}

function asGrid(e: HTMLElement): void {
  e.dataset['grid'] = '';
  e.addEventListener('keydown', gridKeydown);
  e.addEventListener('focusin', gridFocusin);
}

// --- The watermark gauge ------------------------------------------------------
// min, low and high are a few percent of managed at most, so a linear bar of
// the whole zone would draw them on top of each other at its left edge. The
// bar is cut in two: the left SPLIT of its width spans 0 .. 1.25 × high, the
// rest the remaining managed pages. The cut is drawn, and the tooltip says so.

const SPLIT = 0.6;

interface Scale {
  zoom: number;
  pos(pages: number): number; // 0..1
}

function gaugeScale(z: ZoneState): Scale {
  const zoom = Math.max(Math.ceil(z.high * 1.25), 4);
  const managed = Math.max(z.managed, 1);
  if (managed <= zoom * 1.5) {
    // A zone so small that its watermarks are a good part of it: one linear scale.
    const max = Math.max(managed, z.high, 1);
    return { zoom: max, pos: (p) => clamp01(p / max) };
  }
  return {
    zoom,
    pos: (p) => clamp01(p <= zoom ? (SPLIT * p) / zoom : SPLIT + ((1 - SPLIT) * (p - zoom)) / (managed - zoom)),
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

type Level = 'min' | 'low' | 'high' | 'ok';

function level(z: ZoneState): Level {
  if (z.free < z.min) return 'min';
  if (z.free < z.low) return 'low';
  if (z.free < z.high) return 'high';
  return 'ok';
}

const LEVEL_LABEL: Record<Level, [LabelKey, LabelKey]> = {
  min: ['levelMin', 'levelMinWhy'],
  low: ['levelLow', 'levelLowWhy'],
  high: ['levelHigh', 'levelHighWhy'],
  ok: ['levelOk', 'levelOkWhy'],
};

function zoneTypeName(cat: Catalog, type: number): string {
  return cat.zoneName(type) ?? String(type);
}

// --- Zones view ---------------------------------------------------------------

interface Gauge {
  wrap: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  split: HTMLElement;
  splitLabel: HTMLElement;
  endLabel: HTMLElement;
  ticks: Record<'min' | 'low' | 'high' | 'prot', HTMLElement>;
  chip: HTMLElement;
  protChip: HTMLElement;
  text: HTMLElement;
  prot: HTMLElement;
}

interface ZoneCard {
  meta: HTMLElement;
  gauge: Gauge;
  fa: HTMLButtonElement[][]; // [order][mt]
  faRows: HTMLTableRowElement[];
  nrFree: HTMLTableCellElement[];
  faPages: HTMLTableCellElement[]; // per mt, then the total
  pcpRows: HTMLTableRowElement[];
  pcpCells: HTMLTableCellElement[][]; // [cpu][count, high, batch, lists...]
}

interface NodeCard {
  meta: HTMLElement;
  chain: HTMLOListElement;
  kswapd: HTMLElement;
  empty: HTMLElement;
}

interface ZonesView {
  shape: string;
  root: HTMLElement;
  zones: Map<string, ZoneCard>;
  nodes: Map<number, NodeCard>;
  empty: HTMLElement;
}

function populated(z: ZoneState): boolean {
  return z.present > 0 || z.managed > 0;
}

// --- Slab view ----------------------------------------------------------------

interface CacheRow {
  tr: HTMLTableRowElement;
  button: HTMLButtonElement;
  cells: HTMLTableCellElement[];
}

interface SlabView {
  root: HTMLElement;
  tableShape: string;
  rows: Map<string, CacheRow>;
  toggle: HTMLButtonElement;
  tableWrap: HTMLElement;
  detail: HTMLElement;
  showEmpty: boolean;
  /** The last detail drawn, and each group's signature. */
  detailShape: string;
  drawnDetail: CacheDetail | null;
  groups: Map<string, { sig: string; el: HTMLElement }>;
  /** Slabs drawn per group; "show more" raises it. Reset with the cache. */
  caps: Map<string, number>;
  last: { s: MachineState; detail: CacheDetail | null; lang: Lang } | null;
}

const SLAB_CAP = 64;

// --- Tasks view ---------------------------------------------------------------

interface TasksView {
  shape: string;
  rows: { tr: HTMLTableRowElement; cells: HTMLTableCellElement[]; badge: HTMLElement; name: HTMLElement }[];
}

export class StructureViews {
  private readonly handlers: StructureHandlers;
  /** Names, orders and the pcp list layout, as the engine defines them. */
  private readonly cat: Catalog;
  private readonly zoneViews = new WeakMap<HTMLElement, ZonesView>();
  private readonly slabViews = new WeakMap<HTMLElement, SlabView>();
  private readonly taskViews = new WeakMap<HTMLElement, TasksView>();
  private readonly blockSigs = new WeakMap<HTMLElement, string>();

  constructor(handlers: StructureHandlers, cat: Catalog) {
    this.handlers = handlers;
    this.cat = cat;
  }

  private mtName(lang: Lang, name: string): string {
    return this.cat.migrateTypeNameOf(name, lang);
  }

  // ===========================================================================
  // Zones
  // ===========================================================================

  renderZones(el: HTMLElement, s: MachineState, lang: Lang, highlight?: ZoneHighlight | null): void {
    const zones = s.booted ? s.zones.filter(populated) : [];
    const shape = JSON.stringify([
      lang,
      s.booted,
      s.cpus,
      s.migrateTypes,
      s.pageblockOrder,
      zones.map((z) => [z.node, z.type, z.name, z.pcp.length, z.protection.length]),
      s.nodes.map((n) => n.id),
    ]);
    let view = this.zoneViews.get(el);
    if (!view || view.shape !== shape || !el.firstElementChild?.classList.contains('sv-zones')) {
      view = this.buildZones(s, zones, lang, shape);
      this.zoneViews.set(el, view);
      mount(el, view.root);
    }
    if (!s.booted) return;
    for (const n of s.nodes) {
      const card = view.nodes.get(n.id);
      if (card) this.patchNode(card, n, s, lang);
    }
    const hl = highlight ?? null;
    for (const z of zones) {
      const card = view.zones.get(`${z.node}:${z.type}`);
      if (!card) continue;
      const mine = hl && hl.node === z.node && hl.zone === z.type ? hl : null;
      this.patchZone(card, z, s, lang, mine);
    }
  }

  private buildZones(s: MachineState, zones: ZoneState[], lang: Lang, shape: string): ZonesView {
    const root = h('div', 'sv sv-zones');
    const empty = h('p', 'sv-empty', tr(lang, 'noMachine'));
    empty.hidden = s.booted;
    root.append(empty);
    const view: ZonesView = { shape, root, zones: new Map(), nodes: new Map(), empty };
    if (!s.booted) return view;

    const nodes = h('div', 'sv-nodes');
    for (const n of s.nodes) {
      const sec = h('section', 'sv-node');
      const head = h('h3', 'sv-node-title', tr(lang, 'nodeTitle', { node: n.id }));
      const meta = h('span', 'sv-meta');
      head.append(' ', meta);
      const zl = h('div', 'sv-zonelist');
      const zlLabel = h('span', 'sv-label', tr(lang, 'zonelist'));
      zlLabel.title = tr(lang, 'zonelistTitle');
      const chain = h('ol', 'sv-chain');
      chain.setAttribute('aria-label', tr(lang, 'zonelist'));
      zl.append(zlLabel, chain);
      const kswapd = h('p', 'sv-kswapd');
      const emptyZones = h('p', 'sv-meta');
      sec.append(head, zl, kswapd, emptyZones);
      nodes.append(sec);
      view.nodes.set(n.id, { meta, chain, kswapd, empty: emptyZones });
    }
    root.append(nodes);

    for (const z of zones) {
      const card = this.buildZone(s, z, lang);
      root.append(card.section);
      view.zones.set(`${z.node}:${z.type}`, card.card);
    }
    return view;
  }

  private buildZone(s: MachineState, z: ZoneState, lang: Lang): { section: HTMLElement; card: ZoneCard } {
    const id = `sv-zone-${z.node}-${z.type}`;
    const section = h('section', 'sv-zone');
    section.setAttribute('aria-labelledby', id);
    const head = h('h3', 'sv-zone-title');
    const title = h('span', '', tr(lang, 'zoneTitle', { node: z.node, zone: z.name }));
    title.id = id;
    const meta = h('span', 'sv-meta');
    head.append(title, ' ', meta);

    const gauge = this.buildGauge(lang);
    const tables = h('div', 'sv-tables');
    const fa = this.buildFreeArea(s, z, lang);
    const pcp = this.buildPcp(z, lang);
    tables.append(fa.wrap, pcp.wrap);
    section.append(head, gauge.wrap, tables);
    return {
      section,
      card: {
        meta,
        gauge,
        fa: fa.cells,
        faRows: fa.rows,
        nrFree: fa.nrFree,
        faPages: fa.pages,
        pcpRows: pcp.rows,
        pcpCells: pcp.cells,
      },
    };
  }

  private buildGauge(lang: Lang): Gauge {
    const wrap = h('div', 'sv-wm');
    const line = h('div', 'sv-wm-line');
    const chip = h('span', 'sv-chip');
    const protChip = h('span', 'sv-chip sv-chip-prot');
    const text = h('span', 'sv-wm-text');
    line.append(chip, protChip, text);

    const area = h('div', 'sv-gauge-area');
    const scale = h('div', 'sv-scale');
    const splitLabel = h('span', 'sv-scale-split');
    const endLabel = h('span', 'sv-scale-end');
    scale.append(splitLabel, endLabel);
    const bar = h('div', 'sv-gauge');
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-valuemin', '0');
    const zoomed = h('div', 'sv-gauge-zoomed');
    const fill = h('div', 'sv-gauge-fill');
    const split = h('div', 'sv-gauge-split');
    bar.append(zoomed, fill, split);
    const tick = (cls: string, label: string): HTMLElement => {
      const t = h('div', `sv-tick ${cls}`);
      t.append(h('span', '', label));
      return t;
    };
    const ticks = {
      min: tick('sv-tick-min', 'min'),
      low: tick('sv-tick-low', 'low'),
      high: tick('sv-tick-high', 'high'),
      prot: tick('sv-tick-prot', tr(lang, 'protTick')),
    };
    area.append(scale, bar, ticks.min, ticks.low, ticks.high, ticks.prot);
    const prot = h('p', 'sv-prot');
    wrap.append(line, area, prot);
    return { wrap, bar, fill, split, splitLabel, endLabel, ticks, chip, protChip, text, prot };
  }

  private buildFreeArea(
    s: MachineState,
    z: ZoneState,
    lang: Lang,
  ): {
    wrap: HTMLElement;
    cells: HTMLButtonElement[][];
    rows: HTMLTableRowElement[];
    nrFree: HTMLTableCellElement[];
    pages: HTMLTableCellElement[];
  } {
    const wrap = h('div', 'sv-scroll');
    const table = h('table', 'sv-table sv-fa');
    table.createCaption().textContent = tr(lang, 'faCaption', { node: z.node, zone: z.name });
    const head = table.createTHead().insertRow();
    head.append(th(tr(lang, 'faOrder')));
    s.migrateTypes.forEach((mt, i) => {
      // The name, and its one-letter form (as /proc/pagetypeinfo's
      // neighbours print it) for a zone card too narrow for the names
      // (structures.css shows one or the other by the card's width).
      const c = th('', mt);
      const long = h('span', 'sv-long', this.mtName(lang, mt));
      if (lang === 'zh') long.append(h('small', '', mt));
      const letter = this.cat.migrateTypeLetter(this.cat.raw.names.migratetype_en.indexOf(mt)) ?? mt.slice(0, 1);
      const short = h('span', 'sv-short', letter);
      short.setAttribute('aria-hidden', 'true');
      c.append(long, short);
      // Coloured by name: the engine may leave CMA out of the list.
      c.classList.add('sv-mt', `sv-mt-${mt}`, `sv-mt-col-${i}`);
      head.append(c);
    });
    head.append(th(tr(lang, 'faNrFree'), tr(lang, 'faNrFreeTitle')));

    const body = table.createTBody();
    const cells: HTMLButtonElement[][] = [];
    const rows: HTMLTableRowElement[] = [];
    const nrFree: HTMLTableCellElement[] = [];
    for (let order = 0; order < this.cat.maxOrder; order++) {
      const tr0 = body.insertRow();
      const rh = th(
        '',
        tr(lang, 'faOrderTitle', { order, pages: 2 ** order, size: sizeOf(order, this.cat.pageKib) }),
        'row',
      );
      rh.append(h('span', 'sv-order', String(order)), h('small', '', sizeOf(order, this.cat.pageKib)));
      tr0.append(rh);
      const row: HTMLButtonElement[] = [];
      s.migrateTypes.forEach((_, mt) => {
        const td = tr0.insertCell();
        const b = button('sv-cell', `fa:${z.node}:${z.type}:${order}:${mt}`);
        b.dataset['r'] = String(order);
        b.dataset['c'] = String(mt);
        b.tabIndex = order === 0 && mt === 0 ? 0 : -1;
        b.addEventListener('click', () => {
          makeRoving(b);
          this.handlers.onFreeAreaCell(z.node, z.type, order, mt);
        });
        td.append(b);
        row.push(b);
      });
      const nf = tr0.insertCell();
      nf.className = 'sv-num sv-total';
      cells.push(row);
      rows.push(tr0);
      nrFree.push(nf);
    }
    const foot = table.createTFoot().insertRow();
    foot.append(th(tr(lang, 'faPages'), tr(lang, 'faPagesTitle'), 'row'));
    const pages: HTMLTableCellElement[] = [];
    for (let i = 0; i <= s.migrateTypes.length; i++) {
      const c = foot.insertCell();
      c.className = 'sv-num';
      pages.push(c);
    }
    asGrid(table);
    wrap.append(table);
    return { wrap, cells, rows, nrFree, pages };
  }

  private buildPcp(
    z: ZoneState,
    lang: Lang,
  ): { wrap: HTMLElement; rows: HTMLTableRowElement[]; cells: HTMLTableCellElement[][] } {
    const wrap = h('div', 'sv-scroll sv-pcp-scroll');
    const table = h('table', 'sv-table sv-pcp');
    const cap = table.createCaption();
    const cat = this.cat;
    const legend = Array.from(
      { length: cat.pcpTypes },
      (_, mt) => `${cat.migrateTypeLetter(mt) ?? mt} ${cat.migrateTypeName(mt, lang) ?? mt}`,
    );
    cap.append(tr(lang, 'pcpCaption', { node: z.node, zone: z.name }), h('br'), h('small', '', legend.join(' · ')));
    const thead = table.createTHead();
    const r1 = thead.insertRow();
    const r2 = thead.insertRow();
    const spanned = (text: string, title: string): HTMLTableCellElement => {
      const c = th(text, title);
      c.rowSpan = 2;
      return c;
    };
    r1.append(
      spanned(tr(lang, 'pcpCpu'), ''),
      spanned(tr(lang, 'pcpCount'), tr(lang, 'pcpCountTitle')),
      spanned(tr(lang, 'pcpHigh'), tr(lang, 'pcpHighTitle')),
      spanned(tr(lang, 'pcpBatch'), tr(lang, 'pcpBatchTitle')),
    );
    // One column per pcp list, grouped by order, as order_to_pindex lays them out.
    const listNames: string[] = [];
    const groupStarts = new Set<number>();
    const lists = cat.raw.pcp_lists;
    for (let i = 0; i < lists.length;) {
      const order = lists[i]!.order;
      let n = 0;
      while (i + n < lists.length && lists[i + n]!.order === order) n++;
      const thp = order > cat.costlyOrder;
      const g = thp
        ? th(tr(lang, 'pcpThp'), tr(lang, 'pcpThpTitle', { order }), 'colgroup')
        : th(tr(lang, 'pcpOrder', { order }), '', 'colgroup');
      g.colSpan = n;
      g.className = 'sv-group';
      r1.append(g);
      groupStarts.add(i);
      for (const l of lists.slice(i, i + n)) {
        const name = cat.migrateTypeName(l.mt, lang) ?? String(l.mt);
        r2.append(th(cat.migrateTypeLetter(l.mt) ?? String(l.mt), name));
        listNames.push(`${thp ? tr(lang, 'pcpThp') : tr(lang, 'pcpOrder', { order })} ${name}`);
      }
      i += n;
    }
    const body = table.createTBody();
    const rows: HTMLTableRowElement[] = [];
    const cells: HTMLTableCellElement[][] = [];
    for (const p of z.pcp) {
      const row = body.insertRow();
      row.append(th(String(p.cpu), '', 'row'));
      const cs: HTMLTableCellElement[] = [];
      for (let i = 0; i < 3 + p.lists.length; i++) {
        const c = row.insertCell();
        c.className = i < 3 ? 'sv-num' : 'sv-num sv-list';
        if (i >= 3 && groupStarts.has(i - 3)) c.classList.add('sv-sep');
        if (i >= 3) c.dataset['list'] = listNames[i - 3] ?? String(i - 3);
        cs.push(c);
      }
      rows.push(row);
      cells.push(cs);
    }
    wrap.append(table);
    return { wrap, rows, cells };
  }

  private patchNode(card: NodeCard, n: NodeState, s: MachineState, lang: Lang): void {
    setText(
      card.meta,
      tr(lang, 'nodeMeta', { start: n.startPfn, end: n.startPfn + Math.max(n.spanned, 1) - 1, present: n.present }),
    );
    // The chain is short and rarely changes: rebuild it only when it did.
    const want = n.zonelist.join('\n');
    if (card.chain.dataset['sig'] !== want) {
      card.chain.dataset['sig'] = want;
      card.chain.replaceChildren(...n.zonelist.map((z) => h('li', '', z)));
    }
    setText(card.kswapd, tr(lang, 'kswapd', { node: n.id, state: n.kswapd }));
    const empty = s.zones.filter((z) => z.node === n.id && !populated(z)).map((z) => z.name);
    setText(card.empty, empty.length ? tr(lang, 'emptyZones', { list: empty.join(' · ') }) : '');
    setHidden(card.empty, empty.length === 0);
  }

  private patchZone(card: ZoneCard, z: ZoneState, s: MachineState, lang: Lang, hl: ZoneHighlight | null): void {
    setText(
      card.meta,
      tr(lang, 'zoneMeta', {
        start: z.startPfn,
        end: z.startPfn + Math.max(z.spanned, 1) - 1,
        spanned: z.spanned,
        present: z.present,
        managed: z.managed,
      }),
    );
    this.patchGauge(card.gauge, z, s.zoneTypes, lang);

    // free_area
    const mts = s.migrateTypes.length;
    const perMt = new Array<number>(mts).fill(0);
    for (let order = 0; order < this.cat.maxOrder; order++) {
      const row = z.freeArea[order] ?? [];
      for (let mt = 0; mt < mts; mt++) {
        const n = row[mt] ?? 0;
        perMt[mt]! += n * 2 ** order;
        const b = card.fa[order]![mt]!;
        setText(b, fmt(n));
        setClass(b, 'sv-zero', n === 0);
        const isHl = hl !== null && hl.order === order && hl.mt === mt;
        setClass(b, 'sv-hl', isHl);
        const label = tr(lang, 'faCell', {
          order,
          mt: this.mtName(lang, s.migrateTypes[mt]!),
          n,
          pages: n * 2 ** order,
        });
        setAttr(b, 'aria-label', label);
        setAttr(b, 'title', label);
      }
      const nf = z.nrFree[order] ?? 0;
      setText(card.nrFree[order]!, fmt(nf));
      setClass(card.nrFree[order]!, 'sv-zero', nf === 0);
      setClass(card.faRows[order]!, 'sv-hl-row', hl !== null && hl.order === order);
      setClass(card.nrFree[order]!, 'sv-hl', hl !== null && hl.order === order && hl.mt < 0);
    }
    let total = 0;
    perMt.forEach((p, mt) => {
      total += p;
      setText(card.faPages[mt]!, fmt(p));
      setClass(card.faPages[mt]!, 'sv-zero', p === 0);
    });
    setText(card.faPages[mts]!, fmt(total));

    // pcp
    const hlList = hl ? this.cat.pcpIndex(hl.order, hl.mt) : -1;
    z.pcp.forEach((p: PcpState, i) => {
      const cs = card.pcpCells[i];
      const row = card.pcpRows[i];
      if (!cs || !row) return;
      const rowHl = hl !== null && hl.cpu === p.cpu;
      setClass(row, 'sv-hl-row', rowHl);
      const values = [p.count, p.high, p.batch, ...p.lists];
      values.forEach((v, j) => {
        const c = cs[j];
        if (!c) return;
        setText(c, fmt(v));
        if (j >= 3) {
          setClass(c, 'sv-zero', v === 0);
          setClass(c, 'sv-hl', rowHl && j - 3 === hlList);
          setAttr(c, 'title', tr(lang, 'pcpList', { cpu: p.cpu, list: c.dataset['list'] ?? '', n: v }));
        }
      });
      // count above high means the next free will spill a batch.
      setClass(cs[0]!, 'sv-over', p.count > p.high);
    });
  }

  private patchGauge(g: Gauge, z: ZoneState, zoneTypes: readonly number[] | undefined, lang: Lang): void {
    const sc = gaugeScale(z);
    const lv = level(z);
    for (const l of ['min', 'low', 'high', 'ok'] as const) setClass(g.bar, `sv-lv-${l}`, l === lv);
    for (const l of ['min', 'low', 'high', 'ok'] as const) setClass(g.chip, `sv-lv-${l}`, l === lv);
    const [chip, why] = LEVEL_LABEL[lv];
    setText(g.chip, tr(lang, chip));
    setAttr(g.chip, 'title', tr(lang, why));

    setStyle(g.fill, 'width', pct(sc.pos(z.free)));
    const split = sc.zoom < z.managed;
    setHidden(g.split, !split);
    setHidden(g.splitLabel, !split);
    const zoomedPart = g.bar.firstElementChild as HTMLElement;
    setStyle(zoomedPart, 'width', pct(split ? SPLIT : 1));
    setStyle(g.split, 'left', pct(SPLIT));
    setStyle(g.splitLabel, 'left', pct(SPLIT));
    setText(g.splitLabel, fmt(sc.zoom));
    setText(g.endLabel, fmt(z.managed));

    const cat = this.cat;
    const target = Math.min(Math.max(0, cat.raw.names.zone.indexOf(GFP_KERNEL_ZONE_NAME)), z.protection.length - 1);
    const prot = z.protection[target] ?? 0;
    setStyle(g.ticks.min, 'left', pct(sc.pos(z.min)));
    setStyle(g.ticks.low, 'left', pct(sc.pos(z.low)));
    setStyle(g.ticks.high, 'left', pct(sc.pos(z.high)));
    setStyle(g.ticks.prot, 'left', pct(sc.pos(z.high + prot)));
    setHidden(g.ticks.prot, prot <= 0);
    // The fast path's check is free > low + lowmem_reserve[highest zone].
    const skipped = prot > 0 && z.free <= z.low + prot;
    setHidden(g.protChip, !skipped);
    setText(g.protChip, skipped ? tr(lang, 'protChip') : '');
    setAttr(
      g.protChip,
      'title',
      skipped ? tr(lang, 'protChipWhy', { target: zoneTypeName(cat, target), mark: z.low + prot }) : null,
    );
    setAttr(g.ticks.prot, 'title', `high + protection[${zoneTypeName(cat, target)}] = ${fmt(z.high + prot)}`);

    let text = tr(lang, 'wmText', {
      free: z.free,
      mib: mib(z.free, this.cat.pageKib),
      min: z.min,
      low: z.low,
      high: z.high,
    });
    if (z.boost > 0) text += tr(lang, 'wmBoost', { boost: z.boost });
    setText(g.text, text);
    setAttr(g.bar, 'aria-valuemax', String(z.managed));
    setAttr(g.bar, 'aria-valuenow', String(z.free));
    setAttr(g.bar, 'aria-valuetext', `${text} (${tr(lang, chip)})`);
    setAttr(g.bar, 'aria-label', tr(lang, 'zoneTitle', { node: z.node, zone: z.name }));
    setAttr(
      g.wrap,
      'title',
      tr(lang, 'gaugeTitle', {
        split: Math.round(SPLIT * 100),
        zoom: sc.zoom,
        managed: z.managed,
        target: zoneTypeName(cat, target),
      }),
    );

    // One entry per zone the kernel has (zoneinfo's protection array);
    // an engine without zoneTypes built every type.
    const parts = z.protection
      .map((p, t) => ({ p, t }))
      .filter(({ t }) => zoneTypes?.includes(t) ?? true)
      .map(({ p, t }) => `${zoneTypeName(cat, t)} ${fmt(p)}`);
    setText(g.prot, `${tr(lang, 'protLine')} ${parts.join(' · ')}`);
  }

  // ===========================================================================
  // Slab caches
  // ===========================================================================

  renderSlab(el: HTMLElement, s: MachineState, detail: CacheDetail | null, lang: Lang): void {
    let view = this.slabViews.get(el);
    if (!view || !el.firstElementChild?.classList.contains('sv-slabs')) {
      view = this.buildSlabRoot(el);
      this.slabViews.set(el, view);
      mount(el, view.root);
    }
    view.last = { s, detail, lang };
    this.patchCacheTable(view, s, detail, lang);
    this.patchDetail(view, detail, lang);
  }

  private buildSlabRoot(el: HTMLElement): SlabView {
    const root = h('div', 'sv sv-slabs');
    const toggle = h('button', 'sv-link');
    toggle.type = 'button';
    toggle.dataset['key'] = 'toggle-empty';
    const tableWrap = h('div', 'sv-scroll sv-caches');
    const detail = h('div', 'sv-detail');
    root.append(tableWrap, toggle, detail);
    const view: SlabView = {
      root,
      tableShape: '',
      rows: new Map(),
      toggle,
      tableWrap,
      detail,
      showEmpty: false,
      detailShape: '',
      drawnDetail: null,
      groups: new Map(),
      caps: new Map(),
      last: null,
    };
    toggle.addEventListener('click', () => {
      view.showEmpty = !view.showEmpty;
      if (view.last) this.renderSlab(el, view.last.s, view.last.detail, view.last.lang);
    });
    // One listener for every pfn button and "show more" of the detail.
    detail.addEventListener('click', (e) => {
      const b = (e.target as Element | null)?.closest<HTMLElement>('button');
      if (!b) return;
      if (b.dataset['pfn'] !== undefined) {
        this.handlers.onPfn(Number(b.dataset['pfn']), Number(b.dataset['order']));
      } else if (b.dataset['more'] !== undefined) {
        const g = b.dataset['more'];
        view.caps.set(g, (view.caps.get(g) ?? SLAB_CAP) + SLAB_CAP * 4);
        if (view.last) this.patchDetail(view, view.last.detail, view.last.lang, true);
      }
    });
    return view;
  }

  private patchCacheTable(view: SlabView, s: MachineState, detail: CacheDetail | null, lang: Lang): void {
    const selected = detail?.cache.name ?? '';
    const all = s.booted ? s.caches : [];
    const emptyCount = all.filter((c) => c.slabs === 0 && c.name !== selected).length;
    const shown = view.showEmpty ? all : all.filter((c) => c.slabs > 0 || c.name === selected);
    const shape = JSON.stringify([lang, shown.map((c) => c.name)]);
    if (view.tableShape !== shape) {
      view.tableShape = shape;
      view.rows.clear();
      const table = this.buildCacheTable(view, shown, lang, selected);
      const active = document.activeElement;
      const key = active instanceof HTMLElement && view.tableWrap.contains(active) ? active.dataset['key'] : undefined;
      view.tableWrap.replaceChildren(table);
      if (key !== undefined) {
        const again = table.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
        if (again) {
          makeRoving(again);
          again.focus({ preventScroll: true });
        }
      }
    }
    for (const c of shown) {
      const row = view.rows.get(c.name);
      if (!row) continue;
      const values = [
        fmt(c.objectSize),
        fmt(c.size),
        fmt(c.objPerSlab),
        fmt(c.pagesPerSlab),
        `${fmt(c.activeObjs)} / ${fmt(c.numObjs)}`,
        fmt(c.slabs),
      ];
      values.forEach((v, i) => setText(row.cells[i]!, v));
      setClass(row.tr, 'sv-zero', c.slabs === 0);
      setClass(row.tr, 'sv-sel', c.name === selected);
      setAttr(row.button, 'aria-pressed', String(c.name === selected));
    }
    setHidden(view.toggle, emptyCount === 0 && !view.showEmpty);
    setText(view.toggle, view.showEmpty ? tr(lang, 'hideEmpty') : tr(lang, 'showEmpty', { n: emptyCount }));
    setAttr(view.toggle, 'aria-expanded', String(view.showEmpty));
  }

  private buildCacheTable(view: SlabView, caches: CacheState[], lang: Lang, selected: string): HTMLElement {
    if (caches.length === 0) return h('p', 'sv-empty', tr(lang, 'noCaches'));
    const table = h('table', 'sv-table sv-cache-table');
    table.createCaption().textContent = tr(lang, 'cachesCaption');
    table
      .createTHead()
      .insertRow()
      .append(
        th(tr(lang, 'colName')),
        th(tr(lang, 'colObjSize'), tr(lang, 'colObjSizeTitle')),
        th(tr(lang, 'colSize'), tr(lang, 'colSizeTitle')),
        th(tr(lang, 'colObjPerSlab')),
        th(tr(lang, 'colPagesPerSlab')),
        th(tr(lang, 'colObjs')),
        th(tr(lang, 'colSlabs')),
      );
    const body = table.createTBody();
    let roving = caches.findIndex((c) => c.name === selected);
    if (roving < 0) roving = 0;
    caches.forEach((c, i) => {
      const row = body.insertRow();
      const nameCell = h('th');
      nameCell.scope = 'row';
      const b = button('sv-cache', `cache:${c.name}`);
      b.textContent = c.name;
      b.dataset['r'] = String(i);
      b.dataset['c'] = '0';
      b.tabIndex = i === roving ? 0 : -1;
      b.setAttribute('aria-label', tr(lang, 'cacheButton', { name: c.name }));
      nameCell.append(b);
      row.append(nameCell);
      const cells: HTMLTableCellElement[] = [];
      for (let k = 0; k < 6; k++) {
        const td = row.insertCell();
        td.className = 'sv-num';
        cells.push(td);
      }
      view.rows.set(c.name, { tr: row, button: b, cells });
    });
    // The whole row picks the cache (a bigger target than the name); the
    // button inside keeps it reachable by keyboard.
    body.addEventListener('click', (e) => {
      const row = (e.target as Element | null)?.closest('tr');
      const b = row?.querySelector<HTMLButtonElement>('button.sv-cache');
      if (!b) return;
      makeRoving(b);
      if (e.target !== b) b.focus({ preventScroll: true });
      this.handlers.onCache(b.textContent ?? '');
    });
    asGrid(table);
    return table;
  }

  private patchDetail(view: SlabView, detail: CacheDetail | null, lang: Lang, force = false): void {
    if (!force && detail === view.drawnDetail && view.detailShape.startsWith(`${lang}|`)) return;
    view.drawnDetail = detail;
    const name = detail?.cache.name ?? '';
    const shape = `${lang}|${name}`;
    if (view.detailShape !== shape) {
      // Another cache (or language): start over, with the default caps.
      view.detailShape = shape;
      view.groups.clear();
      view.caps.clear();
      view.detail.replaceChildren();
    }
    const d = view.detail;
    if (!detail) {
      if (!d.firstChild) d.append(h('p', 'sv-empty', tr(lang, 'pickCache')));
      return;
    }
    if (!d.firstChild) {
      const head = h('h3', 'sv-detail-title');
      const legend = h('p', 'sv-legend');
      legend.append(
        svgSwatch(true),
        h('span', '', tr(lang, 'legendUsed')),
        svgSwatch(false),
        h('span', '', tr(lang, 'legendFree')),
      );
      const groups = h('div', 'sv-groups');
      const none = h('p', 'sv-empty', tr(lang, 'noSlabs'));
      d.append(head, legend, none, groups);
    }
    const [head, , none, groupsEl] = [...d.children] as HTMLElement[];
    const c = detail.cache;
    setText(
      head!,
      tr(lang, 'detailTitle', { name: c.name, slabs: c.slabs, pages: c.pagesPerSlab, objs: c.objPerSlab }),
    );
    setHidden(none!, detail.slabs.length > 0);

    // Group the slabs: per CPU (active, then partial), then per node.
    const groups = new Map<string, { title: string; slabs: SlabState[]; rank: number }>();
    for (const sl of detail.slabs) {
      const [key, title, rank] = slabGroup(sl, lang);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { title, slabs: [], rank }));
      g.slabs.push(sl);
    }
    const ordered = [...groups.entries()].sort((a, b) => a[1].rank - b[1].rank);
    const wanted: HTMLElement[] = [];
    for (const [key, g] of ordered) {
      const cap = view.caps.get(key) ?? SLAB_CAP;
      const drawn = g.slabs.slice(0, cap);
      const sig = JSON.stringify([g.title, g.slabs.length, cap, drawn.map((x) => [x.pfn, x.order, x.inuse, x.map])]);
      let entry = view.groups.get(key);
      if (!entry || entry.sig !== sig) {
        const el = buildGroup(key, g.title, g.slabs.length, drawn, lang);
        if (entry) keepFocus(entry.el, el, () => entry!.el.replaceWith(el));
        entry = { sig, el };
        view.groups.set(key, entry);
      }
      wanted.push(entry.el);
    }
    for (const key of [...view.groups.keys()]) if (!groups.has(key)) view.groups.delete(key);
    // Reorder or add only when the sequence differs.
    const current = [...groupsEl!.children];
    if (current.length !== wanted.length || current.some((e, i) => e !== wanted[i])) {
      keepFocus(groupsEl!, groupsEl!, () => groupsEl!.replaceChildren(...wanted));
    }
  }

  // ===========================================================================
  // Tasks
  // ===========================================================================

  renderTasks(el: HTMLElement, s: MachineState, lang: Lang): void {
    const tasks = s.booted ? rankTasks(s.tasks) : [];
    const shape = JSON.stringify([lang, tasks.length]);
    let view = this.taskViews.get(el);
    if (!view || view.shape !== shape || !el.firstElementChild?.classList.contains('sv-tasks')) {
      const built = buildTasks(tasks.length, lang);
      view = { shape, rows: built.rows };
      this.taskViews.set(el, view);
      mount(el, built.root);
    }
    const victim = tasks.find((t) => t.alive && t.killable) ?? null;
    tasks.forEach((t, i) => {
      const row = view.rows[i];
      if (!row) return;
      const unkillable = t.alive && !t.killable;
      const isVictim = t === victim;
      setClass(row.tr, 'sv-dead', !t.alive);
      setClass(row.tr, 'sv-victim', isVictim);
      setClass(row.tr, 'sv-unkillable', unkillable);
      setText(row.cells[0]!, String(t.pid));
      setText(row.name, t.name);
      setHidden(row.badge, !isVictim);
      setText(row.cells[2]!, t.alive ? tr(lang, 'alive') : tr(lang, 'exited'));
      const nums = [t.rssAnon, t.rssFile, t.rssShmem, t.swapEnts, t.pgtables, t.oomScoreAdj, t.oomScore];
      nums.forEach((v, j) => {
        setText(row.cells[3 + j]!, fmt(v));
        setClass(row.cells[3 + j]!, 'sv-zero', v === 0);
      });
      const bad = row.cells[10]!;
      setText(bad, !t.alive ? '—' : unkillable ? tr(lang, 'unkillable') : fmt(t.badness));
      setAttr(bad, 'title', unkillable ? tr(lang, 'unkillableTitle') : null);
    });
  }

  // ===========================================================================
  // A free list's blocks
  // ===========================================================================

  showBlocks(el: HTMLElement, title: string, pfns: number[], order: number, lang: Lang): void {
    const sig = JSON.stringify([title, pfns, order, lang]);
    if (this.blockSigs.get(el) === sig && el.firstElementChild?.classList.contains('sv-blocks')) return;
    this.blockSigs.set(el, sig);
    const root = h('div', 'sv sv-blocks');
    const head = h('h3', 'sv-blocks-title', title);
    const pages = 2 ** order;
    const summary = h(
      'p',
      'sv-meta',
      pfns.length ? tr(lang, 'blocksSummary', { n: pfns.length, order, pages }) : tr(lang, 'blocksEmpty'),
    );
    root.append(head, summary);
    if (pfns.length) {
      const list = h('ol', 'sv-pfnlist');
      list.setAttribute('aria-label', title);
      pfns.forEach((pfn, i) => {
        const li = h('li');
        const b = button('sv-pfn', `block:${pfn}`);
        b.dataset['r'] = String(i);
        b.dataset['c'] = '0';
        b.tabIndex = i === 0 ? 0 : -1;
        b.textContent = pages > 1 ? `${pfn}–${pfn + pages - 1}` : String(pfn);
        b.setAttribute('aria-label', tr(lang, 'blockButton', { pfn, end: pfn + pages - 1 }));
        b.addEventListener('click', () => this.handlers.onPfn(pfn, order));
        li.append(b);
        list.append(li);
      });
      // The list wraps, so left/right move along it as well as up/down.
      list.addEventListener('keydown', (e) => {
        gridMove(e, e.key === 'ArrowRight' ? 'ArrowDown' : e.key === 'ArrowLeft' ? 'ArrowUp' : e.key);
      });
      list.addEventListener('focusin', gridFocusin);
      list.dataset['grid'] = '';
      root.append(list);
    }
    mount(el, root);
  }
}

// --- Slab drawing ---------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';

function slabGroup(sl: SlabState, lang: Lang): [string, string, number] {
  switch (sl.where) {
    case 'cpu':
      return [`cpu:${sl.cpu}`, tr(lang, 'groupCpu', { cpu: sl.cpu }), sl.cpu * 2];
    case 'cpu-partial':
      return [`cpu-partial:${sl.cpu}`, tr(lang, 'groupCpuPartial', { cpu: sl.cpu }), sl.cpu * 2 + 1];
    case 'node-partial':
      return [`node-partial:${sl.node}`, tr(lang, 'groupNodePartial', { node: sl.node }), 1e6 + sl.node * 2];
    case 'full':
      return [`full:${sl.node}`, tr(lang, 'groupFull', { node: sl.node }), 1e6 + sl.node * 2 + 1];
    default:
      return [`other:${sl.where}`, tr(lang, 'groupOther', { where: sl.where }), 2e6];
  }
}

function buildGroup(key: string, title: string, total: number, slabs: SlabState[], lang: Lang): HTMLElement {
  const sec = h('section', 'sv-group');
  const head = h('h4', '', title);
  head.append(' ', h('span', 'sv-meta', total === 1 ? tr(lang, 'groupCount1') : tr(lang, 'groupCount', { n: total })));
  const list = h('ul', 'sv-slab-list');
  list.setAttribute('aria-label', title);
  for (const sl of slabs) list.append(slabItem(sl, lang));
  sec.append(head, list);
  const rest = total - slabs.length;
  if (rest > 0) {
    const more = h('p', 'sv-more');
    const b = h('button', 'sv-link');
    b.type = 'button';
    b.dataset['more'] = key;
    b.dataset['key'] = `more:${key}`;
    b.textContent = tr(lang, 'showMore', { n: Math.min(rest, SLAB_CAP * 4) });
    more.append(tr(lang, 'more', { n: rest }), ' ', b);
    sec.append(more);
  }
  return sec;
}

function slabItem(sl: SlabState, lang: Lang): HTMLLIElement {
  const li = h('li', 'sv-slab');
  const used = countUsed(sl.map);
  li.title = tr(lang, 'slabTitle', { pfn: sl.pfn, order: sl.order, used, objects: sl.objects, inuse: sl.inuse });
  const b = h('button', 'sv-pfn');
  b.type = 'button';
  b.dataset['pfn'] = String(sl.pfn);
  b.dataset['order'] = String(sl.order);
  b.dataset['key'] = `slab:${sl.pfn}`;
  b.textContent = String(sl.pfn);
  b.setAttribute('aria-label', tr(lang, 'pfnButton', { pfn: sl.pfn, used, objects: sl.objects }));
  li.append(b, objectStrip(sl.map), h('span', 'sv-inuse', `${used}/${sl.objects}`));
  return li;
}

function countUsed(map: string): number {
  let n = 0;
  for (const ch of map) if (ch === '#') n++;
  return n;
}

/** The objects of one slab as squares, filled when in use, hollow when free:
 *  two SVG paths whatever the number of objects, so a cache of 512-object
 *  slabs costs no more DOM than one of 8. */
function objectStrip(map: string): SVGSVGElement {
  const n = map.length;
  const size = n <= 32 ? 7 : n <= 128 ? 5 : 4;
  const step = size + 1;
  const cols = Math.min(n, 32);
  const rows = Math.max(1, Math.ceil(n / cols));
  const svg = document.createElementNS(SVG_NS, 'svg');
  const w = Math.max(cols, 1) * step;
  const hgt = rows * step;
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(hgt));
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'sv-objs');
  svg.setAttribute('aria-hidden', 'true');
  let used = '';
  let free = '';
  for (let i = 0; i < n; i++) {
    const x = (i % cols) * step;
    const y = Math.floor(i / cols) * step;
    if (map[i] === '#') used += `M${x} ${y}h${size}v${size}h${-size}z`;
    else free += `M${x + 0.5} ${y + 0.5}h${size - 1}v${size - 1}h${1 - size}z`;
  }
  for (const [cls, d] of [
    ['used', used],
    ['free', free],
  ] as const) {
    if (!d) continue;
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('class', cls);
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

function svgSwatch(used: boolean): SVGSVGElement {
  return objectStrip(used ? '#' : '.');
}

/** Runs `swap` (which replaces `from` with `to`, or refills it) and gives
 *  the focus back to the element with the same data-key if it was inside. */
function keepFocus(from: Element, to: Element, swap: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && from.contains(active) ? active.dataset['key'] : undefined;
  swap();
  if (key === undefined) return;
  const again = to.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  again?.focus({ preventScroll: true });
}

// --- Tasks ----------------------------------------------------------------------

/** The OOM killer's order: live killable tasks by badness (highest first),
 *  then the unkillable ones, then the dead; pid breaks ties. */
function rankTasks(tasks: TaskState[]): TaskState[] {
  const rank = (t: TaskState): number => (!t.alive ? 2 : !t.killable ? 1 : 0);
  return [...tasks].sort((a, b) => rank(a) - rank(b) || b.badness - a.badness || a.pid - b.pid);
}

function buildTasks(n: number, lang: Lang): { root: HTMLElement; rows: TasksView['rows'] } {
  const root = h('div', 'sv sv-tasks');
  if (n === 0) {
    root.append(h('p', 'sv-empty', tr(lang, 'noTasks')));
    return { root, rows: [] };
  }
  const wrap = h('div', 'sv-scroll');
  const table = h('table', 'sv-table sv-task-table');
  table.createCaption().textContent = tr(lang, 'tasksCaption');
  const thead = table.createTHead();
  const r1 = thead.insertRow();
  const r2 = thead.insertRow();
  const spanned = (text: string): HTMLTableCellElement => {
    const c = th('');
    // Kernel names break after their underscores (oom_/score_/adj) when
    // the table is narrow (structures.css lets the header wrap there).
    text.split(/(?<=_)/).forEach((part, i) => {
      if (i > 0) c.append(h('wbr'));
      c.append(part);
    });
    c.rowSpan = 2;
    return c;
  };
  const rss = th(tr(lang, 'rssGroup'), '', 'colgroup');
  rss.colSpan = 3;
  rss.className = 'sv-group';
  r1.append(spanned(tr(lang, 'colPid')), spanned(tr(lang, 'colTask')), spanned(tr(lang, 'colState')), rss);
  for (const k of ['colSwap', 'colPgtables', 'colAdj', 'colScore', 'colBadness'] as const)
    r1.append(spanned(tr(lang, k)));
  r2.append(th(tr(lang, 'colAnon')), th(tr(lang, 'colFile')), th(tr(lang, 'colShmem')));
  const body = table.createTBody();
  const rows: TasksView['rows'] = [];
  for (let i = 0; i < n; i++) {
    const row = body.insertRow();
    const cells: HTMLTableCellElement[] = [];
    const pid = row.insertCell();
    pid.className = 'sv-num';
    cells.push(pid);
    const nameCell = h('th');
    nameCell.scope = 'row';
    const name = h('span', 'sv-task-name');
    const badge = h('span', 'sv-badge', tr(lang, 'victim'));
    badge.title = tr(lang, 'victimTitle');
    badge.hidden = true;
    nameCell.append(name, ' ', badge);
    row.append(nameCell);
    cells.push(nameCell);
    const state = row.insertCell();
    cells.push(state);
    for (let k = 0; k < 8; k++) {
      const c = row.insertCell();
      c.className = 'sv-num';
      cells.push(c);
    }
    rows.push({ tr: row, cells, badge, name });
  }
  wrap.append(table);
  root.append(wrap);
  return { root, rows };
}

// --- The structures of the model --------------------------------------------------

/** Draws the tab on screen (zones, slab, tasks) from the model: the
 *  structures at the cursor, the zone, order, list and CPU of the step shown. */
export function renderStructures(m: PageModel, dom: Dom, views: StructureViews): void {
  const s = m.state;
  const ev = m.player.event;
  if (!s) return;
  const highlight =
    ev && ev.zone >= 0 ? { node: ev.node, zone: ev.zone, order: ev.order, mt: ev.mt, cpu: ev.cpu } : null;
  if (m.tab === 'zones') {
    views.renderZones(dom.zonesView, s, m.lang, highlight);
    if (m.blocks) views.showBlocks(dom.blocksView, m.blocks.title, [...m.blocks.pfns], m.blocks.order, m.lang);
    else dom.blocksView.replaceChildren();
  } else if (m.tab === 'slab') {
    views.renderSlab(dom.slabView, s, m.cacheDetail, m.lang);
  } else if (m.tab === 'tasks') {
    views.renderTasks(dom.tasksView, s, m.lang);
  }
}
