// Reading OOM reports: a line scanner that cuts a kernel log into reports,
// and one small parser per kind of line a report is made of. Each parser
// fills a typed record; a malformed line is a Diagnostic at its column.
#include "text/parse/oom_report.h"

#include "text/parse/gfp.h"

#include <algorithm>
#include <array>

#include "mm/pressure/oom.h"
#include "text/parse/log_line.h"

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

std::string oom_nodelist(const std::optional<std::vector<int>>& n) {
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

namespace {

// ---- lines ------------------------------------------------------------------

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A cursor over one line's message; errors point at the cursor.
struct Cur {
  std::string_view s;  // the whole line
  size_t pos = 0;
  int line = 0;
  std::string_view src;

  Diagnostic err(const std::string& msg) const { return err_at(pos, msg); }
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

using Err = std::optional<Diagnostic>;

// `what` (a number) at the cursor, or "expected WHAT (a number)".
Err expect_num(Cur& c, u64& out, std::string_view what) {
  auto v = c.num();
  if (!v) return c.err("expected " + std::string(what) + " (a number)");
  out = *v;
  return {};
}
Err expect_snum(Cur& c, long long& out, std::string_view what) {
  auto v = c.snum();
  if (!v) return c.err("expected " + std::string(what) + " (a number)");
  out = *v;
  return {};
}
// The most a 64-bit kernel can count: 2^52 pages of 4 KiB are 2^64 bytes,
// all that its unsigned long addresses (and sizes) can name, and 2^54 kB is
// the same amount as show_mem and the kill line print it (pages << 2). A
// report with more was not printed by a kernel; refusing it keeps every
// later sum and product of the ranking inside 64 bits.
constexpr u64 kMaxPages = u64{1} << 52;
constexpr u64 kMaxKb = u64{1} << 54;
// "FIGURE is more than a 64-bit kernel can hold: at most ...".
std::string too_large(const std::string& figure, bool kb) {
  return figure + " is more than a 64-bit kernel can hold: at most " +
         (kb ? "2^54 kB (" + std::to_string(kMaxKb) + "kB" : "2^52 pages (" + std::to_string(kMaxPages)) +
         ", 2^64 bytes)";
}
// A number of pages (or kB) at the cursor, within what a kernel can hold.
Err expect_count(Cur& c, u64& out, std::string_view what, bool kb) {
  const size_t at = c.pos;
  if (auto e = expect_num(c, out, what)) return e;
  if (out > (kb ? kMaxKb : kMaxPages))
    return c.err_at(at, too_large(std::string(what) + " " + std::to_string(out) + (kb ? "kB" : " pages"), kb));
  return {};
}
Err expect_pages(Cur& c, u64& out, std::string_view what) { return expect_count(c, out, what, false); }
Err expect_kb(Cur& c, u64& out, std::string_view what) { return expect_count(c, out, what, true); }

// `text` at the cursor, or "expected 'TEXT'".
Err expect_lit(Cur& c, std::string_view text) {
  if (!c.lit(text)) return c.err("expected '" + std::string(text) + "'");
  return {};
}

Diagnostic at_line(std::string_view src, int line, const std::string& msg) {
  return Diagnostic{std::string(src), line, 1, msg};
}

// ---- the lines of a report ---------------------------------------------------

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
    if (c.pos + 1 < c.s.size() && c.s[c.pos] == ',' && is_digit(c.s[c.pos + 1]))
      ++c.pos;
    else
      break;
  }
  out = std::move(nodes);
  return {};
}

// "hog invoked oom-killer: gfp_mask=0x140dca(GFP_...), order=0, oom_score_adj=0"
Err parse_invoking(Cur c, size_t marker, OomReport& r) {
  r.line = c.line;
  r.comm = std::string(c.s.substr(c.pos, marker - c.pos));
  c.pos = marker + std::string_view(" invoked oom-killer: ").size();
  if (auto e = expect_lit(c, "gfp_mask=")) return e;
  size_t open = c.s.find('(', c.pos);
  if (open == std::string_view::npos) return c.err("expected 'gfp_mask=0x...(FLAGS)'");
  auto g = parse_gfp(c.s.substr(c.pos, open - c.pos));
  if (!g) return c.err_at(c.pos + static_cast<size_t>(std::max(0, g.diag().col - 1)), g.diag().message);
  r.gfp_mask = *g;
  size_t close = c.s.find(')', open);
  if (close == std::string_view::npos) return c.err_at(open, "unclosed '(' after the gfp mask");
  r.gfp_text = std::string(c.s.substr(open + 1, close - open - 1));
  c.pos = close + 1;
  long long order = 0, adj = 0;
  if (auto e = expect_lit(c, ", order=")) return e;
  if (auto e = expect_snum(c, order, "the order")) return e;
  if (order < -1 || order > 64) return c.err("order out of range");
  r.order = static_cast<int>(order);
  if (auto e = expect_lit(c, ", oom_score_adj=")) return e;
  if (auto e = expect_snum(c, adj, "oom_score_adj")) return e;
  r.oom_score_adj = static_cast<int>(adj);
  return {};
}

// The constraint's name at the cursor, closed by ',' or the end of the line.
Err parse_constraint_kind(Cur& c, OomConstraint& out) {
  static constexpr std::array<std::pair<std::string_view, OomConstraint>, 4> kinds = {
      {{"CONSTRAINT_NONE", OomConstraint::None},
       {"CONSTRAINT_CPUSET", OomConstraint::Cpuset},
       {"CONSTRAINT_MEMORY_POLICY", OomConstraint::MemoryPolicy},
       {"CONSTRAINT_MEMCG", OomConstraint::Memcg}}};
  for (const auto& [name, kind] : kinds) {
    const std::string_view rest = c.rest();
    if (rest.substr(0, name.size()) == name && (rest.size() == name.size() || rest[name.size()] == ',')) {
      out = kind;
      c.pos += name.size();
      return {};
    }
  }
  return c.err("unknown constraint (expected CONSTRAINT_NONE, _CPUSET, _MEMORY_POLICY or _MEMCG)");
}

// ",task=NAME,pid=N,uid=N" closes the constraint line; the name may hold commas.
Err parse_constraint_victim(Cur c, OomReport& r) {
  size_t p = c.s.rfind(",pid=");
  if (p == std::string_view::npos || p < c.pos) return c.err_at(c.s.size(), "expected ',task=NAME,pid=N,uid=N'");
  size_t t = c.s.rfind(",task=", p);
  if (t == std::string_view::npos || t < c.pos) return c.err_at(p, "expected ',task=NAME' before ',pid='");
  r.victim_name = std::string(c.s.substr(t + 6, p - t - 6));
  c.pos = p + 5;
  u64 pid = 0;
  long long uid = 0;
  if (auto e = expect_num(c, pid, "the victim's pid")) return e;
  r.victim_pid = static_cast<int>(pid);
  if (auto e = expect_lit(c, ",uid=")) return e;
  if (auto e = expect_snum(c, uid, "the victim's uid")) return e;
  r.victim_uid = uid;
  return {};
}

// "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,
//  global_oom,task_memcg=/,task=hog,pid=109,uid=0"
Err parse_constraint(Cur c, size_t marker, OomReport& r) {
  r.constraint_line = c.line;
  c.pos = marker + std::string_view("oom-kill:constraint=").size();
  if (auto e = parse_constraint_kind(c, r.constraint)) return e;
  if (auto e = expect_lit(c, ",nodemask=")) return e;
  if (auto e = parse_nodelist(c, r.nodemask)) return e;
  size_t ma = c.s.find(",mems_allowed=", c.pos);
  if (ma != std::string_view::npos) {
    Cur m = c;
    m.pos = ma + std::string_view(",mems_allowed=").size();
    if (auto e = parse_nodelist(m, r.mems_allowed)) return e;
  }
  return parse_constraint_victim(c, r);
}

// One number column of a task row: blanks, the number, and a space or the
// end of the line after it ("7x04" is an error at the 'x').
Err row_column(Cur& c, u64& out, std::string_view what, bool pages = false) {
  c.ws();
  if (auto e = pages ? expect_pages(c, out, what) : expect_num(c, out, what)) return e;
  if (c.done() || c.s[c.pos] == ' ') return {};
  return c.err("unexpected character in a task row");
}
Err row_signed_column(Cur& c, long long& out, std::string_view what) {
  c.ws();
  if (auto e = expect_snum(c, out, what)) return e;
  if (c.done() || c.s[c.pos] == ' ') return {};
  return c.err("unexpected character in a task row");
}

// "[    106]     0   106     7927     7804   102400        0             0 hog",
// and with `split` (6.9 on) rss_anon rss_file rss_shmem after rss.
Err parse_task_row(Cur c, OomTaskRow& t, bool split) {
  t.line = c.line;
  u64 pid = 0, tgid = 0, total_vm = 0, rss = 0, swap = 0;
  long long uid = 0, pgt = 0, adj = 0;
  if (auto e = expect_lit(c, "[")) return e;
  c.ws();
  if (auto e = expect_num(c, pid, "a pid")) return e;
  if (!c.done() && c.s[c.pos] != ' ' && c.s[c.pos] != ']') return c.err("unexpected character in a pid");
  if (pid > 0x3fffffff) return c.err("pid out of range");
  t.pid = static_cast<int>(pid);
  c.ws();
  if (auto e = expect_lit(c, "]")) return e;
  if (auto e = row_signed_column(c, uid, "the uid")) return e;
  t.uid = uid;
  if (auto e = row_column(c, tgid, "the tgid")) return e;
  t.tgid = static_cast<int>(std::min<u64>(tgid, 0x3fffffff));
  if (auto e = row_column(c, total_vm, "total_vm (pages)", true)) return e;
  t.total_vm = total_vm;
  if (auto e = row_column(c, rss, "rss (pages)", true)) return e;
  t.rss = rss;
  if (split) {
    const size_t at = c.pos;
    if (auto e = row_column(c, t.rss_anon, "rss_anon (pages)", true)) return e;
    if (auto e = row_column(c, t.rss_file, "rss_file (pages)", true)) return e;
    if (auto e = row_column(c, t.rss_shmem, "rss_shmem (pages)", true)) return e;
    // The kernel prints the three counters and their sum.
    if (t.rss_anon > rss || t.rss_file > rss - t.rss_anon || t.rss_file + t.rss_anon + t.rss_shmem != rss)
      return c.err_at(at, "rss_anon + rss_file + rss_shmem must add up to rss");
    t.rss_split = true;
  }
  if (auto e = row_signed_column(c, pgt, "pgtables_bytes")) return e;
  if (pgt < 0) return c.err("pgtables_bytes cannot be negative");
  t.pgtables_bytes = pgt;
  if (auto e = row_column(c, swap, "swapents (pages)", true)) return e;
  t.swapents = swap;
  c.ws();
  const size_t adj_pos = c.pos;
  if (auto e = row_signed_column(c, adj, "oom_score_adj")) return e;
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
  u64 pid = 0;
  long long uid = 0, adj = 0;
  if (auto e = expect_num(c, pid, "the killed pid")) return e;
  k.pid = static_cast<int>(std::min<u64>(pid, 0x3fffffff));
  if (auto e = expect_lit(c, " (")) return e;
  size_t end = c.s.find(") total-vm:", c.pos);
  if (end == std::string_view::npos) return c.err("expected '(NAME) total-vm:'");
  k.name = std::string(c.s.substr(c.pos, end - c.pos));
  c.pos = end + std::string_view(") total-vm:").size();
  if (auto e = expect_kb(c, k.total_vm_kb, "total-vm")) return e;
  if (auto e = expect_lit(c, "kB, anon-rss:")) return e;
  if (auto e = expect_kb(c, k.anon_kb, "anon-rss")) return e;
  if (auto e = expect_lit(c, "kB, file-rss:")) return e;
  if (auto e = expect_kb(c, k.file_kb, "file-rss")) return e;
  if (auto e = expect_lit(c, "kB, shmem-rss:")) return e;
  if (auto e = expect_kb(c, k.shmem_kb, "shmem-rss")) return e;
  if (auto e = expect_lit(c, "kB, UID:")) return e;
  if (auto e = expect_snum(c, uid, "the UID")) return e;
  k.uid = uid;
  if (auto e = expect_lit(c, " pgtables:")) return e;
  if (auto e = expect_kb(c, k.pgtables_kb, "pgtables")) return e;
  if (auto e = expect_lit(c, "kB oom_score_adj:")) return e;
  if (auto e = expect_snum(c, adj, "oom_score_adj")) return e;
  k.oom_score_adj = static_cast<int>(std::clamp<long long>(adj, -1000, 1000));
  return {};
}

// "N pages RAM" / "N pages reserved".
std::optional<u64> leading_number_before(std::string_view body, std::string_view suffix) {
  if (body.size() <= suffix.size() || body.substr(body.size() - suffix.size()) != suffix) return std::nullopt;
  std::string_view n = body.substr(0, body.size() - suffix.size());
  if (n.empty()) return std::nullopt;
  u64 v = 0;
  for (char ch : n) {
    if (!is_digit(ch)) return std::nullopt;
    // Past 2^64 the figure stays at the largest u64: too large either way.
    v = v > (~u64{0} - 9) / 10 ? ~u64{0} : v * 10 + static_cast<u64>(ch - '0');
  }
  return v;
}

// "Node 1 Normal free:...present:1048576kB managed:..."
bool parse_zone_present(std::string_view body, OomZonePresent& z, size_t& kb_at) {
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
  kb_at = c.pos;
  auto kb = c.num();
  if (!kb || !c.lit("kB")) return false;
  z.node = static_cast<int>(*node);
  z.present_kb = *kb;
  return true;
}

// ---- the scanner -------------------------------------------------------------

// One line of the log: the whole text, where the kernel's message starts.
struct Line {
  std::string_view text;
  size_t at = 0;          // kernel_message_start(text)
  std::string_view body;  // text.substr(at)
  int no = 0;
};

// Cuts a log into reports. A report opens at its invoking line; the line
// handlers below read the lines inside it, the first that recognises a
// line consumes it.
class ReportScanner {
 public:
  explicit ReportScanner(std::string_view source) : source_(source) { log_.source = std::string(source); }

  // A Diagnostic at byte `off` of the line's message.
  Diagnostic at_col(const Line& l, size_t off, const std::string& msg) const {
    return Diagnostic{std::string(source_), l.no, static_cast<int>(l.at + off) + 1, msg};
  }

  Err line(const Line& l) {
    if (size_t m = l.text.find(" invoked oom-killer: ", l.at); m != std::string_view::npos) {
      if (auto e = finish_report()) return e;
      cur_.emplace();
      where_ = Where::Outside;
      return parse_invoking(cursor(l), m, *cur_);
    }
    if (!cur_) return {};  // boot lines and anything between reports
    Err err;
    for (auto handler : kHandlers)
      if ((this->*handler)(l, err)) break;
    return err;
  }

  Expected<OomLog> finish() {
    if (auto e = finish_report()) return *e;
    if (log_.reports.empty())
      // Where a report would start: the log's first line, saying what was looked for.
      return Diagnostic{std::string(source_), 1, 1,
                        "no OOM report in this log: expected a line 'COMM invoked oom-killer: gfp_mask=...' "
                        "(a kernel log with an OOM kill, as dmesg or journalctl -k prints it)"};
    return std::move(log_);
  }

 private:
  enum class Where { Outside, Header, Table, After };
  using Handler = bool (ReportScanner::*)(const Line&, Err&);

  Cur cursor(const Line& l) const { return Cur{l.text, l.at, l.no, source_}; }

  Err finish_report() {
    if (!cur_) return {};
    const OomReport& r = *cur_;
    if (r.constraint_line == 0 && !r.no_killable)
      return at_line(source_, r.line,
                     "this OOM report has no 'oom-kill:constraint=' line after it (is the log cut off?)");
    if (r.tasks_line == 0)
      return at_line(source_, r.line,
                     "this OOM report has no 'Tasks state' table (vm.oom_dump_tasks = 0?): nothing to rank");
    log_.reports.push_back(std::move(*cur_));
    cur_.reset();
    return {};
  }

  // Right after "Tasks state": every line up to the column header is an
  // interleaved one; the header must name the columns the rows are read as.
  bool table_header(const Line& l, Err& err) {
    if (where_ != Where::Header) return false;
    if (l.body.find("[  pid  ]") == std::string_view::npos) return true;
    if (l.body.find("pgtables_bytes") == std::string_view::npos || l.body.find("swapents") == std::string_view::npos ||
        l.body.find("oom_score_adj") == std::string_view::npos)
      err = Diagnostic{std::string(source_), l.no, static_cast<int>(l.at) + 1,
                       "unexpected task table columns (the replay reads the layout of Linux 4.19 and later: "
                       "pid uid tgid total_vm rss [rss_anon rss_file rss_shmem] pgtables_bytes swapents "
                       "oom_score_adj name)"};
    split_ = l.body.find(" rss_anon rss_file rss_shmem ") != std::string_view::npos;
    where_ = Where::Table;
    return true;
  }

  bool task_row(const Line& l, Err& err) {
    if (where_ != Where::Table || l.body.size() < 2 || l.body[0] != '[') return false;
    size_t q = 1;
    while (q < l.body.size() && l.body[q] == ' ') ++q;
    if (q >= l.body.size() || !is_digit(l.body[q])) return false;
    OomTaskRow t;
    err = parse_task_row(cursor(l), t, split_);
    if (!err) cur_->tasks.push_back(std::move(t));
    return true;
  }

  bool constraint(const Line& l, Err& err) {
    size_t m = l.text.find("oom-kill:constraint=", l.at);
    if (m == std::string_view::npos) return false;
    err = parse_constraint(cursor(l), m, *cur_);
    where_ = Where::After;
    return true;
  }

  bool kill(const Line& l, Err& err) {
    size_t m = l.text.find(": Killed process ", l.at);
    if (m == std::string_view::npos) return false;
    OomKillLine k;
    err = parse_kill(cursor(l), m, k);
    if (!err) cur_->kills.push_back(std::move(k));
    return true;
  }

  bool tasks_state(const Line& l, Err&) {
    if (l.body.find("Tasks state (memory values in pages):") == std::string_view::npos) return false;
    cur_->tasks_line = l.no;
    cur_->tasks.clear();
    where_ = Where::Header;
    return true;
  }

  bool no_killable(const Line& l, Err&) {
    if (l.body.find("Out of memory and no killable processes") == std::string_view::npos) return false;
    cur_->no_killable = true;
    return true;
  }

  // show_mem's totals, a memcg's limit, or a zone's present pages; any
  // other line of the report is ignored.
  bool show_mem(const Line& l, Err& err) {
    OomReport& r = *cur_;
    if (auto v = leading_number_before(l.body, " pages RAM")) {
      if (*v > kMaxPages) err = at_col(l, 0, too_large(std::to_string(*v) + " pages RAM", false));
      r.ram_pages = v, r.ram_line = l.no;
    } else if (auto v2 = leading_number_before(l.body, " pages reserved")) {
      if (*v2 > kMaxPages) err = at_col(l, 0, too_large(std::to_string(*v2) + " pages reserved", false));
      r.reserved_pages = v2, r.reserved_line = l.no;
    } else if (l.body.substr(0, 13) == "Total swap = ") {
      err = total_swap(l);
    } else if (l.body.substr(0, 14) == "memory: usage ") {
      err = memcg_limit(l);
    } else {
      OomZonePresent z;
      size_t kb_at = 0;
      if (parse_zone_present(l.body, z, kb_at)) {
        if (z.present_kb > kMaxKb)
          err = at_col(l, kb_at, too_large("present:" + std::to_string(z.present_kb) + "kB", true));
        z.line = l.no;
        r.zones.push_back(std::move(z));
      }
    }
    return true;
  }

  // "Total swap = NkB"
  Err total_swap(const Line& l) {
    Cur s{l.text, l.at + 13, l.no, source_};
    u64 kb = 0;
    if (auto e = expect_kb(s, kb, "Total swap")) return e;
    if (auto e = expect_lit(s, "kB")) return e;
    cur_->total_swap_kb = kb, cur_->swap_line = l.no;
    return {};
  }

  // "memory: usage NkB, limit NkB, failcnt N"
  Err memcg_limit(const Line& l) {
    size_t at = l.body.find(", limit ");
    if (at == std::string_view::npos) return {};
    Cur s{l.text, l.at + at + 8, l.no, source_};
    u64 kb = 0;
    if (auto e = expect_kb(s, kb, "the memcg limit")) return e;
    cur_->memcg_limit_kb = kb, cur_->memcg_line = l.no;
    return {};
  }

  static constexpr std::array<Handler, 7> kHandlers = {
      &ReportScanner::table_header, &ReportScanner::task_row,    &ReportScanner::constraint, &ReportScanner::kill,
      &ReportScanner::tasks_state,  &ReportScanner::no_killable, &ReportScanner::show_mem};

  std::string_view source_;
  OomLog log_;
  std::optional<OomReport> cur_;
  Where where_ = Where::Outside;
  bool split_ = false;  // the table header names rss_anon rss_file rss_shmem (6.9 on)
};

}  // namespace

Expected<OomLog> parse_oom_log(std::string_view text, std::string_view source) {
  ReportScanner scanner(source);
  int lineno = 0;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t at = kernel_message_start(line);
    if (auto e = scanner.line(Line{line, at, line.substr(at), lineno})) return *e;
  }
  return scanner.finish();
}

}  // namespace mm
