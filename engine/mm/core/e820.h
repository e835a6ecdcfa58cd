// The e820 table as setup_arch() changes it before memblock sees it: the
// firmware's map, the edits of the command line's mem= and memmap= (and of
// a log's own "e820: update/remove" lines), the kernel's own fix-ups
// (e820_add_kernel_range, trim_bios_range), and the pfn it ends at.
//
// Facts only: the parameters are read in text/parse/e820_params.h, the
// lines are printed by the boot (boot/memblock_setup.cpp). This file is the
// one place of the table's arithmetic (kernel: arch/x86/kernel/e820.c).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "mm/core/types.h"

namespace mm {

struct MachineSpec;
enum class KernelVersion : std::uint8_t;

// The kernel's enum e820_type numbers: a table sanitised by
// e820__update_table() resolves an overlap in favour of the larger number.
enum class E820Type : std::uint8_t { Usable = 1, Reserved = 2, ACPI = 3, NVS = 4, Unusable = 5, PRAM = 12 };
// As e820_print_type() prints it: "usable", "ACPI data", "persistent (type 12)".
std::string_view e820_type_name(E820Type t);
// The type a kernel number stands for, when the engine models it.
bool e820_type_from_number(u64 n, E820Type& out);

struct E820Entry {
  Phys addr = 0;
  Phys size = 0;
  E820Type type = E820Type::Usable;
  Phys end() const { return addr + size; }
  bool operator==(const E820Entry&) const = default;
};

// One change an early parameter (or a log line) makes, as the kernel makes
// it: e820__range_add, e820__range_update, e820__range_remove, or
// memmap=exactmap's emptying of the table.
struct E820Edit {
  enum class Op : std::uint8_t {
    UserDefined,  // changes nothing, yet the map counts as user-defined (mem= with a value the kernel reads as 0)
    Exactmap,     // memmap=exactmap: the table starts empty
    Add,
    Update,
    Remove,
  };
  Op op = Op::Remove;
  Phys start = 0;
  u64 size = 0;
  E820Type type = E820Type::Usable;  // Add: the new entry's; Update: the new type; Remove: the type removed
  E820Type from = E820Type::Usable;  // Update: the type that changes
  bool check_type = true;            // Remove: only entries of `type` (false: any)
  bool userdef = true;               // from mem= or memmap=: the kernel then prints the user-defined map
  bool after_trim = false;           // a log's edit printed after trim_bios_range (mtrr trimming and the like)
  bool operator==(const E820Edit&) const = default;
};

// One "e820: update" or "e820: remove" line: what e820__range_update and
// e820__range_remove print before they change the table.
struct E820Change {
  bool remove = false;
  Phys start = 0, end = 0;  // [start, end), end clamped to 2^64-1 as the kernel clamps it
  E820Type from = E820Type::Usable, to = E820Type::Reserved;  // remove: `from` is the type removed
  bool check_type = true;                                     // remove: false names no type
  bool operator==(const E820Change&) const = default;
};

// The e820 part of setup_arch, as it ran for a machine.
struct E820Setup {
  enum class Stage : std::uint8_t { EarlyParam, KernelRange, Trim, AfterTrim };
  struct Printed {
    E820Change change;
    Stage stage;
    int edit = -1;  // the MachineSpec::e820_edits entry that printed it (-1: the kernel's own)
  };
  std::vector<Printed> printed;  // every update/remove line, in order
  bool userdef = false;          // e820__finish_early_params prints `user` as "user-defined physical RAM map:"
  bool invalid = false;          // the user map did not sanitise: early_panic("Invalid user supplied memory map")
  std::vector<E820Entry> user;   // the table after the early parameters (userdef only)
  bool kernel_not_ram = false;   // e820_add_kernel_range warned and put the image back as RAM
  std::vector<E820Entry> table;  // what e820__memblock_setup reads
  Pfn max_pfn = 0;               // e820__end_of_ram_pfn() of `table`
  Pfn max_pfn_before_late = 0;   // the same before the AfterTrim edits (what the first last_pfn line says)
  Pfn max_low_pfn = 0;           // e820__end_of_low_ram_pfn() when max_pfn is above 4G, else max_pfn
  bool edited = false;           // the spec has edits: the boot prints this stretch of the kernel's log
};

// x86_64's MAX_ARCH_PFN with 4-level paging (46 physical address bits), as
// "last_pfn = ... max_arch_pfn = 0x400000000" shows it.
inline constexpr Pfn kMaxArchPfn = Pfn{1} << 34;

// The whole sequence for a spec: its firmware map, its edits in order.
E820Setup e820_setup(const MachineSpec& spec);

// The pieces, named after the kernel's functions (the table is a vector).
void e820__range_add(std::vector<E820Entry>& t, Phys start, u64 size, E820Type type);
E820Change e820__range_update(std::vector<E820Entry>& t, Phys start, u64 size, E820Type from, E820Type to);
E820Change e820__range_remove(std::vector<E820Entry>& t, Phys start, u64 size, E820Type type, bool check_type);
// Sorts, removes overlaps (the larger type wins) and merges neighbours of a
// type; false, leaving the table alone, when it has fewer than two entries
// or one wraps past 2^64.
bool e820__update_table(std::vector<E820Entry>& t);
// The pfn after the highest RAM below limit_pfn (6.12 counts ACPI data as RAM here).
Pfn e820_end_pfn(const std::vector<E820Entry>& t, Pfn limit_pfn, KernelVersion v);

}  // namespace mm
