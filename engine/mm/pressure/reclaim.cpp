// Reclaim (shrink lists, kswapd, direct reclaim) and the OOM killer.
#include "mm/pressure/reclaim.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/page_alloc.h"
#include "mm/pressure/oom.h"
#include "mm/pressure/task.h"
#include "mm/slab/slub.h"

namespace mm {

namespace {

std::string K(u64 pages) { return std::to_string(pages << (PAGE_SHIFT - 10)) + "kB"; }

bool swap_space(const Machine& m) { return m.pressure && m.pressure->swap_used < m.pressure->swap_total; }

FreeList& lru_list(Machine& m, int node, Lru l) { return m.pressure->lru[static_cast<size_t>(node)][l]; }

Task* task_by_pid(Machine& m, u32 pid) {
  for (Task& t : m.pressure->tasks)
    if (t.alive && t.pid == static_cast<int>(pid)) return &t;
  return nullptr;
}

void move_to(Machine& m, int node, Pfn p, Lru to) {
  lru_del(m, p);
  m.mem.pflags.set(p, static_cast<std::uint8_t>(m.mem.pflags[p] | PG_lru));
  if (to == LRU_ACTIVE_ANON || to == LRU_ACTIVE_FILE)
    m.mem.pflags.set(p, static_cast<std::uint8_t>(m.mem.pflags[p] | PG_active));
  lru_list_add(m.mem, lru_list(m, node, to), p);
}

// inactive_is_low(): the inactive list should hold at least 1/ratio of the
// pages, ratio = int_sqrt(10 * GiB of the two lists) (1 below 1 GiB).
bool inactive_is_low(Machine& m, int node, bool file) {
  const u64 inactive = lru_size(m, node, file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON);
  const u64 active = lru_size(m, node, file ? LRU_ACTIVE_FILE : LRU_ACTIVE_ANON);
  const u64 gb = (inactive + active) >> (30 - PAGE_SHIFT);
  const u64 ratio = gb ? int_sqrt(10 * gb) : 1;
  return inactive * ratio < active;
}

// shrink_active_list(): age `n` pages from the active tail to the inactive
// list, clearing their referenced bits.
void shrink_active_list(Machine& m, int node, bool file, u64 n) {
  FreeList& active = lru_list(m, node, file ? LRU_ACTIVE_FILE : LRU_ACTIVE_ANON);
  u64 moved = 0;
  while (n-- && !active.empty()) {
    const Pfn p = active.tail;
    m.mem.pflags.set(p, static_cast<std::uint8_t>(m.mem.pflags[p] & static_cast<std::uint8_t>(~PG_referenced)));
    lru_del(m, p);
    m.mem.pflags.set(p, static_cast<std::uint8_t>(m.mem.pflags[p] | PG_lru));
    lru_list_add(m.mem, lru_list(m, node, file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON), p);
    ++moved;
  }
  if (moved)
    if (auto e = m.trace.step(Ev::lru_age)) e.node(node).file_lru(file).pages(moved);
}

// shrink_inactive_list(): scan `n` pages from the inactive tail.
u64 shrink_inactive_list(Machine& m, int node, bool file, u64 n) {
  FreeList& inactive = lru_list(m, node, file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON);
  PressureState& ps = *m.pressure;
  u64 scanned = 0, reclaimed = 0, activated = 0;
  while (n-- && !inactive.empty()) {
    const Pfn p = inactive.tail;
    ++scanned;
    const bool mapped = !file || m.mem.mapper[p];
    if (m.mem.pflags[p] & PG_referenced) {
      m.mem.pflags.set(p, static_cast<std::uint8_t>(m.mem.pflags[p] & static_cast<std::uint8_t>(~PG_referenced)));
      if (mapped) {
        move_to(m, node, p, file ? LRU_ACTIVE_FILE : LRU_ACTIVE_ANON);  // folio_referenced: keep it
        ++activated;
      } else {
        move_to(m, node, p, LRU_INACTIVE_FILE);  // a second pass, at the head
      }
      continue;
    }
    if (file) {
      if (m.mem.mapper[p]) {
        if (Task* t = task_by_pid(m, m.mem.mapper[p])) --t->file;  // try_to_unmap
      }
    } else {
      if (!swap_space(m)) {
        move_to(m, node, p, LRU_ACTIVE_ANON);
        continue;
      }
      Task* t = task_by_pid(m, m.mem.owner_id[p]);
      if (t) {
        if (m.mem.pflags[p] & PG_shmem)
          --t->shmem;
        else
          --t->anon;
        ++t->swapents;
      }
      ++ps.swap_used;  // add_to_swap + pageout
    }
    lru_del(m, p);
    m.mem.pflags.set(p, 0);
    m.mem.owner_id.set(p, 0);
    m.mem.mapper.set(p, 0);
    free_pages(m, p, 0, 0);
    ++reclaimed;
  }
  ps.pgscan += scanned;
  ps.pgsteal += reclaimed;
  if (scanned)
    if (auto e = m.trace.step(Ev::lru_scan))
      e.node(node).file_lru(file).scanned(scanned).reclaimed(reclaimed).activated(activated);
  return reclaimed;
}

// shrink_node(): priority passes until `target` pages are reclaimed.
u64 shrink_node(Machine& m, int node, u64 target) {
  if (!m.pressure) return 0;
  u64 reclaimed = 0;
  for (int prio = DEF_PRIORITY; prio >= 0 && reclaimed < target; --prio) {
    for (bool file : {true, false}) {
      if (!file && !swap_space(m)) continue;
      if (inactive_is_low(m, node, file))
        shrink_active_list(
            m, node, file,
            std::max<u64>(SWAP_CLUSTER_MAX, lru_size(m, node, file ? LRU_ACTIVE_FILE : LRU_ACTIVE_ANON) >> prio));
      const u64 size = lru_size(m, node, file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON);
      u64 scan = size >> prio;
      if (!scan && size) scan = std::min<u64>(size, SWAP_CLUSTER_MAX);
      reclaimed += shrink_inactive_list(
          m, node, file, std::min(scan, std::max<u64>(target - std::min(target, reclaimed), SWAP_CLUSTER_MAX) * 2));
      if (reclaimed >= target) break;
    }
  }
  return reclaimed;
}

bool zone_balanced(const Machine& m, const Zone& z, Order order, ZoneType highest) {
  return zone_watermark_ok(m, z, order, z.high_wmark(), highest, 0, static_cast<long long>(z.nr_free_pages));
}

// pgdat_balanced(): some eligible zone is above its high watermark.
bool pgdat_balanced(const Machine& m, const Node& n, Order order, ZoneType highest) {
  bool any_managed = false;
  for (unsigned i = 0; i <= idx(highest); ++i) {
    const Zone& z = n.zones[i];
    if (!z.managed_pages) continue;
    any_managed = true;
    if (zone_balanced(m, z, order, highest)) return true;
  }
  return !any_managed;
}

// balance_pgdat(): kswapd's work for one wakeup (`boost`: the node's
// watermark boost that woke it, 0 when a zone below low did).
void balance_pgdat(Machine& m, Node& n, Order order, ZoneType highest, u64 boost) {
  ++m.pressure->kswapd_runs;  // counted before the wake event, so the state after it includes this run
  TraceScope scope(m.trace, Ev::kswapd_wake,
                   [&](EventRef& e) { e.node(n.id).order(order).highest(highest).boost(boost); });
  u64 total = 0;
  for (int round = 0; round < 64 && !pgdat_balanced(m, n, order, highest); ++round) {
    u64 target = 0;
    for (unsigned i = 0; i <= idx(highest); ++i) target += std::max<u64>(n.zones[i].high_wmark(), SWAP_CLUSTER_MAX);
    const u64 got = shrink_node(m, n.id, std::min<u64>(target, 4 * SWAP_CLUSTER_MAX));
    total += got;
    if (!got) break;  // nothing left to reclaim here: kswapd gives up (kswapd_failures)
  }
  // The boost has done its job (or cannot be met): drop it.
  for (Zone& z : n.zones) z.watermark_boost = 0;
  if (auto e = m.trace.step(Ev::kswapd_sleep)) e.node(n.id).reclaimed(total).ok(pgdat_balanced(m, n, order, highest));
}

}  // namespace

u64 zone_reclaimable_pages(const Machine& m, const Zone& z) {
  if (!m.pressure) return 0;
  u64 n = 0;
  for (int l = 0; l < NR_LRU_LISTS; ++l) {
    const bool file = l >= LRU_INACTIVE_FILE;
    if (!file && !(m.pressure->swap_used < m.pressure->swap_total)) continue;
    // The lists are per node: count the pages that lie in this zone.
    const FreeList& list = m.pressure->lru[static_cast<size_t>(z.node)][static_cast<size_t>(l)];
    for (u32 p = list.head; p != NIL; p = m.mem.lru_next[p])
      if (z.spans(p)) ++n;
  }
  return n;
}

void wake_all_kswapds(Machine& m, Order order, gfp_t, const std::vector<ZoneRef>& zonelist, ZoneType highest) {
  std::vector<int> seen;
  for (const ZoneRef& r : zonelist) {
    if (idx(r.zone) > idx(highest)) continue;
    if (std::find(seen.begin(), seen.end(), r.node) != seen.end()) continue;
    seen.push_back(r.node);
    Node& n = m.nodes[static_cast<size_t>(r.node)];
    u64 boost = 0;
    for (const Zone& z : n.zones) boost += z.watermark_boost;
    const bool boosted = boost != 0;
    // wakeup_kswapd(): a balanced, unboosted node lets kswapd sleep.
    if (!boosted && pgdat_balanced(m, n, order, highest)) continue;
    bool below_low = false;
    for (unsigned i = 0; i <= idx(highest); ++i) {
      const Zone& z = n.zones[i];
      if (z.managed_pages && z.nr_free_pages <= z.low_wmark()) below_low = true;
    }
    if (!below_low && !boosted) continue;
    if (!m.pressure) continue;  // nothing on any LRU: nothing kswapd could do
    balance_pgdat(m, n, order, highest, boost);
  }
}

u64 try_to_free_pages(Machine& m, gfp_t g, Order order, const std::vector<ZoneRef>& zonelist, ZoneType highest,
                      const std::vector<int>& nodemask) {
  if (m.pressure) ++m.pressure->direct_reclaims;  // counted before the event: the state after it includes this round
  TraceScope scope(m.trace, Ev::direct_reclaim, [&](EventRef& e) { e.order(order).gfp(g).pages(SWAP_CLUSTER_MAX); });
  if (!m.pressure) return 0;
  u64 reclaimed = 0;
  std::vector<int> done;
  for (const ZoneRef& r : zonelist) {
    if (idx(r.zone) > idx(highest) || std::find(done.begin(), done.end(), r.node) != done.end()) continue;
    if (!nodemask.empty() && std::find(nodemask.begin(), nodemask.end(), r.node) == nodemask.end()) continue;
    done.push_back(r.node);
    reclaimed += shrink_node(m, r.node, SWAP_CLUSTER_MAX << std::min<Order>(order, 4));
    if (reclaimed >= SWAP_CLUSTER_MAX) break;
  }
  return reclaimed;
}

// ---- the OOM killer ------------------------------------------------------------------

namespace {

std::string nodelist(const std::vector<int>& nodes) {
  // "%*pbl": ranges, e.g. 0-1 or 0,2
  std::string s;
  for (size_t i = 0; i < nodes.size();) {
    size_t j = i;
    while (j + 1 < nodes.size() && nodes[j + 1] == nodes[j] + 1) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(nodes[i]);
    if (j > i) s += "-" + std::to_string(nodes[j]);
    i = j + 1;
  }
  return s;
}

void show_free_areas(Machine& m, ZoneType max_zone) {
  const MemCounters c = mem_counters(m);
  const u64* lru = c.lru;
  const u64 free = c.free, pcp = c.free_pcp, pagetables = c.pagetables, shmem = c.shmem, mapped = c.mapped;
  auto u = [](u64 v) { return std::to_string(v); };
  m.printk("Mem-Info:");
  m.printk("active_anon:" + u(lru[LRU_ACTIVE_ANON]) + " inactive_anon:" + u(lru[LRU_INACTIVE_ANON]) +
           " isolated_anon:0");
  m.printk(" active_file:" + u(lru[LRU_ACTIVE_FILE]) + " inactive_file:" + u(lru[LRU_INACTIVE_FILE]) +
           " isolated_file:0");
  m.printk(" unevictable:0 dirty:0 writeback:0");
  m.printk(" slab_reclaimable:" + u(c.slab_reclaimable) + " slab_unreclaimable:" + u(c.slab_unreclaimable));
  m.printk(" mapped:" + u(mapped) + " shmem:" + u(shmem) + " pagetables:" + u(pagetables));
  m.printk(" sec_pagetables:0 bounce:0");
  m.printk(" kernel_misc_reclaimable:0");
  m.printk(" free:" + u(free) + " free_pcp:" + u(pcp) + " free_cma:0");
  for (const Node& n : m.nodes) {
    if (!n.has_memory()) continue;
    const int id = n.id;
    bool reclaimable = false;
    for (const Zone& z : n.zones) reclaimable = reclaimable || zone_reclaimable_pages(m, z);
    m.printk("Node " + u(static_cast<u64>(id)) + " active_anon:" + K(lru_size(m, id, LRU_ACTIVE_ANON)) +
             " inactive_anon:" + K(lru_size(m, id, LRU_INACTIVE_ANON)) + " active_file:" +
             K(lru_size(m, id, LRU_ACTIVE_FILE)) + " inactive_file:" + K(lru_size(m, id, LRU_INACTIVE_FILE)) +
             " unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:" + K(mapped) +
             " dirty:0kB writeback:0kB shmem:" + K(shmem) +
             " shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB kernel_stack:0kB pagetables:" +
             K(pagetables) + " sec_pagetables:0kB all_unreclaimable? " + (reclaimable ? "no" : "yes"));
  }
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      if (!z.populated() || idx(z.type) > idx(max_zone)) continue;
      u64 zl[NR_LRU_LISTS] = {}, zpcp = 0;
      for (int l = 0; l < NR_LRU_LISTS; ++l)
        if (m.pressure)
          for (u32 p = m.pressure->lru[static_cast<size_t>(n.id)][static_cast<size_t>(l)].head; p != NIL;
               p = m.mem.lru_next[p])
            if (z.spans(p)) ++zl[l];
      for (const PerCpuPages& p : z.pcp) zpcp += static_cast<u64>(p.count);
      m.printk("Node " + u(static_cast<u64>(n.id)) + " " + std::string(z.name()) + " free:" + K(z.nr_free_pages) +
               " boost:" + K(z.watermark_boost) + " min:" + K(z.min_wmark()) + " low:" + K(z.low_wmark()) +
               " high:" + K(z.high_wmark()) + " reserved_highatomic:" + std::to_string(z.nr_reserved_highatomic << 2) +
               "KB active_anon:" + K(zl[LRU_ACTIVE_ANON]) + " inactive_anon:" + K(zl[LRU_INACTIVE_ANON]) +
               " active_file:" + K(zl[LRU_ACTIVE_FILE]) + " inactive_file:" + K(zl[LRU_INACTIVE_FILE]) +
               " unevictable:0kB writepending:0kB present:" + K(z.present_pages) + " managed:" + K(z.managed_pages) +
               " mlocked:0kB bounce:0kB free_pcp:" + K(zpcp) +
               " local_pcp:" + K(z.pcp.empty() ? 0 : static_cast<u64>(z.pcp[0].count)) + " free_cma:0kB");
      std::string lr = "lowmem_reserve[]:";
      for (unsigned i = 0; i < MAX_NR_ZONES; ++i)  // the kernel's MAX_NR_ZONES entries
        if (m.spec.config.has_zone(static_cast<ZoneType>(i))) lr += " " + u(z.lowmem_reserve[i]);
      m.printk(lr);
    }
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      if (!z.populated() || idx(z.type) > idx(max_zone)) continue;
      std::string line = "Node " + u(static_cast<u64>(n.id)) + " " + std::string(z.name()) + ": ";
      u64 total = 0;
      for (unsigned o = 0; o < MAX_ORDER; ++o) {
        const u64 nr = z.free_area[o].nr_free;
        total += nr << o;
        line += u(nr) + "*" + u(4ull << o) + "kB ";
        if (nr) {
          std::string letters;
          for (unsigned t = 0; t < MIGRATE_TYPES; ++t)
            if (!z.free_area[o].free_list[t].empty()) letters += kMigrateTypeLetters[t];
          line += "(" + letters + ") ";
        }
      }
      m.printk(line + "= " + K(total));
    }
  for (const Node& n : m.nodes)
    if (n.has_memory())
      m.printk("Node " + u(static_cast<u64>(n.id)) +
               " hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB");
  const u64 swap_total = c.swap_total, swap_used = c.swap_used;
  m.printk(u(lru[LRU_ACTIVE_FILE] + lru[LRU_INACTIVE_FILE] + shmem) + " total pagecache pages");
  m.printk("0 pages in swap cache");
  m.printk("Free swap  = " + K(swap_total - swap_used));
  m.printk("Total swap = " + K(swap_total));
  u64 present = 0, managed = 0;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      present += z.present_pages;
      managed += z.managed_pages;
    }
  m.printk(u(present) + " pages RAM");
  m.printk("0 pages HighMem/MovableOnly");
  m.printk(u(present - managed) + " pages reserved");
  m.printk("0 pages hwpoisoned");
}

