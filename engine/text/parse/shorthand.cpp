// The machine shorthand parser (grammar in shorthand.h).
//
//   tokens      "key=value" words, each with the columns of its key and value
//   keys        a table: name -> parser; each parser writes into a Draft
//   machine     from the Draft: RAM checks, qemu's e820 map, the initrd,
//               then the NUMA nodes (sizes, address ranges, CPUs, distances)
//
// A message is written once per concept (a size, a whole number, on/off, a
// list entry) and says which key it is about.
#include "text/parse/shorthand.h"

#include "text/parse/e820_params.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string>

namespace mm {

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

namespace {

constexpr auto npos = std::string_view::npos;
using Problem = std::optional<Diagnostic>;

Diagnostic err(int col, std::string msg) { return Diagnostic{"", 1, col, std::move(msg)}; }

struct Token {
  std::string_view key, value;
  int col;        // column of the key
  int value_col;  // column of the value
};

// What the keys have said, before the machine is built from it.
struct Draft {
  MachineSpec spec;
  u64 ram = 0;
  int ram_col = 0;  // 0: no ram= given
  std::string_view nodes;
  int nodes_col = 0;
  int remote_distance = 20;
  std::vector<std::vector<int>> distance_table;
  int distance_col = 0;
  u64 initrd = 0x14d000;  // Debian's busybox initramfs in the captures
  int e820_col = 0;       // the first mem= or memmap= (0: none)
  int mem_col = 0;        // the first mem=
  // lowmem_reserve_ratio= as given (value, column): one per zone the
  // kernel has, so placed once zone_dma= is known (place_ratios).
  std::vector<std::pair<int, int>> ratios;
};

// ---- shared value helpers ---------------------------------------------------------

// A run of at most max_digits decimal digits, nothing else.
std::optional<u64> whole_number(std::string_view v, size_t max_digits) {
  if (v.empty() || v.size() > max_digits) return std::nullopt;
  u64 n = 0;
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + static_cast<u64>(c - '0');
  }
  return n;
}

// Calls f(piece, offset) for each sep-separated piece of s (an empty s is
// one empty piece); stops at the first problem f reports.
template <class F>
Problem for_each_piece(std::string_view s, char sep, F&& f) {
  for (size_t pos = 0;;) {
    const size_t c = s.find(sep, pos);
    if (Problem p = f(s.substr(pos, c == npos ? npos : c - pos), pos)) return p;
    if (c == npos) return std::nullopt;
    pos = c + 1;
  }
}

Problem need_size(const Token& t, u64& out) {
  const auto v = parse_size(t.value);
  if (!v)
    return err(t.value_col, "bad size '" + std::string(t.value) + "' for " + std::string(t.key) +
                                " (use a number with K, M or G, like 512M)");
  out = *v;
  return std::nullopt;
}

Problem need_int(const Token& t, int& out, int lo, int hi) {
  const auto v = whole_number(t.value, 9);
  if (!v)
    return err(t.value_col,
               "expected a whole number for " + std::string(t.key) + ", got '" + std::string(t.value) + "'");
  const int n = static_cast<int>(*v);
  if (n < lo || n > hi)
    return err(t.value_col, std::string(t.key) + "=" + std::to_string(n) + " is out of range [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "]");
  out = n;
  return std::nullopt;
}

Problem need_bool(const Token& t, bool& out) {
  if (t.value == "on" || t.value == "1" || t.value == "yes")
    out = true;
  else if (t.value == "off" || t.value == "0" || t.value == "no")
    out = false;
  else
    return err(t.value_col, "expected on or off for " + std::string(t.key));
  return std::nullopt;
}

// "0-1", "0+2", "0-1+4": CPUs below ncpus ('+' joins the pieces of one
// node's list); nullopt if malformed.
std::optional<std::vector<int>> parse_cpulist(std::string_view s, unsigned ncpus) {
  std::vector<int> out;
  const Problem bad = for_each_piece(s, '+', [&](std::string_view piece, size_t at) -> Problem {
    if (piece.empty() && at == s.size()) return std::nullopt;  // "" and a trailing '+' name no CPU
    const size_t dash = piece.find('-');
    const auto a = whole_number(dash == npos ? piece : piece.substr(0, dash), 4);
    const auto b = dash == npos ? a : whole_number(piece.substr(dash + 1), 4);
    if (!a || !b || *b < *a || *b >= ncpus) return err(0, "");
    for (u64 c = *a; c <= *b; ++c) out.push_back(static_cast<int>(c));
    return std::nullopt;
  });
  if (bad) return std::nullopt;
  return out;
}

// ---- one parser per key ---------------------------------------------------------------

Problem key_ram(const Token& t, Draft& d) {
  d.ram_col = t.value_col;
  return need_size(t, d.ram);
}

Problem key_cpus(const Token& t, Draft& d) {
  int n = 1;
  Problem p = need_int(t, n, 1, static_cast<int>(MAX_CPUS_MODELLED));
  d.spec.cpus = static_cast<unsigned>(n);
  return p;
}

// Read when the machine is built: node CPU lists need the final CPU count.
Problem key_nodes(const Token& t, Draft& d) {
  d.nodes = t.value;
  d.nodes_col = t.value_col;
  return std::nullopt;
}

// One remote distance, or a whole SLIT: rows separated by ';', entries by ','.
Problem key_distance(const Token& t, Draft& d) {
  if (t.value.find(',') == npos) return need_int(t, d.remote_distance, 11, 254);
  d.distance_col = t.value_col;
  return for_each_piece(t.value, ';', [&](std::string_view row, size_t row_at) {
    std::vector<int>& r = d.distance_table.emplace_back();
    return for_each_piece(row, ',', [&](std::string_view e, size_t at) -> Problem {
      const auto v = whole_number(e, 3);
      if (!v || *v < 10 || *v > 254)
        return err(t.value_col + static_cast<int>(row_at + at),
                   "bad distance '" + std::string(e) + "' (numbers 10..254, rows separated by ';')");
      r.push_back(static_cast<int>(*v));
      return std::nullopt;
    });
  });
}

// Up to one ratio per zone; entries past the last zone are ignored.
Problem key_lowmem_reserve_ratio(const Token& t, Draft& d) {
  size_t k = 0;
  d.ratios.clear();  // given again: the last one holds, as a sysctl write does
  return for_each_piece(t.value, ',', [&](std::string_view e, size_t at) -> Problem {
    if (k >= MAX_NR_ZONES)  // the sysctl is one int per zone type; more would be silently lost
      return err(t.value_col + static_cast<int>(at),
                 "lowmem_reserve_ratio takes at most " + std::to_string(MAX_NR_ZONES) +
                     " entries, one per zone type (DMA DMA32 Normal Movable Device); '" + std::string(e) +
                     "' is one more");
    const auto v = whole_number(e, 9);
    if (!v) return err(t.value_col + static_cast<int>(at), "bad lowmem_reserve_ratio entry '" + std::string(e) + "'");
    d.ratios.push_back({static_cast<int>(*v), t.value_col + static_cast<int>(at)});
    ++k;
    return std::nullopt;
  });
}

// The ratios in the kernel's zone order: DMA DMA32 Normal Movable Device,
// or without ZONE_DMA (zone_dma=off) DMA32 Normal Movable Device, as
// /proc/sys/vm/lowmem_reserve_ratio lists them; a zone type not given
// keeps its default.
Problem place_ratios(Draft& d) {
  const KernelConfig& c = d.spec.config;
  size_t k = 0;
  for (unsigned z = 0; z < MAX_NR_ZONES && k < d.ratios.size(); ++z)
    if (c.has_zone(static_cast<ZoneType>(z))) d.spec.knobs.lowmem_reserve_ratio[z] = d.ratios[k++].first;
  if (k < d.ratios.size())
    return err(d.ratios[k].second, "lowmem_reserve_ratio takes at most " + std::to_string(c.nr_zones()) +
                                       " entries with zone_dma=off, one per zone type (DMA32 Normal Movable "
                                       "Device); '" +
                                       std::to_string(d.ratios[k].first) + "' is one more");
  return std::nullopt;
}

Problem key_percpu_pagelist_high_fraction(const Token& t, Draft& d) {
  int& f = d.spec.knobs.percpu_pagelist_high_fraction;
  if (Problem p = need_int(t, f, 0, 1 << 30)) return p;
  if (f != 0 && f < 8)
    return err(t.value_col,
               "percpu_pagelist_high_fraction must be 0 or at least 8 (MIN_PERCPU_PAGELIST_HIGH_FRACTION)");
  return std::nullopt;
}

// kernelcore= / movablecore= as a size, or as N% of all memory (0% to 100%).
Problem need_core(const Token& t, u64& bytes, u64& percent) {
  if (t.value.empty() || t.value.back() != '%') return need_size(t, bytes);
  const auto v = whole_number(t.value.substr(0, t.value.size() - 1), 3);
  if (!v || *v > 100)
    return err(t.value_col,
               "bad percentage '" + std::string(t.value) + "' for " + std::string(t.key) + " (0% to 100%)");
  percent = *v;
  return std::nullopt;
}

// kernelcore=SIZE|N%|mirror
Problem key_kernelcore(const Token& t, Draft& d) {
  Knobs& k = d.spec.knobs;
  if (t.value == "mirror") {
    k.kernelcore_mirror = true;
    return std::nullopt;
  }
  return need_core(t, k.kernelcore, k.kernelcore_percent);
}

// movablecore=SIZE|N%
Problem key_movablecore(const Token& t, Draft& d) {
  return need_core(t, d.spec.knobs.movablecore, d.spec.knobs.movablecore_percent);
}

// mem= and memmap= as the kernel reads them, in the order given. What the
// kernel would only take with a shrug (a value read as 0, an ignored tail,
// mem=nopentium) is refused here: a description says what it means.
Problem e820_param(const Token& t, Draft& d, const E820ParamRead& r) {
  if (!r.findings.empty()) {
    const E820ParamFinding& f = r.findings.front();
    return err(t.value_col + static_cast<int>(f.pos),
               "bad value '" + std::string(t.value) + "' for " + std::string(t.key) + ": " + f.what);
  }
  if (!d.e820_col) d.e820_col = t.col;
  if (d.spec.e820_edits.size() + r.edits.size() > 64)
    return err(t.col, "more than 64 mem=/memmap= edits are not modelled");
  d.spec.e820_edits.insert(d.spec.e820_edits.end(), r.edits.begin(), r.edits.end());
  return std::nullopt;
}

// mem=SIZE: the kernel's parameter (not the machine's RAM, which is ram=).
Problem key_mem(const Token& t, Draft& d) {
  if (!d.mem_col) d.mem_col = t.col;
  return e820_param(t, d, read_mem_param(t.value));
}

// memmap=exactmap|SIZE@ADDR|SIZE$ADDR|SIZE#ADDR|SIZE!ADDR|SIZE%ADDR-FROM+TO|SIZE[,...]
Problem key_memmap(const Token& t, Draft& d) { return e820_param(t, d, read_memmap_param(t.value)); }

Problem key_initrd(const Token& t, Draft& d) {
  if (Problem p = need_size(t, d.initrd)) return p;
  if (d.initrd > (64ull << 20)) return err(t.value_col, "initrd larger than 64M is not modelled");
  return std::nullopt;
}

// kernel=6.1|6.12: the profile the machine boots with (its image too).
Problem key_kernel(const Token& t, Draft& d) {
  const auto v = kernel_version_by_name(t.value);
  if (!v)
    return err(t.value_col, "kernel=" + std::string(t.value) + " is not modelled: the engine models Linux " +
                                kernel_version_list() + " (kernel=6.1 or kernel=6.12)");
  d.spec.version = *v;
  d.spec.kernel = debian_kernel_image(*v);
  return std::nullopt;
}

// zone_dma=on|off: CONFIG_ZONE_DMA (on in Debian's kernels). Off, the
// kernel has no 16 MiB DMA zone: DMA32 starts at the first RAM page.
Problem key_zone_dma(const Token& t, Draft& d) { return need_bool(t, d.spec.config.zone_dma); }

template <int Knobs::*knob, int lo, int hi>
Problem knob_int(const Token& t, Draft& d) {
  return need_int(t, d.spec.knobs.*knob, lo, hi);
}
template <bool Knobs::*knob>
Problem knob_bool(const Token& t, Draft& d) {
  return need_bool(t, d.spec.knobs.*knob);
}

struct Key {
  std::string_view name;
  Problem (*parse)(const Token&, Draft&);
  bool alias = false;   // another name for the key before it (not listed)
  bool repeat = false;  // may be given again, each in turn (as the kernel takes mem= and memmap=)
};

constexpr std::array kKeys = {
    Key{"ram", key_ram},
    Key{"m", key_ram, true},
    Key{"cpus", key_cpus},
    Key{"smp", key_cpus, true},
    Key{"nodes", key_nodes},
    Key{"distance", key_distance},
    Key{"min_free_kbytes", knob_int<&Knobs::user_min_free_kbytes, 128, 1 << 30>},
    Key{"watermark_scale_factor", knob_int<&Knobs::watermark_scale_factor, 1, 3000>},  // the sysctl's range
    Key{"watermark_boost_factor", knob_int<&Knobs::watermark_boost_factor, 0, 1 << 30>},
    Key{"lowmem_reserve_ratio", key_lowmem_reserve_ratio},
    Key{"percpu_pagelist_high_fraction", key_percpu_pagelist_high_fraction},
    Key{"deferred", knob_bool<&Knobs::deferred_struct_page_init>},
    Key{"thp", knob_bool<&Knobs::transparent_hugepage>},
    Key{"mobility", knob_bool<&Knobs::mobility_grouping>},
    Key{"kernelcore", key_kernelcore},
    Key{"movablecore", key_movablecore},
    Key{"initrd", key_initrd},
    Key{"kernel", key_kernel},
    Key{"zone_dma", key_zone_dma},
    Key{"mem", key_mem, false, true},
    Key{"memmap", key_memmap, false, true},
};

const Key* find_key(std::string_view name) {
  for (const Key& k : kKeys)
    if (k.name == name) return &k;
  return nullptr;
}

// Edits (insert, delete, substitute, swap two neighbours) from a to b.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The known key nearest to a misspelt one, if one is near enough to be a typo.
std::optional<std::string_view> nearest_key(std::string_view typo) {
  std::optional<std::string_view> best;
  size_t best_d = 3;  // more than two edits is not a typo
  for (const Key& k : kKeys) {
    const size_t dist = edit_distance(typo, k.name);
    if (dist < best_d && dist < typo.size()) {
      best = k.name;
      best_d = dist;
    }
  }
  return best;
}

Diagnostic unknown_key(const Token& t) {
  std::string msg = "unknown key '" + std::string(t.key) + "'";
  if (auto near = nearest_key(t.key)) msg += ", did you mean '" + std::string(*near) + "'?";
  msg += " (known:";
  for (std::string_view k : shorthand_keys()) msg += " " + std::string(k);
  return err(t.col, msg + ")");
}

// ---- tokens -----------------------------------------------------------------------------

Expected<std::vector<Token>> tokenize(std::string_view text) {
  std::vector<Token> toks;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view word = text.substr(start, i - start);
    const size_t eq = word.find('=');
    if (eq == npos || eq == 0)
      return err(static_cast<int>(start) + 1, "expected key=value (like ram=1G), got '" + std::string(word) + "'");
    toks.push_back(
        {word.substr(0, eq), word.substr(eq + 1), static_cast<int>(start) + 1, static_cast<int>(start + eq) + 2});
  }
  if (toks.empty()) return err(1, "empty machine description; try 'ram=1G cpus=2'");
  return toks;
}

