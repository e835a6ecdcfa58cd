// memblock region arithmetic, after mm/memblock.c: insert the parts of a
// range not yet covered, merge touching neighbours, isolate a range into
// whole regions before removing or re-labelling it.
#include "mm/boot/memblock.h"

#include <algorithm>
#include <cstdio>

namespace mm {

std::string hex18(u64 v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
  return b;
}

namespace {
// memblock_cap_size(): keep base+size from wrapping.
Phys cap_size(Phys base, Phys size) { return std::min(size, ~Phys{0} - base); }

// One event for a range operation, filled once the change is made.
void emit(Trace* t, Ev code, Phys base, Phys size, std::string_view caller) {
  if (!t) return;
  if (auto e = t->step(code)) e.base(base).last(base + size - 1).size(size).caller(caller);
}
}  // namespace

void MemblockType::add_range(Phys base, Phys size, int nid, unsigned flags) {
  size = cap_size(base, size);
  if (!size) return;
  const Phys end = base + size;
  // Only the parts of [base, end) that no region covers yet are inserted.
  std::vector<MemblockRegion> pieces;
  Phys cur = base;
  for (const MemblockRegion& r : regions) {
    if (r.end() <= cur) continue;
    if (r.base >= end) break;
    if (r.base > cur) pieces.push_back({cur, r.base - cur, flags, nid});
    cur = std::min(r.end(), end);
    if (cur >= end) break;
  }
  if (cur < end) pieces.push_back({cur, end - cur, flags, nid});
  for (const MemblockRegion& p : pieces) {
    total_size += p.size;
    auto at = std::lower_bound(regions.begin(), regions.end(), p.base,
                               [](const MemblockRegion& r, Phys b) { return r.base < b; });
    regions.insert(at, p);
  }
  merge_regions();
}

void MemblockType::merge_regions() {
  size_t i = 0;
  while (i + 1 < regions.size()) {
    MemblockRegion& a = regions[i];
    const MemblockRegion& b = regions[i + 1];
    if (a.end() != b.base || a.nid != b.nid || a.flags != b.flags) {
      ++i;
      continue;
    }
    a.size += b.size;
    regions.erase(regions.begin() + static_cast<std::ptrdiff_t>(i) + 1);
  }
}

std::pair<size_t, size_t> MemblockType::isolate_range(Phys base, Phys size) {
  size = cap_size(base, size);
  const Phys end = base + size;
  size_t first = 0, last = 0;
  bool found = false;
  for (size_t i = 0; i < regions.size(); ++i) {
    MemblockRegion r = regions[i];
    if (r.base >= end) break;
    if (r.end() <= base) continue;
    if (r.base < base) {
      // Intersects from below: split off the lower part, look at the upper.
      MemblockRegion lower = r;
      lower.size = base - r.base;
      regions[i].base = base;
      regions[i].size = r.end() - base;
      regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(i), lower);
      continue;  // next iteration sees the upper half at i+1
    }
    if (r.end() > end) {
      // Intersects from above: split off the upper part, keep the lower.
      MemblockRegion upper = r;
      upper.base = end;
      upper.size = r.end() - end;
      regions[i].size = end - r.base;
      regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(i) + 1, upper);
    }
    if (!found) first = i;
    found = true;
    last = i + 1;
  }
  if (!found) return {0, 0};
  return {first, last};
}

void MemblockType::remove_range(Phys base, Phys size) {
  auto [first, last] = isolate_range(base, size);
  for (size_t i = first; i < last; ++i) total_size -= regions[i].size;
  regions.erase(regions.begin() + static_cast<std::ptrdiff_t>(first),
                regions.begin() + static_cast<std::ptrdiff_t>(last));
}

void MemblockType::set_node(Phys base, Phys size, int nid) {
  auto [first, last] = isolate_range(base, size);
  for (size_t i = first; i < last; ++i) regions[i].nid = nid;
  merge_regions();
}

bool MemblockType::overlaps(Phys base, Phys size) const {
  size = cap_size(base, size);
  for (const MemblockRegion& r : regions)
    if (r.base < base + size && base < r.end()) return true;
  return false;
}

Memblock::Memblock() {
  memory.name = "memory";
  reserved.name = "reserved";
}

void Memblock::add(Phys base, Phys size, int nid, Trace* t, std::string_view caller) {
  memory.add_range(base, size, nid, 0);
  emit(t, Ev::memblock_add, base, size, caller);
}

void Memblock::remove(Phys base, Phys size, Trace* t, std::string_view caller) {
  memory.remove_range(base, size);
  emit(t, Ev::memblock_remove, base, size, caller);
}

void Memblock::reserve(Phys base, Phys size, Trace* t, std::string_view caller) {
  reserved.add_range(base, size, MEMBLOCK_NO_NODE, 0);
  emit(t, Ev::memblock_reserve, base, size, caller);
}

void Memblock::phys_free(Phys base, Phys size, Trace* t, std::string_view caller) {
  reserved.remove_range(base, size);
  emit(t, Ev::memblock_phys_free, base, size, caller);
}

void Memblock::set_node(Phys base, Phys size, int nid, Trace* t) {
  memory.set_node(base, size, nid);
  if (!t) return;
  if (auto e = t->step(Ev::memblock_set_node)) e.node(nid).base(base).last(base + size - 1).size(size);
}

