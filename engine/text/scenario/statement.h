// Scenario files: a small line-oriented language for course authors and
// tests. One statement per line, '#' starts a comment (outside quotes):
//
//   machine ram=1G cpus=2          boot a shorthand machine
//   dmesg captures/m1g/dmesg.txt   boot from a real kernel log (path relative
//                                  to the scenario file)
//   proc zoneinfo                  print a /proc view (vocabulary.h: ProcView)
//   log                            print the boot log
//   check                          run check_invariants(), fail on a violation
//   echo some text                 print a line
//   expect zone DMA32 managed == 242034
//   expect node 1 zone DMA32 pcp.high >= 100
//   expect min_free_kbytes == 45056
//   expect log contains "Built 1 zonelists"
//   expect proc buddyinfo contains "zone    DMA32"
//   alloc NAME order=3 gfp=GFP_KERNEL cpu=1 [node=N]   alloc_pages; NAME holds the handle
//   repeat 1000 alloc hog gfp=GFP_HIGHUSER_MOVABLE     the same, 1000 times
//   free NAME [cpu=N]            free every allocation NAME holds (newest first)
//   free pfn=4096 order=3        free by address
//   drain [cpu=N | all]          drain_local_pages / drain_all_pages
//   spawn hog anon=200M file=50M shmem=0 adj=500 [cpu=N] [thread_of=NAME] [bind=1]
//   grow hog anon=100M           fault in more memory (may end in reclaim or OOM)
//   exit hog | kill hog          exit_mmap frees its memory
//   read data.bin size=300M [cpu=N]   page cache (clean, unmapped)
//   drop_caches | swap 1G | oom_score_adj hog -500
//   kmalloc obj 100 [gfp=GFP_KERNEL] [cpu=N]   kmalloc; obj holds the address
//   kfree obj [cpu=N]                          kfree every object obj holds
//   kmem_cache_create figo_object 20 [align=8] [flags=SLAB_HWCACHE_ALIGN|...]
//   kmem_cache_alloc h figo_object [gfp=...] [cpu=N]
//   kmem_cache_free h [cpu=N]
//   kmem_cache_shrink CACHE | kmem_cache_destroy CACHE
//   slab kmalloc-128               print a cache's slabs and objects
//
// Figures (vocabulary.h): per zone free min low high boost spanned present
// managed start_pfn protection[J] nr_free[O] pcp.high pcp.batch pcp.count
// (CPU 0, or cpuK.pcp.*) pageblocks.TYPE; global min_free_kbytes
// totalram_pages vm_total_pages nr_kernel_pages dma_reserve max_pfn nodes cpus
// mobility_grouping allocs_ok allocs_failed oom_kills kswapd_runs
// direct_reclaims alloc_failures inactive_file active_file inactive_anon
// active_anon swap_used free_pages; per task `task NAME oom_score|badness|rss|
// anon|file|shmem|swapents|pgtables|alive`; per handle NAME.pfn NAME.count;
// per slab cache `cache NAME objsize|objperslab|pagesperslab|active_objs|
// num_objs|num_slabs|object_size|align|order|min_partial|cpu_partial|
// cpu_partial_slabs|refcount` (objsize is /proc/slabinfo's: the slot size).
// Operators: == != < <= > >=.
//
// Each statement is one struct holding its typed arguments, checked when the
// file is parsed (text/scenario/parse.h); running them is the session's
// (session/scenario.h). Every struct has `at`: the line, and the column a
// failure when it runs points at (the statement's subject: the handle, task
// or cache it names, the figure it checks). Arguments that are looked up on
// the machine when the statement runs keep their own column too.
//
// Adding a statement: its struct below and in `Statement`; a row in the
// table of parse.cpp with its usage and parse function (parse_statements.h;
// args.h has the shared value parsers and key=value options); a run()
// overload in session/scenario_exec.h.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mm/core/machine_spec.h"
#include "mm/core/types.h"
#include "mm/page_alloc/gfp.h"
#include "text/scenario/vocabulary.h"

