#include "session/compare.h"

#include <map>
#include <set>

#include "mm/boot/boot.h"
#include "mm/core/machine.h"
#include "text/format/json.h"
#include "text/format/proc.h"

namespace mm {

namespace {

Expected<std::unique_ptr<Machine>> boot_as(const MachineSpec& spec, KernelVersion v) {
  MachineSpec s = spec;
  s.version = v;
  s.kernel = debian_kernel_image(v);
  return boot(plan_from_spec(s), false);
}

struct Lister {
  std::vector<KernelDifference> out;
  void add(std::string what, std::string a, std::string b, KernelDiff why) {
    if (a != b) out.push_back({std::move(what), std::move(a), std::move(b), why});
  }
  void add(const std::string& what, u64 a, u64 b, KernelDiff why) {
    add(what, std::to_string(a), std::to_string(b), why);
  }
};

// As zoneinfo prints it: one entry per zone the kernel was built with.
std::string protection(const KernelConfig& c, const Zone& z) {
  std::string s = "(";
  for (size_t i = 0; i < MAX_NR_ZONES; ++i)
    if (c.has_zone(static_cast<ZoneType>(i))) s += (s.size() > 1 ? ", " : "") + std::to_string(z.lowmem_reserve[i]);
  return s + ")";
}

void compare_zones(Lister& l, const Machine& a, const Machine& b) {
  for (size_t n = 0; n < a.nodes.size() && n < b.nodes.size(); ++n)
    for (size_t i = 0; i < MAX_NR_ZONES; ++i) {
      const Zone& x = a.nodes[n].zones[i];
      const Zone& y = b.nodes[n].zones[i];
      if (!a.spec.config.has_zone(x.type)) continue;  // both boot one machine, so one config
      const std::string at = "Node " + std::to_string(a.nodes[n].id) + " " + std::string(x.name()) + " ";
      const bool movable = x.type == ZoneType::Movable;
      const KernelDiff wm = movable ? KernelDiff::movable_min : KernelDiff::watermarks;
      l.add(at + "spanned", x.spanned_pages, y.spanned_pages, KernelDiff::other);
      l.add(at + "present", x.present_pages, y.present_pages, KernelDiff::other);
      l.add(at + "managed", x.managed_pages, y.managed_pages, KernelDiff::image);
      l.add(at + "free", x.nr_free_pages, y.nr_free_pages, KernelDiff::free_pages);
      l.add(at + "min", x.watermark[WMARK_MIN], y.watermark[WMARK_MIN], wm);
      l.add(at + "low", x.watermark[WMARK_LOW], y.watermark[WMARK_LOW], wm);
      l.add(at + "high", x.watermark[WMARK_HIGH], y.watermark[WMARK_HIGH], wm);
      // 6.1 computes promo but zoneinfo does not print it.
      l.add(at + "promo", "", std::to_string(y.watermark[WMARK_PROMO]), KernelDiff::promo);
      l.add(at + "protection", protection(a.spec.config, x), protection(b.spec.config, y), KernelDiff::watermarks);
      if (!x.populated() || !y.populated()) continue;
      for (size_t c = 0; c < x.pcp.size() && c < y.pcp.size(); ++c) {
        const std::string cpu = at + "cpu " + std::to_string(c) + " pcp ";
        l.add(cpu + "batch", static_cast<u64>(x.pcp[c].batch), static_cast<u64>(y.pcp[c].batch), KernelDiff::batch);
        const PerCpuPages& p = y.pcp[c];
        l.add(cpu + "high", std::to_string(x.pcp[c].high),
              std::to_string(p.high) + " (high_min " + std::to_string(p.high_min) + ", high_max " +
                  std::to_string(p.high_max) + ")",
              KernelDiff::pcp_high);
      }
    }
}

void compare_globals(Lister& l, const Machine& a, const Machine& b) {
  l.add("min_free_kbytes", static_cast<u64>(a.min_free_kbytes), static_cast<u64>(b.min_free_kbytes),
        KernelDiff::watermarks);
  l.add("totalram_pages", a.totalram_pages, b.totalram_pages, KernelDiff::image);
}

// A boot line's key: what it is about, without its figures.
std::string line_key(const std::string& line) {
  for (const char* p : {"Memory:", "Built", "NUMA: Node", "Policy zone"})
    if (line.rfind(p, 0) == 0) return p;
  if (line.rfind("Freeing ", 0) == 0) return line.substr(0, line.find(" memory:"));
  return {};
}

KernelDiff line_reason(const std::string& key) {
  if (key == "Memory:") return KernelDiff::memory_late;
  if (key == "Built") return KernelDiff::total_pages;
  if (key == "NUMA: Node") return KernelDiff::numa_trim;
  if (key.rfind("Freeing ", 0) == 0) return KernelDiff::freeing;
  return KernelDiff::other;
}

void compare_log(Lister& l, const Machine& a, const Machine& b) {
  auto keyed = [](const Machine& m) {
    std::map<std::string, std::vector<std::string>> k;
    for (const std::string& line : m.log)
      if (std::string key = line_key(line); !key.empty()) k[key].push_back(line);
    return k;
  };
  const auto ka = keyed(a), kb = keyed(b);
  std::set<std::string> keys;
  for (const auto& e : ka) keys.insert(e.first);
  for (const auto& e : kb) keys.insert(e.first);
  for (const std::string& key : keys) {
    const auto& la = ka.count(key) ? ka.at(key) : std::vector<std::string>{};
    const auto& lb = kb.count(key) ? kb.at(key) : std::vector<std::string>{};
    for (size_t i = 0; i < std::max(la.size(), lb.size()); ++i)
      l.add("log: " + key, i < la.size() ? la[i] : "", i < lb.size() ? lb[i] : "", line_reason(key));
  }
}

// The zoneinfo field names one profile prints and the other does not.
void compare_fields(Lister& l, const Machine& a, const Machine& b) {
  auto names = [](const Machine& m) {
    std::set<std::string> s;
    const std::string text = proc_zoneinfo(m);
    for (size_t i = 0; i < text.size();) {
      size_t e = text.find('\n', i);
      if (e == std::string::npos) e = text.size();
      const std::string line = text.substr(i, e - i);
      i = e + 1;
      const size_t w = line.find_first_not_of(' ');
      if (w == std::string::npos || line.rfind("Node ", 0) == 0) continue;
      s.insert(line.substr(w, line.find_first_of(" :", w) - w));
    }
    return s;
  };
  const auto na = names(a), nb = names(b);
  for (const std::string& n : nb)
    if (!na.count(n) && n != "promo") l.add("zoneinfo: " + n, "", "(printed)", KernelDiff::counters);
  for (const std::string& n : na)
    if (!nb.count(n)) l.add("zoneinfo: " + n, "(printed)", "", KernelDiff::other);
}

}  // namespace

Expected<std::vector<KernelDifference>> compare_kernels(const MachineSpec& spec) {
  auto a = boot_as(spec, KernelVersion::v6_1);
  if (!a) return a.diag();
  auto b = boot_as(spec, KernelVersion::v6_12);
  if (!b) return b.diag();
  Lister l;
  compare_zones(l, **a, **b);
  compare_globals(l, **a, **b);
  compare_log(l, **a, **b);
  compare_fields(l, **a, **b);
  return std::move(l.out);
}

std::string kernel_differences_json(const std::vector<KernelDifference>& diffs) {
  Json j;
  j.open('[');
  for (const KernelDifference& d : diffs)
    j.open('{')
        .field("what", d.what)
        .field("v6_1", d.v6_1)
        .field("v6_12", d.v6_12)
        .field("why", kernel_diff_code(d.why))
        .close('}');
  j.close(']');
  return j.take();
}

std::string format_kernel_differences(const std::vector<KernelDifference>& diffs, Lang lang) {
  std::string s;
  for (const KernelDifference& d : diffs) {
    auto shown = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
    s += d.what + ": " + shown(d.v6_1) + " -> " + shown(d.v6_12) + "  (" +
         std::string(kernel_diff_words(d.why).in(lang)) + ")\n";
  }
  return s;
}

}  // namespace mm
