// OOM replay: the reports of a real 6.1 log ranked again with the engine's
// oom_badness must name the kernel's victims; synthetic reports pin down the
// parts one capture cannot show (a memory-policy OOM on a NUMA machine, ties,
// oom_score_adj -1000, malformed input).
#include <doctest/doctest.h>

#include <limits>
#include <sstream>

#include "session/playground.h"
#include "test_util.h"
#include "text/parse/oom_replay.h"

using namespace mm;

namespace {

std::string capture(const std::string& config, const std::string& file) {
  auto t = mmtest::read_file(mmtest::reference_dir() + "/" + config + "/" + file);
  REQUIRE_MESSAGE(t.has_value(), "missing " << config << "/" << file);
  return *t;
}

int chosen_pid(const OomReport& r, const OomRanking& k) { return k.chosen ? r.tasks[k.rows[*k.chosen].task].pid : -1; }

OomRanking rank(const OomReport& r, const OomNodePages& boot = {}) {
  auto k = rank_oom_report(r, boot, "t.txt");
  REQUIRE_MESSAGE(k, (k ? std::string() : k.diag().str()));
  return *k;
}

// A report as the kernel prints it (no timestamps), with `rows` as the task
// table ("pid rss pgtables_bytes swapents adj name").
struct Row {
  int pid;
  long long rss, pgtables_bytes, swapents;
  int adj;
  const char* name;
};
std::string report(const std::string& constraint, const std::string& nodemask, const std::vector<Row>& rows, int victim,
                   const std::string& show_mem) {
  std::ostringstream o;
  o << "hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, "
       "oom_score_adj=0\n";
  o << "Mem-Info:\n" << show_mem;
  o << "Tasks state (memory values in pages):\n";
  o << "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n";
  char buf[200];
  for (const Row& r : rows) {
    std::snprintf(buf, sizeof buf, "[%7d] %5d %5d %8lld %8lld %8lld %8lld         %5d %s\n", r.pid, 0, r.pid,
                  r.rss + 100, r.rss, r.pgtables_bytes, r.swapents, r.adj, r.name);
    o << buf;
  }
  o << "oom-kill:constraint=" << constraint << ",nodemask=" << nodemask
    << ",cpuset=/,mems_allowed=0-1,global_oom,task_memcg=/,task=x,pid=" << victim << ",uid=0\n";
  return o.str();
}

// Two nodes of the numa2-m2g-smp2 capture (node 1: 262112 present pages),
// 512 MiB of swap; show_mem prints only the nodemask's node (node 1).
const char* kNumaShowMem =
    "Node 1 DMA32 free:2048kB boost:0kB min:2000kB low:2500kB high:3000kB reserved_highatomic:0KB "
    "active_anon:0kB inactive_anon:1000000kB present:1048448kB managed:1031588kB mlocked:0kB\n"
    "lowmem_reserve[]: 0 0 0 0 0\n"
    "Free swap  = 0kB\n"
    "Total swap = 524288kB\n"
    "524158 pages RAM\n"
    "0 pages HighMem/MovableOnly\n"
    "12000 pages reserved\n";

const char* kUmaShowMem = "Total swap = 0kB\n100000 pages RAM\n0 pages HighMem/MovableOnly\n0 pages reserved\n";

}  // namespace

