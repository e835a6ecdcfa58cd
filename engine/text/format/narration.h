// Words at the edge: an event's sentence in English or Chinese, from the
// narration table (narration.def) and the event's typed arguments. The CLI's
// --trace, the text golden tests and the page (through the catalogue the
// bindings export) all read the same table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mm/core/event.h"

namespace mm {

enum class Lang : std::uint8_t { en, zh };

struct Words {
  std::string_view en, zh;
  std::string_view in(Lang l) const { return l == Lang::zh ? zh : en; }
};
const Words& words(Ev code);
// The sentence of an End record (a phase closing): "{fn}" is the kernel
// function of the phase it closes.
inline constexpr Words kPhaseEndWords{"{fn} returns.", "{fn} 返回。"};

// Chinese names of the migrate types and watermarks (English ones are the
// kernel's, in mm/core/types.h).
std::string_view migratetype_name(unsigned mt, Lang lang);
std::string_view wmark_name(unsigned wmark);

// One argument of an event, shown by its type ("Unmovable", "Node 0 DMA32",
// "0x0000000001000000", "GFP_KERNEL", "kmalloc-128").
std::string format_arg(const Event& e, Arg a, const Trace& t, Lang lang);
// The event's sentence (an End record's: kPhaseEndWords).
std::string narrate(const Event& e, const Trace& t, Lang lang = Lang::en);
// "  > __alloc_pages: <sentence>" / "  - expand: ..." / "  <": an event as one
// line of `mmsim --trace`, indented by depth.
std::string to_string(const Event& e, const Trace& t);

// A template's placeholders, or the first problem in it (a placeholder
// that is not an argument of `code`, an unclosed brace, a nested choice).
struct TemplateProblem {
  std::size_t offset;
  std::string message;
};
std::vector<TemplateProblem> check_template(Ev code, std::string_view tpl);

}  // namespace mm
