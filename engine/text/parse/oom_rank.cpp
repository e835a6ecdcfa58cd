// Ranking an OOM report: totalpages as constrained_alloc() found it, then
// every row scored and chosen by the model's oom_badness_terms() and
// select_bad_process(). Facts only; the replay's text words them.
#include "text/parse/oom_rank.h"

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "text/parse/dmesg.h"

namespace mm {

OomNodePages oom_node_pages_from_boot(std::string_view text, std::string_view source) {
  OomNodePages out;
  auto plan = plan_from_dmesg(text, source);
  if (!plan) {
    out.missing = OomNodePages::Missing::NoBootPart;
    out.why = plan.diag();
    return out;
  }
  auto m = boot(*plan, false);
  if (!m) {
    out.missing = OomNodePages::Missing::BootFailed;
    out.why = m.diag();
    return out;
  }
  for (size_t i = 0; i < (*m)->nodes.size(); ++i) out.present[static_cast<int>(i)] = (*m)->nodes[i].node_present_pages;
  return out;
}

std::string oom_boot_missing_words(const OomNodePages& boot) {
  switch (boot.missing) {
    case OomNodePages::Missing::None: return "";
    case OomNodePages::Missing::NoBootPart:
      return "the log has no boot part the engine can boot (" + boot.why.message +
             (boot.why.line > 0 ? ", line " + std::to_string(boot.why.line) : std::string()) + ")";
    case OomNodePages::Missing::BootFailed: return "booting the log's boot part failed (" + boot.why.message + ")";
  }
  return "";
}

namespace {

Diagnostic at_line(std::string_view src, int line, const std::string& msg) {
  return Diagnostic{std::string(src), line, 1, msg};
}

// One node's present pages: the boot's figure when the log booted (noting a
// disagreement with the report's zone lines), else the zone lines' sum.
Expected<OomNodeTerm> node_term(const OomReport& r, int n, const OomNodePages& boot, std::string_view source,
                                OomRanking& k) {
  u64 zone_kb = 0;
  int zone_lines = 0;
  for (const OomZonePresent& z : r.zones)
    if (z.node == n) zone_kb = sat_add(zone_kb, z.present_kb), ++zone_lines;
  if (auto it = boot.present.find(n); it != boot.present.end()) {
    if (zone_lines > 0 && zone_kb / 4 != it->second)
      k.notes.push_back(OomNote{OomNoteKind::ZoneLinesDisagree, n, zone_kb / 4, it->second});
    return OomNodeTerm{n, it->second, OomNodeSource::Boot};
  }
  if (zone_lines > 0) return OomNodeTerm{n, zone_kb / 4, OomNodeSource::ZoneLines};
  return Diagnostic{std::string(source), r.constraint_line, 1,
                    "cannot know node " + std::to_string(n) + "'s present pages: the log has no boot part (" +
                        oom_boot_missing_words(boot) + ") and the report prints no 'Node " + std::to_string(n) +
                        " ZONE free:... present:NkB' line"};
}

// totalpages for a nodemask: swap + node_present_pages of each node.
Status nodes_totalpages(const OomReport& r, const std::vector<int>& nodes, u64 swap, const OomNodePages& boot,
                        std::string_view source, OomRanking& k) {
  std::vector<u64> present;
  bool used_zone_lines = false;
  for (int n : nodes) {
    auto term = node_term(r, n, boot, source, k);
    if (!term) return term.diag();
    used_zone_lines = used_zone_lines || term->from == OomNodeSource::ZoneLines;
    present.push_back(term->pages);
    k.nodes.push_back(*term);
  }
  if (used_zone_lines) {
    auto hz = gfp_zone(r.gfp_mask);
    if (hz && *hz < ZoneType::Movable) k.notes.push_back(OomNote{OomNoteKind::ZoneLinesUpTo, 0, 0, 0, *hz});
    if (boot.missing != OomNodePages::Missing::None) k.notes.push_back(OomNote{OomNoteKind::NodesFromZoneLines});
  }
  k.totalpages = oom_totalpages_nodes(swap, present);
  return {};
}

// constrained_alloc(): totalpages for the report's constraint.
Status report_totalpages(const OomReport& r, const OomNodePages& boot, std::string_view source, OomRanking& k) {
  if (r.ram_pages && r.reserved_pages && *r.reserved_pages <= *r.ram_pages)
    k.totalram = *r.ram_pages - *r.reserved_pages;
  if (r.total_swap_kb) k.swap = *r.total_swap_kb / 4;
  if (k.totalram && k.swap) k.global_totalpages = oom_totalpages_global(*k.totalram, *k.swap);
  const Diagnostic no_show_mem = at_line(
      source, r.line,
      "this report lacks show_mem's 'N pages RAM', 'N pages reserved' or 'Total swap = NkB' line, so totalpages "
      "cannot be known");
  switch (r.constraint) {
    case OomConstraint::None:
      if (!k.global_totalpages) return no_show_mem;
      k.totalpages = *k.global_totalpages;
      return {};
    case OomConstraint::MemoryPolicy:
    case OomConstraint::Cpuset: {
      if (!k.swap) return no_show_mem;
      const bool mp = r.constraint == OomConstraint::MemoryPolicy;
      const auto& nodes = mp ? r.nodemask : r.mems_allowed;
      if (!nodes)
        return at_line(source, r.constraint_line,
                       mp ? "CONSTRAINT_MEMORY_POLICY with nodemask=(null): no nodes to count"
                          : "CONSTRAINT_CPUSET but the line has no mems_allowed= list");
      if (Status s = nodes_totalpages(r, *nodes, *k.swap, boot, source, k); !s) return s;
      if (mp) k.notes.push_back(OomNote{OomNoteKind::PolicyRowsEligible});
      return {};
    }
    case OomConstraint::Memcg:
      if (!r.memcg_limit_kb)
        return at_line(source, r.line,
                       "a CONSTRAINT_MEMCG report without 'memory: usage NkB, limit NkB': "
                       "the cgroup's limit (totalpages) is unknown");
      k.totalpages = oom_totalpages_memcg(*r.memcg_limit_kb / 4);
      k.approximate = true;
      k.notes.push_back(OomNote{OomNoteKind::MemcgSwapLeftOut});
      return {};
  }
  return {};
}

// A table row as oom_badness reads a task: only the sum of rss matters.
OomRankRow score_row(const OomTaskRow& t, size_t i, const OomRanking& k) {
  OomRankRow row;
  row.task = i;
  row.mem.rss_anon = static_cast<long long>(t.rss);
  row.mem.swapents = static_cast<long long>(t.swapents);
  row.mem.pgtables_bytes = t.pgtables_bytes;
  row.mem.oom_score_adj = t.oom_score_adj;
  row.terms = oom_badness_terms(row.mem, k.totalpages);
  row.badness = row.terms.points;
  if (k.global_totalpages) row.oom_score = proc_oom_score(row.mem, *k.global_totalpages);
  return row;
}

}  // namespace

Expected<OomRanking> rank_oom_report(const OomReport& r, const OomNodePages& boot, std::string_view source) {
  OomRanking k;
  if (Status s = report_totalpages(r, boot, source, k); !s) return s.diag();
  std::vector<std::optional<long long>> points;
  for (size_t i = 0; i < r.tasks.size(); ++i) {
    k.rows.push_back(score_row(r.tasks[i], i, k));
    points.push_back(k.rows.back().badness);
  }
  k.chosen = select_bad_process(points);
  k.order = oom_preference_order(points);
  if (k.chosen)
    k.matches_kernel = r.constraint_line && r.victim_pid == r.tasks[k.rows[*k.chosen].task].pid;
  else
    k.matches_kernel = r.no_killable || r.constraint_line == 0;
  return k;
}

}  // namespace mm
