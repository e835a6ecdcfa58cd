// TRANSITIONAL (issue 10). Emit sites the engine has not moved to the event
// catalogue yet record free-form events (codes legacy_step, legacy_begin,
// legacy_warn) that carry their English sentence in `text` and no
// arguments. Until they are converted the page shows that sentence as it
// is, in both languages, and animates them by kernel function as it did
// before the catalogue. When the last site is converted the engine deletes
// the legacy codes; then delete this file and its two callers
// (narrate() and motionOf() in narrate.ts).

import type { MmEvent } from '../../../wasm/mm-engine.js';
import type { Narration } from './narrate.js';

/** The narration of a free-form record of a site not yet on the catalogue
 *  (its English sentence, in either language); null for any other event. */
export function legacyNarration(ev: MmEvent): Narration | null {
  if (!ev.code.startsWith('legacy_') && ev.text === '') return null;
  const text = ev.kind === 'end' ? '' : ev.text;
  return { fn: ev.fn, pieces: text ? [{ kind: 'text', text }] : [], text };
}

/** The animation of a legacy event, by its kernel function (the table the
 *  page used before the catalogue; functions whose events are now
 *  catalogued are gone from it); null for any other event. */
export function legacyMotion(ev: MmEvent): string | null {
  if (!ev.code.startsWith('legacy_')) return null;
  return Object.prototype.hasOwnProperty.call(LEGACY_MOTIONS, ev.fn) ? (LEGACY_MOTIONS[ev.fn] ?? 'none') : 'none';
}

const LEGACY_MOTIONS: Record<string, string> = {
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