// Every token to its key's parser; a key given twice is an error.
// The key an alias stands for (mem= and m= are ram=, smp= is cpus=): aliases
// share their key's parser and follow it in kKeys.
const Key& canonical(const Key& k) {
  for (const Key& c : kKeys)
    if (!c.alias && c.parse == k.parse) return c;
  return k;
}

// Every token to its key's parser; a key given twice, under any of its
// names, is an error (`ram=1G mem=2G` would otherwise boot whichever came last).
Problem read_keys(const std::vector<Token>& toks, Draft& d) {
  std::map<std::string_view, std::pair<std::string_view, int>> seen;  // key -> (name written, column)
  for (const Token& t : toks) {
    const Key* k = find_key(t.key);
    if (!k) return unknown_key(t);
    const std::string_view key = canonical(*k).name;
    if (auto it = seen.find(key); it != seen.end() && !k->repeat) {
      const std::string_view first = it->second.first;
      std::string msg = "'" + std::string(t.key) + "'";
      if (t.key != key) msg += " (another name for '" + std::string(key) + "')";
      msg += " given twice (first";
      if (first != t.key) msg += " as '" + std::string(first) + "'";
      return err(t.col, msg + " at column " + std::to_string(it->second.second) + ")");
    }
    seen.emplace(key, std::pair{t.key, t.col});
    if (Problem p = k->parse(t, d)) return p;
  }
  return std::nullopt;
}

