// The e820 table's arithmetic (arch/x86/kernel/e820.c and setup_arch's
// calls into it), in the order setup_arch makes the calls:
//   parse_early_param      mem=, memmap= (MachineSpec::e820_edits)
//   e820__finish_early_params   sanitise and keep the user-defined map
//   e820_add_kernel_range  the image back as RAM if the edits took it away
//   trim_bios_range        page 0 reserved, the 640K-1M BIOS area not RAM
//   e820__end_of_ram_pfn   max_pfn
#include "mm/core/e820.h"

#include <algorithm>

#include "mm/core/machine_spec.h"

namespace mm {

namespace {

constexpr u64 kU64Max = ~u64{0};
// E820_MAX_ENTRIES with Debian's 1024 NUMA nodes: 128 from the zero page,
// three per node. Entries past it are dropped, as __e820__range_add does.
constexpr std::size_t kE820MaxEntries = 128 + 3 * 1024;
constexpr Phys kBiosBegin = 0xa0000, kBiosEnd = 0x100000;  // the legacy VGA/BIOS area

// The kernel keeps the requested size unless the range would run past the
// top of the address space.
u64 clamp_size(Phys start, u64 size) { return std::min(size, kU64Max - start); }

// RAM from start to end with no gap, read in table order.
// kernel: __e820__mapped_all()
bool e820__mapped_all(const std::vector<E820Entry>& t, Phys start, Phys end, E820Type type) {
  for (const E820Entry& e : t) {
    if (e.type != type || e.addr >= end || e.end() <= start) continue;
    if (e.addr <= start) start = e.end();
    if (start >= end) return true;
  }
  return false;
}

// PRAM ranges may be meant to stay apart (a namespace each): never merged.
bool e820_nomerge(int type) { return type == static_cast<int>(E820Type::PRAM); }

void apply(std::vector<E820Entry>& t, const E820Edit& e, E820Setup& s, E820Setup::Stage stage, int index) {
  switch (e.op) {
    case E820Edit::Op::UserDefined: break;
    case E820Edit::Op::Exactmap: t.clear(); break;
    case E820Edit::Op::Add: e820__range_add(t, e.start, e.size, e.type); break;
    case E820Edit::Op::Update:
      s.printed.push_back({e820__range_update(t, e.start, e.size, e.from, e.type), stage, index});
      break;
    case E820Edit::Op::Remove:
      s.printed.push_back({e820__range_remove(t, e.start, e.size, e.type, e.check_type), stage, index});
      break;
  }
}

// e820_add_kernel_range(): an image the edits left outside RAM is put back
// (after a warning), so that the kernel keeps running from it.
void add_kernel_range(std::vector<E820Entry>& t, const KernelImage& k, E820Setup& s) {
  const Phys start = k.start, size = k.reserved_size;
  if (e820__mapped_all(t, start, start + size, E820Type::Usable)) return;
  s.kernel_not_ram = true;
  s.printed.push_back({e820__range_remove(t, start, size, E820Type::Usable, false), E820Setup::Stage::KernelRange, -1});
  e820__range_add(t, start, size, E820Type::Usable);
}

// trim_bios_range(): page 0 belongs to the BIOS, and 640K-1M is never RAM
// whatever the firmware says.
void trim_bios_range(std::vector<E820Entry>& t, E820Setup& s) {
  s.printed.push_back(
      {e820__range_update(t, 0, PAGE_SIZE, E820Type::Usable, E820Type::Reserved), E820Setup::Stage::Trim, -1});
  s.printed.push_back(
      {e820__range_remove(t, kBiosBegin, kBiosEnd - kBiosBegin, E820Type::Usable, true), E820Setup::Stage::Trim, -1});
  e820__update_table(t);
}

}  // namespace

std::string_view e820_type_name(E820Type t) {
  switch (t) {
    case E820Type::Usable: return "usable";
    case E820Type::Reserved: return "reserved";
    case E820Type::ACPI: return "ACPI data";
    case E820Type::NVS: return "ACPI NVS";
    case E820Type::Unusable: return "unusable";
    case E820Type::PRAM: return "persistent (type 12)";
  }
  return "reserved";
}

bool e820_type_from_number(u64 n, E820Type& out) {
  if ((n < 1 || n > 5) && n != 12) return false;
  out = static_cast<E820Type>(n);
  return true;
}

void e820__range_add(std::vector<E820Entry>& t, Phys start, u64 size, E820Type type) {
  if (t.size() >= kE820MaxEntries) return;
  t.push_back({start, size, type});
}

// An entry of `from` the range covers whole changes type; one that covers
// the range keeps its head and gets the range and its tail as new entries;
// one that overlaps loses the overlap to a new entry. (Entries appended
// here are visited too, as the kernel's loop reads the count each time;
// they never match again.)
E820Change e820__range_update(std::vector<E820Entry>& t, Phys start, u64 size, E820Type from, E820Type to) {
  size = clamp_size(start, size);
  const Phys end = start + size;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].type != from) continue;
    const Phys e_start = t[i].addr, e_end = t[i].end();
    if (e_start >= start && e_end <= end) {
      t[i].type = to;
      continue;
    }
    if (e_start < start && e_end > end) {
      t[i].size = start - e_start;
      e820__range_add(t, start, size, to);
      e820__range_add(t, end, e_end - end, from);
      continue;
    }
    const Phys lo = std::max(start, e_start), hi = std::min(end, e_end);
    if (lo >= hi) continue;
    e820__range_add(t, lo, hi - lo, to);
    t[i].size -= hi - lo;
    if (t[i].addr >= lo) t[i].addr = hi;  // the overlap was the entry's head
  }
  return {false, start, end, from, to, true};
}