// dump_task(): 6.12 (from 6.9) adds the rss split to each row.
void dump_tasks(Machine& m) {
  const bool split = m.spec.version == KernelVersion::v6_12;
  m.printk("Tasks state (memory values in pages):");
  m.printk(split ? "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents "
                   "oom_score_adj name"
                 : "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
  if (!m.pressure) return;
  for (const Task& t : m.pressure->tasks) {
    if (!t.alive || t.kthread) continue;
    const TaskMem tm = task_mem(m, t);
    const Task* mm = find_task(m, t.mm_owner);
    const long long total_vm = mm ? mm->total_vm + kBaseVm : 0;
    char b[240];
    if (split)
      std::snprintf(b, sizeof b, "[%7d] %5d %5d %8lld %8lld %8lld %8lld %9lld %8lld %8lld         %5d %s", t.pid, t.uid,
                    t.mm_owner, total_vm, tm.rss(), tm.rss_anon, tm.rss_file, tm.rss_shmem, tm.pgtables_bytes,
                    tm.swapents, t.oom_score_adj, t.comm.c_str());
    else
      std::snprintf(b, sizeof b, "[%7d] %5d %5d %8lld %8lld %8lld %8lld         %5d %s", t.pid, t.uid, t.mm_owner,
                    total_vm, tm.rss(), tm.pgtables_bytes, tm.swapents, t.oom_score_adj, t.comm.c_str());
    m.printk(b);
  }
}

// constrained_alloc(): a nodemask that leaves out a node with memory makes
// it CONSTRAINT_MEMORY_POLICY; totalpages then counts only those nodes.
struct Constraint {
  bool policy = false;
  std::vector<int> mem_nodes;  // the nodes with memory (mems_allowed)
  u64 totalpages = 0;
};

Constraint constrained_alloc(const Machine& m, const OomControl& oc) {
  Constraint c;
  for (const Node& n : m.nodes)
    if (n.has_memory()) c.mem_nodes.push_back(n.id);
  for (int n : c.mem_nodes)
    if (!oc.nodemask.empty() && std::find(oc.nodemask.begin(), oc.nodemask.end(), n) == oc.nodemask.end())
      c.policy = true;
  const u64 swap_total = m.pressure ? m.pressure->swap_total : 0;
  if (c.policy) {
    std::vector<u64> present;
    for (int n : oc.nodemask) present.push_back(m.nodes[static_cast<size_t>(n)].node_present_pages);
    c.totalpages = oom_totalpages_nodes(swap_total, present);
  } else {
    c.totalpages = oom_totalpages_global(m.totalram_pages, swap_total);
  }
  return c;
}

// oom_cpuset_eligible(): under a memory policy, a task bound to other nodes
// cannot give back memory the request could use.
bool oom_eligible(const Task& t, const OomControl& oc, const Constraint& c) {
  if (!t.alive || t.kthread || t.pid == 1) return false;
  if (!c.policy || t.mempolicy_bind.empty()) return true;
  return std::any_of(t.mempolicy_bind.begin(), t.mempolicy_bind.end(),
                     [&](int n) { return std::find(oc.nodemask.begin(), oc.nodemask.end(), n) != oc.nodemask.end(); });
}

// One task's score, as the narration teaches it: the memory part, then the
// oom_score_adj part (or why it is no candidate).
void trace_badness(Machine& m, const Task& t, const Badness& b) {
  if (!b.points) {
    if (auto e = m.trace.step(Ev::oom_skip)) e.task(t.comm).pid(t.pid).adj(b.adj);
    return;
  }
  if (auto e = m.trace.step(Ev::oom_badness))
    e.task(t.comm).pid(t.pid).rss(b.rss).swapents(b.swapents).pgtables(b.pgtables);
  if (auto e = m.trace.step(Ev::oom_badness_adj))
    e.pid(t.pid).pages(b.pages()).adj(b.adj).adj_unit(b.adj_unit).points(*b.points);
}

struct Victim {
  const Task* task = nullptr;
  long long points = 0;
  std::size_t candidates = 0;
  bool tie = false;  // an earlier candidate scored the same
};

// select_bad_process(): every eligible task scored in list order.
Victim select_victim(Machine& m, const OomControl& oc, const Constraint& c) {
  Victim v;
  if (!m.pressure) return v;
  std::vector<const Task*> tasks;
  std::vector<std::optional<long long>> points;
  for (const Task& t : m.pressure->tasks) {
    if (!oom_eligible(t, oc, c)) continue;
    const Badness b = oom_badness_terms(task_mem(m, t), c.totalpages);
    trace_badness(m, t, b);
    tasks.push_back(&t);
    points.push_back(b.points);
  }
  const std::optional<std::size_t> chosen = select_bad_process(points);
  if (!chosen) return v;
  v.task = tasks[*chosen];
  v.points = *points[*chosen];
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i]) continue;
    ++v.candidates;
    if (i < *chosen && *points[i] == v.points) v.tie = true;
  }
  return v;
}

