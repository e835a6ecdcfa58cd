// Read-only views for the page (views.h): the frame map, the structures as
// JSON, one frame, one slab cache, one free list, and the free-by-hand rule.
#include "text/format/views.h"

#include "text/format/json.h"

#include <algorithm>
#include <array>
#include <concepts>
#include <cstdio>
#include <optional>

#include "mm/page_alloc/alloc.h"
#include "mm/pressure/oom.h"
#include "mm/pressure/task.h"
#include "mm/slab/slub.h"

namespace mm {

namespace {

// ---- frames -----------------------------------------------------------------------------

bool is_head(FrameState s) { return s == FrameState::Buddy || s == FrameState::Pcp || s == FrameState::Alloc; }
bool is_tail(FrameState s) {
  return s == FrameState::BuddyTail || s == FrameState::PcpTail || s == FrameState::AllocTail;
}
FrameState tail_of(FrameState head) {
  return head == FrameState::Buddy ? FrameState::BuddyTail
         : head == FrameState::Pcp ? FrameState::PcpTail
                                   : FrameState::AllocTail;
}

// An allocation's colour comes from its owner; a User page with no task
// behind it is a movable alloc_pages block, not anybody's anon memory.
CellKind alloc_kind(const MemMap& mem, Pfn p) {
  switch (mem.owner_of(p)) {
    case Owner::Kernel: return CellKind::Kernel;
    case Owner::PageTable: return CellKind::PageTable;
    case Owner::Slab: return CellKind::Slab;
    case Owner::User: return mem.owner_id[p] ? CellKind::Anon : CellKind::Other;
    case Owner::PageCache: return CellKind::PageCache;
    case Owner::None: break;
  }
  return CellKind::Other;
}

CellKind head_kind(const MemMap& mem, Pfn p) {
  switch (mem.st(p)) {
    case FrameState::Buddy: return CellKind::Free;
    case FrameState::Pcp: return CellKind::Pcp;
    default: return alloc_kind(mem, p);
  }
}

// A frame in no block; a tail with no head (never in a consistent state)
// shows as Other rather than pretending to be something.
CellKind lone_kind(FrameState s) {
  switch (s) {
    case FrameState::Hole: return CellKind::Hole;
    case FrameState::Reserved: return CellKind::Reserved;
    case FrameState::Uninit: return CellKind::Uninit;
    default: return CellKind::Other;
  }
}

std::uint8_t cell(CellKind k, unsigned order) {
  return static_cast<std::uint8_t>((order << 4) | static_cast<unsigned>(k));
}

struct Block {
  Pfn head;
  Order order;
};

// The block holding `pfn`: blocks are naturally aligned, so the head is
// round_down(pfn, 1 << o) for the o that is its order.
std::optional<Block> block_of(const MemMap& mem, Pfn pfn) {
  if (!is_head(mem.st(pfn)) && !is_tail(mem.st(pfn))) return std::nullopt;
  for (Order o = 0; o < MAX_ORDER; ++o) {
    const Pfn h = round_down(pfn, Pfn{1} << o);
    if (is_head(mem.st(h)) && mem.order_of(h) == o) return Block{h, o};
  }
  return std::nullopt;
}

// Which CPU's pcp list holds the pcp page `head`: walk back to its list's
// first entry and find the list that starts there.
int pcp_cpu(const Machine& m, Pfn head) {
  const Zone* z = m.page_zone(head);
  if (!z) return -1;
  FreeList any;  // the zone's pcp lists all share its base
  any.base = z->list_base;
  u32 first = static_cast<u32>(head);
  for (Pfn steps = 0; m.mem.list_prev(any, first) != NIL && steps < m.mem.nr; ++steps)
    first = m.mem.list_prev(any, first);
  for (size_t cpu = 0; cpu < z->pcp.size(); ++cpu)
    for (const FreeList& l : z->pcp[cpu].lists)
      if (l.head == first) return static_cast<int>(cpu);
  return -1;
}

// The node whose span holds `pfn` (a hole inside a node still belongs to it).
int node_spanning(const Machine& m, Pfn pfn) {
  for (const Node& n : m.nodes)
    if (pfn >= n.node_start_pfn && pfn < n.node_start_pfn + n.node_spanned_pages) return n.id;
  return -1;
}

// ---- owners ------------------------------------------------------------------------------

const Task* any_task(const Machine& m, u32 pid) {
  if (!m.pressure) return nullptr;
  for (const Task& t : m.pressure->tasks)
    if (static_cast<u32>(t.pid) == pid) return &t;
  return nullptr;
}

std::string task_label(const Machine& m, u32 pid) {
  const Task* t = any_task(m, pid);
  return "task " + std::to_string(pid) + " (" + (t ? t->comm : std::string("?")) + ")";
}

std::string file_name(const Machine& m, u32 id) {
  if (m.pressure && id < m.pressure->files.size()) return m.pressure->files[id];
  return "file " + std::to_string(id);
}

const Slab* slab_at(const Machine& m, Pfn pfn) {
  if (!m.slub) return nullptr;
  auto it = m.slub->slabs.find(pfn);
  return it == m.slub->slabs.end() ? nullptr : &it->second;
}

const LargeKmalloc* large_at(const Machine& m, Pfn pfn) {
  if (!m.slub) return nullptr;
  auto it = m.slub->large.find(pfn);
  return it == m.slub->large.end() ? nullptr : &it->second;
}

std::string cache_name(const Machine& m, const Slab& sl) {
  return sl.cache < m.slub->caches.size() ? m.slub->caches[sl.cache].name : std::string("?");
}

// FrameInfo.owner for an allocation head.
std::string alloc_owner(const Machine& m, Pfn head) {
  const MemMap& mem = m.mem;
  const u32 id = mem.owner_id[head];
  switch (mem.owner_of(head)) {
    case Owner::Kernel: return large_at(m, head) ? "kernel (kmalloc_large)" : "kernel";
    case Owner::PageTable: return id ? task_label(m, id) + " page table" : "kernel page table";
    case Owner::Slab: {
      const Slab* sl = slab_at(m, head);
      return sl ? "slab " + cache_name(m, *sl) : "slab";
    }
    case Owner::User:
      if (!id) return "user (alloc_pages)";
      return task_label(m, id) + ((mem.pflags[head] & PG_shmem) ? " shmem" : " anon");
    case Owner::PageCache:
      if (mem.mapper[head]) return "page cache, mapped by " + task_label(m, mem.mapper[head]);
      return "page cache (" + file_name(m, id) + ")";
    case Owner::None: break;
  }
  return "allocated";
}

std::string frame_owner(const Machine& m, Pfn pfn, const std::optional<Block>& b) {
  switch (m.mem.st(pfn)) {
    case FrameState::Hole: return "hole";
    case FrameState::Reserved: return "reserved";
    case FrameState::Uninit: return "uninitialised (deferred struct page init)";
    case FrameState::Buddy:
    case FrameState::BuddyTail: return "free";
    case FrameState::Pcp:
    case FrameState::PcpTail: return b ? "pcp cpu " + std::to_string(pcp_cpu(m, b->head)) : "pcp";
    case FrameState::Alloc:
    case FrameState::AllocTail: return b ? alloc_owner(m, b->head) : "allocated";
  }
  return "";
}

// Why an allocation head may not be freed by hand; empty when it may.
std::string alloc_refusal(const Machine& m, Pfn pfn) {
  const MemMap& mem = m.mem;
  const std::string at = "pfn " + std::to_string(pfn);
  const u32 id = mem.owner_id[pfn];
  switch (mem.owner_of(pfn)) {
    case Owner::Slab: {
      const Slab* sl = slab_at(m, pfn);
      return at + " belongs to slab cache " + (sl ? cache_name(m, *sl) : std::string("?")) +
             "; kfree its objects instead";
    }
    case Owner::PageTable:
      if (id) return at + " is a page table of " + task_label(m, id) + "; it is freed when the task exits";
      return at + " is a kernel page table allocated at boot (preallocate_vmalloc_pages); it is never freed";
    case Owner::User:
      if (id)
        return at + " is " + ((mem.pflags[pfn] & PG_shmem) ? "a shmem" : "an anonymous") + " page of " +
               task_label(m, id) + "; it is freed when the task exits or reclaim swaps it out";
      break;
    case Owner::PageCache:
      return at + " is a page-cache page of " + file_name(m, id) + "; drop_caches or reclaim frees it";
    case Owner::Kernel:
      if (const LargeKmalloc* l = large_at(m, pfn)) {
        char addr[32];
        std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(PAGE_OFFSET + PFN_PHYS(pfn)));
        return at + " is a kmalloc_large allocation of " + std::to_string(l->size) + " bytes; kfree " + addr +
               " instead";
      }
      break;
    case Owner::None: break;
  }
  if (mem.pflags[pfn] & PG_lru) return at + " is on an LRU list; reclaim owns it";
  return {};
}

// ---- state_json pieces ---------------------------------------------------------------

void pcp_json(Json& j, const PerCpuPages& p, size_t cpu) {
  j.open('{').field("cpu", cpu).field("count", p.count).field("high", p.high).field("batch", p.batch);
  j.key("lists").open('[');
  for (unsigned i = 0; i < NR_PCP_LISTS; ++i) j.num(p.lists[i].count << pindex_to_order(i));  // pages, not entries
  j.close(']').close('}');
}

void zone_json(Json& j, const Zone& z) {
  j.open('{').field("node", z.node).field("type", idx(z.type)).field("name", z.name());
  j.field("startPfn", z.zone_start_pfn).field("spanned", z.spanned_pages).field("present", z.present_pages);
  j.field("managed", z.managed_pages).field("free", z.nr_free_pages);
  j.field("min", z.min_wmark())
      .field("low", z.low_wmark())
      .field("high", z.high_wmark())
      .field("boost", z.watermark_boost);
  j.key("protection").open('[');
  for (u64 r : z.lowmem_reserve) j.num(r);
  j.close(']').key("nrFree").open('[');
  for (const FreeArea& a : z.free_area) j.num(a.nr_free);
  j.close(']').key("freeArea").open('[');
  for (const FreeArea& a : z.free_area) {
    j.open('[');
    for (const FreeList& l : a.free_list) j.num(l.count);
    j.close(']');
  }
  j.close(']').field("nrReservedHighatomic", z.nr_reserved_highatomic).key("pcp").open('[');
  for (size_t cpu = 0; cpu < z.pcp.size(); ++cpu) pcp_json(j, z.pcp[cpu], cpu);
  j.close(']').close('}');
}

void node_json(const Machine& m, Json& j, const Node& n) {
  j.open('{').field("id", n.id).field("startPfn", n.node_start_pfn).field("spanned", n.node_spanned_pages);
  j.field("present", n.node_present_pages).key("zonelist").open('[');
  for (const ZoneRef& r : n.zonelist_fallback)
    j.str("Node " + std::to_string(r.node) + " " + std::string(m.zone(r).name()));
  // kswapd runs synchronously inside the operation that woke it, so between
  // operations it is always back asleep; the engine records no other state.
  j.close(']').field("kswapd", "sleeping").close('}');
}

// What /proc/slabinfo counts (proc_slabinfo in text/format/slabinfo.cpp
// prints the same): objects on node partial slabs are the free ones; CPU slabs and
// CPU partial slabs count as active, as count_partial() sees it.
void cache_json(Json& j, const SlubState& st, const KmemCache& s) {
  const SlabinfoCounts c = slabinfo_counts(st, s);
  j.open('{').field("name", s.name).field("objectSize", s.g.object_size).field("size", s.g.size);
  j.field("objPerSlab", s.g.objects).field("pagesPerSlab", u64{1} << s.g.order);
  j.field("activeObjs", c.active_objs).field("numObjs", c.num_objs).field("slabs", c.slabs).close('}');
}

void task_json(const Machine& m, Json& j, const Task& t, u64 totalpages) {
  const TaskMem tm = task_mem(m, t);
  const std::optional<long long> badness = oom_badness(tm, totalpages);
  j.open('{').field("pid", t.pid).field("name", t.comm).field("alive", t.alive);
  j.field("rssAnon", tm.rss_anon).field("rssFile", tm.rss_file).field("rssShmem", tm.rss_shmem);
  j.field("swapEnts", tm.swapents).field("pgtables", tm.pgtables_bytes / static_cast<long long>(PAGE_SIZE));
  j.field("oomScoreAdj", t.oom_score_adj).field("oomScore", proc_oom_score(tm, totalpages));
  j.field("killable", badness.has_value()).field("badness", badness ? *badness : 0LL).close('}');
}

const char* slab_where(SlabPlace p) {
  switch (p) {
    case SlabPlace::CpuSlab: return "cpu";
    case SlabPlace::CpuPartial: return "cpu-partial";
    case SlabPlace::NodePartial: return "node-partial";
    case SlabPlace::NodeFull:
    case SlabPlace::Full: break;
  }
  return "full";
}

void slab_json(Json& j, const Slab& sl) {
  std::string map;
  map.reserve(sl.state.size());
  for (ObjState o : sl.state) map += o == ObjState::Allocated ? '#' : '.';
  // inuse is SLUB's slab->inuse: a CPU slab counts its c->freelist objects
  // as in use (the CPU owns them), so it can exceed the '#' in the map.
  j.open('{').field("pfn", sl.pfn).field("order", sl.order).field("objects", sl.objects).field("inuse", sl.inuse);
  j.field("map", map).field("where", slab_where(sl.place)).field("cpu", sl.cpu).field("node", sl.node).close('}');
}

// The cache's slabs in the order SLUB holds them (as slab_view prints them):
// each CPU's slab and partial list, each node's partial and full lists,
// then the full slabs no list holds, by pfn.
std::vector<const Slab*> cache_slabs(const SlubState& st, const KmemCache& s, u32 id) {
  std::vector<const Slab*> v;
  auto add = [&](Pfn p) {
    auto it = st.slabs.find(p);
    if (it != st.slabs.end()) v.push_back(&it->second);
  };
  for (const KmemCacheCpu& c : s.cpu) {
    if (c.slab != NO_SLAB) add(c.slab);
    for (Pfn p : c.partial) add(p);
  }
  for (const KmemCacheNode& n : s.node) {
    for (Pfn p : n.partial) add(p);
    for (Pfn p : n.full) add(p);
  }
  for (const auto& [pfn, sl] : st.slabs)
    if (sl.cache == id && sl.place == SlabPlace::Full) v.push_back(&sl);
  return v;
}

using CellCounts = std::array<u64, NR_CELL_KINDS>;

// Calls f(first, last, cell) for the runs of frames of [from, to) that
// show as one cell value: a block (its head and tails), a run of holes,
// reserved or uninitialised frames. Chunks kept as patterns are crossed at
// once, so an untouched 2 TiB machine is a few hundred thousand runs.
template <class F>
void for_each_cell_run(const Machine& m, Pfn from, Pfn to, F&& f) {
  const MemMap& mem = m.mem;
  for (Pfn p = from; p < to;) {
    const FrameState s = mem.st(p);
    if (!is_head(s)) {
      const Pfn e = mem.run_end(p, to);
      f(p, e, cell(lone_kind(s), 0));
      p = e;
      continue;
    }
    const Order o = mem.order_of(p);
    const std::uint8_t c = cell(head_kind(mem, p), o);
    const Pfn end = std::min<Pfn>(to, p + (Pfn{1} << o));
    // Stop early if a block is half-built.
    const Pfn e = p + 1 < end && mem.st(p + 1) == tail_of(s) ? mem.run_end(p + 1, end) : p + 1;
    f(p, e, c);
    p = e;
  }
}

// The legend's figures: frames of each kind, a run at a time (no cells
// are built: at shift 0 a 2 TiB machine's would be half a gigabyte).
CellCounts cell_counts(const Machine& m) {
  CellCounts counts{};
  const Pfn n = std::min<Pfn>(m.mem.nr, m.mem.word.size());
  for_each_cell_run(m, 0, n,
                    [&](Pfn lo, Pfn hi, std::uint8_t c) { counts[static_cast<std::size_t>(cell_kind(c))] += hi - lo; });
  return counts;
}

// map_cells' pass. With shift > 0 a cell
// stands for 1 << shift frames and shows the kind most of them have (ties:
// the first seen), with the largest order among that kind's runs.
void fill_cells(const Machine& m, std::vector<std::uint8_t>& out, unsigned shift) {
  const Pfn n = std::min<Pfn>(m.mem.nr, m.mem.word.size());
  const Pfn group = Pfn{1} << shift;
  out.assign(static_cast<std::size_t>((n + group - 1) >> shift), 0);
  std::array<u64, NR_CELL_KINDS> in_group{};
  std::array<unsigned, NR_CELL_KINDS> order{};
  Pfn current = 0;  // the group in_group describes
  auto emit = [&]() {
    if (std::none_of(in_group.begin(), in_group.end(), [](u64 v) { return v != 0; })) return;
    std::size_t best = 0;
    for (std::size_t k = 1; k < NR_CELL_KINDS; ++k)
      if (in_group[k] > in_group[best]) best = k;
    out[static_cast<std::size_t>(current)] = cell(static_cast<CellKind>(best), order[best]);
    in_group.fill(0);
    order.fill(0);
  };
  for_each_cell_run(m, 0, n, [&](Pfn lo, Pfn hi, std::uint8_t c) {
    const std::size_t k = static_cast<std::size_t>(cell_kind(c));
    if (!shift) {
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(lo), out.begin() + static_cast<std::ptrdiff_t>(hi), c);
      return;
    }
    while (lo < hi) {
      const Pfn g = lo >> shift, g_end = std::min(hi, (g + 1) << shift);
      if (g != current) {
        emit();
        current = g;
      }
      if (lo == g << shift && hi >= (g + 1) << shift) {
        // Whole groups of one run: written directly.
        const Pfn last = hi >> shift;  // groups [g, last) are covered
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(g), out.begin() + static_cast<std::ptrdiff_t>(last), c);
        current = last;
        lo = last << shift;
        continue;
      }
      in_group[k] += g_end - lo;
      order[k] = std::max(order[k], cell_order(c));
      lo = g_end;
    }
  });
  if (shift && current < out.size()) emit();
}

