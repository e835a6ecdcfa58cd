// The page's glossary: the terms of Linux 6.1 physical memory management,
// each with a short explanation in English and Simplified Chinese, and the
// words in running text (narration, help) that should carry a tooltip.
//
// Facts follow the Linux 6.1 sources (mm/page_alloc.c, mm/vmscan.c,
// mm/oom_kill.c, mm/slub.c, include/linux/mmzone.h) as Debian 12 builds
// them: x86_64, 4 KiB pages, SLUB, THP and deferred struct page init on.

import type { Lang } from './i18n.js';

export interface Term {
  id: string;
  en: string;
  zh: string;
  /** one or two sentences */
  explainEn: string;
  explainZh: string;
  /** words in running text (both languages) that should get the tooltip, e.g. ['buddy allocator','buddy system','伙伴系统'] */
  match: string[];
}

export const GLOSSARY: readonly Term[] = [
  // ---- the buddy allocator --------------------------------------------------------
  {
    id: 'buddy',
    en: 'Buddy allocator',
    zh: '伙伴系统',
    explainEn:
      "The kernel's page allocator. Each zone keeps its free memory as blocks of 2^order contiguous pages on per-order free lists; " +
      "a block's buddy is the other half of the order+1 block the two form together (pfn XOR 2^order). A request splits a larger block when none of " +
      'the right order is free, and a freed block merges with its free buddy again and again, up to order 10.',
    explainZh:
      '内核的页分配器。每个内存域把空闲内存组织成 2^order 个连续页的块，按阶挂在各自的空闲链表上；一个块的“伙伴”是与它大小相同、' +
      '两者合起来正好构成一个高一阶块的相邻块（pfn 异或 2^order）。没有合适阶的空闲块时就拆分更大的块；释放时与空闲的伙伴反复合并，最大合并到 10 阶。',
    match: ['buddy allocator', 'buddy system', 'buddy lists', 'buddy list', 'buddy', '伙伴系统', '伙伴分配器', '伙伴'],
  },
  {
    id: 'free-list',
    en: 'Free lists (free_area)',
    zh: '空闲链表（free_area）',
    explainEn:
      "zone->free_area[order] holds a zone's free blocks of one order: one list per migrate type (free_list[MIGRATE_*]) and a block count, nr_free. " +
      '/proc/buddyinfo prints the counts per order, /proc/pagetypeinfo splits them by migrate type.',
    explainZh:
      'zone->free_area[order] 保存一个内存域中某一阶的全部空闲块：每种迁移类型一条链表（free_list[MIGRATE_*]），nr_free 记录块数。' +
      '/proc/buddyinfo 按阶显示块数，/proc/pagetypeinfo 再按迁移类型细分。',
    match: ['free list', 'free_area', 'free_list', '空闲链表'],
  },
  {
    id: 'order',
    en: 'Order',
    zh: '阶',
    explainEn:
      'The size class of a block: an order-n block is 2^n contiguous pages (order 0 is one 4 KiB page, order 9 is 2 MiB, order 10 is 4 MiB). ' +
      'In 6.1 MAX_ORDER is 11 and means "one past the largest", so the orders are 0 to 10 (6.4 redefined MAX_ORDER as the largest order itself).',
    explainZh:
      '块的大小等级：n 阶块是 2^n 个连续页（0 阶是一个 4 KiB 页，9 阶 2 MiB，10 阶 4 MiB）。' +
      '6.1 中 MAX_ORDER 为 11，表示“比最大阶多一”，所以可用的阶是 0 到 10（6.4 起 MAX_ORDER 改为表示最大的阶本身）。',
    match: ['order', 'MAX_ORDER', '阶'],
  },
  {
    id: 'costly-order',
    en: 'Costly order',
    zh: '高开销阶',
    explainEn:
      'Orders above PAGE_ALLOC_COSTLY_ORDER (3), i.e. blocks of more than 8 pages. The allocator tries less hard for them: ' +
      'no endless retries, no OOM killer, and they are not cached on the pcp lists (except the THP order).',
    explainZh:
      '大于 PAGE_ALLOC_COSTLY_ORDER（3）的阶，即超过 8 页的块。分配器对它们不会太“拼命”：不无限重试，不触发 OOM 杀手，' +
      '也不放进每CPU页框链表（透明大页的 9 阶除外）。',
    match: ['PAGE_ALLOC_COSTLY_ORDER', 'costly order', 'costly', '高开销阶'],
  },
  {
    id: 'migratetype',
    en: 'Migrate type',
    zh: '迁移类型',
    explainEn:
      'Every pageblock is tagged with how movable its pages are: MIGRATE_UNMOVABLE (most kernel allocations), MIGRATE_MOVABLE ' +
      '(user pages and page cache, which can be migrated), MIGRATE_RECLAIMABLE (caches that can be freed), plus MIGRATE_HIGHATOMIC, ' +
      'MIGRATE_CMA and MIGRATE_ISOLATE. The gfp mask selects the type; keeping the types in separate pageblocks limits fragmentation.',
    explainZh:
      '每个页块都标记了其中页的可移动程度：MIGRATE_UNMOVABLE（不可移动，大多数内核分配）、MIGRATE_MOVABLE（可移动，用户页和页缓存，可以迁移）、' +
      'MIGRATE_RECLAIMABLE（可回收，如可释放的 slab 缓存），另有 MIGRATE_HIGHATOMIC、MIGRATE_CMA 和 MIGRATE_ISOLATE。' +
      'gfp 标志决定请求的迁移类型；不同类型分开放在不同的页块里，以减少碎片。',
    match: [
      'migrate type',
      'migratetype',
      'MIGRATE_UNMOVABLE',
      'MIGRATE_MOVABLE',
      'MIGRATE_RECLAIMABLE',
      'MIGRATE_ISOLATE',
      'mobility grouping',
      '不可移动类型',
      '可移动类型',
      '可回收类型',
      '迁移类型',
    ],
  },
  {
    id: 'pageblock',
    en: 'Pageblock',
    zh: '页块',
    explainEn:
      'The unit that carries a migrate type: 2^pageblock_order pages. On x86_64 pageblock_order is 9, so a pageblock is 512 pages (2 MiB), ' +
      'the size of a huge page.',
    explainZh:
      '携带迁移类型标记的单位，大小为 2^pageblock_order 页。x86_64 上 pageblock_order 为 9，一个页块是 512 页（2 MiB），正好是一个大页。',
    match: ['pageblock', 'pageblock_order', '页块'],
  },
  {
    id: 'fallback',
    en: 'Migrate-type fallback (stealing)',
    zh: '迁移类型回退（窃取）',
    explainEn:
      'When no free block of the requested migrate type exists, __rmqueue_fallback takes one from another type (Unmovable tries Reclaimable ' +
      'then Movable, Movable tries Reclaimable then Unmovable, Reclaimable tries Unmovable then Movable), normally the largest block first. ' +
      'If enough of the pageblock is free or of a compatible type (half or more), the whole pageblock is stolen: retagged with the requested type.',
    explainZh:
      '请求的迁移类型没有空闲块时，__rmqueue_fallback 从其他类型借（不可移动依次找可回收、可移动；可移动找可回收、不可移动；可回收找不可移动、可移动），' +
      '通常先挑最大的块。如果页块中空闲或类型相容的页达到一半，就把整个页块“窃取”过来，改标为请求的类型。',
    match: ['fallback', 'fall back', 'falls back', 'steal', 'stealing', 'stolen', '迁移类型回退', '回退', '窃取'],
  },
  {
    id: 'highatomic',
    en: 'HighAtomic reserve',
    zh: '高阶原子预留',
    explainEn:
      'MIGRATE_HIGHATOMIC: pageblocks kept for high-order atomic allocations, which can neither sleep nor reclaim. After such an allocation ' +
      'succeeds its pageblock may be reserved (up to 1% of the zone plus one pageblock); under memory pressure the kernel gives these ' +
      'reserves back (unreserve_highatomic_pageblock) before it fails an allocation.',
    explainZh:
      'MIGRATE_HIGHATOMIC：留给高阶原子分配的页块，这类分配既不能睡眠也不能回收。这样的分配成功后，它所在的页块可能被预留下来' +
      '（最多为内存域的 1% 再加一个页块）；内存紧张时，内核在让分配失败之前会先释放这些预留（unreserve_highatomic_pageblock）。',
    match: ['highatomic', 'MIGRATE_HIGHATOMIC', 'high-order atomic', '高阶原子预留', '高阶原子'],
  },

  // ---- zones, nodes, watermarks ------------------------------------------------------
  {
    id: 'zone',
    en: 'Zone',
    zh: '内存域（管理区）',
    explainEn:
      "A range of a node's memory with its own free lists, watermarks and per-CPU lists. x86_64 has ZONE_DMA (below 16 MiB), ZONE_DMA32 " +
      '(below 4 GiB), ZONE_NORMAL (the rest), and ZONE_MOVABLE when kernelcore= or movablecore= carves one out; the gfp mask sets the highest zone a request may use.',
    explainZh:
      '节点内存中的一段范围，有自己的空闲链表、水位线和每CPU页框。x86_64 上有 ZONE_DMA（16 MiB 以下）、ZONE_DMA32（4 GiB 以下）、' +
      'ZONE_NORMAL（其余部分），用 kernelcore= 或 movablecore= 划分时还有 ZONE_MOVABLE；gfp 标志决定一个请求最高能用哪个内存域。',
    match: ['zone', 'ZONE_DMA', 'ZONE_DMA32', 'ZONE_NORMAL', 'ZONE_MOVABLE', 'gfp_zone', '内存域', '管理区'],
  },
  {
    id: 'node',
    en: 'NUMA node',
    zh: 'NUMA 节点',
    explainEn:
      'Memory close to a group of CPUs, described by struct pglist_data (pg_data_t). Each node has its own zones, LRU lists and kswapd thread; ' +
      'a machine without NUMA has a single node, node 0.',
    explainZh:
      '靠近一组 CPU 的内存，由 struct pglist_data（pg_data_t）描述。每个节点有自己的内存域、LRU 链表和 kswapd 线程；没有 NUMA 的机器只有一个节点，即节点 0。',
    match: ['NUMA node', 'node', 'pgdat', 'pg_data_t', 'NUMA 节点', '节点'],
  },
  {
    id: 'zonelist',
    en: 'Zonelist',
    zh: '备用区域列表（zonelist）',
    explainEn:
      'The order in which an allocation tries zones: from the highest zone the request may use on the preferred node down to the lower ones, ' +
      'then the same on the other nodes, nearest first. build_all_zonelists builds it at boot; __GFP_THISNODE uses a list of the local node only.',
    explainZh:
      '一次分配依次尝试各内存域的顺序：先是首选节点上请求允许的最高内存域，再往下到较低的内存域，然后按距离由近到远尝试其他节点。' +
      '启动时由 build_all_zonelists 建立；带 __GFP_THISNODE 的请求只用本节点的列表。',
    match: ['zonelist', 'fallback order', '备用区域列表'],
  },
  {
    id: 'managed',
    en: 'Managed pages',
    zh: '受管页',
    explainEn:
      "A zone's size has three counts: spanned (its pfn range, holes included), present (pages of real RAM in it) and managed (the pages " +
      'the buddy allocator actually manages: present minus what boot reserved, such as the memmap and the kernel image). ' +
      'Watermarks, lowmem_reserve and pcp sizes are computed from managed pages.',
    explainZh:
      '内存域的大小有三种计数：spanned（跨越的 pfn 范围，含空洞）、present（其中真实存在的物理页）和 managed（伙伴系统实际管理的页，' +
      '即 present 减去启动时保留的部分，如 memmap 和内核映像）。水位线、保护值和每CPU页框的大小都按受管页计算。',
    match: ['managed pages', 'managed_pages', 'managed', 'spanned', '受管页'],
  },
  {
    id: 'watermark',
    en: 'Watermarks (min / low / high)',
    zh: '水位线（min / low / high）',
    explainEn:
      'Three thresholds of free pages per zone. The fast path allocates only while the zone stays above low; below low kswapd is woken and ' +
      'reclaims until free pages exceed high. The slow path goes down to min, below which the task must reclaim directly; only __GFP_HIGH, ' +
      'atomic, OOM-victim and PF_MEMALLOC requests may dip under min. In 6.1, min is the zone’s share of min_free_kbytes (by managed pages) and low and high ' +
      'add one and two steps of max(min/4, managed × watermark_scale_factor / 10000).',
    explainZh:
      '每个内存域的三条空闲页阈值。快速路径只在空闲页高于低水位线（low）时分配；低于 low 会唤醒 kswapd，它一直回收到空闲页超过高水位线（high）。' +
      '慢速路径可以用到最低水位线（min），再往下分配者就得直接回收；只有 __GFP_HIGH、原子分配、OOM 受害进程和 PF_MEMALLOC 上下文可以低于 min。' +
      '6.1 中 min 是 min_free_kbytes 按受管页比例分给该内存域的份额，low 和 high 在 min 上再加一个、两个步长 max(min/4, 受管页 × watermark_scale_factor / 10000)。',
    match: [
      'watermark',
      'min watermark',
      'low watermark',
      'high watermark',
      'WMARK_MIN',
      'WMARK_LOW',
      'WMARK_HIGH',
      'watermark_scale_factor',
      '最低水位线',
      '低水位线',
      '高水位线',
      '水位线',
      '水位',
    ],
  },
  {
    id: 'watermark-boost',
    en: 'Watermark boost',
    zh: '水位线提升（watermark boost）',
    explainEn:
      "When an allocation has to fall back into another migrate type's pageblock, 6.1 raises the zone's watermarks for a while by one pageblock, " +
      'up to watermark_boost_factor (default 15000, i.e. 150%) of the high watermark, and wakes kswapd to reclaim the extra; kswapd drops the boost when it is done.',
    explainZh:
      '分配不得不回退到其他迁移类型的页块时，6.1 会把该内存域的水位线临时提高一个页块，最多到高水位线的 watermark_boost_factor' +
      '（默认 15000，即 150%），并唤醒 kswapd 多回收这部分；kswapd 回收完毕后清除提升。',
    match: ['watermark_boost', 'watermark boost', 'boosted', 'boost', '水位线提升'],
  },
  {
    id: 'min-free-kbytes',
    en: 'min_free_kbytes',
    zh: 'min_free_kbytes',
    explainEn:
      'vm.min_free_kbytes: the memory the kernel keeps free for itself; it sets the min watermarks. 6.1 computes int_sqrt(lowmem_kbytes × 16), ' +
      'clamped to 128 kB .. 262144 kB; khugepaged raises it when transparent hugepages are on, to keep whole pageblocks free.',
    explainZh:
      'vm.min_free_kbytes：内核为自己保留的空闲内存量，决定各内存域的最低水位线。6.1 按 int_sqrt(lowmem_kbytes × 16) 计算，限定在 128 kB 到 262144 kB 之间；' +
      '开启透明大页时 khugepaged 会把它调高，以便保留完整的空闲页块。',
    match: ['min_free_kbytes'],
  },
  {
    id: 'lowmem-reserve',
    en: 'Protection (lowmem_reserve)',
    zh: '保护值（lowmem_reserve）',
    explainEn:
      'Low zones protect themselves from requests that could have used a higher zone. zone->lowmem_reserve[j] is what this zone keeps back from ' +
      'a request whose highest zone is j: the managed pages of the zones above it, up to j, divided by its lowmem_reserve_ratio (256 for DMA and DMA32, ' +
      "32 for Normal). The watermark check needs free > watermark + lowmem_reserve[j]; /proc/zoneinfo prints it as 'protection'.",
    explainZh:
      '低端内存域为自己留出余量，防止本可以用更高内存域的请求把它耗尽。zone->lowmem_reserve[j] 是本内存域对“最高可用内存域为 j”的请求额外保留的页数：' +
      '其上直到 j 的各内存域受管页之和，除以本内存域的 lowmem_reserve_ratio（DMA 和 DMA32 为 256，Normal 为 32）。水位线检查要求 空闲页 > 水位线 + lowmem_reserve[j]；' +
      '/proc/zoneinfo 中显示为 protection。',
    match: ['lowmem_reserve', 'lowmem reserve', 'lowmem_reserve_ratio', 'protection', '保护值'],
  },

  // ---- per-CPU pages ---------------------------------------------------------------------
  {
    id: 'pcp',
    en: 'Per-CPU pages (pcp)',
    zh: '每CPU页框（pcp）',
    explainEn:
      "struct per_cpu_pages: each zone's small per-CPU caches of free pages, so that most small allocations and frees do not take zone->lock. " +
      'In 6.1 a CPU has lists for orders 0 to 3 for each of the three pcp migrate types plus two lists for THP-order (order 9) blocks, 14 in all. ' +
      'An empty list is refilled from the buddy lists in a batch (rmqueue_bulk); when the count reaches high, pages go back in bulk (free_pcppages_bulk).',
    explainZh:
      'struct per_cpu_pages：每个内存域为每个 CPU 准备的小型空闲页缓存，使大多数小分配和释放不必获取 zone->lock。' +
      '6.1 中每个 CPU 有 0–3 阶 × 3 种 pcp 迁移类型共 12 条链表，外加 2 条透明大页阶（9 阶）链表，共 14 条。' +
      '链表空了就从伙伴系统批量补充（rmqueue_bulk）；页数达到 high 时批量归还（free_pcppages_bulk）。',
    match: [
      'per-CPU pages',
      'per-CPU page',
      'per-CPU lists',
      'per-CPU list',
      'per_cpu_pages',
      'pcp lists',
      'pcp list',
      'pcp pages',
      'pcp',
      '每CPU页框',
      '每 CPU 页框',
    ],
  },
  {
    id: 'pcp-batch-high',
    en: 'pcp batch and high',
    zh: 'pcp 的 batch 与 high',
    explainEn:
      'pcp->batch is how many pages move between a pcp list and the buddy lists at a time: about managed/1024 (at most 256) divided by 4, ' +
      'rounded to 2^n − 1, e.g. 63 for a large zone. pcp->high caps what one CPU may hold: in 6.1 the low watermark divided by the CPUs of ' +
      'the node (at least 4 × batch), unless vm.percpu_pagelist_high_fraction is set; while frees keep coming, 6.1 frees more per overflow (free_factor).',
    explainZh:
      'pcp->batch 是每CPU页框链表与伙伴系统之间一次搬运的页数：约为 受管页/1024（最多 256）再除以 4，取整为 2^n − 1，大内存域通常是 63。' +
      'pcp->high 是一个 CPU 最多能囤积的页数：6.1 中为低水位线除以本节点 CPU 数（至少 4 × batch），除非设置了 vm.percpu_pagelist_high_fraction；' +
      '连续释放时 6.1 每次溢出会归还更多页（free_factor）。',
    match: [
      'pcp batch',
      'pcp high',
      'pcp->batch',
      'pcp->high',
      'batch',
      'percpu_pagelist_high_fraction',
      'free_factor',
    ],
  },
  {
    id: 'pcp-drain',
    en: 'pcp drain',
    zh: 'pcp 排空（drain）',
    explainEn:
      'Emptying pcp lists back into the buddy lists: drain_local_pages for one CPU, drain_all_pages for every CPU. The allocation slow path ' +
      'drains once when direct reclaim did not help, so that pages cached on other CPUs become usable.',
    explainZh:
      '把每CPU页框链表中的页全部还给伙伴系统：drain_local_pages 针对一个 CPU，drain_all_pages 针对所有 CPU。' +
      '分配慢速路径在直接回收后仍失败时会排空一次，让缓存在其他 CPU 上的页重新可用。',
    match: ['drain_all_pages', 'drain_local_pages', 'drained', 'drain', '排空'],
  },

  // ---- the allocation paths -----------------------------------------------------------------
  {
    id: 'gfp',
    en: 'GFP mask',
    zh: 'GFP 标志',
    explainEn:
      'The flags of an allocation ("get free pages"): zone bits set the highest zone, __GFP_MOVABLE/__GFP_RECLAIMABLE the migrate type, ' +
      '__GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM, __GFP_IO and __GFP_FS what reclaim may do, and __GFP_NORETRY, __GFP_RETRY_MAYFAIL and ' +
      '__GFP_NOFAIL how hard to try. GFP_KERNEL may sleep and reclaim; GFP_ATOMIC never sleeps but may use part of the reserves.',
    explainZh:
      '一次分配的标志（get free pages）：内存域位决定最高可用内存域，__GFP_MOVABLE/__GFP_RECLAIMABLE 决定迁移类型，' +
      '__GFP_DIRECT_RECLAIM、__GFP_KSWAPD_RECLAIM、__GFP_IO、__GFP_FS 决定允许怎样回收，__GFP_NORETRY、__GFP_RETRY_MAYFAIL、__GFP_NOFAIL 决定多努力地重试。' +
      'GFP_KERNEL 可以睡眠和回收；GFP_ATOMIC 不能睡眠，但可以动用一部分保留内存。',
    match: [
      'gfp mask',
      'gfp_mask',
      'gfp',
      'GFP_KERNEL',
      'GFP_ATOMIC',
      'GFP_NOWAIT',
      'GFP_HIGHUSER_MOVABLE',
      'GFP_USER',
      'GFP 标志',
    ],
  },
  {
    id: 'alloc-flags',
    en: 'alloc_flags',
    zh: '分配标志（alloc_flags）',
    explainEn:
      "The page allocator's internal flags, derived from the gfp mask: which watermark to check (ALLOC_WMARK_MIN/LOW/HIGH or ALLOC_NO_WATERMARKS), " +
      'ALLOC_KSWAPD (may wake kswapd), ALLOC_NOFRAGMENT (avoid falling back into another type’s pageblock), ALLOC_CPUSET, and the reserve ' +
      'flags ALLOC_MIN_RESERVE, ALLOC_NON_BLOCK, ALLOC_HIGHATOMIC and ALLOC_OOM that allow going below min.',
    explainZh:
      '页分配器内部由 gfp 标志换算出的标志：检查哪条水位线（ALLOC_WMARK_MIN/LOW/HIGH 或 ALLOC_NO_WATERMARKS）、ALLOC_KSWAPD（可以唤醒 kswapd）、' +
      'ALLOC_NOFRAGMENT（避免回退到其他类型的页块）、ALLOC_CPUSET，以及允许低于 min 的 ALLOC_MIN_RESERVE、ALLOC_NON_BLOCK、ALLOC_HIGHATOMIC、ALLOC_OOM。',
    match: [
      'alloc_flags',
      'ALLOC_WMARK_MIN',
      'ALLOC_WMARK_LOW',
      'ALLOC_WMARK_HIGH',
      'ALLOC_NO_WATERMARKS',
      'ALLOC_KSWAPD',
      'ALLOC_NOFRAGMENT',
      'ALLOC_CPUSET',
      'ALLOC_MIN_RESERVE',
      'ALLOC_NON_BLOCK',
      'ALLOC_HIGHATOMIC',
      'ALLOC_OOM',
      '分配标志',
    ],
  },
  {
    id: 'fast-path',
    en: 'Fast path',
    zh: '快速路径',
    explainEn:
      'The first attempt of __alloc_pages: get_page_from_freelist walks the zonelist and takes the first zone above its low watermark that has ' +
      'a suitable free block, for small orders usually straight from the pcp lists.',
    explainZh:
      '__alloc_pages 的第一次尝试：get_page_from_freelist 沿备用区域列表找到第一个高于低水位线、且有合适空闲块的内存域，小阶请求通常直接从每CPU页框取。',
    match: ['fast path', 'fastpath', 'get_page_from_freelist', '快速路径'],
  },
  {
    id: 'slow-path',
    en: 'Slow path',
    zh: '慢速路径',
    explainEn:
      '__alloc_pages_slowpath, run when the fast path fails: it wakes kswapd, retries at the min watermark, may compact, reclaims directly, ' +
      'drains the pcp lists and retries (up to 16 rounds without progress), and finally calls the OOM killer or fails the allocation.',
    explainZh:
      '__alloc_pages_slowpath，快速路径失败后执行：唤醒 kswapd，按最低水位线重试，可能做内存规整和直接回收，排空每CPU页框后再试' +
      '（最多 16 轮没有进展），最后调用 OOM 杀手或让分配失败。',
    match: ['slow path', 'slowpath', '__alloc_pages_slowpath', '慢速路径'],
  },
  {
    id: 'compaction',
    en: 'Compaction',
    zh: '内存规整（compaction）',
    explainEn:
      'Migrating movable pages together so that free memory forms high-order blocks again (kcompactd in the background, direct compaction in the ' +
      'allocation slow path). Not modelled in this playground: the slow path names the step and skips it.',
    explainZh:
      '把可移动页迁移到一起，让空闲内存重新连成高阶块（后台由 kcompactd 进行，分配慢速路径中有直接内存规整）。本模拟没有实现内存规整：慢速路径只标出这一步并跳过。',
    match: ['compaction', 'direct compaction', 'kcompactd', '直接内存规整', '内存规整', '规整'],
  },

  // ---- boot ------------------------------------------------------------------------------------
  {
    id: 'memblock',
    en: 'memblock',
    zh: 'memblock',
    explainEn:
      'The boot-time memory manager used before the buddy allocator exists. memblock.memory lists the RAM ranges (from the e820 map), ' +
      'memblock.reserved what is already taken (kernel, initrd, early allocations); at mem_init, memblock_free_all hands every unreserved range to the buddy allocator.',
    explainZh:
      '伙伴系统建立之前使用的启动期内存管理器。memblock.memory 记录物理内存范围（来自 e820 内存图），memblock.reserved 记录已被占用的部分' +
      '（内核、initrd、早期分配）；到 mem_init 时，memblock_free_all 把所有未保留的范围交给伙伴系统。',
    match: ['memblock', 'memblock.memory', 'memblock.reserved'],
  },
  {
    id: 'e820',
    en: 'e820 map',
    zh: 'e820 内存图',
    explainEn:
      "The firmware's table of physical address ranges and their types (usable, reserved, ACPI...). The kernel prints it as BIOS-e820 lines and adds the usable ranges to memblock.",
    explainZh:
      '固件提供的物理地址范围及其类型表（usable、reserved、ACPI 等）。内核以 BIOS-e820 行打印它，并把 usable 的范围加入 memblock。',
    match: ['e820', 'BIOS-e820', 'e820 内存图'],
  },
  {
    id: 'memmap',
    en: 'struct page (memmap)',
    zh: 'struct page（memmap）',
    explainEn:
      'One 64-byte struct page describes each page frame; the array of them (the memmap) costs about 1.6% of RAM and is allocated from memblock at boot.',
    explainZh:
      '每个物理页框由一个 64 字节的 struct page 描述；这些结构组成的数组（memmap）约占内存的 1.6%，启动时从 memblock 分配。',
    match: ['struct page', 'memmap', 'mem_map'],
  },
  {
    id: 'pfn',
    en: 'Page frame number (pfn)',
    zh: '页帧号（pfn）',
    explainEn:
      'A physical page frame numbered from 0: pfn = physical address / 4096. Buddy blocks of order n start at pfns that are multiples of 2^n.',
    explainZh: '从 0 开始编号的物理页框：pfn = 物理地址 / 4096。n 阶伙伴块的起始 pfn 总是 2^n 的倍数。',
    match: ['page frame number', 'page frame', 'pfn', 'pfns', '页帧号', '页框号'],
  },
  {
    id: 'deferred-init',
    en: 'Deferred struct page init',
    zh: 'struct page 延迟初始化',
    explainEn:
      'With CONFIG_DEFERRED_STRUCT_PAGE_INIT (on in Debian), boot initialises only the first part of each node’s last zone; the rest of the ' +
      'struct pages are initialised and freed to the buddy allocator later, in parallel per node (deferred_init_memmap).',
    explainZh:
      '开启 CONFIG_DEFERRED_STRUCT_PAGE_INIT（Debian 默认开启）时，启动阶段只初始化每个节点最后一个内存域开头的一部分；其余 struct page 稍后' +
      '按节点并行初始化并释放进伙伴系统（deferred_init_memmap）。',
    match: ['deferred struct page init', 'deferred pages', 'deferred_init_memmap', '延迟初始化'],
  },
  {
    id: 'thp',
    en: 'Transparent hugepages (THP)',
    zh: '透明大页（THP）',
    explainEn:
      'Anonymous memory mapped with 2 MiB pages (order 9) when possible. khugepaged collapses small pages into huge ones and raises min_free_kbytes ' +
      'at boot so that free pageblocks remain; 6.1 keeps two pcp lists for order-9 blocks.',
    explainZh:
      '尽可能用 2 MiB（9 阶）大页映射匿名内存。khugepaged 把小页合并成大页，并在启动时调高 min_free_kbytes 以保留空闲页块；6.1 为 9 阶块准备了两条每CPU页框链表。',
    match: ['transparent hugepages', 'transparent hugepage', 'THP', 'khugepaged', '透明大页'],
  },

  // ---- reclaim and the OOM killer ---------------------------------------------------------------
  {
    id: 'reclaim',
    en: 'Reclaim',
    zh: '回收',
    explainEn:
      'Freeing memory that is in use but can be given back: clean page cache is dropped, dirty page cache written back first, anonymous pages ' +
      'written to swap, slab caches shrunk. kswapd reclaims in the background, direct reclaim in the allocating task.',
    explainZh:
      '释放正在使用但可以交还的内存：干净的页缓存直接丢弃，脏页缓存先写回，匿名页写到交换分区，slab 缓存收缩。kswapd 在后台回收，直接回收则由分配内存的进程自己完成。',
    match: ['reclaim', 'reclaims', 'reclaimed', '页面回收', '回收'],
  },
  {
    id: 'kswapd',
    en: 'kswapd',
    zh: 'kswapd',
    explainEn:
      'A per-node kernel thread (kswapd0, kswapd1, ...) that reclaims in the background. An allocation wakes it when a zone falls below its low ' +
      'watermark (or the watermark was boosted); it reclaims until an eligible zone is above high (balance_pgdat), then sleeps.',
    explainZh:
      '每个节点一个的内核线程（kswapd0、kswapd1……），负责后台回收。分配发现某个内存域低于低水位线（或水位线被提升）时唤醒它；' +
      '它一直回收到有一个可用内存域高于高水位线（balance_pgdat），然后睡眠。',
    match: ['kswapd', 'kswapd0', 'kswapd1', 'kswapd2', 'kswapd3', 'balance_pgdat'],
  },
  {
    id: 'direct-reclaim',
    en: 'Direct reclaim',
    zh: '直接回收',
    explainEn:
      'Reclaim done by the allocating task itself in the slow path (try_to_free_pages) when even the min watermark cannot be met. The task stalls ' +
      'while it scans the LRU lists; requests without __GFP_DIRECT_RECLAIM, such as GFP_ATOMIC, cannot do it.',
    explainZh:
      '连最低水位线都无法满足时，分配内存的进程在慢速路径中自己进行的回收（try_to_free_pages）。扫描 LRU 链表期间进程处于停顿状态；' +
      '没有 __GFP_DIRECT_RECLAIM 的请求（如 GFP_ATOMIC）不能这样做。',
    match: ['direct reclaim', 'try_to_free_pages', '直接回收'],
  },
  {
    id: 'lru',
    en: 'LRU lists',
    zh: 'LRU 链表',
    explainEn:
      'Per-node lists that order pages by recent use: active and inactive lists for anonymous pages and for file pages, plus unevictable. ' +
      'Reclaim scans the inactive tails, gives referenced pages a second chance, and ages the active list when the inactive one is too short. ' +
      "6.1 also has the multi-gen LRU, built into Debian's kernel but off by default.",
    explainZh:
      '每个节点按最近使用情况排列页的链表：匿名页和文件页各有活跃、非活跃两条，另有不可回收链表。回收从非活跃链表尾部扫描，被访问过的页获得第二次机会；' +
      '非活跃链表太短时把活跃链表的页老化过去。6.1 还带有多代 LRU（MGLRU），Debian 内核编译了它但默认关闭。',
    match: ['LRU', 'active list', 'inactive list', 'active/inactive', '活跃链表', '非活跃链表', 'LRU 链表'],
  },
  {
    id: 'page-cache',
    en: 'Page cache',
    zh: '页缓存',
    explainEn:
      'File contents kept in RAM. Reads fill it and later reads hit it; clean page cache is the cheapest memory to reclaim, dirty pages must be ' +
      'written back first. drop_caches drops the clean, unmapped ones.',
    explainZh:
      '缓存在内存中的文件内容。读文件时填入，之后的读直接命中；干净的页缓存是回收代价最低的内存，脏页要先写回。drop_caches 会丢弃干净且未被映射的页缓存。',
    match: ['page cache', 'pagecache', 'file pages', '页缓存', '文件页'],
  },
  {
    id: 'anon',
    en: 'Anonymous memory',
    zh: '匿名页',
    explainEn:
      'Memory with no file behind it: heap, stack, MAP_ANONYMOUS mappings. It can be reclaimed only by writing it to swap; without swap it stays ' +
      'until its task frees it, exits or is killed.',
    explainZh:
      '没有文件作为后备的内存：堆、栈、MAP_ANONYMOUS 映射。只能通过写到交换分区来回收；没有交换空间时，它会一直占着，直到进程释放、退出或被杀死。',
    match: ['anonymous memory', 'anonymous pages', 'anonymous', 'anon', '匿名页', '匿名内存'],
  },
  {
    id: 'swap',
    en: 'Swap',
    zh: '交换（swap）',
    explainEn:
      'Disk space where reclaim writes anonymous and shmem pages; the page table keeps a swap entry and the page is read back on the next access. ' +
      "A task's swap entries count towards its OOM badness.",
    explainZh:
      '回收时用来存放匿名页和共享内存页的磁盘空间；页表中留下交换项，下次访问时再读回。进程的交换项也计入它的 OOM badness。',
    match: ['swap', 'swapents', 'swap entries', '交换分区', '交换项', '交换'],
  },
  {
    id: 'oom-killer',
    en: 'OOM killer',
    zh: 'OOM 杀手',
    explainEn:
      'When reclaim cannot free enough and the allocation may not simply fail, out_of_memory kills the task with the highest badness, with every ' +
      'task sharing its mm; the oom_reaper frees its anonymous memory at once. Costly orders, __GFP_NORETRY and __GFP_RETRY_MAYFAIL requests fail instead.',
    explainZh:
      '回收释放不出足够内存、而分配又不能简单失败时，out_of_memory 杀死 badness 最高的进程及所有共享其 mm 的进程；oom_reaper 随即回收它的匿名内存。' +
      '高开销阶、带 __GFP_NORETRY 或 __GFP_RETRY_MAYFAIL 的请求则直接失败，不触发它。',
    match: ['OOM killer', 'oom-killer', 'out of memory', 'out_of_memory', 'oom_reaper', 'OOM 杀手', 'OOM'],
  },
  {
    id: 'badness',
    en: 'badness',
    zh: 'badness 分数',
    explainEn:
      'oom_badness() in 6.1: resident pages (anon + file + shmem) + swap entries + page-table pages + oom_score_adj × totalpages / 1000, where ' +
      'totalpages is RAM plus swap (or the allowed nodes for a constrained OOM). The highest score is killed; there is no bonus for root processes any more.',
    explainZh:
      '6.1 的 oom_badness()：常驻页（匿名 + 文件 + 共享内存）+ 交换项 + 页表页 + oom_score_adj × totalpages / 1000，其中 totalpages 是内存加交换空间' +
      '（受约束的 OOM 则只算允许的节点）。分数最高者被杀；早已不再给 root 进程减分。',
    match: ['badness', 'oom_badness', 'badness 分数'],
  },
  {
    id: 'oom-score-adj',
    en: 'oom_score_adj',
    zh: 'oom_score_adj',
    explainEn:
      'A per-process knob in /proc/PID/oom_score_adj from -1000 to 1000. Each unit adds totalpages/1000 pages (0.1% of RAM + swap) to the badness; ' +
      '-1000 exempts the task from the OOM killer.',
    explainZh:
      '进程的调节值，位于 /proc/PID/oom_score_adj，范围 -1000 到 1000。每一单位给 badness 加上 totalpages/1000 页（内存加交换空间的 0.1%）；' +
      '-1000 使进程完全不受 OOM 杀手影响。',
    match: ['oom_score_adj', 'adj'],
  },
  {
    id: 'oom-score',
    en: 'oom_score',
    zh: 'oom_score',
    explainEn:
      '/proc/PID/oom_score: the badness scaled to 0..2000, (1000 + badness × 1000 / totalpages) × 2 / 3 in 6.1; 0 for a task that is no candidate.',
    explainZh:
      '/proc/PID/oom_score：把 badness 缩放到 0..2000，6.1 中为 (1000 + badness × 1000 / totalpages) × 2 / 3；不参与选择的进程显示 0。',
    match: ['oom_score'],
  },

  // ---- SLUB --------------------------------------------------------------------------------------
  {
    id: 'slub',
    en: 'SLUB',
    zh: 'SLUB',
    explainEn:
      "The slab allocator 6.1 uses by default (and Debian's choice): it cuts pages from the buddy allocator into objects, one size per cache. " +
      "An allocation usually just pops the CPU's freelist; the slow path takes a partial slab or a new slab.",
    explainZh:
      '6.1 默认（也是 Debian 选用）的 slab 分配器：把从伙伴系统拿到的页切成对象，每个缓存一种大小。分配通常只需从 CPU 的 freelist 弹出一个对象；慢速路径才去取部分空闲 slab 或新 slab。',
    match: ['SLUB', 'slab allocator'],
  },
  {
    id: 'slab',
    en: 'Slab',
    zh: 'slab',
    explainEn:
      'One or more contiguous pages (an order chosen per cache) cut into equal objects of one cache. In 6.1 its metadata is struct slab, which overlays the struct page of its first page.',
    explainZh:
      '一个或多个连续页（阶数按缓存选定），切成同一缓存中大小相等的对象。6.1 中它的元数据是 struct slab，与首页的 struct page 共用同一块内存。',
    match: ['slab', 'struct slab'],
  },
  {
    id: 'kmem-cache',
    en: 'Slab cache (kmem_cache)',
    zh: 'slab 缓存（kmem_cache）',
    explainEn:
      'A pool of objects of one size and alignment (struct kmem_cache), created with kmem_cache_create and listed in /proc/slabinfo. A new cache ' +
      'compatible with an existing one is merged into it as an alias.',
    explainZh:
      '同一大小和对齐方式的对象池（struct kmem_cache），由 kmem_cache_create 创建，列在 /proc/slabinfo 中。与已有缓存兼容的新缓存会作为别名合并进去。',
    match: ['kmem_cache', 'slab cache', 'cache', 'slab 缓存', '缓存'],
  },
  {
    id: 'kmalloc',
    en: 'kmalloc',
    zh: 'kmalloc',
    explainEn:
      'General-purpose allocation by size from the kmalloc caches, kmalloc-8 to kmalloc-8k plus kmalloc-96 and kmalloc-192, with kmalloc-cg-, ' +
      'kmalloc-rcl- and dma-kmalloc- variants for __GFP_ACCOUNT, __GFP_RECLAIMABLE and __GFP_DMA. Requests above 8 KiB (KMALLOC_MAX_CACHE_SIZE) ' +
      'go straight to the page allocator (kmalloc_large).',
    explainZh:
      '按大小分配的通用接口，由 kmalloc 缓存提供：kmalloc-8 到 kmalloc-8k，外加 kmalloc-96 和 kmalloc-192；__GFP_ACCOUNT、__GFP_RECLAIMABLE、__GFP_DMA ' +
      '分别使用 kmalloc-cg-、kmalloc-rcl-、dma-kmalloc- 系列。超过 8 KiB（KMALLOC_MAX_CACHE_SIZE）的请求直接交给页分配器（kmalloc_large）。',
    match: ['kmalloc', 'kmalloc_large', 'KMALLOC_MAX_CACHE_SIZE'],
  },
  {
    id: 'cpu-slab',
    en: 'CPU slab',
    zh: 'CPU slab（当前 slab）',
    explainEn:
      "The slab a CPU currently allocates from (kmem_cache_cpu->slab). Its free objects sit on the CPU's own freelist, so the fast path allocates and frees without locks.",
    explainZh:
      '某个 CPU 当前正在分配的 slab（kmem_cache_cpu->slab）。它的空闲对象挂在该 CPU 自己的 freelist 上，因此快速路径的分配和释放无需加锁。',
    match: ['CPU slab', 'c->slab', '当前 CPU slab', '当前 slab'],
  },
  {
    id: 'partial',
    en: 'Partial lists',
    zh: '部分空闲链表（partial）',
    explainEn:
      'Slabs with some objects free. Each CPU keeps a short per-CPU partial list of frozen slabs (sized by cpu_partial), each node a partial list ' +
      'in kmem_cache_node; an empty slab is freed once the node already keeps min_partial partial slabs. Full slabs are on no list unless debugging.',
    explainZh:
      '有部分空闲对象的 slab。每个 CPU 有一条较短的每CPU部分空闲链表，挂着冻结的 slab（长度由 cpu_partial 决定）；每个节点在 kmem_cache_node 中也有一条部分空闲链表；' +
      '节点已有 min_partial 个部分空闲 slab 时，空 slab 会被释放。满的 slab 不挂在任何链表上（调试时除外）。',
    match: [
      'partial list',
      'partial lists',
      'partial slabs',
      'partial slab',
      'CPU partial',
      'node partial',
      'min_partial',
      'cpu_partial',
      '每CPU部分空闲链表',
      '部分空闲链表',
      '部分空闲',
    ],
  },
  {
    id: 'freelist',
    en: 'freelist (SLUB)',
    zh: '空闲对象链表（freelist）',
    explainEn:
      "The chain of a slab's free objects: each free object holds the pointer to the next at the cache's free-pointer offset. A CPU slab's " +
      'freelist moves to the CPU (c->freelist); with CONFIG_SLAB_FREELIST_RANDOM (on in Debian) a new slab starts with a shuffled freelist.',
    explainZh:
      'slab 中空闲对象串成的链：每个空闲对象在缓存规定的空闲指针偏移处保存下一个空闲对象的地址。CPU slab 的 freelist 整条交给 CPU（c->freelist）；' +
      '开启 CONFIG_SLAB_FREELIST_RANDOM（Debian 默认开启）时，新 slab 的 freelist 顺序是随机打乱的。',
    match: [
      'freelist',
      'CPU freelist',
      'c->freelist',
      'CONFIG_SLAB_FREELIST_RANDOM',
      'SLAB_FREELIST_RANDOM',
      '空闲对象链表',
    ],
  },
  {
    id: 'frozen',
    en: 'Frozen slab',
    zh: '冻结的 slab',
    explainEn:
      'A slab owned by a CPU, as its CPU slab or on its per-CPU partial list. Other CPUs freeing into it only add to its freelist and never move ' +
      "it between lists; unfreezing returns it to its node's partial list.",
    explainZh:
      '归某个 CPU 所有的 slab（它的 CPU slab 或每CPU部分空闲链表上的 slab）。其他 CPU 向它释放对象时只加到它的 freelist 上，不调整链表；解冻后它回到节点的部分空闲链表。',
    match: ['frozen', 'freeze', 'unfreeze', 'unfrozen', '冻结', '解冻'],
  },
];

