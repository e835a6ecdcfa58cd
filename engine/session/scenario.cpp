// Scenario parsing and running.
#include "session/scenario.h"

#include <cctype>

#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/gfp.h"
#include "mm/core/machine.h"
#include <map>
#include "text/parse/shorthand.h"
#include "session/playground.h"
#include "mm/pressure/task.h"
#include "session/slab_scenario.h"  // SLUB hook

namespace mm {

namespace {

using Kind = ScenarioStmt::Kind;

std::string_view trim(std::string_view s, int* lead = nullptr) {
  size_t a = 0;
  while (a < s.size() && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  size_t b = s.size();
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  if (lead) *lead = static_cast<int>(a);
  return s.substr(a, b - a);
}

const char* kZoneFields[] = {"free",    "min",       "low",      "high",      "boost",     "spanned",
                             "present", "managed",   "start_pfn", "pcp.high", "pcp.batch", "pcp.count"};
const char* kGlobals[] = {"min_free_kbytes", "totalram_pages", "vm_total_pages", "nr_kernel_pages",
                          "dma_reserve",     "max_pfn",        "nodes",          "cpus",
                          "mobility_grouping", "allocs_ok",    "allocs_failed",  "oom_kills",
                          "kswapd_runs",     "direct_reclaims", "alloc_failures", "inactive_file",
                          "active_file",     "inactive_anon",  "active_anon",    "swap_used",
                          "free_pages"};

// What a running scenario holds besides the machine.
struct RunState {
  std::map<std::string, std::vector<std::pair<Pfn, Order>>> handles;
  long long allocs_ok = 0, allocs_failed = 0;
  SlabHandles slab;  // SLUB hook: kmalloc / kmem_cache_alloc handles
};

struct Figure {
  bool global = false;
  std::string name;  // global name or zone field
  int node = 0;
  int zone = -1;
  int cpu = 0;
  int index = -1;  // protection[J], nr_free[O]
};

std::optional<int> zone_index(std::string_view z) {
  for (unsigned i = 0; i < MAX_NR_ZONES; ++i)
    if (z == kZoneNames[i]) return static_cast<int>(i);
  return std::nullopt;
}

// Parses a figure from words; on error returns a message and the word index.
std::optional<std::string> parse_figure(const std::vector<std::string_view>& w, Figure& f, size_t& bad) {
  size_t i = 0;
  if (w.empty()) return "expected a figure after 'expect'";
  if (w.size() == 1 && (w[0].size() > 4 && (w[0].substr(w[0].size() - 4) == ".pfn" ||
                                            (w[0].size() > 6 && w[0].substr(w[0].size() - 6) == ".count")))) {
    f.global = true;
    f.name = std::string(w[0]);
    return std::nullopt;
  }
  if (w[0] == "cache") {  // SLUB hook: cache NAME FIELD
    if (w.size() != 3) {
      bad = 0;
      return "expected: cache NAME FIELD";
    }
    if (!is_cache_field(w[2])) {
      bad = 2;
      return "unknown cache field '" + std::string(w[2]) +
             "' (objsize objperslab pagesperslab active_objs num_objs num_slabs object_size align order min_partial "
             "cpu_partial cpu_partial_slabs refcount)";
    }
    f.global = true;
    f.name = "cache:" + std::string(w[1]) + ":" + std::string(w[2]);
    return std::nullopt;
  }
  if (w[0] == "task") {
    static const char* kTaskFields[] = {"oom_score", "badness", "rss", "anon", "file", "shmem", "swapents", "pgtables", "alive"};
    if (w.size() != 3) {
      bad = 0;
      return "expected: task NAME FIELD";
    }
    for (const char* tf : kTaskFields)
      if (w[2] == tf) {
        f.global = true;
        f.name = "task:" + std::string(w[1]) + ":" + tf;
        return std::nullopt;
      }
    bad = 2;
    return "unknown task field '" + std::string(w[2]) + "' (oom_score badness rss anon file shmem swapents pgtables alive)";
  }
  for (const char* g : kGlobals)
    if (w[0] == g) {
      if (w.size() != 1) {
        bad = 1;
        return "unexpected words after '" + std::string(g) + "'";
      }
      f.global = true;
      f.name = g;
      return std::nullopt;
    }
  if (w[i] == "node") {
    if (w.size() < 2 || w[1].empty() || w[1].size() > 3 ||
        !std::all_of(w[1].begin(), w[1].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      bad = 1;
      return "expected a node number after 'node'";
    }
    f.node = std::stoi(std::string(w[1]));
    i = 2;
  }
  if (i >= w.size() || w[i] != "zone") {
    bad = i;
    return "unknown figure '" + std::string(i < w.size() ? w[i] : "") +
           "' (a global like min_free_kbytes, or [node N] zone NAME FIELD)";
  }
  if (i + 1 >= w.size()) {
    bad = i;
    return "expected a zone name (DMA, DMA32, Normal, Movable, Device)";
  }
  auto z = zone_index(w[i + 1]);
  if (!z) {
    bad = i + 1;
    return "unknown zone '" + std::string(w[i + 1]) + "' (DMA, DMA32, Normal, Movable, Device)";
  }
  f.zone = *z;
  if (i + 2 >= w.size()) {
    bad = i + 1;
    return "expected a field after the zone name";
  }
  std::string_view field = w[i + 2];
  if (field.substr(0, 3) == "cpu" && field.find('.') != std::string_view::npos) {
    size_t dot = field.find('.');
    std::string_view num = field.substr(3, dot - 3);
    if (num.empty() || num.size() > 3 ||
        !std::all_of(num.begin(), num.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      bad = i + 2;
      return "expected cpuN.pcp.high (N a CPU number)";
    }
    f.cpu = std::stoi(std::string(num));
    field = field.substr(dot + 1);
    if (field.substr(0, 4) != "pcp.") {
      bad = i + 2;
      return "a cpuN. prefix only applies to pcp.high, pcp.batch and pcp.count";
    }
  }
  for (std::string_view idxf : {std::string_view("protection"), std::string_view("nr_free")}) {
    if (field.substr(0, idxf.size()) == idxf && field.size() > idxf.size() + 2 && field[idxf.size()] == '[' &&
        field.back() == ']') {
      std::string_view num = field.substr(idxf.size() + 1, field.size() - idxf.size() - 2);
      if (num.empty() || num.size() > 2 ||
          !std::all_of(num.begin(), num.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        bad = i + 2;
        return "expected an index like protection[1]";
      }
      f.index = std::stoi(std::string(num));
      const int limit = idxf == "protection" ? static_cast<int>(MAX_NR_ZONES) : static_cast<int>(MAX_ORDER);
      if (f.index >= limit) {
        bad = i + 2;
        return "index out of range (0.." + std::to_string(limit - 1) + ")";
      }
      f.name = std::string(idxf);
      return std::nullopt;
    }
  }
  if (field.substr(0, 11) == "pageblocks.") {
    for (unsigned t = 0; t < MIGRATE_TYPES; ++t)
      if (field.substr(11) == kMigrateTypeNames[t]) {
        f.name = "pageblocks";
        f.index = static_cast<int>(t);
        return std::nullopt;
      }
    bad = i + 2;
    return "unknown migrate type in '" + std::string(field) + "' (Unmovable Movable Reclaimable HighAtomic Isolate)";
  }
  for (const char* zf : kZoneFields)
    if (field == zf) {
      f.name = zf;
      if (i + 3 != w.size()) {
        bad = i + 3;
        return "unexpected words after the figure";
      }
      return std::nullopt;
    }
  bad = i + 2;
  return "unknown zone field '" + std::string(field) +
         "' (free min low high boost spanned present managed start_pfn protection[J] nr_free[O] pcp.high pcp.batch "
         "pcp.count)";
}

std::optional<long long> figure_value(const Machine& m, const RunState& rs, const Figure& f, std::string& err) {
  if (f.global) {
    if (f.name.rfind("cache:", 0) == 0) {  // SLUB hook
      const size_t c2 = f.name.rfind(':');
      return cache_figure(m, f.name.substr(6, c2 - 6), f.name.substr(c2 + 1), err);
    }
    if (f.name.rfind("task:", 0) == 0) {
      const size_t c2 = f.name.rfind(':');
      const std::string tname = f.name.substr(5, c2 - 5), field = f.name.substr(c2 + 1);
      const Task* t = find_task(m, tname);
      if (field == "alive") return t ? 1 : 0;
      if (!t) {
        err = "no live task named '" + tname + "'";
        return std::nullopt;
      }
      const TaskMem tm = task_mem(m, *t);
      if (field == "oom_score") return static_cast<long long>(proc_oom_score(tm, oom_totalpages(m)));
      if (field == "badness") {
        auto b = oom_badness(tm, oom_totalpages(m));
        if (!b) {
          err = "'" + tname + "' is not an OOM candidate";
          return std::nullopt;
        }
        return *b;
      }
      if (field == "rss") return tm.rss();
      if (field == "anon") return tm.rss_anon;
      if (field == "file") return tm.rss_file;
      if (field == "shmem") return tm.rss_shmem;
      if (field == "swapents") return tm.swapents;
      return tm.pgtables_bytes / static_cast<long long>(PAGE_SIZE);
    }
    if (m.pressure || f.name == "oom_kills" || f.name == "free_pages") {
      const PressureState* ps = m.pressure.get();
      auto lru_sum = [&](Lru l) {
        long long n = 0;
        for (size_t i = 0; i < m.nodes.size(); ++i) n += static_cast<long long>(lru_size(m, static_cast<int>(i), l));
        return n;
      };
      if (f.name == "oom_kills") return ps ? static_cast<long long>(ps->oom_kills) : 0;
      if (f.name == "kswapd_runs") return static_cast<long long>(ps->kswapd_runs);
      if (f.name == "direct_reclaims") return static_cast<long long>(ps->direct_reclaims);
      if (f.name == "alloc_failures") return static_cast<long long>(ps->alloc_failures);
      if (f.name == "swap_used") return static_cast<long long>(ps->swap_used);
      if (f.name == "inactive_file") return lru_sum(LRU_INACTIVE_FILE);
      if (f.name == "active_file") return lru_sum(LRU_ACTIVE_FILE);
      if (f.name == "inactive_anon") return lru_sum(LRU_INACTIVE_ANON);
      if (f.name == "active_anon") return lru_sum(LRU_ACTIVE_ANON);
      if (f.name == "free_pages") {
        long long n = 0;
        for (const Node& nd : m.nodes)
          for (const Zone& z : nd.zones) n += static_cast<long long>(z.nr_free_pages);
        return n;
      }
    } else if (f.name == "kswapd_runs" || f.name == "direct_reclaims" || f.name == "alloc_failures" ||
               f.name == "swap_used" || f.name.find("_file") != std::string::npos || f.name.find("_anon") != std::string::npos) {
      return 0;
    }
    if (f.name == "allocs_ok") return rs.allocs_ok;
    if (f.name == "allocs_failed") return rs.allocs_failed;
    const size_t dot = f.name.rfind('.');
    if (dot != std::string::npos) {
      auto it = rs.handles.find(f.name.substr(0, dot));
      const bool count = f.name.substr(dot + 1) == "count";
      if (it == rs.handles.end() || it->second.empty()) {
        if (count) return 0;
        err = "'" + f.name.substr(0, dot) + "' holds no allocation";
        return std::nullopt;
      }
      if (count) return static_cast<long long>(it->second.size());
      return static_cast<long long>(it->second.back().first);
    }
    if (f.name == "min_free_kbytes") return m.min_free_kbytes;
    if (f.name == "totalram_pages") return static_cast<long long>(m.totalram_pages);
    if (f.name == "vm_total_pages") return static_cast<long long>(m.vm_total_pages);
    if (f.name == "nr_kernel_pages") return static_cast<long long>(m.nr_kernel_pages);
    if (f.name == "dma_reserve") return static_cast<long long>(m.dma_reserve);
    if (f.name == "max_pfn") return static_cast<long long>(m.max_pfn);
    if (f.name == "nodes") return static_cast<long long>(m.nodes.size());
    if (f.name == "cpus") return static_cast<long long>(m.nr_cpus);
    if (f.name == "mobility_grouping") return m.page_group_by_mobility_disabled ? 0 : 1;
  }
  if (f.node < 0 || static_cast<size_t>(f.node) >= m.nodes.size()) {
    err = "the machine has no node " + std::to_string(f.node);
    return std::nullopt;
  }
  const Zone& z = m.nodes[static_cast<size_t>(f.node)].zones[static_cast<size_t>(f.zone)];
  if (f.name == "free") return static_cast<long long>(z.nr_free_pages);
  if (f.name == "min") return static_cast<long long>(z.min_wmark());
  if (f.name == "low") return static_cast<long long>(z.low_wmark());
  if (f.name == "high") return static_cast<long long>(z.high_wmark());
  if (f.name == "boost") return static_cast<long long>(z.watermark_boost);
  if (f.name == "spanned") return static_cast<long long>(z.spanned_pages);
  if (f.name == "present") return static_cast<long long>(z.present_pages);
  if (f.name == "managed") return static_cast<long long>(z.managed_pages);
  if (f.name == "start_pfn") return static_cast<long long>(z.zone_start_pfn);
  if (f.name == "protection") return static_cast<long long>(z.lowmem_reserve[static_cast<size_t>(f.index)]);
  if (f.name == "nr_free") return static_cast<long long>(z.free_area[static_cast<size_t>(f.index)].nr_free);
  if (f.name == "pageblocks") {
    long long n = 0;
    for (Pfn p = round_up(z.zone_start_pfn, pageblock_nr_pages); p < z.end_pfn() && p < m.mem.nr; p += pageblock_nr_pages)
      if (idx(m.mem.block_mt(p)) == static_cast<unsigned>(f.index)) ++n;
    return n;
  }
  if (f.name.rfind("pcp.", 0) == 0) {
    if (static_cast<size_t>(f.cpu) >= z.pcp.size()) {
      err = "the machine has no cpu " + std::to_string(f.cpu);
      return std::nullopt;
    }
    const PerCpuPages& p = z.pcp[static_cast<size_t>(f.cpu)];
    if (f.name == "pcp.high") return p.high;
    if (f.name == "pcp.batch") return p.batch;
    return p.count;
  }
  err = "unknown figure";
  return std::nullopt;
}

bool compare(long long a, const std::string& op, long long b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

struct Words {
  std::vector<std::string_view> w;
  std::vector<int> col;  // 1-based column of each word in the line
};

Words split_words(std::string_view line, int base_col) {
  Words r;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    size_t s = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    r.w.push_back(line.substr(s, i - s));
    r.col.push_back(base_col + static_cast<int>(s));
  }
  return r;
}

}  // namespace

Expected<Scenario> parse_scenario(std::string_view text, std::string_view source, bool machine_booted) {
  Scenario sc;
  sc.source = std::string(source);
  const std::string src(source);
  bool have_machine = machine_booted;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    size_t hash = raw.find('#');
    std::string_view code = raw;
    // A '#' inside a quoted string is text, not a comment.
    if (hash != std::string_view::npos) {
      bool in_quote = false;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '"') in_quote = !in_quote;
        if (raw[i] == '#' && !in_quote) {
          code = raw.substr(0, i);
          break;
        }
      }
    }
    int lead = 0;
    std::string_view t = trim(code, &lead);
    if (t.empty()) continue;
    Words words = split_words(t, lead + 1);
    std::string_view cmd = words.w[0];
    auto err = [&](int col, std::string msg) { return Diagnostic{src, line_no, col, std::move(msg)}; };
    auto rest_after = [&](size_t k, int* col) -> std::string_view {
      size_t off = static_cast<size_t>(words.col[k] - 1 - lead) + words.w[k].size();
      std::string_view r = trim(t.substr(off), col);
      *col += static_cast<int>(off) + lead + 1;
      return r;
    };
    ScenarioStmt st;
    st.line = line_no;
    if (cmd == "machine") {
      int col = 0;
      std::string_view spec = rest_after(0, &col);
      auto p = parse_shorthand(spec);
      if (!p) return err(col + p.diag().col - 1, p.diag().message);
      st.kind = Kind::Machine;
      st.arg = std::string(spec);
      st.col = col;
      have_machine = true;
    } else if (cmd == "dmesg") {
      if (words.w.size() != 2) return err(words.col[0], "expected: dmesg PATH");
      st.kind = Kind::Dmesg;
      st.arg = std::string(words.w[1]);
      st.col = words.col[1];
      have_machine = true;
    } else if (cmd == "proc") {
      if (words.w.size() != 2) return err(words.col[0], "expected: proc NAME");
      bool known = false;
      for (std::string_view n : Playground::proc_names()) known = known || n == words.w[1];
      if (!known) return err(words.col[1], "unknown /proc view '" + std::string(words.w[1]) + "'");
      st.kind = Kind::Proc;
      st.arg = std::string(words.w[1]);
      st.col = words.col[1];
    } else if (cmd == "log" || cmd == "check") {
      if (words.w.size() != 1) return err(words.col[1], "'" + std::string(cmd) + "' takes no arguments");
      st.kind = cmd == "log" ? Kind::Log : Kind::Check;
    } else if (cmd == "echo") {
      int col = 0;
      st.kind = Kind::Echo;
      st.arg = std::string(rest_after(0, &col));
    } else if (cmd == "expect") {
      if (words.w.size() < 2) return err(words.col[0], "expected a figure after 'expect'");
      // expect log contains "x" | expect proc NAME contains "x"
      size_t ci = 0;
      for (size_t k = 1; k < words.w.size(); ++k)
        if (words.w[k] == "contains") ci = k;
      if (ci) {
        if (words.w[1] == "log" && ci == 2) st.where = "log";
        else if (words.w[1] == "proc" && ci == 3) st.where = std::string(words.w[2]);
        else return err(words.col[1], "expected 'expect log contains \"text\"' or 'expect proc NAME contains \"text\"'");
        int col = 0;
        std::string_view q = rest_after(ci, &col);
        if (q.size() < 2 || q.front() != '"' || q.back() != '"')
          return err(col, "expected a quoted string after 'contains'");
        st.kind = Kind::ExpectContains;
        st.text = std::string(q.substr(1, q.size() - 2));
        st.col = words.col[1];
      } else {
        if (words.w.size() < 4) return err(words.col[0], "expected: expect FIGURE OP VALUE");
        const size_t n = words.w.size();
        std::string_view op = words.w[n - 2], val = words.w[n - 1];
        if (op != "==" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=")
          return err(words.col[n - 2], "unknown operator '" + std::string(op) + "' (== != < <= > >=)");
        bool neg = !val.empty() && val[0] == '-';
        std::string_view digits = neg ? val.substr(1) : val;
        if (digits.empty() || digits.size() > 18 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
          return err(words.col[n - 1], "expected a whole number, got '" + std::string(val) + "'");
        std::vector<std::string_view> fw(words.w.begin() + 1, words.w.end() - 2);
        Figure f;
        size_t bad = 0;
        if (auto e = parse_figure(fw, f, bad)) return err(words.col[1 + std::min(bad, fw.size() ? fw.size() - 1 : 0)], *e);
        st.kind = Kind::ExpectFigure;
        st.arg.clear();
        for (size_t k = 1; k + 2 < n; ++k) st.arg += (k > 1 ? " " : "") + std::string(words.w[k]);
        st.op = std::string(op);
        st.value = std::stoll(std::string(val));
        st.col = words.col[1];
      }
    } else if (is_slab_statement(cmd)) {  // SLUB hook (slab_scenario.cpp)
      if (auto e = parse_slab_statement(words.w, words.col, st)) return err(e->first, e->second);
    } else if (cmd == "spawn" || cmd == "grow" || cmd == "exit" || cmd == "kill" || cmd == "read" ||
               cmd == "drop_caches" || cmd == "swap" || cmd == "oom_score_adj") {
      st.kind = Kind::Task;
      st.task_op = std::string(cmd);
      st.col = words.col[0];
      size_t a = 1;
      const bool named = cmd != "drop_caches" && cmd != "swap";
      if (named) {
        if (words.w.size() < 2 || words.w[1].find('=') != std::string_view::npos)
          return err(words.col[0], "expected a name after '" + std::string(cmd) + "'");
        st.name = std::string(words.w[1]);
        if (st.name.size() > 15) return err(words.col[1], "task names have at most 15 characters (TASK_COMM_LEN)");
        st.col = words.col[1];
        a = 2;
      }
      if (cmd == "swap" || cmd == "oom_score_adj") {
        if (words.w.size() != a + 1) return err(words.col[0], cmd == "swap" ? "expected: swap SIZE" : "expected: oom_score_adj NAME N");
        std::string_view v = words.w[a];
        if (cmd == "swap") {
          auto sz = parse_size(v);
          if (!sz) return err(words.col[a], "bad size '" + std::string(v) + "'");
          st.size = *sz;
        } else {
          bool neg = !v.empty() && v[0] == '-';
          std::string_view d = neg ? v.substr(1) : v;
          if (d.empty() || d.size() > 4 || !std::all_of(d.begin(), d.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
            return err(words.col[a], "expected a number from -1000 to 1000");
          st.adj = std::stoi(std::string(v));
          if (st.adj < -1000 || st.adj > 1000) return err(words.col[a], "oom_score_adj must be in [-1000, 1000]");
        }
        a = words.w.size();
      }
      for (; a < words.w.size(); ++a) {
        std::string_view wv = words.w[a];
        const size_t eq = wv.find('=');
        if (eq == std::string_view::npos) return err(words.col[a], "unexpected '" + std::string(wv) + "' (arguments are key=value)");
        const std::string_view key = wv.substr(0, eq), val = wv.substr(eq + 1);
        const int vcol = words.col[a] + static_cast<int>(eq) + 1;
        auto size_of = [&](u64& out) -> std::optional<Diagnostic> {
          auto sz = parse_size(val);
          if (!sz) return err(vcol, "bad size '" + std::string(val) + "' (like 200M)");
          out = *sz;
          return std::nullopt;
        };
        std::optional<Diagnostic> d;
        if (key == "anon" && (cmd == "spawn" || cmd == "grow")) d = size_of(st.anon);
        else if (key == "file" && (cmd == "spawn" || cmd == "grow")) d = size_of(st.file);
        else if (key == "shmem" && (cmd == "spawn" || cmd == "grow")) d = size_of(st.shmem);
        else if (key == "size" && cmd == "read") d = size_of(st.size);
        else if (key == "thread_of" && cmd == "spawn") st.thread_of = std::string(val);
        else if (key == "bind" && cmd == "spawn") {
          // "1", "0-1", "0+2": MPOL_BIND nodes
          size_t q = 0;
          while (q <= val.size()) {
            size_t plus = val.find('+', q);
            std::string_view piece = val.substr(q, plus == std::string_view::npos ? std::string_view::npos : plus - q);
            size_t dash = piece.find('-');
            auto num = [](std::string_view v) -> int {
              if (v.empty() || v.size() > 2 || !std::all_of(v.begin(), v.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) return -1;
              return std::stoi(std::string(v));
            };
            const int lo = num(dash == std::string_view::npos ? piece : piece.substr(0, dash));
            const int hi = dash == std::string_view::npos ? lo : num(piece.substr(dash + 1));
            if (lo < 0 || hi < lo) return err(vcol, "bad node list '" + std::string(val) + "' (like 1, 0-1 or 0+2)");
            for (int n = lo; n <= hi; ++n) st.bind.push_back(n);
            if (plus == std::string_view::npos) break;
            q = plus + 1;
          }
        }
        else if ((key == "adj" && cmd == "spawn")) {
          bool neg = !val.empty() && val[0] == '-';
          std::string_view dg = neg ? val.substr(1) : val;
          if (dg.empty() || dg.size() > 4 || !std::all_of(dg.begin(), dg.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) ||
              std::abs(std::stoi(std::string(val))) > 1000)
            return err(vcol, "oom_score_adj must be in [-1000, 1000]");
          st.adj = std::stoi(std::string(val));
        } else if (key == "cpu") {
          if (val.empty() || val.size() > 3 || !std::all_of(val.begin(), val.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
            return err(vcol, "bad cpu number");
          st.cpu = std::stoi(std::string(val));
        } else {
          return err(words.col[a], "unknown argument '" + std::string(key) + "' for " + std::string(cmd));
        }
        if (d) return *d;
      }
      if (cmd == "read" && !st.size) return err(words.col[0], "read needs size=SIZE");
    } else if (cmd == "alloc" || cmd == "free" || cmd == "drain" || cmd == "repeat") {
      size_t k = 0;
      if (cmd == "repeat") {
        if (words.w.size() < 3 || words.w[2] != "alloc")
          return err(words.col[0], "expected: repeat N alloc ...");
        std::string_view n = words.w[1];
        if (n.empty() || n.size() > 6 ||
            !std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
            std::stoi(std::string(n)) < 1)
          return err(words.col[1], "expected a repeat count from 1 to 999999");
        st.repeat = std::stoi(std::string(n));
        k = 2;
      }
      const std::string_view op = words.w[k];
      st.kind = op == "alloc" ? Kind::Alloc : op == "free" ? Kind::Free : Kind::Drain;
      st.col = words.col[k];
      bool have_order = false, have_gfp = false;
      for (size_t a = k + 1; a < words.w.size(); ++a) {
        std::string_view wv = words.w[a];
        const int col = words.col[a];
        const size_t eq = wv.find('=');
        if (eq == std::string_view::npos) {
          if (st.kind == Kind::Drain && wv == "all") {
            st.all_cpus = true;
            continue;
          }
          if (st.kind != Kind::Drain && st.name.empty() && a == k + 1) {
            st.name = std::string(wv);
            continue;
          }
          return err(col, "unexpected '" + std::string(wv) + "' (arguments are key=value)");
        }
        const std::string_view key = wv.substr(0, eq), val = wv.substr(eq + 1);
        auto number = [&](long long lo, long long hi) -> std::optional<long long> {
          if (val.empty() || val.size() > 12 ||
              !std::all_of(val.begin(), val.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            return std::nullopt;
          long long v = std::stoll(std::string(val));
          if (v < lo || v > hi) return std::nullopt;
          return v;
        };
        if (key == "order" && st.kind != Kind::Drain) {
          auto v = number(0, MAX_ORDER - 1);
          if (!v) return err(col + static_cast<int>(eq) + 1, "order must be 0.." + std::to_string(MAX_ORDER - 1));
          st.order = static_cast<unsigned>(*v);
          have_order = true;
        } else if (key == "gfp" && st.kind == Kind::Alloc) {
          auto g = parse_gfp(val);
          if (!g) return err(col + static_cast<int>(eq) + g.diag().col, g.diag().message);
          st.gfp = *g;
          have_gfp = true;
        } else if (key == "cpu") {
          auto v = number(0, MAX_CPUS_MODELLED - 1);
          if (!v) return err(col + static_cast<int>(eq) + 1, "bad cpu number");
          st.cpu = static_cast<int>(*v);
        } else if (key == "node" && st.kind == Kind::Alloc) {
          auto v = number(0, MAX_NODES_MODELLED - 1);
          if (!v) return err(col + static_cast<int>(eq) + 1, "bad node number");
          st.node = static_cast<int>(*v);
        } else if (key == "pfn" && st.kind == Kind::Free) {
          auto v = number(0, 1ll << 40);
          if (!v) return err(col + static_cast<int>(eq) + 1, "bad pfn");
          st.pfn = *v;
        } else {
          return err(col, "unknown argument '" + std::string(key) + "' for " + std::string(op));
        }
      }
      if (st.kind == Kind::Alloc && !have_gfp) st.gfp = gfp::GFP_KERNEL;
      if (st.kind == Kind::Alloc) {
        if (auto bad = gfp_check(st.gfp, st.order)) return err(st.col, *bad);
      }
      if (st.kind == Kind::Free && st.name.empty() && st.pfn < 0)
        return err(st.col, "free needs a handle name or pfn=N order=N");
      if (st.kind == Kind::Free && st.pfn >= 0 && !have_order) return err(st.col, "free pfn=N needs order=N");
    } else {
      return err(words.col[0], "unknown statement '" + std::string(cmd) +
                                   "' (machine dmesg proc log check echo expect alloc free drain repeat)");
    }
    if (!have_machine && st.kind != Kind::Echo)
      return err(words.col[0], "'" + std::string(cmd) + "' needs a machine: start with a 'machine' or 'dmesg' line");
    sc.stmts.push_back(std::move(st));
  }
  if (!have_machine) return Diagnostic{src, line_no, 1, "the scenario never boots a machine (add a 'machine ram=1G cpus=2' line)"};
  return sc;
}

ScenarioResult run_scenario(const Scenario& s, const FileLoader& load, bool check_each_step, Playground* into) {
  ScenarioResult r;
  Playground own;
  Playground& pg = into ? *into : own;
  RunState rs;
  auto fail = [&](const ScenarioStmt& st, std::string msg) {
    r.failures.push_back(Diagnostic{s.source, st.line, st.col, std::move(msg)});
  };
  for (const ScenarioStmt& st : s.stmts) {
    switch (st.kind) {
      case Kind::Machine: {
        Status b = pg.boot_shorthand(st.arg, s.source, pg.boot_options());
        if (!b) {
          fail(st, b.diag().message);
          return r;
        }
        break;
      }
      case Kind::Dmesg: {
        auto text = load ? load(st.arg) : std::nullopt;
        if (!text) {
          fail(st, "cannot read '" + st.arg + "'");
          return r;
        }
        Status b = pg.boot_dmesg(*text, st.arg, pg.boot_options());
        if (!b) {
          r.failures.push_back(b.diag());
          return r;
        }
        break;
      }
      case Kind::Proc: {
        std::string out;
        Status p = pg.proc(st.arg, out);
        if (!p) fail(st, p.diag().message);
        else r.output += out;
        break;
      }
      case Kind::Log: r.output += pg.boot_log(); break;
      case Kind::Echo: r.output += st.arg + "\n"; break;
      case Kind::Check: break;
      case Kind::Alloc: {
        AllocRequest req;
        req.gfp = st.gfp;
        req.order = st.order;
        req.cpu = st.cpu;
        req.nid = st.node;
        for (int i = 0; i < st.repeat; ++i) {
          auto o = mm::alloc_pages(*pg.machine(), req);
          if (!o) {
            fail(st, o.diag().message);
            break;
          }
          if (o->ok) {
            ++rs.allocs_ok;
            rs.handles[st.name].push_back({o->pfn, o->order});
          } else {
            ++rs.allocs_failed;
          }
          if (check_each_step && st.repeat > 1 && i % 64 == 63)
            for (const std::string& v : pg.check()) fail(st, "invariant violated: " + v);
        }
        break;
      }
      case Kind::Free: {
        if (st.pfn >= 0) {
          Status f = mm::free_pages(*pg.machine(), static_cast<Pfn>(st.pfn), st.order, st.cpu);
          if (!f) fail(st, f.diag().message);
          break;
        }
        auto it = rs.handles.find(st.name);
        if (it == rs.handles.end() || it->second.empty()) {
          fail(st, "free: '" + st.name + "' holds no allocation");
          break;
        }
        while (!it->second.empty()) {
          auto [pfn, order] = it->second.back();
          it->second.pop_back();
          Status f = mm::free_pages(*pg.machine(), pfn, order, st.cpu);
          if (!f) {
            fail(st, f.diag().message);
            break;
          }
        }
        break;
      }
      case Kind::Slab:  // SLUB hook (slab_scenario.cpp)
        if (auto e = run_slab_statement(pg, rs.slab, st, r.output)) fail(st, *e);
        break;
      case Kind::Task: {
        Machine& mach = *pg.machine();
        Status res;
        const Task* t = st.name.empty() ? nullptr : find_task(mach, st.name);
        if (st.task_op == "spawn") {
          SpawnRequest sr;
          sr.name = st.name;
          sr.anon = st.anon;
          sr.file = st.file;
          sr.shmem = st.shmem;
          sr.oom_score_adj = st.adj;
          sr.cpu = st.cpu;
          sr.bind = st.bind;
          if (!st.thread_of.empty()) {
            const Task* o = find_task(mach, st.thread_of);
            if (!o) {
              fail(st, "spawn: no live task named '" + st.thread_of + "'");
              break;
            }
            sr.share_mm_with = o->mm_owner;
          }
          auto pid = spawn(mach, sr);
          if (!pid) res = pid.diag();
        } else if (st.task_op == "read") {
          res = read_file(mach, st.name, st.size, st.cpu);
        } else if (st.task_op == "drop_caches") {
          drop_caches(mach);
        } else if (st.task_op == "swap") {
          res = set_swap(mach, st.size);
        } else if (!t) {
          res = Diagnostic{"", 0, 0, st.task_op + ": no live task named '" + st.name + "'"};
        } else if (st.task_op == "grow") {
          res = grow(mach, t->pid, st.anon, st.file, st.shmem);
        } else if (st.task_op == "exit" || st.task_op == "kill") {
          res = task_exit(mach, t->pid);
        } else if (st.task_op == "oom_score_adj") {
          res = set_oom_score_adj(mach, t->pid, st.adj);
        }
        if (!res) fail(st, res.diag().message);
        break;
      }
      case Kind::Drain:
        if (st.all_cpus) drain_all_pages(*pg.machine());
        else if (static_cast<unsigned>(st.cpu) < pg.machine()->nr_cpus) drain_local_pages(*pg.machine(), st.cpu);
        else fail(st, "drain: no CPU " + std::to_string(st.cpu));
        break;
      case Kind::ExpectContains: {
        std::string hay;
        if (st.where == "log") hay = pg.boot_log();
        else if (Status p = pg.proc(st.where, hay); !p) {
          fail(st, p.diag().message);
          break;
        }
        if (hay.find(st.text) != std::string::npos) ++r.expects_passed;
        else {
          ++r.expects_failed;
          fail(st, "expect failed: " + st.where + " does not contain \"" + st.text + "\"");
        }
        break;
      }
      case Kind::ExpectFigure: {
        std::vector<std::string_view> fw;
        Words w = split_words(st.arg, 1);
        Figure f;
        size_t bad = 0;
        parse_figure(w.w, f, bad);  // validated at parse time
        std::string err;
        auto v = figure_value(*pg.machine(), rs, f, err);
        if (!v) {
          ++r.expects_failed;
          fail(st, "expect failed: " + err);
        } else if (compare(*v, st.op, st.value)) {
          ++r.expects_passed;
        } else {
          ++r.expects_failed;
          fail(st, "expect failed: " + st.arg + " is " + std::to_string(*v) + ", expected " + st.op + " " +
                       std::to_string(st.value));
        }
        break;
      }
    }
    if ((check_each_step || st.kind == Kind::Check) && pg.booted()) {
      for (const std::string& v : pg.check()) fail(st, "invariant violated: " + v);
    }
  }
  return r;
}

}  // namespace mm
