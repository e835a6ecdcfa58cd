// Narration of engine events: one sentence per event in the page's language,
// and the animation each event asks for.
//
// English is the engine's own sentence (ev.text), unchanged. Chinese is a
// template per kernel function (ev.fn), filled from the event's numbers
// (pfn, order, a, b, c, node, zone, mt, cpu). What an event carries only in
// its English text (a cache name, a gfp mask, which watermark was checked)
// is read back from that text; when the text does not have the expected
// shape, the generic sentence is used instead of a half-filled template.
// The meaning of a/b/c per function is listed next to each template; it
// mirrors the emitting code in engine/mm/*.cpp.
//
// Chinese wording follows the usual Chinese kernel literature: 伙伴系统,
// 阶, 迁移类型, 页块, 水位线, 每CPU页框 (pcp), 内存域, 回收, 内存规整,
// 快速路径/慢速路径, slab, 部分空闲链表.

import type { MmEvent } from '../../wasm/mm-engine.js';
import type { Lang } from './i18n.js';

export interface Narration {
  fn: string;
  text: string;
}

/** Which animation the page should play for this event. */
export type Motion =
  | 'split'
  | 'merge'
  | 'take'
  | 'give'
  | 'pcp-refill'
  | 'pcp-drain'
  | 'steal'
  | 'check'
  | 'slab-new'
  | 'slab-object'
  | 'reclaim'
  | 'oom-score'
  | 'oom-kill'
  | 'memblock'
  | 'boot-free'
  | 'none';

// ---- names ---------------------------------------------------------------------

const ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'] as const;
const MT_EN = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate'] as const;
/** Migrate types as Chinese kernel texts name them (MIGRATE_UNMOVABLE ...). */
const MT_ZH = ['不可移动', '可移动', '可回收', '高阶原子', '隔离'] as const;

function zoneName(i: number): string | null {
  return i >= 0 && i < ZONE_NAMES.length ? (ZONE_NAMES[i] ?? null) : null;
}

/** "节点 0 的 DMA32 内存域". */
function zoneZh(node: number, zone: string): string {
  return `节点 ${node} 的 ${zone} 内存域`;
}

/** The zone of an event: its node/zone fields, else "Node N ZONE" in its text. */
function evZone(ev: MmEvent): string | null {
  const z = zoneName(ev.zone);
  if (ev.node >= 0 && z) return zoneZh(ev.node, z);
  const m = grab(ev.text, /Node (\d+) (DMA32|DMA|Normal|Movable|Device)\b/);
  return m ? zoneZh(Number(m[0]), m[1]) : null;
}

/** "不可移动" from a migrate type index. */
function mtZh(i: number): string | null {
  return i >= 0 && i < MT_ZH.length ? (MT_ZH[i] ?? null) : null;
}

/** "不可移动" from the engine's English name ("Unmovable"). */
function mtZhOf(name: string): string {
  const i = (MT_EN as readonly string[]).indexOf(name);
  return i >= 0 ? (MT_ZH[i] ?? name) : name;
}

function pages(order: number): number {
  return 2 ** order;
}

/** "0x0000000000100000", as the kernel's memblock=debug prints addresses. */
function hex18(v: number): string {
  return '0x' + v.toString(16).padStart(16, '0');
}

/** "16777216 字节，即 16 MiB"; "约" when the unit is not exact. */
function bytesZh(n: number): string {
  const units: [number, string][] = [
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n < size) continue;
    if (n % size === 0) return `${n} 字节，即 ${n / size} ${unit}`;
    return `${n} 字节，约 ${(n / size).toFixed(1)} ${unit}`;
  }
  return `${n} 字节`;
}

function headTail(tail: boolean): string {
  return tail ? '尾部' : '头部';
}

/** The capture groups of `re` in `text`, or null when it does not match. */
function grab(text: string, re: RegExp): string[] | null {
  const m = re.exec(text);
  if (!m) return null;
  return m.slice(1).map((g) => g ?? '');
}

/** The SLUB cache an event is about: its text starts with "NAME: " or "NAME (debug): ". */
function cacheOf(ev: MmEvent): string | null {
  const m = grab(ev.text, /^([^\s:()]+)(?: \(debug\))?: /);
  return m ? m[0] : null;
}

/** "节点 0" or "任意节点" for NUMA_NO_NODE. */
function nodeZh(n: number): string {
  return n < 0 ? '任意节点' : `节点 ${n}`;
}

function anonFileZh(kind: string): string {
  return kind === 'file' ? '文件页（页缓存）' : '匿名页';
}

