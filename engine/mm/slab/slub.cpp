// SLUB: geometry, boot, the allocation and free paths, cache management.
// See slub.h for the overview and the invariants.
#include "mm/slab/slub.h"

#include "mm/core/deep_ptr_impl.h"

#include <algorithm>
#include <cstdio>

#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/page_alloc.h"

namespace mm {

// ---- SlubPtr: Machine's hook, deep-copying ---------------------------------

template struct DeepPtr<SlubState>;  // copy-on-write for Machine snapshots

// ---- names ---------------------------------------------------------------------

const char* to_string(SlabPlace p) {
  switch (p) {
    case SlabPlace::CpuSlab: return "cpu slab";
    case SlabPlace::CpuPartial: return "cpu partial";
    case SlabPlace::NodePartial: return "node partial";
    case SlabPlace::NodeFull: return "node full";
    case SlabPlace::Full: return "full";
  }
  return "?";
}

// ---- geometry ------------------------------------------------------------------

namespace {
constexpr u32 WORD = 8;         // sizeof(void *)
constexpr u32 TRACK_SIZE = 32;  // sizeof(struct track) with CONFIG_STACKDEPOT
constexpr u32 MAX_OBJS_PER_PAGE = 32767;
constexpr u32 MIN_PARTIAL = 5, MAX_PARTIAL = 10;
constexpr u32 SHRINK_PROMOTE_MAX = 32;
constexpr u32 ARCH_KMALLOC_MINALIGN = 8;

u32 align_up(u32 x, u32 a) { return (x + a - 1) / a * a; }
u32 order_objects(Order order, u32 size) { return static_cast<u32>((PAGE_SIZE << order) / size); }
Order get_order(u64 size) {
  Order o = 0;
  while ((PAGE_SIZE << o) < size) ++o;
  return o;
}
unsigned fls(u64 x) {
  unsigned n = 0;
  while (x) {
    ++n;
    x >>= 1;
  }
  return n;
}
unsigned ilog2(u64 x) { return x ? fls(x) - 1 : 0; }

// calc_slab_order(): the lowest order from which `min_objects` fit and the
// leftover is at most 1/fract_leftover of the slab; max_order + 1 if none.
Order calc_slab_order(u32 size, u32 min_objects, Order max_order, u32 fract_leftover) {
  if (order_objects(0, size) > MAX_OBJS_PER_PAGE) return get_order(u64{size} * MAX_OBJS_PER_PAGE) - 1;
  Order order = get_order(u64{min_objects} * size);
  for (; order <= max_order; ++order) {
    const u64 slab_size = PAGE_SIZE << order;
    if (slab_size % size <= slab_size / fract_leftover) break;
  }
  return order;
}
}  // namespace

u32 calculate_alignment(u32 flags, u32 align, u32 size) {
  if (flags & slabf::HWCACHE_ALIGN) {
    // Small objects share a cache line rather than each wasting one.
    u32 ralign = CACHE_LINE_SIZE;
    while (size <= ralign / 2) ralign /= 2;
    align = std::max(align, ralign);
  }
  align = std::max(align, ARCH_KMALLOC_MINALIGN);  // arch_slab_minalign()
  return align_up(align, WORD);
}

u32 slub_min_objects(unsigned nr_present_cpus, unsigned nr_cpu_ids) {
  unsigned nr = nr_present_cpus <= 1 ? nr_cpu_ids : nr_present_cpus;
  return 4 * (fls(nr) + 1);
}

// Try the preferred number of objects with waste of at most 1/16, 1/8, 1/4
// of the slab; then fewer objects; then a single object up to
// slub_max_order; then a single object at any order.
int calculate_order(u32 size, u32 min_objects) {
  const u32 max_objects = order_objects(SLUB_MAX_ORDER, size);
  min_objects = std::min(min_objects, max_objects);
  while (min_objects > 1) {
    for (u32 fraction = 16; fraction >= 4; fraction /= 2) {
      const Order order = calc_slab_order(size, min_objects, SLUB_MAX_ORDER, fraction);
      if (order <= SLUB_MAX_ORDER) return static_cast<int>(order);
    }
    --min_objects;
  }
  Order order = calc_slab_order(size, 1, SLUB_MAX_ORDER, 1);
  if (order <= SLUB_MAX_ORDER) return static_cast<int>(order);
  order = calc_slab_order(size, 1, MAX_ORDER, 1);
  if (order < MAX_ORDER) return static_cast<int>(order);
  return -1;
}

// kmem_cache_open(): calculate_sizes() lays one object out as
//   [red_left_pad][object ... | red zone word][free pointer if outside]
//   [2 x struct track][orig size][red zone pad] -> aligned to `align`
// then the order, min_partial and the CPU partial limits follow.
std::optional<CacheGeometry> compute_geometry(u32 object_size, u32 align, u32 flags, unsigned nr_cpus) {
  CacheGeometry g;
  g.object_size = object_size;
  g.align = align;
  u32 size = align_up(object_size, WORD);
  if ((flags & slabf::POISON) && !(flags & slabf::TYPESAFE_BY_RCU))
    flags |= slabf::OBJECT_POISON;
  else
    flags &= ~slabf::OBJECT_POISON;
  // Red zoning needs at least a word between object and free pointer.
  if ((flags & slabf::RED_ZONE) && size == object_size) size += WORD;
  g.inuse = size;
  if ((flags & (slabf::TYPESAFE_BY_RCU | slabf::POISON)) || ((flags & slabf::RED_ZONE) && object_size < WORD)) {
    // The object's first word may not be overwritten: free pointer after it.
    g.offset = size;
    size += WORD;
  } else {
    // Mid-object, away from the edges neighbours overflow into.
    g.offset = (object_size / 2) / WORD * WORD;
  }
  if (flags & slabf::STORE_USER) {
    size += 2 * TRACK_SIZE;
    if (flags & slabf::KMALLOC) size += 4;  // the original kmalloc size
  }
  if (flags & slabf::RED_ZONE) {
    size += WORD;
    g.red_left_pad = align_up(WORD, align);
    size += g.red_left_pad;
  }
  size = align_up(size, align);
  g.size = size;
  g.flags = flags;
  const int order = calculate_order(size, slub_min_objects(nr_cpus, nr_cpus));
  if (order < 0) return std::nullopt;
  g.order = static_cast<Order>(order);
  g.objects = order_objects(g.order, size);
  g.min_order = get_order(size);
  g.min_objects = order_objects(g.min_order, size);
  if (!g.objects) return std::nullopt;
  if (g.order) g.allocflags |= gfp::COMP;
  if (flags & slabf::CACHE_DMA) g.allocflags |= gfp::DMA;
  if (flags & slabf::CACHE_DMA32) g.allocflags |= gfp::DMA32;
  if (flags & slabf::RECLAIM_ACCOUNT) g.allocflags |= gfp::RECLAIMABLE;
  // Bigger objects keep more partial slabs to spare the page allocator.
  g.min_partial = std::clamp<u32>(ilog2(size) / 2, MIN_PARTIAL, MAX_PARTIAL);
  // set_cpu_partial(): an object budget, turned into slabs assuming the
  // slabs on the list are half full.
  u32 nr_objects = 0;
  if (!(flags & slabf::DEBUG_FLAGS)) {
    if (size >= PAGE_SIZE)
      nr_objects = 6;
    else if (size >= 1024)
      nr_objects = 24;
    else if (size >= 256)
      nr_objects = 52;
    else
      nr_objects = 120;
  }
  g.cpu_partial = nr_objects;
  g.cpu_partial_slabs = (nr_objects * 2 + g.objects - 1) / g.objects;
  return g;
}

// ---- helpers over the state ---------------------------------------------------

namespace {

SlubState& S(Machine& m) { return *m.slub.get(); }
const SlubState& S(const Machine& m) { return *m.slub.get(); }

// An address in a Diagnostic, as SLUB's own reports print a pointer.
std::string hex16(u64 a) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(a));
  return b;
}