// ---- glossify ------------------------------------------------------------------------------

/** A piece of glossified text: plain text, or a glossary hit with the words as they appear. */
export type Piece = string | { term: Term; text: string };

interface Pattern {
  lower: string;
  length: number;
  /** null: a phrase that blocks a shorter, misleading hit ("address order"). */
  term: Term | null;
  wordStart: boolean;
  wordEnd: boolean;
  latinOnly: boolean;
}

/** Phrases where a match word means something else; they stay plain text. */
const BLOCKERS: readonly string[] = [
  'address order',
  'in order',
  'order the',
  'fall back to the minimum order',
  'cache line',
  'swap cache',
  'dentry cache',
  'inode-cache',
];

const WORD = /[A-Za-z0-9_]/;
const CJK = /[\u3000-\u9fff\uff00-\uffef]/;

function isWord(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch);
}

function makePattern(text: string, term: Term | null): Pattern {
  const first = text[0];
  const last = text[text.length - 1];
  return {
    lower: text.toLowerCase(),
    length: text.length,
    term,
    wordStart: isWord(first),
    wordEnd: isWord(last),
    latinOnly: !CJK.test(text),
  };
}

const indexes = new Map<Lang, Map<string, Pattern[]>>();

/** Patterns by their first character (lower case), longest first. English
 *  text only needs the Latin patterns; Chinese text mixes in kernel
 *  identifiers, so it uses all of them. */