/** Reasons an allocation fails (alloc.cpp), in Chinese; an unknown one stays in English. */
function failureZh(reason: string): string {
  const exact: Record<string, string> = {
    'the allocating task was killed while it waited': '发起分配的进程在等待期间被杀死了',
    'the request may not sleep to reclaim (no __GFP_DIRECT_RECLAIM)':
      '该请求不允许睡眠做直接回收（没有 __GFP_DIRECT_RECLAIM）',
    '__GFP_NORETRY: one round of reclaim was all it asked for': '__GFP_NORETRY：只做一轮回收，不再重试',
    'the allocating task was chosen by the OOM killer': '发起分配的进程自己被 OOM 杀手选中了',
    'reclaim and the OOM killer found nothing to free': '回收和 OOM 杀手都找不到可以释放的内存',
    'costly orders never invoke the OOM killer': '高开销阶（> PAGE_ALLOC_COSTLY_ORDER）的请求从不触发 OOM 杀手',
    '__GFP_RETRY_MAYFAIL / __GFP_THISNODE requests do not invoke the OOM killer':
      '带 __GFP_RETRY_MAYFAIL 或 __GFP_THISNODE 的请求不触发 OOM 杀手',
    'a lowmem (DMA/DMA32-only) request does not invoke the OOM killer':
      '只能使用 DMA/DMA32 低端内存的请求不触发 OOM 杀手',
  };
  const hit = exact[reason];
  if (hit) return hit;
  let m = grab(reason, /^order (\d+) is costly \(> PAGE_ALLOC_COSTLY_ORDER\): no retries, no OOM$/);
  if (m) return `${m[0]} 阶属于高开销阶（> PAGE_ALLOC_COSTLY_ORDER）：不重试，也不触发 OOM 杀手`;
  m = grab(reason, /^no zone on node (\d+)'s zonelist is allowed by (.+)$/);
  if (m) return `节点 ${m[0]} 的备用区域列表（zonelist）中没有 ${m[1]} 允许使用的内存域`;
  return reason; // not one the engine is known to give: its own words
}

// ---- Chinese templates ---------------------------------------------------------
// Each returns the sentence, or null when the event lacks what it needs.

type Template = (ev: MmEvent) => string | null;

/** The memblock allocation functions a boot plan calls (boot.cpp do_alloc;
 *  a = size in bytes, b = alignment; text: nid, range, caller). */
function memblockAlloc(ev: MmEvent): string | null {
  if (ev.kind === 'warn') {
    const w = grab(ev.text, /the kernel placed it at (0x[0-9a-f]+), the engine's search gives (0x[0-9a-f]+)/);
    if (!w) return null;
    return `回放与真实日志不一致：内核把这次 ${ev.fn} 分配放在 ${w[0]}，本引擎的查找结果却是 ${w[1]}。`;
  }
  const m = grab(ev.text, /nid=(-?\d+) from=(0x[0-9a-f]+) max_addr=(0x[0-9a-f]+) ?(.*)$/);
  if (!m) return null;
  const nid = Number(m[0]);
  const from = BigInt(m[1]);
  const max = BigInt(m[2]);
  let range = '';
  if (from !== 0n && max !== 0n) range = `，地址范围 ${m[1]}–${m[2]}`;
  else if (from !== 0n) range = `，地址不低于 ${m[1]}`;
  else if (max !== 0n) range = `，地址低于 ${m[2]}`;
  const who = m[3] ? `为 ${m[3]} ` : '';
  return `memblock 早期分配：${who}申请 ${bytesZh(ev.a)}，按 0x${ev.b.toString(16)} 对齐，${nodeZh(nid)}${range}；找到的区域随即记入 memblock.reserved。`;
}

/** memblock_add/remove/reserve/phys_free (memblock.cpp emit): a = base, b = size;
 *  the text ends with the caller, if any. */
function memblockRange(verb: (range: string, size: string) => string): Template {
  return (ev) => {
    if (ev.b <= 0) return null;
    const range = `[${hex18(ev.a)}-${hex18(ev.a + ev.b - 1)}]`;
    const caller = grab(ev.text, /\] (.+)$/);
    return verb(range, bytesZh(ev.b)) + (caller ? `（调用者 ${caller[0]}）` : '') + '。';
  };
}

const TEMPLATES: Record<string, Template> = {
  // ---- boot: setup_arch, memblock ---------------------------------------------
  start_kernel: (ev) => {
    const m = grab(ev.text, /^boot (.*)$/);
    return `start_kernel：启动机器${m && m[0] ? ` ${m[0]}` : ''}。`;
  },
  setup_arch: () => 'setup_arch：读取 BIOS 的 e820 内存图，用 memblock 完成早期的内存保留和分配。',
  printk: (ev) => `内核日志：${ev.text}`,
  memblock_add: memblockRange((r, s) => `memblock_add：物理内存 ${r}（${s}）加入 memblock.memory`),
  memblock_remove: memblockRange((r, s) => `memblock_remove：从 memblock.memory 中去掉 ${r}（${s}）`),
  memblock_reserve: memblockRange((r, s) => `memblock_reserve：把 ${r}（${s}）记入 memblock.reserved，此后不会再分配出去`),
  memblock_phys_free: memblockRange((r, s) => `memblock_phys_free：归还先前保留的 ${r}（${s}），从 memblock.reserved 中删除`),
  memblock_alloc_try_nid: memblockAlloc,
  memblock_alloc_try_nid_raw: memblockAlloc,
  memblock_alloc_exact_nid_raw: memblockAlloc,
  memblock_phys_alloc_range: memblockAlloc,
  memblock_phys_alloc_try_nid: memblockAlloc,
  // a = dma_reserve (pages); the text has the pages below 16M and the free ones.
  memblock_find_dma_reserve: (ev) => {
    const m = grab(ev.text, /^(\d+) pages below 16M, (\d+) free/);
    if (!m) return null;
    return `16M 以下（ZONE_DMA）共有 ${m[0]} 页，其中 ${m[1]} 页空闲：已被占用的 ${ev.a} 页记为 dma_reserve，不计入 DMA 内存域的受管页估算。`;
  },

  // ---- boot: zones, zonelists, handing memory to the buddy allocator -----------
  free_area_init: () => 'free_area_init：确定每个节点和内存域的范围，初始化内存映射（struct page 数组）。',
  // pfn = zone_start_pfn, a = spanned, b = present; the memmap pages are in the text.
  free_area_init_core: (ev) => {
    const zone = evZone(ev);
    if (!zone) return null;
    const memmap = grab(ev.text, /(\d+) pages of memmap/);
    return (
      `${zone}：起始 pfn ${ev.pfn}，跨度 ${ev.a} 页（spanned，含空洞），实际存在 ${ev.b} 页（present）` +
      (memmap ? `，其中约 ${memmap[0]} 页要用来存放 struct page（memmap）` : '') +
      '。'
    );
  },
  build_all_zonelists: () => 'build_all_zonelists：为每个节点排好分配时依次尝试的备用区域列表（zonelist）。',
  mem_init: () => 'mem_init：memblock_free_all 把 memblock 中所有未保留的内存交给伙伴系统，从此页分配改由伙伴系统负责。',
  __free_pages_memory: (ev) => {
    const m = grab(ev.text, /free pfns (\d+)-(\d+)/);
    if (!m) return null;
    return `把 pfn ${m[0]}–${m[1]} 切成尽可能大的对齐块（最大 10 阶），逐块释放进伙伴系统。`;
  },
  deferred_init_memmap: (ev) => {
    const m = grab(ev.text, /^node (\d+): .* from pfn (\d+)/);
    if (!m) return null;
    return `延迟初始化：节点 ${m[0]} 从 pfn ${m[1]} 起的 struct page 到这时才初始化，并释放进伙伴系统。`;
  },
  // pfn = first pfn of the range, a = pages freed; the text starts with what is freed.
  free_reserved_area: (ev) => {
    const m = grab(ev.text, /^(.*): (\d+) pages$/);
    if (!m) return null;
    return `释放启动后不再需要的保留内存「${m[0]}」：${ev.a} 页（从 pfn ${ev.pfn} 起）交还伙伴系统，受管页随之增加。`;
  },

  // ---- boot: watermarks, lowmem_reserve, pcp sizes ------------------------------
  init_per_zone_wmark_min: () =>
    'init_per_zone_wmark_min：计算 min_free_kbytes、每个内存域的水位线和保护值（lowmem_reserve）。',
  // a = lowmem kB, b = int_sqrt(a * 16), c = the min_free_kbytes chosen.
  calculate_min_free_kbytes: (ev) =>
    `min_free_kbytes = int_sqrt(${ev.a} kB × 16) = ${ev.b}` +
    (ev.c !== ev.b ? `，限定在 128–262144 之间或按用户设定后取 ${ev.c}` : '') +
    '。',
  // a = min, b = low, c = high (pages).
  __setup_per_zone_wmarks: (ev) => {
    const zone = evZone(ev);
    if (!zone) return null;
    return (
      `${zone}的水位线：min ${ev.a} 页（按受管页占比分到的 min_free_kbytes），` +
      `步长 ${ev.b - ev.a} 页（max(min/4, 受管页 × watermark_scale_factor / 10000)），low ${ev.b} 页，high ${ev.c} 页。`
    );
  },
  // The reserve and the ratio are only in the text.
  setup_per_zone_lowmem_reserve: (ev) => {
    const zone = evZone(ev);
    const m = grab(ev.text, /keeps (\d+) pages back .*\(ratio (\d+)\)/);
    if (!zone || !m) return null;
    return `${zone}的保护值（lowmem_reserve）：对那些本可以使用更高内存域的分配，这里要额外保留 ${m[0]} 页不给它们（上层内存域受管页 ÷ ${m[1]}）。`;
  },
  // a = batch, b = high.
  zone_set_pageset_high_and_batch: (ev) => {
    const zone = evZone(ev);
    if (!zone) return null;
    return `${zone}的每CPU页框（pcp）参数：batch ${ev.a}（由受管页数算出，每次批量补充或归还的页数），high ${ev.b}（默认为低水位线 ÷ 本节点 CPU 数，至少 4 × batch）。`;
  },
  // begin: khugepaged starts; step: a = old min_free_kbytes, b = new one.
  set_recommended_min_free_kbytes: (ev) => {
    if (ev.kind === 'begin')
      return 'khugepaged 启动：为了让透明大页（THP）分配更容易成功，要求多留一些空闲页块。';
    const m = grab(ev.text, /each of (\d+) zones/);
    return (
      `min_free_kbytes 从 ${ev.a} 提高到 ${ev.b}` +
      (m ? `（${m[0]} 个内存域，每个 2 + 9 个页块）` : '') +
      '，随后重新计算水位线。'
    );
  },

  // ---- the buddy allocator ---------------------------------------------------------
  // merge step: pfn, order (before the merge), a = buddy pfn.
  // final step: pfn/order = the block placed, a = pfn freed, b = its order, c = 1 at the tail.
  __free_one_page: (ev) => {
    const mt = mtZh(ev.mt);
    if (ev.pfn < 0 || ev.order < 0 || !mt) return null;
    if (isMergeStep(ev)) {
      return `合并：pfn ${ev.pfn} 与它的伙伴 pfn ${ev.a} 都是空闲的 ${ev.order} 阶块，合成 pfn ${Math.min(ev.pfn, ev.a)} 起的 ${ev.order + 1} 阶块，继续向上找伙伴。`;
    }
    const where = `${mt}类型 ${ev.order} 阶空闲链表的${headTail(ev.c !== 0)}`;
    if (ev.order > ev.b)
      return `释放 pfn ${ev.a}（${ev.b} 阶）：合并成 pfn ${ev.pfn} 起的 ${ev.order} 阶块（${pages(ev.order)} 页），挂到${where}。`;
    return `释放 pfn ${ev.a}（${ev.b} 阶）：伙伴不空闲，无法合并，直接挂到${where}。`;
  },
  // pfn/order = the block taken (the list's order), mt = its list; the request's order is in the text.
  __rmqueue_smallest: (ev) => {
    const mt = mtZh(ev.mt);
    const m = grab(ev.text, /for an order-(\d+) request/);
    if (!mt || !m || ev.pfn < 0) return null;
    const req = Number(m[0]);
    return (
      `从${mt}类型 ${ev.order} 阶空闲链表取出 pfn ${ev.pfn}，满足一个 ${req} 阶的请求` +
      (ev.order > req ? `；块比需要的大，要拆分（expand）。` : '。')
    );
  },
  // pfn = the upper half, order = its order, mt = the list it goes to.
  expand: (ev) => {
    const mt = mtZh(ev.mt);
    if (!mt || ev.pfn < 0 || ev.order < 0) return null;
    return `拆分：上半部分 pfn ${ev.pfn}（${ev.order} 阶，${pages(ev.order)} 页）放回${mt}类型的 ${ev.order} 阶空闲链表，下半部分继续拆分或交给请求者。`;
  },
  // pfn/order = the block found, mt = the fallback list; the requested type is in the text.
  __rmqueue_fallback: (ev) => {
    const mt = mtZh(ev.mt);
    const m = grab(ev.text, /^no (\w+) block/);
    if (!mt || !m) return null;
    return `${mtZhOf(m[0])}类型没有合适的空闲块：迁移类型回退（fallback），改用${mt}类型 ${ev.order} 阶空闲链表上 pfn ${ev.pfn} 的块（优先挑最大的块）。`;
  },
  // whole-block claim: pfn, order, mt = the new owner; else pfn, a = free pages, b = alike pages, c = 1 if claimed.
  steal_suitable_fallback: (ev) => {
    if (ev.order >= 0) {
      const mt = mtZh(ev.mt);
      if (!mt) return null;
      return `pfn ${ev.pfn} 的 ${ev.order} 阶块至少有一个页块大：它覆盖的页块全部改归${mt}类型所有。`;
    }
    return (
      `页块内有 ${ev.a} 个空闲页 + ${ev.b} 个类型相容的已用页：` +
      (ev.c
        ? '达到页块的一半，整个页块改为请求的迁移类型（窃取页块）。'
        : '不到页块的一半，只把空闲页挪到请求类型的链表，页块类型不变。')
    );
  },
  // a = watermark_boost now, b = its maximum.
  boost_watermark: (ev) => {
    const zone = evZone(ev);
    if (!zone) return null;
    return `迁移类型回退造成了碎片：${zone}的水位线临时提升（watermark_boost）到 ${ev.a} 页（上限 ${ev.b}），让 kswapd 多回收一些，以后更容易找到整页块。`;
  },
  // pfn = the pageblock, a = pages reserved now; the maximum is in the text.
  reserve_highatomic_pageblock: (ev) => {
    const max = grab(ev.text, /at most (\d+)/);
    return `pfn ${ev.pfn} 所在的页块转为高阶原子预留（MIGRATE_HIGHATOMIC），留给以后的高阶原子分配；该内存域已预留 ${ev.a} 页${max ? `（上限 ${max[0]}）` : ''}。`;
  },
  unreserve_highatomic_pageblock: (ev) => {
    const m = grab(ev.text, /pfn (\d+) goes back to (\w+) \((\d+) free pages\)/);
    if (!m) return null;
    return `释放高阶原子预留：pfn ${m[0]} 的页块归还给${mtZhOf(m[1])}类型（其中 ${m[2]} 个空闲页随之移动），供本次分配使用。`;
  },

  // ---- alloc_pages --------------------------------------------------------------------
  // begin: the request; warn (kmalloc_large): a request larger than KMALLOC_MAX_SIZE.
  __alloc_pages: (ev) => {
    if (ev.kind === 'warn') {
      const w = grab(ev.text, /^kmalloc\((\d+)\): larger than KMALLOC_MAX_SIZE \((\d+)\)/);
      if (!w) return null;
      return `kmalloc(${w[0]}) 超过 KMALLOC_MAX_SIZE（${w[1]} 字节）：页分配器发出警告并返回 NULL。`;
    }
    const m = grab(ev.text, /^alloc_pages\((.*), order (\d+)\) on CPU (\d+), node (\d+)/);
    if (!m) return null;
    const order = Number(m[1]);
    return `alloc_pages：CPU ${m[2]}（节点 ${m[3]}）以 ${m[0]} 申请 ${order} 阶内存（${pages(order)} 页）。`;
  },
  // order, mt, node/zone = the preferred zone; the gfp_zone and alloc_flags are in the text.
  // Without node/zone: no zone is allowed, the text is the failure.
  prepare_alloc_pages: (ev) => {
    const m = grab(ev.text, /^gfp_zone = (\w+), migratetype (\w+), preferred zone Node (\d+) (\w+), alloc_flags (.*)$/);
    if (!m) return `分配无法开始：${failureZh(ev.text)}。`;
    return `准备分配：gfp_zone 得出最高可用内存域 ${m[0]}，迁移类型为${mtZhOf(m[1])}，首选${zoneZh(Number(m[2]), m[3])}，快速路径按 ${m[4]} 检查水位线。`;
  },
  // a = free pages, b = the watermark (with boost), c = lowmem_reserve; the kind of
  // watermark and the verdict are in the text.
  zone_watermark_fast: (ev) => {
    const zone = evZone(ev);
    const kind = grab(ev.text, /^(low|min|high) watermark check/);
    if (!zone || !kind) return null;
    const wm = kind[0] === 'low' ? '低水位线（low）' : kind[0] === 'min' ? '最低水位线（min）' : '高水位线（high）';
    const free = grab(ev.text, /: free (-?\d+)/);
    const ok = /: ok$/.test(ev.text);
    const block = grab(ev.text, /and an? (highatomic )?order-(\d+) block is free/);
    const noBlock = grab(ev.text, /no free block of order (\d+) or more/);
    let verdict: string;
    if (ok && block) verdict = `通过，并且有空闲的 ${block[1]} 阶${block[0] ? '高阶原子预留' : ''}块`;
    else if (ok) verdict = '通过';
    else if (noBlock) verdict = `页数够，但没有 ≥ ${noBlock[0]} 阶的空闲块：不通过`;
    else verdict = '不满足，跳到备用区域列表中的下一个内存域';
    return `${wm}检查，${zone}：可用空闲页 ${free ? free[0] : ev.a}，水位线 ${ev.b} + 保护值（lowmem_reserve）${ev.c} → ${verdict}。`;
  },
  get_page_from_freelist: () =>
    '没有内存域能在不混用页块迁移类型的情况下满足请求（ALLOC_NOFRAGMENT）：去掉这个限制，重新遍历备用区域列表。',
  // pfn, order, node/zone = the block handed out.
  prep_new_page: (ev) => {
    const zone = evZone(ev);
    if (!zone || ev.pfn < 0) return null;
    return `分配成功：${zone}中 pfn ${ev.pfn} 起的 ${ev.order} 阶块（${pages(ev.order)} 页）交给调用者，prep_new_page 完成新页的初始化。`;
  },
  rmqueue_buddy: (ev) => {
    const m = grab(ev.text, /^order-(\d+) block straight from the buddy lists of Node (\d+) (\w+)/);
    if (!m) return null;
    return `不经过每CPU页框，直接从${zoneZh(Number(m[1]), m[2])}的伙伴系统空闲链表分配 ${m[0]} 阶块（持 zone->lock）。`;
  },
  wakeup_kswapd: (ev) => {
    const zone = evZone(ev);
    if (!zone) return null;
    return `${zone}的水位线刚被临时提升（watermark boost）：唤醒 kswapd，把提升的部分回收回来。`;
  },
  __alloc_pages_slowpath: (ev) => {
    const m = grab(ev.text, /retry with (.*)$/);
    return `快速路径失败，进入慢速路径（__alloc_pages_slowpath）${m ? `：改用 ${m[0]} 重试` : ''}，必要时唤醒 kswapd、直接回收，最后可能调用 OOM 杀手。`;
  },
  __alloc_pages_direct_compact: () =>
    '这里本该尝试直接内存规整（direct compaction），把零散的可移动页挪到一起拼出高阶块；本模拟不实现内存规整，跳过。',
  should_reclaim_retry: (ev) => {
    let m = grab(ev.text, /^(\d+) rounds without progress/);
    if (m) return `回收已连续 ${m[0]} 轮没有进展：放弃重试（最后再释放一次高阶原子预留）。`;
    m = grab(ev.text, /^retry: (\d+) reclaimable/);
    if (m) {
      const zone = evZone(ev) ?? '某个内存域';
      return `继续重试：${zone}中可回收的 ${m[0]} 页加上现有空闲页，足以达到最低水位线（min）。`;
    }
    if (ev.text.startsWith('no zone could meet')) return '即使把可回收的页全部回收，也没有内存域能达到最低水位线：不再重试回收，考虑 OOM。';
    return null;
  },
  warn_alloc: (ev) => {
    const m = grab(ev.text, /^page allocation failure: (.*)$/);
    if (!m) return null;
    return `页分配失败（page allocation failure）：${failureZh(m[0])}。`;
  },

  // ---- per-CPU page lists ----------------------------------------------------------------
  // cpu, pfn, order, mt = the pcp list; a = pcp count after adding, b = high.
  free_unref_page: (ev) => {
    const mt = mtZh(ev.mt);
    if (!mt || ev.pfn < 0) return null;
    const full = ev.a >= ev.b;
    return (
      `CPU ${ev.cpu} 释放 pfn ${ev.pfn}（${ev.order} 阶），先放进${mt}类型的每CPU页框（pcp）链表：` +
      `pcp 共 ${ev.a} 页 ${full ? '≥' : '<'} high ${ev.b}` +
      (full ? '，超过上限，要批量归还一部分给伙伴系统。' : '，暂时留在 pcp 中。')
    );
  },
  // cpu, node/zone; a = pages to return, b = pages on the CPU's lists before.
  free_pcppages_bulk: (ev) => {
    const zone = evZone(ev);
    if (!zone) return null;
    return `CPU ${ev.cpu}：把${zone}的每CPU页框（pcp）中的 ${ev.a} 页（共 ${ev.b} 页）批量归还伙伴系统，从各链表尾部轮流取。`;
  },
  rmqueue_bulk: (ev) => {
    const m = grab(ev.text, /^cpu (\d+): the (\w+) order-(\d+) pcp list of Node (\d+) (\w+) is empty: refill (\d+)/);
    if (!m) return null;
    return `CPU ${m[0]}：${zoneZh(Number(m[3]), m[4])}的${mtZhOf(m[1])}类型 ${m[2]} 阶 pcp 链表是空的，从伙伴系统一次取 ${m[5]} 个 ${m[2]} 阶块批量补充（rmqueue_bulk）。`;
  },
  // cpu, pfn, order, mt; a = pages left on the CPU's lists.
  rmqueue_pcplist: (ev) => {
    const mt = mtZh(ev.mt);
    if (!mt || ev.pfn < 0) return null;
    return `CPU ${ev.cpu} 从${mt}类型 ${ev.order} 阶的每CPU页框（pcp）链表取出 pfn ${ev.pfn}，不必拿 zone->lock；该 CPU 的 pcp 链表还剩 ${ev.a} 页。`;
  },
  __free_pages: (ev) => {
    const m = grab(ev.text, /^free pfn (\d+) order (\d+) on CPU (\d+)/);
    if (!m) return null;
    return `在 CPU ${m[2]} 上释放 pfn ${m[0]} 起的 ${m[1]} 阶块（${pages(Number(m[1]))} 页）。`;
  },
  __free_pages_ok: (ev) => {
    const m = grab(ev.text, /^order (\d+)/);
    if (!m) return null;
    return `${m[0]} 阶的块不能放进每CPU页框链表（pcp 只收 0–3 阶和页块阶）：直接还给伙伴系统。`;
  },
  drain_all_pages: () => 'drain_all_pages：排空（drain）每个 CPU 的每CPU页框，把其中的页全部还给伙伴系统。',

  // ---- reclaim -----------------------------------------------------------------------------
  shrink_active_list: (ev) => {
    const m = grab(ev.text, /^node (\d+): (\d+) (anon|file) pages aged onto the inactive list/);
    if (!m) return null;
    return `节点 ${m[0]}：活跃 LRU 链表太长，把 ${m[1]} 个${anonFileZh(m[2])}从活跃链表尾部移到非活跃链表（清除访问位）。`;
  },
  // node; a = scanned, b = reclaimed; file/anon and the activated pages are in the text.
  shrink_inactive_list: (ev) => {
    const m = grab(ev.text, /^node \d+ (anon|file): .*activated (\d+)/);
    if (!m) return null;
    const how = m[0] === 'file' ? '干净的文件页直接丢弃' : '匿名页写到交换分区';
    const activated = Number(m[1]);
    return (
      `节点 ${ev.node} 非活跃 LRU 链表上的${anonFileZh(m[0])}：扫描 ${ev.a} 页，回收 ${ev.b} 页` +
      (ev.b > 0 ? `（${how}）` : '') +
      (activated > 0 ? `；${activated} 页最近被访问过，重新激活。` : '。')
    );
  },
  // begin: the node in the text; step: node, a = pages reclaimed.
  balance_pgdat: (ev) => {
    if (ev.kind === 'begin') {
      const m = grab(ev.text, /^kswapd(\d+)/);
      if (!m) return null;
      return `kswapd${m[0]} 开始后台回收，直到节点 ${m[0]} 有一个可用内存域高于高水位线（high）。`;
    }
    const balanced = ev.text.includes('balanced');
    return `kswapd${ev.node} 共回收 ${ev.a} 页；节点 ${ev.node} ${balanced ? '已平衡（高于高水位线）' : '仍低于高水位线'}，清除水位线提升，kswapd 进入睡眠。`;
  },
  try_to_free_pages: (ev) => {
    const m = grab(ev.text, /reclaims (\d+) pages/);
    return `直接回收（direct reclaim）：分配内存的进程自己动手回收${m ? ` ${m[0]} 页` : ''}，期间它只能等待。`;
  },
  drop_pagecache_sb: () => 'echo 1 > /proc/sys/vm/drop_caches：丢弃所有没有被映射的干净页缓存。',
  drop_caches: (ev) => {
    const m = grab(ev.text, /^(\d+) clean/);
    if (!m) return null;
    return `丢弃了 ${m[0]} 个干净的页缓存页，这些页被释放。`;
  },

  // ---- the OOM killer ------------------------------------------------------------------------
  // begin: scoring starts; warn: no candidate at all.
  out_of_memory: (ev) => {
    if (ev.kind === 'warn')
      return '没有可以杀死的进程：真实内核会在这里 panic（“System is deadlocked on memory”）。';
    return '内存耗尽（out_of_memory）：OOM 杀手给每个进程计算 badness 分数，挑出最高的那个。';
  },
  // a = pid, b = points (0 for no candidate; a negative score wraps, so the text is read).
  oom_badness: (ev) => {
    const m = grab(ev.text, /^(.*) \(pid (\d+)\): (.*)$/);
    if (!m) return null;
    if (m[2].startsWith('not a candidate'))
      return `${m[0]}（pid ${m[1]}）：oom_score_adj 为 -1000，不参与 OOM 选择。`;
    const pts = /^-?\d+$/.test(m[2]) ? m[2] : String(ev.b);
    return `${m[0]}（pid ${m[1]}）：badness ${pts} 分（rss + 交换项 + 页表页 + oom_score_adj × totalpages/1000）。`;
  },
  // a = pid, b = badness.
  oom_kill_process: (ev) => {
    const m = grab(ev.text, /^kill (.*) \(pid \d+/);
    if (!m) return null;
    return `OOM 杀手选中 ${m[0]}（pid ${ev.a}，badness ${ev.b} 分最高）：杀死它和所有共享其 mm 的进程，oom_reaper 随即回收它的匿名页。`;
  },

  // ---- tasks and files ---------------------------------------------------------------------
  kernel_clone: (ev) => {
    const m = grab(ev.text, /^spawn (.*) \(pid (\d+)\): anon (\S+), file (\S+), shmem (\S+), oom_score_adj (-?\d+)/);
    if (!m) return null;
    return `创建进程 ${m[0]}（pid ${m[1]}）：匿名页 ${m[2]}，文件页 ${m[3]}，共享内存 ${m[4]}，oom_score_adj ${m[5]}；它的页在缺页时逐页分配。`;
  },
  do_exit: (ev) => {
    const m = grab(ev.text, /^(.*) \(pid (\d+)\) exits/);
    if (!m) return null;
    return `${m[0]}（pid ${m[1]}）退出：若没有其他进程共享它的 mm，exit_mmap 释放它的匿名页和页表，文件页留在页缓存中。`;
  },
  filemap_read: (ev) => {
    const m = grab(ev.text, /^read (.*) \((.*)\) into the page cache/);
    if (!m) return null;
    return `读取文件 ${m[0]}（${m[1]}）：内容装入页缓存，挂在非活跃文件 LRU 链表上。`;
  },

  // ---- SLUB: boot and caches ------------------------------------------------------------------
  kmem_cache_init: () =>
    'kmem_cache_init：SLUB 先自举（kmem_cache_node 和 kmem_cache 两个缓存），再创建各种 kmalloc 缓存。',
  early_kmem_cache_node_alloc: (ev) => {
    const m = grab(ev.text, /^node (\d+)'s kmem_cache_node is object (\d+)/);
    if (!m) return null;
    return `自举：节点 ${m[0]} 的 kmem_cache_node 结构，就是它自己这个缓存的新 slab 中手工取出的对象 ${m[1]}。`;
  },
  create_kmalloc_cache: (ev) => {
    const m = grab(ev.text, /^(\S+): (\d+) objects of (\d+) bytes per order-(\d+) slab/);
    if (!m) return null;
    return `创建 kmalloc 缓存 ${m[0]}：每个 ${m[3]} 阶 slab 放 ${m[1]} 个 ${m[2]} 字节的对象。`;
  },
  kmem_cache_create: (ev) => {
    const m = grab(ev.text, /^kmem_cache_create\("(.*)", (\d+), (\d+), (.*)\)$/);
    if (!m) return null;
    return `kmem_cache_create：创建缓存 "${m[0]}"，对象 ${m[1]} 字节，对齐 ${m[2]}，标志 ${m[3]}。`;
  },
  __kmem_cache_alias: (ev) => {
    const m = grab(ev.text, /^(\S+) merges into (\S+) \(slot (\d+) bytes, refcount (\d+)\)/);
    if (!m) return null;
    return `${m[0]} 与已有的缓存 ${m[1]} 合并（slab 合并：对象槽 ${m[2]} 字节，引用计数 ${m[3]}），不创建新缓存。`;
  },
  calculate_sizes: (ev) => {
    const m = grab(
      ev.text,
      /^(\S+): object (\d+), align (\d+), size (\d+), free pointer at (\d+), order (\d+) \((\d+) objects\), min order (\d+), min_partial (\d+), cpu_partial (\d+) \((\d+) slabs\)/,
    );
    if (!m) return null;
    return (
      `${m[0]} 的布局：对象 ${m[1]} 字节，对齐 ${m[2]}，每个槽 ${m[3]} 字节，空闲指针在偏移 ${m[4]}；` +
      `slab 为 ${m[5]} 阶（${m[6]} 个对象），最小阶 ${m[7]}；min_partial ${m[8]}，cpu_partial ${m[9]}（约 ${m[10]} 个 slab）。`
    );
  },
  kmem_cache_shrink: (ev) => {
    const c = cacheOf(ev);
    if (!c) return null;
    return `${c}：收缩缓存——清空每个 CPU 的 slab，释放空的部分空闲 slab，其余按空闲对象多少排序。`;
  },
  kmem_cache_destroy: (ev) => {
    const shared = grab(ev.text, /^(\S+): (\S+) is shared \(refcount (\d+)\)/);
    if (shared) return `${shared[0]}：它是合并进 ${shared[1]} 的别名（引用计数 ${shared[2]}），只减少一个引用。`;
    const c = cacheOf(ev);
    if (!c) return null;
    return `${c}：销毁缓存——清空各 CPU 的 slab，释放所有 slab，再释放缓存自身的结构。`;
  },

  // ---- SLUB: allocation -------------------------------------------------------------------------
  kmalloc: (ev) => {
    if (ev.kind === 'step') return 'size 为 0：返回 ZERO_SIZE_PTR（16），kfree 会接受并忽略它。';
    const m = grab(ev.text, /^kmalloc\((\d+), (.*)\) on CPU (\d+)/);
    if (!m) return null;
    return `kmalloc(${m[0]}, ${m[1]})：CPU ${m[2]} 申请 ${m[0]} 字节。`;
  },
  // a = the size.
  kmalloc_slab: (ev) => {
    const m = grab(ev.text, /-> (size_index\[\d+\] = \d+|fls\(\d+\) = \d+) -> (\S+)$/);
    if (!m) return null;
    return `${ev.a} 字节：${m[0]}，由 ${m[1]} 缓存提供。`;
  },
  kmalloc_large: (ev) => {
    const m = grab(ev.text, /^(\d+) bytes .*an order-(\d+) compound page/);
    if (!m) return null;
    return `${m[0]} 字节超过 KMALLOC_MAX_CACHE_SIZE（8192）：不走 slab，直接向伙伴系统申请 ${m[1]} 阶复合页。`;
  },
  kmalloc_fix_flags: (ev) => {
    const m = grab(ev.text, /^Unexpected gfp: (.*)\. Fixing up to gfp: (.*)\. Fix your code!/);
    if (!m) return null;
    return `警告：kmalloc 收到不该出现的 GFP 标志 ${m[0]}，修正为 ${m[1]}。`;
  },
  kmem_cache_alloc: (ev) => {
    const m = grab(ev.text, /^kmem_cache_alloc\((\S+), (.*)\) on CPU (\d+)/);
    if (!m) return null;
    return `kmem_cache_alloc：CPU ${m[2]} 从缓存 ${m[0]} 分配一个对象（${m[1]}）。`;
  },
  // cpu, pfn = the CPU slab, a = object index.
  slab_alloc_node: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /at ([0-9a-f]+) from CPU \d+'s freelist \((\d+) left\)/);
    if (!c || !m) return null;
    return `${c}：快速路径，从 CPU ${ev.cpu} 的 freelist 弹出对象 ${ev.a}（地址 ${m[0]}），还剩 ${m[1]} 个。`;
  },
  ___slab_alloc: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /CPU (\d+)'s freelist is empty/);
    if (!c || !m) return null;
    return `${c}：CPU ${m[0]} 的 freelist 为空，进入 SLUB 的慢速路径（___slab_alloc）。`;
  },
  // cpu, pfn = the CPU slab.
  get_freelist: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /has (\d+) objects freed into it/);
    if (!c || !m) return null;
    return `${c}：其他 CPU 往当前 slab（pfn ${ev.pfn}）释放了 ${m[0]} 个对象，全部取回 CPU ${ev.cpu} 的 freelist。`;
  },
  // cpu, pfn = the slab that becomes the CPU slab.
  slub_percpu_partial: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /\(pfn \d+, (\d+) free\).*\((\d+) left on the CPU partial list\)/);
    if (!c || !m) return null;
    return `${c}：CPU ${ev.cpu} 的每CPU部分空闲链表上第一个 slab（pfn ${ev.pfn}，${m[0]} 个空闲对象）成为当前 CPU slab（链表上还剩 ${m[1]} 个）。`;
  },
  get_partial_node: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /node (\d+) has (\d+) partial slabs/);
    if (!c || !m) return null;
    return `${c}：节点 ${m[0]} 的部分空闲链表上有 ${m[1]} 个 slab，从中取一个给 CPU，再多取几个放到每CPU部分空闲链表。`;
  },
  // cpu, pfn.
  acquire_slab: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /\((\d+) free objects\)/);
    if (!c || !m) return null;
    return `${c}：pfn ${ev.pfn} 的 slab 离开节点的部分空闲链表，成为 CPU ${ev.cpu} 的当前 slab（${m[0]} 个空闲对象）。`;
  },
  // begin: the new slab's order and objects in the text; step: ORDER_FALLBACK.
  allocate_slab: (ev) => {
    const c = cacheOf(ev);
    if (!c) return null;
    if (ev.kind === 'begin') {
      const m = grab(ev.text, /a new slab of order (\d+) \((\d+) objects\)/);
      if (!m) return null;
      return `${c}：向伙伴系统申请一个 ${m[0]} 阶的新 slab（可放 ${m[1]} 个对象）。`;
    }
    const m = grab(ev.text, /order (\d+) is not available: fall back to the minimum order (\d+)/);
    if (!m) return null;
    return `${c}：分配不到 ${m[0]} 阶的页，退而使用最小阶 ${m[1]}（ORDER_FALLBACK）。`;
  },
  // pfn, order, node, cpu; a = objects.
  new_slab: (ev) => {
    const c = cacheOf(ev);
    const first = grab(ev.text, /starting at object (\d+)/);
    if (!c || !first) return null;
    const shuffled = ev.text.includes('shuffled');
    return `${c}：新 slab 位于 pfn ${ev.pfn}（节点 ${ev.node}，${ev.order} 阶），共 ${ev.a} 个对象；空闲对象链表（freelist）${shuffled ? '已随机打乱（CONFIG_SLAB_FREELIST_RANDOM）' : '按地址顺序排列'}，从对象 ${first[0]} 开始。`;
  },
  // cpu, pfn = the CPU slab, a = object index.
  load_freelist: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /at ([0-9a-f]+) from the CPU slab \((\d+) left/);
    if (!c || !m) return null;
    return `${c}：把当前 slab 的 freelist 装到 CPU ${ev.cpu}，取出对象 ${ev.a}（地址 ${m[0]}），CPU freelist 还剩 ${m[1]} 个。`;
  },
  slab_out_of_memory: (ev) => {
    const m = grab(ev.text, /on node (-?\d+), gfp=(.*) \(cache: (.*)\)$/);
    if (!m) return null;
    return `SLUB：无法在${nodeZh(Number(m[0]))}上分配新 slab（gfp=${m[1]}，缓存 ${m[2]}），分配失败。`;
  },
  alloc_single_from_partial: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /object (\d+) of the first partial slab at pfn (\d+)/);
    if (!c || !m) return null;
    return `${c}（调试缓存，不用 CPU slab）：从节点第一个部分空闲 slab（pfn ${m[1]}）分配对象 ${m[0]}。`;
  },
  alloc_single_from_new_slab: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /object (\d+) of the new slab/);
    if (!c || !m) return null;
    return `${c}（调试缓存）：从新 slab 分配对象 ${m[0]}，slab 挂到节点的链表上。`;
  },

  // ---- SLUB: lists -------------------------------------------------------------------------------
  // pfn, node; a = slabs on the node's partial list now.
  add_partial: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /\((\d+)\/(\d+) in use\) to the (head|tail)/);
    if (!c || !m) return null;
    return `${c}：pfn ${ev.pfn} 的 slab（${m[0]}/${m[1]} 个对象在用）挂到节点 ${ev.node} 部分空闲链表的${headTail(m[2] === 'tail')}（现有 ${ev.a} 个 slab）。`;
  },
  // pfn, cpu; a = slabs on the CPU partial list now, b = slabs unfrozen first.
  put_cpu_partial: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /\((\d+)\/(\d+) in use\).*of at most (\d+) slabs\)/);
    if (!c || !m) return null;
    return (
      `${c}：pfn ${ev.pfn} 的 slab（${m[0]}/${m[1]} 在用）冻结后放进 CPU ${ev.cpu} 的每CPU部分空闲链表（现有 ${ev.a} 个，上限 ${m[2]}）` +
      (ev.b ? `；链表原已满，先把原有的 ${ev.b} 个 slab 解冻，还给节点。` : '。')
    );
  },
  __unfreeze_partials: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /(\d+) CPU partial slabs of CPU (\d+)/);
    if (!c || !m) return null;
    return `${c}：CPU ${m[1]} 每CPU部分空闲链表上的 ${m[0]} 个 slab 解冻，回到各自节点的部分空闲链表（空 slab 在节点已够 min_partial 时直接释放）。`;
  },
  // pfn, cpu; two shapes: the full CPU slab dropped, or the CPU slab given up.
  deactivate_slab: (ev) => {
    const c = cacheOf(ev);
    if (!c) return null;
    if (/ is full: CPU \d+ drops it/.test(ev.text))
      return `${c}：CPU ${ev.cpu} 的当前 slab（pfn ${ev.pfn}）已满，CPU 放弃它；在有对象被释放之前，它不在任何链表上。`;
    const m = grab(ev.text, /\((\d+)\/(\d+) in use\): (.*)$/);
    if (!m) return null;
    const fate = m[2].includes('discard')
      ? '它已空，且节点的部分空闲 slab 已达 min_partial，释放给伙伴系统'
      : m[2].includes('partial list')
        ? '还有空闲对象，挂到节点的部分空闲链表'
        : '已满，不挂在任何链表上';
    return `${c}：CPU ${ev.cpu} 交出 pfn ${ev.pfn} 的 slab（${m[0]}/${m[1]} 在用），CPU freelist 上的对象归还 slab：${fate}。`;
  },
  discard_slab: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /empty slab at pfn (\d+) \(order (\d+)\)/);
    if (!c || !m) return null;
    return `${c}：pfn ${m[0]} 的空 slab（${m[1]} 阶）还给伙伴系统。`;
  },

  // ---- SLUB: free ----------------------------------------------------------------------------------
  kfree: (ev) => {
    if (ev.kind === 'step') {
      const z = grab(ev.text, /^kfree\((\w+)\)/);
      return `kfree(${z ? z[0] : 'NULL'})：NULL 或 ZERO_SIZE_PTR，什么也不做。`;
    }
    const m = grab(ev.text, /^kfree\((0x[0-9a-f]+)\): object (\d+) of (\S+) \(slab at pfn (\d+)\)/);
    if (!m) return null;
    return `kfree(${m[0]})：这是缓存 ${m[2]} 的对象 ${m[1]}（slab 位于 pfn ${m[3]}）。`;
  },
  free_large_kmalloc: (ev) => {
    const m = grab(ev.text, /^kfree\((0x[0-9a-f]+)\): a large kmalloc: the order-(\d+)/);
    if (!m) return null;
    return `kfree(${m[0]})：这是大块 kmalloc，${m[1]} 阶页直接还给伙伴系统。`;
  },
  kmem_cache_free: (ev) => {
    const m = grab(ev.text, /^kmem_cache_free\((\S+), (0x[0-9a-f]+)\): object (\d+) of the slab at pfn (\d+)/);
    if (!m) return null;
    return `kmem_cache_free：释放缓存 ${m[0]} 的对象 ${m[2]}（地址 ${m[1]}，slab 位于 pfn ${m[3]}）。`;
  },
  // cpu, pfn = the CPU slab, a = object index.
  do_slab_free: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /\((\d+) free\)$/);
    if (!c || !m) return null;
    return `${c}：快速路径，对象 ${ev.a} 属于 CPU ${ev.cpu} 的当前 slab，直接压回 CPU freelist（现有 ${m[0]} 个空闲对象）。`;
  },
  // begin: the object and its slab; steps: frozen, discard, stays.
  __slab_free: (ev) => {
    if (ev.kind === 'begin') {
      const c = cacheOf(ev);
      const m = grab(ev.text, /object (\d+) is not in CPU (\d+)'s slab: back onto its slab at pfn (\d+) \((.*)\)$/);
      if (!c || !m) return null;
      const place: Record<string, string> = {
        'cpu slab': '另一个 CPU 的当前 slab',
        'cpu partial': '某个 CPU 的部分空闲链表',
        'node partial': '节点的部分空闲链表',
        'node full': '节点的满 slab 链表',
        full: '已满，不在任何链表上',
      };
      return `${c}：对象 ${m[0]} 不在 CPU ${m[1]} 的当前 slab 里，慢速路径把它放回所属 slab（pfn ${m[2]}，${place[m[3]] ?? m[3]}）。`;
    }
    if (ev.text.startsWith('the slab is frozen')) return '该 slab 已被冻结（归某个 CPU 所有）：放回对象即可，无需调整链表。';
    let m = grab(ev.text, /empty and node (\d+) keeps (\d+) >= min_partial (\d+)/);
    if (m) return `slab 已空，而节点 ${m[0]} 已有 ${m[1]} 个部分空闲 slab（≥ min_partial ${m[2]}）：释放这个 slab。`;
    m = grab(ev.text, /empty but node (\d+) keeps only (\d+) < min_partial (\d+)/);
    if (m) return `slab 已空，但节点 ${m[0]} 只有 ${m[1]} 个部分空闲 slab（< min_partial ${m[2]}）：留着它备用。`;
    return null;
  },
  free_to_partial_list: (ev) => {
    const c = cacheOf(ev);
    const m = grab(ev.text, /object (\d+) back onto its slab at pfn (\d+)/);
    if (!c || !m) return null;
    return `${c}（调试缓存）：对象 ${m[0]} 放回 pfn ${m[1]} 的 slab。`;
  },
};