// splitmix64: get_random_u32() for the model, deterministic per seed.
u32 random_u32(SlubState& st) {
  u64 z = (st.rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<u32>((z ^ (z >> 31)) >> 32);
}

u64 slab_base(const Slab& sl) { return PAGE_OFFSET + PFN_PHYS(sl.pfn); }
u64 obj_addr(const KmemCache& s, const Slab& sl, u32 i) { return slab_base(sl) + s.g.red_left_pad + u64{i} * s.g.size; }

// numa_mem_id(): the CPU's node, or the nearest node with a kmem_cache_node.
int mem_node(const Machine& m, const KmemCache& s, int cpu) {
  const int nid = m.cpu_to_node.empty() ? 0 : m.cpu_to_node[static_cast<size_t>(cpu)];
  if (s.node[static_cast<size_t>(nid)].present) return nid;
  for (int o : m.nodes[static_cast<size_t>(nid)].node_order)
    if (s.node[static_cast<size_t>(o)].present) return o;
  for (size_t i = 0; i < s.node.size(); ++i)
    if (s.node[i].present) return static_cast<int>(i);
  return 0;
}

// ---- node lists (n->partial / n->full) ------------------------------------------

void add_partial(Machine& m, KmemCache& s, Slab& sl, bool tail) {
  KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
  if (tail)
    n.partial.push_back(sl.pfn);
  else
    n.partial.insert(n.partial.begin(), sl.pfn);
  sl.place = SlabPlace::NodePartial;
  sl.cpu = -1;
  if (auto e = m.trace.step(Ev::add_partial))
    e.pfn(sl.pfn).node(sl.node).cache(s.name).inuse(sl.inuse).objects(sl.objects).tail(tail).partial(n.partial.size());
}

void remove_from(std::vector<Pfn>& v, Pfn p) {
  auto it = std::find(v.begin(), v.end(), p);
  if (it != v.end()) v.erase(it);
}

void remove_partial(KmemCache& s, Slab& sl) {
  remove_from(s.node[static_cast<size_t>(sl.node)].partial, sl.pfn);
  sl.place = SlabPlace::Full;
}

// add_full(): only SLAB_STORE_USER caches keep a list of full slabs.
void add_full(KmemCache& s, Slab& sl) {
  if (s.g.flags & slabf::STORE_USER) {
    s.node[static_cast<size_t>(sl.node)].full.push_back(sl.pfn);
    sl.place = SlabPlace::NodeFull;
  } else {
    sl.place = SlabPlace::Full;
  }
  sl.cpu = -1;
}

void remove_full(KmemCache& s, Slab& sl) {
  if (sl.place == SlabPlace::NodeFull) remove_from(s.node[static_cast<size_t>(sl.node)].full, sl.pfn);
  sl.place = SlabPlace::Full;
}

// ---- slab pages ----------------------------------------------------------------------

// The freelist of a new slab: address order, or SLAB_FREELIST_RANDOM's
// shuffle: start at a random position of the cache's random sequence and
// walk it (wrapping), skipping indices a smaller (fallback) slab lacks.
std::vector<u32> initial_freelist(SlubState& st, const KmemCache& s, u32 objects, bool* shuffled) {
  std::vector<u32> fl;
  fl.reserve(objects);
  *shuffled = st.freelist_random && objects >= 2 && !s.random_seq.empty();
  if (!*shuffled) {
    for (u32 i = 0; i < objects; ++i) fl.push_back(i);
    return fl;
  }
  const u32 count = static_cast<u32>(s.random_seq.size());
  u32 pos = static_cast<u32>((u64{random_u32(st)} * count) >> 32);  // prandom_u32_max
  while (fl.size() < objects) {
    const u32 idx = s.random_seq[pos];
    pos = pos + 1 >= count ? 0 : pos + 1;
    if (idx < objects) fl.push_back(idx);
  }
  return fl;
}

constexpr gfp_t GFP_RECLAIM_MASK = gfp::RECLAIM | gfp::HIGH | gfp::IO | gfp::FS | gfp::NOWARN | gfp::RETRY_MAYFAIL |
                                   gfp::NOFAIL | gfp::NORETRY | gfp::MEMALLOC | gfp::NOMEMALLOC | gfp::ATOMIC;
constexpr gfp_t GFP_CONSTRAINT_MASK = gfp::HARDWALL | gfp::THISNODE;

// GFP_SLAB_BUG_MASK: bits a slab allocation may not ask for (a slab lives
// in the kernel's direct map: no highmem, no DMA32-only request).
constexpr gfp_t GFP_SLAB_BUG_MASK = gfp::DMA32 | gfp::HIGHMEM | ~gfp::BITS_MASK;

// kmalloc_fix_flags(): warn and strip them. The kernel does it where pages
// are needed (new_slab, kmalloc_order), so a request an existing slab can
// serve passes silently. (Its dump_stack() has no counterpart here.)
gfp_t kmalloc_fix_flags(Machine& m, gfp_t g) {
  if (!(g & GFP_SLAB_BUG_MASK)) return g;
  const gfp_t invalid = g & GFP_SLAB_BUG_MASK;
  const gfp_t fixed = g & ~GFP_SLAB_BUG_MASK;
  auto hex = [](gfp_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%#x", static_cast<unsigned>(v));
    return std::string(buf);
  };
  m.printk("Unexpected gfp: " + hex(invalid) + " (" + format_gfp(invalid) + "). Fixing up to gfp: " + hex(fixed) +
           " (" + format_gfp(fixed) + "). Fix your code!");
  if (auto e = m.trace.warn(Ev::kmalloc_fix_flags)) e.invalid(invalid).gfp(fixed);
  return fixed;
}

// allocate_slab(): the preferred order without reclaim (it may fail under
// pressure), then the minimum order with the caller's flags. The new slab
// is counted on its node (inc_slabs_node) and belongs to nobody yet.
Slab* allocate_slab(Machine& m, u32 id, gfp_t gfp, int node, int cpu) {
  SlubState& st = S(m);
  KmemCache& s = st.caches[id];
  TraceScope scope(m.trace, Ev::allocate_slab,
                   [&](EventRef& e) { e.order(s.g.order).cache(s.name).objects(s.g.objects); });
  const gfp_t flags = (gfp & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK)) | s.g.allocflags;
  gfp_t alloc_gfp = (flags | gfp::NOWARN | gfp::NORETRY) & ~gfp::NOFAIL;
  if ((alloc_gfp & gfp::DIRECT_RECLAIM) && s.g.order > s.g.min_order)
    alloc_gfp = (alloc_gfp | gfp::NOMEMALLOC) & ~gfp::RECLAIM;
  AllocRequest r;
  r.gfp = alloc_gfp;
  r.order = s.g.order;
  r.cpu = cpu;
  r.nid = node;
  r.owner = Owner::Slab;
  auto o = alloc_pages(m, r);
  Order order = s.g.order;
  if (!o || !o->ok) {
    r.gfp = flags;
    r.order = order = s.g.min_order;
    if (auto e = m.trace.step(Ev::allocate_slab_fallback)) e.order(order).cache(s.name).from_order(s.g.order);
    o = alloc_pages(m, r);
    if (!o || !o->ok) return nullptr;
  }
  Slab sl;
  sl.pfn = o->pfn;
  sl.order = order;
  sl.cache = id;
  sl.node = o->zone.node;
  sl.objects = order_objects(order, s.g.size);
  sl.state.assign(sl.objects, ObjState::SlabFree);
  bool shuffled = false;
  sl.freelist = initial_freelist(st, s, sl.objects, &shuffled);
  // A slab on a node without a kmem_cache_node would be lost: the model
  // only allocates on nodes with memory, which all have one.
  KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
  n.nr_slabs += 1;
  n.total_objects += sl.objects;
  Slab& added = st.slabs.emplace(sl.pfn, std::move(sl)).first->second;
  if (auto e = m.trace.step(Ev::new_slab))
    e.pfn(added.pfn)
        .order(order)
        .node(added.node)
        .cpu(cpu)
        .cache(s.name)
        .objects(added.objects)
        .shuffled(shuffled)
        .index(added.freelist.front());
  return &added;
}

// discard_slab(): uncount it on its node and give the pages back.
void discard_slab(Machine& m, KmemCache& s, Pfn pfn, int cpu) {
  SlubState& st = S(m);
  auto it = st.slabs.find(pfn);
  Slab& sl = it->second;
  KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
  n.nr_slabs -= 1;
  n.total_objects -= sl.objects;
  const Order order = sl.order;
  TraceScope scope(m.trace, Ev::discard_slab, [&](EventRef& e) { e.pfn(pfn).order(order).cache(s.name); });
  st.slabs.erase(it);
  Status f = free_pages(m, pfn, order, cpu);
  (void)f;  // a slab's pages are always a live allocation of this order (invariant)
}

// ---- freezing, unfreezing ------------------------------------------------------------

// __unfreeze_partials(): CPU partial slabs go to their node's partial list,
// except empty ones when the node already keeps min_partial slabs.
void unfreeze_partials(Machine& m, KmemCache& s, std::vector<Pfn> list, int cpu) {
  SlubState& st = S(m);
  TraceScope scope(m.trace, Ev::unfreeze_partials, [&](EventRef& e) { e.cpu(cpu).cache(s.name).count(list.size()); });
  std::vector<Pfn> discard;
  for (Pfn p : list) {
    Slab& sl = st.slabs.at(p);
    sl.frozen = false;
    sl.cpu = -1;
    KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
    if (!sl.inuse && n.partial.size() >= s.g.min_partial) {
      sl.place = SlabPlace::Full;
      discard.push_back(p);
    } else {
      add_partial(m, s, sl, true);
    }
  }
  for (Pfn p : discard) discard_slab(m, s, p, cpu);
}

// put_cpu_partial(): push a frozen slab on the CPU partial list; when
// `drain` and the list already holds cpu_partial_slabs, the old list is
// unfrozen first and the slab starts a new list.
void put_cpu_partial(Machine& m, KmemCache& s, Slab& sl, int cpu, bool drain) {
  KmemCacheCpu& c = s.cpu[static_cast<size_t>(cpu)];
  std::vector<Pfn> to_unfreeze;
  if (!c.partial.empty() && drain && c.partial.size() >= s.g.cpu_partial_slabs) to_unfreeze.swap(c.partial);
  c.partial.insert(c.partial.begin(), sl.pfn);
  sl.place = SlabPlace::CpuPartial;
  sl.cpu = cpu;
  sl.frozen = true;
  if (to_unfreeze.empty()) {
    if (auto e = m.trace.step(Ev::put_cpu_partial))
      e.pfn(sl.pfn)
          .cpu(cpu)
          .cache(s.name)
          .inuse(sl.inuse)
          .objects(sl.objects)
          .partial(c.partial.size())
          .max(s.g.cpu_partial_slabs);
    return;
  }
  // The new list holds this slab alone; the old one is unfrozen after.
  if (auto e = m.trace.step(Ev::put_cpu_partial_drain))
    e.pfn(sl.pfn)
        .cpu(cpu)
        .cache(s.name)
        .inuse(sl.inuse)
        .objects(sl.objects)
        .max(s.g.cpu_partial_slabs)
        .count(to_unfreeze.size());
  unfreeze_partials(m, s, std::move(to_unfreeze), cpu);
}

