// The buddy allocator's core (mm/page_alloc.c): free lists, merging on free,
// splitting on allocation, migrate-type fallback with pageblock stealing.
//
// Only these helpers touch FreeList::count and FreeArea::nr_free
// (add_to_free_list, add_to_free_list_tail, del_page_from_free_list,
// move_to_free_list), and only mod_zone_freepage_state touches
// Zone::nr_free_pages, as in the kernel.
#pragma once

#include <optional>

#include "mm/core/machine.h"

namespace mm {

enum FpiFlags : unsigned { FPI_NONE = 0, FPI_TO_TAIL = 1 };

// List primitives. Free and pcp lists keep their links in the frames'
// words (the head must be marked first: MemMap::mark_list_block); the LRU
// lists in MemMap::lru_next/lru_prev.
void list_add(MemMap& mem, FreeList& l, Pfn p);
void list_add_tail(MemMap& mem, FreeList& l, Pfn p);
void list_del(MemMap& mem, FreeList& l, Pfn p);
void lru_list_add(MemMap& mem, FreeList& l, Pfn p);
void lru_list_del(MemMap& mem, FreeList& l, Pfn p);

// add_to_free_list marks the block free (FrameState::Buddy, order, type)
// before linking it.
void add_to_free_list(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt);
void add_to_free_list_tail(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt);
void del_page_from_free_list(Machine& m, Zone& z, Pfn p, Order order, MigrateType mt);
void move_to_free_list(Machine& m, Zone& z, Pfn p, Order order, MigrateType from, MigrateType to);

// __free_one_page(): put a block on the buddy lists, merging with free
// buddies up to MAX_ORDER-1.
void free_one_page(Machine& m, Zone& z, Pfn pfn, Order order, MigrateType mt, unsigned fpi);
// __free_pages_core(): a page leaving memblock's hands joins the buddy
// allocator (managed_pages grows), freed to the tail of its list.
void free_pages_core(Machine& m, Pfn pfn, Order order);
// free_reserved_area(): pages reserved at boot given back late ("Freeing
// unused kernel image ... memory"). Returns pages freed.
u64 free_reserved_area(Machine& m, Pfn start, Pfn end, const char* what);

// __rmqueue_smallest() + expand(): nullopt when no block of `mt` is large
// enough.
std::optional<Pfn> rmqueue_smallest(Machine& m, Zone& z, Order order, MigrateType mt);
// __rmqueue(): smallest first, then the fallback migrate types (honouring
// ALLOC_NOFRAGMENT; a fragmenting fallback boosts the watermark).
std::optional<Pfn> rmqueue(Machine& m, Zone& z, Order order, MigrateType mt, unsigned alloc_flags = 0);
// move_freepages_block(): every free block of the pageblock to `mt`'s lists.
u64 move_freepages_block(Machine& m, Zone& z, Pfn pfn, MigrateType mt, u64* movable);
// Marks a block allocated (state Alloc/AllocTail) with its owner.
void prep_new_page(Machine& m, Pfn pfn, Order order, Owner owner);

// The buddy of pfn at order: pfn ^ (1 << order).
constexpr Pfn find_buddy_pfn(Pfn pfn, Order order) { return pfn ^ (Pfn{1} << order); }

}  // namespace mm