function indexFor(lang: Lang): Map<string, Pattern[]> {
  const cached = indexes.get(lang);
  if (cached) return cached;
  const all: Pattern[] = [];
  const seen = new Set<string>();
  for (const term of GLOSSARY)
    for (const m of term.match) {
      const p = makePattern(m, term);
      if (seen.has(p.lower)) continue; // the first term to claim a word keeps it
      seen.add(p.lower);
      all.push(p);
    }
  for (const b of BLOCKERS) all.push(makePattern(b, null));
  const index = new Map<string, Pattern[]>();
  for (const p of all) {
    if (lang === 'en' && !p.latinOnly) continue;
    const key = p.lower[0] ?? '';
    const list = index.get(key) ?? [];
    list.push(p);
    index.set(key, list);
  }
  for (const list of index.values()) list.sort((x, y) => y.length - x.length);
  indexes.set(lang, index);
  return index;
}

/** Where a match of `p` at `i` ends, or -1. A Latin word must stand alone
 *  (no letter, digit or '_' right before or after it); a plural "s" is taken
 *  along ("watermarks", "slabs"). */
function matchAt(text: string, i: number, p: Pattern): number {
  if (text.slice(i, i + p.length).toLowerCase() !== p.lower) return -1;
  if (p.wordStart && isWord(text[i - 1])) return -1;
  let end = i + p.length;
  if (p.wordEnd && isWord(text[end])) {
    const plural =
      /[A-Za-z]/.test(p.lower[p.length - 1] ?? '') &&
      (text[end] === 's' || text[end] === 'S') &&
      !isWord(text[end + 1]);
    if (!plural) return -1;
    end += 1;
  }
  return end;
}

/** Splits `text` into plain strings and glossary hits (longest match first, case-insensitive for Latin), so a renderer can wrap hits in <abbr title=...>.
 *  Scans left to right; every occurrence is a hit; the pieces joined give
 *  back `text`. English text is matched against the Latin words only. */
export function glossify(text: string, lang: Lang): Piece[] {
  const index = indexFor(lang);
  const out: Piece[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    const candidates = index.get(ch.toLowerCase());
    let hit: { p: Pattern; end: number } | null = null;
    if (candidates)
      for (const p of candidates) {
        const end = matchAt(text, i, p);
        if (end >= 0) {
          hit = { p, end };
          break;
        }
      }
    if (!hit) {
      plain += ch;
      i += 1;
      continue;
    }
    const piece = text.slice(i, hit.end);
    if (hit.p.term) {
      if (plain) out.push(plain);
      plain = '';
      out.push({ term: hit.p.term, text: piece });
    } else {
      plain += piece;
    }
    i = hit.end;
  }
  if (plain) out.push(plain);
  return out;
}