/** __free_one_page's merge step: `a` is the buddy of (pfn, order). */
function isMergeStep(ev: MmEvent): boolean {
  if (ev.pfn < 0 || ev.order < 0) return false;
  const size = pages(ev.order);
  const buddy = Math.floor(ev.pfn / size) % 2 === 0 ? ev.pfn + size : ev.pfn - size;
  return ev.a === buddy && ev.b === 0 && ev.c === 0;
}

/** The functions with a Chinese template (for coverage tests against the engine). */
export const NARRATED_FNS: readonly string[] = Object.freeze(Object.keys(TEMPLATES).sort());

function generic(ev: MmEvent): string {
  const tail = ev.text ? `（${ev.text}）` : '';
  switch (ev.kind) {
    case 'begin':
      return `进入内核函数 ${ev.fn}${tail}`;
    case 'warn':
      return `内核函数 ${ev.fn} 发出警告${tail}`;
    default:
      return `内核函数 ${ev.fn} 执行了一步${tail}`;
  }
}

/** One event as a sentence in `lang`. English: the engine's own text (ev.text),
 *  unchanged. Chinese: a template per kernel function filled from the event's
 *  numbers; for an fn with no template, a generic Chinese sentence naming the
 *  function plus the English text in parentheses. An 'end' event has no
 *  sentence in either language. */
