// The dmesg importer: two passes over the log. The first learns the machine
// (e820, NUMA, CPUs, kernel image sizes, initrd); the second turns memblock
// and boot-milestone lines into BootOps in log order.
#include "text/parse/dmesg.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace mm {

namespace {

struct Line {
  int no = 0;      // 1-based line number
  int offset = 0;  // column offset of `body` within the raw line
  std::string_view body;
};

// Strips "<6>" levels and "[    0.123456] " timestamps.
Line split_line(std::string_view raw, int no) {
  Line l{no, 0, raw};
  auto drop = [&](size_t n) {
    l.body.remove_prefix(n);
    l.offset += static_cast<int>(n);
  };
  if (!l.body.empty() && l.body.back() == '\r') l.body.remove_suffix(1);
  if (l.body.size() > 2 && l.body[0] == '<') {
    size_t e = l.body.find('>');
    if (e != std::string_view::npos && e < 5) drop(e + 1);
  }
  if (!l.body.empty() && l.body[0] == '[') {
    size_t e = l.body.find(']');
    if (e != std::string_view::npos && e < 24) {
      drop(e + 1);
      if (!l.body.empty() && l.body[0] == ' ') drop(1);
    }
  }
  return l;
}

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

class Parser {
 public:
  Parser(const Line& l, std::string_view source) : l_(l), source_(source) {}

  Diagnostic error(size_t pos, std::string msg) const {
    return Diagnostic{std::string(source_), l_.no, l_.offset + static_cast<int>(pos) + 1, std::move(msg)};
  }
  // Parses a hex number (with or without 0x) at pos; advances pos.
  std::optional<u64> hex(size_t& pos) const {
    std::string_view b = l_.body;
    if (b.substr(pos, 2) == "0x" || b.substr(pos, 2) == "0X") pos += 2;
    u64 v = 0;
    size_t start = pos;
    while (pos < b.size() && std::isxdigit(static_cast<unsigned char>(b[pos]))) {
      if (v >> 60) return std::nullopt;  // would overflow 64 bits
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(b[pos])));
      v = v * 16 + static_cast<u64>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++pos;
    }
    if (pos == start) return std::nullopt;
    return v;
  }
  std::optional<u64> dec(size_t& pos) const {
    std::string_view b = l_.body;
    u64 v = 0;
    size_t start = pos;
    while (pos < b.size() && std::isdigit(static_cast<unsigned char>(b[pos]))) {
      if (v > (~u64{0}) / 10 - 10) return std::nullopt;
      v = v * 10 + static_cast<u64>(b[pos] - '0');
      ++pos;
    }
    if (pos == start) return std::nullopt;
    return v;
  }
  // "[0x...-0x...]" or "[mem 0x...-0x...]" at or after pos: inclusive range.
  Expected<std::pair<u64, u64>> range(size_t pos) const {
    std::string_view b = l_.body;
    size_t open = b.find('[', pos);
    if (open == std::string_view::npos) return error(pos, "expected an address range like [0x1000-0x1fff]");
    size_t p = open + 1;
    if (b.substr(p, 4) == "mem ") p += 4;
    size_t at = p;
    auto a = hex(p);
    if (!a) return error(at, "expected a hex start address");
    if (p >= b.size() || b[p] != '-') return error(p, "expected '-' between the two addresses");
    ++p;
    at = p;
    auto e = hex(p);
    if (!e) return error(at, "expected a hex end address");
    if (p >= b.size() || b[p] != ']') return error(p, "expected ']' after the range");
    if (*e < *a) return error(at, "the range ends before it starts");
    return std::make_pair(*a, *e);
  }
  // value of "key=" as hex or decimal (signed for nid).
  std::optional<long long> field(std::string_view key, bool is_hex, size_t* where = nullptr) const {
    std::string_view b = l_.body;
    size_t k = b.find(key);
    if (k == std::string_view::npos) return std::nullopt;
    size_t p = k + key.size();
    if (where) *where = p;
    bool neg = false;
    if (!is_hex && p < b.size() && b[p] == '-') {
      neg = true;
      ++p;
    }
    auto v = is_hex ? hex(p) : dec(p);
    if (!v || *v > (1ull << 62)) return std::nullopt;
    return neg ? -static_cast<long long>(*v) : static_cast<long long>(*v);
  }
  std::string_view body() const { return l_.body; }
  int line_no() const { return l_.no; }

 private:
  const Line& l_;
  std::string_view source_;
};

