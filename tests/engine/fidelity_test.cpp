// Fidelity against a real Linux 6.1 kernel: every capture in
// ../shared/reference/linux-6.1 is booted from its dmesg and compared with
// what that kernel printed, field by field and line by line.
#include <doctest/doctest.h>

#include "session/playground.h"
#include "test_util.h"
#include "text/format/proc.h"
#include "text/parse/dmesg.h"
#include "text/parse/log_line.h"

using namespace mm;

namespace {

// The zoneinfo figures that boot fixes. The capture was read after some
// activity, so its min/low/high include any watermark_boost: compare them
// without it.
void compare_zoneinfo(const std::string& ours_text, const std::string& real_text) {
  auto ours = mmtest::parse_zoneinfo(ours_text);
  auto real = mmtest::parse_zoneinfo(real_text);
  REQUIRE(!real.empty());
  CHECK(ours.size() == real.size());
  for (const auto& entry : real) {
    const auto& key = entry.first;
    const auto& rz = entry.second;
    CAPTURE(key.first);
    CAPTURE(key.second);
    REQUIRE(ours.count(key));
    const auto& oz = ours.at(key);
    const long long boost = rz.f.count("boost") ? rz.f.at("boost") : 0;
    for (const char* f : {"spanned", "present", "managed", "min", "low", "high"}) {
      CAPTURE(f);
      long long want = rz.f.at(f);
      if (std::string(f) == "min" || std::string(f) == "low" || std::string(f) == "high") want -= boost;
      CHECK(oz.f.at(f) == want);
    }
    if (rz.f.count("start_pfn")) CHECK(oz.f.at("start_pfn") == rz.f.at("start_pfn"));
    CHECK(oz.protection == rz.protection);
    CHECK(oz.pcp.size() == rz.pcp.size());
    for (const auto& pcp_entry : rz.pcp) {
      const int cpu = pcp_entry.first;
      const auto& hb = pcp_entry.second;
      CAPTURE(cpu);
      REQUIRE(oz.pcp.count(cpu));
      CHECK(oz.pcp.at(cpu).first == hb.first);
      CHECK(oz.pcp.at(cpu).second == hb.second);
    }
  }
}

}  // namespace

