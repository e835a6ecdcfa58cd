// Replaying OOM reports from a kernel log: a line scanner that cuts the log
// into reports, small parsers for the lines a report is made of, the ranking
// (select_bad_process() over the task table), and the text mmsim prints.
#include "text/parse/oom_replay.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "mm/boot/boot.h"
#include "text/parse/dmesg.h"
#include "text/parse/gfp.h"
#include "mm/core/machine.h"

namespace mm {

const char* oom_constraint_name(OomConstraint c) {
  switch (c) {
    case OomConstraint::None: return "CONSTRAINT_NONE";
    case OomConstraint::Cpuset: return "CONSTRAINT_CPUSET";
    case OomConstraint::MemoryPolicy: return "CONSTRAINT_MEMORY_POLICY";
    case OomConstraint::Memcg: return "CONSTRAINT_MEMCG";
  }
  return "?";
}

namespace {

// ---- lines ------------------------------------------------------------------

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "[    3.739771] " (or "[Sat Nov 22 08:30:19 2026] " from dmesg -T) at `p`:
// the position after it, or `p` when there is none. A task-table row
// "[    106]" is not a timestamp: a timestamp has a '.' or a ':'.
size_t skip_timestamp(std::string_view l, size_t p) {
  size_t q = p;
  while (q < l.size() && l[q] == ' ') ++q;
  if (q >= l.size() || l[q] != '[') return p;
  size_t close = l.find(']', q);
  if (close == std::string_view::npos) return p;
  std::string_view in = l.substr(q + 1, close - q - 1);
  if (in.find_first_of(".:") == std::string_view::npos) return p;
  for (char c : in)
    if (!(is_digit(c) || c == ' ' || c == '.' || c == ':' || (c >= 'A' && c <= 'z'))) return p;
  q = close + 1;
  if (q < l.size() && l[q] == ' ') ++q;
  return q;
}

// Where the kernel's message starts in a log line: after a "<4>" level, a
// timestamp, and a syslog/journal "host kernel: " prefix.
size_t body_start(std::string_view l) {
  size_t p = 0;
  if (l.size() >= 3 && l[0] == '<' && is_digit(l[1]) && l[2] == '>') p = 3;
  p = skip_timestamp(l, p);
  size_t k = l.find("kernel: ", p);
  if (k != std::string_view::npos && k < 120 && l.substr(p, k - p).find('[') == std::string_view::npos)
    p = skip_timestamp(l, k + 8);
  return p;
}

// A cursor over one line's message; errors point at the cursor.
struct Cur {
  std::string_view s;  // the whole line
  size_t pos = 0;
  int line = 0;
  std::string_view src;