// ---- the machine ----------------------------------------------------------------------------

Problem check_ram(Draft& d) {
  if (!d.ram_col)
    return err(1, d.mem_col ? "missing ram=SIZE (for example ram=1G): mem= is the kernel's parameter that limits "
                              "the RAM it uses, the machine's RAM is ram="
                            : "missing ram=SIZE (for example ram=1G)");
  if (!d.distance_table.empty() && d.nodes.empty()) return err(d.distance_col, "a distance table needs nodes=");
  if (d.ram < kMinRamBytes)
    return err(d.ram_col, "ram=" + format_size(d.ram) +
                              " is too small: the kernel image alone sits at 16M-68M, so the model needs at least 96M");
  if (d.ram > kMaxRamBytes)
    return err(d.ram_col,
               "ram=" + format_size(d.ram) + " is too large: the model goes up to " + format_size(kMaxRamBytes));
  d.ram = round_down(d.ram, 1ull << 20);  // qemu rounds -m to whole MiB
  return std::nullopt;
}

// The table the edits leave must be one the kernel boots with and the
// model holds (the same limits as ram=, on the RAM the kernel uses).
Problem check_e820_edits(const Draft& d) {
  if (!d.e820_col) return std::nullopt;
  const E820Setup s = e820_setup(d.spec);
  if (s.invalid)
    return err(d.e820_col,
               "with these mem=/memmap= values the kernel panics (\"Invalid user supplied memory map\"): the map "
               "they leave has fewer than two entries, or one that runs past the top of the address space");
  Phys end = 0;
  u64 usable = 0;
  for (const E820Entry& e : s.table)
    if (e.type == E820Type::Usable) {
      end = std::max(end, e.end());
      usable += e.size;
    }
  if (end < kMinRamBytes)
    return err(d.e820_col, "with mem=/memmap= the kernel's usable RAM ends at " + format_size(end) +
                               ": the kernel image alone sits at 16M-68M, so the model needs it to reach 96M");
  if (usable > kMaxRamBytes)
    return err(d.e820_col, "with mem=/memmap= the kernel has " + format_size(usable) +
                               " of usable RAM; the model goes up to " + format_size(kMaxRamBytes));
  if (end > kMaxPhysAddr)
    return err(d.e820_col, "with mem=/memmap= usable RAM ends at " + format_size(end) +
                               "; the model's page frames reach " + format_size(kMaxPhysAddr) +
                               " of physical address space");
  return std::nullopt;
}

