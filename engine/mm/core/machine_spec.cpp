// Machine descriptions: the qemu pc e820 map and the shorthand parser.
#include "mm/core/machine_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

namespace mm {

std::string_view e820_type_name(E820Type t) {
  switch (t) {
    case E820Type::Usable: return "usable";
    case E820Type::Reserved: return "reserved";
    case E820Type::ACPI: return "ACPI data";
    case E820Type::NVS: return "ACPI NVS";
    case E820Type::Unusable: return "unusable";
  }
  return "reserved";
}

int MachineSpec::node_distance(int a, int b) const {
  if (a >= 0 && b >= 0 && static_cast<size_t>(a) < distance.size() &&
      static_cast<size_t>(b) < distance[static_cast<size_t>(a)].size())
    return distance[static_cast<size_t>(a)][static_cast<size_t>(b)];
  return a == b ? 10 : 20;  // LOCAL_DISTANCE / REMOTE_DISTANCE
}

u64 MachineSpec::usable_bytes() const {
  u64 n = 0;
  for (const E820Entry& e : e820)
    if (e.type == E820Type::Usable) n += e.size;
  return n;
}

std::optional<u64> parse_size(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  u64 whole = 0;
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (whole > (~u64{0}) / 10 - 10) return std::nullopt;
    whole = whole * 10 + static_cast<u64>(s[i] - '0');
    ++i;
    digits = true;
  }
  u64 frac_num = 0, frac_den = 1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (frac_den > 1000000) return std::nullopt;
      frac_num = frac_num * 10 + static_cast<u64>(s[i] - '0');
      frac_den *= 10;
      ++i;
      digits = true;
    }
  }
  if (!digits) return std::nullopt;
  u64 mult = 1;
  if (i < s.size()) {
    switch (std::toupper(static_cast<unsigned char>(s[i]))) {
      case 'K': mult = 1ull << 10; break;
      case 'M': mult = 1ull << 20; break;
      case 'G': mult = 1ull << 30; break;
      case 'T': mult = 1ull << 40; break;
      default: return std::nullopt;
    }
    ++i;
    if (i < s.size() && (s[i] == 'i' || s[i] == 'I')) ++i;  // accept "GiB"
    if (i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;
  }
  if (i != s.size()) return std::nullopt;
  if (whole > (~u64{0}) / mult) return std::nullopt;
  return whole * mult + frac_num * mult / frac_den;
}

