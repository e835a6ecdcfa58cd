// The machine's own helpers: sizing the memory map, page_zone(), the log.
#include "mm/core/machine.h"

namespace mm {

void MemMap::resize(Pfn n) {
  nr = n;
  state.assign(n, static_cast<std::uint8_t>(FrameState::Hole));
  order.assign(n, 0);
  owner.assign(n, 0);
  next.assign(n, NIL);
  prev.assign(n, NIL);
  pageblock_mt.assign((n >> pageblock_order) + 1, static_cast<std::uint8_t>(MigrateType::Movable));
  block_zone.clear();
  pflags.assign(n, 0);
  owner_id.assign(n, 0);
  mapper.assign(n, 0);
}

void Machine::take_own_objects() {
  (void)slub.get();
  (void)pressure.get();
}

Zone* Machine::page_zone(Pfn pfn) { return const_cast<Zone*>(static_cast<const Machine*>(this)->page_zone(pfn)); }

const Zone* Machine::page_zone(Pfn pfn) const {
  const Pfn block = pfn >> pageblock_order;
  if (block < mem.block_zone.size() && mem.block_zone[block] != MemMap::kMixedBlock) {
    const unsigned v = mem.block_zone[block];
    return &nodes[v / MAX_NR_ZONES].zones[v % MAX_NR_ZONES];
  }
  for (const Node& n : nodes) {
    if (pfn < n.node_start_pfn || pfn >= n.node_start_pfn + n.node_spanned_pages) continue;
    for (const Zone& z : n.zones)
      if (z.spanned_pages && z.spans(pfn)) return &z;
  }
  return nullptr;
}

void Machine::index_zones() {
  mem.block_zone.assign((mem.nr >> pageblock_order) + 1, MemMap::kMixedBlock);
  for (const Node& n : nodes)
    for (const Zone& z : n.zones) {
      if (!z.spanned_pages) continue;
      const std::uint16_t v = static_cast<std::uint16_t>(static_cast<unsigned>(n.id) * MAX_NR_ZONES + idx(z.type));
      // Only pageblocks wholly inside the zone get an entry.
      for (Pfn b = round_up(z.zone_start_pfn, pageblock_nr_pages) >> pageblock_order;
           ((b + 1) << pageblock_order) <= z.end_pfn() && b < mem.block_zone.size(); ++b)
        mem.block_zone.set(b, v);
    }
}

void Machine::printk(std::string line) {
  if (auto e = trace.step(Ev::printk)) e.line(line);
  log.push_back(std::move(line));
}

}  // namespace mm