// The boot loader puts the initrd at the top of low RAM, below 2 GiB (the
// kernel's initrd_addr_max) and below the ACPI area.
void place_initrd(Draft& d, u64 below4g) {
  if (!d.initrd) return;
  const u64 initrd_max = std::min<u64>(0x7fffffff, below4g - 0x20000 - 1);
  d.spec.initrd_size = round_up(d.initrd, PAGE_SIZE);
  d.spec.initrd_start = round_down(initrd_max + 1 - d.spec.initrd_size, PAGE_SIZE);
}

// The nodes= value: sizes per node and, for each, an optional CPU list.
struct NodeSizes {
  std::vector<u64> sizes;
  std::vector<std::optional<std::vector<int>>> cpus;
};

// nodes=N: RAM split evenly in whole MiB, the last node takes the rest.
Problem split_evenly(const Draft& d, NodeSizes& out) {
  if (d.nodes.size() > 3) return err(d.nodes_col, "too many nodes");
  const int n = static_cast<int>(*whole_number(d.nodes, 3));
  if (n < 1 || n > static_cast<int>(MAX_NODES_MODELLED))
    return err(d.nodes_col, "nodes must be between 1 and " + std::to_string(MAX_NODES_MODELLED));
  const u64 each = round_down(d.ram / static_cast<u64>(n), 1ull << 20);
  for (int k = 0; k < n; ++k) out.sizes.push_back(k + 1 == n ? d.ram - each * static_cast<u64>(n - 1) : each);
  out.cpus.resize(out.sizes.size());
  return std::nullopt;
}