// deactivate_slab(): the CPU gives its slab up. The objects still on the
// CPU freelist go back onto the slab's freelist; the slab lands on the
// node's partial list (at the tail if others freed into it meanwhile), is
// discarded when empty and the node has min_partial slabs, or is listed
// nowhere when full.
void deactivate_slab(Machine& m, KmemCache& s, Pfn pfn, std::vector<u32> cpu_freelist, int cpu) {
  SlubState& st = S(m);
  Slab& sl = st.slabs.at(pfn);
  const bool tail = !sl.freelist.empty();
  for (u32 i : cpu_freelist) sl.state[i] = ObjState::SlabFree;
  sl.inuse -= static_cast<u32>(cpu_freelist.size());
  cpu_freelist.insert(cpu_freelist.end(), sl.freelist.begin(), sl.freelist.end());
  sl.freelist.swap(cpu_freelist);
  sl.frozen = false;
  sl.cpu = -1;
  // Off the CPU, on no list until its fate below puts it on one.
  sl.place = SlabPlace::Full;
  KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
  if (!sl.inuse && n.partial.size() >= s.g.min_partial) {
    if (auto e = m.trace.step(Ev::deactivate_empty))
      e.pfn(pfn)
          .node(sl.node)
          .cpu(cpu)
          .cache(s.name)
          .objects(sl.objects)
          .partial(n.partial.size())
          .min_partial(s.g.min_partial);
    discard_slab(m, s, pfn, cpu);
  } else if (!sl.freelist.empty()) {
    if (auto e = m.trace.step(Ev::deactivate_to_partial))
      e.pfn(pfn).cpu(cpu).cache(s.name).inuse(sl.inuse).objects(sl.objects);
    add_partial(m, s, sl, tail);
  } else {
    add_full(s, sl);
    if (auto e = m.trace.step(Ev::deactivate_full))
      e.pfn(pfn).cpu(cpu).cache(s.name).inuse(sl.inuse).objects(sl.objects);
  }
}

// __flush_cpu_slab(): the CPU slab and the CPU partial list of one CPU.
void flush_cpu_slab(Machine& m, KmemCache& s, int cpu) {
  KmemCacheCpu& c = s.cpu[static_cast<size_t>(cpu)];
  if (c.slab != NO_SLAB) {
    const Pfn p = c.slab;
    std::vector<u32> fl;
    fl.swap(c.freelist);
    c.slab = NO_SLAB;
    deactivate_slab(m, s, p, std::move(fl), cpu);
  }
  if (!c.partial.empty()) {
    std::vector<Pfn> list;
    list.swap(c.partial);
    unfreeze_partials(m, s, std::move(list), cpu);
  }
}

void flush_all(Machine& m, KmemCache& s) {
  for (size_t c = 0; c < s.cpu.size(); ++c) flush_cpu_slab(m, s, static_cast<int>(c));
}

// ---- allocation ------------------------------------------------------------------------

struct Got {
  Pfn pfn = 0;
  u32 index = 0;
};

// Makes `pfn` the CPU slab: its whole freelist moves to the CPU.
void install_cpu_slab(KmemCache& s, Slab& sl, int cpu) {
  KmemCacheCpu& c = s.cpu[static_cast<size_t>(cpu)];
  c.slab = sl.pfn;
  c.freelist.swap(sl.freelist);
  sl.freelist.clear();
  for (u32 i : c.freelist) sl.state[i] = ObjState::CpuFree;
  sl.inuse = sl.objects;
  sl.frozen = true;
  sl.place = SlabPlace::CpuSlab;
  sl.cpu = cpu;
}

// get_partial_node(): take the first partial slab of node n for the CPU,
// and keep moving slabs to the CPU partial list until more than half of
// cpu_partial_slabs were moved.
bool get_partial_node(Machine& m, KmemCache& s, int nid, int cpu) {
  KmemCacheNode& n = s.node[static_cast<size_t>(nid)];
  if (n.partial.empty()) return false;
  SlubState& st = S(m);
  TraceScope scope(m.trace, Ev::get_partial_node,
                   [&](EventRef& e) { e.node(nid).cache(s.name).partial(n.partial.size()); });
  bool object = false;
  u32 partial_slabs = 0;
  const std::vector<Pfn> snapshot = n.partial;
  for (Pfn p : snapshot) {
    Slab& sl = st.slabs.at(p);
    remove_partial(s, sl);
    if (!object) {
      install_cpu_slab(s, sl, cpu);
      object = true;
      if (auto e = m.trace.step(Ev::acquire_slab))
        e.pfn(p).cpu(cpu).cache(s.name).free_objects(s.cpu[static_cast<size_t>(cpu)].freelist.size());
    } else {
      put_cpu_partial(m, s, sl, cpu, false);
      ++partial_slabs;
    }
    if (!s.g.cpu_partial_slabs || partial_slabs > s.g.cpu_partial_slabs / 2) break;
  }
  return object;
}

// The debug path: one object at a time, slabs stay on the node lists.
std::optional<Got> alloc_debug(Machine& m, u32 id, gfp_t gfp, int node, int cpu) {
  SlubState& st = S(m);
  KmemCache& s = st.caches[id];
  const int nid = node == NUMA_NO_NODE ? mem_node(m, s, cpu) : node;
  KmemCacheNode& n = s.node[static_cast<size_t>(nid)];
  if (!n.partial.empty()) {
    Slab& sl = st.slabs.at(n.partial.front());
    const u32 i = sl.freelist.front();
    sl.freelist.erase(sl.freelist.begin());
    sl.state[i] = ObjState::Allocated;
    ++sl.inuse;
    if (sl.inuse == sl.objects) {
      remove_partial(s, sl);
      add_full(s, sl);
    }
    if (auto e = m.trace.step(Ev::alloc_single_from_partial))
      e.pfn(sl.pfn).cache(s.name).index(i).addr(obj_addr(s, sl, i)).inuse(sl.inuse).objects(sl.objects);
    return Got{sl.pfn, i};
  }
  Slab* sl = allocate_slab(m, id, kmalloc_fix_flags(m, gfp), node, cpu);  // new_slab()
  if (!sl) return std::nullopt;
  KmemCache& s2 = st.caches[id];
  const u32 i = sl->freelist.front();
  sl->freelist.erase(sl->freelist.begin());
  sl->state[i] = ObjState::Allocated;
  sl->inuse = 1;
  if (auto e = m.trace.step(Ev::alloc_single_from_new_slab))
    e.pfn(sl->pfn).cache(s2.name).index(i).addr(obj_addr(s2, *sl, i));
  if (sl->inuse == sl->objects)
    add_full(s2, *sl);
  else
    add_partial(m, s2, *sl, false);
  return Got{sl->pfn, i};
}

// ___slab_alloc(): the slow path; c->freelist is empty (or the CPU slab is
// on the wrong node).
std::optional<Got> slab_alloc_slow(Machine& m, u32 id, gfp_t gfp, int node, int cpu) {
  SlubState& st = S(m);
  KmemCache& s = st.caches[id];
  KmemCacheCpu& c = s.cpu[static_cast<size_t>(cpu)];
  TraceScope scope(m.trace, Ev::slab_alloc_slow, [&](EventRef& e) { e.cpu(cpu).cache(s.name); });
  auto node_match = [&](const Slab& sl) { return node == NUMA_NO_NODE || sl.node == node; };
  for (;;) {
    if (c.slab != NO_SLAB) {
      Slab& sl = st.slabs.at(c.slab);
      if (!node_match(sl)) {
        const Pfn p = c.slab;
        std::vector<u32> fl;
        fl.swap(c.freelist);
        c.slab = NO_SLAB;
        deactivate_slab(m, s, p, std::move(fl), cpu);
      } else if (!c.freelist.empty()) {
        break;
      } else if (!sl.freelist.empty()) {
        // get_freelist(): objects other CPUs freed into the CPU slab.
        install_cpu_slab(s, sl, cpu);
        if (auto e = m.trace.step(Ev::alloc_refill))
          e.pfn(sl.pfn).cpu(cpu).cache(s.name).free_objects(c.freelist.size());
        break;
      } else {
        // The CPU slab is full: it leaves the CPU, listed nowhere.
        sl.frozen = false;
        add_full(s, sl);
        c.slab = NO_SLAB;
        if (auto e = m.trace.step(Ev::deactivate_bypass)) e.pfn(sl.pfn).cpu(cpu).cache(s.name);
      }
    }
    // new_slab: the CPU partial list first.
    if (!c.partial.empty()) {
      const Pfn p = c.partial.front();
      c.partial.erase(c.partial.begin());
      Slab& sl = st.slabs.at(p);
      c.slab = p;
      sl.place = SlabPlace::CpuSlab;
      sl.cpu = cpu;
      if (auto e = m.trace.step(Ev::cpu_partial_alloc))
        e.pfn(p).cpu(cpu).cache(s.name).free_objects(sl.freelist.size()).partial(c.partial.size());
      continue;  // redo: take its freelist
    }
    // get_partial(): the node's partial list.
    const int nid = node == NUMA_NO_NODE ? mem_node(m, s, cpu) : node;
    if (s.node[static_cast<size_t>(nid)].present && get_partial_node(m, s, nid, cpu)) break;
    // new_slab(): the buddy allocator.
    Slab* sl = allocate_slab(m, id, kmalloc_fix_flags(m, gfp), node, cpu);
    if (!sl) {
      if (auto e = m.trace.warn(Ev::slab_out_of_memory)) e.node(node).cache(st.caches[id].name).gfp(gfp);
      return std::nullopt;
    }
    install_cpu_slab(st.caches[id], *sl, cpu);
    break;
  }
  // load_freelist
  Slab& sl = st.slabs.at(c.slab);
  const u32 i = c.freelist.front();
  c.freelist.erase(c.freelist.begin());
  sl.state[i] = ObjState::Allocated;
  if (auto e = m.trace.step(Ev::load_freelist))
    e.pfn(sl.pfn).cpu(cpu).cache(s.name).index(i).addr(obj_addr(s, sl, i)).free_objects(c.freelist.size());
  return Got{sl.pfn, i};
}

