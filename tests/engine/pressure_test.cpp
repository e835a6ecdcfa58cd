// Memory pressure: tasks, page cache, kswapd, direct reclaim, the slow path
// and the OOM killer, as specifications.
#include <doctest/doctest.h>

#include <random>

#include "mm/page_alloc/alloc.h"
#include "mm/pressure/oom.h"
#include "mm/pressure/reclaim.h"
#include "mm/pressure/task.h"
#include "test_util.h"
#include "text/format/narration.h"
#include "text/format/proc.h"

using namespace mm;

namespace {

int spawn_task(Machine& m, const std::string& name, u64 anon_mb, int adj = 0, u64 file_mb = 0) {
  SpawnRequest r;
  r.name = name;
  r.anon = anon_mb << 20;
  r.file = file_mb << 20;
  r.oom_score_adj = adj;
  auto pid = spawn(m, r);
  REQUIRE_MESSAGE(pid, (pid ? std::string() : pid.diag().str()));
  auto v = check_invariants(m);
  INFO((v.empty() ? std::string() : v.front()));
  REQUIRE(v.empty());
  return *pid;
}

bool alive(const Machine& m, const std::string& name) { return find_task(m, name) != nullptr; }

std::vector<std::string> killed(const Machine& m) {
  std::vector<std::string> v;
  for (const std::string& l : m.log)
    if (l.rfind("Out of memory: Killed process ", 0) == 0)
      v.push_back(l.substr(l.find('(') + 1, l.find(')') - l.find('(') - 1));
  return v;
}

// The recorded events of one code (Steps and Begins; Ends carry their phase's code too).
std::vector<const Event*> events_of(const Machine& m, Ev code) {
  std::vector<const Event*> v;
  for (const Event& e : m.trace.events())
    if (e.code == code && e.kind != EventKind::End) v.push_back(&e);
  return v;
}

std::string str(const Machine& m, const Event& e, Arg a) { return m.trace.string_at(static_cast<size_t>(e.get(a))); }

u64 free_pages_total(const Machine& m) {
  u64 n = 0;
  for (const Node& nd : m.nodes)
    for (const Zone& z : nd.zones) n += z.nr_free_pages;
  return n;
}

}  // namespace