  Diagnostic err(const std::string& msg) const {
    return Diagnostic{std::string(src), line, static_cast<int>(pos) + 1, msg};
  }
  Diagnostic err_at(size_t p, const std::string& msg) const {
    return Diagnostic{std::string(src), line, static_cast<int>(p) + 1, msg};
  }
  bool done() const { return pos >= s.size(); }
  std::string_view rest() const { return s.substr(std::min(pos, s.size())); }
  void ws() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  }
  bool lit(std::string_view l) {
    if (rest().substr(0, l.size()) != l) return false;
    pos += l.size();
    return true;
  }
  std::optional<u64> num() {
    if (done() || !is_digit(s[pos])) return std::nullopt;
    u64 v = 0;
    while (!done() && is_digit(s[pos])) {
      if (v > (~u64{0} - 9) / 10) return std::nullopt;  // overflow
      v = v * 10 + static_cast<u64>(s[pos++] - '0');
    }
    return v;
  }
  std::optional<long long> snum() {
    bool neg = lit("-");
    auto v = num();
    if (!v || *v > static_cast<u64>(1) << 62) return std::nullopt;
    long long x = static_cast<long long>(*v);
    return neg ? -x : x;
  }
};

// Reads `what` (a number) or fails with "expected WHAT".
#define MM_NUM(var, cur, what)                                                    \
  auto var##_o = (cur).num();                                                     \
  if (!var##_o) return (cur).err(std::string("expected ") + (what) + " (a number)"); \
  u64 var = *var##_o
#define MM_SNUM(var, cur, what)                                                   \
  auto var##_o = (cur).snum();                                                    \
  if (!var##_o) return (cur).err(std::string("expected ") + (what) + " (a number)"); \
  long long var = *var##_o
#define MM_LIT(cur, text)                                                         \
  if (!(cur).lit(text)) return (cur).err(std::string("expected '") + (text) + "'")

using Err = std::optional<Diagnostic>;

// "0-1,3" as %*pbl prints a nodemask; a ',' followed by a non-digit ends it.
// "(null)" gives nullopt (an unset nodemask).
Err parse_nodelist(Cur& c, std::optional<std::vector<int>>& out) {
  if (c.lit("(null)")) {
    out.reset();
    return {};
  }
  std::vector<int> nodes;
  while (!c.done() && is_digit(c.s[c.pos])) {
    auto a = c.num();
    if (!a || *a > 1023) return c.err("expected a node number");
    u64 b = *a;
    if (c.lit("-")) {
      auto e = c.num();
      if (!e || *e < *a || *e > 1023) return c.err("expected the end of a node range");
      b = *e;
    }
    for (u64 n = *a; n <= b; ++n) nodes.push_back(static_cast<int>(n));
    if (c.pos + 1 < c.s.size() && c.s[c.pos] == ',' && is_digit(c.s[c.pos + 1])) ++c.pos;
    else break;
  }
  out = std::move(nodes);
  return {};
}

std::string nodelist_str(const std::optional<std::vector<int>>& n) {
  if (!n) return "(null)";
  std::string s;
  size_t i = 0;
  while (i < n->size()) {
    size_t j = i;
    while (j + 1 < n->size() && (*n)[j + 1] == (*n)[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string((*n)[i]);
    if (j > i) s += "-" + std::to_string((*n)[j]);
    i = j + 1;
  }
  return s;
}

// "hog invoked oom-killer: gfp_mask=0x140dca(GFP_...), order=0, oom_score_adj=0"
Err parse_invoking(Cur c, size_t marker, OomReport& r) {
  r.line = c.line;
  r.comm = std::string(c.s.substr(c.pos, marker - c.pos));
  c.pos = marker + std::string_view(" invoked oom-killer: ").size();
  MM_LIT(c, "gfp_mask=");
  size_t open = c.s.find('(', c.pos);
  if (open == std::string_view::npos) return c.err("expected 'gfp_mask=0x...(FLAGS)'");
  auto g = parse_gfp(c.s.substr(c.pos, open - c.pos));
  if (!g) return c.err_at(c.pos + static_cast<size_t>(std::max(0, g.diag().col - 1)), g.diag().message);
  r.gfp_mask = *g;
  size_t close = c.s.find(')', open);
  if (close == std::string_view::npos) return c.err_at(open, "unclosed '(' after the gfp mask");
  r.gfp_text = std::string(c.s.substr(open + 1, close - open - 1));
  c.pos = close + 1;
  MM_LIT(c, ", order=");
  MM_SNUM(order, c, "the order");
  if (order < -1 || order > 64) return c.err("order out of range");
  r.order = static_cast<int>(order);
  MM_LIT(c, ", oom_score_adj=");
  MM_SNUM(adj, c, "oom_score_adj");
  r.oom_score_adj = static_cast<int>(adj);
  return {};
}

// "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,
//  global_oom,task_memcg=/,task=hog,pid=109,uid=0"
Err parse_constraint(Cur c, size_t marker, OomReport& r) {
  r.constraint_line = c.line;
  c.pos = marker + std::string_view("oom-kill:constraint=").size();
  static const std::pair<const char*, OomConstraint> kinds[] = {
      {"CONSTRAINT_NONE", OomConstraint::None},
      {"CONSTRAINT_CPUSET", OomConstraint::Cpuset},
      {"CONSTRAINT_MEMORY_POLICY", OomConstraint::MemoryPolicy},
      {"CONSTRAINT_MEMCG", OomConstraint::Memcg}};
  bool known = false;
  for (const auto& [name, kind] : kinds) {
    std::string_view n(name);
    if (c.rest().substr(0, n.size()) == n && (c.rest().size() == n.size() || c.rest()[n.size()] == ',')) {
      r.constraint = kind;
      c.pos += n.size();
      known = true;
      break;
    }
  }
  if (!known) return c.err("unknown constraint (expected CONSTRAINT_NONE, _CPUSET, _MEMORY_POLICY or _MEMCG)");
  MM_LIT(c, ",nodemask=");
  if (auto e = parse_nodelist(c, r.nodemask)) return e;
  size_t ma = c.s.find(",mems_allowed=", c.pos);
  if (ma != std::string_view::npos) {
    Cur m = c;
    m.pos = ma + std::string_view(",mems_allowed=").size();
    if (auto e = parse_nodelist(m, r.mems_allowed)) return e;
  }
  // task=, pid= and uid= close the line; the name may hold commas.
  size_t p = c.s.rfind(",pid=");
  if (p == std::string_view::npos || p < c.pos) return c.err_at(c.s.size(), "expected ',task=NAME,pid=N,uid=N'");
  size_t t = c.s.rfind(",task=", p);
  if (t == std::string_view::npos || t < c.pos) return c.err_at(p, "expected ',task=NAME' before ',pid='");
  r.victim_name = std::string(c.s.substr(t + 6, p - t - 6));
  c.pos = p + 5;
  MM_NUM(pid, c, "the victim's pid");
  r.victim_pid = static_cast<int>(pid);
  MM_LIT(c, ",uid=");
  MM_SNUM(uid, c, "the victim's uid");
  r.victim_uid = uid;
  return {};
}

// "[    106]     0   106     7927     7804   102400        0             0 hog"
Err parse_task_row(Cur c, OomTaskRow& t) {
  t.line = c.line;
  // Every number of a row ends at a space ("7x04" is an error at the 'x').
  auto sep = [&c]() -> Err {
    if (c.done() || c.s[c.pos] == ' ') return {};
    return c.err("unexpected character in a task row");
  };
  MM_LIT(c, "[");
  c.ws();
  MM_NUM(pid, c, "a pid");
  if (!c.done() && c.s[c.pos] != ' ' && c.s[c.pos] != ']') return c.err("unexpected character in a pid");
  if (pid > 0x3fffffff) return c.err("pid out of range");
  t.pid = static_cast<int>(pid);
  c.ws();
  MM_LIT(c, "]");
  c.ws();
  MM_SNUM(uid, c, "the uid");
  if (auto e = sep()) return e;
  t.uid = uid;
  c.ws();
  MM_NUM(tgid, c, "the tgid");
  if (auto e = sep()) return e;
  t.tgid = static_cast<int>(std::min<u64>(tgid, 0x3fffffff));
  c.ws();
  MM_NUM(total_vm, c, "total_vm (pages)");
  if (auto e = sep()) return e;
  t.total_vm = total_vm;
  c.ws();
  MM_NUM(rss, c, "rss (pages)");
  if (auto e = sep()) return e;
  t.rss = rss;
  c.ws();
  MM_SNUM(pgt, c, "pgtables_bytes");
  if (auto e = sep()) return e;
  if (pgt < 0) return c.err("pgtables_bytes cannot be negative");
  t.pgtables_bytes = pgt;
  c.ws();
  MM_NUM(swap, c, "swapents (pages)");
  if (auto e = sep()) return e;
  t.swapents = swap;
  c.ws();
  size_t adj_pos = c.pos;
  MM_SNUM(adj, c, "oom_score_adj");
  if (auto e = sep()) return e;
  if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX) return c.err_at(adj_pos, "oom_score_adj must be -1000..1000");
  t.oom_score_adj = static_cast<int>(adj);
  if (c.done() || c.s[c.pos] != ' ') return c.err("expected a space and the task's name");
  ++c.pos;
  t.name = std::string(c.rest());
  if (t.name.empty()) return c.err("expected the task's name");
  return {};
}

// "Out of memory: Killed process 109 (hog) total-vm:9180kB, anon-rss:8124kB,
//  file-rss:4kB, shmem-rss:648kB, UID:0 pgtables:56kB oom_score_adj:1000"
Err parse_kill(Cur c, size_t marker, OomKillLine& k) {
  k.line = c.line;
  k.message = std::string(c.s.substr(c.pos, marker - c.pos));
  c.pos = marker + std::string_view(": Killed process ").size();
  MM_NUM(pid, c, "the killed pid");
  k.pid = static_cast<int>(std::min<u64>(pid, 0x3fffffff));
  MM_LIT(c, " (");
  size_t end = c.s.find(") total-vm:", c.pos);
  if (end == std::string_view::npos) return c.err("expected '(NAME) total-vm:'");
  k.name = std::string(c.s.substr(c.pos, end - c.pos));
  c.pos = end + std::string_view(") total-vm:").size();
  MM_NUM(vm, c, "total-vm");
  k.total_vm_kb = vm;
  MM_LIT(c, "kB, anon-rss:");
  MM_NUM(anon, c, "anon-rss");
  k.anon_kb = anon;
  MM_LIT(c, "kB, file-rss:");
  MM_NUM(file, c, "file-rss");
  k.file_kb = file;
  MM_LIT(c, "kB, shmem-rss:");
  MM_NUM(shmem, c, "shmem-rss");
  k.shmem_kb = shmem;
  MM_LIT(c, "kB, UID:");
  MM_SNUM(uid, c, "the UID");
  k.uid = uid;
  MM_LIT(c, " pgtables:");
  MM_NUM(pgt, c, "pgtables");
  k.pgtables_kb = pgt;
  MM_LIT(c, "kB oom_score_adj:");
  MM_SNUM(adj, c, "oom_score_adj");
  k.oom_score_adj = static_cast<int>(std::clamp<long long>(adj, -1000, 1000));
  return {};
}

// "N pages RAM" / "N pages reserved" / "Total swap = NkB".
std::optional<u64> leading_number_before(std::string_view body, std::string_view suffix) {
  if (body.size() <= suffix.size() || body.substr(body.size() - suffix.size()) != suffix) return std::nullopt;
  std::string_view n = body.substr(0, body.size() - suffix.size());
  if (n.empty() || n.size() > 19) return std::nullopt;
  u64 v = 0;
  for (char ch : n) {
    if (!is_digit(ch)) return std::nullopt;
    v = v * 10 + static_cast<u64>(ch - '0');
  }
  return v;
}

// "Node 1 Normal free:...present:1048576kB managed:..."
bool parse_zone_present(std::string_view body, OomZonePresent& z) {
  Cur c{body, 0, 0, {}};
  if (!c.lit("Node ")) return false;
  auto node = c.num();
  if (!node || *node > 1023 || !c.lit(" ")) return false;
  size_t sp = body.find(' ', c.pos);
  if (sp == std::string_view::npos || body.substr(sp, 6) != " free:") return false;
  z.zone = std::string(body.substr(c.pos, sp - c.pos));
  size_t p = body.find(" present:", sp);
  if (p == std::string_view::npos) return false;
  c.pos = p + 9;
  auto kb = c.num();
  if (!kb || !c.lit("kB")) return false;
  z.node = static_cast<int>(*node);
  z.present_kb = *kb;
  return true;
}

Diagnostic at_line(std::string_view src, int line, const std::string& msg) {
  return Diagnostic{std::string(src), line, 1, msg};
}

}  // namespace

Expected<OomLog> parse_oom_log(std::string_view text, std::string_view source) {
  OomLog log;
  log.source = std::string(source);
  std::optional<OomReport> cur;
  enum class Where { Outside, Header, Table, After } where = Where::Outside;
  auto finish = [&]() -> Err {
    if (!cur) return {};
    OomReport& r = *cur;
    if (r.constraint_line == 0 && !r.no_killable)
      return at_line(source, r.line,
                     "this OOM report has no 'oom-kill:constraint=' line after it (is the log cut off?)");
    if (r.tasks_line == 0)
      return at_line(source, r.line,
                     "this OOM report has no 'Tasks state' table (vm.oom_dump_tasks = 0?): nothing to rank");
    log.reports.push_back(std::move(r));
    cur.reset();
    return {};
  };

  int lineno = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t b = body_start(line);
    const std::string_view body = line.substr(b);
    Cur c{line, b, lineno, source};

    if (size_t m = line.find(" invoked oom-killer: ", b); m != std::string_view::npos) {
      if (auto e = finish()) return *e;
      cur.emplace();
      where = Where::Outside;
      if (auto e = parse_invoking(c, m, *cur)) return *e;
      continue;
    }
    if (!cur) continue;  // boot lines and anything between reports
    OomReport& r = *cur;

    if (where == Where::Header) {
      if (body.find("[  pid  ]") == std::string_view::npos) continue;  // an interleaved line
      if (body.find("pgtables_bytes") == std::string_view::npos || body.find("swapents") == std::string_view::npos ||
          body.find("oom_score_adj") == std::string_view::npos)
        return Diagnostic{std::string(source), lineno, static_cast<int>(b) + 1,
                          "unexpected task table columns (the replay reads the layout of Linux 4.19 and later: "
                          "pid uid tgid total_vm rss pgtables_bytes swapents oom_score_adj name)"};
      where = Where::Table;
      continue;
    }
    if (where == Where::Table && body.size() >= 2 && body[0] == '[') {
      size_t q = 1;
      while (q < body.size() && body[q] == ' ') ++q;
      if (q < body.size() && is_digit(body[q])) {
        OomTaskRow t;
        if (auto e = parse_task_row(c, t)) return *e;
        r.tasks.push_back(std::move(t));
        continue;
      }
    }
    if (size_t m = line.find("oom-kill:constraint=", b); m != std::string_view::npos) {
      if (auto e = parse_constraint(c, m, r)) return *e;
      where = Where::After;
      continue;
    }
    if (size_t m = line.find(": Killed process ", b); m != std::string_view::npos) {
      OomKillLine k;
      if (auto e = parse_kill(c, m, k)) return *e;
      r.kills.push_back(std::move(k));
      continue;
    }
    if (body.find("Tasks state (memory values in pages):") != std::string_view::npos) {
      r.tasks_line = lineno;
      r.tasks.clear();
      where = Where::Header;
      continue;
    }
    if (body.find("Out of memory and no killable processes") != std::string_view::npos) {
      r.no_killable = true;
      continue;
    }
    if (auto v = leading_number_before(body, " pages RAM")) {
      r.ram_pages = v, r.ram_line = lineno;
    } else if (auto v2 = leading_number_before(body, " pages reserved")) {
      r.reserved_pages = v2, r.reserved_line = lineno;
    } else if (body.substr(0, 13) == "Total swap = ") {
      Cur s{line, b + 13, lineno, source};
      MM_NUM(kb, s, "the swap size in kB");
      MM_LIT(s, "kB");
      r.total_swap_kb = kb, r.swap_line = lineno;
    } else if (body.substr(0, 14) == "memory: usage ") {
      size_t l = body.find(", limit ");
      if (l != std::string_view::npos) {
        Cur s{line, b + l + 8, lineno, source};
        MM_NUM(kb, s, "the memcg limit in kB");
        r.memcg_limit_kb = kb, r.memcg_line = lineno;
      }
    } else {
      OomZonePresent z;
      if (parse_zone_present(body, z)) {
        z.line = lineno;
        r.zones.push_back(std::move(z));
      }
    }
  }
  if (auto e = finish()) return *e;
  if (log.reports.empty())
    return Diagnostic{std::string(source), 0, 0,
                      "no OOM report in this log (no line 'COMM invoked oom-killer: gfp_mask=...')"};
  return log;
}

OomNodePages oom_node_pages_from_boot(std::string_view text, std::string_view source) {
  OomNodePages out;
  auto plan = plan_from_dmesg(text, source);
  if (!plan) {
    out.why_missing = "the log has no boot part the engine can boot (" + plan.diag().message +
                      (plan.diag().line > 0 ? ", line " + std::to_string(plan.diag().line) : std::string()) + ")";
    return out;
  }
  auto m = boot(*plan, false);
  if (!m) {
    out.why_missing = "booting the log's boot part failed (" + m.diag().message + ")";
    return out;
  }
  for (size_t i = 0; i < (*m)->nodes.size(); ++i)
    out.present[static_cast<int>(i)] = (*m)->nodes[i].node_present_pages;
  return out;
}

namespace {

// totalpages for a nodemask: swap + node_present_pages of each node.
Err nodes_totalpages(const OomReport& r, const std::vector<int>& nodes, const std::string& what, u64 swap,
                     const OomNodePages& boot, std::string_view source, OomRanking& k) {
  u64 total = swap;
  std::string terms;
  bool used_zone_lines = false;
  for (int n : nodes) {
    u64 pages = 0;
    std::string from;
    auto it = boot.present.find(n);
    u64 zone_kb = 0;
    int zone_lines = 0;
    for (const OomZonePresent& z : r.zones)
      if (z.node == n) zone_kb += z.present_kb, ++zone_lines;
    if (it != boot.present.end()) {
      pages = it->second;
      from = "booted from the log's boot part";
      if (zone_lines > 0 && zone_kb / 4 != pages)
        k.notes.push_back("node " + std::to_string(n) + ": the report's zone lines add up to " +
                          std::to_string(zone_kb / 4) + " present pages, the boot gives " + std::to_string(pages) +
                          " (the kernel uses node_present_pages, the boot's figure)");
    } else if (zone_lines > 0) {
      pages = zone_kb / 4;
      from = "sum of the report's present:kB zone lines / 4";
      used_zone_lines = true;
    } else {
      return Diagnostic{std::string(source), r.constraint_line, 1,
                        "cannot know node " + std::to_string(n) + "'s present pages: the log has no boot part (" +
                            boot.why_missing + ") and the report prints no 'Node " + std::to_string(n) +
                            " ZONE free:... present:NkB' line"};
    }
    k.totalpages_from.push_back("node_present_pages(" + std::to_string(n) + ") = " + std::to_string(pages) + " (" +
                                from + ")");
    total += pages;
    terms += " + " + std::to_string(pages);
  }
  if (used_zone_lines) {
    auto hz = gfp_zone(r.gfp_mask);
    if (hz && *hz < ZoneType::Movable)
      k.notes.push_back("show_mem prints only zones up to " + std::string(kZoneNames[idx(*hz)]) +
                        " for this gfp mask: a node's higher zones (ZONE_MOVABLE) would be missing from its sum");
    if (!boot.why_missing.empty()) k.notes.push_back("node sizes from the report's zone lines: " + boot.why_missing);
  }
  k.totalpages = total;
  k.totalpages_from.push_back(what + ": totalpages = total_swap_pages " + std::to_string(swap) + terms +
                              " = " + std::to_string(total));
  return {};
}

}  // namespace

Expected<OomRanking> rank_oom_report(const OomReport& r, const OomNodePages& boot, std::string_view source) {
  OomRanking k;
  std::optional<u64> totalram, swap;
  if (r.ram_pages && r.reserved_pages && *r.reserved_pages <= *r.ram_pages) totalram = *r.ram_pages - *r.reserved_pages;
  if (r.total_swap_kb) swap = *r.total_swap_kb / 4;
  if (totalram && swap) k.global_totalpages = *totalram + *swap;
  auto describe_global = [&] {
    k.totalpages_from.push_back("totalram_pages = " + std::to_string(*r.ram_pages) + " pages RAM (line " +
                                std::to_string(r.ram_line) + ") - " + std::to_string(*r.reserved_pages) +
                                " pages reserved (line " + std::to_string(r.reserved_line) + ") = " +
                                std::to_string(*totalram));
    k.totalpages_from.push_back("total_swap_pages = Total swap " + std::to_string(*r.total_swap_kb) + "kB / 4 (line " +
                                std::to_string(r.swap_line) + ") = " + std::to_string(*swap));
  };
  const Diagnostic no_show_mem = at_line(source, r.line,
      "this report lacks show_mem's 'N pages RAM', 'N pages reserved' or 'Total swap = NkB' line, so totalpages "
      "cannot be known");

  switch (r.constraint) {
    case OomConstraint::None:
      if (!k.global_totalpages) return no_show_mem;
      describe_global();
      k.totalpages = *k.global_totalpages;
      k.totalpages_from.push_back("CONSTRAINT_NONE: totalpages = totalram_pages + total_swap_pages = " +
                                  std::to_string(k.totalpages));
      break;
    case OomConstraint::MemoryPolicy:
    case OomConstraint::Cpuset: {
      if (!swap) return no_show_mem;
      const bool mp = r.constraint == OomConstraint::MemoryPolicy;
      const auto& nodes = mp ? r.nodemask : r.mems_allowed;
      if (!nodes)
        return at_line(source, r.constraint_line,
                       mp ? "CONSTRAINT_MEMORY_POLICY with nodemask=(null): no nodes to count"
                          : "CONSTRAINT_CPUSET but the line has no mems_allowed= list");
      if (k.global_totalpages) describe_global();
      else
        k.totalpages_from.push_back("total_swap_pages = Total swap " + std::to_string(*r.total_swap_kb) +
                                    "kB / 4 (line " + std::to_string(r.swap_line) + ") = " + std::to_string(*swap));
      const std::string label = std::string(mp ? "CONSTRAINT_MEMORY_POLICY (nodemask " : "CONSTRAINT_CPUSET (mems_allowed ") +
                                nodelist_str(nodes) + ")";
      if (auto e = nodes_totalpages(r, *nodes, label, *swap, boot, source, k)) return *e;
      if (mp)
        k.notes.push_back("the kernel lists only tasks whose memory policy lets them use these nodes "
                          "(dump_task and oom_evaluate_task share that filter), so every row is eligible");
      break;
    }
    case OomConstraint::Memcg:
      if (!r.memcg_limit_kb)
        return at_line(source, r.line, "a CONSTRAINT_MEMCG report without 'memory: usage NkB, limit NkB': "
                                       "the cgroup's limit (totalpages) is unknown");
      k.totalpages = *r.memcg_limit_kb / 4;
      k.approximate = true;
      k.totalpages_from.push_back("CONSTRAINT_MEMCG: totalpages = memory.max " + std::to_string(*r.memcg_limit_kb) +
                                  "kB / 4 (line " + std::to_string(r.memcg_line) + ") = " +
                                  std::to_string(k.totalpages));
      k.notes.push_back("mem_cgroup_get_max() also adds the swap the cgroup may use (min(swap.max, total swap) "
                        "when swappiness > 0); a memcg report does not print total swap, so it is left out");
      if (k.totalpages == 0) k.totalpages = 1;  // the kernel's "?: 1"
      break;
  }

  for (size_t i = 0; i < r.tasks.size(); ++i) {
    const OomTaskRow& t = r.tasks[i];
    OomRankRow row;
    row.task = i;
    row.mem.rss_anon = static_cast<long long>(t.rss);  // oom_badness reads only the sum
    row.mem.swapents = static_cast<long long>(t.swapents);
    row.mem.pgtables_bytes = t.pgtables_bytes;
    row.mem.oom_score_adj = t.oom_score_adj;
    row.pgtables_pages = t.pgtables_bytes / static_cast<long long>(PAGE_SIZE);
    row.adj_term = static_cast<long long>(t.oom_score_adj) * static_cast<long long>(k.totalpages / 1000);
    row.badness = oom_badness(row.mem, k.totalpages);
    if (!row.badness) row.why_not = "oom_score_adj -1000: never chosen";
    if (k.global_totalpages) row.oom_score = proc_oom_score(row.mem, *k.global_totalpages);
    k.rows.push_back(std::move(row));
  }
  // select_bad_process(): rows in list order, ">=" so a tie goes to the later one.
  for (size_t i = 0; i < k.rows.size(); ++i) {
    const auto& b = k.rows[i].badness;
    if (b && (!k.chosen || *b >= *k.rows[*k.chosen].badness)) k.chosen = i;
  }
  k.order.resize(k.rows.size());
  for (size_t i = 0; i < k.order.size(); ++i) k.order[i] = i;
  std::stable_sort(k.order.begin(), k.order.end(), [&](size_t a, size_t b) {
    const auto& ba = k.rows[a].badness;
    const auto& bb = k.rows[b].badness;
    if (ba.has_value() != bb.has_value()) return ba.has_value();
    if (!ba) return a < b;
    if (*ba != *bb) return *ba > *bb;
    return a > b;  // the later row wins a tie
  });
  return k;
}

std::string oom_kill_line(const OomTaskRow& t, const OomKillLine* kill, std::string_view message) {
  u64 anon = t.rss * 4, file = 0, shmem = 0;
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
      if (i == name_col) l += last ? row[i] : pad_right(row[i], w[i]);
      else if (last && i > name_col && row[i].find_first_not_of("0123456789-") != std::string::npos) l += row[i];
      else l += pad_left(row[i], w[i]);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + '\n';
  }
  return out;
}

std::string render_report(const OomLog& log, size_t n, const OomRanking& k, const std::set<int>& earlier_victims,
                          bool& matched) {
  const OomReport& r = log.reports[n];
  const std::string& src = log.source;
  std::string o;
  o += "== OOM " + std::to_string(n + 1) + " of " + std::to_string(log.reports.size()) + " (" + src + ":" +
       std::to_string(r.line) + ") ==\n";
  o += r.comm + " invoked oom-killer: gfp_mask=" + format_gfp_full(r.gfp_mask) + ", order=" + std::to_string(r.order) +
       ", oom_score_adj=" + std::to_string(r.oom_score_adj) + "\n";
  const std::string logged_gfp = "(" + r.gfp_text + ")";
  const std::string ours = format_gfp_full(r.gfp_mask);
  if (ours.size() < logged_gfp.size() || ours.substr(ours.size() - logged_gfp.size()) != logged_gfp)
    o += "  (the log printed the mask as " + logged_gfp + ")\n";
  if (r.constraint_line)
    o += "constraint: " + std::string(oom_constraint_name(r.constraint)) + ", nodemask=" + nodelist_str(r.nodemask) +
         " (line " + std::to_string(r.constraint_line) + ")\n";
  o += "totalpages = " + std::to_string(k.totalpages) + (k.approximate ? " (approximate)" : "") + "\n";
  for (const std::string& s : k.totalpages_from) o += "  " + s + "\n";
  o += "badness = rss + swapents + pgtables_bytes/4096 + oom_score_adj * (totalpages/1000 = " +
       std::to_string(k.totalpages / 1000) + ")\n";
  if (k.global_totalpages)
    o += "oom_score = (1000 + badness * 1000 / " + std::to_string(*k.global_totalpages) +
         ") * 2 / 3: what /proc/PID/oom_score showed then (/proc always divides by totalram + swap)\n";
  o += "rss, swap and pgtables in pages (pgtables = pgtables_bytes / 4096); adj term = oom_score_adj * " +
       std::to_string(k.totalpages / 1000) + "\n";
  o += "\n";

  std::vector<std::vector<std::string>> cells;
  cells.push_back({"pid", "name", "rss", "swap", "pgtables", "adj", "adj term", "badness", "oom_score", ""});
  for (size_t i : k.order) {
    const OomRankRow& row = k.rows[i];
    const OomTaskRow& t = r.tasks[row.task];
    std::string mark;
    if (k.chosen && *k.chosen == i) mark = "<- chosen";
    else if (!row.badness) mark = row.why_not;
    else if (k.chosen && *row.badness == *k.rows[*k.chosen].badness) mark = "tie: an earlier row, so not chosen";
    cells.push_back({std::to_string(t.pid), t.name, std::to_string(t.rss), std::to_string(t.swapents),
                     std::to_string(row.pgtables_pages), std::to_string(t.oom_score_adj),
                     row.badness ? std::to_string(row.adj_term) : "-",
                     row.badness ? std::to_string(*row.badness) : "-",
                     row.oom_score ? std::to_string(*row.oom_score) : "-", mark});
  }
  o += render_table(cells, 1);
  o += "\n";

  // The engine's choice and the kernel's.
  const OomKillLine* kill_for_chosen = nullptr;
  const OomKillLine* kernel_kill = nullptr;
  for (const OomKillLine& kl : r.kills)
    if (kl.pid == r.victim_pid && !kernel_kill) kernel_kill = &kl;
  if (!kernel_kill && !r.kills.empty()) kernel_kill = &r.kills.front();
  std::string message = kernel_kill ? kernel_kill->message
                                    : (r.constraint == OomConstraint::Memcg ? "Memory cgroup out of memory"
                                                                            : "Out of memory");
  const std::string allocating = "(oom_kill_allocating_task)";
  if (message.find(allocating) != std::string::npos) {
    o += "note: the kernel killed the allocating task because vm.oom_kill_allocating_task is set; it ranked "
         "nobody. The ranking above is what it would have chosen otherwise.\n";
    message = "Out of memory";
  }
  if (k.chosen) {
    const OomTaskRow& t = r.tasks[k.rows[*k.chosen].task];
    for (const OomKillLine& kl : r.kills)
      if (kl.pid == t.pid) kill_for_chosen = &kl;
    o += oom_kill_line(t, kill_for_chosen, message) + "\n";
    if (kill_for_chosen) {
      const u64 sum_kb = kill_for_chosen->anon_kb + kill_for_chosen->file_kb + kill_for_chosen->shmem_kb;
      o += "  (anon/file/shmem split from the log's kill line " + std::to_string(kill_for_chosen->line) + ")\n";
      if (sum_kb != t.rss * 4)
        o += "  (that line's rss adds up to " + std::to_string(sum_kb / 4) + " pages, the table says " +
             std::to_string(t.rss) + ")\n";
    } else {
      o += "  (the table gives only the total rss: the split into anon/file/shmem is unknown, all shown as anon-rss)\n";
    }
    if (r.constraint_line) {
      matched = r.victim_pid == t.pid;
      if (matched) o += "matches the kernel's choice (line " + std::to_string(r.constraint_line) + ")\n";
      else
        o += "differs: the kernel killed " + std::to_string(r.victim_pid) + " (" + r.victim_name + ") (line " +
             std::to_string(r.constraint_line) + ")\n";
    } else {
      matched = false;
      o += "differs: the kernel found no killable task (\"Out of memory and no killable processes\")\n";
    }
  } else {
    o += "no candidate: every listed task has oom_score_adj -1000 (or none is listed); the kernel panics with "
         "\"Out of memory and no killable processes...\"\n";
    matched = r.no_killable || r.constraint_line == 0;
    if (matched) o += "matches the kernel: it found no killable task\n";
    else
      o += "differs: the kernel killed " + std::to_string(r.victim_pid) + " (" + r.victim_name + ") (line " +
           std::to_string(r.constraint_line) + ")\n";
  }

  std::vector<std::string> notes = k.notes;
  if (r.order == -1)
    notes.push_back("order=-1: a sysrq-f OOM; the kernel then also considers tasks that are already exiting");
  for (const OomTaskRow& t : r.tasks)
    if (earlier_victims.count(t.pid))
      notes.push_back("pid " + std::to_string(t.pid) +
                      " was killed by an earlier report of this log and is still listed: the kernel skips it once "
                      "the OOM reaper is done with it (MMF_OOM_SKIP) and otherwise waits for it instead of "
                      "killing again; the table cannot tell which, so it is ranked like the others");
  if (!matched && r.constraint_line)
    notes.push_back("what the table cannot show: a task already being killed or reaped (MMF_OOM_SKIP), a task in "
                    "vfork, or one marked as the OOM origin (swapoff, KSM) changes the kernel's pick");
  for (const std::string& s : notes) o += "note: " + s + "\n";
  return o;
}

}  // namespace

