// Shared helpers for the engine suites: reading the reference captures and
// parsing the kernel's own text formats back into numbers.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "mm/core/machine_spec.h"
#include "mm/page_alloc/page_alloc.h"
#include "text/parse/shorthand.h"

namespace mmtest {

inline std::string reference_dir() { return MM_REFERENCE_DIR; }
// The captures of another kernel, beside the 6.1 ones: reference_dir("6.12").
inline std::string reference_dir(std::string_view version) {
  const std::string d = MM_REFERENCE_DIR;
  return d.substr(0, d.rfind("linux-")) + "linux-" + std::string(version);
}

inline std::optional<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Capture folders that hold a dmesg.txt and a zoneinfo.txt.
inline std::vector<std::string> captures(const std::string& dir = reference_dir()) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_directory()) continue;
    if (std::filesystem::exists(e.path() / "dmesg.txt") && std::filesystem::exists(e.path() / "zoneinfo.txt"))
      out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// dmesg lines without their "[    0.000000] " stamps.
inline std::vector<std::string> dmesg_lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::string l : lines(text)) {
    if (!l.empty() && l[0] == '[') {
      size_t e = l.find("] ");
      if (e != std::string::npos) l = l.substr(e + 2);
    }
    out.push_back(l);
  }
  return out;
}

template <class Lines>
std::vector<std::string> matching(const Lines& ls, const std::string& re) {
  std::regex r(re);
  std::vector<std::string> out;
  for (const std::string& l : ls)
    if (std::regex_search(l, r)) out.push_back(l);
  return out;
}

// One zone of /proc/zoneinfo as numbers.
// The boot lines a fidelity test compares word for word with the kernel's.
inline const char* const kBootLinePatterns[] = {"^Zone ranges:",
                                                "^  (DMA|DMA32|Normal|Device) ",
                                                "^Movable zone start",
                                                "^  Node [0-9]+: 0x",
                                                "^Early memory node ranges",
                                                "^  node +[0-9]+: \\[mem",
                                                "^Initmem setup node",
                                                "unavailable ranges",
                                                "^Fallback order for Node",
                                                "^Built [0-9]+ zonelists",
                                                "^Policy zone:",
                                                "^NODE_DATA\\(",
                                                "^Faking a node",
                                                "^No NUMA configuration",
                                                "^NUMA: Node [0-9]+ \\[mem",
                                                "^Memory: ",
                                                "^Freeing (SMP alternatives|initrd|unused)",
                                                "^mminit::zonelist"};

struct ZoneFigures {
  std::map<std::string, long long> f;  // min, low, high, boost, spanned, present, managed, start_pfn
  std::string protection;
  std::map<int, std::pair<long long, long long>> pcp;  // cpu -> (high, batch)
};

inline std::map<std::pair<int, std::string>, ZoneFigures> parse_zoneinfo(const std::string& text) {
  std::map<std::pair<int, std::string>, ZoneFigures> zones;
  ZoneFigures* cur = nullptr;
  int cpu = -1;
  std::smatch m;
  static const std::regex head(R"(^Node (\d+), zone\s+(\w+))");
  static const std::regex field(
      R"(^\s+(pages free|boost|min|low|high|promo|spanned|present|managed|start_pfn:)\s+(\d+)$)");
  static const std::regex prot(R"(^\s+protection: \((.*)\))");
  static const std::regex cpure(R"(^\s+cpu: (\d+))");
  static const std::regex pcpf(R"(^\s+(high|batch):\s+(\d+))");
  for (const std::string& l : lines(text)) {
    if (std::regex_search(l, m, head)) {
      cur = &zones[{std::stoi(m[1]), m[2]}];
      cpu = -1;
      continue;
    }
    if (!cur) continue;
    if (std::regex_search(l, m, cpure)) {
      cpu = std::stoi(m[1]);
    } else if (cpu >= 0 && std::regex_search(l, m, pcpf)) {
      if (m[1] == "high")
        cur->pcp[cpu].first = std::stoll(m[2]);
      else
        cur->pcp[cpu].second = std::stoll(m[2]);
    } else if (std::regex_search(l, m, field)) {
      std::string k = m[1];
      if (k == "start_pfn:") k = "start_pfn";
      if (k == "pages free") k = "free";
      cur->f[k] = std::stoll(m[2]);
    } else if (std::regex_search(l, m, prot)) {
      cur->protection = m[1];
    }
  }
  return zones;
}