TEST_SUITE("pressure") {
  TEST_CASE("oom_badness and /proc/PID/oom_score are 6.1's formulas") {
    // The capture's hogs (hogs-before.txt): 30 MiB touched, 25 page-table
    // pages, totalpages 52688 on the 256M machine.
    TaskMem a;
    a.rss_anon = 30564 / 4;
    a.rss_file = 1;
    a.rss_shmem = 648 / 4;
    a.pgtables_bytes = 102400;
    CHECK(proc_oom_score(a, 52688) == 765);
    a.oom_score_adj = 500;
    CHECK(proc_oom_score(a, 52688) == 1094);
    a.oom_score_adj = -1000;
    CHECK_FALSE(oom_badness(a, 52688));
    CHECK(proc_oom_score(a, 52688) == 0);
    // adj is multiplied by totalpages / 1000, the integer quotient first.
    a.oom_score_adj = 1;
    CHECK(*oom_badness(a, 52688) == a.rss() + 25 + 52);
    // Term by term, as the narration and the replay show it.
    const Badness b = oom_badness_terms(a, 52688);
    CHECK(b.rss == a.rss());
    CHECK(b.pgtables == 25);
    CHECK(b.adj_unit == 52);
    CHECK(b.adj_term() == 52);
    CHECK(b.points == b.pages() + b.adj_term());
  }

  TEST_CASE("select_bad_process: the highest badness, a tie to the task met later, never a non-candidate") {
    const std::vector<std::optional<long long>> points = {10, std::nullopt, 30, 30, -5};
    CHECK(select_bad_process(points) == 3u);
    CHECK(oom_preference_order(points) == std::vector<size_t>{3, 2, 0, 4, 1});
    CHECK_FALSE(select_bad_process({std::nullopt, std::nullopt}).has_value());
    CHECK(select_bad_process({-99900, -100000}) == 0u);  // negative scores are still candidates
    CHECK(oom_totalpages_global(52688, 0) == 52688u);
    CHECK(oom_totalpages_nodes(131072, {262112}) == 393184u);
    CHECK(oom_totalpages_memcg(0) == 1u);  // the kernel's "?: 1"
    CHECK(oom_totalpages_memcg(102400) == 102400u);
  }

  TEST_CASE("the OOM killer chooses by adj, never a -1000 task, and reports as 6.1 does") {
    //   A 30M adj 0    B 30M adj 500    C 30M adj -500
    //   D  8M adj 1000 E 30M adj -1000  T grows without end
    // The capture of the same experiment killed D, then B, then T.
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    spawn_task(*m, "A", 30, 0);
    spawn_task(*m, "B", 30, 500);
    spawn_task(*m, "C", 30, -500);
    spawn_task(*m, "D", 8, 1000);
    spawn_task(*m, "E", 30, -1000);
    spawn_task(*m, "T", 1024, 0);
    CHECK(killed(*m) == std::vector<std::string>{"D", "B", "T"});
    CHECK(alive(*m, "A"));
    CHECK(alive(*m, "C"));
    CHECK(alive(*m, "E"));
    CHECK(m->pressure->oom_kills == 3);
    // The report's lines, in the kernel's formats.
    auto inv = mmtest::matching(m->log, "invoked oom-killer");
    REQUIRE(inv.size() == 3);
    CHECK(inv[0] ==
          "T invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, "
          "oom_score_adj=0");
    CHECK(mmtest::matching(m->log, "^Tasks state \\(memory values in pages\\):$").size() == 3);
    CHECK(mmtest::matching(m->log,
                           "^\\[  pid  \\]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name$")
              .size() == 3);
    CHECK(mmtest::matching(m->log,
                           "^oom-kill:constraint=CONSTRAINT_NONE,nodemask=\\(null\\),cpuset=/"
                           ",mems_allowed=0,global_oom,task_memcg=/,task=D,pid=")
              .size() == 1);
    CHECK(mmtest::matching(m->log, "^Node 0 DMA32: ([0-9]+\\*[0-9]+kB (\\([UMEHI]+\\) )?)+= [0-9]+kB$").size() == 3);
    CHECK(mmtest::matching(m->log,
                           "^Out of memory: Killed process [0-9]+ \\(D\\) total-vm:[0-9]+kB, anon-rss:8192kB, "
                           "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:[0-9]+kB oom_score_adj:1000$")
              .size() == 1);
    CHECK(mmtest::matching(m->log, "^[0-9]+ pages RAM$").front() == "65406 pages RAM");
    // Everything the killed tasks held went back.
    auto v = check_invariants(*m);
    CHECK(v.empty());
  }

  TEST_CASE("ties go to the task met later") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    spawn_task(*m, "first", 40);
    spawn_task(*m, "second", 40);
    spawn_task(*m, "T", 1024, -999);
    CHECK(killed(*m).front() == "second");
  }

  TEST_CASE("threads share an mm: the OOM killer takes them together") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    const int p = spawn_task(*m, "big", 60);
    SpawnRequest t;
    t.name = "big-worker";
    t.share_mm_with = p;
    REQUIRE(spawn(*m, t));
    spawn_task(*m, "T", 1024, -900);
    CHECK_FALSE(alive(*m, "big"));
    CHECK_FALSE(alive(*m, "big-worker"));
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("kswapd is woken below low and reclaims page cache until a zone is above high") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    REQUIRE(read_file(*m, "data.bin", 120ull << 20, 0));
    const u64 cache = lru_size(*m, 0, LRU_INACTIVE_FILE);
    CHECK(cache == (120ull << 20) >> PAGE_SHIFT);
    CHECK(m->pressure->kswapd_runs == 0);
    // Anon memory pushes free pages down through high and low.
    spawn_task(*m, "app", 90);
    CHECK(m->pressure->kswapd_runs >= 1);
    CHECK(lru_size(*m, 0, LRU_INACTIVE_FILE) < cache);
    CHECK(m->pressure->oom_kills == 0);
    // After kswapd's last run some zone was back above high.
    const Zone& z = m->nodes[0].zones[idx(ZoneType::DMA32)];
    const Zone& d = m->nodes[0].zones[idx(ZoneType::DMA)];
    CHECK((z.nr_free_pages > z.low_wmark() || d.nr_free_pages > d.high_wmark()));
    m->trace.enable(true);
    spawn_task(*m, "more", 8);
    // Each wakeup is a kswapd_wake phase that ends with kswapd_sleep, the
    // last one with node 0 balanced again.
    const auto wakes = events_of(*m, Ev::kswapd_wake);
    const auto sleeps = events_of(*m, Ev::kswapd_sleep);
    REQUIRE(!wakes.empty());
    REQUIRE(sleeps.size() == wakes.size());
    for (size_t i = 0; i < wakes.size(); ++i) {
      CHECK(wakes[i]->kind == EventKind::Begin);
      CHECK(wakes[i]->node == 0);
      CHECK(wakes[i]->get(Arg::highest) >= static_cast<int>(idx(ZoneType::Normal)));  // user pages or page tables
      CHECK(wakes[i]->get(Arg::boost) == 0);  // woken by a zone below low, not by a boost
      CHECK(sleeps[i]->seq > wakes[i]->seq);
      CHECK(sleeps[i]->node == 0);
      CHECK(sleeps[i]->depth == wakes[i]->depth + 1);
    }
    CHECK(sleeps.back()->get(Arg::ok) == 1);
    CHECK(sleeps.back()->get(Arg::reclaimed) > 0);
    // Inside, kswapd scans the inactive file list and frees clean page cache.
    u64 reclaimed = 0;
    for (const Event* e : events_of(*m, Ev::lru_scan)) {
      CHECK(e->get(Arg::file_lru) == 1);  // no swap: anon is never scanned
      CHECK(e->get(Arg::reclaimed) <= e->get(Arg::scanned));
      reclaimed += static_cast<u64>(e->get(Arg::reclaimed));
    }
    u64 total = 0;
    for (const Event* e : sleeps) total += static_cast<u64>(e->get(Arg::reclaimed));
    CHECK(reclaimed == total);
    CHECK(narrate(*wakes.front(), m->trace)
              .rfind("kswapd0 reclaims until a zone of node 0 is above its high watermark (a zone up to ", 0) == 0);
    CHECK(to_string(*sleeps.back(), m->trace).find("balance_pgdat: kswapd0 reclaimed ") != std::string::npos);
    CHECK(narrate(*sleeps.back(), m->trace).find("; node balanced, kswapd sleeps") != std::string::npos);
  }

  TEST_CASE("direct reclaim frees page cache for a request that may not wake kswapd") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    REQUIRE(read_file(*m, "data.bin", 150ull << 20, 0));
    const gfp_t no_kswapd = gfp::GFP_KERNEL & ~gfp::KSWAPD_RECLAIM;
    u64 ok = 0;
    for (int i = 0; i < 20000; ++i) {
      AllocRequest r;
      r.gfp = no_kswapd;
      auto o = alloc_pages(*m, r);
      REQUIRE(o);
      if (!o->ok) break;
      ++ok;
    }
    CHECK(ok == 20000);
    CHECK(m->pressure->direct_reclaims >= 1);
    CHECK(m->pressure->kswapd_runs == 0);
    CHECK(m->pressure->oom_kills == 0);
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("__GFP_NORETRY gives up after one round; costly orders fail without OOM; __GFP_NOFAIL never fails") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    spawn_task(*m, "hog", 180, -1000);  // unkillable: the OOM killer has no one
    auto take = [&](gfp_t g, Order o) {
      AllocRequest r;
      r.gfp = g;
      r.order = o;
      auto out = alloc_pages(*m, r);
      REQUIRE(out);
      return *out;
    };
    // Fill the rest with unkillable kernel memory (quietly: a warning here
    // would use warn_alloc's one report in ten seconds, nopage_rs).
    while (take(gfp::GFP_KERNEL | gfp::NORETRY | gfp::NOWARN, 0).ok) {}
    const u64 kills = m->pressure->oom_kills;
    auto noretry = take(gfp::GFP_KERNEL | gfp::NORETRY | gfp::NOWARN, 0);
    CHECK_FALSE(noretry.ok);
    CHECK(noretry.reason == AllocFailure::noretry);
    auto costly = take(gfp::GFP_KERNEL, 4);
    CHECK_FALSE(costly.ok);
    CHECK(costly.reason == AllocFailure::costly);
    CHECK(m->pressure->oom_kills == kills);
    CHECK(mmtest::matching(m->log, "page allocation failure: order:4, mode:0xcc0\\(GFP_KERNEL\\)").size() == 1);
    auto nofail = take(gfp::GFP_KERNEL | gfp::NOFAIL, 0);
    CHECK(nofail.ok);
    CHECK(mmtest::matching(m->log, "Out of memory and no killable processes").size() >= 1);
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("with swap, anon pages are swapped out instead of killing") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    REQUIRE(set_swap(*m, 256ull << 20));
    spawn_task(*m, "a", 120);
    spawn_task(*m, "b", 120);
    CHECK(m->pressure->oom_kills == 0);
    CHECK(m->pressure->swap_used > 0);
    const Task* a = find_task(*m, "a");
    REQUIRE(a);
    CHECK(task_mem(*m, *a).swapents + task_mem(*m, *a).rss_anon == (120 << 20) >> PAGE_SHIFT);
    CHECK(proc_meminfo(*m).find("SwapTotal:        262144 kB") != std::string::npos);
    REQUIRE(task_exit(*m, a->pid));
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("meminfo: MemAvailable counts reclaimable page cache as 6.1 estimates it") {
    auto m = mmtest::boot_spec("ram=1G cpus=2");
    const std::string before = proc_meminfo(*m);
    REQUIRE(read_file(*m, "f", 100ull << 20, 0));
    const std::string after = proc_meminfo(*m);
    CHECK(after.find("Inactive(file):   102400 kB") != std::string::npos);
    CHECK(after.find("Cached:           102400 kB") != std::string::npos);
    CHECK(after.rfind("MemTotal:         ", 0) == 0);
    CHECK(drop_caches(*m) == 25600);
    CHECK(proc_meminfo(*m).find("Cached:                0 kB") != std::string::npos);
  }

  TEST_CASE("property: random tasks under pressure keep every invariant and lose no page") {
    for (const char* spec : {"ram=256M cpus=2", "ram=2G cpus=2 nodes=1G:0,1G:1"}) {
      CAPTURE(spec);
      auto m = mmtest::boot_spec(spec);
      drain_all_pages(*m);
      const u64 free_after_boot = free_pages_total(*m);
      std::mt19937 rng(3);
      const u64 ram_mb = (m->totalram_pages << PAGE_SHIFT) >> 20;
      std::vector<std::string> names;
      for (int step = 0; step < 60; ++step) {
        const unsigned op = rng() % 10;
        if (op < 4 || names.empty()) {
          SpawnRequest r;
          r.name = "t" + std::to_string(step);
          r.anon = (rng() % (ram_mb / 3)) << 20;
          r.file = (rng() % 8) << 20;
          r.oom_score_adj = static_cast<int>(rng() % 3) * 500 - 500;
          r.cpu = static_cast<int>(rng() % m->nr_cpus);
          REQUIRE(spawn(*m, r));
          names.push_back(r.name);
        } else if (op < 6) {
          const Task* t = find_task(*m, names[rng() % names.size()]);
          if (t) REQUIRE(grow(*m, t->pid, (rng() % (ram_mb / 4)) << 20, 0, 0));
        } else if (op < 8) {
          REQUIRE(read_file(*m, "file" + std::to_string(rng() % 4), (rng() % (ram_mb / 3)) << 20, 0));
        } else {
          const Task* t = find_task(*m, names[rng() % names.size()]);
          if (t) REQUIRE(task_exit(*m, t->pid));
        }
        auto v = check_invariants(*m);
        INFO("step " << step << ": " << (v.empty() ? "" : v.front()));
        REQUIRE(v.empty());
      }
      for (const std::string& n : names)
        if (const Task* t = find_task(*m, n)) REQUIRE(task_exit(*m, t->pid));
      drop_caches(*m);
      drain_all_pages(*m);
      CHECK(check_invariants(*m).empty());
      CHECK(free_pages_total(*m) == free_after_boot);
    }
  }
}