// slab_alloc_node(): pop c->freelist when the CPU slab has one; otherwise
// the slow path.
std::optional<Got> slab_alloc(Machine& m, u32 id, gfp_t gfp, int node, int cpu) {
  SlubState& st = S(m);
  KmemCache& s = st.caches[id];
  if (s.debug()) return alloc_debug(m, id, gfp, node, cpu);
  KmemCacheCpu& c = s.cpu[static_cast<size_t>(cpu)];
  if (c.slab != NO_SLAB && !c.freelist.empty()) {
    Slab& sl = st.slabs.at(c.slab);
    if (node == NUMA_NO_NODE || sl.node == node) {
      const u32 i = c.freelist.front();
      c.freelist.erase(c.freelist.begin());
      sl.state[i] = ObjState::Allocated;
      if (auto e = m.trace.step(Ev::slab_alloc_fast))
        e.pfn(sl.pfn).cpu(cpu).cache(s.name).index(i).addr(obj_addr(s, sl, i)).free_objects(c.freelist.size());
      return Got{sl.pfn, i};
    }
  }
  return slab_alloc_slow(m, id, gfp, node, cpu);
}

// ---- free ---------------------------------------------------------------------------------

// free_to_partial_list(): the debug path.
void free_debug(Machine& m, KmemCache& s, Slab& sl, u32 i, int cpu) {
  const bool was_full = sl.freelist.empty();
  sl.freelist.insert(sl.freelist.begin(), i);
  sl.state[i] = ObjState::SlabFree;
  --sl.inuse;
  KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
  const bool slab_free = !sl.inuse && n.partial.size() >= s.g.min_partial;
  if (auto e = m.trace.step(Ev::free_to_partial_list))
    e.pfn(sl.pfn).cache(s.name).index(i).addr(obj_addr(s, sl, i)).inuse(sl.inuse).objects(sl.objects);
  if (was_full) {
    remove_full(s, sl);
    if (!slab_free) add_partial(m, s, sl, true);
  } else if (slab_free) {
    remove_partial(s, sl);
  }
  if (slab_free) discard_slab(m, s, sl.pfn, cpu);
}

// __slab_free(): the object's slab is not this CPU's slab.
void slab_free_slow(Machine& m, KmemCache& s, Slab& sl, u32 i, int cpu) {
  const bool was_full = sl.freelist.empty();
  const bool was_frozen = sl.frozen;
  sl.freelist.insert(sl.freelist.begin(), i);
  sl.state[i] = ObjState::SlabFree;
  --sl.inuse;
  TraceScope scope(m.trace, Ev::slab_free_slow, [&](EventRef& e) {
    e.pfn(sl.pfn).cpu(cpu).cache(s.name).index(i).addr(obj_addr(s, sl, i)).inuse(sl.inuse).objects(sl.objects);
  });
  if (was_frozen) {
    if (auto e = m.trace.step(Ev::slab_free_frozen)) e.pfn(sl.pfn);
    return;
  }
  const bool has_cpu_partial = s.g.cpu_partial_slabs != 0;
  if (was_full && has_cpu_partial) {
    // A full slab got a free object: freeze it onto this CPU's partial list.
    put_cpu_partial(m, s, sl, cpu, true);
    return;
  }
  KmemCacheNode& n = s.node[static_cast<size_t>(sl.node)];
  if (!sl.inuse && n.partial.size() >= s.g.min_partial) {
    const size_t kept = n.partial.size();
    if (was_full)
      remove_full(s, sl);
    else
      remove_partial(s, sl);
    if (auto e = m.trace.step(Ev::slab_free_discard))
      e.pfn(sl.pfn).node(sl.node).partial(kept).min_partial(s.g.min_partial);
    discard_slab(m, s, sl.pfn, cpu);
    return;
  }
  if (!sl.inuse)
    if (auto e = m.trace.step(Ev::slab_free_keep_empty))
      e.pfn(sl.pfn).node(sl.node).partial(n.partial.size()).min_partial(s.g.min_partial);
  if (!has_cpu_partial && was_full) {
    remove_full(s, sl);
    add_partial(m, s, sl, true);
  }
}

void slab_free(Machine& m, KmemCache& s, Slab& sl, u32 i, int cpu) {
  if (s.debug()) {
    free_debug(m, s, sl, i, cpu);
    return;
  }
  KmemCacheCpu& c = s.cpu[static_cast<size_t>(cpu)];
  if (c.slab == sl.pfn) {
    c.freelist.insert(c.freelist.begin(), i);
    sl.state[i] = ObjState::CpuFree;
    if (auto e = m.trace.step(Ev::slab_free_fast))
      e.pfn(sl.pfn).cpu(cpu).cache(s.name).index(i).addr(obj_addr(s, sl, i)).free_objects(c.freelist.size());
    return;
  }
  slab_free_slow(m, s, sl, i, cpu);
}

// ---- locating objects ---------------------------------------------------------------------

Diagnostic diag(std::string msg) { return Diagnostic{"", 0, 0, std::move(msg)}; }

Status need_slub(const Machine& m) {
  if (!m.slub) return diag("SLUB is not up yet: kmem_cache_init has not run");
  return {};
}

Status check_cpu(const Machine& m, int cpu) {
  if (cpu < 0 || static_cast<unsigned>(cpu) >= m.nr_cpus)
    return diag("no CPU " + std::to_string(cpu) + " (the machine has " + std::to_string(m.nr_cpus) + ")");
  return {};
}

Slab* find_slab(SlubState& st, u64 addr) {
  if (addr < PAGE_OFFSET) return nullptr;
  const Pfn pfn = (addr - PAGE_OFFSET) >> PAGE_SHIFT;
  auto it = st.slabs.upper_bound(pfn);
  if (it == st.slabs.begin()) return nullptr;
  --it;
  if (pfn >= it->first + (Pfn{1} << it->second.order)) return nullptr;
  return &it->second;
}

std::string bug(const KmemCache& s, const std::string& what) { return "BUG " + s.name + " (Not tainted): " + what; }

// The object `addr` names in its slab, or a Diagnostic in SLUB's words.
Expected<u32> object_index(const KmemCache& s, const Slab& sl, u64 addr, const char* fn) {
  const u64 off = addr - slab_base(sl);
  if (off < s.g.red_left_pad || (off - s.g.red_left_pad) % s.g.size ||
      (off - s.g.red_left_pad) / s.g.size >= sl.objects)
    return diag(std::string(fn) + "(" + hex16(addr) + "): " + bug(s, "Invalid object pointer 0x" + hex16(addr)) +
                " (it lies in the slab at pfn " + std::to_string(sl.pfn) + " but is not the start of one of its " +
                std::to_string(sl.objects) + " objects of " + std::to_string(s.g.size) + " bytes)");
  const u32 i = static_cast<u32>((off - s.g.red_left_pad) / s.g.size);
  if (sl.state[i] != ObjState::Allocated)
    return diag(std::string(fn) + "(" + hex16(addr) + "): " + bug(s, "Object already free") + " (object " +
                std::to_string(i) + " of the slab at pfn " + std::to_string(sl.pfn) + " is on " +
                (sl.state[i] == ObjState::CpuFree ? "the CPU freelist" : "the slab's freelist") + ": a double free?)");
  return i;
}

// Records the cache's kmem_cache_node objects (init_kmem_cache_nodes).
bool init_kmem_cache_nodes(Machine& m, u32 id) {
  SlubState& st = S(m);
  for (size_t nid = 0; nid < m.nodes.size(); ++nid) {
    if (!st.caches[id].node[nid].present) continue;
    auto got = slab_alloc(m, st.kmem_cache_node, gfp::GFP_KERNEL, static_cast<int>(nid), 0);
    if (!got) return false;
    const KmemCache& kn = st.caches[st.kmem_cache_node];
    st.caches[id].node[nid].obj = obj_addr(kn, st.slabs.at(got->pfn), got->index);
  }
  return true;
}

// A cache's memory for its struct kmem_cache comes from the kmem_cache cache.
std::optional<u64> alloc_kmem_cache_struct(Machine& m, gfp_t gfp) {
  SlubState& st = S(m);
  auto got = slab_alloc(m, st.kmem_cache, gfp, NUMA_NO_NODE, 0);
  if (!got) return std::nullopt;
  return obj_addr(st.caches[st.kmem_cache], st.slabs.at(got->pfn), got->index);
}

void free_object_at(Machine& m, u32 cache, u64 addr) {
  SlubState& st = S(m);
  Slab* sl = find_slab(st, addr);
  if (!sl) return;
  KmemCache& s = st.caches[cache];
  auto i = object_index(s, *sl, addr, "kmem_cache_free");
  if (i) slab_free(m, s, *sl, *i, 0);
}

// init_cache_random_seq(): a Fisher-Yates shuffle of 0..objects-1.
void init_cache_random_seq(SlubState& st, KmemCache& s) {
  if (!s.random_seq.empty()) return;
  const u32 count = s.g.objects;
  s.random_seq.resize(count);
  for (u32 i = 0; i < count; ++i) s.random_seq[i] = i;
  for (u32 i = count; i > 1; --i) std::swap(s.random_seq[i - 1], s.random_seq[random_u32(st) % i]);
}

// A new, empty KmemCache record with its per-CPU and per-node parts.
u32 new_cache(Machine& m, std::string name, u32 object_size, u32 align, u32 flags) {
  SlubState& st = S(m);
  KmemCache s;
  s.name = std::move(name);
  s.g = *compute_geometry(object_size, align, flags, m.nr_cpus);
  s.cpu.resize(m.nr_cpus);
  s.node.resize(m.nodes.size());
  for (size_t nid = 0; nid < m.nodes.size(); ++nid) {
    // slab_nodes: the nodes with normal memory.
    const Node& n = m.nodes[nid];
    bool normal = false;
    for (unsigned z = 0; z <= idx(ZoneType::Normal); ++z) normal = normal || n.zones[z].present_pages;
    s.node[nid].present = normal;
  }
  st.caches.push_back(std::move(s));
  return static_cast<u32>(st.caches.size() - 1);
}