// memblock_trim_memory(): shrink every memory region to whole `align`
// units; regions that vanish are removed. total_size is left as it was,
// which is why the kernel's first dump shows a memory size that is not a
// whole number of pages.
void Memblock::trim_memory(Phys align, Trace* t) {
  std::vector<MemblockRegion> out;
  for (MemblockRegion r : memory.regions) {
    Phys start = round_up(r.base, align);
    Phys end = round_down(r.end(), align);
    if (start >= end) continue;
    r.base = start;
    r.size = end - start;
    out.push_back(r);
  }
  memory.regions = std::move(out);
  if (!t) return;
  if (auto e = t->step(Ev::memblock_trim_memory)) e.align(align);
}

std::vector<FreeRange> Memblock::free_ranges(int nid) const {
  std::vector<FreeRange> out;
  size_t j = 0;
  const auto& res = reserved.regions;
  for (const MemblockRegion& m : memory.regions) {
    if (nid != NUMA_NO_NODE && m.nid != nid) continue;
    Phys cur = m.base;
    while (j > 0 && res[j - 1].end() > cur) --j;  // reserved may straddle memory regions
    for (size_t k = j; k < res.size() && cur < m.end(); ++k) {
      const MemblockRegion& r = res[k];
      if (r.end() <= cur) {
        j = k + 1;
        continue;
      }
      if (r.base >= m.end()) break;
      if (r.base > cur) out.push_back({cur, r.base, m.nid});
      cur = std::max(cur, r.end());
    }
    if (cur < m.end()) out.push_back({cur, m.end(), m.nid});
  }
  return out;
}

bool Memblock::is_reserved(Phys addr) const { return reserved.overlaps(addr, 1); }

Phys Memblock::find_in_range_node(Phys size, Phys align, Phys start, Phys end, int nid) const {
  if (end == MEMBLOCK_ALLOC_ACCESSIBLE) end = current_limit;
  start = std::max<Phys>(start, PAGE_SIZE);  // never hand out the first page
  end = std::max(start, end);
  if (!align || !is_pow2(align)) align = 64;
  std::vector<FreeRange> ranges = free_ranges(nid);
  if (bottom_up) {
    for (const FreeRange& f : ranges) {
      Phys s = std::clamp(f.start, start, end), e = std::clamp(f.end, start, end);
      Phys cand = round_up(s, align);
      if (cand < e && e - cand >= size) return cand;
    }
    return 0;
  }
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
    Phys s = std::clamp(it->start, start, end), e = std::clamp(it->end, start, end);
    if (e < size) continue;
    Phys cand = round_down(e - size, align);
    if (cand >= s) return cand;
  }
  return 0;
}

Phys Memblock::alloc_range_nid(Phys size, Phys align, Phys start, Phys end, int nid, bool exact_nid, Trace* t,
                               std::string_view caller) {
  if (!size) return 0;
  Phys found = find_in_range_node(size, align, start, end, nid);
  if (!found && nid != NUMA_NO_NODE && !exact_nid) found = find_in_range_node(size, align, start, end, NUMA_NO_NODE);
  if (found) reserve(found, size, t, caller.empty() ? "memblock_alloc_range_nid" : caller);
  return found;
}

Phys Memblock::alloc_try_nid(Phys size, Phys align, Phys min_addr, Phys max_addr, int nid, bool exact_nid, Trace* t,
                             std::string_view caller) {
  if (max_addr > current_limit) max_addr = current_limit;
  Phys found = alloc_range_nid(size, align, min_addr, max_addr, nid, exact_nid, t, caller);
  if (!found && min_addr) found = alloc_range_nid(size, align, 0, max_addr, nid, exact_nid, t, caller);
  return found;
}

std::vector<std::string> Memblock::dump() const {
  std::vector<std::string> out;
  char b[160];
  out.push_back("MEMBLOCK configuration:");
  std::snprintf(b, sizeof b, " memory size = %s reserved size = %s", hex18(memory.total_size).c_str(),
                hex18(reserved.total_size).c_str());
  out.push_back(b);
  for (const MemblockType* type : {&memory, &reserved}) {
    std::snprintf(b, sizeof b, " %s.cnt  = 0x%zx", type->name, type->regions.size());
    out.push_back(b);
    for (size_t i = 0; i < type->regions.size(); ++i) {
      const MemblockRegion& r = type->regions[i];
      std::string nidbuf;
      if (r.nid != MEMBLOCK_NO_NODE) nidbuf = " on node " + std::to_string(r.nid);
      std::snprintf(b, sizeof b, " %s[0x%zx]\t[%s-%s], %s bytes%s flags: 0x%x", type->name, i, hex18(r.base).c_str(),
                    hex18(r.end() - 1).c_str(), hex18(r.size).c_str(), nidbuf.c_str(), r.flags);
      out.push_back(b);
    }
  }
  return out;
}

std::vector<std::string> Memblock::check() const {
  std::vector<std::string> v;
  for (const MemblockType* type : {&memory, &reserved}) {
    const auto& r = type->regions;
    for (size_t i = 0; i < r.size(); ++i) {
      if (r[i].size == 0) v.push_back(std::string("memblock.") + type->name + ": empty region");
      if (i + 1 < r.size()) {
        if (r[i].end() > r[i + 1].base)
          v.push_back(std::string("memblock.") + type->name + ": regions overlap or are unsorted at " +
                      hex18(r[i + 1].base));
        else if (r[i].end() == r[i + 1].base && r[i].nid == r[i + 1].nid && r[i].flags == r[i + 1].flags)
          v.push_back(std::string("memblock.") + type->name + ": touching regions not merged at " +
                      hex18(r[i + 1].base));
      }
    }
  }
  return v;
}

}  // namespace mm