TEST_SUITE("oom replay") {
  TEST_CASE("the capture's three OOM kills: the engine names the kernel's victims") {
    const std::string log = capture("oom-m256-smp1", "dmesg.txt");
    auto parsed = parse_oom_log(log, "dmesg.txt");
    REQUIRE_MESSAGE(parsed, (parsed ? std::string() : parsed.diag().str()));
    REQUIRE(parsed->reports.size() == 3);
    const int want[] = {109, 107, 162};
    for (size_t i = 0; i < 3; ++i) {
      const OomReport& r = parsed->reports[i];
      CAPTURE(i);
      // show_mem: 65406 pages RAM - 12718 reserved = 52688 = totalram_pages, no swap.
      CHECK(r.ram_pages == 65406u);
      CHECK(r.reserved_pages == 12718u);
      CHECK(r.total_swap_kb == 0u);
      CHECK(r.comm == "hog");
      CHECK(r.gfp_mask == (gfp::GFP_HIGHUSER_MOVABLE | gfp::COMP | gfp::ZERO));
      CHECK(r.constraint == OomConstraint::None);
      CHECK_FALSE(r.nodemask.has_value());
      CHECK(r.victim_pid == want[i]);
      OomRanking k = rank(r);
      CHECK(k.totalpages == 52688u);
      CHECK(chosen_pid(r, k) == want[i]);
    }
    // The first table, row by row (line numbers are the log's).
    const OomReport& first = parsed->reports[0];
    CHECK(first.line == 504);
    CHECK(first.tasks_line == 557);
    CHECK(first.constraint_line == 566);
    REQUIRE(first.tasks.size() == 7);
    CHECK(first.tasks[0].line == 559);
    CHECK(first.tasks[3].pid == 109);
    CHECK(first.tasks[3].rss == 2194u);
    CHECK(first.tasks[3].pgtables_bytes == 57344);
    CHECK(first.tasks[3].oom_score_adj == 1000);
    CHECK(first.tasks[6].name == "sleep");

    auto text = oom_replay(log, "dmesg.txt");
    REQUIRE_MESSAGE(text, (text ? std::string() : text.diag().str()));
    const std::string& out = *text;
    size_t a = out.find("Out of memory: Killed process 109 (hog)");
    size_t b = out.find("Out of memory: Killed process 107 (hog)");
    size_t c = out.find("Out of memory: Killed process 162 (hog)");
    CHECK(a != std::string::npos);
    CHECK(b != std::string::npos);
    CHECK(c != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(out.find("differs") == std::string::npos);
    CHECK(out.find("3 of 3 match the kernel's choice") != std::string::npos);
  }

  TEST_CASE("the kill lines the engine prints are the log's own, split and all") {
    const std::string log = capture("oom-m256-smp1", "dmesg.txt");
    auto text = oom_replay(log, "dmesg.txt");
    REQUIRE(text);
    for (const std::string& l : mmtest::dmesg_lines(log)) {
      if (l.find("Out of memory: Killed process") == std::string::npos) continue;
      CAPTURE(l);
      CHECK(text->find(l + "\n") != std::string::npos);
    }
    // Without the log's kill line the split is unknown: all of rss is anon-rss.
    OomTaskRow t;
    t.pid = 109, t.name = "hog", t.total_vm = 2295, t.rss = 2194, t.pgtables_bytes = 57344, t.oom_score_adj = 1000;
    CHECK(oom_kill_line(t, nullptr, "Out of memory") ==
          "Out of memory: Killed process 109 (hog) total-vm:9180kB, anon-rss:8776kB, file-rss:0kB, shmem-rss:0kB, "
          "UID:0 pgtables:56kB oom_score_adj:1000");
  }

  TEST_CASE("oom_score of the tasks in hogs-before.txt is what the kernel printed") {
    // hogs-before.txt: tag pid size_mib adj_requested node oom_score oom_score_adj state VmRSS_kB
    //                  RssAnon_kB RssFile_kB RssShmem_kB VmPTE_kB VmSize_kB
    auto parsed = parse_oom_log(capture("oom-m256-smp1", "dmesg.txt"), "dmesg.txt");
    REQUIRE(parsed);
    OomRanking k = rank(parsed->reports[0]);
    REQUIRE(k.global_totalpages.has_value());
    const u64 totalpages = *k.global_totalpages;
    CHECK(totalpages == 52688u);
    std::vector<unsigned long long> got, want;
    auto ls = mmtest::lines(capture("oom-m256-smp1", "hogs-before.txt"));
    for (size_t i = 1; i < ls.size(); ++i) {
      std::istringstream in(ls[i]);
      std::string tag, node, state;
      long long pid, size, adj_req, score, adj, vmrss, anon, file, shmem, pte, vmsize;
      if (!(in >> tag >> pid >> size >> adj_req >> node >> score >> adj >> state >> vmrss >> anon >> file >> shmem >>
            pte >> vmsize))
        continue;
      TaskMem m;
      m.rss_anon = anon / 4, m.rss_file = file / 4, m.rss_shmem = shmem / 4;
      m.pgtables_bytes = pte * 1024;
      m.oom_score_adj = static_cast<int>(adj);
      got.push_back(proc_oom_score(m, totalpages));
      want.push_back(static_cast<unsigned long long>(score));
    }
    CHECK(want == std::vector<unsigned long long>{765, 1094, 437, 1352, 0});
    CHECK(got == want);
    // The replay's oom_score column agrees for the same tasks in the first table.
    const OomReport& r = parsed->reports[0];
    for (const OomRankRow& row : k.rows) {
      const int pid = r.tasks[row.task].pid;
      const unsigned long long score = row.oom_score.value_or(9999);
      CAPTURE(pid);
      if (pid == 106) CHECK(score == 765);
      if (pid == 107) CHECK(score == 1094);
      if (pid == 108) CHECK(score == 437);
      if (pid == 109) CHECK(score == 1352);
      if (pid == 110) CHECK(score == 0);
    }
  }

  TEST_CASE("CONSTRAINT_MEMORY_POLICY: totalpages are swap plus the nodemask's present pages") {
    // A: 100000 + 50 pgtable pages, adj 0.  B: 1000 + 10, adj 252.
    // Over node 1 (totalpages 131072 + 262112 = 393184, 393 per adj point)
    // B scores 1010 + 99036 = 100046 < 100050, so A dies; over the whole
    // machine (643 per point) B would have died.
    const std::vector<Row> rows = {
        {200, 100000, 204800, 0, 0, "A"}, {201, 1000, 40960, 0, 252, "B"}, {202, 150000, 409600, 0, -1000, "E"}};
    const std::string text = report("CONSTRAINT_MEMORY_POLICY", "1", rows, 200, kNumaShowMem);
    auto parsed = parse_oom_log(text, "numa.txt");
    REQUIRE_MESSAGE(parsed, (parsed ? std::string() : parsed.diag().str()));
    const OomReport& r = parsed->reports.at(0);
    CHECK(r.constraint == OomConstraint::MemoryPolicy);
    REQUIRE(r.nodemask.has_value());
    CHECK(*r.nodemask == std::vector<int>{1});
    REQUIRE(r.mems_allowed.has_value());
    CHECK(*r.mems_allowed == std::vector<int>{0, 1});

    // From the report's zone lines (no boot part in this log).
    OomRanking k = rank(r);
    CHECK(k.totalpages == 131072u + 262112u);
    CHECK(k.global_totalpages == 524158u - 12000u + 131072u);
    CHECK(chosen_pid(r, k) == 200);
    REQUIRE(k.rows.size() == 3);
    CHECK(k.rows[0].badness == 100050);
    CHECK(k.rows[1].badness == 1010 + 252 * 393);
    CHECK_FALSE(k.rows[2].badness.has_value());  // adj -1000: not a candidate

    // The same report after the numa2-m2g-smp2 boot log: node 1's present
    // pages now come from booting that log, and agree.
    const std::string full = capture("numa2-m2g-smp2", "dmesg.txt") + text;
    OomNodePages boot_pages = oom_node_pages_from_boot(full, "numa.txt");
    INFO(oom_boot_missing_words(boot_pages));
    REQUIRE(boot_pages.present.count(1) == 1);
    CHECK(boot_pages.present.at(1) == 262112u);
    auto parsed2 = parse_oom_log(full, "numa.txt");
    REQUIRE(parsed2);
    OomRanking k2 = rank(parsed2->reports.at(0), boot_pages);
    CHECK(k2.totalpages == 393184u);
    REQUIRE(k2.nodes.size() == 1);
    CHECK(k2.nodes[0].node == 1);
    CHECK(k2.nodes[0].pages == 262112u);
    CHECK(k2.nodes[0].from == OomNodeSource::Boot);
    REQUIRE(k.nodes.size() == 1);
    CHECK(k.nodes[0].from == OomNodeSource::ZoneLines);
    auto out = oom_replay(full, "numa.txt");
    REQUIRE_MESSAGE(out, (out ? std::string() : out.diag().str()));
    CHECK(out->find("totalpages = 393184\n") != std::string::npos);
    CHECK(out->find("matches the kernel's choice") != std::string::npos);

    // Same tasks, CONSTRAINT_NONE: totalpages is the whole machine, B dies.
    auto none = parse_oom_log(report("CONSTRAINT_NONE", "(null)", rows, 201, kNumaShowMem), "none.txt");
    REQUIRE(none);
    OomRanking kn = rank(none->reports.at(0));
    CHECK(kn.totalpages == 524158u - 12000u + 131072u);
    CHECK(chosen_pid(none->reports.at(0), kn) == 201);
  }

  TEST_CASE("a node the log says nothing about is an error, not a guess") {
    const std::vector<Row> rows = {{200, 1000, 4096, 0, 0, "A"}};
    auto parsed = parse_oom_log(report("CONSTRAINT_MEMORY_POLICY", "0", rows, 200, kNumaShowMem), "numa.txt");
    REQUIRE(parsed);
    auto k = rank_oom_report(parsed->reports.at(0), {}, "numa.txt");
    REQUIRE_FALSE(k);
    CHECK(k.diag().line == 13);  // the constraint line
    CHECK(k.diag().message.find("node 0") != std::string::npos);
  }

  TEST_CASE("ties go to the task listed later, as oom_evaluate_task's >= does") {
    // Equal badness (1000 + 1 pgtable page) for 300 and 301; 302 is smaller.
    const std::vector<Row> rows = {
        {300, 1000, 4096, 0, 0, "first"}, {301, 999, 8192, 0, 0, "second"}, {302, 500, 4096, 0, 0, "third"}};
    auto parsed = parse_oom_log(report("CONSTRAINT_NONE", "(null)", rows, 301, kUmaShowMem), "tie.txt");
    REQUIRE(parsed);
    const OomReport& r = parsed->reports.at(0);
    OomRanking k = rank(r);
    CHECK(k.rows[0].badness == 1001);
    CHECK(k.rows[1].badness == 1001);
    CHECK(chosen_pid(r, k) == 301);
    // The ranking lists the chosen one first.
    REQUIRE(k.order.size() == 3);
    CHECK(r.tasks[k.rows[k.order[0]].task].pid == 301);
    CHECK(r.tasks[k.rows[k.order[1]].task].pid == 300);
  }

  TEST_CASE("the ranking is facts: badness term by term, notes by kind, the kernel's choice compared") {
    const std::vector<Row> rows = {
        {200, 100000, 204800, 0, 0, "A"}, {201, 1000, 40960, 0, 252, "B"}, {202, 150000, 409600, 0, -1000, "E"}};
    const std::string text = report("CONSTRAINT_MEMORY_POLICY", "1", rows, 200, kNumaShowMem);
    auto parsed = parse_oom_log(text, "numa.txt");
    REQUIRE(parsed);
    OomRanking k = rank(parsed->reports.at(0));
    CHECK(k.totalram == 524158u - 12000u);
    CHECK(k.swap == 131072u);
    const Badness& b = k.rows.at(1).terms;
    CHECK(b.rss == 1000);
    CHECK(b.swapents == 0);
    CHECK(b.pgtables == 10);
    CHECK(b.adj == 252);
    CHECK(b.adj_unit == 393);
    CHECK(b.adj_term() == 99036);
    CHECK(b.points == b.pages() + b.adj_term());
    CHECK_FALSE(k.rows.at(2).terms.points.has_value());
    CHECK(k.matches_kernel);
    // The memory policy's filter; with the log's (missing) boot part asked
    // for, also why node sizes come from the zone lines.
    auto kinds = [](const OomRanking& r) {
      std::vector<OomNoteKind> v;
      for (const OomNote& n : r.notes) v.push_back(n.kind);
      return v;
    };
    CHECK(kinds(k) == std::vector<OomNoteKind>{OomNoteKind::PolicyRowsEligible});
    const OomNodePages no_boot = oom_node_pages_from_boot(text, "numa.txt");
    CHECK(no_boot.missing == OomNodePages::Missing::NoBootPart);
    CHECK(no_boot.why.line == 1);
    CHECK(kinds(rank(parsed->reports.at(0), no_boot)) ==
          std::vector<OomNoteKind>{OomNoteKind::NodesFromZoneLines, OomNoteKind::PolicyRowsEligible});
    // The same report with GFP_KERNEL: show_mem stops at Normal, so the note says so.
    std::string kernel = report("CONSTRAINT_MEMORY_POLICY", "1", rows, 201, kNumaShowMem);
    kernel.replace(kernel.find("0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)"),
                   std::string_view("0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)").size(),
                   "0xcc0(GFP_KERNEL)");
    auto pk = parse_oom_log(kernel, "k.txt");
    REQUIRE(pk);
    OomRanking kk = rank(pk->reports.at(0));
    REQUIRE_FALSE(kk.notes.empty());
    CHECK(kk.notes.front().kind == OomNoteKind::ZoneLinesUpTo);
    CHECK(kk.notes.front().zone == ZoneType::Normal);
    CHECK_FALSE(kk.matches_kernel);  // the kernel named 201 here, the ranking 200
    // A memcg report: the cgroup's limit, approximate.
    auto memcg = parse_oom_log(
        report("CONSTRAINT_MEMCG", "(null)", rows, 200, "memory: usage 409600kB, limit 409600kB\n"), "m.txt");
    REQUIRE(memcg);
    OomRanking km = rank(memcg->reports.at(0));
    CHECK(km.totalpages == 102400u);
    CHECK(km.approximate);
    REQUIRE(km.notes.size() == 1);
    CHECK(km.notes[0].kind == OomNoteKind::MemcgSwapLeftOut);
  }

  TEST_CASE("golden: a tie, the whole replay text") {
    const std::vector<Row> rows = {
        {300, 1000, 4096, 0, 0, "first"}, {301, 999, 8192, 0, 0, "second"}, {302, 500, 4096, 0, 0, "third"}};
    auto out = oom_replay(report("CONSTRAINT_NONE", "(null)", rows, 301, kUmaShowMem), "tie.txt");
    REQUIRE(out);
    CHECK(*out ==
          "tie.txt: 1 OOM report\n"
          "\n"
          "== OOM 1 of 1 (tie.txt:1) ==\n"
          "hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, "
          "oom_score_adj=0\n"
          "constraint: CONSTRAINT_NONE, nodemask=(null) (line 12)\n"
          "totalpages = 100000\n"
          "  totalram_pages = 100000 pages RAM (line 4) - 0 pages reserved (line 6) = 100000\n"
          "  total_swap_pages = Total swap 0kB / 4 (line 3) = 0\n"
          "  CONSTRAINT_NONE: totalpages = totalram_pages + total_swap_pages = 100000\n"
          "badness = rss + swapents + pgtables_bytes/4096 + oom_score_adj * (totalpages/1000 = 100)\n"
          "oom_score = (1000 + badness * 1000 / 100000) * 2 / 3: what /proc/PID/oom_score showed then (/proc always "
          "divides by totalram + swap)\n"
          "rss, swap and pgtables in pages (pgtables = pgtables_bytes / 4096); adj term = oom_score_adj * 100\n"
          "\n"
          "  pid name    rss swap pgtables adj adj term badness oom_score\n"
          "  301 second  999    0        2   0        0    1001       673 <- chosen\n"
          "  300 first  1000    0        1   0        0    1001       673 tie: an earlier row, so not chosen\n"
          "  302 third   500    0        1   0        0     501       670\n"
          "\n"
          "Out of memory: Killed process 301 (second) total-vm:4396kB, anon-rss:3996kB, file-rss:0kB, shmem-rss:0kB, "
          "UID:0 pgtables:8kB oom_score_adj:0\n"
          "  (the table gives only the total rss: the split into anon/file/shmem is unknown, all shown as anon-rss)\n"
          "matches the kernel's choice (line 12)\n"
          "\n"
          "victims (engine): 301; 1 of 1 match the kernel's choice\n");
  }

  TEST_CASE("oom_score_adj -1000 is never chosen, however big") {
    const std::vector<Row> rows = {{400, 90000, 409600, 5000, -1000, "huge"}, {401, 10, 4096, 0, -999, "tiny"}};
    auto parsed = parse_oom_log(report("CONSTRAINT_NONE", "(null)", rows, 401, kUmaShowMem), "adj.txt");
    REQUIRE(parsed);
    const OomReport& r = parsed->reports.at(0);
    OomRanking k = rank(r);
    CHECK(chosen_pid(r, k) == 401);  // badness 11 - 99900 < 0, still a candidate
    CHECK(k.rows[1].badness == 11 - 999 * 100);
    CHECK(k.rows[0].oom_score == 0u);

    // Only -1000 tasks: no candidate at all.
    auto only = parse_oom_log(
        report("CONSTRAINT_NONE", "(null)", {{400, 90000, 409600, 0, -1000, "huge"}}, 400, kUmaShowMem), "only.txt");
    REQUIRE(only);
    OomRanking k2 = rank(only->reports.at(0));
    CHECK_FALSE(k2.chosen.has_value());
    auto out = oom_replay(
        report("CONSTRAINT_NONE", "(null)", {{400, 90000, 409600, 0, -1000, "huge"}}, 400, kUmaShowMem), "only.txt");
    REQUIRE(out);
    CHECK(out->find("no candidate") != std::string::npos);
    CHECK(out->find("differs: the kernel killed 400") != std::string::npos);
  }

  TEST_CASE("timestamps, syslog prefixes and Windows line ends are read alike") {
    const std::string plain = report("CONSTRAINT_NONE", "(null)", {{7, 100, 4096, 0, 0, "a b"}}, 7, kUmaShowMem);
    std::string stamped, journal;
    for (const std::string& l : mmtest::lines(plain)) {
      stamped += "[   12.345678] " + l + "\r\n";
      journal += "Nov 22 08:30:19 box kernel: " + l + "\n";
    }
    for (const std::string& t : {stamped, journal}) {
      auto parsed = parse_oom_log(t, "x.txt");
      REQUIRE_MESSAGE(parsed, (parsed ? std::string() : parsed.diag().str()));
      const OomReport& r = parsed->reports.at(0);
      CHECK(r.comm == "hog");
      REQUIRE(r.tasks.size() == 1);
      CHECK(r.tasks[0].name == "a b");
      CHECK(r.ram_pages == 100000u);
      CHECK(chosen_pid(r, rank(r)) == 7);
    }
  }

  TEST_CASE("malformed reports point at the line and column") {
    const std::string good = report("CONSTRAINT_NONE", "(null)", {{7, 100, 4096, 0, 0, "a"}}, 7, kUmaShowMem);
    auto lines = mmtest::lines(good);
    auto join = [](const std::vector<std::string>& ls) {
      std::string s;
      for (const std::string& l : ls) s += l + "\n";
      return s;
    };
    {  // a letter inside the rss column of a row (timestamped: columns count the stamp)
      auto ls = lines;
      for (std::string& l : ls) l = "[    3.743444] " + l;
      ls[8] = "[    3.743444] [      7]     0     7      200      1x0     4096        0             0 a";
      auto p = parse_oom_log(join(ls), "bad.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().line == 9);
      CHECK(p.diag().col == 53);  // the 'x'
      CHECK(p.diag().str().rfind("bad.txt:9:53: error: ", 0) == 0);
    }
    {  // a gfp mask that is not a number
      auto ls = lines;
      ls[0] = "hog invoked oom-killer: gfp_mask=0xZZ(GFP_KERNEL), order=0, oom_score_adj=0";
      auto p = parse_oom_log(join(ls), "bad.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().line == 1);
      CHECK(p.diag().col >= 34);
    }
    {  // an unknown constraint
      auto ls = lines;
      ls[9] = "oom-kill:constraint=CONSTRAINT_BOGUS,nodemask=(null),task=a,pid=7,uid=0";
      auto p = parse_oom_log(join(ls), "bad.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().line == 10);
      CHECK(p.diag().col == 21);
    }
    {  // oom_score_adj out of range
      auto ls = lines;
      ls[8] = "[      7]     0     7      200      100     4096        0          1001 a";
      auto p = parse_oom_log(join(ls), "bad.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().line == 9);
      CHECK(p.diag().message.find("-1000..1000") != std::string::npos);
    }
    {  // a report cut off before its constraint line
      auto ls = lines;
      ls.pop_back();
      auto p = parse_oom_log(join(ls), "cut.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().line == 1);
      CHECK(p.diag().message.find("cut off") != std::string::npos);
    }
    {  // no show_mem totals: totalpages unknown
      auto p = parse_oom_log(report("CONSTRAINT_NONE", "(null)", {{7, 100, 4096, 0, 0, "a"}}, 7, ""), "x.txt");
      REQUIRE(p);
      auto k = rank_oom_report(p->reports.at(0), {}, "x.txt");
      REQUIRE_FALSE(k);
      CHECK(k.diag().message.find("pages RAM") != std::string::npos);
    }
    {  // a log without any OOM report
      auto p = oom_replay(capture("m1g-smp2", "dmesg.txt"), "boot.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().message.find("no OOM report") != std::string::npos);
      CHECK(p.diag().str().rfind("boot.txt:1:1: error: no OOM report in this log: expected a line", 0) == 0);
    }
    // Garbage never crashes.
    for (const char* junk : {"", "\n\n", "x invoked oom-killer: ", "x invoked oom-killer: gfp_mask=0x1(", "[", "[ 1",
                             "oom-kill:constraint=", "Tasks state (memory values in pages):\n[  1"}) {
      auto p = oom_replay(std::string("a invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=0\n") + junk,
                          "junk.txt");
      CHECK_FALSE(p);
      auto q = oom_replay(junk, "junk.txt");
      CHECK_FALSE(q);
    }
  }

  TEST_CASE("counts no kernel could hold are refused at the number, naming the bound") {
    auto join = [](const std::vector<std::string>& ls) {
      std::string t;
      for (const std::string& l : ls) t += l + "\n";
      return t;
    };
    const auto lines = mmtest::lines(report("CONSTRAINT_NONE", "(null)", {{7, 100, 4096, 0, 0, "a"}}, 7, kUmaShowMem));
    struct Case {
      const char* what;
      size_t index;      // the line replaced
      std::string line;  // its new text
      int col;           // where the number starts
      const char* figure;
    };
    const Case cases[] = {
        {"rss 2^62", 8, "[      7]     0     7      200 4611686018427387904     4096        0             0 a", 32,
         "rss (pages) 4611686018427387904 pages"},
        {"swapents 2^63-1", 8, "[      7]     0     7      200      100     4096 9223372036854775807             0 a",
         50, "swapents (pages) 9223372036854775807 pages"},
        {"pages RAM 5e16", 3, "50000000000000000 pages RAM", 1, "50000000000000000 pages RAM"},
        {"Total swap past 2^54 kB", 2, "Total swap = 18014398509481985kB", 14, "Total swap 18014398509481985kB"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.what);
      auto ls = lines;
      REQUIRE(ls.size() > c.index);
      ls[c.index] = c.line;
      auto p = oom_replay(join(ls), "big.txt");
      REQUIRE_FALSE(p);
      CHECK(p.diag().line == static_cast<int>(c.index) + 1);
      CHECK(p.diag().col == c.col);
      CHECK(p.diag().message == std::string(c.figure) + " is more than a 64-bit kernel can hold: at most " +
                                    (std::string(c.figure).find("kB") != std::string::npos
                                         ? "2^54 kB (18014398509481984kB, 2^64 bytes)"
                                         : "2^52 pages (4503599627370496, 2^64 bytes)"));
    }
  }

  TEST_CASE("the largest counts a kernel can hold rank with exact 64-bit-safe arithmetic") {
    // rss 2^52 - 100 (total_vm is rss + 100 here), swapents 2^52, 2^62
    // bytes of page tables, adj 1000; 2^52
    // pages RAM and 2^54 kB of swap: totalpages 2^53. badness * 1000 is
    // past 2^63 (the sum the kernel's long would overflow on).
    const char* show = "Total swap = 18014398509481984kB\n4503599627370496 pages RAM\n0 pages reserved\n";
    const long long big = 1LL << 52;
    auto p = parse_oom_log(report("CONSTRAINT_NONE", "(null)", {{7, big - 100, 1LL << 62, big, 1000, "a"}}, 7, show),
                           "x.txt");
    REQUIRE_MESSAGE(p, (p ? std::string() : p.diag().str()));
    OomRanking k = rank(p->reports.at(0));
    CHECK(k.totalpages == u64{1} << 53);
    REQUIRE(k.rows.size() == 1);
    CHECK(k.rows[0].terms.adj_unit == 9007199254740LL);  // (2^53) / 1000, division first
    CHECK(k.rows[0].badness == 19140298416323516LL);     // 2^53 - 100 + 2^50 + 1000 * 9007199254740
    REQUIRE(k.rows[0].oom_score);
    CHECK(*k.rows[0].oom_score == 2082u);  // (1000 + badness * 1000 / 2^53) * 2 / 3
  }

  TEST_CASE("badness arithmetic saturates instead of overflowing") {
    TaskMem t;
    t.rss_anon = 1LL << 62;
    t.rss_file = 1LL << 62;
    t.swapents = std::numeric_limits<long long>::max();
    CHECK(t.rss() == std::numeric_limits<long long>::max());
    CHECK(oom_badness(t, 1000) == std::numeric_limits<long long>::max());
    CHECK(proc_oom_score(t, 1) == std::numeric_limits<unsigned long long>::max());
    // A huge negative adj term against a huge totalpages stays at the bottom.
    TaskMem u;
    u.oom_score_adj = -999;
    const Badness b = oom_badness_terms(u, std::numeric_limits<u64>::max());
    CHECK(b.adj_unit == 18446744073709551LL);
    CHECK(b.adj_term() == std::numeric_limits<long long>::min());  // -999 * that is past -2^63
    CHECK(b.points == std::numeric_limits<long long>::min());
    // (1000 + (-2^63) * 1000 / (2^64 - 1)) * 2 / 3, truncating as C does: 333.
    CHECK(proc_oom_score(u, std::numeric_limits<u64>::max()) == 333u);
    CHECK(oom_totalpages_global(std::numeric_limits<u64>::max(), 5) == std::numeric_limits<u64>::max());
    CHECK(oom_totalpages_nodes(std::numeric_limits<u64>::max() - 1, {1, 1}) == std::numeric_limits<u64>::max());
    CHECK(sat_mul(1LL << 40, -(1LL << 40)) == std::numeric_limits<long long>::min());
    CHECK(sat_add(std::numeric_limits<long long>::min() + 5, -10LL) == std::numeric_limits<long long>::min());
  }

  TEST_CASE("the playground's hook gives the same text") {
    const std::string log = capture("oom-m256-smp1", "dmesg.txt");
    Playground pg;
    auto a = pg.oom_replay(log, "dmesg.txt");
    auto b = oom_replay(log, "dmesg.txt");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == *b);
  }
}
