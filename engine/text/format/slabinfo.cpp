#include "text/format/slabinfo.h"

#include <cstdio>

namespace mm {

namespace {
std::string num(u64 v) { return std::to_string(v); }
std::string hex16(u64 a) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(a));
  return b;
}
}  // namespace

std::string format_slab_flags(u32 flags) {
  std::string s;
  for (const SlabFlagName& f : kSlabFlagNames)
    if (flags & f.bit) {
      s += (s.empty() ? "" : "|") + std::string(f.name);
      flags &= ~f.bit;
    }
  if (flags) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", flags);
    s += (s.empty() ? "" : "|") + std::string(b);
  }
  return s.empty() ? "0" : s;
}

// cache_show(): the objsize column is s->size, the slot with metadata.
std::string proc_slabinfo(const Machine& m) {
  std::string out =
      "slabinfo - version: 2.1\n"
      "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables "
      "<limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
  if (!m.slub) return out;
  const SlubState& st = *m.slub.get();
  for (u32 id : st.list) {
    const KmemCache& s = st.caches[id];
    const SlabinfoCounts c = slabinfo_counts(st, s);
    char b[256];
    std::snprintf(b, sizeof b, "%-17s %6llu %6llu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6llu %6llu %6llu\n",
                  s.name.c_str(), static_cast<unsigned long long>(c.active_objs),
                  static_cast<unsigned long long>(c.num_objs), s.g.size, s.g.objects, 1 << s.g.order, 0u, 0u, 0u,
                  static_cast<unsigned long long>(c.slabs), static_cast<unsigned long long>(c.slabs), 0ull);
    out += b;
  }
  return out;
}

std::string slab_picture(const Slab& s) {
  std::string p;
  for (ObjState o : s.state) p += o == ObjState::Allocated ? '#' : o == ObjState::CpuFree ? 'c' : '.';
  return p;
}

std::string slab_view(const Machine& m, u32 id) {
  const KmemCache* sp = cache_of(m, id);
  if (!sp) return "no such cache\n";
  const KmemCache& s = *sp;
  const SlubState& st = *m.slub.get();
  const CacheGeometry& g = s.g;
  std::string out = s.name + ": object_size " + num(g.object_size) + ", size " + num(g.size) + ", align " +
                    num(g.align) + ", inuse " + num(g.inuse) + ", free pointer at offset " + num(g.offset) +
                    (g.red_left_pad ? ", red_left_pad " + num(g.red_left_pad) : std::string()) + "\n";
  out += "  order " + num(g.order) + " (" + num(g.objects) + " objects, " + num(PAGE_SIZE << g.order) + " bytes, " +
         num((PAGE_SIZE << g.order) - u64{g.objects} * g.size) + " wasted), min order " + num(g.min_order) + " (" +
         num(g.min_objects) + " objects), min_partial " + num(g.min_partial) + ", cpu_partial " + num(g.cpu_partial) +
         " (" + num(g.cpu_partial_slabs) + " slabs), flags " + format_slab_flags(g.flags) + ", refcount " +
         std::to_string(s.refcount) + "\n";
  if (!s.aliases.empty()) {
    out += "  aliases:";
    for (const std::string& a : s.aliases) out += " " + a;
    out += "\n";
  }
  auto show = [&](const Slab& sl, const std::vector<u32>* cpu_fl) {
    out += "  slab pfn " + num(sl.pfn) + " (order " + num(sl.order) + ", node " + num(sl.node) + ") " +
           to_string(sl.place) + (sl.cpu >= 0 ? " of CPU " + num(sl.cpu) : std::string()) +
           (sl.frozen ? ", frozen" : "") + ", inuse " + num(sl.inuse) + "/" + num(sl.objects) + "  [" +
           slab_picture(sl) + "]\n";
    std::vector<long long> next(sl.objects, -1);
    auto chain = [&](const std::vector<u32>& fl, const char* what) {
      if (fl.empty()) return;
      out += std::string("    ") + what + ":";
      for (size_t k = 0; k < fl.size(); ++k) {
        out += " " + num(fl[k]);
        if (k + 1 < fl.size()) next[fl[k]] = fl[k + 1];
      }
      out += " -> NULL\n";
    };
    if (cpu_fl) chain(*cpu_fl, "cpu freelist");
    chain(sl.freelist, "slab freelist");
    for (u32 i = 0; i < sl.objects; ++i) {
      out += "    [" + num(i) + "] " + hex16(object_address(s, sl, i)) + " ";
      switch (sl.state[i]) {
        case ObjState::Allocated: out += "allocated"; break;
        case ObjState::CpuFree: out += "free (cpu freelist)"; break;
        case ObjState::SlabFree: out += "free (slab freelist)"; break;
      }
      if (sl.state[i] != ObjState::Allocated)
        out += next[i] >= 0 ? ", next free: [" + num(static_cast<u64>(next[i])) + "]" : ", next free: NULL";
      out += "\n";
    }
  };
  for (size_t c = 0; c < s.cpu.size(); ++c) {
    const KmemCacheCpu& kc = s.cpu[c];
    if (kc.slab != NO_SLAB) show(st.slabs.at(kc.slab), &kc.freelist);
    for (Pfn p : kc.partial) show(st.slabs.at(p), nullptr);
  }
  for (const KmemCacheNode& n : s.node) {
    for (Pfn p : n.partial) show(st.slabs.at(p), nullptr);
    for (Pfn p : n.full) show(st.slabs.at(p), nullptr);
  }
  for (const auto& [pfn, sl] : st.slabs)
    if (sl.cache == id && sl.place == SlabPlace::Full) show(sl, nullptr);
  return out;
}

}  // namespace mm
