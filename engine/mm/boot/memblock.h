// memblock: the boot-time allocator (mm/memblock.c).
//
// Two region arrays: `memory` (what RAM exists, with its node) and
// `reserved` (what early boot has claimed). Invariants, checked by
// Memblock::check():
//   regions of a type are sorted by base, non-empty and disjoint;
//   two neighbours that touch and share nid and flags are merged into one.
// Free memory is memory minus reserved; allocations search it top-down (the
// default) or bottom-up below `current_limit` and reserve what they find.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/event.h"
#include "mm/core/types.h"

namespace mm {

inline constexpr int MEMBLOCK_NO_NODE = static_cast<int>(MAX_NUMNODES);  // "no node yet"
inline constexpr Phys MEMBLOCK_ALLOC_ANYWHERE = ~Phys{0};
inline constexpr Phys MEMBLOCK_ALLOC_ACCESSIBLE = 0;

struct MemblockRegion {
  Phys base = 0;
  Phys size = 0;
  unsigned flags = 0;
  int nid = MEMBLOCK_NO_NODE;
  Phys end() const { return base + size; }
  bool operator==(const MemblockRegion&) const = default;
};

struct MemblockType {
  const char* name = "";
  std::vector<MemblockRegion> regions;
  Phys total_size = 0;  // as the kernel keeps it (trim does not update it)

  void add_range(Phys base, Phys size, int nid, unsigned flags);
  void remove_range(Phys base, Phys size);
  void set_node(Phys base, Phys size, int nid);
  // Split regions so that [base, base+size) is covered by whole regions;
  // returns the index range [first, last) of those regions.
  std::pair<size_t, size_t> isolate_range(Phys base, Phys size);
  void merge_regions();
  bool overlaps(Phys base, Phys size) const;
};

struct FreeRange {
  Phys start, end;
  int nid;
};

class Memblock {
 public:
  Memblock();

  MemblockType memory;
  MemblockType reserved;
  bool bottom_up = false;
  Phys current_limit = MEMBLOCK_ALLOC_ANYWHERE;

  // Each operation emits one event named after the kernel function, once
  // the regions hold the change; `caller` is the kernel's caller as
  // memblock=debug prints it (may be empty).
  void add(Phys base, Phys size, int nid, Trace* t, std::string_view caller = {});
  void remove(Phys base, Phys size, Trace* t, std::string_view caller = {});
  void reserve(Phys base, Phys size, Trace* t, std::string_view caller = {});
  void phys_free(Phys base, Phys size, Trace* t, std::string_view caller = {});
  void trim_memory(Phys align, Trace* t = nullptr);
  // memblock_set_node() on memory: [base, base+size) belongs to node nid.
  void set_node(Phys base, Phys size, int nid, Trace* t = nullptr);

  // memblock_find_in_range_node(): 0 when nothing fits.
  Phys find_in_range_node(Phys size, Phys align, Phys start, Phys end, int nid) const;
  // memblock_alloc_range_nid(): find, fall back to any node unless exact_nid,
  // reserve. Returns 0 on failure.
  Phys alloc_range_nid(Phys size, Phys align, Phys start, Phys end, int nid, bool exact_nid, Trace* t,
                       std::string_view caller = {});
  // memblock_alloc_try_nid() and friends: cap at current_limit, retry
  // without the lower limit.
  Phys alloc_try_nid(Phys size, Phys align, Phys min_addr, Phys max_addr, int nid, bool exact_nid, Trace* t,
                     std::string_view caller = {});

  // Memory minus reserved, in address order, optionally for one node.
  std::vector<FreeRange> free_ranges(int nid = NUMA_NO_NODE) const;
  bool is_reserved(Phys addr) const;

  // The kernel's "MEMBLOCK configuration:" dump, line by line.
  std::vector<std::string> dump() const;
  // Violated invariants, each as a sentence; empty when all hold.
  std::vector<std::string> check() const;
};

std::string hex18(u64 v);  // "0x%016llx" as memblock prints addresses

}  // namespace mm