// nodes=SIZE[:CPUS],...: the sizes must add up to ram=.
Problem split_by_sizes(const Draft& d, NodeSizes& out) {
  Problem p = for_each_piece(d.nodes, ',', [&](std::string_view piece, size_t at) -> Problem {
    const int col = d.nodes_col + static_cast<int>(at);
    const size_t colon = piece.find(':');
    const std::string_view size = piece.substr(0, colon);
    const auto sz = parse_size(size);
    if (!sz) return err(col, "bad node size '" + std::string(size) + "' in nodes=");
    out.sizes.push_back(round_down(*sz, 1ull << 20));
    if (colon != npos) {
      const std::string_view list = piece.substr(colon + 1);
      auto cl = parse_cpulist(list, d.spec.cpus);
      if (!cl)
        return err(col + static_cast<int>(colon) + 1, "bad cpu list '" + std::string(list) + "' (cpus are 0.." +
                                                          std::to_string(d.spec.cpus - 1) + ", like 0-1 or 0+2)");
      out.cpus.push_back(std::move(*cl));
    } else {
      out.cpus.emplace_back();
    }
    if (out.sizes.size() > MAX_NODES_MODELLED) return err(col, "too many nodes");
    return std::nullopt;
  });
  if (p) return p;
  u64 sum = 0;
  for (u64 s : out.sizes) sum += s;
  if (sum != d.ram)
    return err(d.nodes_col, "node sizes add up to " + format_size(sum) + " but ram=" + format_size(d.ram));
  return std::nullopt;
}