std::string beyond(const Machine& m, u64 pfn) {
  return "pfn " + std::to_string(pfn) + " is beyond max_pfn " + std::to_string(m.mem.nr);
}

}  // namespace

// ---- the API ------------------------------------------------------------------------------

unsigned map_shift(Pfn frames) {
  unsigned s = 0;
  while ((frames >> s) > kMaxMapCells) ++s;
  return s;
}

void map_cells(const Machine& m, std::vector<std::uint8_t>& out) { fill_cells(m, out, map_shift(m.mem.nr)); }

Expected<std::vector<std::uint8_t>> map_cells_range(const Machine& m, u64 first, u64 count) {
  if (first >= m.mem.nr) return Diagnostic{"", 0, 0, beyond(m, first)};
  if (count > kMaxMapCells)
    return Diagnostic{"", 0, 0,
                      "a window of " + std::to_string(count) + " frames is more than the " +
                          std::to_string(kMaxMapCells) + " a detail view takes"};
  const Pfn last = std::min<Pfn>(m.mem.nr, first + count);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(last - first), 0);
  // A block may start before the window: the walk starts at its head, so
  // that tails inside the window get their head's cell.
  Pfn from = first;
  if (const std::optional<Block> b = block_of(m.mem, first)) from = b->head;
  for_each_cell_run(m, from, last, [&](Pfn lo, Pfn hi, std::uint8_t c) {
    lo = std::max(lo, first);
    if (lo < hi)
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(lo - first),
                out.begin() + static_cast<std::ptrdiff_t>(hi - first), c);
  });
  return out;
}

