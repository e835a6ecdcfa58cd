// Tasks, the page cache and the LRU lists: what memory pressure is made of.
//
// A task has an mm: anonymous pages (faulted in as order-0
// GFP_HIGHUSER_MOVABLE|__GFP_ZERO allocations), mapped file pages (page cache
// pages it maps), shmem pages, page tables (one PTE page per 512 mapped pages
// plus the upper levels, as x86-64 builds them), swap entries, and an
// oom_score_adj. Page cache pages belong to files; reading a file without
// mapping it leaves clean, unmapped pages on the node's inactive file list.
//
// LRU: per node, inactive/active anon and file lists, threaded through the
// memmap links of allocated pages (a page is on at most one list). A page's
// referenced bit gives it a second pass: found referenced on the inactive
// list it is activated, otherwise it is reclaimed; the active list is aged
// into the inactive one when the inactive list is too small.
//
// Invariants (check_tasks): every LRU page is an allocated Owner::User or
// Owner::PageCache page on exactly one list of its node; list counts match;
// each task's rss counters equal the pages that name it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "mm/pressure/oom.h"

namespace mm {

// Pages of a process's mappings that are not resident (binary, stack,
// libraries): total_vm = mapped pages + this, as for the captures' programs.
inline constexpr long long kBaseVm = 123;

enum Lru : std::uint8_t {
  LRU_INACTIVE_ANON = 0,
  LRU_ACTIVE_ANON = 1,
  LRU_INACTIVE_FILE = 2,
  LRU_ACTIVE_FILE = 3,
  NR_LRU_LISTS = 4
};

// Per-frame flags of allocated pages (MemMap::pflags).
enum PageFlag : std::uint8_t { PG_lru = 1, PG_active = 2, PG_referenced = 4, PG_file = 8, PG_shmem = 16 };

struct Task {
  int pid = 0;
  std::string comm;
  int uid = 0;
  int oom_score_adj = 0;
  int mm_owner = 0;  // pid whose mm this task uses (threads/CLONE_VM share it)
  bool alive = true;
  bool oom_victim = false;
  bool kthread = false;
  int cpu = 0;
  // The mm's counters (kept on the mm owner's entry).
  long long anon = 0, file = 0, shmem = 0, swapents = 0;
  long long pgtable_pages = 0;
  long long total_vm = 0;           // pages of mappings
  std::vector<Pfn> pgtables;        // page-table pages (Owner::PageTable)
  std::vector<int> mempolicy_bind;  // MPOL_BIND nodes; empty: the default policy
};

struct PressureState {
  std::vector<Task> tasks;  // in pid order (for_each_process order)
  int next_pid = 100;
  std::vector<std::string> files;  // file id -> name (id 0: anonymous mappings' files)
  // Per node: the LRU lists (FreeList reused as an intrusive list head).
  std::vector<std::array<FreeList, NR_LRU_LISTS>> lru;
  u64 swap_total = 0, swap_used = 0;  // pages
  u64 oom_kills = 0;
  u64 pgscan = 0, pgsteal = 0, kswapd_runs = 0, direct_reclaims = 0, alloc_failures = 0;
};

struct SpawnRequest {
  std::string name = "task";
  u64 anon = 0, file = 0, shmem = 0;  // bytes
  int oom_score_adj = 0;
  int cpu = 0;
  int uid = 0;
  int share_mm_with = 0;  // pid: a thread of that process (CLONE_VM)
  std::vector<int> bind;  // set_mempolicy(MPOL_BIND, nodes); empty: default
};

// Task operations; bad requests are Diagnostics, running out of memory is
// part of the story (reclaim, OOM kills) and shows in the events and log.
Expected<int> spawn(Machine& m, const SpawnRequest& r);
// Faults in more anon/file/shmem memory (bytes). Stops early if the task is
// killed (it may be chosen by the OOM killer while growing).
Status grow(Machine& m, int pid, u64 anon, u64 file, u64 shmem);
Status task_exit(Machine& m, int pid);  // exit_mmap: everything freed
Status set_oom_score_adj(Machine& m, int pid, int adj);
// Reads a file into the page cache (clean, unmapped, inactive list).
Status read_file(Machine& m, const std::string& name, u64 bytes, int cpu);
// drop_caches: free every clean unmapped page cache page.
u64 drop_caches(Machine& m);
Status set_swap(Machine& m, u64 bytes);

const Task* find_task(const Machine& m, int pid);
const Task* find_task(const Machine& m, const std::string& comm);
TaskMem task_mem(const Machine& m, const Task& t);
u64 oom_totalpages(const Machine& m);  // totalram_pages + total swap

// What /proc/meminfo and show_mem report, counted from the frames (the
// formats are in text/format/proc_pressure.h).
struct MemCounters {
  u64 free = 0, free_pcp = 0;  // NR_FREE_PAGES of every zone; pages on pcp lists
  u64 low = 0;                 // the zones' low watermarks, summed
  u64 lru[NR_LRU_LISTS] = {};
  u64 anon = 0, shmem = 0, mapped = 0, pagetables = 0;
  u64 swap_total = 0, swap_used = 0;
  u64 slab_reclaimable = 0, slab_unreclaimable = 0;
  u64 available = 0;  // si_mem_available()
  u64 file_lru() const { return lru[LRU_ACTIVE_FILE] + lru[LRU_INACTIVE_FILE]; }
};
MemCounters mem_counters(const Machine& m);

// LRU helpers used by the fault path and reclaim.
void lru_add(Machine& m, Pfn p, bool file);
void lru_del(Machine& m, Pfn p);
u64 lru_size(const Machine& m, int node, Lru l);
u64 node_page_state_file(const Machine& m, int node);

std::vector<std::string> check_tasks(const Machine& m);

}  // namespace mm