// Node memory in address order: low RAM [0, below_4g), then the rest from
// above_4g_start (4G, or 1T on the largest machines), as qemu's SRAT lays
// the nodes out; it leaves the legacy hole 640K..1M out of node 0.
void place_nodes(Draft& d, const std::vector<u64>& sizes, const QemuRamLayout& ram) {
  u64 off = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    NodeSpec ns;
    ns.id = static_cast<int>(k);
    auto push = [&](u64 s, u64 e) {
      if (s >= e) return;
      if (s < 0xa0000 && e > 0x100000) {
        ns.ranges.push_back({s, 0xa0000});
        ns.ranges.push_back({0x100000, e});
      } else {
        ns.ranges.push_back({s, e});
      }
    };
    const u64 start = off, end = off + sizes[k];
    if (start < ram.below_4g && end > ram.below_4g) {
      push(ram.addr(start), ram.below_4g);
      push(ram.above_4g_start, ram.addr(end - 1) + 1);
    } else if (sizes[k]) {
      push(ram.addr(start), ram.addr(end - 1) + 1);
    }
    off = end;
    d.spec.nodes.push_back(ns);
  }
}

// CPUs: the explicit lists (CPUs no list names go to node 0), else qemu's
// default of one socket per node in turn.
Problem assign_cpus(Draft& d, const std::vector<std::optional<std::vector<int>>>& lists) {
  std::vector<NodeSpec>& nodes = d.spec.nodes;
  const unsigned ncpus = d.spec.cpus;
  if (std::none_of(lists.begin(), lists.end(), [](const auto& c) { return c.has_value(); })) {
    for (unsigned c = 0; c < ncpus; ++c) nodes[c % nodes.size()].cpus.push_back(static_cast<int>(c));
    return std::nullopt;
  }
  std::vector<int> owner(ncpus, -1);
  for (size_t k = 0; k < lists.size(); ++k)
    if (lists[k])
      for (int c : *lists[k]) {
        if (owner[static_cast<size_t>(c)] >= 0)
          return err(d.nodes_col, "cpu " + std::to_string(c) + " is given to two nodes");
        owner[static_cast<size_t>(c)] = static_cast<int>(k);
      }
  for (unsigned c = 0; c < ncpus; ++c)
    nodes[owner[c] >= 0 ? static_cast<size_t>(owner[c]) : 0].cpus.push_back(static_cast<int>(c));
  return std::nullopt;
}

