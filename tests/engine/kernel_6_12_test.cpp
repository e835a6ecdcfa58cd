// The Linux 6.12 profile: fidelity against the 6.12 captures in
// ../shared/reference/linux-6.12 (the same qemu machines as the 6.1 ones),
// and the behaviour 6.12 changed: the profile's choice, Memory: after
// deferred init, ZONE_MOVABLE's small min, and per-CPU pageset high tuned
// between high_min and high_max.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>

#include "mm/boot/boot.h"
#include "mm/page_alloc/alloc.h"
#include "mm/page_alloc/page_alloc.h"
#include "mm/slab/slub.h"
#include "session/compare.h"
#include "session/playground.h"
#include "test_util.h"
#include "text/format/oom_replay_text.h"
#include "text/format/proc.h"
#include "text/parse/dmesg.h"
#include "text/parse/oom_rank.h"
#include "text/parse/oom_replay.h"
#include "text/parse/shorthand.h"

using namespace mm;

namespace {

std::unique_ptr<Machine> boot_capture(const std::string& dir, const std::string& name) {
  auto dmesg = mmtest::read_file(dir + "/dmesg.txt");
  REQUIRE(dmesg);
  auto plan = plan_from_dmesg(*dmesg, name);
  REQUIRE_MESSAGE(plan, (plan ? std::string() : plan.diag().str()));
  CHECK(plan->spec.version == KernelVersion::v6_12);
  return mmtest::boot_checked(*plan, true);
}

const Zone* find_zone(const Machine& m, int node, const std::string& name) {
  for (const Zone& z : m.nodes[static_cast<size_t>(node)].zones)
    if (z.name() == name) return &z;
  return nullptr;
}

}  // namespace