// create_boot_cache(): 6.1 aligns power-of-two sizes to themselves; 6.12
// aligns a kmalloc cache to the largest power of two dividing its size
// (kmalloc-96 to 32, kmalloc-192 to 64).
u32 create_boot_cache(Machine& m, std::string name, u32 size, u32 flags, u32 usersize) {
  u32 align = ARCH_KMALLOC_MINALIGN;
  if (m.spec.version == KernelVersion::v6_12) {
    if (flags & slabf::KMALLOC) align = std::max(align, size & (~size + 1));
  } else if (is_pow2(size)) {
    align = std::max(align, size);
  }
  const u32 id = new_cache(m, std::move(name), size, calculate_alignment(flags, align, size), flags);
  S(m).caches[id].usersize = usersize;
  S(m).caches[id].refcount = -1;
  return id;
}

constexpr const char* kKmallocPrefix[NR_KMALLOC_TYPES] = {"kmalloc-", "kmalloc-cg-", "kmalloc-rcl-", "dma-kmalloc-"};

std::string kmalloc_short(unsigned idx) {
  const u32 size = idx == 1 ? 96 : idx == 2 ? 192 : (1u << idx);
  if (size >= 1024) return std::to_string(size / 1024) + "k";
  return std::to_string(size);
}

void new_kmalloc_cache(Machine& m, unsigned idx, KmallocType type) {
  SlubState& st = S(m);
  u32 flags = slabf::KMALLOC;
  if (type == KMALLOC_RECLAIM)
    flags |= slabf::RECLAIM_ACCOUNT;
  else if (type == KMALLOC_CGROUP)
    flags |= slabf::ACCOUNT;
  else if (type == KMALLOC_DMA)
    flags |= slabf::CACHE_DMA;
  const u32 size = idx == 1 ? 96 : idx == 2 ? 192 : (1u << idx);
  // create_kmalloc_cache(): the struct first, then the cache's nodes.
  auto self = alloc_kmem_cache_struct(m, gfp::GFP_NOWAIT);
  const u32 id = create_boot_cache(m, kKmallocPrefix[type] + kmalloc_short(idx), size, flags, size);
  st.caches[id].obj = self.value_or(0);
  init_kmem_cache_nodes(m, id);
  st.list.insert(st.list.begin(), id);
  st.caches[id].refcount = type == KMALLOC_NORMAL ? -1 : 1;  // MEMCG_KMEM: normal caches never merge
  st.kmalloc_caches[type][idx] = id;
  if (auto e = m.trace.step(Ev::create_kmalloc_cache)) {
    const KmemCache& s = st.caches[id];
    e.order(s.g.order).cache(s.name).objects(s.g.objects).size(s.g.size);
  }
}

}  // namespace

// ---- 6.12's dedicated buckets -------------------------------------------------------------------

namespace {

// A cache no other merges with, nor it with them (SLAB_NO_MERGE), made as
// kmem_cache_create makes one. NO_CACHE when memory runs out.
u32 create_unmergeable_cache(Machine& m, std::string name, u32 size, u32 flags) {
  SlubState& st = S(m);
  auto self = alloc_kmem_cache_struct(m, gfp::GFP_KERNEL);
  if (!self) return NO_CACHE;
  const u32 id = new_cache(m, std::move(name), size, calculate_alignment(flags, 0, size), flags);
  st.caches[id].obj = *self;
  st.caches[id].refcount = -1;  // never merged
  init_kmem_cache_nodes(m, id);
  init_cache_random_seq(st, st.caches[id]);
  st.list.insert(st.list.begin(), id);
  return id;
}

// kmem_buckets_create(): a set of caches of the kmalloc-NORMAL sizes, named
// NAME-SIZE, for one kind of user-controlled allocation, and the set's
// array from kmalloc_buckets.
void kmem_buckets_create(Machine& m, u32 buckets_cache, const char* name, u32 flags) {
  SlubState& st = S(m);
  (void)kmem_cache_alloc(m, buckets_cache, gfp::GFP_KERNEL | gfp::ZERO);
  for (unsigned idx : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u}) {
    const u32 k = st.kmalloc_caches[KMALLOC_NORMAL][idx];
    if (k == NO_CACHE) continue;
    create_unmergeable_cache(m, std::string(name) + "-" + kmalloc_short(idx), st.caches[k].g.object_size, flags);
  }
}

// 6.12 (CONFIG_SLAB_BUCKETS): create_kmalloc_caches() ends with the
// kmalloc_buckets cache, and two initcalls later in the boot make the
// memdup_user (mm/util.c) and msg_msg (ipc/msgutil.c, SLAB_ACCOUNT) sets.
// The model makes all three here, in that order, so /proc/slabinfo lists
// them as 6.12 does.
void kmem_buckets_init(Machine& m) {
  const u32 b = create_unmergeable_cache(m, "kmalloc_buckets", 8 * (KMALLOC_SHIFT_HIGH + 1), 0);
  if (b == NO_CACHE) return;
  kmem_buckets_create(m, b, "memdup_user", 0);
  kmem_buckets_create(m, b, "msg_msg", slabf::ACCOUNT);
}

}  // namespace

// ---- boot -------------------------------------------------------------------------------------

// kmem_cache_init(): two static caches bootstrap the allocator:
//   kmem_cache_node, whose first per-node structs are carved by hand out of
//     a slab of its own (early_kmem_cache_node_alloc);
//   kmem_cache, whose nodes now come from kmem_cache_node;
//   bootstrap(): both get a struct from kmem_cache itself, and their CPU
//     slabs are flushed;
// then the kmalloc caches (sizes 8..8k with 96 and 192 after 64 and 128,
// for each type), then every cache's random freelist sequence.
void kmem_cache_init(Machine& m) {
  if (m.slub) return;
  m.slub.p = std::make_shared<SlubState>();
  SlubState& st = S(m);
  TraceScope scope(m.trace, Ev::kmem_cache_init);
  st.nr_cpu_ids = m.nr_cpus;
  st.nr_node_ids = static_cast<unsigned>(m.nodes.size());
  for (auto& row : st.kmalloc_caches) row.fill(NO_CACHE);

  // kmem_cache_node: sizeof(struct kmem_cache_node) == 64 (SLUB_DEBUG).
  st.kmem_cache_node = create_boot_cache(m, "kmem_cache_node", 64, slabf::HWCACHE_ALIGN, 0);
  for (size_t nid = 0; nid < m.nodes.size(); ++nid) {
    if (!st.caches[st.kmem_cache_node].node[nid].present) continue;
    Slab* sl = allocate_slab(m, st.kmem_cache_node, gfp::GFP_NOWAIT, static_cast<int>(nid), 0);
    if (!sl) continue;
    KmemCache& kn = st.caches[st.kmem_cache_node];
    const u32 i = sl->freelist.front();
    sl->freelist.erase(sl->freelist.begin());
    sl->state[i] = ObjState::Allocated;
    sl->inuse = 1;
    kn.node[nid].obj = obj_addr(kn, *sl, i);
    if (auto e = m.trace.step(Ev::early_kmem_cache_node_alloc))
      e.pfn(sl->pfn).node(static_cast<int>(nid)).index(i).addr(kn.node[nid].obj);
    add_partial(m, kn, *sl, false);
  }
  // kmem_cache: offsetof(struct kmem_cache, node) + nr_node_ids pointers.
  st.kmem_cache = create_boot_cache(m, "kmem_cache", 216 + 8 * st.nr_node_ids, slabf::HWCACHE_ALIGN, 0);
  init_kmem_cache_nodes(m, st.kmem_cache);
  for (u32 id : {st.kmem_cache, st.kmem_cache_node}) {
    // bootstrap(): a real struct from kmem_cache, the CPU slab flushed.
    st.caches[id].obj = alloc_kmem_cache_struct(m, gfp::GFP_NOWAIT).value_or(0);
    flush_cpu_slab(m, st.caches[id], 0);
    st.list.insert(st.list.begin(), id);
  }
  // setup_kmalloc_cache_index_table() changes nothing on x86_64
  // (KMALLOC_MIN_SIZE is 8): sizes 1..192 by size_index, larger by fls.
  st.size_index = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};
  if (m.spec.version == KernelVersion::v6_12) {
    // 6.12: type by type in its enum's order, 96 and 192 first.
    for (KmallocType type : {KMALLOC_NORMAL, KMALLOC_RECLAIM, KMALLOC_DMA, KMALLOC_CGROUP}) {
      if (type == KMALLOC_DMA && !m.spec.config.zone_dma) continue;  // no dma-kmalloc-* without ZONE_DMA
      new_kmalloc_cache(m, 1, type);
      new_kmalloc_cache(m, 2, type);
      for (unsigned i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; ++i) new_kmalloc_cache(m, i, type);
    }
  } else {
    for (unsigned type = 0; type < NR_KMALLOC_TYPES; ++type)
      for (unsigned i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; ++i) {
        if (type == KMALLOC_DMA && !m.spec.config.zone_dma) break;  // no dma-kmalloc-* without ZONE_DMA
        new_kmalloc_cache(m, i, static_cast<KmallocType>(type));
        if (i == 6) new_kmalloc_cache(m, 1, static_cast<KmallocType>(type));
        if (i == 7) new_kmalloc_cache(m, 2, static_cast<KmallocType>(type));
      }
  }
  st.up = true;
  // init_freelist_randomization(): every cache, in list order.
  for (u32 id : st.list) init_cache_random_seq(st, st.caches[id]);
  if (m.spec.version == KernelVersion::v6_12) kmem_buckets_init(m);
  m.printk("SLUB: HWalign=" + std::to_string(CACHE_LINE_SIZE) + ", Order=0-" + std::to_string(SLUB_MAX_ORDER) +
           ", MinObjects=0, CPUs=" + std::to_string(st.nr_cpu_ids) + ", Nodes=" + std::to_string(st.nr_node_ids));
}

