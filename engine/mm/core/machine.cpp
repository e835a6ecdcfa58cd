// The machine's own helpers: sizing the memory map, page_zone(), the log.
#include "mm/core/machine.h"

namespace mm {

void MemMap::resize(Pfn n) {
  nr = n;
  word.assign(n, frame_word::kHole);
  pageblock_mt.assign((n >> pageblock_order) + 1, static_cast<std::uint8_t>(MigrateType::Movable));
  block_zone.clear();
  pflags.assign(n, 0);
  owner_id.assign(n, 0);
  mapper.assign(n, 0);
  lru_next.assign(n, NIL);
  lru_prev.assign(n, NIL);
}

void MemMap::set_list_mt(Pfn p, MigrateType mt) {
  const frame_word::Word w = word[p];
  assert(frame_word::is_list_head(w) && "set_list_mt: not on a list");
  if (frame_word::tag(w) != frame_word::kHeadTag) {
    const bool pcp = frame_word::tag(w) >= frame_word::kPcpTag0;
    word.set(p, frame_word::with_tag(w, (pcp ? frame_word::kPcpTag0 : 0) + idx(mt)));
    return;
  }
  const frame_word::Word tail = word[p + 1];
  const Order order = frame_word::order(tail, 0);
  word.fill_head(p, p + (Pfn{1} << order), w,
                 frame_word::other(frame_word::state(tail, 0), order, static_cast<std::uint8_t>(idx(mt))));
}

void MemMap::export_states(CowArray<frame_word::Word>& shadow, std::vector<std::uint8_t>& out) const {
  if (out.size() != nr || shadow.size() != word.size()) {
    out.resize(nr);
    shadow.clear();
  }
  using A = CowArray<frame_word::Word>;
  std::vector<frame_word::Word> vals(A::kChunk);
  for (std::size_t c = 0; c < word.chunk_count(); ++c) {
    if (shadow.size() == word.size() && word.shares_chunk(shadow, c)) continue;
    const std::size_t lo = c * A::kChunk, n = word.chunk_size(c);
    word.copy_out(lo, n, vals.data());
    for (std::size_t i = 0; i < n; ++i)
      out[lo + i] = static_cast<std::uint8_t>(frame_word::state(vals[i], i + 1 < n ? vals[i + 1] : frame_word::kHole));
  }
  shadow = word;
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