namespace mm {

namespace fig {
struct Global {
  GlobalFigure what;
};
struct Zone {
  int node = 0;
  unsigned zone = 0;  // ZoneType index
  ZoneField field = ZoneField::free;
  int cpu = 0;    // pcp.*: whose per-CPU lists
  int index = 0;  // protection[J], nr_free[O], pageblocks.TYPE (a MigrateType index)
};
struct Task {
  std::string task;
  TaskField field;
};
struct Cache {
  std::string cache;
  CacheField field;
};
struct Handle {
  std::string handle;
  HandleField field;
};
}  // namespace fig
using Figure = std::variant<fig::Global, fig::Zone, fig::Task, fig::Cache, fig::Handle>;

namespace stmt {

struct Pos {
  int line = 0;
  int col = 0;
};

struct Machine {
  Pos at;            // col: the first word of the spec
  std::string text;  // as written ("ram=1G cpus=2")
  MachineSpec spec;
};
struct Dmesg {
  Pos at;
  std::string path;
};
struct Proc {
  Pos at;
  ProcView view;
};
struct Log {
  Pos at;
};
struct Check {
  Pos at;
};
struct Echo {
  Pos at;
  std::string text;
};
struct ExpectFigure {
  Pos at;  // col: the figure's first word
  Figure figure;
  std::string text;  // the figure as written, for the failure message
  CmpOp op;
  long long value;
};
struct ExpectContains {
  Pos at;
  std::optional<ProcView> proc;  // nullopt: the boot log
  std::string needle;
};
struct Alloc {
  Pos at;              // col: the word `alloc`
  std::string handle;  // "" when unnamed
  Order order = 0;
  gfp_t gfp = gfp::GFP_KERNEL;
  int cpu = 0;
  int node = -1;   // -1: the CPU's node
  int repeat = 1;  // `repeat N alloc ...`
};
struct Free {
  Pos at;                  // col: the word `free`
  std::string handle;      // frees what the handle holds, newest first
  std::optional<Pfn> pfn;  // or one block by address
  Order order = 0;
  int cpu = 0;
};
struct Drain {
  Pos at;
  bool all = false;  // drain_all_pages
  int cpu = 0;
  int cpu_col = 0;  // the CPU may not exist on the machine
};
struct Spawn {
  Pos at;  // col: the task's name
  std::string name;
  u64 anon = 0, file = 0, shmem = 0;  // bytes
  int adj = 0;
  int cpu = 0;
  std::string thread_of;  // "" or a live task whose mm it shares
  int thread_of_col = 0;
  std::vector<int> bind;  // MPOL_BIND nodes
};
struct Grow {
  Pos at;
  std::string name;
  u64 anon = 0, file = 0, shmem = 0;
};
struct Exit {
  Pos at;
  std::string name;
  bool kill = false;  // written `kill` (the same exit_mmap)
};
struct Read {
  Pos at;
  std::string name;
  u64 size = 0;
  int cpu = 0;
};
struct DropCaches {
  Pos at;
};
struct Swap {
  Pos at;
  u64 size = 0;
};
struct OomScoreAdj {
  Pos at;
  std::string name;
  int adj = 0;
};
struct Kmalloc {
  Pos at;
  std::string handle;
  u64 size = 0;
  gfp_t gfp = gfp::GFP_KERNEL;
  int cpu = 0;
};
struct Kfree {
  Pos at;
  std::string handle;
  int cpu = 0;
};
struct KmemCacheCreate {
  Pos at;
  std::string name;
  u32 size = 0;
  u32 align = 0;
  u32 flags = 0;  // SLAB_*
};
struct KmemCacheAlloc {
  Pos at;
  std::string handle;
  std::string cache;
  int cache_col = 0;
  gfp_t gfp = gfp::GFP_KERNEL;
  int cpu = 0;
};
struct KmemCacheFree {
  Pos at;
  std::string handle;
  int cpu = 0;
};
struct KmemCacheShrink {
  Pos at;
  std::string cache;
};
struct KmemCacheDestroy {
  Pos at;
  std::string cache;
};
struct Slab {
  Pos at;
  std::string cache;
};

}  // namespace stmt

using Statement =
    std::variant<stmt::Machine, stmt::Dmesg, stmt::Proc, stmt::Log, stmt::Check, stmt::Echo, stmt::ExpectFigure,
                 stmt::ExpectContains, stmt::Alloc, stmt::Free, stmt::Drain, stmt::Spawn, stmt::Grow, stmt::Exit,
                 stmt::Read, stmt::DropCaches, stmt::Swap, stmt::OomScoreAdj, stmt::Kmalloc, stmt::Kfree,
                 stmt::KmemCacheCreate, stmt::KmemCacheAlloc, stmt::KmemCacheFree, stmt::KmemCacheShrink,
                 stmt::KmemCacheDestroy, stmt::Slab>;

// Statements that only look (print, compare, check) change nothing: they
// run, but are not operations on the timeline, and the invariants they
// could break are the ones the last change already checked.
inline bool only_looks(const Statement& st) {
  return std::holds_alternative<stmt::Proc>(st) || std::holds_alternative<stmt::Log>(st) ||
         std::holds_alternative<stmt::Check>(st) || std::holds_alternative<stmt::Echo>(st) ||
         std::holds_alternative<stmt::ExpectFigure>(st) || std::holds_alternative<stmt::ExpectContains>(st) ||
         std::holds_alternative<stmt::Slab>(st);
}

inline stmt::Pos position(const Statement& s) {
  return std::visit([](const auto& x) { return x.at; }, s);
}

struct Scenario {
  std::string source;
  std::vector<Statement> stmts;
};

}  // namespace mm
