#include "text/format/reasons.h"

#include <array>

namespace mm {

namespace {

constexpr std::array<Words, kAllocFailures> make_reasons() {
  std::array<Words, kAllocFailures> w{};
#define MM_REASON(code, en, zh) w[static_cast<unsigned>(AllocFailure::code)] = Words{en, zh};
#include "text/format/reasons.def"
#undef MM_REASON
  return w;
}
constexpr std::array<Words, kAllocFailures> kReasons = make_reasons();

constexpr bool every_reason_has_words() {
  for (unsigned i = 1; i < kAllocFailures; ++i)
    if (kReasons[i].en.empty() || kReasons[i].zh.empty()) return false;
  return kReasons[0].en.empty();
}
static_assert(every_reason_has_words(), "reasons.def: an AllocFailure other than none has no MM_REASON line");

}  // namespace

const Words& reason_words(AllocFailure why) { return kReasons[static_cast<unsigned>(why)]; }

std::string failure_text(const AllocOutcome& out, Lang lang) {
  if (out.ok) return {};
  const std::string_view tpl = reason_words(out.reason).in(lang);
  std::string s;
  for (std::size_t i = 0; i < tpl.size();) {
    const std::size_t open = tpl.find('{', i);
    const std::size_t close = open == std::string_view::npos ? open : tpl.find('}', open);
    if (close == std::string_view::npos) {
      s += tpl.substr(i);
      break;
    }
    s += tpl.substr(i, open - i);
    const std::string_view name = tpl.substr(open + 1, close - open - 1);
    if (name == "order")
      s += std::to_string(out.order);
    else if (name == "node")
      s += std::to_string(out.nid);
    else if (name == "gfp")
      s += format_gfp(out.gfp);
    else
      s += tpl.substr(open, close - open + 1);
    i = close + 1;
  }
  return s;
}

}  // namespace mm