export function narrate(ev: MmEvent, lang: Lang): Narration {
  if (lang === 'en' || ev.kind === 'end') return { fn: ev.fn, text: ev.text };
  const template = Object.prototype.hasOwnProperty.call(TEMPLATES, ev.fn) ? TEMPLATES[ev.fn] : undefined;
  let text: string | null = null;
  try {
    text = template ? template(ev) : null;
  } catch {
    text = null; // e.g. BigInt() of a malformed address: fall back
  }
  return { fn: ev.fn, text: text ?? generic(ev) };
}

// ---- motions -------------------------------------------------------------------------
//   split        expand: a block is halved, the upper half goes to a free list
//   merge        __free_one_page merging with its buddy
//   take         a block leaves a free list or a pcp list for a caller
//   give         a block goes back (onto a buddy free list, a pcp list, or a slab's pages)
//   pcp-refill   rmqueue_bulk: a pcp list is filled from the buddy lists
//   pcp-drain    pcp pages go back to the buddy lists in bulk
//   steal        a pageblock changes migrate type (fallback, highatomic reserve)
//   check        a zone's watermarks are checked, set or boosted
//   slab-new     a slab is created from buddy pages
//   slab-object  an object, or a slab, moves between SLUB's freelists and lists
//   reclaim      LRU scanning, kswapd, direct reclaim, dropped caches
//   oom-score    the OOM killer scores tasks
//   oom-kill     the OOM killer's victim
//   memblock     early boot: memblock regions and allocations
//   boot-free    boot hands memory to the buddy allocator

