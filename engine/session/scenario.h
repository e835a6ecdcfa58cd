// Scenario files: a small line-oriented language for course authors and
// tests. One statement per line, '#' starts a comment:
//
//   machine ram=1G cpus=2          boot a shorthand machine
//   dmesg captures/m1g/dmesg.txt   boot from a real kernel log (path relative
//                                  to the scenario file)
//   proc zoneinfo                  print a /proc view
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
//   read data.bin size=300M      page cache (clean, unmapped)
//   drop_caches | swap 1G | oom_score_adj hog -500
//   kmalloc obj 100 [gfp=GFP_KERNEL] [cpu=N]   kmalloc; obj holds the address
//   kfree obj [cpu=N]                          kfree every object obj holds
//   kmem_cache_create figo_object 20 [align=8] [flags=SLAB_HWCACHE_ALIGN|...]
//   kmem_cache_alloc h figo_object [gfp=...] [cpu=N]
//   kmem_cache_free h [cpu=N]
//   kmem_cache_shrink CACHE | kmem_cache_destroy CACHE
//   slab kmalloc-128               print a cache's slabs and objects
//   proc slabinfo                  /proc/slabinfo
//
// Figures: per zone free min low high boost spanned present managed start_pfn
// protection[J] nr_free[O] pcp.high pcp.batch pcp.count (CPU 0, or cpuK.pcp.*);
// global min_free_kbytes totalram_pages vm_total_pages nr_kernel_pages
// dma_reserve max_pfn nodes cpus mobility_grouping allocs_ok allocs_failed
// oom_kills kswapd_runs direct_reclaims alloc_failures inactive_file
// active_file inactive_anon active_anon swap_used free_pages; per task
// `task NAME oom_score|badness|rss|anon|file|shmem|swapents|pgtables|alive`;
// per handle: NAME.pfn NAME.count; per zone also pageblocks.TYPE.
// per slab cache: `cache NAME objsize|objperslab|pagesperslab|active_objs|
// num_objs|num_slabs|object_size|align|order|min_partial|cpu_partial|
// cpu_partial_slabs|refcount` (objsize is /proc/slabinfo's: the slot size).
// Operators: == != < <= > >=.
// A failed expectation reports FILE:LINE:COL; later issues add operations.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/types.h"

namespace mm {

struct ScenarioStmt {
  enum class Kind { Machine, Dmesg, Proc, Log, Check, Echo, ExpectFigure, ExpectContains, Alloc, Free, Drain, Task, Slab } kind;
  int line = 0;
  int col = 1;        // column of the argument the statement is about
  std::string arg;    // machine spec, path, proc name, echo text, figure
  std::string op;     // expect operator
  long long value = 0;
  std::string text;   // expect ... contains "text"
  std::string where;  // ExpectContains: "log" or a proc name
  // Alloc / Free / Drain
  std::string name;   // handle name ("" for anonymous)
  unsigned order = 0;
  unsigned gfp = 0;
  int cpu = 0;
  int node = -1;
  long long pfn = -1;  // free pfn=N
  int repeat = 1;
  bool all_cpus = false;  // drain all
  // Task: op is spawn/grow/exit/kill/read/drop_caches/swap/oom_score_adj;
  // sizes in bytes.
  std::string task_op;
  u64 anon = 0, file = 0, shmem = 0, size = 0;
  int adj = 0;
  std::string thread_of;
  std::vector<int> bind;  // spawn bind=1 or bind=0-1 (MPOL_BIND)
  // Slab (SLUB hook, slab_scenario.h): the statement, kmem_cache_create's
  // align and SLAB_* flags; name, arg (cache), size, gfp and cpu as above.
  std::string slab_op;
  u32 align = 0, slab_flags = 0;
};

struct Scenario {
  std::string source;
  std::vector<ScenarioStmt> stmts;
};

struct ScenarioResult {
  std::string output;                 // what proc/log/echo printed
  std::vector<Diagnostic> failures;   // failed expectations, boot errors
  int expects_passed = 0;
  int expects_failed = 0;
  bool ok() const { return failures.empty(); }
};

using FileLoader = std::function<std::optional<std::string>(const std::string& path)>;

// Validates the whole file; the first problem comes back as a Diagnostic.
// `machine_booted`: the scenario will run on a playground that already has a
// machine, so it need not start with a `machine` or `dmesg` line.
Expected<Scenario> parse_scenario(std::string_view text, std::string_view source, bool machine_booted = false);
// Runs it. `check_each_step` runs check_invariants() after every statement.
// `into`: run on that Playground and leave its machine there (the page keeps
// the result on screen); by default a private one is used.
class Playground;
ScenarioResult run_scenario(const Scenario& s, const FileLoader& load, bool check_each_step = true,
                            Playground* into = nullptr);

}  // namespace mm
