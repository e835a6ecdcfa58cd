// Fills narration templates (narration.def documents the syntax). The page
// has the same filler in TypeScript (web/src/words/narrate.ts); a page unit
// test checks that both give the same English for recorded events.
#include "text/format/narration.h"

#include <array>
#include <cstdio>
#include <functional>

#include "mm/page_alloc/gfp.h"
#include "text/format/gfp.h"
#include "text/format/slabinfo.h"

namespace mm {

namespace {

constexpr std::array<Words, kEventCodes> make_words() {
  std::array<Words, kEventCodes> w{};
#define MM_WORDS(code, en, zh) w[static_cast<unsigned>(Ev::code)] = Words{en, zh};
#include "text/format/narration.def"
#undef MM_WORDS
  return w;
}
constexpr std::array<Words, kEventCodes> kWords = make_words();

// Every code has its templates.
constexpr bool all_codes_have_words() {
  for (unsigned i = 0; i < kEventCodes; ++i)
    if (kWords[i].en.empty() || kWords[i].zh.empty()) return false;
  return true;
}
static_assert(all_codes_have_words(), "narration.def: an event code of events.def has no MM_WORDS line");

constexpr std::array<std::string_view, MIGRATE_TYPES> kMigrateTypeZh = {"不可移动", "可移动", "可回收", "高阶原子",
                                                                        "隔离"};
constexpr std::array<std::string_view, 4> kWmarkNames = {"min", "low", "high", "promo"};

std::string hex(std::uint64_t v, int width) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%0*llx", width, static_cast<unsigned long long>(v));
  return b;
}

// Finds the argument a placeholder names among the code's arguments.
bool find_arg(const EventSpec& s, std::string_view name, Arg& out) {
  for (unsigned i = 0; i < s.nargs; ++i)
    if (kArgInfo[static_cast<unsigned>(s.args[i])].name == name) {
      out = s.args[i];
      return true;
    }
  return false;
}

// Derived placeholders: figures a sentence shows its arithmetic with,
// worked out from the code's own arguments (narration.def lists them; the
// page's filler, narrate.ts, has the same table). A derived name may be
// used by a code that carries all of its inputs.
struct Derived {
  std::string_view name;
  std::array<Arg, 2> inputs;
  ArgType type;
  std::int64_t (*value)(const Event&);
};
std::int64_t order_unusable(const Event& e) { return (std::int64_t{1} << e.get(Arg::order)) - 1; }
constexpr std::array<Derived, 5> kDerived = {{
    {"order_unusable", {Arg::order, Arg::order}, ArgType::kCount, order_unusable},
    {"highatomic",
     {Arg::order, Arg::unusable},
     ArgType::kCount,
     [](const Event& e) { return e.get(Arg::unusable) - order_unusable(e); }},
    {"mark_reserve",
     {Arg::mark, Arg::reserve},
     ArgType::kCount,
     [](const Event& e) { return e.get(Arg::mark) + e.get(Arg::reserve); }},
    {"below_zero",
     {Arg::usable, Arg::usable},
     ArgType::kBool,
     [](const Event& e) { return std::int64_t{e.get(Arg::usable) < 0}; }},
    {"buddy_of",
     {Arg::pfn, Arg::order},
     ArgType::kPfn,
     [](const Event& e) { return e.get(Arg::pfn) ^ (std::int64_t{1} << e.get(Arg::order)); }},
}};

// The derived placeholder `name` of a code that carries its inputs, or null.
const Derived* find_derived(const EventSpec& s, std::string_view name) {
  for (const Derived& d : kDerived)
    if (d.name == name) return s.declares(d.inputs[0]) && s.declares(d.inputs[1]) ? &d : nullptr;
  return nullptr;
}

// Calls plain(text) and field(name, yes, no, is_choice) for the pieces of a
// template; returns false (and the offset) on a malformed template.
template <class Plain, class Field>
bool walk(std::string_view tpl, Plain&& plain, Field&& field, std::size_t* bad = nullptr, std::string* why = nullptr) {
  std::size_t i = 0;
  while (i < tpl.size()) {
    const std::size_t open = tpl.find('{', i);
    if (open == std::string_view::npos) {
      plain(tpl.substr(i));
      break;
    }
    plain(tpl.substr(i, open - i));
    // A choice's branches may hold placeholders: find the brace that closes this one.
    std::size_t depth = 0, close = open;
    for (; close < tpl.size(); ++close) {
      if (tpl[close] == '{')
        ++depth;
      else if (tpl[close] == '}' && --depth == 0)
        break;
    }
    if (close >= tpl.size()) {
      if (bad) *bad = open, *why = "unclosed '{'";
      return false;
    }
    const std::string_view body = tpl.substr(open + 1, close - open - 1);
    const std::size_t q = body.find('?');
    if (q == std::string_view::npos) {
      field(body, std::string_view{}, std::string_view{}, false, open);
    } else {
      const std::string_view rest = body.substr(q + 1);
      // The '|' that separates the branches is the one outside any placeholder.
      std::size_t bar = std::string_view::npos, d = 0;
      for (std::size_t k = 0; k < rest.size(); ++k) {
        if (rest[k] == '{')
          ++d;
        else if (rest[k] == '}')
          --d;
        else if (rest[k] == '|' && d == 0) {
          bar = k;
          break;
        }
      }
      if (bar == std::string_view::npos) {
        if (bad) *bad = open, *why = "a choice needs '|' between its two branches";
        return false;
      }
      field(body.substr(0, q), rest.substr(0, bar), rest.substr(bar + 1), true, open);
    }
    i = close + 1;
  }
  return true;
}

std::string fill(std::string_view tpl, const Event& e, const Trace& t, Lang lang) {
  std::string out;
  const EventSpec& s = e.spec();
  walk(
      tpl, [&](std::string_view p) { out += p; },
      [&](std::string_view name, std::string_view yes, std::string_view no, bool choice, std::size_t) {
        Arg a{};
        if (!find_arg(s, name, a)) {
          if (const Derived* d = find_derived(s, name)) {
            const std::int64_t v = d->value(e);
            out += choice                      ? fill(v ? yes : no, e, t, lang)
                   : d->type == ArgType::kBool ? (v ? "1" : "0")
                                               : std::to_string(v);
            return;
          }
          out += '{';
          out += name;
          out += '}';
          return;
        }
        if (choice)
          out += fill(e.get(a) ? yes : no, e, t, lang);
        else
          out += format_arg(e, a, t, lang);
      });
  return out;
}

}  // namespace