void slub_set_freelist_random(Machine& m, bool on, u64 seed) {
  if (!m.slub) return;
  S(m).freelist_random = on;
  S(m).rng = seed;
}

// ---- kmalloc ------------------------------------------------------------------------------------

KmallocType kmalloc_type(gfp_t g, bool zone_dma) {
  // Without CONFIG_ZONE_DMA __GFP_DMA is not one of KMALLOC_NOT_NORMAL_BITS
  // and there are no dma-kmalloc caches: the other bits decide.
  const gfp_t dma = zone_dma ? gfp::DMA : 0;
  if (!(g & (gfp::RECLAIMABLE | dma | gfp::ACCOUNT))) return KMALLOC_NORMAL;
  if (g & dma) return KMALLOC_DMA;
  if (g & gfp::RECLAIMABLE) return KMALLOC_RECLAIM;
  return KMALLOC_CGROUP;
}

u32 kmalloc_slab(const Machine& m, u64 size, gfp_t g) {
  if (!m.slub || !size || size > KMALLOC_MAX_CACHE_SIZE) return NO_CACHE;
  const SlubState& st = S(m);
  const unsigned index = size <= 192 ? st.size_index[(size - 1) / 8] : fls(size - 1);
  return st.kmalloc_caches[kmalloc_type(g, m.spec.config.zone_dma)][index];
}

namespace {

Expected<KmallocOutcome> alloc_from(Machine& m, u32 id, gfp_t g, int cpu) {
  auto got = slab_alloc(m, id, g, NUMA_NO_NODE, cpu);
  KmallocOutcome o;
  o.cache = id;
  if (!got) {
    o.failure = "SLUB: Unable to allocate memory (cache " + S(m).caches[id].name + ", gfp " + format_gfp_full(g) +
                "): the buddy allocator has no page for a new slab";
    return o;
  }
  o.ok = true;
  o.pfn = got->pfn;
  o.index = got->index;
  o.addr = obj_addr(S(m).caches[id], S(m).slabs.at(got->pfn), got->index);
  return o;
}

}  // namespace

Expected<KmallocOutcome> kmalloc(Machine& m, u64 size, gfp_t g, int cpu) {
  if (Status s = need_slub(m); !s) return s.diag();
  if (Status s = check_cpu(m, cpu); !s) return s.diag();
  if (auto bad = gfp_check(g, 0)) return diag("kmalloc: " + *bad);
  SlubState& st = S(m);
  TraceScope scope(m.trace, Ev::kmalloc, [&](EventRef& e) { e.cpu(cpu).size(size).gfp(g); });
  KmallocOutcome o;
  if (!size) {
    m.trace.step(Ev::kmalloc_zero);
    o.ok = true;
    o.addr = ZERO_SIZE_PTR;
    return o;
  }
  if (size > KMALLOC_MAX_CACHE_SIZE) {
    // kmalloc_large(): compound pages straight from the buddy allocator.
    const Order order = get_order(size);
    TraceScope large(m.trace, Ev::kmalloc_large,
                     [&](EventRef& e) { e.order(order).size(size).max(KMALLOC_MAX_CACHE_SIZE); });
    if (size > KMALLOC_MAX_SIZE || order >= MAX_ORDER) {
      o.failure = "kmalloc(" + std::to_string(size) + "): larger than KMALLOC_MAX_SIZE (" +
                  std::to_string(KMALLOC_MAX_SIZE) + "): the page allocator warns and returns NULL";
      if (auto e = m.trace.warn(Ev::kmalloc_large_too_big)) e.size(size).max(KMALLOC_MAX_SIZE);
      return o;
    }
    AllocRequest r;
    r.gfp = kmalloc_fix_flags(m, g) | gfp::COMP;  // kmalloc_order()
    r.order = order;
    r.cpu = cpu;
    r.owner = Owner::Kernel;
    auto a = alloc_pages(m, r);
    if (!a) return a.diag();
    if (!a->ok) {
      // The page allocator's reason is a fact of its outcome (words: text/format/reasons.h);
      // kmalloc_large reports the failure as the kernel logs it.
      o.failure = "page allocation failure: order:" + std::to_string(order) + ", mode:" + format_gfp_full(r.gfp);
      return o;
    }
    st.large[a->pfn] = LargeKmalloc{order, size};
    o.ok = true;
    o.pfn = a->pfn;
    o.addr = PAGE_OFFSET + PFN_PHYS(a->pfn);
    return o;
  }
  const u32 id = kmalloc_slab(m, size, g);
  if (auto e = m.trace.step(Ev::kmalloc_slab)) {
    const bool table = size <= 192;
    e.cache(st.caches[id].name)
        .size(size)
        .table(table)
        .size_idx(table ? (size - 1) / 8 : 0)
        .kmalloc_idx(table ? st.size_index[(size - 1) / 8] : fls(size - 1));
  }
  return alloc_from(m, id, g, cpu);
}

Status kfree(Machine& m, u64 addr, int cpu) {
  if (Status s = need_slub(m); !s) return s;
  if (Status s = check_cpu(m, cpu); !s) return s;
  if (addr <= ZERO_SIZE_PTR) {
    if (auto e = m.trace.step(Ev::kfree_null)) e.addr(addr);
    return {};
  }
  SlubState& st = S(m);
  if (addr < PAGE_OFFSET || addr - PAGE_OFFSET >= PFN_PHYS(m.mem.nr))
    return diag("kfree(0x" + hex16(addr) + "): not an address in the direct map of this machine's memory");
  const Pfn pfn = (addr - PAGE_OFFSET) >> PAGE_SHIFT;
  Slab* sl = find_slab(st, addr);
  if (!sl) {
    auto it = st.large.upper_bound(pfn);
    if (it != st.large.begin()) {
      --it;
      if (pfn < it->first + (Pfn{1} << it->second.order)) {
        if (addr != PAGE_OFFSET + PFN_PHYS(it->first))
          return diag("kfree(0x" + hex16(addr) + "): inside the large kmalloc at 0x" +
                      hex16(PAGE_OFFSET + PFN_PHYS(it->first)) + ", not its start");
        const Pfn head = it->first;
        const Order order = it->second.order;
        TraceScope scope(m.trace, Ev::free_large_kmalloc,
                         [&](EventRef& e) { e.pfn(head).order(order).cpu(cpu).addr(addr); });
        st.large.erase(it);
        return free_pages(m, head, order, cpu);
      }
    }
    return diag("kfree(0x" + hex16(addr) + "): pfn " + std::to_string(pfn) +
                " is neither a slab page nor a large kmalloc (kernel: \"Bad page state\" or a crash)");
  }
  KmemCache& s = st.caches[sl->cache];
  auto i = object_index(s, *sl, addr, "kfree");
  if (!i) return i.diag();
  TraceScope scope(m.trace, Ev::kfree,
                   [&](EventRef& e) { e.pfn(sl->pfn).cpu(cpu).cache(s.name).addr(addr).index(*i); });
  slab_free(m, s, *sl, *i, cpu);
  return {};
}

Expected<u64> ksize(const Machine& m, u64 addr) {
  if (!m.slub) return diag("SLUB is not up yet");
  if (addr <= ZERO_SIZE_PTR) return u64{0};
  const SlubState& st = S(m);
  Slab* sl = find_slab(const_cast<SlubState&>(st), addr);
  if (sl) {
    const KmemCache& s = st.caches[sl->cache];
    auto i = object_index(s, *sl, addr, "ksize");
    if (!i) return i.diag();
    // __ksize(): the whole object; with red zoning or user tracking only
    // the object itself is usable.
    if (s.g.flags & (slabf::RED_ZONE | slabf::POISON)) return u64{s.g.object_size};
    if (s.g.flags & slabf::STORE_USER) return u64{s.g.inuse};
    return u64{s.g.size};
  }
  const Pfn pfn = (addr - PAGE_OFFSET) >> PAGE_SHIFT;
  auto it = st.large.find(pfn);
  if (addr >= PAGE_OFFSET && it != st.large.end() && addr == PAGE_OFFSET + PFN_PHYS(pfn))
    return PAGE_SIZE << it->second.order;
  return diag("ksize(0x" + hex16(addr) + "): not a live kmalloc object");
}

// ---- caches ---------------------------------------------------------------------------------------

std::optional<u32> find_cache(const Machine& m, std::string_view name) {
  if (!m.slub) return std::nullopt;
  const SlubState& st = S(m);
  for (u32 id : st.list) {
    const KmemCache& s = st.caches[id];
    if (s.name == name) return id;
    for (const std::string& a : s.aliases)
      if (a == name) return id;
  }
  return std::nullopt;
}

const KmemCache* cache_of(const Machine& m, u32 id) {
  if (!m.slub || id >= S(m).caches.size() || !S(m).caches[id].alive) return nullptr;
  return &S(m).caches[id];
}

const Slab* slab_of(const Machine& m, u64 addr) {
  if (!m.slub) return nullptr;
  return find_slab(const_cast<SlubState&>(S(m)), addr);
}

namespace {
// find_mergeable(): the oldest cache whose slots can hold this object
// with the same accounting flags, alignment, and less than a word of slack.
std::optional<u32> find_mergeable(const SlubState& st, u32 size, u32 align, u32 flags) {
  size = align_up(size, WORD);
  align = calculate_alignment(flags, align, size);
  size = align_up(size, align);
  if (flags & slabf::NEVER_MERGE) return std::nullopt;
  for (auto it = st.list.rbegin(); it != st.list.rend(); ++it) {
    const KmemCache& s = st.caches[*it];
    if ((s.g.flags & slabf::NEVER_MERGE) || s.usersize || s.refcount < 0) continue;
    if (size > s.g.size) continue;
    if ((flags & slabf::MERGE_SAME) != (s.g.flags & slabf::MERGE_SAME)) continue;
    if ((s.g.size & ~(align - 1)) != s.g.size) continue;
    if (s.g.size - size >= WORD) continue;
    return *it;
  }
  return std::nullopt;
}
}  // namespace