std::string state_json(const Machine& m) {
  Json j;
  j.open('{').field("booted", m.mem.nr > 0).field("frames", m.mem.nr).field("cpus", m.nr_cpus);
  j.field("mapShift", map_shift(m.mem.nr));
  j.key("migrateTypes").open('[');
  for (std::string_view name : kMigrateTypeNames) j.str(name);
  j.close(']').field("pageblockOrder", pageblock_order).key("zoneTypes").open('[');
  for (unsigned t = 0; t < MAX_NR_ZONES; ++t)
    if (m.spec.config.has_zone(static_cast<ZoneType>(t))) j.num(t);
  j.close(']').key("nodes").open('[');
  for (const Node& n : m.nodes) node_json(m, j, n);
  j.close(']').key("zones").open('[');
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones)
      if (m.spec.config.has_zone(z.type)) zone_json(j, z);  // no entry for a zone the kernel lacks
  j.close(']').key("caches").open('[');
  if (m.slub)
    for (u32 id : m.slub->list)
      if (const KmemCache* s = cache_of(m, id)) cache_json(j, *m.slub, *s);
  j.close(']').key("tasks").open('[');
  if (m.pressure)
    for (const Task& t : m.pressure->tasks) task_json(m, j, t, oom_totalpages(m));
  j.close(']').key("cellCounts").open('[');
  for (u64 c : cell_counts(m)) j.num(c);
  j.close(']').close('}');
  return j.take();
}