const Words& words(Ev code) { return kWords[static_cast<unsigned>(code)]; }

std::string_view migratetype_name(unsigned mt, Lang lang) {
  if (mt >= MIGRATE_TYPES) return "?";
  return lang == Lang::zh ? kMigrateTypeZh[mt] : kMigrateTypeNames[mt];
}

std::string_view wmark_name(unsigned w) { return w < kWmarkNames.size() ? kWmarkNames[w] : "?"; }

std::string format_arg(const Event& e, Arg a, const Trace& t, Lang lang) {
  const std::int64_t v = e.get(a);
  switch (kArgInfo[static_cast<unsigned>(a)].type) {
    case ArgType::kMigrateType: return std::string(migratetype_name(static_cast<unsigned>(v), lang));
    case ArgType::kZone: {
      const std::string z = e.zone >= 0 && e.zone < static_cast<int>(MAX_NR_ZONES)
                                ? std::string(kZoneNames[static_cast<unsigned>(e.zone)])
                                : "?";
      return (lang == Lang::zh ? "节点 " : "Node ") + std::to_string(e.node) + " " + z;
    }
    case ArgType::kZoneType:
      return v >= 0 && v < static_cast<std::int64_t>(MAX_NR_ZONES) ? std::string(kZoneNames[static_cast<unsigned>(v)])
                                                                   : "?";
    case ArgType::kPhys: return hex(static_cast<std::uint64_t>(v), 16);
    case ArgType::kAddr: return hex(static_cast<std::uint64_t>(v), 1);
    case ArgType::kGfp: return format_gfp(static_cast<gfp_t>(v));
    case ArgType::kAllocFlags: return format_alloc_flags(static_cast<unsigned>(v));
    case ArgType::kWmark: return std::string(wmark_name(static_cast<unsigned>(v)));
    case ArgType::kSlabFlags: return format_slab_flags(static_cast<u32>(v));
    case ArgType::kBool: return v ? "1" : "0";
    case ArgType::kStr:
      return v >= 0 && static_cast<std::size_t>(v) < t.string_count() ? t.string_at(static_cast<std::size_t>(v)) : "";
    case ArgType::kPfn:
    case ArgType::kOrder:
    case ArgType::kNode:
    case ArgType::kCpu:
    case ArgType::kCount:
    case ArgType::kSigned:
    case ArgType::kBytes:
    case ArgType::kPid: break;
  }
  return std::to_string(v);
}

std::string narrate(const Event& e, const Trace& t, Lang lang) {
  if (e.kind == EventKind::End) {
    std::string s(kPhaseEndWords.in(lang));
    s.replace(s.find("{fn}"), 4, e.function());
    return s;
  }
  return fill(words(e.code).in(lang), e, t, lang);
}

std::string to_string(const Event& e, const Trace& t) {
  std::string s(2u * e.depth, ' ');
  switch (e.kind) {
    case EventKind::Begin: s += "> "; break;
    case EventKind::End: s += "<"; return s;
    case EventKind::Warn: s += "! "; break;
    case EventKind::Step: s += "- "; break;
  }
  s += e.function();
  const std::string text = narrate(e, t, Lang::en);
  if (!text.empty()) {
    s += ": ";
    s += text;
  }
  return s;
}

std::vector<TemplateProblem> check_template(Ev code, std::string_view tpl) {
  std::vector<TemplateProblem> problems;
  const EventSpec& s = spec(code);
  std::function<void(std::string_view, std::size_t, bool)> check;
  check = [&](std::string_view text, std::size_t base, bool inside_choice) {
    std::size_t bad = 0;
    std::string why;
    const bool ok = walk(
        text, [](std::string_view) {},
        [&](std::string_view name, std::string_view yes, std::string_view no, bool choice, std::size_t at) {
          Arg a{};
          if (!find_arg(s, name, a) && !find_derived(s, name))
            problems.push_back({base + at, "{" + std::string(name) + "} is not an argument of " + std::string(s.code)});
          if (choice) {
            if (inside_choice) problems.push_back({base + at, "a choice inside a choice"});
            check(yes, base + at, true);
            check(no, base + at, true);
          }
        },
        &bad, &why);
    if (!ok) problems.push_back({base + bad, why});
  };
  check(tpl, 0, false);
  return problems;
}

}  // namespace mm
