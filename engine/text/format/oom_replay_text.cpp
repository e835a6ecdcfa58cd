// The words of an OOM replay: every line of `mmsim oom --replay`'s output.
#include "text/format/oom_replay_text.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace mm {

std::string oom_kill_line(const OomTaskRow& t, const OomKillLine* kill, std::string_view message) {
  u64 anon = t.rss * 4, file = 0, shmem = 0;
  if (t.rss_split) anon = t.rss_anon * 4, file = t.rss_file * 4, shmem = t.rss_shmem * 4;
  if (kill && kill->pid == t.pid) anon = kill->anon_kb, file = kill->file_kb, shmem = kill->shmem_kb;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                ": Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB, file-rss:%llukB, shmem-rss:%llukB, "
                "UID:%lld pgtables:%llukB oom_score_adj:%d",
                t.pid, t.name.c_str(), static_cast<unsigned long long>(t.total_vm * 4),
                static_cast<unsigned long long>(anon), static_cast<unsigned long long>(file),
                static_cast<unsigned long long>(shmem), t.uid, static_cast<unsigned long long>(t.pgtables_bytes >> 10),
                t.oom_score_adj);
  return std::string(message) + buf;
}

namespace {

std::string num(u64 v) { return std::to_string(v); }
std::string line_ref(int line) { return "(line " + std::to_string(line) + ")"; }

// ---- totalpages, step by step ------------------------------------------------

std::string totalram_words(const OomReport& r, const OomRanking& k) {
  return "totalram_pages = " + num(*r.ram_pages) + " pages RAM " + line_ref(r.ram_line) + " - " +
         num(*r.reserved_pages) + " pages reserved " + line_ref(r.reserved_line) + " = " + num(*k.totalram);
}

std::string swap_words(const OomReport& r, const OomRanking& k) {
  return "total_swap_pages = Total swap " + num(*r.total_swap_kb) + "kB / 4 " + line_ref(r.swap_line) + " = " +
         num(*k.swap);
}

std::string node_words(const OomNodeTerm& n) {
  return "node_present_pages(" + std::to_string(n.node) + ") = " + num(n.pages) + " (" +
         (n.from == OomNodeSource::Boot ? "booted from the log's boot part"
                                        : "sum of the report's present:kB zone lines / 4") +
         ")";
}

std::string nodes_sum_words(const OomReport& r, const OomRanking& k) {
  const bool mp = r.constraint == OomConstraint::MemoryPolicy;
  std::string s = std::string(mp ? "CONSTRAINT_MEMORY_POLICY (nodemask " : "CONSTRAINT_CPUSET (mems_allowed ") +
                  oom_nodelist(mp ? r.nodemask : r.mems_allowed) + "): totalpages = total_swap_pages " + num(*k.swap);
  for (const OomNodeTerm& n : k.nodes) s += " + " + num(n.pages);
  return s + " = " + num(k.totalpages);
}

// How constrained_alloc() arrived at totalpages, one line a step.
std::vector<std::string> totalpages_words(const OomReport& r, const OomRanking& k) {
  std::vector<std::string> v;
  switch (r.constraint) {
    case OomConstraint::None:
      v = {totalram_words(r, k), swap_words(r, k),
           "CONSTRAINT_NONE: totalpages = totalram_pages + total_swap_pages = " + num(k.totalpages)};
      break;
    case OomConstraint::MemoryPolicy:
    case OomConstraint::Cpuset:
      if (k.global_totalpages) v.push_back(totalram_words(r, k));
      v.push_back(swap_words(r, k));
      for (const OomNodeTerm& n : k.nodes) v.push_back(node_words(n));
      v.push_back(nodes_sum_words(r, k));
      break;
    case OomConstraint::Memcg:
      v.push_back("CONSTRAINT_MEMCG: totalpages = memory.max " + num(*r.memcg_limit_kb) + "kB / 4 " +
                  line_ref(r.memcg_line) + " = " + num(*r.memcg_limit_kb / 4));
      break;
  }
  return v;
}

std::string note_words(const OomNote& n, const OomNodePages& boot) {
  switch (n.kind) {
    case OomNoteKind::ZoneLinesDisagree:
      return "node " + std::to_string(n.node) + ": the report's zone lines add up to " + num(n.zone_pages) +
             " present pages, the boot gives " + num(n.pages) +
             " (the kernel uses node_present_pages, the boot's figure)";
    case OomNoteKind::ZoneLinesUpTo:
      return "show_mem prints only zones up to " + std::string(kZoneNames[idx(n.zone)]) +
             " for this gfp mask: a node's higher zones (ZONE_MOVABLE) would be missing from its sum";
    case OomNoteKind::NodesFromZoneLines:
      return "node sizes from the report's zone lines: " + oom_boot_missing_words(boot);
    case OomNoteKind::PolicyRowsEligible:
      return "the kernel lists only tasks whose memory policy lets them use these nodes "
             "(dump_task and oom_evaluate_task share that filter), so every row is eligible";
    case OomNoteKind::MemcgSwapLeftOut:
      return "mem_cgroup_get_max() also adds the swap the cgroup may use (min(swap.max, total swap) "
             "when swappiness > 0); a memcg report does not print total swap, so it is left out";
  }
  return "";
}

// ---- the table ------------------------------------------------------------------

std::string pad_left(const std::string& s, size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }
std::string pad_right(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

// A table with right-aligned numbers and a left-aligned name column.
std::string render_table(const std::vector<std::vector<std::string>>& cells, size_t name_col) {
  std::vector<size_t> w;
  for (const auto& row : cells)
    for (size_t i = 0; i < row.size(); ++i) {
      if (w.size() <= i) w.push_back(0);
      w[i] = std::max(w[i], row[i].size());
    }
  std::string out;
  for (const auto& row : cells) {
    std::string l = " ";
    for (size_t i = 0; i < row.size(); ++i) {
      l += ' ';
      const bool last = i + 1 == row.size();
      if (i == name_col)
        l += last ? row[i] : pad_right(row[i], w[i]);
      else if (last && i > name_col && row[i].find_first_not_of("0123456789-") != std::string::npos)
        l += row[i];
      else
        l += pad_left(row[i], w[i]);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + '\n';
  }
  return out;
}

// What the last column says of a row.
std::string row_mark(const OomRanking& k, size_t i) {
  const OomRankRow& row = k.rows[i];
  if (k.chosen && *k.chosen == i) return "<- chosen";
  if (!row.badness) return "oom_score_adj -1000: never chosen";
  if (k.chosen && *row.badness == *k.rows[*k.chosen].badness) return "tie: an earlier row, so not chosen";
  return "";
}

std::string ranking_table(const OomReport& r, const OomRanking& k) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"pid", "name", "rss", "swap", "pgtables", "adj", "adj term", "badness", "oom_score", ""});
  for (size_t i : k.order) {
    const OomRankRow& row = k.rows[i];
    const OomTaskRow& t = r.tasks[row.task];
    cells.push_back({std::to_string(t.pid), t.name, num(t.rss), num(t.swapents), std::to_string(row.terms.pgtables),
                     std::to_string(t.oom_score_adj), row.badness ? std::to_string(row.terms.adj_term()) : "-",
                     row.badness ? std::to_string(*row.badness) : "-",
                     row.oom_score ? std::to_string(*row.oom_score) : "-", row_mark(k, i)});
  }
  return render_table(cells, 1);
}