TEST_SUITE("pressure") {
  TEST_CASE("a memory-policy OOM: totalpages are the bound node's, tasks bound elsewhere are spared") {
    //   node 0: big0 (bound to node 0, the largest task)
    //   node 1: small1 (bound to node 1), free (no policy), grower (bound to node 1)
    auto m = mmtest::boot_spec("ram=2G cpus=2 nodes=1G:0,1G:1");
    auto spawn_bound = [&](const std::string& name, u64 mb, std::vector<int> bind) {
      SpawnRequest r;
      r.name = name;
      r.anon = mb << 20;
      r.bind = std::move(bind);
      auto pid = spawn(*m, r);
      REQUIRE(pid);
    };
    spawn_bound("big0", 700, {0});
    spawn_bound("small1", 100, {1});
    spawn_bound("free", 50, {});
    m->trace.enable(true);
    spawn_bound("grower", 4000, {1});
    const auto ooms = events_of(*m, Ev::out_of_memory);
    REQUIRE_FALSE(ooms.empty());
    CHECK(ooms.front()->get(Arg::policy) == 1);
    CHECK(ooms.front()->get(Arg::totalpages) == static_cast<std::int64_t>(m->nodes[1].node_present_pages));  // no swap
    CHECK(narrate(*ooms.front(), m->trace).find("totalpages = swap + the nodemask's present pages = ") !=
          std::string::npos);
    for (const Event* e : events_of(*m, Ev::oom_badness)) CHECK(str(*m, *e, Arg::task) != "big0");
    const auto kills = events_of(*m, Ev::oom_kill);
    REQUIRE_FALSE(kills.empty());
    CHECK(str(*m, *kills.front(), Arg::task) == "grower");
    const auto constraint = mmtest::matching(m->log, "^oom-kill:constraint=");
    REQUIRE_FALSE(constraint.empty());
    CHECK(constraint.front().rfind("oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=/"
                                   ",mems_allowed=0-1,task_memcg=/,task=grower",
                                   0) == 0);
    CHECK(find_task(*m, "big0") != nullptr);  // the biggest task, but bound to node 0: never a candidate
    CHECK(find_task(*m, "grower") == nullptr);
    CHECK(check_invariants(*m).empty());
  }
}
TEST_SUITE("pressure") {
  TEST_CASE("an OOM records the arithmetic of every candidate's badness, then the victim") {
    //   A 30M adj 0   B 30M adj 500   E 30M adj -1000   T grows until the OOM killer runs
    // The first OOM scores A, B and T (E is no candidate) and kills B.
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    const int a = spawn_task(*m, "A", 30, 0);
    const int b = spawn_task(*m, "B", 30, 500);
    const int e = spawn_task(*m, "E", 30, -1000);
    m->trace.enable(true);
    SpawnRequest r;
    r.name = "T";
    r.anon = 1ull << 30;
    REQUIRE(spawn(*m, r));
    const int t = find_task(*m, "T") ? find_task(*m, "T")->pid : b + 2;  // T is killed in the end: pid after E
    const auto ooms = events_of(*m, Ev::out_of_memory);
    REQUIRE(ooms.size() >= 1);
    const Event& oom = *ooms.front();
    CHECK(oom.kind == EventKind::Begin);
    CHECK(oom.get(Arg::totalpages) == static_cast<std::int64_t>(oom_totalpages(*m)));
    CHECK(oom.get(Arg::adj_unit) == oom.get(Arg::totalpages) / 1000);
    CHECK(oom.get(Arg::policy) == 0);
    CHECK(oom.get(Arg::gfp) == static_cast<std::int64_t>(gfp::GFP_HIGHUSER_MOVABLE | gfp::COMP | gfp::ZERO));

    // The events of the first OOM, up to its kill.
    std::vector<const Event*> first;
    for (const Event& ev : m->trace.events()) {
      if (ev.seq <= oom.seq) continue;
      first.push_back(&ev);
      if (ev.code == Ev::oom_kill) break;
    }
    std::vector<int> scored, skipped;
    std::map<int, long long> points;
    for (size_t i = 0; i < first.size(); ++i) {
      const Event& ev = *first[i];
      if (ev.code == Ev::oom_skip) {
        skipped.push_back(static_cast<int>(ev.get(Arg::pid)));
        CHECK(ev.get(Arg::adj) == -1000);
        CHECK(str(*m, ev, Arg::task) == "E");
      }
      if (ev.code != Ev::oom_badness) continue;
      // The memory part, then the adj part, for the same pid.
      REQUIRE(i + 1 < first.size());
      const Event& adj = *first[i + 1];
      REQUIRE(adj.code == Ev::oom_badness_adj);
      const int pid = static_cast<int>(ev.get(Arg::pid));
      CHECK(adj.get(Arg::pid) == pid);
      scored.push_back(pid);
      CHECK(adj.get(Arg::pages) == ev.get(Arg::rss) + ev.get(Arg::swapents) + ev.get(Arg::pgtables));
      CHECK(adj.get(Arg::adj_unit) == oom.get(Arg::adj_unit));
      CHECK(adj.get(Arg::points) == adj.get(Arg::pages) + adj.get(Arg::adj) * adj.get(Arg::adj_unit));
      points[pid] = adj.get(Arg::points);
      if (pid == a || pid == b) {
        CHECK(ev.get(Arg::rss) == (30 << 20) >> PAGE_SHIFT);
        CHECK(adj.get(Arg::adj) == (pid == b ? 500 : 0));
      }
    }
    CHECK(scored == std::vector<int>{a, b, t});
    CHECK(skipped == std::vector<int>{e});
    // The victim: B, the highest of the three, and it is gone afterwards.
    const Event& kill = *first.back();
    REQUIRE(kill.code == Ev::oom_kill);
    CHECK(kill.get(Arg::pid) == b);
    CHECK(str(*m, kill, Arg::task) == "B");
    CHECK(kill.get(Arg::points) == points[b]);
    CHECK(points[b] > points[a]);
    CHECK(points[b] > points[t]);
    CHECK(kill.get(Arg::count) == 3);
    CHECK(kill.get(Arg::tie) == 0);
    CHECK(find_task(*m, b) == nullptr);
    // Right after the kill event B is marked, SIGKILLed and counted; the
    // kill line and its exit follow.
    bool exit_after_kill = false, line_after_kill = false;
    for (const Event& ev : m->trace.events()) {
      if (ev.seq <= kill.seq) continue;
      if (ev.code == Ev::printk &&
          str(*m, ev, Arg::line).rfind("Out of memory: Killed process " + std::to_string(b), 0) == 0)
        line_after_kill = true;
      if (ev.code == Ev::task_exit && ev.kind == EventKind::Begin && ev.get(Arg::pid) == b) {
        exit_after_kill = true;
        CHECK(ev.get(Arg::last_user) == 1);
        break;
      }
    }
    CHECK(line_after_kill);
    CHECK(exit_after_kill);
    // Both languages show the arithmetic.
    const auto adjs = events_of(*m, Ev::oom_badness_adj);
    const std::string want =
        "pid " + std::to_string(b) + ": badness = " + std::to_string(points[b] - 500 * oom.get(Arg::adj_unit)) +
        " + oom_score_adj 500 × " + std::to_string(oom.get(Arg::adj_unit)) + " = " + std::to_string(points[b]);
    CHECK(narrate(*adjs[1], m->trace) == want);
    CHECK(narrate(*adjs[1], m->trace, Lang::zh).find("500 × " + std::to_string(oom.get(Arg::adj_unit))) !=
          std::string::npos);
    CHECK(to_string(kill, m->trace) == std::string(2u * kill.depth, ' ') + "- oom_kill_process: kill B (pid " +
                                           std::to_string(b) + ", badness " + std::to_string(points[b]) +
                                           ", the highest of 3 candidates) and every task sharing its mm");
  }

  TEST_CASE("the kill event says when a tie went to the task met later") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    spawn_task(*m, "first", 40);
    const int second = spawn_task(*m, "second", 40);
    m->trace.enable(true);
    spawn_task(*m, "T", 1024, -999);
    const auto kills = events_of(*m, Ev::oom_kill);
    REQUIRE(!kills.empty());
    CHECK(kills.front()->get(Arg::pid) == second);
    CHECK(kills.front()->get(Arg::tie) == 1);
    CHECK(narrate(*kills.front(), m->trace).find("; on a tie the task met later wins") != std::string::npos);
  }

  TEST_CASE("with no candidate the OOM killer warns that a real kernel would panic") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    spawn_task(*m, "hog", 180, -1000);
    m->trace.enable(true);
    for (int i = 0; i < 100000; ++i) {
      AllocRequest r;
      r.gfp = gfp::GFP_KERNEL | gfp::NOFAIL;
      auto o = alloc_pages(*m, r);
      REQUIRE(o);
      if (!events_of(*m, Ev::oom_no_victim).empty()) break;
    }
    const auto warns = events_of(*m, Ev::oom_no_victim);
    REQUIRE(warns.size() == 1);
    CHECK(warns.front()->kind == EventKind::Warn);
    CHECK(events_of(*m, Ev::oom_kill).empty());
    const auto skips = events_of(*m, Ev::oom_skip);
    REQUIRE(skips.size() == 1);
    CHECK(str(*m, *skips.front(), Arg::task) == "hog");
    CHECK(narrate(*skips.front(), m->trace) == "hog (pid 100): not a candidate (oom_score_adj -1000)");
  }

  TEST_CASE("tasks and files record their steps: spawn, faults, a thread's exit, the last exit, read, drop_caches") {
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    m->trace.enable(true);
    SpawnRequest r;
    r.name = "app";
    r.anon = 1 << 20;
    r.file = 2 << 20;
    r.shmem = 3 << 20;
    r.oom_score_adj = 200;
    auto pid = spawn(*m, r);
    REQUIRE(pid);
    SpawnRequest w;
    w.name = "app-worker";
    w.share_mm_with = *pid;
    auto tid = spawn(*m, w);
    REQUIRE(tid);
    const auto spawns = events_of(*m, Ev::task_spawn);
    REQUIRE(spawns.size() == 2);
    CHECK(spawns[0]->get(Arg::pid) == *pid);
    CHECK(spawns[0]->get(Arg::adj) == 200);
    CHECK(spawns[0]->get(Arg::mm_owner) == 0);
    CHECK(spawns[0]->cpu == 0);
    CHECK(spawns[1]->get(Arg::mm_owner) == *pid);
    CHECK(narrate(*spawns[1], m->trace) == "spawn app-worker (pid " + std::to_string(*tid) +
                                               ") on CPU 0, oom_score_adj 0, a thread sharing the mm of pid " +
                                               std::to_string(*pid));
    // Only the task with memory to touch opens a fault phase; its page
    // allocations nest inside it.
    const auto faults = events_of(*m, Ev::task_fault);
    REQUIRE(faults.size() == 1);
    CHECK(faults[0]->get(Arg::pid) == *pid);
    CHECK(faults[0]->get(Arg::anon) == 1 << 20);
    CHECK(faults[0]->get(Arg::file) == 2 << 20);
    CHECK(faults[0]->get(Arg::shmem) == 3 << 20);
    CHECK(str(*m, *faults[0], Arg::task) == "app");
    // The thread exits first: the mm lives on; then the owner frees it.
    REQUIRE(task_exit(*m, *tid));
    REQUIRE(task_exit(*m, *pid));
    const auto exits = events_of(*m, Ev::task_exit);
    REQUIRE(exits.size() == 2);
    CHECK(exits[0]->get(Arg::pid) == *tid);
    CHECK(exits[0]->get(Arg::last_user) == 0);
    CHECK(exits[1]->get(Arg::pid) == *pid);
    CHECK(exits[1]->get(Arg::last_user) == 1);
    CHECK(narrate(*exits[0], m->trace) ==
          "app-worker (pid " + std::to_string(*tid) + ") exits: its mm lives on in the tasks that share it");
    // The mapped file pages stay in the page cache; a read adds more.
    REQUIRE(read_file(*m, "data.bin", 4 << 20, 0));
    const auto reads = events_of(*m, Ev::file_read);
    REQUIRE(reads.size() == 1);
    CHECK(str(*m, *reads[0], Arg::filename) == "data.bin");
    CHECK(reads[0]->get(Arg::size) == 4 << 20);
    const u64 dropped = drop_caches(*m);
    CHECK(dropped == (6u << 20) >> PAGE_SHIFT);
    REQUIRE(events_of(*m, Ev::drop_caches).size() == 1);
    const auto done = events_of(*m, Ev::caches_dropped);
    REQUIRE(done.size() == 1);
    CHECK(done[0]->get(Arg::pages) == static_cast<std::int64_t>(dropped));
    CHECK(done[0]->depth == events_of(*m, Ev::drop_caches)[0]->depth + 1);
    CHECK(narrate(*done[0], m->trace) == std::to_string(dropped) + " clean page cache pages dropped");
    CHECK(check_invariants(*m).empty());
  }

  TEST_CASE("direct reclaim and swap: the LRU steps carry their counts") {
    // Without swap, direct reclaim scans only the file lists.
    auto m = mmtest::boot_spec("ram=256M cpus=1");
    REQUIRE(read_file(*m, "data.bin", 150ull << 20, 0));
    m->trace.enable(true);
    const gfp_t no_kswapd = gfp::GFP_KERNEL & ~gfp::KSWAPD_RECLAIM;
    for (int i = 0; i < 20000; ++i) {
      AllocRequest r;
      r.gfp = no_kswapd;
      REQUIRE(alloc_pages(*m, r));
    }
    const auto direct = events_of(*m, Ev::direct_reclaim);
    REQUIRE(!direct.empty());
    CHECK(direct.front()->get(Arg::pages) == SWAP_CLUSTER_MAX);
    CHECK(direct.front()->get(Arg::gfp) == static_cast<std::int64_t>(no_kswapd));
    CHECK(direct.front()->order == 0);
    CHECK(events_of(*m, Ev::kswapd_wake).empty());
    const auto scans = events_of(*m, Ev::lru_scan);
    REQUIRE(!scans.empty());
    for (const Event* e : scans) {
      CHECK(e->get(Arg::file_lru) == 1);
      CHECK(e->depth > direct.front()->depth);
    }

    // With swap, anon pages are scanned too: referenced ones are activated
    // first, the active list grows, gets aged back, and pages go to swap.
    auto s = mmtest::boot_spec("ram=256M cpus=1");
    REQUIRE(set_swap(*s, 256ull << 20));
    s->trace.enable(true);
    spawn_task(*s, "a", 120);
    spawn_task(*s, "b", 120);
    u64 swapped = 0, activated = 0;
    for (const Event* e : events_of(*s, Ev::lru_scan))
      if (!e->get(Arg::file_lru)) {
        swapped += static_cast<u64>(e->get(Arg::reclaimed));
        activated += static_cast<u64>(e->get(Arg::activated));
      }
    CHECK(swapped == s->pressure->swap_used);
    CHECK(activated > 0);
    const auto aged = events_of(*s, Ev::lru_age);
    REQUIRE(!aged.empty());
    bool anon_aged = false;
    for (const Event* e : aged) anon_aged = anon_aged || (!e->get(Arg::file_lru) && e->get(Arg::pages) > 0);
    CHECK(anon_aged);
    const Event* anon_scan = nullptr;
    for (const Event* e : events_of(*s, Ev::lru_scan))
      if (!e->get(Arg::file_lru) && e->get(Arg::reclaimed) > 0) anon_scan = e;
    REQUIRE(anon_scan);
    CHECK(narrate(*anon_scan, s->trace).rfind("node 0 anon: scanned ", 0) == 0);
    CHECK(narrate(*anon_scan, s->trace, Lang::zh).find("匿名页写到交换分区") != std::string::npos);
  }
}