// The same walk with nothing put in the range's place; an entry covered
// whole is emptied (the kernel zeroes it; sanitising drops it).
E820Change e820__range_remove(std::vector<E820Entry>& t, Phys start, u64 size, E820Type type, bool check_type) {
  size = clamp_size(start, size);
  const Phys end = start + size;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if ((check_type && t[i].type != type) || t[i].size == 0) continue;
    const Phys e_start = t[i].addr, e_end = t[i].end();
    if (e_start >= start && e_end <= end) {
      t[i].addr = 0;
      t[i].size = 0;
      continue;
    }
    if (e_start < start && e_end > end) {
      t[i].size = start - e_start;
      e820__range_add(t, end, e_end - end, t[i].type);
      continue;
    }
    const Phys lo = std::max(start, e_start), hi = std::min(end, e_end);
    if (lo >= hi) continue;
    t[i].size -= hi - lo;
    if (t[i].addr >= lo) t[i].addr = hi;
  }
  return {true, start, end, type, type, check_type};
}

// Every entry's start and end is a change point; walking them in address
// order (a start before an end at the same address) with the set of
// entries open at each point, the type there is the largest open one. A
// new entry begins wherever that type changes (or at every point of a type
// that never merges); empty pieces are dropped.
bool e820__update_table(std::vector<E820Entry>& t) {
  if (t.size() < 2) return false;
  for (const E820Entry& e : t)
    if (e.addr + e.size < e.addr) return false;
  struct Point {
    Phys addr;
    std::size_t entry;
    bool end;
  };
  std::vector<Point> points;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].size == 0) continue;
    points.push_back({t[i].addr, i, false});
    points.push_back({t[i].end(), i, true});
  }
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    return !a.end && b.end;
  });
  std::vector<E820Entry> out;
  std::vector<std::size_t> open;
  int last_type = 0;
  Phys last_addr = 0;
  for (const Point& p : points) {
    if (!p.end) {
      open.push_back(p.entry);
    } else {
      auto it = std::find(open.begin(), open.end(), p.entry);
      if (it != open.end()) open.erase(it);
    }
    int type = 0;
    for (std::size_t i : open) type = std::max(type, static_cast<int>(t[i].type));
    if (type == last_type && !e820_nomerge(type)) continue;
    if (last_type != 0 && p.addr > last_addr)
      out.push_back({last_addr, p.addr - last_addr, static_cast<E820Type>(last_type)});
    if (type != 0) last_addr = p.addr;
    last_type = type;
  }
  t = std::move(out);
  return true;
}

Pfn e820_end_pfn(const std::vector<E820Entry>& t, Pfn limit_pfn, KernelVersion v) {
  Pfn last = 0;
  for (const E820Entry& e : t) {
    // 6.12's e820__end_ram_pfn() counts ACPI data, which the kernel may reuse once read.
    const bool ram = e.type == E820Type::Usable || (v == KernelVersion::v6_12 && e.type == E820Type::ACPI);
    if (!ram) continue;
    const Pfn start_pfn = e.addr >> PAGE_SHIFT, end_pfn = e.end() >> PAGE_SHIFT;
    if (start_pfn >= limit_pfn) continue;
    if (end_pfn > limit_pfn) {
      last = limit_pfn;
      break;
    }
    last = std::max(last, end_pfn);
  }
  return std::min(last, kMaxArchPfn);
}

E820Setup e820_setup(const MachineSpec& spec) {
  E820Setup s;
  std::vector<E820Entry> t = spec.e820;
  s.edited = !spec.e820_edits.empty();
  for (std::size_t i = 0; i < spec.e820_edits.size(); ++i) {
    const E820Edit& e = spec.e820_edits[i];
    if (e.after_trim) continue;
    apply(t, e, s, E820Setup::Stage::EarlyParam, static_cast<int>(i));
    s.userdef = s.userdef || e.userdef;
  }
  if (s.userdef) {
    if (!e820__update_table(t)) {
      s.invalid = true;  // the kernel panics here
      return s;
    }
    s.user = t;
  }
  add_kernel_range(t, spec.kernel, s);
  trim_bios_range(t, s);
  s.max_pfn_before_late = e820_end_pfn(t, kMaxArchPfn, spec.version);
  bool late = false;
  for (std::size_t i = 0; i < spec.e820_edits.size(); ++i)
    if (spec.e820_edits[i].after_trim) {
      apply(t, spec.e820_edits[i], s, E820Setup::Stage::AfterTrim, static_cast<int>(i));
      late = true;
    }
  if (late) e820__update_table(t);
  std::erase_if(t, [](const E820Entry& e) { return e.size == 0; });
  s.table = std::move(t);
  s.max_pfn = e820_end_pfn(s.table, kMaxArchPfn, spec.version);
  const Pfn pfn_4g = Pfn{1} << (32 - PAGE_SHIFT);
  s.max_low_pfn = s.max_pfn > pfn_4g ? e820_end_pfn(s.table, pfn_4g, spec.version) : s.max_pfn;
  return s;
}

}  // namespace mm
