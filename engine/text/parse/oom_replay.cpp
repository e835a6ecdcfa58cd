// The OOM replay: parse, rank, format.
#include "text/parse/oom_replay.h"

#include <vector>

namespace mm {

namespace {

// Only a memory-policy or cpuset report needs the nodes' sizes.
bool needs_node_pages(const OomLog& log) {
  for (const OomReport& r : log.reports)
    if (r.constraint == OomConstraint::MemoryPolicy || r.constraint == OomConstraint::Cpuset) return true;
  return false;
}

}  // namespace

Expected<std::string> oom_replay(std::string_view text, std::string_view source) {
  auto log = parse_oom_log(text, source);
  if (!log) return log.diag();
  const OomNodePages boot = needs_node_pages(*log) ? oom_node_pages_from_boot(text, source) : OomNodePages{};
  std::vector<OomRanking> rankings;
  for (const OomReport& r : log->reports) {
    auto k = rank_oom_report(r, boot, source);
    if (!k) return k.diag();
    rankings.push_back(std::move(*k));
  }
  return format_oom_replay(*log, rankings, boot);
}

}  // namespace mm