std::string caller_of(std::string_view body) {
  size_t sp = body.rfind(' ');
  if (sp == std::string_view::npos) return {};
  std::string_view c = body.substr(sp + 1);
  if (c.empty() || c[0] == '[' || c.find('+') == std::string_view::npos) return {};
  return std::string(c);
}

std::optional<E820Type> e820_type(std::string_view s) {
  if (starts(s, "usable")) return E820Type::Usable;
  if (starts(s, "reserved")) return E820Type::Reserved;
  if (starts(s, "ACPI data")) return E820Type::ACPI;
  if (starts(s, "ACPI NVS")) return E820Type::NVS;
  if (starts(s, "unusable")) return E820Type::Unusable;
  if (starts(s, "persistent") || starts(s, "soft reserved") || starts(s, "type")) return E820Type::Reserved;
  return std::nullopt;
}

// ---- the kernel command line --------------------------------------------------

// One parameter as the kernel splits the command line: `param` or
// `param=value`, double quotes allowed around spaces. `value` is empty and
// has_value false for a bare `param` (the kernel passes a NULL value).
// Positions index the line body.
struct CmdlineParam {
  std::string_view param, value;
  bool has_value = false;
  size_t pos = 0, value_pos = 0;
};

bool is_cmdline_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// '-' and '_' are the same in parameter names. kernel: parameq()
bool parameq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
    if (x != y) return false;
  }
  return true;
}

// The early parameters of `body` from `start` on, split as the kernel
// splits them; a bare "--" ends them (the rest is for init).
// kernel: parse_args() -> next_arg()
std::vector<CmdlineParam> split_cmdline(std::string_view body, size_t start) {
  std::vector<CmdlineParam> out;
  size_t a = start;
  while (a < body.size() && is_cmdline_space(body[a])) ++a;
  while (a < body.size()) {
    bool quoted = false, in_quote = false;
    if (body[a] == '"') {
      ++a;
      quoted = in_quote = true;
    }
    size_t i = a, equals = 0;
    for (; i < body.size(); ++i) {
      if (is_cmdline_space(body[i]) && !in_quote) break;
      if (equals == 0 && body[i] == '=') equals = i - a;
      if (body[i] == '"') in_quote = !in_quote;
    }
    size_t end = i;  // one past the last character of this parameter
    if (quoted && end > a && body[end - 1] == '"') --end;
    CmdlineParam p;
    p.pos = a;
    if (!equals) {
      p.param = body.substr(a, end - a);
    } else {
      p.param = body.substr(a, equals);
      p.has_value = true;
      size_t v = a + equals + 1;
      if (v < body.size() && body[v] == '"') {
        ++v;
        if (!quoted && end > v && body[end - 1] == '"') --end;  // quotes around the value are not part of it
      }
      p.value_pos = v;
      p.value = body.substr(v, end > v ? end - v : 0);
    }
    if (!p.has_value && p.param == "--") break;
    out.push_back(p);
    a = i;
    while (a < body.size() && is_cmdline_space(body[a])) ++a;
  }
  return out;
}

// What the kernel reads from a kernelcore= / movablecore= value: a number
// as simple_strtoull(p, &end, 0) reads it (0x hex, leading 0 octal, no sign,
// silently wrapping), then either '%' or one memparse suffix K M G T P E.
// Whatever follows is ignored without a word. kernel: cmdline_parse_core()
struct CoreValue {
  bool percent = false;
  u64 value = 0;    // bytes, or the percentage
  size_t used = 0;  // characters the kernel looked at
  bool digits = false;
};