Expected<std::string> oom_replay(std::string_view text, std::string_view source) {
  auto log = parse_oom_log(text, source);
  if (!log) return log.diag();
  OomNodePages boot_pages;
  bool need_nodes = false;
  for (const OomReport& r : log->reports)
    need_nodes = need_nodes || r.constraint == OomConstraint::MemoryPolicy || r.constraint == OomConstraint::Cpuset;
  if (need_nodes) boot_pages = oom_node_pages_from_boot(text, source);

  std::string out = std::string(source) + ": " + std::to_string(log->reports.size()) + " OOM report" +
                    (log->reports.size() == 1 ? "" : "s") + "\n\n";
  std::set<int> earlier;
  std::string victims;
  int matches = 0;
  for (size_t i = 0; i < log->reports.size(); ++i) {
    const OomReport& r = log->reports[i];
    auto k = rank_oom_report(r, boot_pages, source);
    if (!k) return k.diag();
    bool matched = false;
    out += render_report(*log, i, *k, earlier, matched) + "\n";
    matches += matched ? 1 : 0;
    if (!victims.empty()) victims += ", ";
    victims += k->chosen ? std::to_string(r.tasks[k->rows[*k->chosen].task].pid) : std::string("none");
    if (r.constraint_line) earlier.insert(r.victim_pid);
  }
  out += "victims (engine): " + victims + "; " + std::to_string(matches) + " of " +
         std::to_string(log->reports.size()) + " match the kernel's choice\n";
  return out;
}

}  // namespace mm
