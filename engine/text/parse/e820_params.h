// The command line's memory-map parameters as x86's early parameter
// handlers read them (arch/x86/kernel/e820.c): mem= (parse_memopt) and
// memmap= (parse_memmap_opt, one parse_memmap_one per comma-separated
// entry). The result is the e820 edits the kernel makes, in order
// (MachineSpec::e820_edits; mm/core/e820.h applies them), and what the
// kernel did with anything it could not read: the shorthand refuses such a
// value, the dmesg importer notes it and boots as the kernel did.
//
//   mem=SIZE           RAM from SIZE up removed
//   memmap=exactmap    the firmware's map dropped (the entries after it make the map)
//   memmap=SIZE@ADDR   usable RAM added          memmap=SIZE#ADDR   ACPI data
//   memmap=SIZE$ADDR   reserved                  memmap=SIZE!ADDR   persistent (type 12)
//   memmap=SIZE%ADDR-FROM+TO   type FROM becomes TO (-FROM alone removes it, +TO alone adds)
//   memmap=SIZE        as mem=SIZE
// SIZE and ADDR as memparse() reads them: a C number (0x hex, leading 0
// octal) and one of K M G T P E.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/e820.h"

namespace mm {

// What simple_strtoull(s, &end, 0) reads: the value (wrapping past 2^64, as
// the kernel's does) and the characters it took (0: no number).
struct ParsedNumber {
  u64 value = 0;
  std::size_t used = 0;
};
ParsedNumber simple_strtoull(std::string_view s);
// memparse(): the same number times the suffix after it (K, M, G, T, P, E,
// either case), `used` counting the suffix.
ParsedNumber memparse(std::string_view s);

// What the kernel did with a value it could not take as written.
struct E820ParamFinding {
  std::size_t pos = 0;  // offset in the value
  std::string what;     // the engine's words: what the kernel did
};

struct E820ParamRead {
  std::vector<E820Edit> edits;
  std::vector<E820ParamFinding> findings;
};

// `value` is empty for a bare parameter (the kernel gets NULL).
E820ParamRead read_mem_param(std::optional<std::string_view> value);     // kernel: parse_memopt()
E820ParamRead read_memmap_param(std::optional<std::string_view> value);  // kernel: parse_memmap_opt()

}  // namespace mm