CoreValue parse_core_value(std::string_view v) {
  CoreValue r;
  size_t i = 0;
  unsigned base = 10;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  if (!v.empty() && v[0] == '0') {  // kernel: _parse_integer_fixup_radix()
    base = 8;
    if (v.size() > 2 && lower(v[1]) == 'x' && std::isxdigit(static_cast<unsigned char>(v[2]))) {
      base = 16;
      i = 2;
    }
  }
  for (; i < v.size(); ++i) {
    const char c = lower(v[i]);
    unsigned d = 0;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<unsigned>(c - 'a' + 10);
    else
      break;
    if (d >= base) break;
    r.value = r.value * base + d;  // wraps, as _parse_integer_limit's result does
    r.digits = true;
  }
  if (i < v.size() && v[i] == '%') {
    r.percent = true;
    r.used = i + 1;
    return r;
  }
  unsigned shift = 0;
  if (i < v.size()) {
    switch (lower(v[i])) {  // kernel: memparse()
      case 'e': shift = 60; break;
      case 'p': shift = 50; break;
      case 't': shift = 40; break;
      case 'g': shift = 30; break;
      case 'm': shift = 20; break;
      case 'k': shift = 10; break;
      default: break;
    }
    if (shift) ++i;
  }
  r.value <<= shift;
  r.used = i;
  return r;
}

// The parameters of the command line that the model boots with:
// kernelcore=, movablecore=, numa=off, transparent_hugepage=. Bad values
// are not errors: the kernel takes them as it reads them (for kernelcore=
// and movablecore= cmdline_parse_core() returns 0 whatever the value, so not
// even "Malformed early option" is printed) and boots on, and so does the
// importer, leaving a note that says what the kernel made of the value.
class CmdlineParams {
 public:
  CmdlineParams(const Line& l, std::string_view source) : l_(l), source_(source) {}

  void apply(size_t start, MachineSpec& spec, bool& numa_off, std::vector<std::string>& notes) {
    for (const CmdlineParam& p : split_cmdline(l_.body, start)) {
      if (parameq(p.param, "kernelcore"))
        kernelcore(p, spec.knobs, notes);
      else if (parameq(p.param, "movablecore"))
        movablecore(p, spec.knobs, notes);
      else if (parameq(p.param, "numa") && p.has_value && p.value.substr(0, 3) == "off")
        numa_off = true;  // kernel: numa_setup()
      else if (parameq(p.param, "transparent_hugepage") && p.has_value)
        transparent_hugepage(p, spec.knobs, notes);
    }
  }

 private:
  // "FILE:LINE:COL" of a position in the line body.
  std::string where(size_t pos) const {
    return std::string(source_) + ":" + std::to_string(l_.no) + ":" +
           std::to_string(l_.offset + static_cast<int>(pos) + 1);
  }
  std::string note(const CmdlineParam& p, size_t pos, const std::string& what) const {
    std::string text(p.param);
    if (p.has_value) text += "=" + std::string(p.value);
    return "mm-playground: " + where(pos) + ": " + text + ": " + what;
  }

  // kernel: cmdline_parse_kernelcore()
  void kernelcore(const CmdlineParam& p, Knobs& k, std::vector<std::string>& notes) {
    if (!p.has_value) {
      // 6.1 hands the missing value to parse_option_str(), which reads
      // through the NULL pointer: such a kernel does not get past this.
      notes.push_back(note(p, p.pos,
                           "without a value 6.1 dereferences a NULL pointer in parse_option_str() and "
                           "cannot boot; the model ignores the parameter"));
      return;
    }
    if (has_option(p.value, "mirror")) {
      k.kernelcore_mirror = true;
      notes.push_back(note(p, p.value_pos,
                           "no memory of this machine is mirrored (only an EFI memory map marks mirrors), so, as in "
                           "6.1, all memory from 4G up becomes ZONE_MOVABLE and the kernel warns about "
                           "unmirrored kernel memory"));
      return;
    }
    core(p, k.kernelcore, k.kernelcore_percent, notes);
  }

  // kernel: cmdline_parse_movablecore()
  void movablecore(const CmdlineParam& p, Knobs& k, std::vector<std::string>& notes) {
    if (!p.has_value) {
      notes.push_back(note(p, p.pos,
                           "without a value the kernel prints \"Malformed early option 'movablecore'\" "
                           "and ignores it"));
      return;
    }
    core(p, k.movablecore, k.movablecore_percent, notes);
  }

