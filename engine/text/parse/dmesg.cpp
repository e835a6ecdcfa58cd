// The dmesg importer: two passes over the log, each a table of the kernel
// lines it reads (LineKind: a matcher, the kernel function that prints the
// line, a handler). Pass 1 (kMachineLines) learns the machine: e820, NUMA,
// CPUs, kernel image sizes, initrd, command line. Pass 2 turns the lines of
// the first memblock dump (kFirstDumpLines), memblock=debug's own lines
// (kMemblockLines) and the boot's milestones (kMilestoneLines) into BootOps
// in log order. Named finishing steps between and after the passes check
// the machine, apply the command line, place CPUs and nodes, and complete
// a log cut short.
#include "text/parse/dmesg.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdio>
#include <map>
#include <span>

#include "mm/core/frame_word.h"
#include "text/parse/e820_params.h"
#include "text/parse/log_line.h"

namespace mm {

namespace {

struct Line {
  int no = 0;      // 1-based line number
  int offset = 0;  // column offset of `body` within the raw line
  std::string_view body;
};

// The line's message, after its level, timestamp or syslog/journal header
// (kernel_message_start: one rule for every importer).
Line split_line(std::string_view raw, int no) {
  Line l{no, 0, raw};
  if (!l.body.empty() && l.body.back() == '\r') l.body.remove_suffix(1);
  const std::size_t at = kernel_message_start(l.body);
  l.body.remove_prefix(at);
  l.offset = static_cast<int>(at);
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
  if (starts(s, e820_type_name(E820Type::PRAM))) return E820Type::PRAM;
  // Types the model has no name for (PMEM 7, soft reserved) are memory
  // memblock never gets: reserved, as far as the model is concerned.
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
// kernelcore=, movablecore=, numa=off, transparent_hugepage=, and the
// memory map's mem= and memmap= (read by text/parse/e820_params.h). Bad values
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
      else if (parameq(p.param, "mem"))
        e820_param(p, read_mem_param(value_of(p)), spec, notes);
      else if (parameq(p.param, "memmap"))
        e820_param(p, read_memmap_param(value_of(p)), spec, notes);
    }
  }

  // Where the first mem= or memmap= is, for a refusal of the map they make.
  std::optional<Diagnostic> first_e820_param() const { return first_e820_; }

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

  static std::optional<std::string_view> value_of(const CmdlineParam& p) {
    return p.has_value ? std::optional<std::string_view>(p.value) : std::nullopt;
  }

  // The edits go to the spec in command-line order (the kernel's order);
  // what it did with a value it could not take as written is a note.
  void e820_param(const CmdlineParam& p, const E820ParamRead& r, MachineSpec& spec, std::vector<std::string>& notes) {
    if (!first_e820_)
      first_e820_ = Diagnostic{std::string(source_), l_.no, l_.offset + static_cast<int>(p.pos) + 1, std::string()};
    spec.e820_edits.insert(spec.e820_edits.end(), r.edits.begin(), r.edits.end());
    for (const E820ParamFinding& f : r.findings)
      notes.push_back(note(p, p.has_value ? p.value_pos + f.pos : p.pos, f.what));
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
  std::optional<Diagnostic> first_e820_;
};

constexpr MemblockAllocFn kAllocFns[] = {MemblockAllocFn::alloc_try_nid_raw, MemblockAllocFn::alloc_exact_nid_raw,
                                         MemblockAllocFn::alloc_try_nid, MemblockAllocFn::phys_alloc_range,
                                         MemblockAllocFn::phys_alloc_try_nid};

// ---- what the line handlers share ---------------------------------------------

constexpr size_t kNoRequest = ~size_t{0};

struct SratMem {
  int node;
  Phys start, end;
  Diagnostic at;  // where the line's range is (for a refusal), message empty
};

// An "e820: update" or "e820: remove" line: the change and where it is.
struct LoggedE820Change {
  E820Change change;
  int line = 0;
};

// The importer's state between lines. Pass 1 fills in the machine, pass 2
// writes the plan's operations in log order.
struct ImportState {
  explicit ImportState(std::string_view src) : source(src) {
    plan.from_dmesg = true;
    plan.source = std::string(src);
    plan.spec.initrd_size = 0;
  }

  std::string_view source;  // the file name in diagnostics
  BootPlan plan;

  // Pass 1: the machine.
  std::vector<SratMem> srat;                   // "ACPI: SRAT: Node n PXM p [mem ...]"
  std::map<int, std::vector<int>> node_cpus;   // from "SRAT: PXM p -> APIC a -> Node n"
  int cpu_seen = 0;                            // CPUs the SRAT lines placed so far
  unsigned cpus = 0;                           // smpboot / setup_percpu (0: the log does not say)
  const Line* cmdline_line = nullptr;          // the last "Command line: "
  const Line* kernel_cmdline_line = nullptr;   // the first "Kernel command line: "
  bool numa_off = false;                       // numa=off on the command line
  bool memblock_debug = false;                 // a memblock=debug line was seen
  bool saw_efi = false;                        // "efi: EFI v..." (an EFI boot)
  bool saw_version = false;                    // a "Linux version" line was read
  std::string version_note;                    // which profile boots, first in the output
  u64 memory_available_kb = 0;                 // 6.12's "Memory: NK/..." figure (0: none)
  std::vector<std::string> cmdline_notes;      // what the kernel made of the parameters
  std::vector<LoggedE820Change> e820_changes;  // "e820: update/remove" lines before memblock got the table
  bool memblock_has_table = false;             // a line printed after e820__memblock_setup was seen
  std::optional<Diagnostic> e820_param_at;     // the first mem=/memmap= of the command line
  std::vector<Diagnostic> e820_at;             // where each BIOS-e820 line's range is (message empty)
  std::optional<Diagnostic> not_x86_64;        // the first line that shows another architecture
  // What the log shows of how the kernel was built (derive_config).
  bool saw_memory_line = false;         // "Memory: ..." with the image's section sizes
  bool saw_zone_ranges = false;         // "Zone ranges:"
  bool saw_dma_zone = false;            // "  DMA      [mem ...]" (or "empty")
  bool saw_device_zone = false;         // "  Device   empty"
  bool saw_numa_setup = false;          // NUMA setup, NODE_DATA or "Fallback order" lines
  bool saw_node_data_size = false;      // the first NODE_DATA line sized pg_data_t
  bool saw_deferred_init = false;       // "node N deferred pages initialised"
  bool saw_boot_end = false;            // free_initmem or later ran (initmem freed, /init started)
  bool saw_swiotlb = false;             // "software IO TLB: area num" or "mapped"
  std::map<std::string, u64> freed_kb;  // "Freeing <what> memory: NK" by what
  std::vector<std::string> assumed;     // what the model took without the log saying (one note)

  // Pass 2: the boot's milestones, each pushed once.
  bool first_dump_done = false;  // the first "MEMBLOCK configuration:" dump was seen
  bool in_first_dump = false;    // reading its lines
  bool saw_numa = false, saw_dma = false, saw_zones = false, saw_zonelists = false, saw_mem_init = false,
       saw_late = false;
  size_t pending_alloc = kNoRequest;  // index in plan.ops of a request awaiting its memblock_reserve line

  MachineSpec& spec() { return plan.spec; }
  void push(BootOp o) { plan.ops.push_back(std::move(o)); }