std::string format_size(u64 bytes) {
  const char* units[] = {"", "K", "M", "G", "T"};
  int u = 0;
  while (u < 4 && bytes && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + units[u];
}

// qemu 7.2 pc (i440FX) with SeaBIOS: RAM below 4 GiB up to 3.5 GiB; when it
// does not fit, the split moves to 3 GiB (gigabyte alignment) and the rest
// goes above 4 GiB. SeaBIOS keeps 128 KiB at the top of low RAM for ACPI
// tables and reports the EBDA, the BIOS ROM and the HyperTransport hole.
std::vector<E820Entry> qemu_pc_e820(u64 ram, u64* below_4g_out) {
  constexpr u64 kMaxRamBelow4g = 0xe0000000ull;
  u64 lowmem = kMaxRamBelow4g;
  if (ram >= kMaxRamBelow4g) lowmem = 0xc0000000ull;
  u64 below = ram >= lowmem ? lowmem : ram;
  u64 above = ram >= lowmem ? ram - lowmem : 0;
  if (below_4g_out) *below_4g_out = below;
  std::vector<E820Entry> m;
  m.push_back({0, 0x9fc00, E820Type::Usable});
  m.push_back({0x9fc00, 0x400, E820Type::Reserved});
  m.push_back({0xf0000, 0x10000, E820Type::Reserved});
  m.push_back({0x100000, below - 0x20000 - 0x100000, E820Type::Usable});
  m.push_back({below - 0x20000, 0x20000, E820Type::Reserved});
  m.push_back({0xfffc0000ull, 0x40000, E820Type::Reserved});
  if (above) m.push_back({1ull << 32, above, E820Type::Usable});
  m.push_back({0xfd00000000ull, 0x300000000ull, E820Type::Reserved});
  return m;
}

namespace {

struct Token {
  std::string_view key, value;
  int col;        // column of the key
  int value_col;  // column of the value
};

Diagnostic err(int col, std::string msg) { return Diagnostic{"", 1, col, std::move(msg)}; }

std::optional<std::vector<int>> parse_cpulist(std::string_view s, unsigned ncpus) {
  std::vector<int> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find('+', i);  // '+' separates pieces inside one node's list
    std::string_view piece = s.substr(i, j == std::string_view::npos ? s.size() - i : j - i);
    size_t dash = piece.find('-');
    auto num = [](std::string_view v) -> std::optional<int> {
      if (v.empty() || v.size() > 4) return std::nullopt;
      int n = 0;
      for (char c : v) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        n = n * 10 + (c - '0');
      }
      return n;
    };
    auto a = num(dash == std::string_view::npos ? piece : piece.substr(0, dash));
    auto b = dash == std::string_view::npos ? a : num(piece.substr(dash + 1));
    if (!a || !b || *b < *a || static_cast<unsigned>(*b) >= ncpus) return std::nullopt;
    for (int c = *a; c <= *b; ++c) out.push_back(c);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

}  // namespace

// Grammar: whitespace-separated key=value pairs.
//   ram=SIZE              total RAM (qemu -m)
//   cpus=N                CPU count (qemu -smp)
//   nodes=N | SIZE[:CPUS],SIZE[:CPUS],...   NUMA nodes (even split, or sizes
//                         with optional cpu lists like 0-1 or 0+2; size 0 is
//                         a memoryless node)
//   distance=N | 10,20;20,10   remote node distance, or the whole SLIT table
//   min_free_kbytes=N watermark_scale_factor=N lowmem_reserve_ratio=A,B,C
//   percpu_pagelist_high_fraction=N  deferred=on|off  thp=on|off
//   mobility=on|off       kernelcore=SIZE|N%|mirror movablecore=SIZE|N%  initrd=SIZE
Expected<MachineSpec> parse_shorthand(std::string_view text) {
  std::vector<Token> toks;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view word = text.substr(start, i - start);
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return err(static_cast<int>(start) + 1,
                 "expected key=value (like ram=1G), got '" + std::string(word) + "'");
    toks.push_back({word.substr(0, eq), word.substr(eq + 1), static_cast<int>(start) + 1,
                    static_cast<int>(start + eq) + 2});
  }
  if (toks.empty()) return err(1, "empty machine description; try 'ram=1G cpus=2'");

  MachineSpec spec;
  u64 ram = 0;
  int ram_col = 0;
  std::string nodes_value;
  int nodes_col = 0;
  int remote_distance = 20;
  std::vector<std::vector<int>> distance_matrix;
  int distance_col = 0;
  u64 initrd = 0x14d000;  // Debian's busybox initramfs in the captures
  std::map<std::string, int, std::less<>> seen;
  for (const Token& t : toks) {
    if (seen.count(t.key))
      return err(t.col, "'" + std::string(t.key) + "' given twice (first at column " +
                            std::to_string(seen.find(t.key)->second) + ")");
    seen.emplace(std::string(t.key), t.col);
    auto need_size = [&](u64& out) -> std::optional<Diagnostic> {
      auto v = parse_size(t.value);
      if (!v)
        return err(t.value_col, "bad size '" + std::string(t.value) + "' for " + std::string(t.key) +
                                    " (use a number with K, M or G, like 512M)");
      out = *v;
      return std::nullopt;
    };
    // kernelcore= / movablecore=: a size, or a percentage of all memory.
    auto need_core = [&](u64& bytes, u64& percent) -> std::optional<Diagnostic> {
      if (t.value.empty() || t.value.back() != '%') return need_size(bytes);
      std::string_view v = t.value.substr(0, t.value.size() - 1);
      if (v.empty() || v.size() > 3 ||
          !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
          std::stoi(std::string(v)) > 100)
        return err(t.value_col, "bad percentage '" + std::string(t.value) + "' for " + std::string(t.key) +
                                    " (0% to 100%)");
      percent = static_cast<u64>(std::stoi(std::string(v)));
      return std::nullopt;
    };
    auto need_int = [&](int& out, int lo, int hi) -> std::optional<Diagnostic> {
      std::string_view v = t.value;
      if (v.empty() || v.size() > 9 ||
          !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return err(t.value_col, "expected a whole number for " + std::string(t.key) + ", got '" +
                                    std::string(v) + "'");
      int n = std::stoi(std::string(v));
      if (n < lo || n > hi)
        return err(t.value_col, std::string(t.key) + "=" + std::to_string(n) + " is out of range [" +
                                    std::to_string(lo) + ", " + std::to_string(hi) + "]");
      out = n;
      return std::nullopt;
    };
    auto need_bool = [&](bool& out) -> std::optional<Diagnostic> {
      if (t.value == "on" || t.value == "1" || t.value == "yes") out = true;
      else if (t.value == "off" || t.value == "0" || t.value == "no") out = false;
      else return err(t.value_col, "expected on or off for " + std::string(t.key));
      return std::nullopt;
    };
    std::optional<Diagnostic> d;
    if (t.key == "ram" || t.key == "mem" || t.key == "m") {
      d = need_size(ram);
      ram_col = t.value_col;
    } else if (t.key == "cpus" || t.key == "smp") {
      int n = 1;
      d = need_int(n, 1, static_cast<int>(MAX_CPUS_MODELLED));
      spec.cpus = static_cast<unsigned>(n);
    } else if (t.key == "nodes") {
      nodes_value = std::string(t.value);
      nodes_col = t.value_col;
    } else if (t.key == "distance") {
      if (t.value.find(',') == std::string_view::npos) {
        d = need_int(remote_distance, 11, 254);
      } else {
        // A full SLIT: rows separated by ';', entries by ','.
        size_t pos = 0;
        while (pos <= t.value.size() && !d) {
          size_t semi = t.value.find(';', pos);
          std::string_view row = t.value.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
          std::vector<int> r;
          size_t q = 0;
          while (q <= row.size()) {
            size_t c = row.find(',', q);
            std::string_view e = row.substr(q, c == std::string_view::npos ? std::string_view::npos : c - q);
            if (e.empty() || e.size() > 3 ||
                !std::all_of(e.begin(), e.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) ||
                std::stoi(std::string(e)) < 10 || std::stoi(std::string(e)) > 254) {
              d = err(t.value_col + static_cast<int>(pos + q),
                      "bad distance '" + std::string(e) + "' (numbers 10..254, rows separated by ';')");
              break;
            }
            r.push_back(std::stoi(std::string(e)));
            if (c == std::string_view::npos) break;
            q = c + 1;
          }
          distance_matrix.push_back(r);
          if (semi == std::string_view::npos) break;
          pos = semi + 1;
        }
        distance_col = t.value_col;
      }
    } else if (t.key == "min_free_kbytes") {
      d = need_int(spec.knobs.user_min_free_kbytes, 128, 1 << 30);
    } else if (t.key == "watermark_scale_factor") {
      d = need_int(spec.knobs.watermark_scale_factor, 1, 3000);  // the sysctl's range
    } else if (t.key == "watermark_boost_factor") {
      d = need_int(spec.knobs.watermark_boost_factor, 0, 1 << 30);
    } else if (t.key == "percpu_pagelist_high_fraction") {
      d = need_int(spec.knobs.percpu_pagelist_high_fraction, 0, 1 << 30);
      if (!d && spec.knobs.percpu_pagelist_high_fraction != 0 &&
          spec.knobs.percpu_pagelist_high_fraction < 8)
        d = err(t.value_col, "percpu_pagelist_high_fraction must be 0 or at least 8 (MIN_PERCPU_PAGELIST_HIGH_FRACTION)");
    } else if (t.key == "lowmem_reserve_ratio") {
      std::string_view v = t.value;
      size_t k = 0, pos = 0;
      while (pos <= v.size() && k < MAX_NR_ZONES) {
        size_t c = v.find(',', pos);
        std::string_view p = v.substr(pos, c == std::string_view::npos ? v.size() - pos : c - pos);
        if (p.empty() || p.size() > 9 ||
            !std::all_of(p.begin(), p.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
          d = err(t.value_col + static_cast<int>(pos), "bad lowmem_reserve_ratio entry '" + std::string(p) + "'");
          break;
        }
        spec.knobs.lowmem_reserve_ratio[k++] = std::stoi(std::string(p));
        if (c == std::string_view::npos) break;
        pos = c + 1;
      }
    } else if (t.key == "deferred") {
      d = need_bool(spec.knobs.deferred_struct_page_init);
    } else if (t.key == "thp") {
      d = need_bool(spec.knobs.transparent_hugepage);
    } else if (t.key == "mobility") {
      d = need_bool(spec.knobs.mobility_grouping);
    } else if (t.key == "kernelcore" && t.value == "mirror") {
      spec.knobs.kernelcore_mirror = true;
    } else if (t.key == "kernelcore") {
      d = need_core(spec.knobs.kernelcore, spec.knobs.kernelcore_percent);
    } else if (t.key == "movablecore") {
      d = need_core(spec.knobs.movablecore, spec.knobs.movablecore_percent);
    } else if (t.key == "initrd") {
      d = need_size(initrd);
      if (!d && initrd > (64ull << 20)) d = err(t.value_col, "initrd larger than 64M is not modelled");
    } else {
      return err(t.col, "unknown key '" + std::string(t.key) +
                            "' (known: ram cpus nodes distance min_free_kbytes watermark_scale_factor "
                            "watermark_boost_factor lowmem_reserve_ratio percpu_pagelist_high_fraction "
                            "deferred thp mobility kernelcore movablecore initrd)");
    }
    if (d) return *d;
  }
  if (!ram_col) return err(1, "missing ram=SIZE (for example ram=1G)");
  if (!distance_matrix.empty() && nodes_value.empty())
    return err(distance_col, "a distance table needs nodes=");
  if (ram < kMinRamBytes)
    return err(ram_col, "ram=" + format_size(ram) + " is too small: the kernel image alone sits at 16M-68M, so the model needs at least 96M");
  if (ram > kMaxRamBytes)
    return err(ram_col, "ram=" + format_size(ram) + " is too large: the model goes up to 64G");
  ram = round_down(ram, 1ull << 20);  // qemu rounds -m to whole MiB

  u64 below4g = 0;
  spec.e820 = qemu_pc_e820(ram, &below4g);
  spec.description = std::string(text);
  // The boot loader puts the initrd at the top of low RAM, below 2 GiB
  // (the kernel's initrd_addr_max) and below the ACPI area.
  if (initrd) {
    u64 initrd_max = std::min<u64>(0x7fffffff, below4g - 0x20000 - 1);
    spec.initrd_size = round_up(initrd, PAGE_SIZE);
    spec.initrd_start = round_down(initrd_max + 1 - spec.initrd_size, PAGE_SIZE);
  }

  if (!nodes_value.empty()) {
    // Either a count or a list of sizes.
    std::vector<u64> sizes;
    std::vector<std::optional<std::vector<int>>> cpus;
    bool is_count = std::all_of(nodes_value.begin(), nodes_value.end(),
                                [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (is_count) {
      if (nodes_value.size() > 3) return err(nodes_col, "too many nodes");
      int n = std::stoi(nodes_value);
      if (n < 1 || n > static_cast<int>(MAX_NODES_MODELLED))
        return err(nodes_col, "nodes must be between 1 and " + std::to_string(MAX_NODES_MODELLED));
      u64 each = round_down(ram / static_cast<u64>(n), 1ull << 20);
      for (int k = 0; k < n; ++k) sizes.push_back(k + 1 == n ? ram - each * static_cast<u64>(n - 1) : each);
      cpus.resize(sizes.size());
    } else {
      size_t pos = 0;
      while (pos <= nodes_value.size()) {
        size_t c = nodes_value.find(',', pos);
        std::string piece = nodes_value.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
        int col = nodes_col + static_cast<int>(pos);
        size_t colon = piece.find(':');
        auto sz = parse_size(piece.substr(0, colon));
        if (!sz) return err(col, "bad node size '" + piece.substr(0, colon) + "' in nodes=");
        sizes.push_back(round_down(*sz, 1ull << 20));
        if (colon != std::string::npos) {
          auto cl = parse_cpulist(std::string_view(piece).substr(colon + 1), spec.cpus);
          if (!cl)
            return err(col + static_cast<int>(colon) + 1,
                       "bad cpu list '" + piece.substr(colon + 1) + "' (cpus are 0.." +
                           std::to_string(spec.cpus - 1) + ", like 0-1 or 0+2)");
          cpus.push_back(*cl);
        } else {
          cpus.emplace_back();
        }
        if (sizes.size() > MAX_NODES_MODELLED) return err(col, "too many nodes");
        if (c == std::string::npos) break;
        pos = c + 1;
      }
      u64 sum = 0;
      for (u64 s : sizes) sum += s;
      if (sum != ram)
        return err(nodes_col, "node sizes add up to " + format_size(sum) + " but ram=" + format_size(ram));
    }
    // Address space of RAM: low RAM [0, below4g) then [4G, 4G + above).
    auto ram_addr = [&](u64 off) { return off < below4g ? off : (1ull << 32) + (off - below4g); };
    u64 off = 0;
    for (size_t k = 0; k < sizes.size(); ++k) {
      NodeSpec ns;
      ns.id = static_cast<int>(k);
      u64 start = off, end = off + sizes[k];
      // qemu's SRAT leaves the legacy hole 640K..1M out of node 0.
      auto push = [&](u64 s, u64 e) {
        if (s >= e) return;
        if (s < 0xa0000 && e > 0x100000) {
          ns.ranges.push_back({s, 0xa0000});
          ns.ranges.push_back({0x100000, e});
        } else {
          ns.ranges.push_back({s, e});
        }
      };
      if (start < below4g && end > below4g) {
        push(ram_addr(start), below4g);
        push(1ull << 32, ram_addr(end - 1) + 1);
      } else if (sizes[k]) {
        push(ram_addr(start), ram_addr(end - 1) + 1);
      }
      off = end;
      spec.nodes.push_back(ns);
    }
    // CPUs: explicit lists, else qemu's default of one socket per node in turn.
    bool explicit_cpus = std::any_of(cpus.begin(), cpus.end(), [](const auto& c) { return c.has_value(); });
    if (explicit_cpus) {
      std::vector<int> owner(spec.cpus, -1);
      for (size_t k = 0; k < cpus.size(); ++k)
        if (cpus[k])
          for (int c : *cpus[k]) {
            if (owner[static_cast<size_t>(c)] >= 0)
              return err(nodes_col, "cpu " + std::to_string(c) + " is given to two nodes");
            owner[static_cast<size_t>(c)] = static_cast<int>(k);
          }
      for (unsigned c = 0; c < spec.cpus; ++c)
        spec.nodes[owner[c] >= 0 ? static_cast<size_t>(owner[c]) : 0].cpus.push_back(static_cast<int>(c));
    } else {
      for (unsigned c = 0; c < spec.cpus; ++c) spec.nodes[c % spec.nodes.size()].cpus.push_back(static_cast<int>(c));
    }
    size_t n = spec.nodes.size();
    spec.distance.assign(n, std::vector<int>(n, remote_distance));
    for (size_t k = 0; k < n; ++k) spec.distance[k][k] = 10;
    if (!distance_matrix.empty()) {
      bool square = distance_matrix.size() == n;
      for (const auto& r : distance_matrix) square = square && r.size() == n;
      if (!square)
        return err(distance_col, "the distance table must be " + std::to_string(n) + "x" + std::to_string(n) +
                                     " for " + std::to_string(n) + " nodes");
      for (size_t k = 0; k < n; ++k)
        if (distance_matrix[k][k] != 10) return err(distance_col, "a node's distance to itself must be 10");
      spec.distance = distance_matrix;
    }
    if (n == 1) {
      spec.nodes.clear();  // a single node is what "no NUMA" gives too
      spec.distance.clear();
    } else if (spec.nodes[0].ranges.empty()) {
      return err(nodes_col, "node 0 must have memory (the kernel and the first 1M live there)");
    }
  }
  return spec;
}

}  // namespace mm