  // A size sets the bytes and clears the percentage; a percentage leaves the
  // bytes alone, as cmdline_parse_core() does with the kernel's two variables.
  void core(const CmdlineParam& p, u64& bytes, u64& percent, std::vector<std::string>& notes) {
    const CoreValue v = parse_core_value(p.value);
    if (v.percent) {
      percent = v.value;
      if (v.value > 100)
        notes.push_back(note(p, p.value_pos, "more than 100%: the kernel warns (WARN_ON) and still uses it"));
    } else {
      bytes = v.value;
      percent = 0;
    }
    if (!v.digits) {
      notes.push_back(note(p, p.value_pos, "not a number; the kernel silently reads it as 0"));
    } else if (v.used < p.value.size()) {
      const std::string read(p.value.substr(0, v.used));
      notes.push_back(note(p, p.value_pos + v.used,
                           "the kernel reads only '" + read + "' and silently ignores the rest: " +
                               (v.percent ? read : std::to_string(v.value >> PAGE_SHIFT) + " pages")));
    }
  }

  // always and madvise start khugepaged, never does not; anything else is
  // ignored with the kernel's own warning. kernel: setup_transparent_hugepage()
  void transparent_hugepage(const CmdlineParam& p, Knobs& k, std::vector<std::string>& notes) {
    if (p.value == "always" || p.value == "madvise")
      k.transparent_hugepage = true;
    else if (p.value == "never")
      k.transparent_hugepage = false;
    else
      notes.push_back(note(p, p.value_pos, "the kernel warns \"transparent_hugepage= cannot parse, ignored\""));
  }

  // Is `option` one of the comma-separated words of `s`? kernel: parse_option_str()
  static bool has_option(std::string_view s, std::string_view option) {
    size_t i = 0;
    while (i < s.size()) {
      if (s.substr(i, option.size()) == option) {
        i += option.size();
        if (i >= s.size() || s[i] == ',') return true;
      }
      while (i < s.size() && s[i] != ',') ++i;
      if (i < s.size()) ++i;
    }
    return false;
  }

  const Line& l_;
  std::string_view source_;
};

constexpr MemblockAllocFn kAllocFns[] = {MemblockAllocFn::alloc_try_nid_raw, MemblockAllocFn::alloc_exact_nid_raw,
                                         MemblockAllocFn::alloc_try_nid, MemblockAllocFn::phys_alloc_range,
                                         MemblockAllocFn::phys_alloc_try_nid};

}  // namespace