std::string frame_info_json(const Machine& m, u64 pfn) {
  Json j;
  if (pfn >= m.mem.nr) {
    j.open('{').field("ok", false).field("error", beyond(m, pfn)).field("pfn", pfn).field("node", -1).field("zone", "");
    j.field("kind", 0).field("head", -1).field("order", -1).field("migrateType", "").field("owner", "");
    return j.field("freeable", false).close('}').take();
  }
  const FrameState s = m.mem.st(pfn);
  const Zone* z = s == FrameState::Hole ? nullptr : m.page_zone(pfn);
  const std::optional<Block> b = block_of(m.mem, pfn);
  const CellKind kind = b ? head_kind(m.mem, b->head) : lone_kind(s);
  j.open('{').field("ok", true).field("error", "").field("pfn", pfn);
  j.field("node", z ? z->node : node_spanning(m, pfn)).field("zone", z ? z->name() : std::string_view());
  j.field("kind", static_cast<unsigned>(kind));
  j.field("head", b ? static_cast<long long>(b->head) : -1LL).field("order", b ? static_cast<int>(b->order) : -1);
  j.field("migrateType", z ? kMigrateTypeNames[idx(m.mem.block_mt(pfn))] : std::string_view());
  j.field("owner", frame_owner(m, pfn, b)).field("freeable", b && frame_freeable(m, b->head));
  return j.close('}').take();
}