// The SLIT: 10 to itself, distance= (or 20) to the others, or the table given.
Problem apply_distances(Draft& d) {
  const size_t n = d.spec.nodes.size();
  d.spec.distance.assign(n, std::vector<int>(n, d.remote_distance));
  for (size_t k = 0; k < n; ++k) d.spec.distance[k][k] = 10;
  if (d.distance_table.empty()) return std::nullopt;
  bool square = d.distance_table.size() == n;
  for (const auto& r : d.distance_table) square = square && r.size() == n;
  if (!square)
    return err(d.distance_col, "the distance table must be " + std::to_string(n) + "x" + std::to_string(n) + " for " +
                                   std::to_string(n) + " nodes");
  for (size_t k = 0; k < n; ++k)
    if (d.distance_table[k][k] != 10) return err(d.distance_col, "a node's distance to itself must be 10");
  d.spec.distance = d.distance_table;
  return std::nullopt;
}

// nodes=: sizes, address ranges, CPUs, distances. A single node is what
// "no NUMA" gives too.
Problem build_nodes(Draft& d, const QemuRamLayout& ram) {
  if (d.nodes.empty()) return std::nullopt;
  NodeSizes ns;
  const bool is_count =
      std::all_of(d.nodes.begin(), d.nodes.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (Problem p = is_count ? split_evenly(d, ns) : split_by_sizes(d, ns)) return p;
  place_nodes(d, ns.sizes, ram);
  if (Problem p = assign_cpus(d, ns.cpus)) return p;
  if (Problem p = apply_distances(d)) return p;
  if (d.spec.nodes.size() == 1) {
    d.spec.nodes.clear();
    d.spec.distance.clear();
  } else if (d.spec.nodes[0].ranges.empty()) {
    return err(d.nodes_col, "node 0 must have memory (the kernel and the first 1M live there)");
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string_view> shorthand_keys() {
  std::vector<std::string_view> out;
  for (const Key& k : kKeys)
    if (!k.alias) out.push_back(k.name);
  return out;
}

Expected<MachineSpec> parse_shorthand(std::string_view text) {
  auto toks = tokenize(text);
  if (!toks) return toks.diag();
  Draft d;
  if (Problem p = read_keys(*toks, d)) return *p;
  if (Problem p = place_ratios(d)) return *p;
  if (Problem p = check_ram(d)) return *p;
  const QemuRamLayout ram = qemu_pc_ram_layout(d.ram);
  d.spec.e820 = qemu_pc_e820(d.ram);
  if (Problem p = check_e820_edits(d)) return *p;
  d.spec.description = std::string(text);
  place_initrd(d, ram.below_4g);
  if (Problem p = build_nodes(d, ram)) return *p;
  return std::move(d.spec);
}

}  // namespace mm
