// Read-only views of a Machine for the page: the frame map's colours, the
// structures as JSON (the schema is the TypeScript in wasm/mm-engine.d.ts,
// "The machine at the player's cursor"), one frame's story, one slab cache's
// slabs, a free list's blocks, and whether a block may be freed by hand.
//
// Every figure is read from the engine's own state and owners (NR_FREE_PAGES,
// pcp->count, the slub lists, oom_badness); nothing here recomputes what an
// allocator decides. All functions are deterministic, do no I/O, never throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine.h"

namespace mm {

// How the page's frame map colours a frame. Values are a contract with the
// page (CellKind in mm-engine.d.ts).
enum class CellKind : std::uint8_t {
  Hole = 0,
  Reserved = 1,
  Uninit = 2,
  Free = 3,       // on a buddy list (any migrate type, isolated included)
  Pcp = 4,        // on a per-CPU list
  Kernel = 5,     // alloc_pages for the kernel (GFP_KERNEL...), kmalloc_large
  PageTable = 6,  // a task's page tables, the kernel's boot-time ones
  Slab = 7,
  Anon = 8,  // a task's anonymous or shmem page
  PageCache = 9,
  Other = 10,  // allocated, no task or cache behind it (a movable alloc_pages)
};
inline constexpr unsigned NR_CELL_KINDS = 11;

// One byte per pfn 0..mem.nr-1: (order << 4) | CellKind, where order is the
// order of the free block / pcp page / allocation holding the frame (0 when
// it is in none). Resizes `out`. One pass over runs: tails take their
// head's kind and order.
// Machines of more than kMaxMapCells frames (16 GiB) get one cell per
// 1 << map_shift(frames) frames: the kind most of them have, with the
// largest order of that kind's blocks there. map_cells_range() gives a
// window of up to kMaxMapCells frames one cell per frame (a zoomed-in map).
inline constexpr u64 kMaxMapCells = u64{1} << 22;
unsigned map_shift(Pfn frames);
void map_cells(const Machine& m, std::vector<std::uint8_t>& out);
Expected<std::vector<std::uint8_t>> map_cells_range(const Machine& m, u64 first, u64 count);
inline CellKind cell_kind(std::uint8_t cell) { return static_cast<CellKind>(cell & 0x0f); }
inline unsigned cell_order(std::uint8_t cell) { return cell >> 4; }

// MachineState as compact JSON.
std::string state_json(const Machine& m);
// FrameInfo as compact JSON; a pfn >= mem.nr gives ok:false and an error.
std::string frame_info_json(const Machine& m, u64 pfn);
// CacheDetail as compact JSON; an unknown cache (or alias) is a Diagnostic.
Expected<std::string> cache_detail_json(const Machine& m, std::string_view cache);

// The first `limit` blocks of free_area[order].free_list[mt] of one zone,
// head first (the order __rmqueue_smallest takes them). Empty for indices
// that name no list.
std::vector<Pfn> free_blocks(const Machine& m, int node, int zone_type, int order, int mt, std::size_t limit);

// Whether freeing the block at `pfn` by hand (Playground::free_block) keeps
// every owner's bookkeeping intact: true only for the head of a live block a
// user took with alloc_pages (not a slab, a kmalloc_large, a task's page or
// page table, page cache, or the kernel's boot allocations). When false,
// `why` names the owner in one sentence.
bool frame_freeable(const Machine& m, Pfn pfn, std::string* why = nullptr);

}  // namespace mm