const MOTIONS: Record<string, Motion> = {
  expand: 'split',
  __rmqueue_smallest: 'take',
  rmqueue_pcplist: 'take',
  prep_new_page: 'take',
  rmqueue_buddy: 'take',
  free_unref_page: 'give',
  __free_pages_ok: 'give',
  __free_pages: 'give',
  free_large_kmalloc: 'give',
  discard_slab: 'give',
  rmqueue_bulk: 'pcp-refill',
  free_pcppages_bulk: 'pcp-drain',
  drain_all_pages: 'pcp-drain',
  __rmqueue_fallback: 'steal',
  steal_suitable_fallback: 'steal',
  reserve_highatomic_pageblock: 'steal',
  unreserve_highatomic_pageblock: 'steal',
  zone_watermark_fast: 'check',
  should_reclaim_retry: 'check',
  boost_watermark: 'check',
  __setup_per_zone_wmarks: 'check',
  setup_per_zone_lowmem_reserve: 'check',
  allocate_slab: 'slab-new',
  new_slab: 'slab-new',
  early_kmem_cache_node_alloc: 'slab-new',
  slab_alloc_node: 'slab-object',
  load_freelist: 'slab-object',
  do_slab_free: 'slab-object',
  __slab_free: 'slab-object',
  alloc_single_from_partial: 'slab-object',
  alloc_single_from_new_slab: 'slab-object',
  free_to_partial_list: 'slab-object',
  get_freelist: 'slab-object',
  slub_percpu_partial: 'slab-object',
  acquire_slab: 'slab-object',
  add_partial: 'slab-object',
  put_cpu_partial: 'slab-object',
  __unfreeze_partials: 'slab-object',
  deactivate_slab: 'slab-object',
  shrink_active_list: 'reclaim',
  shrink_inactive_list: 'reclaim',
  balance_pgdat: 'reclaim',
  try_to_free_pages: 'reclaim',
  wakeup_kswapd: 'reclaim',
  drop_pagecache_sb: 'reclaim',
  drop_caches: 'reclaim',
  out_of_memory: 'oom-score',
  oom_badness: 'oom-score',
  oom_kill_process: 'oom-kill',
  setup_arch: 'memblock',
  memblock_add: 'memblock',
  memblock_remove: 'memblock',
  memblock_reserve: 'memblock',
  memblock_phys_free: 'memblock',
  memblock_alloc_try_nid: 'memblock',
  memblock_alloc_try_nid_raw: 'memblock',
  memblock_alloc_exact_nid_raw: 'memblock',
  memblock_phys_alloc_range: 'memblock',
  memblock_phys_alloc_try_nid: 'memblock',
  memblock_find_dma_reserve: 'memblock',
  mem_init: 'boot-free',
  __free_pages_memory: 'boot-free',
  deferred_init_memmap: 'boot-free',
  free_reserved_area: 'boot-free',
};

/** Which animation the page should play for this event. 'end' and 'warn'
 *  events, log lines and bookkeeping steps play none. */
export function motionOf(ev: MmEvent): Motion {
  if (ev.kind === 'end' || ev.kind === 'warn') return 'none';
  if (ev.fn === '__free_one_page') return isMergeStep(ev) ? 'merge' : 'give';
  return Object.prototype.hasOwnProperty.call(MOTIONS, ev.fn) ? (MOTIONS[ev.fn] ?? 'none') : 'none';
}