Expected<u32> kmem_cache_create(Machine& m, std::string_view name, u32 size, u32 align, u32 flags) {
  if (Status s = need_slub(m); !s) return s.diag();
  SlubState& st = S(m);
  if (name.empty() || name.size() > 64 ||
      std::any_of(name.begin(), name.end(), [](char c) { return c <= ' ' || c == '/' || c > '~'; }))
    return diag("kmem_cache_create: a cache name is 1-64 printable characters without spaces or '/'");
  if (find_cache(m, name))
    return diag("kmem_cache_create(" + std::string(name) + "): sysfs: cannot create duplicate filename '/kernel/slab/" +
                std::string(name) + "'");
  if (!size || size > KMALLOC_MAX_SIZE)
    return diag("kmem_cache_create(" + std::string(name) + "): size " + std::to_string(size) + " must be 1.." +
                std::to_string(KMALLOC_MAX_SIZE) + " (kmem_cache_sanity_check: -EINVAL)");
  if (align && !is_pow2(align))
    return diag("kmem_cache_create(" + std::string(name) + "): align " + std::to_string(align) +
                " is not a power of two");
  if (align > PAGE_SIZE)
    return diag("kmem_cache_create(" + std::string(name) + "): align " + std::to_string(align) +
                " is larger than a page");
  if (const u32 bad = flags & ~slabf::PERMITTED) {
    // Name the lowest refused flag, as the kernel's own headers spell it.
    const u32 bit = bad & (~bad + 1);
    std::string what = "0x" + [&] {
      char b[12];
      std::snprintf(b, sizeof b, "%x", bit);
      return std::string(b);
    }();
    for (const SlabFlagName& f : kSlabFlagNames)
      if (f.bit == bit) what = std::string(f.name);
    return diag("kmem_cache_create(" + std::string(name) + "): flag " + what +
                " is not allowed (SLAB_FLAGS_PERMITTED: -EINVAL)");
  }
  TraceScope scope(m.trace, Ev::kmem_cache_create,
                   [&](EventRef& e) { e.cache(name).size(size).align(align).flags(flags); });
  if (auto target = find_mergeable(st, size, align, flags)) {
    KmemCache& s = st.caches[*target];
    s.refcount++;
    s.g.object_size = std::max(s.g.object_size, size);
    s.g.inuse = std::max(s.g.inuse, align_up(size, WORD));
    s.aliases.emplace_back(name);
    if (auto e = m.trace.step(Ev::kmem_cache_alias)) e.name(name).cache(s.name).size(s.g.size).refcount(s.refcount);
    return *target;
  }
  const u32 a = calculate_alignment(flags, align, size);
  auto g = compute_geometry(size, a, flags, m.nr_cpus);
  if (!g) return diag("kmem_cache_create(" + std::string(name) + "): no slab order can hold one object");
  auto self = alloc_kmem_cache_struct(m, gfp::GFP_KERNEL);
  if (!self) return diag("kmem_cache_create(" + std::string(name) + "): no memory for its struct kmem_cache");
  const u32 id = new_cache(m, std::string(name), size, a, flags);
  st.caches[id].obj = *self;
  if (!init_kmem_cache_nodes(m, id)) {
    // Out of memory: give everything back (kmem_cache_release).
    for (KmemCacheNode& n : st.caches[id].node)
      if (n.obj) free_object_at(m, st.kmem_cache_node, n.obj);
    free_object_at(m, st.kmem_cache, *self);
    st.caches[id].alive = false;
    return diag("kmem_cache_create(" + std::string(name) + "): no memory for its kmem_cache_node structs");
  }
  init_cache_random_seq(st, st.caches[id]);
  st.list.insert(st.list.begin(), id);
  if (m.trace.on()) {
    const CacheGeometry& c = st.caches[id].g;
    m.trace.step(Ev::calculate_sizes)
        .cache(name)
        .object_size(c.object_size)
        .align(c.align)
        .size(c.size)
        .offset(c.offset);
    m.trace.step(Ev::kmem_cache_open)
        .order(c.order)
        .objects(c.objects)
        .min_order(c.min_order)
        .min_partial(c.min_partial)
        .cpu_partial(c.cpu_partial)
        .count(c.cpu_partial_slabs);
  }
  return id;
}

Expected<KmallocOutcome> kmem_cache_alloc(Machine& m, u32 cache, gfp_t g, int cpu) {
  if (Status s = need_slub(m); !s) return s.diag();
  if (Status s = check_cpu(m, cpu); !s) return s.diag();
  if (!cache_of(m, cache)) return diag("kmem_cache_alloc: no such cache");
  if (auto bad = gfp_check(g, 0)) return diag("kmem_cache_alloc: " + *bad);
  TraceScope scope(m.trace, Ev::kmem_cache_alloc,
                   [&](EventRef& e) { e.cpu(cpu).cache(S(m).caches[cache].name).gfp(g); });
  return alloc_from(m, cache, g, cpu);
}

Status kmem_cache_free(Machine& m, u32 cache, u64 addr, int cpu) {
  if (Status s = need_slub(m); !s) return s;
  if (Status s = check_cpu(m, cpu); !s) return s;
  const KmemCache* want = cache_of(m, cache);
  if (!want) return diag("kmem_cache_free: no such cache");
  SlubState& st = S(m);
  Slab* sl = find_slab(st, addr);
  if (!sl) return diag("kmem_cache_free(" + want->name + ", 0x" + hex16(addr) + "): the address is not in a slab");
  KmemCache& s = st.caches[sl->cache];
  if (sl->cache != cache)
    return diag("kmem_cache_free: Wrong slab cache. " + want->name + " but object is from " + s.name);
  auto i = object_index(s, *sl, addr, "kmem_cache_free");
  if (!i) return i.diag();
  TraceScope scope(m.trace, Ev::kmem_cache_free,
                   [&](EventRef& e) { e.pfn(sl->pfn).cpu(cpu).cache(s.name).addr(addr).index(*i); });
  slab_free(m, s, *sl, *i, cpu);
  return {};
}

namespace {
// __kmem_cache_do_shrink(): empty partial slabs are discarded; the others
// are sorted so the fullest come first (fewest free objects at the head).
void do_shrink(Machine& m, KmemCache& s) {
  SlubState& st = S(m);
  for (size_t nid = 0; nid < s.node.size(); ++nid) {
    KmemCacheNode& n = s.node[nid];
    std::vector<Pfn> discard, rest;
    std::vector<std::vector<Pfn>> promote(SHRINK_PROMOTE_MAX);
    for (Pfn p : n.partial) {
      const Slab& sl = st.slabs.at(p);
      const u32 free = sl.objects - sl.inuse;
      if (free == sl.objects)
        discard.push_back(p);
      else if (free <= SHRINK_PROMOTE_MAX)
        promote[free - 1].push_back(p);
      else
        rest.push_back(p);
    }
    n.partial.clear();
    for (auto& bucket : promote) n.partial.insert(n.partial.end(), bucket.begin(), bucket.end());
    n.partial.insert(n.partial.end(), rest.begin(), rest.end());
    for (Pfn p : discard) {
      st.slabs.at(p).place = SlabPlace::Full;
      discard_slab(m, s, p, 0);
    }
  }
}
}  // namespace

Status kmem_cache_shrink(Machine& m, u32 cache) {
  if (Status s = need_slub(m); !s) return s;
  if (!cache_of(m, cache)) return diag("kmem_cache_shrink: no such cache");
  KmemCache& s = S(m).caches[cache];
  TraceScope scope(m.trace, Ev::kmem_cache_shrink, [&](EventRef& e) { e.cache(s.name); });
  flush_all(m, s);
  do_shrink(m, s);
  return {};
}

void kmem_cache_shrink_all(Machine& m) {
  if (!m.slub) return;
  const std::vector<u32> list = S(m).list;
  for (u32 id : list) kmem_cache_shrink(m, id);
}

Status kmem_cache_destroy(Machine& m, std::string_view name) {
  if (Status s = need_slub(m); !s) return s;
  auto id = find_cache(m, name);
  if (!id) return diag("kmem_cache_destroy: no cache named '" + std::string(name) + "'");
  SlubState& st = S(m);
  KmemCache& s = st.caches[*id];
  if ((s.g.flags & slabf::KMALLOC) || *id == st.kmem_cache || *id == st.kmem_cache_node)
    return diag("kmem_cache_destroy(" + s.name + "): a boot cache the kernel never destroys");
  if (s.refcount > 1) {
    s.refcount--;
    auto it = std::find(s.aliases.begin(), s.aliases.end(), std::string(name));
    if (it != s.aliases.end()) s.aliases.erase(it);
    if (auto e = m.trace.step(Ev::kmem_cache_destroy_shared)) e.name(name).cache(s.name).refcount(s.refcount);
    return {};
  }
  u64 live = 0;
  for (const auto& [pfn, sl] : st.slabs)
    if (sl.cache == *id)
      for (ObjState o : sl.state) live += o == ObjState::Allocated;
  if (live)
    return diag("kmem_cache_destroy " + s.name + ": Slab cache still has objects (" + std::to_string(live) +
                " allocated); nothing was destroyed");
  TraceScope scope(m.trace, Ev::kmem_cache_destroy, [&](EventRef& e) { e.cache(s.name); });
  flush_all(m, s);
  for (KmemCacheNode& n : s.node) {
    std::vector<Pfn> list;
    list.swap(n.partial);
    for (Pfn p : list) discard_slab(m, s, p, 0);
  }
  const std::vector<u64> node_objs = [&] {
    std::vector<u64> v;
    for (const KmemCacheNode& n : s.node)
      if (n.obj) v.push_back(n.obj);
    return v;
  }();
  const u64 self = s.obj;
  s.alive = false;
  st.list.erase(std::find(st.list.begin(), st.list.end(), *id));
  for (u64 a : node_objs) free_object_at(m, st.kmem_cache_node, a);
  free_object_at(m, st.kmem_cache, self);
  return {};
}

