// The value of an `expect` figure on the machine of a run.
#include "mm/core/machine.h"
#include "mm/pressure/task.h"
#include "session/scenario_exec.h"

namespace mm::exec {

namespace {

Diagnostic no_value(std::string message) { return Diagnostic{"", 0, 0, std::move(message)}; }

long long lru_sum(const Machine& m, Lru l) {
  long long n = 0;
  for (std::size_t i = 0; i < m.nodes.size(); ++i) n += static_cast<long long>(lru_size(m, static_cast<int>(i), l));
  return n;
}

Expected<long long> global(const Machine& m, const SessionState& state, GlobalFigure g) {
  const PressureState* ps = m.pressure.get();
  // Reclaim's counters and the LRU lists exist once a task has run; 0 before.
  auto pressure = [&](auto get) -> long long { return ps ? static_cast<long long>(get(*ps)) : 0; };
  switch (g) {
    case GlobalFigure::min_free_kbytes: return m.min_free_kbytes;
    case GlobalFigure::totalram_pages: return static_cast<long long>(m.totalram_pages);
    case GlobalFigure::vm_total_pages: return static_cast<long long>(m.vm_total_pages);
    case GlobalFigure::nr_kernel_pages: return static_cast<long long>(m.nr_kernel_pages);
    case GlobalFigure::dma_reserve: return static_cast<long long>(m.dma_reserve);
    case GlobalFigure::max_pfn: return static_cast<long long>(m.max_pfn);
    case GlobalFigure::nodes: return static_cast<long long>(m.nodes.size());
    case GlobalFigure::cpus: return static_cast<long long>(m.nr_cpus);
    case GlobalFigure::mobility_grouping: return m.page_group_by_mobility_disabled ? 0 : 1;
    case GlobalFigure::allocs_ok: return state.allocs_ok;
    case GlobalFigure::allocs_failed: return state.allocs_failed;
    case GlobalFigure::oom_kills: return pressure([](const PressureState& p) { return p.oom_kills; });
    case GlobalFigure::kswapd_runs: return pressure([](const PressureState& p) { return p.kswapd_runs; });
    case GlobalFigure::direct_reclaims: return pressure([](const PressureState& p) { return p.direct_reclaims; });
    case GlobalFigure::alloc_failures: return pressure([](const PressureState& p) { return p.alloc_failures; });
    case GlobalFigure::swap_used: return pressure([](const PressureState& p) { return p.swap_used; });
    case GlobalFigure::inactive_file: return ps ? lru_sum(m, LRU_INACTIVE_FILE) : 0;
    case GlobalFigure::active_file: return ps ? lru_sum(m, LRU_ACTIVE_FILE) : 0;
    case GlobalFigure::inactive_anon: return ps ? lru_sum(m, LRU_INACTIVE_ANON) : 0;
    case GlobalFigure::active_anon: return ps ? lru_sum(m, LRU_ACTIVE_ANON) : 0;
    case GlobalFigure::free_pages: {
      long long n = 0;
      for (const Node& nd : m.nodes)
        for (const Zone& z : nd.zones) n += static_cast<long long>(z.nr_free_pages);
      return n;
    }
  }
  return no_value("unknown figure");
}

Expected<long long> zone(const Machine& m, const fig::Zone& f) {
  if (f.node < 0 || static_cast<std::size_t>(f.node) >= m.nodes.size())
    return no_value("the machine has no node " + std::to_string(f.node));
  const Zone& z = m.nodes[static_cast<std::size_t>(f.node)].zones[f.zone];
  const auto i = static_cast<std::size_t>(f.index);
  auto pcp = [&]() -> const PerCpuPages* {
    return static_cast<std::size_t>(f.cpu) < z.pcp.size() ? &z.pcp[static_cast<std::size_t>(f.cpu)] : nullptr;
  };
  switch (f.field) {
    case ZoneField::free: return static_cast<long long>(z.nr_free_pages);
    case ZoneField::min: return static_cast<long long>(z.min_wmark());
    case ZoneField::low: return static_cast<long long>(z.low_wmark());
    case ZoneField::high: return static_cast<long long>(z.high_wmark());
    case ZoneField::boost: return static_cast<long long>(z.watermark_boost);
    case ZoneField::spanned: return static_cast<long long>(z.spanned_pages);
    case ZoneField::present: return static_cast<long long>(z.present_pages);
    case ZoneField::managed: return static_cast<long long>(z.managed_pages);
    case ZoneField::start_pfn: return static_cast<long long>(z.zone_start_pfn);
    case ZoneField::protection: return static_cast<long long>(z.lowmem_reserve[i]);
    case ZoneField::nr_free: return static_cast<long long>(z.free_area[i].nr_free);
    case ZoneField::pageblocks: {
      long long n = 0;
      for (Pfn p = round_up(z.zone_start_pfn, pageblock_nr_pages); p < z.end_pfn() && p < m.mem.nr;
           p += pageblock_nr_pages)
        if (idx(m.mem.block_mt(p)) == static_cast<unsigned>(f.index)) ++n;
      return n;
    }
    case ZoneField::pcp_high:
    case ZoneField::pcp_batch:
    case ZoneField::pcp_count: {
      const PerCpuPages* p = pcp();
      if (!p) return no_value("the machine has no cpu " + std::to_string(f.cpu));
      if (f.field == ZoneField::pcp_high) return p->high;
      if (f.field == ZoneField::pcp_batch) return p->batch;
      return p->count;
    }
  }
  return no_value("unknown figure");
}

Expected<long long> task(const Machine& m, const fig::Task& f) {
  const mm::Task* t = find_task(m, f.task);
  if (f.field == TaskField::alive) return t ? 1 : 0;
  if (!t) return no_value("no live task named '" + f.task + "'");
  const TaskMem tm = task_mem(m, *t);
  switch (f.field) {
    case TaskField::oom_score: return static_cast<long long>(proc_oom_score(tm, oom_totalpages(m)));
    case TaskField::badness: {
      auto b = oom_badness(tm, oom_totalpages(m));
      if (!b) return no_value("'" + f.task + "' is not an OOM candidate");
      return *b;
    }
    case TaskField::rss: return tm.rss();
    case TaskField::anon: return tm.rss_anon;
    case TaskField::file: return tm.rss_file;
    case TaskField::shmem: return tm.rss_shmem;
    case TaskField::swapents: return tm.swapents;
    case TaskField::pgtables: return tm.pgtables_bytes / static_cast<long long>(PAGE_SIZE);
    case TaskField::alive: break;
  }
  return no_value("unknown figure");
}

Expected<long long> handle(const SessionState& state, const fig::Handle& f) {
  auto it = state.pages.find(f.handle);
  const bool count = f.field == HandleField::count;
  if (it == state.pages.end() || it->second.empty()) {
    if (count) return 0;
    return no_value("'" + f.handle + "' holds no allocation");
  }
  if (count) return static_cast<long long>(it->second.size());
  return static_cast<long long>(it->second.back().first);
}

}  // namespace

Expected<long long> figure_value(const Machine& m, const SessionState& state, const Figure& f) {
  struct Visit {
    const Machine& m;
    const SessionState& state;
    Expected<long long> operator()(const fig::Global& g) const { return global(m, state, g.what); }
    Expected<long long> operator()(const fig::Zone& z) const { return zone(m, z); }
    Expected<long long> operator()(const fig::Task& t) const { return task(m, t); }
    Expected<long long> operator()(const fig::Cache& c) const { return cache_figure(m, c); }
    Expected<long long> operator()(const fig::Handle& h) const { return handle(state, h); }
  };
  return std::visit(Visit{m, state}, f);
}

}  // namespace mm::exec
