// Memory pressure: tasks, page cache, kswapd, direct reclaim, the slow path
// and the OOM killer, as specifications.
#include <doctest/doctest.h>

#include <random>

#include "mm/page_alloc/alloc.h"
#include "mm/pressure/oom.h"
#include "text/format/proc.h"
#include "mm/pressure/reclaim.h"
#include "mm/pressure/task.h"
#include "test_util.h"

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
    if (l.rfind("Out of memory: Killed process ", 0) == 0) v.push_back(l.substr(l.find('(') + 1, l.find(')') - l.find('(') - 1));
  return v;
}

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
    CHECK(inv[0] == "T invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0");
    CHECK(mmtest::matching(m->log, "^Tasks state \\(memory values in pages\\):$").size() == 3);
    CHECK(mmtest::matching(m->log, "^\\[  pid  \\]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name$").size() == 3);
    CHECK(mmtest::matching(m->log, "^oom-kill:constraint=CONSTRAINT_NONE,nodemask=\\(null\\),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=D,pid=").size() == 1);
    CHECK(mmtest::matching(m->log, "^Node 0 DMA32: ([0-9]+\\*[0-9]+kB (\\([UMEHI]+\\) )?)+= [0-9]+kB$").size() == 3);
    CHECK(mmtest::matching(m->log, "^Out of memory: Killed process [0-9]+ \\(D\\) total-vm:[0-9]+kB, anon-rss:8192kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:[0-9]+kB oom_score_adj:1000$").size() == 1);
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
    bool balanced = false;
    for (const Event& e : m->trace.events())
      if (std::string(e.function()) == "balance_pgdat" && e.kind == EventKind::Step) balanced = e.text.find("balanced") != std::string::npos;
    CHECK(balanced);
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
    // Fill the rest with unkillable kernel memory.
    while (take(gfp::GFP_KERNEL | gfp::NORETRY, 0).ok) {
    }
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
    spawn_bound("grower", 4000, {1});
    const auto constraint = mmtest::matching(m->log, "^oom-kill:constraint=");
    REQUIRE_FALSE(constraint.empty());
    CHECK(constraint.front().rfind("oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=/,mems_allowed=0-1,task_memcg=/,task=grower", 0) == 0);
    CHECK(find_task(*m, "big0") != nullptr);  // the biggest task, but bound to node 0: never a candidate
    CHECK(find_task(*m, "grower") == nullptr);
    CHECK(check_invariants(*m).empty());
  }
}