Expected<std::string> cache_detail_json(const Machine& m, std::string_view cache) {
  if (!m.slub) return Diagnostic{"", 0, 0, "SLUB is not up yet"};
  const std::optional<u32> id = find_cache(m, cache);
  const KmemCache* s = id ? cache_of(m, *id) : nullptr;
  if (!s) return Diagnostic{"", 0, 0, "no slab cache named '" + std::string(cache) + "'"};
  Json j;
  j.open('{').key("cache");
  cache_json(j, *m.slub, *s);
  j.key("slabs").open('[');
  for (const Slab* sl : cache_slabs(*m.slub, *s, *id)) slab_json(j, *sl);
  return j.close(']').close('}').take();
}

std::vector<Pfn> free_blocks(const Machine& m, int node, int zone_type, int order, int mt, std::size_t limit) {
  std::vector<Pfn> v;
  if (node < 0 || static_cast<size_t>(node) >= m.nodes.size() || zone_type < 0 ||
      zone_type >= static_cast<int>(MAX_NR_ZONES) || order < 0 || order >= static_cast<int>(MAX_ORDER) || mt < 0 ||
      mt >= static_cast<int>(MIGRATE_TYPES))
    return v;
  const Zone& z = m.nodes[static_cast<size_t>(node)].zones[static_cast<size_t>(zone_type)];
  const FreeList& l = z.free_area[static_cast<size_t>(order)].free_list[static_cast<size_t>(mt)];
  for (u32 p = l.head; p != NIL && p < m.mem.nr && v.size() < limit; p = m.mem.list_next(l, p)) v.push_back(p);
  return v;
}