Expected<BootPlan> plan_from_dmesg(std::string_view text, std::string_view source) {
  std::vector<Line> lines;
  {
    size_t pos = 0;
    int no = 1;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
      lines.push_back(split_line(raw, no++));
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
      if (lines.size() > 2000000) break;
    }
  }
  const std::string src(source);
  BootPlan plan;
  plan.from_dmesg = true;
  plan.source = src;
  MachineSpec& spec = plan.spec;
  spec.initrd_size = 0;

  // ---- pass 1: the machine --------------------------------------------------
  struct SratMem {
    int node;
    Phys start, end;
  };
  std::vector<SratMem> srat;
  std::map<int, std::vector<int>> node_cpus;  // from "SRAT: PXM p -> APIC a -> Node n"
  int cpu_seen = 0;
  bool numa_off = false, memblock_debug = false;
  const Line* cmdline_line = nullptr;         // "Command line: "
  const Line* kernel_cmdline_line = nullptr;  // "Kernel command line: "
  unsigned cpus = 0;
  std::vector<E820Entry> e820_now;  // the kernel's table after update/remove
  for (const Line& l : lines) {
    Parser p(l, source);
    std::string_view b = l.body;
    if (starts(b, "BIOS-e820: ")) {
      auto r = p.range(11);
      if (!r) return r.diag();
      size_t close = b.find(']') + 1;
      while (close < b.size() && b[close] == ' ') ++close;
      auto t = e820_type(b.substr(close));
      if (!t) return p.error(close, "unknown e820 type '" + std::string(b.substr(close)) + "'");
      if (r->second >= (1ull << 52)) return p.error(11, "address beyond the 52-bit physical address space");
      E820Entry e{r->first, r->second - r->first + 1, *t};
      if (!spec.e820.empty() && e.addr < spec.e820.back().end())
        return p.error(11, "e820 entries overlap or are out of order");
      spec.e820.push_back(e);
    } else if (starts(b, "Command line: ")) {
      cmdline_line = &l;  // boot_command_line, which parse_early_param() reads
    } else if (starts(b, "Kernel command line: ")) {
      if (!kernel_cmdline_line) kernel_cmdline_line = &l;  // printed later, may carry bootconfig additions
    } else if (starts(b, "ACPI: SRAT: Node ")) {
      size_t pos = 17;
      auto n = p.dec(pos);
      if (!n || *n >= MAX_NODES_MODELLED) return p.error(17, "bad or too large node number");
      auto r = p.range(pos);
      if (!r) return r.diag();
      srat.push_back({static_cast<int>(*n), r->first, r->second + 1});
    } else if (starts(b, "SRAT: PXM ")) {
      size_t k = b.find("-> Node ");
      if (k == std::string_view::npos) continue;
      size_t pos = k + 8;
      auto n = p.dec(pos);
      if (!n || *n >= MAX_NODES_MODELLED) return p.error(k + 8, "bad node number");
      node_cpus[static_cast<int>(*n)].push_back(cpu_seen++);
    } else if (starts(b, "smpboot: Allowing ")) {
      size_t pos = 18;
      auto n = p.dec(pos);
      if (!n || *n == 0 || *n > MAX_CPUS_MODELLED)
        return p.error(18, "bad CPU count (the model handles 1 to " + std::to_string(MAX_CPUS_MODELLED) + ")");
      cpus = static_cast<unsigned>(*n);
    } else if (starts(b, "setup_percpu: ")) {
      size_t at = 0;
      if (auto n = p.field("nr_cpu_ids:", false, &at)) {
        if (*n <= 0 || *n > static_cast<long long>(MAX_CPUS_MODELLED)) return p.error(at, "bad nr_cpu_ids");
        cpus = static_cast<unsigned>(*n);
      }
    } else if (starts(b, "RAMDISK: ")) {
      auto r = p.range(9);
      if (!r) return r.diag();
      spec.initrd_start = r->first;
      spec.initrd_size = round_up(r->second + 1 - r->first, PAGE_SIZE);
    } else if (starts(b, "Memory: ")) {
      auto kb = [&](std::string_view what) -> u64 {
        size_t k = b.find(what);
        if (k == std::string_view::npos) return 0;
        size_t s = k;
        while (s > 0 && std::isdigit(static_cast<unsigned char>(b[s - 1]))) --s;
        size_t pos = s;
        auto v = p.dec(pos);
        return v ? *v : 0;
      };
      KernelImage& k = spec.kernel;
      if (u64 v = kb("K kernel code")) k.code_kb = v;
      if (u64 v = kb("K rwdata")) k.rwdata_kb = v;
      if (u64 v = kb("K rodata")) k.rodata_kb = v;
      if (u64 v = kb("K init")) k.init_kb = v;
      if (u64 v = kb("K bss")) k.bss_kb = v;
    } else if (starts(b, "memblock_")) {
      memblock_debug = true;
    } else if (starts(b, "e820: update ") || starts(b, "e820: remove ")) {
      // applied in pass 2 only for logs without memblock lines
    }
  }
  if (spec.e820.empty())
    return Diagnostic{src, 1, 1, "no 'BIOS-e820:' lines: this does not look like the log of an x86 Linux boot"};
  u64 usable = spec.usable_bytes();
  if (usable < kMinRamBytes)
    return Diagnostic{src, 1, 1, "the e820 map has less than 96M of usable RAM: too small for a 6.1 kernel image"};
  if (usable > kMaxRamBytes)
    return Diagnostic{src, 1, 1, "the e820 map has " + format_size(usable) + " of RAM; the model goes up to 64G"};
  for (const E820Entry& e : spec.e820)
    if (e.type == E820Type::Usable && e.end() > kMaxPhysAddr)
      return Diagnostic{src, 1, 1,
                        "usable RAM ends at " + format_size(e.end()) +
                            "; the model keeps a dense memory map up to 80G of physical address space"};
  spec.cpus = cpus ? cpus : 1;
  // Early parameters come from the command line setup_arch() printed; a log
  // without that line still has start_kernel()'s copy.
  std::vector<std::string> cmdline_notes;
  if (const Line* cl = cmdline_line ? cmdline_line : kernel_cmdline_line) {
    const size_t start = cl->body.find(": ") + 2;
    spec.cmdline = std::string(cl->body.substr(start));
    CmdlineParams(*cl, source).apply(start, spec, numa_off, cmdline_notes);
  }
  if (!numa_off && !srat.empty()) {
    int max_node = 0;
    for (const SratMem& s : srat) max_node = std::max(max_node, s.node);
    for (const auto& [n, c] : node_cpus) max_node = std::max(max_node, n);
    spec.nodes.resize(static_cast<size_t>(max_node) + 1);
    for (size_t i = 0; i < spec.nodes.size(); ++i) spec.nodes[i].id = static_cast<int>(i);
    for (const SratMem& s : srat) spec.nodes[static_cast<size_t>(s.node)].ranges.push_back({s.start, s.end});
    for (const auto& [n, c] : node_cpus)
      for (int cpu : c)
        if (static_cast<unsigned>(cpu) < spec.cpus) spec.nodes[static_cast<size_t>(n)].cpus.push_back(cpu);
    // CPUs the SRAT did not place stay on node 0.
    std::vector<bool> placed(spec.cpus, false);
    for (const NodeSpec& n : spec.nodes)
      for (int c : n.cpus) placed[static_cast<size_t>(c)] = true;
    for (unsigned c = 0; c < spec.cpus; ++c)
      if (!placed[c]) spec.nodes[0].cpus.push_back(static_cast<int>(c));
    if (spec.nodes.size() == 1) spec.nodes.clear();
  }
  {
    std::string d = "dmesg " + std::string(source);
    spec.description = d;
  }

  // Without memblock=debug lines: the machine is known, the reservations
  // are the engine's model.
  if (!memblock_debug) {
    BootPlan model = plan_from_spec(spec);
    model.from_dmesg = true;
    model.source = src;
    model.notes.push_back(
        "mm-playground: this log has no memblock=debug lines; early reservations follow the "
        "engine's own model of a 6.1 boot");
    model.notes.insert(model.notes.end(), cmdline_notes.begin(), cmdline_notes.end());
    return model;
  }
  plan.memblock_debug = true;
  plan.notes = cmdline_notes;

  // ---- pass 2: the boot, in log order ----------------------------------------
  auto& ops = plan.ops;
  bool first_dump_done = false, in_dump = false, saw_numa = false, saw_dma = false, saw_zones = false,
       saw_zonelists = false, saw_mem_init = false, saw_late = false;
  auto push = [&](BootOp o) { ops.push_back(std::move(o)); };
  auto ensure_numa = [&](int line) {
    if (!saw_numa) {
      push(NumaInit{line});
      saw_numa = true;
    }
  };
  auto ensure_dma = [&](int line) {
    ensure_numa(line);
    if (!saw_dma) {
      push(DmaReserve{line});
      saw_dma = true;
    }
  };
  auto ensure_late = [&](int line) {
    if (saw_late) return;
    saw_late = true;
    push(PageAllocInitLate{line});
    push(InitWmarks{line});
    push(Khugepaged{line});
  };
  size_t pending_alloc = ~size_t{0};  // index of a request awaiting its reserve line
  push(SetCurrentLimit{0x100000, 0});
  for (const Line& l : lines) {
    Parser p(l, source);
    std::string_view b = l.body;
    if (in_dump) {
      // Lines of the first "MEMBLOCK configuration:" dump: its reserved
      // regions are the reservations made before memblock=debug was parsed.
      if (starts(b, " reserved[")) {
        auto r = p.range(10);
        if (!r) return r.diag();
        push(MemblockReserve{r->first, r->second - r->first + 1, "", l.no});
        continue;
      }
      if (starts(b, " memory") || starts(b, " reserved.cnt")) continue;
      in_dump = false;
    }
    if (starts(b, "MEMBLOCK configuration:")) {
      if (!first_dump_done) {
        push(MemblockTrim{l.no});
        in_dump = true;
        first_dump_done = true;
      }
      continue;
    }
    if (starts(b, "memblock_")) {
      size_t colon = b.find(':');
      if (colon == std::string_view::npos) return p.error(0, "memblock line without ':'");
      std::string_view fn = b.substr(0, colon);
      const MemblockAllocFn* alloc_fn = nullptr;
      for (const MemblockAllocFn& f : kAllocFns)
        if (fn == memblock_alloc_fn_name(f)) alloc_fn = &f;
      if (alloc_fn) {
        size_t pos = colon + 2;
        auto size = p.dec(pos);
        if (!size || *size == 0 || *size > (1ull << 40)) return p.error(colon + 2, "bad allocation size");
        size_t at = 0;
        auto align = p.field("align=", true, &at);
        if (!align || !is_pow2(static_cast<u64>(*align))) return p.error(at ? at : pos, "bad or missing align=");
        auto nid = p.field("nid=", false);
        auto from = p.field("from=", true);
        auto max = p.field("max_addr=", true);
        if (!from || !max) return p.error(pos, "expected from= and max_addr=");
        MemblockAlloc o;
        o.line = l.no;
        o.fn = *alloc_fn;
        o.size = *size;
        o.align = static_cast<u64>(*align);
        o.nid = nid ? static_cast<int>(*nid) : NUMA_NO_NODE;
        if (o.nid >= static_cast<int>(MAX_NODES_MODELLED) || o.nid < -1) return p.error(pos, "bad nid=");
        o.exact_nid = fn == "memblock_alloc_exact_nid_raw";
        o.min_addr = static_cast<u64>(*from);
        o.max_addr = static_cast<u64>(*max);
        o.caller = caller_of(b);
        push(std::move(o));
        pending_alloc = ops.size() - 1;
        continue;
      }
      auto r = p.range(colon + 1);
      if (!r) return r.diag();
      const Phys base = r->first, size = r->second - r->first + 1;
      if (fn == "memblock_reserve") {
        std::string caller = caller_of(b);
        if (pending_alloc != ~size_t{0} && starts(caller, "memblock_alloc_range_nid")) {
          MemblockAlloc& a = std::get<MemblockAlloc>(ops[pending_alloc]);
          a.logged = base;
          a.size = size;
          pending_alloc = ~size_t{0};
          continue;
        }
        push(MemblockReserve{base, size, caller, l.no});
      } else if ((fn == "memblock_add" || fn == "memblock_remove") && saw_zones) {
        return p.error(0, std::string(fn) + " after the zones were sized: memory hotplug is not modelled");
      } else if (fn == "memblock_add") {
        push(MemblockAdd{base, size, caller_of(b), l.no});
      } else if (fn == "memblock_phys_free" || fn == "memblock_free") {
        push(MemblockPhysFree{base, size, caller_of(b), l.no});
      } else if (fn == "memblock_remove") {
        push(MemblockRemove{base, size, caller_of(b), l.no});
      } else if (fn == "memblock_free_late") {
        push(FreeReserved{"memblock_free_late", base, size, 0, l.no});
      }
      // other memblock_* lines (memblock_mark_*, ...) do not change memory
      pending_alloc = ~size_t{0};
      continue;
    }
    if (pending_alloc != ~size_t{0}) {
      // A request whose reserve line never came: the kernel's allocation
      // failed; drop it rather than guess.
      ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(pending_alloc));
      pending_alloc = ~size_t{0};
    }
    if (starts(b, "setup_arch") || starts(b, "RAMDISK: ")) {
      if (starts(b, "RAMDISK: ")) push(Printk{std::string(b), l.no});
    } else if (starts(b, "No NUMA configuration found") || starts(b, "NUMA: ") || starts(b, "SRAT: PXM") ||
               starts(b, "ACPI: SRAT: Node")) {
      ensure_numa(l.no);
    } else if (starts(b, "NODE_DATA(")) {
      size_t pos = 10;
      auto n = p.dec(pos);
      auto r = p.range(pos);
      if (!n || !r) return p.error(10, "malformed NODE_DATA line");
      // The kernel's memblock_phys_alloc_try_nid logs no request, only the
      // reserve: turn that reserve back into the allocation it was.
      for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
        const MemblockReserve* res = std::get_if<MemblockReserve>(&*it);
        if (res && res->base == r->first) {
          MemblockAlloc a;
          a.fn = MemblockAllocFn::phys_alloc_try_nid;
          a.size = res->size;
          a.logged = res->base;
          a.align = 64;
          a.nid = static_cast<int>(*n);
          a.purpose = AllocPurpose::NodeData;
          a.caller = "alloc_node_data";
          a.line = res->line;
          *it = std::move(a);
          break;
        }
      }
      ensure_numa(l.no);
    } else if (starts(b, "Zone ranges:")) {
      ensure_dma(l.no);
      if (!saw_zones) push(FreeAreaInit{l.no});
      saw_zones = true;
    } else if (starts(b, "Built ") && b.find("zonelists") != std::string_view::npos) {
      if (!saw_zonelists) push(BuildZonelists{l.no});
      saw_zonelists = true;
    } else if (starts(b, "Memory: ")) {
      if (!saw_zones) {
        ensure_dma(l.no);
        push(FreeAreaInit{l.no});
        saw_zones = true;
      }
      if (!saw_zonelists) push(BuildZonelists{l.no});
      saw_zonelists = true;
      if (!saw_mem_init) push(MemInit{l.no});
      saw_mem_init = true;
    } else if (b.find("deferred pages initialised") != std::string_view::npos) {
      if (saw_mem_init) ensure_late(l.no);
    } else if (starts(b, "Freeing ") && b.find(" memory: ") != std::string_view::npos && saw_mem_init) {
      size_t k = b.find(" memory: ");
      std::string what(b.substr(8, k - 8));
      size_t pos = k + 9;
      auto kb = p.dec(pos);
      if (!kb || pos >= b.size() || b[pos] != 'K') return p.error(k + 9, "expected a size like 36K");
      if (what != "SMP alternatives") ensure_late(l.no);
      if (what == "initrd") {
        push(FreeInitrd{spec.initrd_start, std::min<u64>(spec.initrd_size, *kb << 10), *kb, l.no});
      } else if (auto piece = kernel_piece(spec.kernel, what, *kb)) {
        push(FreeReserved{what, piece->first, piece->second, *kb, l.no});
      } else {
        plan.notes.push_back("mm-playground: line " + std::to_string(l.no) + ": 'Freeing " + what +
                             " memory' is not placed by the model; those pages stay reserved");
      }
    }
  }
  // A log cut short still boots: the missing milestones run at the end.
  ensure_dma(0);
  if (!saw_zones) push(FreeAreaInit{0});
  if (!saw_zonelists) push(BuildZonelists{0});
  if (!saw_mem_init) {
    push(MemInit{0});
    plan.notes.push_back("mm-playground: the log ends before mem_init; the boot is completed by the engine");
  }
  ensure_late(0);
  // Make sure memory was added at all.
  bool has_add =
      std::any_of(ops.begin(), ops.end(), [](const BootOp& o) { return std::holds_alternative<MemblockAdd>(o); });
  if (!has_add) {
    // Old or filtered logs: add usable e820 RAM as e820__memblock_setup would.
    std::vector<BootOp> adds;
    for (const auto& [base, size] : e820_memblock_ranges(spec)) adds.push_back(MemblockAdd{base, size, {}});
    adds.push_back(MemblockTrim{});
    ops.insert(ops.begin() + 1, adds.begin(), adds.end());
  }
  // After init_mem_mapping everything is mapped: allocations may go anywhere.
  for (size_t i = 0; i < ops.size(); ++i)
    if (const auto* f = std::get_if<MemblockPhysFree>(&ops[i]); f && starts(f->caller, "init_mem_mapping")) {
      ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                 SetCurrentLimit{round_down(spec.usable_end(), PAGE_SIZE)});
      break;
    }
  return plan;
}

}  // namespace mm