// ---- what the views read ---------------------------------------------------------------------------

// count_partial(): only node partial slabs have free objects to count.
SlabinfoCounts slabinfo_counts(const SlubState& st, const KmemCache& s) {
  SlabinfoCounts c;
  u64 nr_free = 0;
  for (const KmemCacheNode& n : s.node) {
    c.slabs += n.nr_slabs;
    c.num_objs += n.total_objects;
    for (Pfn p : n.partial) {
      const Slab& sl = st.slabs.at(p);
      nr_free += sl.objects - sl.inuse;
    }
  }
  c.active_objs = c.num_objs - nr_free;
  return c;
}

u64 object_address(const KmemCache& s, const Slab& sl, u32 i) { return obj_addr(s, sl, i); }

u64 slab_reclaimable_pages(const Machine& m) {
  if (!m.slub) return 0;
  u64 pages = 0;
  for (const auto& [pfn, sl] : S(m).slabs)
    if (S(m).caches[sl.cache].g.flags & slabf::RECLAIM_ACCOUNT) pages += u64{1} << sl.order;
  return pages;
}

u64 slab_unreclaimable_pages(const Machine& m) {
  if (!m.slub) return 0;
  u64 pages = 0;
  for (const auto& [pfn, sl] : S(m).slabs)
    if (!(S(m).caches[sl.cache].g.flags & slabf::RECLAIM_ACCOUNT)) pages += u64{1} << sl.order;
  for (const auto& [pfn, l] : S(m).large) pages += u64{1} << l.order;
  return pages;
}

// ---- invariants -------------------------------------------------------------------------------------

std::vector<std::string> check_slub_invariants(const Machine& m) {
  std::vector<std::string> v;
  if (!m.slub) return v;
  auto fail = [&](std::string s) {
    if (v.size() < 50) v.push_back("slub: " + std::move(s));
  };
  const SlubState& st = S(m);
  // Where each slab should be, from the lists.
  std::map<Pfn, std::pair<SlabPlace, int>> listed;
  auto list = [&](Pfn p, SlabPlace where, int cpu, const KmemCache& s) {
    if (!listed.emplace(p, std::make_pair(where, cpu)).second)
      fail(s.name + ": slab at pfn " + std::to_string(p) + " is on two lists");
  };
  for (size_t id = 0; id < st.caches.size(); ++id) {
    const KmemCache& s = st.caches[id];
    if (!s.alive) continue;
    for (size_t c = 0; c < s.cpu.size(); ++c) {
      const KmemCacheCpu& kc = s.cpu[c];
      if (kc.slab != NO_SLAB)
        list(kc.slab, SlabPlace::CpuSlab, static_cast<int>(c), s);
      else if (!kc.freelist.empty())
        fail(s.name + ": CPU " + std::to_string(c) + " has a freelist but no slab");
      if (s.debug() && (kc.slab != NO_SLAB || !kc.partial.empty())) fail(s.name + ": a debug cache has CPU slabs");
      // put_cpu_partial drains at cpu_partial_slabs; get_partial_node (only
      // on an empty list) moves at most cpu_partial_slabs / 2 + 1.
      const size_t cps = s.g.cpu_partial_slabs;
      if (kc.partial.size() > (cps ? std::max(cps, cps / 2 + 1) : 0))
        fail(s.name + ": CPU " + std::to_string(c) + " holds " + std::to_string(kc.partial.size()) + " partial slabs");
      for (Pfn p : kc.partial) list(p, SlabPlace::CpuPartial, static_cast<int>(c), s);
    }
    for (size_t nid = 0; nid < s.node.size(); ++nid) {
      for (Pfn p : s.node[nid].partial) list(p, SlabPlace::NodePartial, -1, s);
      for (Pfn p : s.node[nid].full) list(p, SlabPlace::NodeFull, -1, s);
    }
  }
  std::vector<u64> nr_slabs, total;
  std::map<std::pair<u32, int>, std::pair<u64, u64>> per_node;
  for (const auto& [pfn, sl] : st.slabs) {
    const std::string at = "slab at pfn " + std::to_string(pfn);
    if (sl.cache >= st.caches.size() || !st.caches[sl.cache].alive) {
      fail(at + " belongs to no live cache");
      continue;
    }
    const KmemCache& s = st.caches[sl.cache];
    if (sl.objects != (PAGE_SIZE << sl.order) / s.g.size) fail(at + ": objects != slab bytes / size");
    if (sl.inuse > sl.objects) fail(at + ": inuse " + std::to_string(sl.inuse) + " > objects");
    if (sl.inuse + sl.freelist.size() != sl.objects) fail(at + ": inuse + |freelist| != objects");
    if (sl.state.size() != sl.objects) fail(at + ": object state table has the wrong size");
    // Every object in exactly one state, and the freelists agree with it.
    std::vector<std::uint8_t> seen(sl.objects, 0);
    for (u32 i : sl.freelist) {
      if (i >= sl.objects || seen[i]++) {
        fail(at + ": slab freelist repeats or overruns");
        break;
      }
      if (sl.state[i] != ObjState::SlabFree)
        fail(at + ": object " + std::to_string(i) + " on the slab freelist is not free");
    }
    u64 cpu_free = 0;
    if (sl.place == SlabPlace::CpuSlab && sl.cpu >= 0 && static_cast<size_t>(sl.cpu) < s.cpu.size()) {
      for (u32 i : s.cpu[static_cast<size_t>(sl.cpu)].freelist) {
        if (i >= sl.objects || seen[i]++) {
          fail(at + ": CPU freelist repeats an object or overruns");
          break;
        }
        if (sl.state[i] != ObjState::CpuFree)
          fail(at + ": object " + std::to_string(i) + " on the CPU freelist is marked otherwise");
        ++cpu_free;
      }
    }
    u64 states_cpu = 0;
    for (u32 i = 0; i < sl.objects && i < sl.state.size(); ++i) {
      if (sl.state[i] == ObjState::CpuFree) ++states_cpu;
      if (sl.state[i] == ObjState::Allocated && seen[i])
        fail(at + ": allocated object " + std::to_string(i) + " is on a freelist");
      if (sl.state[i] != ObjState::Allocated && !seen[i])
        fail(at + ": free object " + std::to_string(i) + " is on no freelist");
    }
    if (states_cpu != cpu_free) fail(at + ": objects marked CPU-free are not on the CPU freelist");
    // Place and frozen agree with the lists.
    auto it = listed.find(pfn);
    const SlabPlace where = it == listed.end() ? SlabPlace::Full : it->second.first;
    const int cpu = it == listed.end() ? -1 : it->second.second;
    if (where != sl.place || cpu != sl.cpu)
      fail(at + ": says " + to_string(sl.place) + " but is listed as " + to_string(where));
    const bool should_freeze = where == SlabPlace::CpuSlab || where == SlabPlace::CpuPartial;
    if (sl.frozen != should_freeze)
      fail(at + (sl.frozen ? " is frozen but owned by no CPU" : " is owned by a CPU but not frozen"));
    if (where == SlabPlace::NodePartial && sl.freelist.empty()) fail(at + ": on the partial list without free objects");
    if (where == SlabPlace::Full && !sl.freelist.empty()) fail(at + ": has free objects but is on no list");
    if (static_cast<size_t>(sl.node) >= s.node.size() || !s.node[static_cast<size_t>(sl.node)].present)
      fail(at + ": on a node without a kmem_cache_node");
    auto& pn = per_node[{sl.cache, sl.node}];
    pn.first += 1;
    pn.second += sl.objects;
    // The pages are a live allocation of this order owned by the slab.
    if (pfn >= m.mem.nr || m.mem.st(pfn) != FrameState::Alloc || m.mem.order_of(pfn) != sl.order ||
        m.mem.owner_of(pfn) != Owner::Slab)
      fail(at + ": its pages are not an order-" + std::to_string(sl.order) + " Owner::Slab allocation");
  }
  for (size_t id = 0; id < st.caches.size(); ++id) {
    const KmemCache& s = st.caches[id];
    if (!s.alive) continue;
    for (size_t nid = 0; nid < s.node.size(); ++nid) {
      auto it = per_node.find({static_cast<u32>(id), static_cast<int>(nid)});
      const u64 slabs = it == per_node.end() ? 0 : it->second.first,
                objs = it == per_node.end() ? 0 : it->second.second;
      if (s.node[nid].nr_slabs != slabs || s.node[nid].total_objects != objs)
        fail(s.name + ": node " + std::to_string(nid) + " counts " + std::to_string(s.node[nid].nr_slabs) +
             " slabs / " + std::to_string(s.node[nid].total_objects) + " objects, but " + std::to_string(slabs) +
             " / " + std::to_string(objs) + " live there");
    }
  }
  // Every Owner::Slab allocation is a slab.
  m.mem.for_each_in_state(FrameState::Alloc, [&](Pfn p) {
    if (m.mem.owner_of(p) == Owner::Slab && !st.slabs.count(p))
      fail("pfn " + std::to_string(p) + " is an Owner::Slab allocation that no cache knows");
  });
  for (const auto& [pfn, l] : st.large)
    if (pfn >= m.mem.nr || m.mem.st(pfn) != FrameState::Alloc || m.mem.order_of(pfn) != l.order)
      fail("large kmalloc at pfn " + std::to_string(pfn) + " is not a live allocation of its order");
  return v;
}

}  // namespace mm