TEST_SUITE("kernel 6.12") {
  TEST_CASE("every 6.12 capture: zone figures, watermarks, pcp batch and bounds, boot lines") {
    const std::string root = mmtest::reference_dir("6.12");
    const auto caps = mmtest::captures(root);
    REQUIRE(caps.size() >= 3);
    for (const std::string& c : caps) {
      CAPTURE(c);
      const std::string dir = root + "/" + c;
      auto m = boot_capture(dir, c + "/dmesg.txt");
      INFO("first mismatch: " << (m->replay_mismatches.empty() ? "" : m->replay_mismatches.front()));
      CHECK(m->replay_mismatches.empty());
      auto real_text = mmtest::read_file(dir + "/zoneinfo.txt");
      REQUIRE(real_text);
      const auto ours = mmtest::parse_zoneinfo(proc_zoneinfo(*m));
      const auto real = mmtest::parse_zoneinfo(*real_text);
      CHECK(ours.size() == real.size());
      for (const auto& entry : real) {
        const auto& key = entry.first;
        const auto& rz = entry.second;
        CAPTURE(key.first);
        CAPTURE(key.second);
        REQUIRE(ours.count(key));
        const auto& oz = ours.at(key);
        const long long boost = rz.f.count("boost") ? rz.f.at("boost") : 0;
        for (const char* f : {"spanned", "present", "managed", "min", "low", "high", "promo"}) {
          CAPTURE(f);
          REQUIRE(rz.f.count(f));
          const bool wmark = std::string(f) != "spanned" && std::string(f) != "present" && std::string(f) != "managed";
          CHECK(oz.f.at(f) == rz.f.at(f) - (wmark ? boost : 0));
        }
        CHECK(oz.protection == rz.protection);
        const Zone* z = find_zone(*m, key.first, key.second);
        REQUIRE(z);
        CHECK(oz.pcp.size() == rz.pcp.size());
        for (const auto& pcp_entry : rz.pcp) {
          const int cpu = pcp_entry.first;
          const auto& hb = pcp_entry.second;
          CAPTURE(cpu);
          REQUIRE(oz.pcp.count(cpu));
          CHECK(oz.pcp.at(cpu).second == hb.second);  // batch
          // A pageset the engine's boot never used reads 0, as an unused one
          // of the kernel does; one the kernel used lies in the engine's bounds.
          CHECK(oz.pcp.at(cpu).first == 0);
          const PerCpuPages& p = z->pcp[static_cast<size_t>(cpu)];
          // high_min is 6.1's high: the low watermark over the node's CPUs.
          long long n = static_cast<long long>(m->nodes[static_cast<size_t>(z->node)].cpus.size());
          if (n == 0) n = m->nr_cpus;
          CHECK(p.high_min == std::max((rz.f.at("low") - boost) / n, 4 * hb.second));
          CHECK(p.high_max >= p.high_min);
          if (hb.first != 0) {
            CHECK(hb.first >= p.high_min);
            CHECK(hb.first <= p.high_max);
          }
        }
      }
      auto dmesg = mmtest::read_file(dir + "/dmesg.txt");
      const auto real_lines = mmtest::dmesg_lines(*dmesg);
      for (const char* pat : mmtest::kBootLinePatterns) {
        CAPTURE(pat);
        CHECK(mmtest::matching(m->log, pat) == mmtest::matching(real_lines, pat));
      }
    }
  }

  TEST_CASE("the log's Linux version picks the profile; another version boots the nearest with a warning") {
    auto dmesg = mmtest::read_file(mmtest::reference_dir("6.12") + "/m1g-smp2/dmesg.txt");
    REQUIRE(dmesg);
    auto plan = plan_from_dmesg(*dmesg, "m1g.txt");
    REQUIRE(plan);
    CHECK(plan->spec.version == KernelVersion::v6_12);
    REQUIRE_FALSE(plan->notes.empty());
    CHECK(plan->notes.front() ==
          "mm-playground: Linux 6.12.117+deb12-amd64: booted with the engine's Linux 6.12 profile");
    auto as = [&](const std::string& version) {
      std::string text = *dmesg;
      text.replace(text.find("6.12.117+deb12"), 14, version);
      auto p = plan_from_dmesg(text, "edited.txt");
      REQUIRE_MESSAGE(p, (p ? std::string() : p.diag().str()));
      return std::make_pair(p->spec.version, p->notes.front());
    };
    CHECK(as("6.6.0").first == KernelVersion::v6_1);
    CHECK(as("6.7.0").first == KernelVersion::v6_12);
    CHECK(as("5.15.0").first == KernelVersion::v6_1);
    CHECK(as("6.13.2").first == KernelVersion::v6_12);
    CHECK(as("6.1.0").first == KernelVersion::v6_1);
    CHECK(as("5.15.0").second ==
          "mm-playground: warning: Linux 5.15.0-amd64 is not a version the engine models (it models 6.1, 6.12): "
          "booted with the nearest, 6.1; what changed between them may differ");
    // A banner with no version number is refused where the number should be.
    std::string bad = *dmesg;
    bad.replace(bad.find("6.12.117"), 8, "vX.Y");
    auto p = plan_from_dmesg(bad, "bad.txt");
    REQUIRE_FALSE(p);
    CHECK(p.diag().line == 1);
    CHECK(p.diag().message == "expected a version like 6.1.0");
  }

  TEST_CASE("kernel= in the shorthand: 6.1 or 6.12, anything else named as not modelled") {
    auto s = parse_shorthand("ram=1G cpus=2 kernel=6.12");
    REQUIRE(s);
    CHECK(s->version == KernelVersion::v6_12);
    CHECK(s->kernel.bss_kb == 4904);
    CHECK(parse_shorthand("ram=1G")->version == KernelVersion::v6_1);
    auto bad = parse_shorthand("ram=1G kernel=6.6");
    REQUIRE_FALSE(bad);
    CHECK(bad.diag().col == 15);
    CHECK(bad.diag().message ==
          "kernel=6.6 is not modelled: the engine models Linux 6.1, 6.12 (kernel=6.1 or kernel=6.12)");
    // The same machine under both: 6.12's smaller image manages more pages,
    // and "Memory:" comes after deferred init, once the early boot took its pages.
    auto m61 = mmtest::boot_spec("ram=1G cpus=2");
    auto m612 = mmtest::boot_spec("ram=1G cpus=2 kernel=6.12");
    CHECK(m612->totalram_pages > m61->totalram_pages + 1500);
    const auto mem = mmtest::matching(m612->log, "^Memory: ");
    REQUIRE(mem.size() == 1);
    const auto deferred = mmtest::matching(m612->log, "deferred pages initialised");
    REQUIRE(deferred.size() == 1);
    size_t at_mem = 0, at_deferred = 0;
    for (size_t i = 0; i < m612->log.size(); ++i) {
      if (m612->log[i] == mem[0]) at_mem = i;
      if (m612->log[i] == deferred[0]) at_deferred = i;
    }
    CHECK(at_mem > at_deferred);
  }

  TEST_CASE("6.12: ZONE_MOVABLE gets the highmem-style small min and is not part of the lowmem share") {
    // The 6.1 kernelcore=1G capture with a 6.12 banner: the same zones.
    auto dmesg = mmtest::read_file(mmtest::reference_dir() + "/kcore-m2g-smp2/dmesg.txt");
    if (!dmesg) return;
    std::string text = *dmesg;
    text.replace(text.find("6.1.0-56"), 8, "6.12.117");
    auto plan = plan_from_dmesg(text, "kcore-6.12.txt");
    REQUIRE(plan);
    auto m = mmtest::boot_checked(*plan);
    // The boot's last recompute saw fewer managed pages (the init sections
    // were freed after it): recompute now to compare with today's figures.
    setup_per_zone_wmarks(*m);
    const Zone& mov = m->nodes[0].zones[idx(ZoneType::Movable)];
    REQUIRE(mov.managed_pages > 0);
    CHECK(mov.watermark[WMARK_MIN] == std::clamp<u64>(mov.managed_pages / 1024, 32, 128));
    u64 lowmem = 0;
    for (const Zone& z : m->nodes[0].zones)
      if (z.type != ZoneType::Movable) lowmem += z.managed_pages;
    const u64 pages_min = static_cast<u64>(m->min_free_kbytes) / 4;
    const Zone& dma32 = m->nodes[0].zones[idx(ZoneType::DMA32)];
    CHECK(dma32.watermark[WMARK_MIN] == pages_min * dma32.managed_pages / lowmem);
    // An empty movable zone still reads min 32 (the capture of m1g shows it).
    auto small = mmtest::boot_spec("ram=1G cpus=2 kernel=6.12");
    CHECK(small->nodes[0].zones[idx(ZoneType::Movable)].watermark[WMARK_MIN] == 32);
  }

  TEST_CASE("6.12: pcp high starts at 0, a refill raises it from high_min, frees under pressure and vmstat lower it") {
    auto m = mmtest::boot_spec("ram=1G cpus=2 kernel=6.12", true);
    Zone& z = m->nodes[0].zones[idx(ZoneType::DMA32)];
    const PerCpuPages& p0 = z.pcp[0];
    CHECK(p0.high == 0);
    const int batch = p0.batch, high_min = p0.high_min, high_max = p0.high_max;
    REQUIRE(batch == 63);
    REQUIRE(high_max > high_min);
    auto alloc = [&](int cpu) {
      AllocRequest r;
      r.gfp = gfp::GFP_KERNEL;
      r.cpu = cpu;
      auto o = alloc_pages(*m, r);
      REQUIRE(o);
      REQUIRE(o->ok);
      return o->pfn;
    };
    auto events = [&](Ev code) {
      std::size_t n = 0;
      for (const Event& e : m->trace.events()) n += e.code == code;
      return n;
    };
    // The first order-0 allocation on cpu 0: the refill clamps 0 to
    // high_min and adds its own size (batch << alloc_factor, factor 0).
    std::vector<Pfn> held{alloc(0)};
    CHECK(z.pcp[0].high == high_min + batch);
    CHECK(z.pcp[1].high == 0);  // cpu 1 never used it
    CHECK(events(Ev::pcp_high_raise) == 1);
    // Refills grow it (the factor doubles each refill), never past high_max.
    for (int i = 0; i < 3000; ++i) held.push_back(alloc(0));
    const int grown = z.pcp[0].high;
    CHECK(grown > high_min + batch);
    CHECK(grown <= high_max);
    // A model second later (vmstat_update's period), the next request
    // decays it by an eighth.
    m->clock.ns += NSEC_PER_SEC;
    held.push_back(alloc(1));
    CHECK(z.pcp[0].high == std::max(grown - grown / 8, high_min));
    CHECK(events(Ev::pcp_high_decay) >= 1);
    CHECK(check_invariants(*m).empty());
    // Under the high watermark: the allocator notes it (ZONE_BELOW_HIGH),
    // refills stop raising high and frees lower it.
    const u64 target = z.high_wmark() - 100;
    while (z.nr_free_pages > target) held.push_back(alloc(1));
    held.push_back(alloc(1));
    CHECK(z.below_high);
    CHECK(events(Ev::zone_below_high) == 1);
    const int before = z.pcp[0].high;
    for (int i = 0; i < 100; ++i) {
      REQUIRE(free_pages(*m, held.back(), 0, 0));
      held.pop_back();
    }
    CHECK(z.pcp[0].high < before);
    CHECK(z.pcp[0].high >= high_min);
    CHECK(events(Ev::pcp_high_lower) >= 1);
    CHECK(check_invariants(*m).empty());
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE(
      "compare: the m1g-smp2 machine under both profiles lists the differences 6.12 brings, each with its reason") {
    auto spec = parse_shorthand("ram=1G cpus=2");
    REQUIRE(spec);
    auto diffs = compare_kernels(*spec);
    REQUIRE_MESSAGE(diffs, (diffs ? std::string() : diffs.diag().str()));
    std::map<std::string, KernelDifference> by;
    for (const KernelDifference& d : *diffs) {
      CAPTURE(d.what);
      CHECK(d.v6_1 != d.v6_12);
      CHECK(d.why != KernelDiff::other);  // every difference here has its own reason
      by.emplace(d.what, d);
    }
    auto has = [&](const std::string& what, KernelDiff why) {
      CAPTURE(what);
      REQUIRE(by.count(what));
      CHECK(by.at(what).why == why);
      return by.at(what);
    };
    // The smaller image: about 1760 more managed pages in DMA32.
    const auto managed = has("Node 0 DMA32 managed", KernelDiff::image);
    const long long more = std::stoll(managed.v6_12) - std::stoll(managed.v6_1);
    CHECK(more > 1700);
    CHECK(more < 1800);
    // Every watermark and the protection follow; the empty movable zone's min is 32.
    for (const char* f : {"min", "low", "high"}) has(std::string("Node 0 DMA32 ") + f, KernelDiff::watermarks);
    has("Node 0 DMA protection", KernelDiff::watermarks);  // DMA32's upper zones are empty: (0, 0, ...) in both
    CHECK(has("Node 0 Movable min", KernelDiff::movable_min).v6_12 == "32");
    CHECK(has("Node 0 DMA32 promo", KernelDiff::promo).v6_1.empty());
    // pcp: batch the same (not listed), high 0 with its bounds.
    CHECK_FALSE(by.count("Node 0 DMA32 cpu 0 pcp batch"));
    CHECK(has("Node 0 DMA32 cpu 0 pcp high", KernelDiff::pcp_high).v6_12.rfind("0 (high_min ", 0) == 0);
    // The lines: Total pages is the sum of present pages in 6.12.
    auto m = mmtest::boot_spec("ram=1G cpus=2 kernel=6.12");
    const u64 present = m->nodes[0].zones[0].present_pages + m->nodes[0].zones[1].present_pages;
    CHECK(has("log: Built", KernelDiff::total_pages).v6_12.find("Total pages: " + std::to_string(present)) !=
          std::string::npos);
    has("log: Memory:", KernelDiff::memory_late);
    CHECK(has("log: Freeing unused kernel image (text/rodata gap)", KernelDiff::freeing).v6_12.empty());
    for (const char* f :
         {"nr_iommu_pages", "nr_unaccepted", "pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged"})
      has(std::string("zoneinfo: ") + f, KernelDiff::counters);
    // Spans and present pages are the same machine's.
    CHECK_FALSE(by.count("Node 0 DMA32 spanned"));
    CHECK_FALSE(by.count("Node 0 DMA32 present"));
    // The words exist in both languages, and the text says them.
    for (std::size_t i = 0; i < kKernelDiffCodes.size(); ++i) {
      CHECK_FALSE(kernel_diff_words(static_cast<KernelDiff>(i)).en.empty());
      CHECK_FALSE(kernel_diff_words(static_cast<KernelDiff>(i)).zh.empty());
    }
    const std::string zh = format_kernel_differences(*diffs, Lang::zh);
    CHECK(zh.find("6.12 的内核映像更小") != std::string::npos);
    CHECK(kernel_differences_json(*diffs).find("\"why\":\"image\"") != std::string::npos);
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE("meminfo has the kernel's lines in the kernel's order under each profile (6.12 adds Unaccepted)") {
    auto names = [](const std::string& text) {
      std::vector<std::string> v;
      for (const std::string& l : mmtest::lines(text)) v.push_back(l.substr(0, l.find(':')));
      return v;
    };
    for (const char* version : {"6.1", "6.12"}) {
      CAPTURE(version);
      Playground pg;
      REQUIRE(pg.boot_shorthand(std::string("ram=1G cpus=2 kernel=") + version, "<m>"));
      std::string ours;
      REQUIRE(pg.proc("meminfo", ours));
      auto real = mmtest::read_file(mmtest::reference_dir(version) + "/m1g-smp2/meminfo.txt");
      REQUIRE(real);
      CHECK(names(ours) == names(*real));
      // Every line is NAME: then the value right-aligned to column 24, as show_val_kb prints it.
      for (const std::string& l : mmtest::lines(ours)) {
        CAPTURE(l);
        if (l.rfind("VmallocTotal", 0) == 0) continue;  // 11 digits: wider than the column
        const size_t end = l.find(" kB");
        CHECK((end == std::string::npos ? l.size() : end) == 24);
      }
    }
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE("6.12's OOM reports: the table's rss split is read, the victims and oom_scores are the kernel's") {
    auto log = mmtest::read_file(mmtest::reference_dir("6.12") + "/oom-m256-smp1/dmesg.txt");
    REQUIRE(log);
    auto parsed = parse_oom_log(*log, "dmesg.txt");
    REQUIRE_MESSAGE(parsed, (parsed ? std::string() : parsed.diag().str()));
    REQUIRE(parsed->reports.size() == 3);
    const int want[] = {159, 157, 214};
    for (size_t i = 0; i < 3; ++i) {
      CAPTURE(i);
      const OomReport& r = parsed->reports[i];
      auto k = rank_oom_report(r, {}, "dmesg.txt");
      REQUIRE(k);
      CHECK(k->totalpages == 54448u);  // one adj point is 54 pages here (52 under 6.1)
      REQUIRE(k->chosen);
      CHECK(r.tasks[k->rows[*k->chosen].task].pid == want[i]);
      for (const OomTaskRow& t : r.tasks) {
        CAPTURE(t.pid);
        CHECK(t.rss_split);
        CHECK(t.rss_anon + t.rss_file + t.rss_shmem == t.rss);
      }
    }
    // The victim's kill line from the table alone (no log kill line): 6.12's
    // columns give the split, so it is the kernel's line.
    const OomReport& first = parsed->reports[0];
    for (const OomTaskRow& t : first.tasks)
      if (t.pid == 159)
        CHECK(oom_kill_line(t, nullptr, "Out of memory") ==
              "Out of memory: Killed process 159 (hog) total-vm:9180kB, anon-rss:8192kB, file-rss:0kB, "
              "shmem-rss:648kB, UID:0 pgtables:52kB oom_score_adj:1000");
    // /proc/PID/oom_score of hogs-before.txt, as the replay computes it.
    auto k = rank_oom_report(first, {}, "dmesg.txt");
    REQUIRE(k);
    std::map<int, unsigned long long> score;
    for (const OomRankRow& row : k->rows) score[first.tasks[row.task].pid] = row.oom_score.value_or(9999);
    CHECK(score[156] == 762);
    CHECK(score[157] == 1093);
    CHECK(score[158] == 432);
    CHECK(score[159] == 1354);
    CHECK(score[160] == 0);
    auto text = oom_replay(*log, "dmesg.txt");
    REQUIRE(text);
    CHECK(text->find("3 of 3 match the kernel's choice") != std::string::npos);
    // A header with the split but a row whose parts do not add up is refused at the row.
    std::string bad = *log;
    const size_t row = bad.find("[    156]     0   156     7927     7842     7680");
    REQUIRE(row != std::string::npos);
    bad.replace(row + 38, 10, "     7681");
    auto p = parse_oom_log(bad, "bad.txt");
    REQUIRE_FALSE(p);
    CHECK(p.diag().message == "rss_anon + rss_file + rss_shmem must add up to rss");
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE("a 6.12 machine's own OOM report has 6.12's CPU line and task columns, and replays to its own choice") {
    Playground pg;
    REQUIRE(pg.boot_shorthand("ram=256M cpus=1 kernel=6.12", "<m>"));
    auto r = pg.run_command("spawn a anon=100M\nspawn b anon=100M adj=500\nspawn c anon=100M", "t");
    REQUIRE(r);
    const std::string log = pg.boot_log();
    CHECK(log.find("\nCPU: 0 UID: 0 PID: ") != std::string::npos);
    CHECK(log.find("\n[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents "
                   "oom_score_adj name\n") != std::string::npos);
    auto replay = oom_replay(log, "own.log");
    REQUIRE_MESSAGE(replay, (replay ? std::string() : replay.diag().str()));
    CHECK(replay->find("1 of 1 match the kernel's choice") != std::string::npos);
    CHECK(replay->find("split from the log's kill line") != std::string::npos);
    // Under 6.1 the same machine prints 6.1's layout.
    Playground old;
    REQUIRE(old.boot_shorthand("ram=256M cpus=1", "<m>"));
    REQUIRE(old.run_command("spawn a anon=100M\nspawn b anon=100M adj=500\nspawn c anon=100M", "t"));
    CHECK(old.boot_log().find("rss_anon") == std::string::npos);
    CHECK(old.boot_log().find("\nCPU: 0 PID: ") != std::string::npos);
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE("6.12 slab: every kmalloc, memdup_user and msg_msg cache's geometry and align, in the kernel's order") {
    const std::string root = mmtest::reference_dir("6.12");
    int compared = 0;
    for (const std::string& cap : mmtest::captures(root)) {
      CAPTURE(cap);
      auto dmesg = mmtest::read_file(root + "/" + cap + "/dmesg.txt");
      auto info = mmtest::read_file(root + "/" + cap + "/slabinfo.txt");
      auto sysfs = mmtest::read_file(root + "/" + cap + "/slab-sysfs.txt");
      REQUIRE(dmesg);
      REQUIRE(info);
      REQUIRE(sysfs);
      Playground pg;
      REQUIRE(pg.boot_dmesg(*dmesg, cap));
      std::string ours;
      REQUIRE(pg.proc("slabinfo", ours));
      auto table = [](const std::string& text) {
        std::vector<std::pair<std::string, std::string>> v;  // name, "objsize per pages" in listing order
        for (const std::string& l : mmtest::lines(text)) {
          std::istringstream in(l);
          std::string name, a, n, objsize, per, pages;
          in >> name >> a >> n >> objsize >> per >> pages;
          if (!name.empty() && name[0] != '#' && name != "slabinfo")
            v.emplace_back(name, objsize + " " + per + " " + pages);
        }
        return v;
      };
      const auto mine = table(ours);
      std::map<std::string, std::string> by(mine.begin(), mine.end());
      std::vector<std::string> real_order;
      static const std::regex modelled("^(kmalloc|dma-kmalloc|memdup_user-|msg_msg-|kmem_cache)");
      for (const auto& row : table(*info)) {
        const std::string& name = row.first;
        const std::string& geometry = row.second;
        if (!std::regex_search(name, modelled)) continue;
        CAPTURE(name);
        REQUIRE(by.count(name));
        CHECK(by.at(name) == geometry);
        real_order.push_back(name);
        ++compared;
      }
      std::vector<std::string> our_order;
      for (const auto& row : mine) our_order.push_back(row.first);
      CHECK(our_order == real_order);  // the engine lists exactly these, in the kernel's order
      // align= of slab-sysfs for the kmalloc caches (6.12: 96 -> 32, 192 -> 64).
      for (const std::string& l : mmtest::lines(*sysfs)) {
        const std::string name = l.substr(0, l.find(' '));
        if (name.rfind("kmalloc-", 0) != 0) continue;
        const size_t a = l.find(" align=");
        REQUIRE(a != std::string::npos);
        const u32 want = static_cast<u32>(std::stoul(l.substr(a + 7)));
        auto id = find_cache(*pg.machine(), name);
        REQUIRE(id);
        CAPTURE(name);
        CHECK(cache_of(*pg.machine(), *id)->g.align == want);
      }
      CHECK(pg.check().empty());
    }
    CHECK(compared == 3 * 81);  // 52 kmalloc, 26 bucket caches, kmalloc_buckets, kmem_cache(_node)
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE("a memoryless node: 6.12 onlines it before free_area_init and leaves it out of its own fallback order") {
    auto m612 = mmtest::boot_spec("ram=2G cpus=3 nodes=1G:0,1G:1,0:2 kernel=6.12");
    CHECK(mmtest::matching(m612->log, "memoryless") == std::vector<std::string>{"Initmem setup node 2 as memoryless"});
    CHECK(mmtest::matching(m612->log, "^Fallback order for Node 2") ==
          std::vector<std::string>{"Fallback order for Node 2: 0 1 "});
    CHECK(m612->nodes[2].node_order == std::vector<int>{0, 1});
    auto m61 = mmtest::boot_spec("ram=2G cpus=3 nodes=1G:0,1G:1,0:2");
    CHECK(mmtest::matching(m61->log, "memoryless") == std::vector<std::string>{"Initializing node 2 as memoryless"});
    CHECK(m61->nodes[2].node_order.front() == 2);
  }
}

TEST_SUITE("kernel 6.12") {
  TEST_CASE("6.12's highatomic limit: 1% of the zone in whole pageblocks, no reserve when 1% is under one") {
    for (const Pfn pages : {Pfn{2048}, Pfn{65536}}) {
      for (const KernelVersion v : kKernelVersions) {
        CAPTURE(pages);
        CAPTURE(kernel_version_name(v));
        Machine m = mmtest::tiny_machine(pages, 1, 0, true);
        m.spec.version = v;
        Zone& z = m.nodes[0].zones[0];
        z.managed_pages = pages;
        // Below low, above min: the slow path retries with ALLOC_HIGHATOMIC.
        z.watermark = {100, 2 * pages, 2 * pages + 1000, 2 * pages + 2000};
        AllocRequest r;
        r.gfp = gfp::GFP_ATOMIC;
        r.order = 2;
        auto o = alloc_pages(m, r);
        REQUIRE(o);
        REQUIRE(o->ok);
        const bool reserves = v == KernelVersion::v6_1 || pages / 100 >= pageblock_nr_pages;
        CHECK(z.nr_reserved_highatomic == (reserves ? pageblock_nr_pages : 0));
        CHECK(check_invariants(m).empty());
      }
    }
  }
}
