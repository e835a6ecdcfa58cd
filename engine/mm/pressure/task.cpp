// Tasks, page cache, LRU lists and the counters /proc/meminfo reads.
#include "mm/pressure/task.h"

#include "mm/core/deep_ptr_impl.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "mm/page_alloc/page_alloc.h"
#include "mm/pressure/reclaim.h"
#include "mm/slab/slub.h"

namespace mm {

template struct DeepPtr<PressureState>;  // copy-on-write for Machine snapshots

namespace {

// Anonymous faults in 6.1 allocate a zeroed movable folio.
constexpr gfp_t kAnonFaultGfp = gfp::GFP_HIGHUSER_MOVABLE | gfp::COMP | gfp::ZERO;  // 0x140dca
constexpr gfp_t kPageCacheGfp = gfp::GFP_HIGHUSER_MOVABLE;                          // mapping_gfp_mask
constexpr gfp_t kPgtableGfp = gfp::GFP_KERNEL | gfp::ZERO | gfp::ACCOUNT;           // GFP_PGTABLE_USER
constexpr long long kBasePgtables = 7;  // pgd, p4d/pud, pmd, and PTEs of a small static program
constexpr unsigned PTRS_PER_PTE = 512;

PressureState& pressure(Machine& m) {
  if (!m.pressure) {
    m.pressure.p = std::make_shared<PressureState>();
    m.pressure->lru.resize(m.nodes.size());
    m.pressure->files.push_back("(anonymous mappings)");
  }
  return *m.pressure;
}

Task* task_of(Machine& m, int pid) {
  if (!m.pressure) return nullptr;
  for (Task& t : m.pressure->tasks)
    if (t.pid == pid && t.alive) return &t;
  return nullptr;
}

Task& mm_of(Machine& m, Task& t) {
  Task* o = task_of(m, t.mm_owner);
  return o ? *o : t;
}

int node_of(const Machine& m, Pfn p) {
  const Zone* z = m.page_zone(p);
  return z ? z->node : 0;
}

Lru lru_index(std::uint8_t f) {
  const bool file = f & PG_file, active = f & PG_active;
  return static_cast<Lru>((file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON) + (active ? 1 : 0));
}

u32 file_id(PressureState& ps, const std::string& name) {
  for (size_t i = 1; i < ps.files.size(); ++i)
    if (ps.files[i] == name) return static_cast<u32>(i);
  ps.files.push_back(name);
  return static_cast<u32>(ps.files.size() - 1);
}

// One page for a task (or for the page cache when task is null).
std::optional<Pfn> fault_one(Machine& m, Task* t, gfp_t g, Owner owner, int cpu) {
  AllocRequest r;
  r.gfp = g;
  r.cpu = cpu;
  r.owner = owner;
  r.pid = t ? t->pid : 0;
  if (t) r.nodemask = t->mempolicy_bind;
  auto o = alloc_pages(m, r);
  if (!o || !o->ok) return std::nullopt;
  return o->pfn;
}

// Page tables grow with the mapping: a PTE page per 512 pages mapped.
bool map_pages_grew(Machine& m, Task& mm) {
  const long long mapped = mm.anon + mm.file + mm.shmem;
  const long long need = kBasePgtables + (mapped + PTRS_PER_PTE - 1) / PTRS_PER_PTE;
  while (mm.pgtable_pages < need) {
    auto p = fault_one(m, &mm, kPgtableGfp, Owner::PageTable, mm.cpu);
    if (!p || !mm.alive) return false;
    m.mem.owner_id.set(*p, static_cast<u32>(mm.pid));
    mm.pgtables.push_back(*p);
    ++mm.pgtable_pages;
  }
  return true;
}

enum class Kind { Anon, File, Shmem };

bool fault_in(Machine& m, Task& t, Kind k) {
  Task& mm = mm_of(m, t);
  if (!map_pages_grew(m, mm)) return false;
  const gfp_t g = k == Kind::Anon ? kAnonFaultGfp : kPageCacheGfp;
  auto p = fault_one(m, &t, g, k == Kind::File ? Owner::PageCache : Owner::User, t.cpu);
  if (!p || !t.alive || !mm.alive) {
    if (p) free_pages(m, *p, 0, t.cpu);  // the task died while this page was being found
    return false;
  }
  PressureState& ps = pressure(m);
  m.mem.pflags.set(*p, 0);  // a fresh page carries no flags from its last life
  if (k == Kind::File) {
    m.mem.owner_id.set(*p, file_id(ps, "map:" + mm.comm + ":" + std::to_string(mm.pid)));
    m.mem.mapper.set(*p, static_cast<u32>(mm.pid));
    ++mm.file;
  } else {
    m.mem.owner_id.set(*p, static_cast<u32>(mm.pid));
    if (k == Kind::Shmem) {
      m.mem.pflags.set(*p, static_cast<std::uint8_t>(m.mem.pflags[*p] | PG_shmem));
      ++mm.shmem;
    } else {
      ++mm.anon;
    }
  }
  ++mm.total_vm;
  lru_add(m, *p, k == Kind::File);
  m.mem.pflags.set(*p, static_cast<std::uint8_t>(m.mem.pflags[*p] | PG_referenced));  // just touched
  return true;
}

void free_lru_page(Machine& m, Pfn p) {
  lru_del(m, p);
  m.mem.pflags.set(p, 0);
  m.mem.owner_id.set(p, 0);
  m.mem.mapper.set(p, 0);
  free_pages(m, p, 0, 0);
}

}  // namespace

// ---- LRU -----------------------------------------------------------------------

void lru_add(Machine& m, Pfn p, bool file) {
  PressureState& ps = pressure(m);
  // Keep PG_shmem (set by the fault before the page joins the LRU): the
  // rss counters and /proc/meminfo's Shmem tell shmem from anon by it.
  const auto keep = static_cast<std::uint8_t>(file ? 0 : m.mem.pflags[p] & PG_shmem);
  m.mem.pflags.set(p, static_cast<std::uint8_t>(PG_lru | (file ? PG_file : 0) | keep));
  lru_list_add(m.mem, ps.lru[static_cast<size_t>(node_of(m, p))][file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON], p);
}

void lru_del(Machine& m, Pfn p) {
  if (!(m.mem.pflags[p] & PG_lru)) return;
  PressureState& ps = pressure(m);
  lru_list_del(m.mem, ps.lru[static_cast<size_t>(node_of(m, p))][lru_index(m.mem.pflags[p])], p);
  m.mem.pflags.set(p, static_cast<std::uint8_t>(m.mem.pflags[p] & static_cast<std::uint8_t>(~(PG_lru | PG_active))));
}

u64 lru_size(const Machine& m, int node, Lru l) {
  if (!m.pressure || static_cast<size_t>(node) >= m.pressure->lru.size()) return 0;
  return m.pressure->lru[static_cast<size_t>(node)][l].count;
}

u64 node_page_state_file(const Machine& m, int node) {
  return lru_size(m, node, LRU_INACTIVE_FILE) + lru_size(m, node, LRU_ACTIVE_FILE);
}

// ---- tasks ----------------------------------------------------------------------

const Task* find_task(const Machine& m, int pid) {
  if (!m.pressure) return nullptr;
  for (const Task& t : m.pressure->tasks)
    if (t.pid == pid && t.alive) return &t;
  return nullptr;
}

const Task* find_task(const Machine& m, const std::string& comm) {
  if (!m.pressure) return nullptr;
  for (const Task& t : m.pressure->tasks)
    if (t.comm == comm && t.alive) return &t;
  return nullptr;
}

TaskMem task_mem(const Machine& m, const Task& t) {
  const Task* o = find_task(m, t.mm_owner);
  const Task& mm = o ? *o : t;
  TaskMem tm;
  tm.rss_anon = mm.anon;
  tm.rss_file = mm.file;
  tm.rss_shmem = mm.shmem;
  tm.swapents = mm.swapents;
  tm.pgtables_bytes = mm.pgtable_pages * static_cast<long long>(PAGE_SIZE);
  tm.oom_score_adj = t.oom_score_adj;
  tm.unkillable = t.kthread || t.pid == 1 || !t.alive;
  return tm;
}

u64 oom_totalpages(const Machine& m) { return m.totalram_pages + (m.pressure ? m.pressure->swap_total : 0); }

Expected<int> spawn(Machine& m, const SpawnRequest& r) {
  // A replay resuming the fault-in half-way: the task exists already.
  if (resuming(m, ResumeLoop::Grow)) {
    const int pid = static_cast<int>(m.resume_from.p->v[0]);
    if (Status s = grow(m, pid, 0, 0, 0); !s) return s.diag();
    return pid;
  }
  if (r.oom_score_adj < OOM_SCORE_ADJ_MIN || r.oom_score_adj > OOM_SCORE_ADJ_MAX)
    return Diagnostic{"", 0, 0,
                      "spawn: oom_score_adj " + std::to_string(r.oom_score_adj) + " is outside [-1000, 1000]"};
  if (r.cpu < 0 || static_cast<unsigned>(r.cpu) >= m.nr_cpus)
    return Diagnostic{"", 0, 0, "spawn: no CPU " + std::to_string(r.cpu)};
  if (r.name.empty() || r.name.size() > 15)
    return Diagnostic{"", 0, 0, "spawn: a task name has 1 to 15 characters (TASK_COMM_LEN)"};
  const u64 total = (r.anon + r.file + r.shmem) >> PAGE_SHIFT;
  if (total > m.totalram_pages * 16)
    return Diagnostic{
        "", 0, 0,
        "spawn: " + format_size(r.anon + r.file + r.shmem) + " is more than sixteen times the machine's memory"};
  PressureState& ps = pressure(m);
  if (r.share_mm_with && !task_of(m, r.share_mm_with))
    return Diagnostic{"", 0, 0, "spawn: no live task " + std::to_string(r.share_mm_with) + " to share an mm with"};
  Task t;
  t.pid = ps.next_pid++;
  t.comm = r.name;
  t.uid = r.uid;
  t.oom_score_adj = r.oom_score_adj;
  t.cpu = r.cpu;
  t.mm_owner = r.share_mm_with ? r.share_mm_with : t.pid;
  for (int n : r.bind)
    if (n < 0 || static_cast<size_t>(n) >= m.nodes.size() || !m.nodes[static_cast<size_t>(n)].has_memory())
      return Diagnostic{"", 0, 0, "spawn: bind names node " + std::to_string(n) + ", which has no memory"};
  t.mempolicy_bind = r.bind;
  ps.tasks.push_back(t);
  const int pid = t.pid;
  if (auto e = m.trace.step(Ev::task_spawn))
    e.task(r.name).pid(pid).cpu(r.cpu).adj(r.oom_score_adj).mm_owner(r.share_mm_with);
  if (Status s = grow(m, pid, r.anon, r.file, r.shmem); !s) return s.diag();
  return pid;
}

Status grow(Machine& m, int pid, u64 anon, u64 file, u64 shmem) {
  const Resume* from = take_resume(m, ResumeLoop::Grow);
  Task* t = task_of(m, pid);
  if (!t) return Diagnostic{"", 0, 0, "no live task with pid " + std::to_string(pid)};
  // Pages left to fault in, per kind (a resumed replay takes them from its
  // checkpoint).
  u64 left[3] = {anon >> PAGE_SHIFT, file >> PAGE_SHIFT, shmem >> PAGE_SHIFT};
  if (from)
    for (int k = 0; k < 3; ++k) left[k] = from->v[static_cast<std::size_t>(k) + 1];
  if (!left[0] && !left[1] && !left[2]) return {};  // nothing to fault in
  std::optional<TraceScope> scope;
  if (from)
    scope.emplace(m.trace, TraceScope::Adopt{});
  else
    scope.emplace(m.trace, Ev::task_fault,
                  [&](EventRef& e) { e.task(t->comm).pid(pid).anon(anon).file(file).shmem(shmem); });
  // Interleave the kinds a little, as a program touching its memory would.
  const Kind kinds[3] = {Kind::Anon, Kind::File, Kind::Shmem};
  for (u64 round = from ? from->unit : 0; left[0] + left[1] + left[2]; ++round) {
    if (m.units.p && round != (from ? from->unit : 0)) {
      Resume next;
      next.loop = ResumeLoop::Grow;
      next.unit = round;
      next.v = {static_cast<u64>(pid), left[0], left[1], left[2]};
      if (!unit_boundary(m, next)) return {};
    }
    for (int k = 0; k < 3; ++k) {
      if (!left[k]) continue;
      --left[k];
      Task* cur = task_of(m, pid);
      if (!cur) return {};  // killed by the OOM killer while growing
      if (!fault_in(m, *cur, kinds[k])) {
        // The fault failed: the task was killed, or no memory at all
        // (VM_FAULT_OOM ends in the OOM killer, which we ran already).
        return {};
      }
    }
  }
  return {};
}

Status task_exit(Machine& m, int pid) {
  Task* t = task_of(m, pid);
  if (!t) return Diagnostic{"", 0, 0, "no live task with pid " + std::to_string(pid)};
  const bool owns_mm = t->mm_owner == t->pid;
  bool others = false;
  for (const Task& o : m.pressure->tasks)
    if (o.alive && o.pid != pid && o.mm_owner == t->mm_owner) others = true;
  const bool last_user = owns_mm && !others;
  TraceScope scope(m.trace, Ev::task_exit, [&](EventRef& e) { e.task(t->comm).pid(pid).last_user(last_user); });
  t->alive = false;
  if (!last_user) return {};  // the mm lives on in its other users
  // exit_mmap: anon and shmem pages freed, file pages unmapped (they stay
  // in the page cache), swap entries released, page tables freed.
  m.mem.for_each_in_state(FrameState::Alloc, [&](Pfn p) {
    const auto o = m.mem.owner_of(p);
    if (o == Owner::User && m.mem.owner_id[p] == static_cast<u32>(pid))
      free_lru_page(m, p);
    else if (o == Owner::PageCache && m.mem.mapper[p] == static_cast<u32>(pid))
      m.mem.mapper.set(p, 0);
  });
  for (Pfn p : t->pgtables) free_pages(m, p, 0, t->cpu);
  t->pgtables.clear();
  m.pressure->swap_used -= std::min<u64>(m.pressure->swap_used, static_cast<u64>(t->swapents));
  t->anon = t->file = t->shmem = t->swapents = t->pgtable_pages = t->total_vm = 0;
  return {};
}

Status set_oom_score_adj(Machine& m, int pid, int adj) {
  Task* t = task_of(m, pid);
  if (!t) return Diagnostic{"", 0, 0, "no live task with pid " + std::to_string(pid)};
  if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
    return Diagnostic{"", 0, 0, "oom_score_adj must be in [-1000, 1000]"};
  // The value belongs to the signal struct: every task sharing the mm here.
  for (Task& o : m.pressure->tasks)
    if (o.alive && o.mm_owner == t->mm_owner) o.oom_score_adj = adj;
  return {};
}

Status read_file(Machine& m, const std::string& name, u64 bytes, int cpu) {
  const Resume* from = take_resume(m, ResumeLoop::ReadFile);
  if (cpu < 0 || static_cast<unsigned>(cpu) >= m.nr_cpus)
    return Diagnostic{"", 0, 0, "read: no CPU " + std::to_string(cpu)};
  if ((bytes >> PAGE_SHIFT) > m.totalram_pages * 4)
    return Diagnostic{"", 0, 0, "read: the file is more than four times the machine's memory"};
  const u32 id = file_id(pressure(m), name);
  std::optional<TraceScope> scope;
  if (from)
    scope.emplace(m.trace, TraceScope::Adopt{});
  else
    scope.emplace(m.trace, Ev::file_read, [&](EventRef& e) { e.filename(name).size(bytes).cpu(cpu); });
  const u64 first = from ? from->unit : 0;
  for (u64 i = first; i < (bytes >> PAGE_SHIFT); ++i) {
    if (m.units.p && i != first) {
      Resume next;
      next.loop = ResumeLoop::ReadFile;
      next.unit = i;
      if (!unit_boundary(m, next)) return {};
    }
    auto p = fault_one(m, nullptr, kPageCacheGfp | gfp::NORETRY | gfp::NOWARN, Owner::PageCache, cpu);
    if (!p) break;  // readahead gives up quietly
    m.mem.owner_id.set(*p, id);
    lru_add(m, *p, true);
  }
  return {};
}

u64 drop_caches(Machine& m) {
  if (!m.pressure) return 0;
  TraceScope scope(m.trace, Ev::drop_caches);
  u64 n = 0;
  m.mem.for_each_in_state(FrameState::Alloc, [&](Pfn p) {
    if (m.mem.owner_of(p) == Owner::PageCache && !m.mem.mapper[p]) {
      free_lru_page(m, p);
      ++n;
    }
  });
  if (auto e = m.trace.step(Ev::caches_dropped)) e.pages(n);
  return n;
}

Status set_swap(Machine& m, u64 bytes) {
  PressureState& ps = pressure(m);
  if ((bytes >> PAGE_SHIFT) < ps.swap_used) return Diagnostic{"", 0, 0, "swapoff: swap is in use"};
  if (bytes > (256ull << 30)) return Diagnostic{"", 0, 0, "swap larger than 256G is not modelled"};
  ps.swap_total = bytes >> PAGE_SHIFT;
  m.printk("Adding " + std::to_string(bytes >> 10) +
           "k swap on /dev/vda2.  Priority:-2 extents:1 across:" + std::to_string(bytes >> 10) + "k FS");
  return {};
}

// ---- counters ----------------------------------------------------------------------

MemCounters mem_counters(const Machine& m) {
  MemCounters c;
  for (const Node& n : m.nodes)
    for (const Zone& z : n.zones) {
      c.free += z.nr_free_pages;
      c.low += z.low_wmark();
      for (const PerCpuPages& p : z.pcp) c.free_pcp += static_cast<u64>(p.count);
    }
  for (size_t n = 0; n < m.nodes.size(); ++n)
    for (int l = 0; l < NR_LRU_LISTS; ++l) c.lru[l] += lru_size(m, static_cast<int>(n), static_cast<Lru>(l));
  m.mem.for_each_in_state(FrameState::Alloc, [&](Pfn p) {
    const auto o = m.mem.owner_of(p);
    if (o == Owner::PageTable && m.mem.owner_id[p]) ++c.pagetables;
    if (o == Owner::User) {
      if (m.mem.pflags[p] & PG_shmem)
        ++c.shmem;
      else
        ++c.anon;
    }
    if (o == Owner::PageCache && m.mem.mapper[p]) ++c.mapped;
  });
  c.swap_total = m.pressure ? m.pressure->swap_total : 0;
  c.swap_used = m.pressure ? m.pressure->swap_used : 0;
  c.slab_reclaimable = slab_reclaimable_pages(m);
  c.slab_unreclaimable = slab_unreclaimable_pages(m);
  // si_mem_available(): free above the reserves, plus the page cache and
  // reclaimable slab that could go without dropping below low.
  long long available = static_cast<long long>(c.free) - static_cast<long long>(m.totalreserve_pages);
  u64 pagecache = c.lru[LRU_ACTIVE_FILE] + c.lru[LRU_INACTIVE_FILE];
  pagecache -= std::min(pagecache / 2, c.low);
  available += static_cast<long long>(pagecache);
  available += static_cast<long long>(c.slab_reclaimable - std::min(c.slab_reclaimable / 2, c.low));
  c.available = available < 0 ? 0 : static_cast<u64>(available);
  return c;
}

std::vector<std::string> check_tasks(const Machine& m) {
  std::vector<std::string> v;
  if (!m.pressure) return v;
  const PressureState& ps = *m.pressure;
  CowArray<std::uint8_t> seen(m.mem.nr, 0);  // grows with the pages listed
  for (size_t n = 0; n < ps.lru.size(); ++n)
    for (int l = 0; l < NR_LRU_LISTS; ++l) {
      const FreeList& list = ps.lru[n][static_cast<size_t>(l)];
      u64 len = 0;
      for (u32 p = list.head; p != NIL && p < m.mem.nr; p = m.mem.lru_next[p]) {
        if (seen[p]) {
          v.push_back("LRU: pfn " + std::to_string(p) + " is on two lists");
          return v;
        }
        seen.set(p, 1);
        const auto o = m.mem.owner_of(p);
        if (m.mem.st(p) != FrameState::Alloc || (o != Owner::User && o != Owner::PageCache))
          v.push_back("LRU: pfn " + std::to_string(p) + " is not an allocated user or page-cache page");
        if (!(m.mem.pflags[p] & PG_lru) || lru_index(m.mem.pflags[p]) != l)
          v.push_back("LRU: pfn " + std::to_string(p) + "'s flags do not name its list");
        if (static_cast<size_t>(node_of(m, p)) != n)
          v.push_back("LRU: pfn " + std::to_string(p) + " is on another node's list");
        ++len;
      }
      if (len != list.count)
        v.push_back("LRU: list count " + std::to_string(list.count) + " != " + std::to_string(len));
    }
  // rss counters against the pages that name each mm (one pass).
  struct Counts {
    long long anon = 0, file = 0, shmem = 0, pgt = 0;
  };
  std::unordered_map<u32, Counts> by_pid;
  // A task's pages mostly come in runs: the last pid's entry is kept at
  // hand (a hash lookup per frame was half of a full check's time).
  u32 last_pid = 0;
  Counts* last = nullptr;
  auto counts = [&](u32 pid) -> Counts& {
    if (pid != last_pid || !last) {
      last_pid = pid;
      last = &by_pid[pid];  // references into an unordered_map stay valid as it grows
    }
    return *last;
  };
  m.mem.for_each_in_state(FrameState::Alloc, [&](Pfn p) {
    const auto o = m.mem.owner_of(p);
    if (o == Owner::User && m.mem.owner_id[p]) {
      Counts& c = counts(m.mem.owner_id[p]);
      ((m.mem.pflags[p] & PG_shmem) ? c.shmem : c.anon)++;
    }
    if (o == Owner::PageCache && m.mem.mapper[p]) ++counts(m.mem.mapper[p]).file;
    if (o == Owner::PageTable && m.mem.owner_id[p]) ++counts(m.mem.owner_id[p]).pgt;
  });
  for (const Task& t : ps.tasks) {
    if (!t.alive || t.mm_owner != t.pid) continue;
    const Counts c = by_pid[static_cast<u32>(t.pid)];
    if (c.anon != t.anon || c.file != t.file || c.shmem != t.shmem || c.pgt != t.pgtable_pages)
      v.push_back("task " + std::to_string(t.pid) + ": rss counters (anon " + std::to_string(t.anon) + ", file " +
                  std::to_string(t.file) + ", shmem " + std::to_string(t.shmem) + ", pgtables " +
                  std::to_string(t.pgtable_pages) + ") disagree with its pages (" + std::to_string(c.anon) + ", " +
                  std::to_string(c.file) + ", " + std::to_string(c.shmem) + ", " + std::to_string(c.pgt) + ")");
  }
  m.mem.pflags.for_each_not(0, [&](std::size_t lo, std::size_t hi) {
    for (Pfn p = lo; p < hi; ++p)
      if ((m.mem.pflags[p] & PG_lru) && !seen[p])
        v.push_back("LRU: pfn " + std::to_string(p) + " says it is on a list but is not");
  });
  return v;
}

}  // namespace mm