// dump_header(): the report's opening, Mem-Info and the task table.
void dump_header(Machine& m, const OomControl& oc) {
  const Task* cur = find_task(m, oc.current_pid);
  const std::string comm = cur ? cur->comm : "kworker/0:1";
  m.printk(comm + " invoked oom-killer: gfp_mask=" + format_gfp_full(oc.gfp) + ", order=" + std::to_string(oc.order) +
           ", oom_score_adj=" + std::to_string(cur ? cur->oom_score_adj : 0));
  const std::string cpu = "CPU: " + std::to_string(cur ? cur->cpu : 0);
  const std::string pid = " PID: " + std::to_string(cur ? cur->pid : 0) + " Comm: " + comm;
  if (m.spec.version == KernelVersion::v6_12)  // dump_stack_print_info() names the UID from 6.10
    m.printk(cpu + " UID: " + std::to_string(cur ? cur->uid : 0) + pid +
             " Not tainted 6.12.117+deb12-amd64 #1  Debian 6.12.117-1~deb12u1");
  else
    m.printk(cpu + pid + " Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2");
  m.printk("Call Trace:");
  m.printk(" <TASK>");
  for (const char* f : {"dump_header", "oom_kill_process", "out_of_memory", "__alloc_pages_slowpath", "__alloc_pages"})
    m.printk(std::string("  ") + f);
  m.printk(" </TASK>");
  show_free_areas(m, gfp_zone(oc.gfp, m.spec.config.zone_dma).value_or(ZoneType::Normal));
  dump_tasks(m);
}