bool frame_freeable(const Machine& m, Pfn pfn, std::string* why) {
  auto no = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  if (pfn >= m.mem.nr) return no(beyond(m, pfn));
  const std::string at = "pfn " + std::to_string(pfn);
  const std::optional<Block> b = block_of(m.mem, pfn);
  switch (m.mem.st(pfn)) {
    case FrameState::Hole: return no(at + " is a hole: no RAM backs it");
    case FrameState::Reserved:
      return no(at + " is reserved: memblock kept it for the kernel and never gave it to the buddy allocator");
    case FrameState::Uninit: return no(at + " is not initialised yet (deferred struct page init); nobody owns it");
    case FrameState::Buddy:
    case FrameState::BuddyTail: return no(at + " is already free, in the buddy allocator");
    case FrameState::Pcp:
    case FrameState::PcpTail:
      return no(at + " is already free, on CPU " + std::to_string(b ? pcp_cpu(m, b->head) : -1) + "'s per-CPU list");
    case FrameState::AllocTail:
      return no(at + " is inside the order-" + std::to_string(b ? b->order : 0) + " block at pfn " +
                std::to_string(b ? b->head : pfn) + "; free it by its first page");
    case FrameState::Alloc: break;
  }
  std::string refusal = alloc_refusal(m, pfn);
  if (!refusal.empty()) return no(std::move(refusal));
  if (why) why->clear();
  return true;
}

}  // namespace mm
