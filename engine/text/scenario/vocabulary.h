// The words of the scenario language that name something: /proc views,
// figures and their fields, comparison operators. One table per concept,
// indexed by its enum; the parser looks words up here and the executor
// switches on the enums (nothing is looked up by name twice).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace mm {

// The /proc views a scenario (and the page) can print.
enum class ProcView : unsigned char { zoneinfo, buddyinfo, pagetypeinfo, memblock, kmem_f, meminfo, tasks, slabinfo };
inline constexpr std::array<std::string_view, 8> kProcViewNames = {"zoneinfo", "buddyinfo", "pagetypeinfo", "memblock",
                                                                   "kmem-f",   "meminfo",   "tasks",        "slabinfo"};

// `expect FIGURE OP VALUE`: the figures of the whole machine and of a run.
enum class GlobalFigure : unsigned char {
  min_free_kbytes,
  totalram_pages,
  vm_total_pages,
  nr_kernel_pages,
  dma_reserve,
  max_pfn,
  nodes,
  cpus,
  mobility_grouping,
  allocs_ok,
  allocs_failed,
  oom_kills,
  kswapd_runs,
  direct_reclaims,
  alloc_failures,
  inactive_file,
  active_file,
  inactive_anon,
  active_anon,
  swap_used,
  free_pages
};
inline constexpr std::array<std::string_view, 21> kGlobalFigureNames = {
    "min_free_kbytes", "totalram_pages", "vm_total_pages", "nr_kernel_pages",   "dma_reserve",
    "max_pfn",         "nodes",          "cpus",           "mobility_grouping", "allocs_ok",
    "allocs_failed",   "oom_kills",      "kswapd_runs",    "direct_reclaims",   "alloc_failures",
    "inactive_file",   "active_file",    "inactive_anon",  "active_anon",       "swap_used",
    "free_pages"};

// `[node N] zone NAME FIELD`. The last three take an index:
// protection[J], nr_free[O], pageblocks.TYPE.
enum class ZoneField : unsigned char {
  free,
  min,
  low,
  high,
  boost,
  spanned,
  present,
  managed,
  start_pfn,
  pcp_high,
  pcp_batch,
  pcp_count,
  protection,
  nr_free,
  pageblocks
};
inline constexpr std::array<std::string_view, 15> kZoneFieldNames = {
    "free",      "min",      "low",       "high",      "boost",      "spanned", "present",   "managed",
    "start_pfn", "pcp.high", "pcp.batch", "pcp.count", "protection", "nr_free", "pageblocks"};
// How the fields are written (the indexed ones with their index).
inline constexpr std::array<std::string_view, 15> kZoneFieldForms = {
    "free",      "min",      "low",       "high",      "boost",         "spanned",    "present",        "managed",
    "start_pfn", "pcp.high", "pcp.batch", "pcp.count", "protection[J]", "nr_free[O]", "pageblocks.TYPE"};

// `task NAME FIELD`.
enum class TaskField : unsigned char { oom_score, badness, rss, anon, file, shmem, swapents, pgtables, alive };
inline constexpr std::array<std::string_view, 9> kTaskFieldNames = {"oom_score", "badness",  "rss",      "anon", "file",
                                                                    "shmem",     "swapents", "pgtables", "alive"};

// `cache NAME FIELD` (objsize is /proc/slabinfo's: the slot size).
enum class CacheField : unsigned char {
  objsize,
  objperslab,
  pagesperslab,
  active_objs,
  num_objs,
  num_slabs,
  object_size,
  align,
  order,
  min_partial,
  cpu_partial,
  cpu_partial_slabs,
  refcount
};
inline constexpr std::array<std::string_view, 13> kCacheFieldNames = {
    "objsize", "objperslab", "pagesperslab", "active_objs", "num_objs",          "num_slabs", "object_size",
    "align",   "order",      "min_partial",  "cpu_partial", "cpu_partial_slabs", "refcount"};

// `HANDLE.pfn` (the newest allocation's first page), `HANDLE.count`.
enum class HandleField : unsigned char { pfn, count };
inline constexpr std::array<std::string_view, 2> kHandleFieldNames = {"pfn", "count"};

enum class CmpOp : unsigned char { eq, ne, lt, le, gt, ge };
inline constexpr std::array<std::string_view, 6> kCmpOpNames = {"==", "!=", "<", "<=", ">", ">="};
inline bool compare(long long a, CmpOp op, long long b) {
  switch (op) {
    case CmpOp::eq: return a == b;
    case CmpOp::ne: return a != b;
    case CmpOp::lt: return a < b;
    case CmpOp::le: return a <= b;
    case CmpOp::gt: return a > b;
    case CmpOp::ge: return a >= b;
  }
  return false;
}

// The enum whose name is `word` in `names`, if any.
template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view word) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == word) return static_cast<E>(i);
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E e) {
  return names[static_cast<std::size_t>(e)];
}

inline std::string_view name(ProcView v) { return name_of(kProcViewNames, v); }
inline std::string_view name(GlobalFigure g) { return name_of(kGlobalFigureNames, g); }
inline std::string_view name(ZoneField f) { return name_of(kZoneFieldNames, f); }
inline std::string_view name(TaskField f) { return name_of(kTaskFieldNames, f); }
inline std::string_view name(CacheField f) { return name_of(kCacheFieldNames, f); }
inline std::string_view name(HandleField f) { return name_of(kHandleFieldNames, f); }
inline std::string_view name(CmpOp o) { return name_of(kCmpOpNames, o); }

}  // namespace mm