// dump_oom_summary(): the constraint line.
void dump_oom_summary(Machine& m, const OomControl& oc, const Constraint& c, const Task& victim) {
  m.printk(std::string("oom-kill:constraint=") + (c.policy ? "CONSTRAINT_MEMORY_POLICY" : "CONSTRAINT_NONE") +
           ",nodemask=" + (c.policy ? nodelist(oc.nodemask) : "(null)") + ",cpuset=/,mems_allowed=" +
           nodelist(c.mem_nodes) + (c.policy ? "" : ",global_oom") + ",task_memcg=/,task=" + victim.comm +
           ",pid=" + std::to_string(victim.pid) + ",uid=" + std::to_string(victim.uid));
}

// oom_kill_process(): SIGKILL to the victim and every other user of its mm
// (marked as OOM victims, so they may dip into the reserves), the kill
// line, then the oom reaper frees the anonymous memory and exit the rest.
void oom_kill_process(Machine& m, const Victim& v) {
  const Task& chosen = *v.task;
  const TaskMem vm = task_mem(m, chosen);
  const Task* vmm = find_task(m, chosen.mm_owner);
  const long long total_vm = vmm ? vmm->total_vm + kBaseVm : 0;
  const int victim = chosen.pid, mm_owner = chosen.mm_owner, uid = chosen.uid, adj = chosen.oom_score_adj;
  const std::string vcomm = chosen.comm;
  ++m.pressure->oom_kills;
  std::vector<int> kill;
  for (Task& t : m.pressure->tasks)
    if (t.alive && t.mm_owner == mm_owner) {
      t.oom_victim = true;
      kill.push_back(t.pid);
    }
  if (auto e = m.trace.step(Ev::oom_kill)) e.task(vcomm).pid(victim).points(v.points).count(v.candidates).tie(v.tie);
  m.printk("Out of memory: Killed process " + std::to_string(victim) + " (" + vcomm +
           ") total-vm:" + K(static_cast<u64>(total_vm)) + ", anon-rss:" + K(static_cast<u64>(vm.rss_anon)) +
           ", file-rss:" + K(static_cast<u64>(vm.rss_file)) + ", shmem-rss:" + K(static_cast<u64>(vm.rss_shmem)) +
           ", UID:" + std::to_string(uid) + " pgtables:" + std::to_string(vm.pgtables_bytes >> 10) +
           "kB oom_score_adj:" + std::to_string(adj));
  m.printk("oom_reaper: reaped process " + std::to_string(victim) + " (" + vcomm + "), now anon-rss:0kB, file-rss:" +
           K(static_cast<u64>(vm.rss_file)) + ", shmem-rss:" + K(static_cast<u64>(vm.rss_shmem)));
  // Threads first, the mm owner last, so that exit_mmap runs once.
  std::stable_sort(kill.begin(), kill.end(), [&](int a, int) { return a != mm_owner; });
  for (int pid : kill) task_exit(m, pid);
}

}  // namespace