// ---- one report -------------------------------------------------------------------

std::string report_heading(const OomLog& log, size_t n, const OomRanking& k) {
  const OomReport& r = log.reports[n];
  std::string o = "== OOM " + std::to_string(n + 1) + " of " + std::to_string(log.reports.size()) + " (" + log.source +
                  ":" + std::to_string(r.line) + ") ==\n";
  o += r.comm + " invoked oom-killer: gfp_mask=" + format_gfp_full(r.gfp_mask) + ", order=" + std::to_string(r.order) +
       ", oom_score_adj=" + std::to_string(r.oom_score_adj) + "\n";
  const std::string logged_gfp = "(" + r.gfp_text + ")";
  const std::string ours = format_gfp_full(r.gfp_mask);
  if (ours.size() < logged_gfp.size() || ours.substr(ours.size() - logged_gfp.size()) != logged_gfp)
    o += "  (the log printed the mask as " + logged_gfp + ")\n";
  if (r.constraint_line)
    o += "constraint: " + std::string(oom_constraint_name(r.constraint)) + ", nodemask=" + oom_nodelist(r.nodemask) +
         " " + line_ref(r.constraint_line) + "\n";
  o += "totalpages = " + num(k.totalpages) + (k.approximate ? " (approximate)" : "") + "\n";
  for (const std::string& s : totalpages_words(r, k)) o += "  " + s + "\n";
  const std::string unit = num(k.totalpages / 1000);
  o += "badness = rss + swapents + pgtables_bytes/4096 + oom_score_adj * (totalpages/1000 = " + unit + ")\n";
  if (k.global_totalpages)
    o += "oom_score = (1000 + badness * 1000 / " + num(*k.global_totalpages) +
         ") * 2 / 3: what /proc/PID/oom_score showed then (/proc always divides by totalram + swap)\n";
  o += "rss, swap and pgtables in pages (pgtables = pgtables_bytes / 4096); adj term = oom_score_adj * " + unit + "\n";
  return o;
}

// The kernel's own kill line of this report: the victim's, else the first.
const OomKillLine* kernel_kill_line(const OomReport& r) {
  for (const OomKillLine& kl : r.kills)
    if (kl.pid == r.victim_pid) return &kl;
  return r.kills.empty() ? nullptr : &r.kills.front();
}

std::string kernel_killed_words(const OomReport& r) {
  return "differs: the kernel killed " + std::to_string(r.victim_pid) + " (" + r.victim_name + ") " +
         line_ref(r.constraint_line) + "\n";
}