// Boots a plan and checks invariants after every boot step.
inline std::unique_ptr<mm::Machine> boot_checked(const mm::BootPlan& plan, bool trace = false) {
  size_t steps = 0;
  std::vector<std::string> first_violation;
  auto hook = [&](const mm::Machine& m, const mm::BootOp&) {
    ++steps;
    if (!first_violation.empty()) return;
    auto v = mm::check_invariants(m);
    if (!v.empty()) first_violation = v;
  };
  auto r = mm::boot(plan, trace, hook);
  REQUIRE_MESSAGE(static_cast<bool>(r), (r ? std::string() : r.diag().str()));
  INFO("first violation: " << (first_violation.empty() ? "" : first_violation.front()));
  CHECK(first_violation.empty());
  CHECK(steps == plan.ops.size());
  auto final_v = mm::check_invariants(*r.value());
  INFO("final: " << (final_v.empty() ? "" : final_v.front()));
  CHECK(final_v.empty());
  return std::move(r.value());
}

// A hand-built machine for buddy-level specifications: one node, one DMA
// zone of `pages` frames at pfn 0, one CPU with the given pcp batch/high.
// Frames start reserved (as memmap_init leaves them); `free_all` hands them
// to the buddy allocator as memblock_free_all would.
inline mm::Machine tiny_machine(mm::Pfn pages, int batch = 1, int high = 0, bool free_all = false) {
  using namespace mm;
  Machine m;
  m.mem.resize(pages);
  m.nodes.resize(1);
  Node& n = m.nodes[0];
  n.node_spanned_pages = n.node_present_pages = pages;
  n.cpus = {0};
  m.cpu_to_node = {0};
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    n.zones[z].type = static_cast<ZoneType>(z);
    n.zones[z].pcp.resize(1);
  }
  Zone& z = n.zones[0];
  z.spanned_pages = z.present_pages = pages;
  z.pcp[0].batch = batch;
  z.pcp[0].high = high;
  n.zonelist_fallback = {{0, ZoneType::DMA}};
  n.zonelist_nofallback = n.zonelist_fallback;
  for (Pfn p = 0; p < pages; ++p) m.mem.set(p, FrameState::Reserved);
  m.buddy_online = true;
  if (free_all)
    for (auto [pfn, order] : free_pages_memory_blocks(0, pages)) free_pages_core(m, pfn, order);
  return m;
}

// A zone's free lists of one migrate type drawn as "order: pfn pfn ..." lines.
inline std::string free_lists(const mm::Machine& m, mm::MigrateType mt = mm::MigrateType::Movable, int zone = 0,
                              int node = 0) {
  std::string s;
  const mm::Zone& z = m.nodes[static_cast<size_t>(node)].zones[static_cast<size_t>(zone)];
  for (unsigned o = 0; o < mm::MAX_ORDER; ++o) {
    const mm::FreeList& l = z.free_area[o].free_list[mm::idx(mt)];
    if (l.empty()) continue;
    s += std::to_string(o) + ":";
    for (mm::u32 p = l.head; p != mm::NIL; p = m.mem.list_next(l, p)) s += " " + std::to_string(p);
    s += "\n";
  }
  return s;
}

// Two recorded events say the same: code, kind, depth, identity fields,
// and every declared argument (strings by value, not by table index).
inline bool same_event(const mm::Event& x, const mm::Trace& tx, const mm::Event& y, const mm::Trace& ty) {
  if (x.code != y.code || x.kind != y.kind || x.depth != y.depth || x.pfn != y.pfn || x.order != y.order ||
      x.mt != y.mt || x.zone != y.zone || x.node != y.node || x.cpu != y.cpu)
    return false;
  const mm::EventSpec& s = x.spec();
  for (unsigned i = 0; i < s.nargs; ++i) {
    const mm::Arg a = s.args[i];
    if (mm::kArgInfo[static_cast<unsigned>(a)].type == mm::ArgType::kStr) {
      const auto ix = static_cast<size_t>(x.get(a)), iy = static_cast<size_t>(y.get(a));
      if (ix >= tx.string_count() || iy >= ty.string_count() || tx.string_at(ix) != ty.string_at(iy)) return false;
    } else if (x.get(a) != y.get(a)) {
      return false;
    }
  }
  return true;
}

inline std::unique_ptr<mm::Machine> boot_spec(const std::string& spec, bool trace = false) {
  auto s = mm::parse_shorthand(spec);
  REQUIRE_MESSAGE(static_cast<bool>(s), (s ? std::string() : s.diag().str()));
  return boot_checked(mm::plan_from_spec(*s), trace);
}

}  // namespace mmtest
