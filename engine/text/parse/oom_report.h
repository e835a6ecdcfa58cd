// A kernel OOM report, read into typed records. A log may hold several
// reports; each one is, in the order the kernel prints it (mm/oom_kill.c
// dump_header):
//
//   COMM invoked oom-killer: gfp_mask=0x...(...), order=N, oom_score_adj=N
//   (stack, then show_mem: per-zone "present:NkB", "Total swap = NkB",
//    "N pages RAM", "N pages reserved"; a memcg OOM prints "memory: usage
//    NkB, limit NkB" instead)
//   Tasks state (memory values in pages):
//   [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
//   [    106]     0   106     7927     7804   102400        0             0 hog
//   oom-kill:constraint=CONSTRAINT_...,nodemask=...,...,task=NAME,pid=N,uid=N
//   Out of memory: Killed process N (NAME) total-vm:...kB, anon-rss:...
//
// Every record keeps the log line it came from; a malformed line is a
// Diagnostic at FILE:LINE:COL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/types.h"
#include "mm/page_alloc/gfp.h"

namespace mm {

enum class OomConstraint : std::uint8_t { None, Cpuset, MemoryPolicy, Memcg };
const char* oom_constraint_name(OomConstraint c);  // "CONSTRAINT_NONE", ...

// One row of the "Tasks state" table (dump_task()).
struct OomTaskRow {
  int line = 0;
  int pid = 0;
  long long uid = 0;
  int tgid = 0;
  u64 total_vm = 0;  // pages
  u64 rss = 0;       // pages: anon + file + shmem
  // 6.12's table (and 6.9 on) also prints the split: rss_anon rss_file rss_shmem.
  bool rss_split = false;
  u64 rss_anon = 0, rss_file = 0, rss_shmem = 0;  // pages
  long long pgtables_bytes = 0;
  u64 swapents = 0;  // pages
  int oom_score_adj = 0;
  std::string name;
};

// "Out of memory: Killed process ..." (__oom_kill_process()).
struct OomKillLine {
  int line = 0;
  std::string message;  // "Out of memory", "Memory cgroup out of memory", ...
  int pid = 0;
  std::string name;
  u64 total_vm_kb = 0, anon_kb = 0, file_kb = 0, shmem_kb = 0;
  long long uid = 0;
  u64 pgtables_kb = 0;
  int oom_score_adj = 0;
};

struct OomZonePresent {
  int line = 0;
  int node = 0;
  std::string zone;
  u64 present_kb = 0;
};

struct OomReport {
  // The invoking line.
  int line = 0;
  std::string comm;
  gfp_t gfp_mask = 0;
  std::string gfp_text;  // what the log printed inside the parentheses
  int order = 0;         // -1 for a sysrq-triggered OOM
  int oom_score_adj = 0;
  // show_mem.
  std::optional<u64> ram_pages, reserved_pages, total_swap_kb;
  int ram_line = 0, reserved_line = 0, swap_line = 0;
  std::vector<OomZonePresent> zones;
  // A memcg OOM's "memory: usage NkB, limit NkB".
  std::optional<u64> memcg_limit_kb;
  int memcg_line = 0;
  // The task table.
  int tasks_line = 0;  // 0: the report has no table
  std::vector<OomTaskRow> tasks;
  // The constraint line (dump_oom_summary()); 0 when the kernel found no
  // victim ("Out of memory and no killable processes").
  int constraint_line = 0;
  OomConstraint constraint = OomConstraint::None;
  std::optional<std::vector<int>> nodemask;  // nullopt: "(null)"
  std::optional<std::vector<int>> mems_allowed;
  std::string victim_name;
  int victim_pid = 0;
  long long victim_uid = 0;
  bool no_killable = false;        // the kernel panicked with no candidate
  std::vector<OomKillLine> kills;  // kill lines inside this report
};

struct OomLog {
  std::string source;
  std::vector<OomReport> reports;
};

// Every report of a log. A log without any report, or a report that is cut
// off or malformed, is a Diagnostic (FILE:LINE:COL).
Expected<OomLog> parse_oom_log(std::string_view text, std::string_view source);

// A nodemask as %*pbl prints it: "0-1,3"; "(null)" for nullopt.
std::string oom_nodelist(const std::optional<std::vector<int>>& nodes);

}  // namespace mm