// The engine's kill line for the chosen row, and how it compares with the log.
std::string chosen_words(const OomReport& r, const OomRanking& k, const std::string& message) {
  const OomTaskRow& t = r.tasks[k.rows[*k.chosen].task];
  const OomKillLine* kill = nullptr;
  for (const OomKillLine& kl : r.kills)
    if (kl.pid == t.pid) kill = &kl;
  std::string o = oom_kill_line(t, kill, message) + "\n";
  if (kill) {
    const u64 sum_kb = kill->anon_kb + kill->file_kb + kill->shmem_kb;
    o += "  (anon/file/shmem split from the log's kill line " + std::to_string(kill->line) + ")\n";
    if (sum_kb != t.rss * 4)
      o += "  (that line's rss adds up to " + num(sum_kb / 4) + " pages, the table says " + num(t.rss) + ")\n";
  } else if (t.rss_split) {
    o += "  (anon/file/shmem split from the table's rss_anon, rss_file and rss_shmem columns)\n";
  } else {
    o += "  (the table gives only the total rss: the split into anon/file/shmem is unknown, all shown as anon-rss)\n";
  }
  if (!r.constraint_line)
    return o + "differs: the kernel found no killable task (\"Out of memory and no killable processes\")\n";
  if (k.matches_kernel) return o + "matches the kernel's choice " + line_ref(r.constraint_line) + "\n";
  return o + kernel_killed_words(r);
}

std::string no_candidate_words(const OomReport& r, const OomRanking& k) {
  std::string o =
      "no candidate: every listed task has oom_score_adj -1000 (or none is listed); the kernel panics with "
      "\"Out of memory and no killable processes...\"\n";
  if (k.matches_kernel) return o + "matches the kernel: it found no killable task\n";
  return o + kernel_killed_words(r);
}

// The engine's choice and the kernel's.
std::string verdict(const OomReport& r, const OomRanking& k) {
  const OomKillLine* kernel_kill = kernel_kill_line(r);
  std::string message = kernel_kill
                            ? kernel_kill->message
                            : (r.constraint == OomConstraint::Memcg ? "Memory cgroup out of memory" : "Out of memory");
  std::string o;
  if (message.find("(oom_kill_allocating_task)") != std::string::npos) {
    o += "note: the kernel killed the allocating task because vm.oom_kill_allocating_task is set; it ranked "
         "nobody. The ranking above is what it would have chosen otherwise.\n";
    message = "Out of memory";
  }
  return o + (k.chosen ? chosen_words(r, k, message) : no_candidate_words(r, k));
}

std::vector<std::string> report_notes(const OomReport& r, const OomRanking& k, const OomNodePages& boot,
                                      const std::set<int>& earlier_victims) {
  std::vector<std::string> notes;
  for (const OomNote& n : k.notes) notes.push_back(note_words(n, boot));
  if (r.order == -1)
    notes.push_back("order=-1: a sysrq-f OOM; the kernel then also considers tasks that are already exiting");
  for (const OomTaskRow& t : r.tasks)
    if (earlier_victims.count(t.pid))
      notes.push_back("pid " + std::to_string(t.pid) +
                      " was killed by an earlier report of this log and is still listed: the kernel skips it once "
                      "the OOM reaper is done with it (MMF_OOM_SKIP) and otherwise waits for it instead of "
                      "killing again; the table cannot tell which, so it is ranked like the others");
  if (!k.matches_kernel && r.constraint_line)
    notes.push_back(
        "what the table cannot show: a task already being killed or reaped (MMF_OOM_SKIP), a task in "
        "vfork, or one marked as the OOM origin (swapoff, KSM) changes the kernel's pick");
  return notes;
}

std::string render_report(const OomLog& log, size_t n, const OomRanking& k, const OomNodePages& boot,
                          const std::set<int>& earlier_victims) {
  const OomReport& r = log.reports[n];
  std::string o = report_heading(log, n, k) + "\n" + ranking_table(r, k) + "\n" + verdict(r, k);
  for (const std::string& s : report_notes(r, k, boot, earlier_victims)) o += "note: " + s + "\n";
  return o;
}

}  // namespace

std::string format_oom_replay(const OomLog& log, const std::vector<OomRanking>& rankings, const OomNodePages& boot) {
  std::string out = log.source + ": " + std::to_string(log.reports.size()) + " OOM report" +
                    (log.reports.size() == 1 ? "" : "s") + "\n\n";
  std::set<int> earlier;
  std::string victims;
  int matches = 0;
  for (size_t i = 0; i < log.reports.size(); ++i) {
    const OomReport& r = log.reports[i];
    const OomRanking& k = rankings[i];
    out += render_report(log, i, k, boot, earlier) + "\n";
    matches += k.matches_kernel ? 1 : 0;
    if (!victims.empty()) victims += ", ";
    victims += k.chosen ? std::to_string(r.tasks[k.rows[*k.chosen].task].pid) : std::string("none");
    if (r.constraint_line) earlier.insert(r.victim_pid);
  }
  return out + "victims (engine): " + victims + "; " + std::to_string(matches) + " of " +
         std::to_string(log.reports.size()) + " match the kernel's choice\n";
}

}  // namespace mm
