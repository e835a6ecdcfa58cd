// The page allocator's statements: alloc, repeat N alloc, free, drain.
#include "text/scenario/parse_statements.h"

namespace mm::scenario {

namespace {

// The handle name: the first word after the statement word, when it is not
// key=value. Returns the index of the first option.
template <class S>
std::size_t handle_name(const Line& l, std::size_t k, S& s) {
  if (k + 1 < l.words.size() && l.words[k + 1].text.find('=') == std::string_view::npos) {
    s.handle = std::string(l.words[k + 1].text);
    return k + 2;
  }
  return k + 1;
}

struct AllocArgs {
  stmt::Alloc s;
  int gfp_col = 0;  // 0: the default mask
};
constexpr Option<AllocArgs> kAllocOptions[] = {
    {"order", [](AllocArgs& a, const Arg& v) { return v.order(a.s.order); }},
    {"gfp",
     [](AllocArgs& a, const Arg& v) {
       a.gfp_col = v.col;
       return v.gfp(a.s.gfp);
     }},
    {"cpu", [](AllocArgs& a, const Arg& v) { return v.cpu(a.s.cpu); }},
    {"node", [](AllocArgs& a, const Arg& v) { return v.node(a.s.node); }},
};

// `alloc ...` starting at word k (0, or 2 after `repeat N`).
Expected<Statement> alloc_at(const Line& l, std::size_t k, const StatementKind& kind, int repeat) {
  AllocArgs a;
  a.s.at = l.pos(k);
  a.s.repeat = repeat;
  if (Status st = parse_options(l, handle_name(l, k, a.s), a, kAllocOptions, "alloc", kind.usage); !st)
    return st.diag();
  // The mask is checked with the order, whichever came first.
  const Arg mask{l, {}, a.gfp_col ? a.gfp_col : a.s.at.col};
  if (Status st = mask.gfp_allowed(a.s.gfp, a.s.order); !st) return st.diag();
  return Statement{std::move(a.s)};
}

struct FreeArgs {
  stmt::Free s;
  bool have_order = false;
  Pfn pfn = 0;
  bool have_pfn = false;
};
constexpr Option<FreeArgs> kFreeOptions[] = {
    {"order",
     [](FreeArgs& f, const Arg& a) {
       f.have_order = true;
       return a.order(f.s.order);
     }},
    {"cpu", [](FreeArgs& f, const Arg& a) { return a.cpu(f.s.cpu); }},
    {"pfn",
     [](FreeArgs& f, const Arg& a) {
       f.have_pfn = true;
       return a.pfn(f.pfn);
     }},
};

constexpr Option<stmt::Drain> kDrainOptions[] = {
    {"cpu",
     [](stmt::Drain& s, const Arg& a) {
       s.cpu_col = a.col;
       return a.cpu(s.cpu);
     }},
};

}  // namespace

Expected<Statement> parse_alloc(const Line& l, const StatementKind& k) { return alloc_at(l, 0, k, 1); }

Expected<Statement> parse_repeat(const Line& l, const StatementKind& k) {
  if (l.words.size() < 3 || l.words[2].text != "alloc")
    return l.error(l.words[0].col, "expected: " + std::string(k.usage));
  long long n = 0;
  if (Status s = arg(l, 1).whole(n, 1, 999999, "a repeat count (1 to 999999)"); !s) return s.diag();
  return alloc_at(l, 2, k, static_cast<int>(n));
}

Expected<Statement> parse_free(const Line& l, const StatementKind& k) {
  FreeArgs f;
  f.s.at = l.pos(0);
  if (Status st = parse_options(l, handle_name(l, 0, f.s), f, kFreeOptions, "free", k.usage); !st) return st.diag();
  if (f.have_pfn) {
    if (!f.s.handle.empty()) return l.error(f.s.at.col, "free takes a handle name or pfn=N, not both");
    if (!f.have_order) return l.error(f.s.at.col, "free pfn=N needs order=N");
    f.s.pfn = f.pfn;
  } else if (f.s.handle.empty()) {
    return l.error(f.s.at.col, "free needs a handle name or pfn=N order=N");
  }
  return Statement{std::move(f.s)};
}

Expected<Statement> parse_drain(const Line& l, const StatementKind& k) {
  stmt::Drain s;
  s.at = l.pos(0);
  for (std::size_t i = 1; i < l.words.size(); ++i) {
    if (l.words[i].text == "all")
      s.all = true;  // anywhere among the options
    else if (Status st = parse_option(l, i, s, kDrainOptions, "drain", k.usage); !st)
      return st.diag();
  }
  return Statement{std::move(s)};
}

}  // namespace mm::scenario