  void ensure_numa(int line) {
    if (saw_numa) return;
    push(NumaInit{line});
    saw_numa = true;
  }
  void ensure_dma(int line) {
    ensure_numa(line);
    if (saw_dma) return;
    push(DmaReserve{line});
    saw_dma = true;
  }
  void ensure_zones(int line) {
    ensure_dma(line);
    if (!saw_zones) push(FreeAreaInit{line});
    saw_zones = true;
  }
  void ensure_zonelists(int line) {
    if (!saw_zonelists) push(BuildZonelists{line});
    saw_zonelists = true;
  }
  void ensure_late(int line) {
    if (saw_late) return;
    saw_late = true;
    push(PageAllocInitLate{line, memory_available_kb});
    push(InitWmarks{line});
    push(Khugepaged{line});
  }
  // A request whose memblock_reserve line never came: the kernel's
  // allocation failed; drop it rather than guess.
  void drop_unanswered_request() {
    if (pending_alloc == kNoRequest) return;
    plan.ops.erase(plan.ops.begin() + static_cast<std::ptrdiff_t>(pending_alloc));
    pending_alloc = kNoRequest;
  }
};

// ---- the table's shape --------------------------------------------------------

using LineHandler = Status (*)(const Line&, Parser&, ImportState&);

// One kind of kernel line the importer reads.
struct LineKind {
  std::string_view prefix;      // the line (without level and timestamp) starts with it
  std::string_view contains;    // and, when not empty, contains it
  std::string_view printed_by;  // the kernel function that prints it
  LineHandler handle;
};

bool matches(const LineKind& k, std::string_view body) {
  return starts(body, k.prefix) && (k.contains.empty() || body.find(k.contains) != std::string_view::npos);
}

// The first entry of `table` that matches, or nullptr. Order matters only
// where a later entry's matcher would also take the line.
const LineKind* match(std::span<const LineKind> table, std::string_view body) {
  for (const LineKind& k : table)
    if (matches(k, body)) return &k;
  return nullptr;
}

// ---- pass 1: the machine ------------------------------------------------------

// "BIOS-e820: [mem 0x...-0x...] usable"
Status on_e820_entry(const Line& l, Parser& p, ImportState& st) {
  std::string_view b = l.body;
  auto r = p.range(11);
  if (!r) return r.diag();
  size_t close = b.find(']') + 1;
  while (close < b.size() && b[close] == ' ') ++close;
  auto t = e820_type(b.substr(close));
  if (!t) return p.error(close, "unknown e820 type '" + std::string(b.substr(close)) + "'");
  if (r->second >= (1ull << 52)) return p.error(11, "address beyond the 52-bit physical address space");
  E820Entry e{r->first, r->second - r->first + 1, *t};
  std::vector<E820Entry>& map = st.spec().e820;
  if (!map.empty() && e.addr < map.back().end()) return p.error(11, "e820 entries overlap or are out of order");
  map.push_back(e);
  st.e820_at.push_back(p.error(11, ""));
  return Status::ok();
}

// "Linux version 6.1.0-18-686-pae (...)": a 32-bit x86 release.
bool release_is_32bit(std::string_view body) {
  const std::string_view release =
      body.substr(14, body.find(' ', 14) == std::string_view::npos ? std::string_view::npos : body.find(' ', 14) - 14);
  for (std::string_view tag : {"-686", "-i386", "-i586", "-i686", ".i686", ".i586"})
    if (release.find(tag) != std::string_view::npos) return true;
  return false;
}

// A type name as e820_print_type() prints it, exactly (nothing after it).
std::optional<E820Type> e820_type_exact(std::string_view s) {
  for (E820Type t :
       {E820Type::Usable, E820Type::Reserved, E820Type::ACPI, E820Type::NVS, E820Type::Unusable, E820Type::PRAM})
    if (s == e820_type_name(t)) return t;
  return std::nullopt;
}

// "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved" and
// "e820: remove [mem 0x000a0000-0x000fffff] usable" (no type: any type).
// Only those printed before e820__memblock_setup change what memblock
// gets; later ones (e820__memblock_alloc_reserved, EFI) are left out, and
// so is RAM becoming reserved-kernel (setup_data), which memblock still gets.
Status on_e820_change(const Line& l, Parser& p, ImportState& st) {
  std::string_view b = l.body;
  auto r = p.range(13);
  if (!r) return r.diag();
  if (r->second == ~u64{0}) return p.error(13, "the range ends at the top of the address space, past what e820 prints");
  E820Change c;
  c.remove = starts(b, "e820: remove");
  c.start = r->first;
  c.end = r->second + 1;
  const size_t types = b.find(']') + 2;
  const std::string_view rest = types <= b.size() ? b.substr(types) : std::string_view();
  if (c.remove) {
    c.check_type = !rest.empty();
    if (c.check_type) {
      auto t = e820_type_exact(rest);
      if (!t) return p.error(types, "unknown e820 type '" + std::string(rest) + "'");
      c.from = *t;
    }
    c.to = c.from;  // a removal has one type (usable when the line names none), as e820__range_remove reports it
  } else {
    const size_t arrow = rest.find(" ==> ");
    if (arrow == std::string_view::npos) return p.error(types, "expected 'TYPE ==> TYPE' after the range");
    auto from = e820_type_exact(rest.substr(0, arrow));
    auto to = e820_type_exact(rest.substr(arrow + 5));
    if (!from || !to) return p.error(types, "unknown e820 type in '" + std::string(rest) + "'");
    if (*from == *to) return Status::ok();  // usable ==> usable: RAM kept for setup_data, still RAM to memblock
    c.from = *from;
    c.to = *to;
  }
  if (st.memblock_has_table && c.from == E820Type::Usable && c.to == E820Type::Reserved) {
    // efi_mem_reserve() (ESRT, MOKvar, BGRT image) or
    // e820__memblock_alloc_reserved(): memblock reserves the range as well.
    st.spec().firmware_reserved.emplace_back(c.start, c.end - c.start);
    return Status::ok();
  }
  if (st.memblock_has_table) {
    st.cmdline_notes.push_back("mm-playground: line " + std::to_string(l.no) +
                               ": this e820 change comes after e820__memblock_setup, so memblock never sees it; "
                               "the model leaves it out");
    return Status::ok();
  }
  st.e820_changes.push_back({c, l.no});
  return Status::ok();
}

// Lines printed once e820__memblock_setup has read the table.
Status on_after_memblock_setup(const Line&, Parser&, ImportState& st) {
  st.memblock_has_table = true;
  return Status::ok();
}

// boot_command_line, which parse_early_param() reads.
// "Linux version 6.12.117+deb12-amd64 (debian-kernel@...) ...": the
// profile the boot follows. A version the engine does not model boots with
// the nearest one, and the boot output says so first.
Status on_linux_version(const Line& l, Parser& p, ImportState& st) {
  if (st.saw_version) return Status::ok();  // a second banner (kexec, a pasted pair): the first decides
  st.saw_version = true;
  if (release_is_32bit(l.body) && !st.not_x86_64)
    st.not_x86_64 = p.error(14, "this is the log of a 32-bit x86 kernel: the engine models x86_64 kernels only");
  size_t pos = 14;
  auto major = p.dec(pos);
  if (!major || pos >= l.body.size() || l.body[pos] != '.') return p.error(14, "expected a version like 6.1.0");
  ++pos;
  auto minor = p.dec(pos);
  if (!minor) return p.error(pos, "expected a version like 6.1.0");
  size_t end = l.body.find(' ', 14);
  const std::string release(l.body.substr(14, end == std::string_view::npos ? std::string_view::npos : end - 14));
  bool exact = false;
  const KernelVersion v = nearest_kernel_version(static_cast<int>(std::min<u64>(*major, 1000)),
                                                 static_cast<int>(std::min<u64>(*minor, 1000)), &exact);
  st.spec().version = v;
  st.spec().kernel = debian_kernel_image(v);  // the Memory: line, when there is one, gives the sizes
  const std::string name(kernel_version_name(v));
  st.version_note = exact ? "mm-playground: Linux " + release + ": booted with the engine's Linux " + name + " profile"
                          : "mm-playground: warning: Linux " + release +
                                " is not a version the engine models (it models " + kernel_version_list() +
                                "): booted with the nearest, " + name + "; what changed between them may differ";
  return Status::ok();
}

Status on_command_line(const Line& l, Parser&, ImportState& st) {
  st.cmdline_line = &l;
  return Status::ok();
}

// Printed by start_kernel(): the command line early parameters saw (a
// bootconfig's additions, rare, would show here too).
Status on_kernel_command_line(const Line& l, Parser&, ImportState& st) {
  if (!st.kernel_cmdline_line) st.kernel_cmdline_line = &l;
  return Status::ok();
}

// "ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]": a node's memory.
Status on_srat_memory(const Line& l, Parser& p, ImportState& st) {
  size_t pos = 17;
  auto n = p.dec(pos);
  if (!n || *n >= MAX_NODES_MODELLED) return p.error(17, "bad or too large node number");
  const size_t range_at = l.body.find('[');
  auto r = p.range(pos);
  if (!r) return r.diag();
  st.srat.push_back({static_cast<int>(*n), r->first, r->second + 1, p.error(range_at, "")});
  return Status::ok();
}

// "SRAT: PXM 1 -> APIC 0x01 -> Node 1": the next CPU's node.
Status on_srat_cpu(const Line& l, Parser& p, ImportState& st) {
  size_t k = l.body.find("-> Node ");
  if (k == std::string_view::npos) return Status::ok();
  size_t pos = k + 8;
  auto n = p.dec(pos);
  if (!n || *n >= MAX_NODES_MODELLED) return p.error(k + 8, "bad node number");
  st.node_cpus[static_cast<int>(*n)].push_back(st.cpu_seen++);
  return Status::ok();
}

// "smpboot: Allowing 2 CPUs, 0 hotplug CPUs"
Status on_allowing_cpus(const Line&, Parser& p, ImportState& st) {
  size_t pos = 18;
  auto n = p.dec(pos);
  if (!n || *n == 0 || *n > MAX_CPUS_MODELLED)
    return p.error(18, "bad CPU count (the model handles 1 to " + std::to_string(MAX_CPUS_MODELLED) + ")");
  st.cpus = static_cast<unsigned>(*n);
  return Status::ok();
}

// "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1"
Status on_setup_percpu(const Line&, Parser& p, ImportState& st) {
  size_t at = 0;
  if (auto n = p.field("nr_cpu_ids:", false, &at)) {
    if (*n <= 0 || *n > static_cast<long long>(MAX_CPUS_MODELLED)) return p.error(at, "bad nr_cpu_ids");
    st.cpus = static_cast<unsigned>(*n);
  }
  return Status::ok();
}

// "RAMDISK: [mem 0x...-0x...]": where the boot loader put the initrd.
Status on_ramdisk(const Line&, Parser& p, ImportState& st) {
  st.memblock_has_table = true;  // reserve_initrd() runs after e820__memblock_setup
  auto r = p.range(9);
  if (!r) return r.diag();
  st.spec().initrd_start = r->first;
  st.spec().initrd_size = round_up(r->second + 1 - r->first, PAGE_SIZE);
  return Status::ok();
}

// The number right before `what` in the line (0 when absent).
u64 kb_before(std::string_view b, const Parser& p, std::string_view what) {
  size_t k = b.find(what);
  if (k == std::string_view::npos) return 0;
  size_t s = k;
  while (s > 0 && std::isdigit(static_cast<unsigned char>(b[s - 1]))) --s;
  size_t pos = s;
  auto v = p.dec(pos);
  return v ? *v : 0;
}

// "Memory: ...K/...K available (14343K kernel code, 2338K rwdata, ...)":
// the kernel image's sizes.
Status on_memory_sizes(const Line& l, Parser& p, ImportState& st) {
  if (st.spec().version == KernelVersion::v6_12) {
    // Printed once every page is in the buddy allocator: its first figure is
    // what the early boot left free.
    size_t pos = 8;
    if (auto v = p.dec(pos); v && pos < l.body.size() && l.body[pos] == 'K') st.memory_available_kb = *v;
  }
  st.saw_memory_line = true;
  KernelImage& k = st.spec().kernel;
  if (u64 v = kb_before(l.body, p, "K kernel code")) k.code_kb = v;
  if (u64 v = kb_before(l.body, p, "K rwdata")) k.rwdata_kb = v;
  if (u64 v = kb_before(l.body, p, "K rodata")) k.rodata_kb = v;
  if (u64 v = kb_before(l.body, p, "K init")) k.init_kb = v;
  if (u64 v = kb_before(l.body, p, "K bss")) k.bss_kb = v;
  return Status::ok();
}

// Lines only another architecture's kernel, or a 32-bit x86 one, prints:
// the log is refused at the first of them (after pass 1, so that a log
// with no e820 map at all still says which kernel it is from).
Status on_foreign_arch(const Line& l, Parser& p, ImportState& st) {
  if (st.not_x86_64) return Status::ok();
  struct Marker {
    std::string_view text, what;
  };
  static constexpr Marker kMarkers[] = {
      {"Booting Linux on physical CPU", "an ARM kernel"},
      {"Machine model: ", "a device-tree (ARM or RISC-V) kernel"},
      {"riscv: ", "a RISC-V kernel"},
      {"HighMem zone: ", "a 32-bit x86 kernel (HIGHMEM)"},
      {"  HighMem  ", "a 32-bit x86 kernel (ZONE_HIGHMEM)"},
      {"Initializing HighMem", "a 32-bit x86 kernel (HIGHMEM)"},
  };
  for (const Marker& m : kMarkers)
    if (starts(l.body, m.text)) {
      st.not_x86_64 = p.error(0, "this is the log of " + std::string(m.what) + " ('" + std::string(m.text) +
                                     "'): the engine models x86_64 kernels only");
      return Status::ok();
    }
  return Status::ok();
}

Status on_memblock_debug(const Line& l, Parser&, ImportState& st) {
  st.memblock_debug = true;
  if (starts(l.body, "memblock_add:")) st.memblock_has_table = true;
  return Status::ok();
}

// Lines whose presence (or absence) tells how the kernel was built.
Status on_zone_ranges_seen(const Line&, Parser&, ImportState& st) {
  st.saw_zone_ranges = true;
  return Status::ok();
}
Status on_dma_zone(const Line&, Parser&, ImportState& st) {
  st.saw_dma_zone = true;
  return Status::ok();
}
Status on_device_zone(const Line&, Parser&, ImportState& st) {
  st.saw_device_zone = true;
  return Status::ok();
}
Status on_numa_seen(const Line&, Parser&, ImportState& st) {
  st.saw_numa_setup = true;
  return Status::ok();
}
// "NODE_DATA(0) allocated [mem 0x...-0x...]": CONFIG_NUMA, and the size of
// this kernel's pg_data_t as alloc_node_data rounded it (the first line's).
Status on_node_data_size(const Line&, Parser& p, ImportState& st) {
  st.saw_numa_setup = true;
  if (st.saw_node_data_size) return Status::ok();
  size_t pos = 10;
  auto n = p.dec(pos);
  auto r = p.range(pos);
  if (!n || !r || r->second - r->first >= (64u << 20)) return Status::ok();  // pass 2 says what is wrong
  st.spec().node_data_size = r->second - r->first + 1;                       // the line's range is inclusive
  st.saw_node_data_size = true;
  return Status::ok();
}
// "ACPI: SLIT 0x... 00042C (v01 ...)": the firmware has a distance table,
// so numa_alloc_distance will take a page for it.
Status on_slit_table(const Line&, Parser&, ImportState& st) {
  st.spec().numa_distance_table = true;
  return Status::ok();
}
Status on_deferred_seen(const Line&, Parser&, ImportState& st) {
  st.saw_deferred_init = true;
  return Status::ok();
}
Status on_boot_end(const Line&, Parser&, ImportState& st) {
  st.saw_boot_end = true;
  return Status::ok();
}

// "software IO TLB: area num 2.": swiotlb_init_remap ran, with that many areas.
Status on_swiotlb_areas(const Line& l, Parser& p, ImportState& st) {
  size_t pos = l.body.find("area num ") + 9;
  if (auto n = p.dec(pos); n && *n > 0 && *n <= 65536) st.spec().swiotlb.nareas = static_cast<unsigned>(*n);
  st.saw_swiotlb = true;
  return Status::ok();
}

// "software IO TLB: mapped [mem 0x...-0x...] (64MB)": where the buffer is.
Status on_swiotlb_mapped(const Line&, Parser& p, ImportState& st) {
  auto r = p.range(0);
  if (!r) return r.diag();
  st.spec().swiotlb.logged_base = r->first;
  st.spec().swiotlb.size = r->second - r->first;  // the kernel prints [start, end] with end = start + size
  st.saw_swiotlb = true;
  return Status::ok();
}

// "percpu: Embedded 61 pages/cpu s212992 r8192 d28672 u1048576": the
// first chunk's unit, which sizes every CPU's share of it.
Status on_percpu_embedded(const Line&, Parser& p, ImportState& st) {
  auto s = p.field(" s", false), r = p.field(" r", false), d = p.field(" d", false);
  if (!s || !r || !d || *s <= 0 || *r < 0 || *d <= 0 || *s + *r + *d > (64 << 20)) return Status::ok();
  st.spec().percpu = {static_cast<u64>(*s), static_cast<u64>(*r), static_cast<u64>(*d)};
  return Status::ok();
}

// "efi: EFI v2.50 by Lenovo": an EFI boot (boot-services memory reserved
// until efi_free_boot_services).
Status on_efi_banner(const Line&, Parser&, ImportState& st) {
  st.saw_efi = true;
  return Status::ok();
}

// "efi: Freeing EFI boot services memory: 57488K": how much of it there was.
Status on_efi_boot_services_freed(const Line& l, Parser& p, ImportState& st) {
  size_t pos = l.body.find(": ", 5) + 2;
  auto kb = p.dec(pos);
  if (!kb || pos >= l.body.size() || l.body[pos] != 'K') return p.error(pos, "expected a size like 57488K");
  st.spec().efi_boot_services_kb = *kb;
  return Status::ok();
}

// "Freeing <what> memory: NK": the sizes of the parts of the image freed
// after boot (placed in pass 2, or by the model).
Status on_freeing_size(const Line& l, Parser& p, ImportState& st) {
  const size_t k = l.body.find(" memory: ");
  size_t pos = k + 9;
  auto kb = p.dec(pos);
  if (!kb) return Status::ok();  // pass 2 reports the malformed size
  st.freed_kb[std::string(l.body.substr(8, k - 8))] = *kb;
  if (l.body.substr(8, k - 8) == "unused kernel image (initmem)") st.saw_boot_end = true;
  return Status::ok();
}

constexpr LineKind kMachineLines[] = {
    {"Linux version ", "", "start_kernel (linux_banner)", on_linux_version},
    {"BIOS-e820: ", "", "e820__print_table", on_e820_entry},
    {"e820: update [", "", "e820__range_update", on_e820_change},
    {"e820: remove [", "", "e820__range_remove", on_e820_change},
    {"MEMBLOCK configuration:", "", "memblock_dump_all (after e820__memblock_setup)", on_after_memblock_setup},
    {"ACPI: Early table", "", "acpi_boot_table_init (after e820__memblock_setup)", on_after_memblock_setup},
    {"esrt: Reserving ESRT space", "", "efi_esrt_init (after e820__memblock_setup)", on_after_memblock_setup},
    {"Using GB pages for direct mapping", "", "init_mem_mapping (after e820__memblock_setup)", on_after_memblock_setup},
    {"Command line: ", "", "setup_arch", on_command_line},
    {"Kernel command line: ", "", "start_kernel", on_kernel_command_line},
    {"ACPI: SRAT: Node ", "", "acpi_numa_memory_affinity_init", on_srat_memory},
    {"SRAT: PXM ", "", "acpi_numa_processor_affinity_init", on_srat_cpu},
    {"smpboot: Allowing ", "", "prefill_possible_map", on_allowing_cpus},
    {"setup_percpu: ", "", "setup_per_cpu_areas", on_setup_percpu},
    {"RAMDISK: ", "", "reserve_initrd", on_ramdisk},
    {"Memory: ", "", "mem_init_print_info", on_memory_sizes},
    {"memblock_", "", "memblock_dbg (memblock=debug)", on_memblock_debug},
    {"Zone ranges:", "", "zone_sizes_init -> free_area_init", on_zone_ranges_seen},
    {"  DMA ", "", "free_area_init (CONFIG_ZONE_DMA)", on_dma_zone},
    {"  Device ", "", "free_area_init (CONFIG_ZONE_DEVICE)", on_device_zone},
    {"No NUMA configuration found", "", "dummy_numa_init (CONFIG_NUMA)", on_numa_seen},
    {"NUMA: ", "", "numa_cleanup_meminfo (CONFIG_NUMA)", on_numa_seen},
    {"NODE_DATA(", "", "alloc_node_data (CONFIG_NUMA)", on_node_data_size},
    {"ACPI: SLIT ", "", "acpi_table_print (the SLIT)", on_slit_table},
    {"Fallback order for Node", "", "build_zonelists (CONFIG_NUMA)", on_numa_seen},
    {"software IO TLB: area num ", "", "swiotlb_adjust_nareas", on_swiotlb_areas},
    {"software IO TLB: mapped ", "", "swiotlb_print_info", on_swiotlb_mapped},
    {"percpu: Embedded ", "", "pcpu_embed_first_chunk", on_percpu_embedded},
    {"Freeing ", " memory: ", "free_reserved_area", on_freeing_size},
    {"efi: EFI v", "", "efi_systab_report_header", on_efi_banner},
    {"efi: Freeing EFI boot services memory: ", "", "efi_free_boot_services", on_efi_boot_services_freed},
    {"Run /init as init process", "", "run_init_process", on_boot_end},
    {"Write protecting the kernel read-only data", "", "mark_rodata_ro", on_boot_end},
    {"", "deferred pages initialised", "deferred_init_memmap", on_deferred_seen},
    {"", "", "(another architecture's boot)", on_foreign_arch},
};

// ---- pass 2, inside the first "MEMBLOCK configuration:" dump ------------------
// Its reserved regions are the reservations made before memblock=debug was
// parsed.

// " reserved[0x0]\t[0x...-0x...], 0x... bytes flags: 0x0"
Status on_dump_reserved(const Line& l, Parser& p, ImportState& st) {
  auto r = p.range(10);
  if (!r) return r.diag();
  st.push(MemblockReserve{r->first, r->second - r->first + 1, "", l.no});
  return Status::ok();
}

// A line that is read and has nothing to replay.
Status skip_line(const Line&, Parser&, ImportState&) { return Status::ok(); }

constexpr LineKind kFirstDumpLines[] = {
    {" reserved[", "", "memblock_dump", on_dump_reserved},
    {" memory", "", "memblock_dump, __memblock_dump_all", skip_line},
    {" reserved.cnt", "", "memblock_dump", skip_line},
};

// ---- pass 2, memblock's own lines ---------------------------------------------
// A request line waits for the memblock_reserve that places it across these
// lines only.

Status on_memblock_dump(const Line& l, Parser&, ImportState& st) {
  if (!st.first_dump_done) {
    st.push(MemblockTrim{l.no});
    st.in_first_dump = true;
    st.first_dump_done = true;
  }
  return Status::ok();
}

// "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0 max_addr=0x0 caller+0x../0x.."
Status on_alloc_request(const Line& l, Parser& p, ImportState& st) {
  std::string_view b = l.body;
  const size_t colon = b.find(':');
  const std::string_view fn = b.substr(0, colon);
  const MemblockAllocFn* alloc_fn = nullptr;
  for (const MemblockAllocFn& f : kAllocFns)
    if (fn == memblock_alloc_fn_name(f)) alloc_fn = &f;
  assert(alloc_fn && "kMemblockLines sends only the functions of kAllocFns here");
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
  st.push(std::move(o));
  st.pending_alloc = st.plan.ops.size() - 1;
  return Status::ok();
}

// The "[0x...-0x...]" after "memblock_xxx:" as (base, size).
Expected<std::pair<Phys, Phys>> memblock_range(const Line& l, const Parser& p) {
  size_t colon = l.body.find(':');
  if (colon == std::string_view::npos) return p.error(0, "memblock line without ':'");
  auto r = p.range(colon + 1);
  if (!r) return r.diag();
  return std::make_pair(r->first, r->second - r->first + 1);
}

// memblock_add and memblock_remove change memory itself: not after the
// zones were sized.
Status refuse_hotplug(const Line& l, const Parser& p, const ImportState& st) {
  if (!st.saw_zones) return Status::ok();
  const std::string_view fn = l.body.substr(0, l.body.find(':'));
  return p.error(0, std::string(fn) + " after the zones were sized: memory hotplug is not modelled");
}

// "memblock_reserve: [0x...-0x...] caller": a reservation, or where the
// pending request landed (memblock_alloc_range_nid reserves what it found).
Status on_memblock_reserve(const Line& l, Parser& p, ImportState& st) {
  auto r = memblock_range(l, p);
  if (!r) return r.diag();
  std::string caller = caller_of(l.body);
  if (st.pending_alloc != kNoRequest && starts(caller, "memblock_alloc_range_nid")) {
    MemblockAlloc& a = std::get<MemblockAlloc>(st.plan.ops[st.pending_alloc]);
    a.logged = r->first;
    a.size = r->second;
    st.pending_alloc = kNoRequest;
    return Status::ok();
  }
  st.push(MemblockReserve{r->first, r->second, caller, l.no});
  st.pending_alloc = kNoRequest;
  return Status::ok();
}

// An address in a refusal: "0x1f000" (as the kernel's [mem ...] ranges, unpadded).
std::string hex_addr(Phys v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// e820__memblock_setup adds the e820 table's RAM, nothing else: a range of
// its outside every usable entry cannot be from the boot whose map the log
// printed and edited (memblock would hold memory no zone spans).
Status refuse_outside_e820(const Line& l, const Parser& p, const ImportState& st, Phys base, Phys size) {
  if (!starts(caller_of(l.body), "e820__memblock_setup")) return Status::ok();
  Phys at = base;
  const Phys end = base + size;
  for (const E820Entry& e : st.plan.spec.e820_table()) {
    if (e.type != E820Type::Usable || e.end() <= at || e.addr > at) continue;
    at = e.end();
    if (at >= end) return Status::ok();
  }
  return p.error(l.body.find('['), "memblock_add from e820__memblock_setup covers " + hex_addr(at) +
                                       ", which is not usable RAM in the e820 table of this log (its BIOS-e820 "
                                       "map with its command line's mem=/memmap= and its e820 update/remove "
                                       "lines): not the memory map this boot used");
}

Status on_memblock_add(const Line& l, Parser& p, ImportState& st) {
  auto r = memblock_range(l, p);
  if (!r) return r.diag();
  if (Status s = refuse_hotplug(l, p, st); !s) return s;
  if (Status s = refuse_outside_e820(l, p, st, r->first, r->second); !s) return s;
  st.push(MemblockAdd{r->first, r->second, caller_of(l.body), l.no});
  st.pending_alloc = kNoRequest;
  return Status::ok();
}

Status on_memblock_remove(const Line& l, Parser& p, ImportState& st) {
  auto r = memblock_range(l, p);
  if (!r) return r.diag();
  if (Status s = refuse_hotplug(l, p, st); !s) return s;
  st.push(MemblockRemove{r->first, r->second, caller_of(l.body), l.no});
  st.pending_alloc = kNoRequest;
  return Status::ok();
}

Status on_memblock_phys_free(const Line& l, Parser& p, ImportState& st) {
  auto r = memblock_range(l, p);
  if (!r) return r.diag();
  st.push(MemblockPhysFree{r->first, r->second, caller_of(l.body), l.no});
  st.pending_alloc = kNoRequest;
  return Status::ok();
}

// Reserved memory handed straight to the buddy allocator.
Status on_memblock_free_late(const Line& l, Parser& p, ImportState& st) {
  auto r = memblock_range(l, p);
  if (!r) return r.diag();
  st.push(FreeReserved{"memblock_free_late", r->first, r->second, 0, l.no});
  st.pending_alloc = kNoRequest;
  return Status::ok();
}

// Other memblock lines (memblock_add_node, memblock_physmem_add, ...) do not
// change what the plan replays, but must still be well formed.
Status on_memblock_other(const Line& l, Parser& p, ImportState& st) {
  auto r = memblock_range(l, p);
  if (!r) return r.diag();
  st.pending_alloc = kNoRequest;
  return Status::ok();
}

constexpr LineKind kMemblockLines[] = {
    {"MEMBLOCK configuration:", "", "__memblock_dump_all", on_memblock_dump},
    {"memblock_alloc_try_nid:", "", "memblock_alloc_try_nid", on_alloc_request},
    {"memblock_alloc_try_nid_raw:", "", "memblock_alloc_try_nid_raw", on_alloc_request},
    {"memblock_alloc_exact_nid_raw:", "", "memblock_alloc_exact_nid_raw", on_alloc_request},
    {"memblock_phys_alloc_range:", "", "memblock_phys_alloc_range", on_alloc_request},
    {"memblock_phys_alloc_try_nid:", "", "memblock_phys_alloc_try_nid (6.1 prints none)", on_alloc_request},
    {"memblock_reserve:", "", "memblock_reserve", on_memblock_reserve},
    {"memblock_add:", "", "memblock_add", on_memblock_add},
    {"memblock_remove:", "", "memblock_remove", on_memblock_remove},
    {"memblock_phys_free:", "", "memblock_phys_free", on_memblock_phys_free},
    {"memblock_free:", "", "memblock_free (older kernels' memblock_phys_free)", on_memblock_phys_free},
    {"memblock_free_late:", "", "memblock_free_late", on_memblock_free_late},
    {"memblock_", "", "memblock_add_node, memblock_physmem_add, ...", on_memblock_other},
};

// ---- pass 2, the boot's milestones --------------------------------------------
// Any other line: a request still waiting for its memblock_reserve is
// dropped before the line is read (the allocation failed).

Status on_ramdisk_printk(const Line& l, Parser&, ImportState& st) {
  st.push(Printk{std::string(l.body), l.no});
  return Status::ok();
}

Status on_numa_line(const Line& l, Parser&, ImportState& st) {
  st.ensure_numa(l.no);
  return Status::ok();
}

// "NODE_DATA(1) allocated [mem 0x...-0x...]". The kernel's
// memblock_phys_alloc_try_nid logs no request, only the reserve: turn that
// reserve back into the allocation it was.
Status on_node_data(const Line& l, Parser& p, ImportState& st) {
  size_t pos = 10;
  auto n = p.dec(pos);
  auto r = p.range(pos);
  if (!n || !r) return p.error(10, "malformed NODE_DATA line");
  std::vector<BootOp>& ops = st.plan.ops;
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
  st.ensure_numa(l.no);
  return Status::ok();
}

Status on_zone_ranges(const Line& l, Parser&, ImportState& st) {
  st.ensure_zones(l.no);
  return Status::ok();
}

Status on_zonelists(const Line& l, Parser&, ImportState& st) {
  st.ensure_zonelists(l.no);
  return Status::ok();
}

// mem_init: the zones and zonelists came before it even when the log cut
// their lines.
void ensure_mem_init(const Line& l, ImportState& st) {
  st.ensure_zones(l.no);
  st.ensure_zonelists(l.no);
  if (!st.saw_mem_init) st.push(MemInit{l.no});
  st.saw_mem_init = true;
}

// "Memory:": 6.1 prints it at the end of mem_init; 6.12 after deferred
// init, in page_alloc_init_late.
Status on_mem_init(const Line& l, Parser&, ImportState& st) {
  ensure_mem_init(l, st);
  if (st.spec().version == KernelVersion::v6_12) st.ensure_late(l.no);
  return Status::ok();
}

// kmem_cache_init's "SLUB: HWalign=...", right after mem_init: where a 6.12
// log, whose "Memory:" line comes much later, shows mem_init has run.
Status on_slub_init(const Line& l, Parser&, ImportState& st) {
  if (st.spec().version == KernelVersion::v6_12) ensure_mem_init(l, st);
  return Status::ok();
}

Status on_deferred_init(const Line& l, Parser&, ImportState& st) {
  if (st.saw_mem_init) st.ensure_late(l.no);
  return Status::ok();
}

// "Freeing <what> memory: NK", after mem_init only.
Status on_freeing(const Line& l, Parser& p, ImportState& st) {
  if (!st.saw_mem_init) return Status::ok();
  std::string_view b = l.body;
  size_t k = b.find(" memory: ");
  std::string what(b.substr(8, k - 8));
  size_t pos = k + 9;
  auto kb = p.dec(pos);
  if (!kb || pos >= b.size() || b[pos] != 'K') return p.error(k + 9, "expected a size like 36K");
  if (what != "SMP alternatives") st.ensure_late(l.no);
  const MachineSpec& spec = st.spec();
  if (what == "initrd") {
    st.push(FreeInitrd{spec.initrd_start, std::min<u64>(spec.initrd_size, *kb << 10), *kb, l.no});
  } else if (auto piece = kernel_piece(spec.kernel, what, *kb)) {
    st.push(FreeReserved{what, piece->first, piece->second, *kb, l.no});
  } else {
    st.plan.notes.push_back("mm-playground: line " + std::to_string(l.no) + ": 'Freeing " + what +
                            " memory' is not placed by the model; those pages stay reserved");
  }
  return Status::ok();
}

constexpr LineKind kMilestoneLines[] = {
    // Nothing to replay; the entry keeps a later matcher (the deferred
    // init's, which looks anywhere in the line) from taking these lines.
    {"setup_arch", "", "setup_arch", skip_line},
    {"RAMDISK: ", "", "reserve_initrd", on_ramdisk_printk},
    {"No NUMA configuration found", "", "dummy_numa_init", on_numa_line},
    {"NUMA: ", "", "numa_cleanup_meminfo, numa_alloc_distance", on_numa_line},
    {"SRAT: PXM", "", "acpi_numa_processor_affinity_init", on_numa_line},
    {"ACPI: SRAT: Node", "", "acpi_numa_memory_affinity_init", on_numa_line},
    {"NODE_DATA(", "", "alloc_node_data", on_node_data},
    {"Zone ranges:", "", "free_area_init", on_zone_ranges},
    {"Built ", "zonelists", "build_all_zonelists", on_zonelists},
    {"Memory: ", "", "mem_init_print_info", on_mem_init},
    {"SLUB: HWalign=", "", "kmem_cache_init", on_slub_init},
    {"", "deferred pages initialised", "deferred_init_memmap", on_deferred_init},
    {"Freeing ", " memory: ", "free_reserved_area", on_freeing},
};

// ---- the passes ---------------------------------------------------------------

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
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
  return lines;
}

Status read_line(std::span<const LineKind> table, const Line& l, ImportState& st, bool* matched = nullptr) {
  const LineKind* k = match(table, l.body);
  if (matched) *matched = k != nullptr;
  if (!k) return Status::ok();
  Parser p(l, st.source);
  return k->handle(l, p, st);
}

Status learn_machine(const std::vector<Line>& lines, ImportState& st) {
  for (const Line& l : lines)
    if (Status s = read_line(kMachineLines, l, st); !s) return s;
  return Status::ok();
}

Status replay_boot(const std::vector<Line>& lines, ImportState& st) {
  st.push(SetCurrentLimit{0x100000, 0});  // ISA_END_ADDRESS, as e820__memblock_setup starts
  for (const Line& l : lines) {
    bool matched = false;
    if (st.in_first_dump) {
      if (Status s = read_line(kFirstDumpLines, l, st, &matched); !s) return s;
      if (matched) continue;
      st.in_first_dump = false;
    }
    if (Status s = read_line(kMemblockLines, l, st, &matched); !s) return s;
    if (matched) continue;
    st.drop_unanswered_request();
    if (Status s = read_line(kMilestoneLines, l, st); !s) return s;
  }
  return Status::ok();
}

// ---- finishing steps ----------------------------------------------------------

// A log of an x86 boot has the firmware's map.
Status check_firmware_map(const ImportState& st) {
  if (st.not_x86_64) return *st.not_x86_64;
  if (st.plan.spec.e820.empty())
    return Diagnostic{std::string(st.source), 1, 1,
                      "no 'BIOS-e820:' lines: this does not look like the log of an x86 Linux boot"};
  return Status::ok();
}

// One zone's free lists reach 2^30 frames from its first frame of RAM
// (frame_word.h). Without a SRAT, ZONE_NORMAL holds all the RAM above
// 4 GiB, so a map whose RAM there spans more is refused at the entry that
// crosses; with one, the boot names the zone that is too wide.
Status zone_span_limit(const MachineSpec& spec, const ImportState& st) {
  if (!st.srat.empty() || !spec.e820_edits.empty()) return Status::ok();
  constexpr Phys k4G = Phys{1} << 32;
  const u64 reach = frame_word::kMaxListSpan << PAGE_SHIFT;
  std::optional<Phys> first;
  for (size_t i = 0; i < spec.e820.size() && i < st.e820_at.size(); ++i) {
    const E820Entry& e = spec.e820[i];
    if (e.type != E820Type::Usable || e.end() <= k4G) continue;
    if (!first) first = std::max(e.addr, k4G);
    if (e.end() - *first <= reach) continue;
    Diagnostic d = st.e820_at[i];
    d.message = "usable RAM up to " + hex_addr(e.end() - 1) + ": with RAM above 4 GiB from " + hex_addr(*first) +
                ", ZONE_NORMAL's RAM would span more than " + std::to_string(reach >> 10) + "K (" + format_size(reach) +
                "), the most one zone's free lists reach in the model";
    return d;
  }
  return Status::ok();
}

// A machine the model can boot, in the e820 table the kernel used.
Status check_machine(const ImportState& st) {
  const std::string src(st.source);
  const MachineSpec& spec = st.plan.spec;
  if (st.not_x86_64) return *st.not_x86_64;
  if (spec.e820.empty())
    return Diagnostic{src, 1, 1, "no 'BIOS-e820:' lines: this does not look like the log of an x86 Linux boot"};
  if (e820_setup(spec).invalid) {
    Diagnostic d = st.e820_param_at.value_or(Diagnostic{src, 1, 1, ""});
    d.message =
        "with these mem=/memmap= values the kernel panics (\"Invalid user supplied memory map\"): the map they "
        "leave has fewer than two entries, or one that runs past the top of the address space";
    return d;
  }
  // Limits apply to the table the kernel uses; they are reported at the
  // firmware's entry that crosses them, or at the mem=/memmap= that does,
  // in the map's own terms (addresses, sizes in K as the Memory: line has).
  const u64 usable = spec.usable_bytes();
  const Phys end = spec.usable_end();
  if (usable < kMinRamBytes) {
    Diagnostic d = st.e820_param_at.value_or(st.e820_at.back());
    d.message = "the e820 map the kernel uses has " + std::to_string(usable >> 10) +
                "K of usable RAM: the model needs at least " + std::to_string(kMinRamBytes >> 10) +
                "K for the kernel image";
    return d;
  }
  if (usable <= kMaxRamBytes && end <= kMaxPhysAddr) return zone_span_limit(spec, st);
  u64 sum = 0;
  for (size_t i = 0; i < spec.e820.size() && spec.e820_edits.empty(); ++i) {
    const E820Entry& e = spec.e820[i];
    if (e.type != E820Type::Usable) continue;
    sum += e.size;
    Diagnostic d = st.e820_at[i];
    if (sum > kMaxRamBytes) {
      d.message = "with this entry the e820 map has " + std::to_string(sum >> 10) +
                  "K of usable RAM; the model goes up to " + std::to_string(kMaxRamBytes >> 10) + "K (" +
                  format_size(kMaxRamBytes) + ")";
      return d;
    }
    if (e.end() > kMaxPhysAddr) {
      d.message = "usable RAM up to " + hex_addr(e.end() - 1) + ": the model's page frames reach " +
                  hex_addr(kMaxPhysAddr - 1) + " (" + format_size(kMaxPhysAddr) + " of physical address space)";
      return d;
    }
  }
  Diagnostic d = st.e820_param_at.value_or(st.e820_at.back());
  d.message = "the e820 map the kernel uses has " + std::to_string(usable >> 10) + "K of usable RAM up to " +
              hex_addr(end - 1) + "; the model goes up to " + format_size(kMaxRamBytes) + " of RAM within " +
              format_size(kMaxPhysAddr) + " of physical address space";
  return d;
  return Status::ok();
}

void derive_cpus(ImportState& st) { st.spec().cpus = st.cpus ? st.cpus : 1; }

// setup_arch() prints "Command line:" before it puts a built-in command
// line (CONFIG_CMDLINE) in front of the boot loader's; parse_early_param()
// then reads the merged one, which start_kernel() prints as "Kernel command
// line:". So the parameters come from that line when the log has it, and
// the boot prints the first line as the log does.
void apply_cmdline(ImportState& st) {
  const Line* printed = st.cmdline_line ? st.cmdline_line : st.kernel_cmdline_line;
  if (!printed) return;
  auto text_of = [](const Line* l) { return l->body.substr(l->body.find(": ") + 2); };
  auto words_of = [&](const Line* l) {  // one of the two may end in a space
    const std::string_view t = text_of(l);
    return t.substr(0, t.find_last_not_of(' ') + 1);
  };
  st.spec().cmdline = std::string(text_of(printed));
  // The same line twice (the usual case): positions point at the first.
  const Line* cl = printed;
  if (st.kernel_cmdline_line && words_of(st.kernel_cmdline_line) != words_of(printed)) {
    cl = st.kernel_cmdline_line;
    st.cmdline_notes.push_back("mm-playground: line " + std::to_string(cl->no) +
                               ": the early parameters are read from this line, which has more than the boot "
                               "loader's (line " +
                               std::to_string(printed->no) +
                               "): a built-in command line (CONFIG_CMDLINE) setup_arch() put in front");
  }
  const size_t start = cl->body.find(": ") + 2;
  CmdlineParams params(*cl, st.source);
  params.apply(start, st.spec(), st.numa_off, st.cmdline_notes);
  st.e820_param_at = params.first_e820_param();
}

// An edit that makes the change a log line shows.
E820Edit edit_of(const E820Change& c) {
  E820Edit e;
  e.op = c.remove ? E820Edit::Op::Remove : E820Edit::Op::Update;
  e.start = c.start;
  e.size = c.end - c.start;
  e.type = c.remove ? c.from : c.to;
  e.from = c.from;
  e.check_type = c.check_type;
  e.userdef = false;
  return e;
}

// The log's "e820: update/remove" lines, in order, against the lines the
// kernel prints for the machine as known so far (its command line's edits,
// then trim_bios_range's two): a line the engine prints too is that very
// change, already made; any other (setup_data, MTRR trimming, an edit from
// a bootconfig the command line does not show) is applied where the log
// has it: among the early parameters' edits, or after trim_bios_range once
// the log has shown its lines. So a capture's trim_bios_range lines are
// not applied twice.
void apply_e820_lines(ImportState& st) {
  if (st.e820_changes.empty()) return;
  MachineSpec& spec = st.spec();
  const E820Setup predicted = e820_setup(spec);
  const std::vector<E820Setup::Printed>& ours = predicted.printed;
  std::size_t first_trim = ours.size();
  for (std::size_t i = 0; i < ours.size() && first_trim == ours.size(); ++i)
    if (ours[i].stage == E820Setup::Stage::Trim) first_trim = i;
  std::vector<std::vector<E820Edit>> before(spec.e820_edits.size() + 1);  // extras to put before edit i
  std::vector<E820Edit> late;
  std::size_t next = 0;  // the first of our lines the log has not shown yet
  for (const LoggedE820Change& l : st.e820_changes) {
    std::size_t j = next;
    while (j < ours.size() && !(ours[j].change == l.change)) ++j;
    if (j < ours.size()) {
      next = j + 1;
      continue;
    }
    E820Edit e = edit_of(l.change);
    if (next > first_trim) {
      e.after_trim = true;
      late.push_back(e);
      continue;
    }
    const bool early_left = next < ours.size() && ours[next].stage == E820Setup::Stage::EarlyParam;
    before[early_left ? static_cast<std::size_t>(ours[next].edit) : spec.e820_edits.size()].push_back(e);
  }
  std::vector<E820Edit> edits;
  for (std::size_t i = 0; i <= spec.e820_edits.size(); ++i) {
    edits.insert(edits.end(), before[i].begin(), before[i].end());
    if (i < spec.e820_edits.size()) edits.push_back(spec.e820_edits[i]);
  }
  edits.insert(edits.end(), late.begin(), late.end());
  spec.e820_edits = std::move(edits);
}

// The part of [start, end) the e820 map has RAM in, as [first, last): what a
// SRAT range adds to its node's span (a hotplug range without RAM adds nothing).
std::optional<std::pair<Phys, Phys>> ram_within(const MachineSpec& spec, Phys start, Phys end) {
  std::optional<std::pair<Phys, Phys>> out;
  for (const E820Entry& e : spec.e820_table()) {
    if (e.type != E820Type::Usable) continue;
    const Phys a = std::max(start, e.addr), b = std::min(end, e.end());
    if (a >= b) continue;
    if (!out) out = std::pair{a, b};
    out->first = std::min(out->first, a);
    out->second = std::max(out->second, b);
  }
  return out;
}

// numa_meminfo_cover_memory(): a SRAT that leaves 1 MiB or more of the
// e820 RAM outside every node is not used; the kernel says "NUMA: nodes
// only cover ...MB of your ...MB e820 RAM. Not used." and boots one faked
// node. Returns that sentence when it applies.
std::optional<std::string> srat_leaves_ram_out(const ImportState& st) {
  u64 ram = 0, covered = 0;  // pages
  for (const E820Entry& e : st.plan.spec.e820_table()) {
    if (e.type != E820Type::Usable) continue;
    const Phys a = round_up(e.addr, PAGE_SIZE), b = round_down(e.end(), PAGE_SIZE);
    if (a >= b) continue;
    ram += (b - a) >> PAGE_SHIFT;
    for (const SratMem& m : st.srat) {
      const Phys x = std::max(a, round_up(m.start, PAGE_SIZE)), y = std::min(b, round_down(m.end, PAGE_SIZE));
      if (x < y) covered += (y - x) >> PAGE_SHIFT;
    }
  }
  if (covered >= ram || ram - covered < (u64{1} << (20 - PAGE_SHIFT))) return std::nullopt;
  return "NUMA: nodes only cover " + std::to_string(covered >> (20 - PAGE_SHIFT)) + "MB of your " +
         std::to_string(ram >> (20 - PAGE_SHIFT)) + "MB e820 RAM. Not used.";
}

// Below that 1 MiB slack the kernel keeps the SRAT, and the e820 RAM no
// node covers stays in memblock with no node (MAX_NUMNODES): its pages
// belong to no zone, yet memblock_free_all() would hand them to the buddy
// allocator. The model has no such memory: refused at the SRAT's last
// memory line, naming the first range left out.
Status refuse_ram_outside_nodes(const ImportState& st) {
  for (const E820Entry& e : st.plan.spec.e820_table()) {
    if (e.type != E820Type::Usable) continue;
    Phys a = round_up(e.addr, PAGE_SIZE);
    const Phys b = round_down(e.end(), PAGE_SIZE);
    while (a < b) {
      // Advance past any node range that covers a; stop at a gap.
      bool moved = false;
      for (const SratMem& m : st.srat)
        if (m.start <= a && a < m.end) {
          a = std::min(b, std::max(a + PAGE_SIZE, round_down(m.end, PAGE_SIZE)));
          moved = true;
        }
      if (moved) continue;
      Phys gap_end = b;
      for (const SratMem& m : st.srat)
        if (m.start > a) gap_end = std::min(gap_end, round_up(m.start, PAGE_SIZE));
      Diagnostic d = st.srat.back().at;
      d.message = "the SRAT's nodes leave RAM [mem " + hex_addr(a) + "-" + hex_addr(gap_end - 1) +
                  "] in no node (under the 1 MiB numa_meminfo_cover_memory tolerates, so the kernel keeps this "
                  "SRAT and those pages get no node); memory outside every node is not modelled";
      return d;
    }
  }
  return Status::ok();
}

// Nodes whose RAM interleaves (node 1 below and above node 0, which the
// kernel allows: numa_cleanup_meminfo() keeps such blocks apart) have
// overlapping spans, which the model's zones cannot hold: refused at the
// SRAT line that makes a node's span reach into another's.
Status refuse_interleaved_nodes(const ImportState& st) {
  std::map<int, std::pair<Phys, Phys>> span;  // node -> [first, last) of its RAM
  for (const SratMem& m : st.srat) {
    auto ram = ram_within(st.plan.spec, m.start, m.end);
    if (!ram) continue;
    auto [it, fresh] = span.emplace(m.node, *ram);
    if (!fresh) it->second = {std::min(it->second.first, ram->first), std::max(it->second.second, ram->second)};
    for (const auto& [other, o] : span) {
      if (other == m.node || it->second.second <= o.first || o.second <= it->second.first) continue;
      Diagnostic d = m.at;
      d.message = "with this range node " + std::to_string(m.node) + "'s RAM spans [mem " + hex_addr(it->second.first) +
                  "-" + hex_addr(it->second.second - 1) + "], across node " + std::to_string(other) + "'s [mem " +
                  hex_addr(o.first) + "-" + hex_addr(o.second - 1) +
                  "]: nodes whose memory interleaves are not modelled";
      return d;
    }
  }
  return Status::ok();
}

// Nodes from the SRAT lines (none with numa=off, or with a single node).
void derive_nodes(ImportState& st) {
  if (st.numa_off || st.srat.empty()) return;
  MachineSpec& spec = st.spec();
  int max_node = 0;
  for (const SratMem& s : st.srat) max_node = std::max(max_node, s.node);
  for (const auto& [n, c] : st.node_cpus) max_node = std::max(max_node, n);
  spec.nodes.resize(static_cast<size_t>(max_node) + 1);
  for (size_t i = 0; i < spec.nodes.size(); ++i) spec.nodes[i].id = static_cast<int>(i);
  for (const SratMem& s : st.srat) spec.nodes[static_cast<size_t>(s.node)].ranges.push_back({s.start, s.end});
  for (const auto& [n, c] : st.node_cpus)
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

// How the kernel was built, from the lines it printed or left out; what the
// log cannot tell stays Debian's, and the boot output says so.
void derive_config(ImportState& st) {
  MachineSpec& s = st.spec();
  if (st.saw_zone_ranges) {
    // free_area_init prints a line for every zone the kernel has (ZONE_MOVABLE
    // apart), "empty" or not: no "DMA" line, no ZONE_DMA; no "Device", no ZONE_DEVICE.
    s.config.zone_dma = st.saw_dma_zone;
    s.config.zone_device = st.saw_device_zone;
    s.config.numa = st.saw_numa_setup || !st.srat.empty();
  } else {
    st.assumed.push_back("CONFIG_NUMA, CONFIG_ZONE_DMA and CONFIG_ZONE_DEVICE on (no \"Zone ranges:\" lines)");
  }
  if (st.saw_deferred_init) {
    s.knobs.deferred_struct_page_init = true;
  } else if (st.saw_boot_end) {
    s.knobs.deferred_struct_page_init = false;  // page_alloc_init_late ran and said nothing: not deferred
  } else {
    st.assumed.push_back("CONFIG_DEFERRED_STRUCT_PAGE_INIT on (the log ends before it would show)");
  }
}

// The swiotlb, from its lines; without them, after a "Memory:" line that
// would have followed them, there was none.
void derive_swiotlb(ImportState& st) {
  MachineSpec& s = st.spec();
  if (st.saw_swiotlb) {
    s.swiotlb.mode = SwiotlbSpec::Mode::On;
    if (!s.swiotlb.logged_base)
      st.assumed.push_back(
          "the swiotlb buffer below 4G where the model puts it (no \"software IO TLB: mapped\" "
          "line: an IOMMU took over)");
    return;
  }
  s.swiotlb.mode = SwiotlbSpec::Mode::Auto;
  if (!swiotlb_enabled(s)) return;
  if (st.saw_memory_line) {
    s.swiotlb.mode = SwiotlbSpec::Mode::Off;  // 6.1 and 6.12 print "area num" in mem_init, before "Memory:"
    st.assumed.push_back("no swiotlb (no \"software IO TLB\" line although RAM reaches above 4G)");
  } else {
    st.assumed.push_back("a 64MB swiotlb below 4G (RAM reaches above 4G; the log shows no swiotlb line)");
  }
}

// The image from the log's own sizes: "Memory:" gives the sections, the
// "Freeing" lines what goes after boot; a part a finished boot did not
// free is not in this kernel.
void derive_image(ImportState& st) {
  KernelImage& k = st.spec().kernel;
  const KernelImage debian = debian_kernel_image(st.spec().version);
  auto freed = [&](const char* what, u64& kb) {
    if (auto it = st.freed_kb.find(what); it != st.freed_kb.end())
      kb = it->second;
    else if (st.saw_boot_end)
      kb = 0;
  };
  freed("SMP alternatives", k.smp_alternatives_kb);
  freed("unused decrypted", k.decrypted_kb);
  const bool debian_sizes = k.code_kb == debian.code_kb && k.rwdata_kb == debian.rwdata_kb &&
                            k.rodata_kb == debian.rodata_kb && k.init_kb == debian.init_kb &&
                            k.bss_kb == debian.bss_kb && k.smp_alternatives_kb == debian.smp_alternatives_kb;
  if (st.saw_memory_line && !debian_sizes) {
    const u64 unsized = lay_out_image(k);
    st.assumed.push_back(std::to_string(unsized) + "K of the kernel image's " + std::to_string(k.reserved_size >> 10) +
                         "K (its bug and ORC unwind tables, which no line sizes) estimated from its code size");
  }
  freed("unused kernel image (text/rodata gap)", k.text_rodata_gap_kb);
  freed("unused kernel image (rodata/data gap)", k.rodata_data_gap_kb);
}

// Without memblock=debug lines: the machine is known, the reservations
// are the engine's model.
BootPlan model_boot(ImportState& st) {
  derive_swiotlb(st);
  derive_image(st);
  if (const u64 kb = st.spec().efi_boot_services_kb)
    st.assumed.push_back("the " + std::to_string(kb) +
                         "K of EFI boot-services memory (its \"efi: Freeing EFI boot services memory\" line) "
                         "lay in the free RAM below 4G, top-down (the log does not say where)");
  else if (st.saw_efi && st.saw_memory_line && st.plan.spec.version == KernelVersion::v6_12)
    st.assumed.push_back(
        "no EFI boot-services memory: this kernel frees it without a line before it prints \"Memory:\" "
        "(page_alloc_init_late), so the model cannot size it and reserves none");
  else if (st.saw_efi && st.saw_memory_line)
    st.assumed.push_back(
        "no EFI boot-services memory: this kernel frees it without a line (6.1 before its late stable "
        "releases), so the model cannot size it and reserves none; the log's \"Memory:\" reserved includes it");
  BootPlan model = plan_from_spec(st.plan.spec);
  model.from_dmesg = true;
  if (st.memory_available_kb) {
    // The log's own "Memory:" figure replaces the model's estimate.
    std::erase_if(model.notes, [](const std::string& n) { return n.find("model's estimate") != std::string::npos; });
    for (BootOp& op : model.ops)
      if (auto* late = std::get_if<PageAllocInitLate>(&op)) late->available_kb = st.memory_available_kb;
  }
  model.source = st.plan.source;
  std::string note =
      "mm-playground: this log has no memblock=debug lines; early reservations follow the "
      "engine's own model of a " +
      std::string(kernel_version_name(st.plan.spec.version)) + " boot";
  for (size_t i = 0; i < st.assumed.size(); ++i) note += (i ? "; " : "; assumed: ") + st.assumed[i];
  model.notes.push_back(note);
  model.notes.insert(model.notes.begin(), st.cmdline_notes.begin(), st.cmdline_notes.end());
  return model;
}

// A log cut short still boots: the missing milestones run at the end.
void complete_milestones(ImportState& st) {
  st.ensure_zones(0);
  st.ensure_zonelists(0);
  if (!st.saw_mem_init) {
    st.push(MemInit{0});
    st.plan.notes.push_back("mm-playground: the log ends before mem_init; the boot is completed by the engine");
  }
  st.ensure_late(0);
}

// Old or filtered logs without memblock_add lines: add usable e820 RAM as
// e820__memblock_setup would, right after the first operation.
void add_memory_if_missing(ImportState& st) {
  std::vector<BootOp>& ops = st.plan.ops;
  bool has_add =
      std::any_of(ops.begin(), ops.end(), [](const BootOp& o) { return std::holds_alternative<MemblockAdd>(o); });
  if (has_add) return;
  std::vector<BootOp> adds;
  for (const auto& [base, size] : e820_memblock_ranges(st.plan.spec)) adds.push_back(MemblockAdd{base, size, {}});
  adds.push_back(MemblockTrim{});
  ops.insert(ops.begin() + 1, adds.begin(), adds.end());
}

// After init_mem_mapping everything is mapped: allocations may go anywhere.
void raise_limit_after_init_mem_mapping(ImportState& st) {
  std::vector<BootOp>& ops = st.plan.ops;
  for (size_t i = 0; i < ops.size(); ++i)
    if (const auto* f = std::get_if<MemblockPhysFree>(&ops[i]); f && starts(f->caller, "init_mem_mapping")) {
      ops.insert(ops.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                 SetCurrentLimit{round_down(st.plan.spec.usable_end(), PAGE_SIZE)});
      break;
    }
}

}  // namespace

Expected<BootPlan> plan_from_dmesg(std::string_view text, std::string_view source) {
  const std::vector<Line> lines = split_lines(text);
  ImportState st(source);

  if (Status s = learn_machine(lines, st); !s) return s.diag();
  if (Status s = check_firmware_map(st); !s) return s.diag();
  derive_cpus(st);
  if (!st.version_note.empty()) st.cmdline_notes.insert(st.cmdline_notes.begin(), st.version_note);
  apply_cmdline(st);
  apply_e820_lines(st);
  if (Status s = check_machine(st); !s) return s.diag();
  if (!st.numa_off && !st.srat.empty()) {
    if (auto unused = srat_leaves_ram_out(st)) {
      // As the kernel: one node for all memory (dummy_numa_init).
      st.numa_off = true;
      st.cmdline_notes.push_back("mm-playground: the kernel says \"" + *unused +
                                 "\" (numa_meminfo_cover_memory) and boots one node (dummy_numa_init)");
    } else if (Status s = refuse_interleaved_nodes(st); !s) {
      return s.diag();
    } else if (Status r = refuse_ram_outside_nodes(st); !r) {
      return r.diag();
    }
  }
  derive_nodes(st);
  derive_config(st);
  st.spec().description = "dmesg " + std::string(source);
  if (!st.memblock_debug) return model_boot(st);

  st.plan.memblock_debug = true;
  st.plan.notes = st.cmdline_notes;
  for (const std::string& a : st.assumed) st.plan.notes.push_back("mm-playground: assumed: " + a);
  if (Status s = replay_boot(lines, st); !s) return s.diag();
  complete_milestones(st);
  add_memory_if_missing(st);
  raise_limit_after_init_mem_mapping(st);
  return std::move(st.plan);
}

}  // namespace mm