TEST_SUITE("fidelity") {
  TEST_CASE("every capture: booting its dmesg reproduces its zoneinfo and boot lines") {
    auto caps = mmtest::captures();
    REQUIRE(caps.size() >= 4);
    for (const std::string& c : caps) {
      CAPTURE(c);
      const std::string dir = mmtest::reference_dir() + "/" + c;
      auto dmesg = mmtest::read_file(dir + "/dmesg.txt");
      auto zoneinfo = mmtest::read_file(dir + "/zoneinfo.txt");
      REQUIRE(dmesg);
      REQUIRE(zoneinfo);
      auto plan = plan_from_dmesg(*dmesg, c + "/dmesg.txt");
      REQUIRE_MESSAGE(plan, (plan ? std::string() : plan.diag().str()));
      CHECK(plan->memblock_debug);
      auto m = mmtest::boot_checked(*plan);
      // The engine's memblock search agrees with where the kernel put every
      // allocation it logged.
      INFO("first mismatch: " << (m->replay_mismatches.empty() ? "" : m->replay_mismatches.front()));
      CHECK(m->replay_mismatches.empty());
      compare_zoneinfo(proc_zoneinfo(*m), *zoneinfo);
      // The kernel's own lines, word for word.
      auto real = mmtest::dmesg_lines(*dmesg);
      for (const char* pat : mmtest::kBootLinePatterns) {
        CAPTURE(pat);
        CHECK(mmtest::matching(m->log, pat) == mmtest::matching(real, pat));
      }
    }
  }

  TEST_CASE("kcore-m2g-smp2: the log's kernelcore=1G makes the kernel's ZONE_MOVABLE") {
    const std::string dir = mmtest::reference_dir() + "/kcore-m2g-smp2";
    auto dmesg = mmtest::read_file(dir + "/dmesg.txt");
    if (!dmesg) return;  // capture not shipped
    auto plan = plan_from_dmesg(*dmesg, "kcore-m2g-smp2/dmesg.txt");
    REQUIRE(plan);
    CHECK(plan->spec.knobs.kernelcore == 1ull << 30);
    // Nothing odd on its command line: the one note says which profile boots.
    CHECK(plan->notes ==
          std::vector<std::string>{"mm-playground: Linux 6.1.0-56-amd64: booted with the engine's Linux 6.1 profile"});
    auto m = mmtest::boot_checked(*plan);
    // 1G of kernel memory from the bottom (158 + 3840 pages below DMA32's
    // range count too) ends at pfn 262242; ZONE_MOVABLE starts at the next
    // MAX_ORDER boundary and takes the rest of DMA32's range.
    const Zone& mov = m->nodes[0].zones[idx(ZoneType::Movable)];
    CHECK(mov.zone_start_pfn == 263168);
    CHECK(m->nodes[0].zones[idx(ZoneType::DMA32)].end_pfn() == 263168);
    CHECK(mmtest::matching(m->log, "^  Node 0: 0x") == std::vector<std::string>{"  Node 0: 0x0000000040400000"});
  }

  TEST_CASE("every capture: buddyinfo has the kernel's shape") {
    for (const std::string& c : mmtest::captures()) {
      CAPTURE(c);
      const std::string dir = mmtest::reference_dir() + "/" + c;
      auto plan = plan_from_dmesg(*mmtest::read_file(dir + "/dmesg.txt"), c);
      REQUIRE(plan);
      auto m = mmtest::boot_checked(*plan);
      auto ours = mmtest::lines(proc_buddyinfo(*m));
      auto real = mmtest::lines(*mmtest::read_file(dir + "/buddyinfo.txt"));
      REQUIRE(ours.size() == real.size());
      for (size_t i = 0; i < ours.size(); ++i) {
        CHECK(ours[i].size() == real[i].size());                // same columns and widths
        CHECK(ours[i].substr(0, 22) == real[i].substr(0, 22));  // same node and zone
      }
      // pagetypeinfo: same lines, same block totals per zone.
      auto pt = mmtest::lines(proc_pagetypeinfo(*m));
      auto rpt = mmtest::lines(*mmtest::read_file(dir + "/pagetypeinfo.txt"));
      CHECK(pt.size() == rpt.size());
      auto blocks = [](const std::vector<std::string>& ls) {
        std::vector<long long> v;
        for (const std::string& l : mmtest::matching(ls, "^Node [0-9]+, zone +[A-Za-z0-9]+ +[0-9]")) {
          std::istringstream in(l.substr(l.find("zone") + 13));
          long long a = 0, sum = 0;
          while (in >> a) sum += a;
          v.push_back(sum);
        }
        return v;
      };
      CHECK(blocks(pt) == blocks(rpt));
    }
  }

  TEST_CASE("the shorthand of the same qemu machine: spans exact, managed within 1%") {
    struct Case {
      const char* capture;
      const char* spec;
    };
    for (Case k : {Case{"m1g-smp2", "ram=1G cpus=2"}, Case{"numa2-m2g-smp2", "ram=2G cpus=2 nodes=1G:0,1G:1"},
                   Case{"oom-m256-smp1", "ram=256M cpus=1"}, Case{"kcore-m2g-smp2", "ram=2G cpus=2 kernelcore=1G"}}) {
      CAPTURE(k.spec);
      auto zi = mmtest::read_file(mmtest::reference_dir() + "/" + k.capture + "/zoneinfo.txt");
      if (!zi) continue;  // capture not shipped: nothing to compare
      auto m = mmtest::boot_spec(k.spec);
      auto ours = mmtest::parse_zoneinfo(proc_zoneinfo(*m));
      for (const auto& entry : mmtest::parse_zoneinfo(*zi)) {
        const auto& key = entry.first;
        const auto& rz = entry.second;
        CAPTURE(key.second);
        const auto& oz = ours.at(key);
        CHECK(oz.f.at("spanned") == rz.f.at("spanned"));
        CHECK(oz.f.at("present") == rz.f.at("present"));
        const double managed = static_cast<double>(rz.f.at("managed"));
        CHECK(std::abs(static_cast<double>(oz.f.at("managed")) - managed) <= managed / 100);
      }
    }
  }

  TEST_CASE("a log without memblock=debug lines boots with the engine's model and says so") {
    auto dmesg = mmtest::read_file(mmtest::reference_dir() + "/m1g-smp2/dmesg.txt");
    REQUIRE(dmesg);
    std::string stripped;
    for (const std::string& l : mmtest::lines(*dmesg))
      if (l.find("memblock_") == std::string::npos && l.find("MEMBLOCK") == std::string::npos &&
          l.find("memory[") == std::string::npos && l.find("reserved[") == std::string::npos &&
          l.find("memory size") == std::string::npos && l.find("reserved.cnt") == std::string::npos &&
          l.find("memory.cnt") == std::string::npos)
        stripped += l + "\n";
    auto plan = plan_from_dmesg(stripped, "nodebug.txt");
    REQUIRE(plan);
    CHECK_FALSE(plan->memblock_debug);
    auto m = mmtest::boot_checked(*plan);
    CHECK(mmtest::matching(m->log, "no memblock=debug lines").size() == 1);
    const Zone& z = m->nodes[0].zones[idx(ZoneType::DMA32)];
    CHECK(z.spanned_pages == 258016);
    CHECK(std::abs(static_cast<long long>(z.managed_pages) - 242034) < 2420);
  }

  // A log saved by syslog, the journal or dmesg's own options boots as the
  // plain log does: the same boot log and the same /proc/zoneinfo.
  TEST_CASE("syslog, journal and dmesg -T/-t/-x copies of a capture boot as the capture does") {
    const std::string dir = mmtest::reference_dir() + "/m1g-smp2";
    auto dmesg = mmtest::read_file(dir + "/dmesg.txt");
    REQUIRE(dmesg);
    // Each form rewrites "[    0.123456] msg".
    using Form = std::string (*)(const std::string& stamp, const std::string& msg);
    const std::vector<std::pair<const char*, Form>> forms = {
        {"syslog",
         [](const std::string& t, const std::string& m) { return "Dec  2 07:00:00 host kernel: " + t + " " + m; }},
        {"journalctl -k", [](const std::string&, const std::string& m) { return "Dec 02 07:00:00 host kernel: " + m; }},
        {"short-precise",
         [](const std::string&, const std::string& m) { return "Dec 02 07:00:00.123456 lab-pc kernel: " + m; }},
        {"short-iso",
         [](const std::string&, const std::string& m) { return "2026-12-02T07:00:00+0100 host kernel: " + m; }},
        {"short-monotonic", [](const std::string& t, const std::string& m) { return t + " host kernel: " + m; }},
        {"dmesg -T", [](const std::string&, const std::string& m) { return "[Wed Dec  2 07:00:00 2026] " + m; }},
        {"dmesg -t", [](const std::string&, const std::string& m) { return m; }},
        {"dmesg -x", [](const std::string& t, const std::string& m) { return "kern  :info  : " + t + " " + m; }},
    };
    auto plain = plan_from_dmesg(*dmesg, "m1g-smp2/dmesg.txt");
    REQUIRE(plain);
    auto want = mmtest::boot_checked(*plain);
    for (const auto& entry : forms) {
      // Named copies: clang 14 (emscripten) cannot use a structured binding inside CAPTURE's lambda.
      const auto& name = entry.first;
      const auto& form = entry.second;
      CAPTURE(name);
      std::string text;
      std::size_t rewritten = 0;
      for (const std::string& l : mmtest::lines(*dmesg)) {
        const std::size_t close = l.find("] ");
        if (!l.empty() && l[0] == '[' && close != std::string::npos && close < 16) {
          text += form(l.substr(0, close + 1), l.substr(close + 2)) + "\n";
          ++rewritten;
        } else {
          text += l + "\n";
        }
      }
      REQUIRE(rewritten > 100);
      auto plan = plan_from_dmesg(text, "copy.log");
      REQUIRE(plan);
      auto got = mmtest::boot_checked(*plan);
      CHECK(proc_zoneinfo(*got) == proc_zoneinfo(*want));
      CHECK(std::vector<std::string>(got->log.begin(), got->log.end()) ==
            std::vector<std::string>(want->log.begin(), want->log.end()));
    }
  }

  TEST_CASE("kernel_message_start: the prefixes come off, messages that look alike stay") {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"<6>[    0.000000] Linux version 6.1.0", "Linux version 6.1.0"},
        {"[    0.000000] BIOS-e820: [mem 0x0-0x9fbff] usable", "BIOS-e820: [mem 0x0-0x9fbff] usable"},
        {"[Sat Nov 22 08:30:19 2026] Memory: 1K/2K available", "Memory: 1K/2K available"},
        {"Jan  2 10:00:00 host kernel: [    1.5] Zone ranges:", "Zone ranges:"},
        {"Jan 02 10:00:00 host kernel: Zone ranges:", "Zone ranges:"},
        {"2026-01-02T10:00:00.123456+01:00 host kernel: Zone ranges:", "Zone ranges:"},
        {"[    3.000001] host kernel: Zone ranges:", "Zone ranges:"},
        {"kern  :warn  : [    2.0] oom-kill:constraint=CONSTRAINT_NONE", "oom-kill:constraint=CONSTRAINT_NONE"},
        // Not prefixes: a task-table row, a firmware note, another program's syslog line.
        {"[    106]     0   106  1234", "[    106]     0   106  1234"},
        {"[Firmware Bug]: TSC doesn't count", "[Firmware Bug]: TSC doesn't count"},
        {"Jan 02 10:00:00 host systemd[1]: Started", "Jan 02 10:00:00 host systemd[1]: Started"},
        {"Linux version 6.1.0", "Linux version 6.1.0"},
        {"", ""},
    };
    for (const auto& entry : cases) {
      const std::string_view line = entry.first;
      const std::string_view message = entry.second;
      CAPTURE(line);
      CHECK(line.substr(kernel_message_start(line)) == message);
    }
  }
}