bool out_of_memory(Machine& m, const OomControl& oc) {
  if (!(oc.gfp & gfp::FS)) return true;  // !__GFP_FS: the OOM killer cannot help; pretend progress
  const Constraint c = constrained_alloc(m, oc);
  TraceScope scope(m.trace, Ev::out_of_memory, [&](EventRef& e) {
    e.order(oc.order).gfp(oc.gfp).totalpages(c.totalpages).adj_unit(c.totalpages / 1000).policy(c.policy);
  });
  const Victim v = select_victim(m, oc, c);
  if (!v.task) {
    // The kernel panics after this report, so it never repeats; the engine
    // goes on and limits the repeats as the kernel limits its others.
    if (ratelimit(m, m.oom_no_victim_rs, "out_of_memory")) {
      dump_header(m, oc);
      m.printk("Out of memory and no killable processes...");
    }
    m.trace.warn(Ev::oom_no_victim);
    return false;
  }
  // oom_kill_process(): dump_header(), which ends with the constraint line,
  // is inside oom_rs; the kill line and the reaper's are printed every time.
  if (ratelimit(m, m.oom_rs, "oom_kill_process")) {
    dump_header(m, oc);
    dump_oom_summary(m, oc, c, *v.task);
  }
  oom_kill_process(m, v);
  return true;
}

void warn_alloc(Machine& m, gfp_t g, Order order, int current_pid) {
  if (m.pressure) ++m.pressure->alloc_failures;
  // __GFP_NOWARN is tested first: a silent failure does not count against nopage_rs.
  if (g & gfp::NOWARN) return;
  if (!ratelimit(m, m.nopage_rs, "warn_alloc")) return;
  const Task* cur = find_task(m, current_pid);
  std::vector<int> nodes;
  for (const Node& n : m.nodes)
    if (n.has_memory()) nodes.push_back(n.id);
  m.printk((cur ? cur->comm : std::string("kworker/0:1")) +
           ": page allocation failure: order:" + std::to_string(order) + ", mode:" + format_gfp_full(g) +
           ", nodemask=(null),cpuset=/,mems_allowed=" + nodelist(nodes));
}

}  // namespace mm
