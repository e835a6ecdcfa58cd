// expect FIGURE OP VALUE, expect log|proc NAME contains "text".
#include <algorithm>
#include <vector>

#include "text/scenario/parse_statements.h"

namespace mm::scenario {

namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// The words a figure can start with, and how the list of figures is shown.
const std::vector<std::string_view>& figure_starts() {
  static const std::vector<std::string_view> v = [] {
    std::vector<std::string_view> s(kGlobalFigureNames.begin(), kGlobalFigureNames.end());
    s.insert(s.end(), {"zone", "node", "task", "cache"});
    return s;
  }();
  return v;
}
const std::vector<std::string_view>& figure_forms() {
  static const std::vector<std::string_view> v = [] {
    std::vector<std::string_view> s(kGlobalFigureNames.begin(), kGlobalFigureNames.end());
    s.insert(s.end(),
             {"[node N] zone NAME FIELD", "task NAME FIELD", "cache NAME FIELD", "HANDLE.pfn", "HANDLE.count"});
    return s;
  }();
  return v;
}

// The plain zone fields (those without an index), for lookups.
constexpr std::size_t kPlainZoneFields = static_cast<std::size_t>(ZoneField::protection);

// Words [b, e) of the line name a figure. An error points at the word it is
// about (the last word of the figure when it is about a missing one).
class FigureParser {
 public:
  FigureParser(const Line& l, std::size_t b, std::size_t e) : l_(l), b_(b), n_(e - b) {}

  Expected<Figure> parse() const {
    const std::string_view w0 = w(0);
    if (n_ == 1 && ((w0.size() > 4 && ends_with(w0, ".pfn")) || (w0.size() > 6 && ends_with(w0, ".count")))) {
      const std::size_t dot = w0.rfind('.');
      return Figure{fig::Handle{std::string(w0.substr(0, dot)),
                                w0.substr(dot + 1) == "pfn" ? HandleField::pfn : HandleField::count}};
    }
    if (w0 == "cache") return named<fig::Cache, CacheField>(kCacheFieldNames, "cache field", "cache fields", "cache");
    if (w0 == "task") return named<fig::Task, TaskField>(kTaskFieldNames, "task field", "task fields", "task");
    if (auto g = lookup<GlobalFigure>(kGlobalFigureNames, w0)) {
      if (n_ != 1) return err(1, "unexpected words after '" + std::string(w0) + "'");
      return Figure{fig::Global{*g}};
    }
    return zone();
  }

 private:
  std::string_view w(std::size_t i) const { return l_.words[b_ + i].text; }
  int col(std::size_t i) const { return l_.words[b_ + std::min(i, n_ - 1)].col; }
  Diagnostic err(std::size_t i, std::string msg) const { return l_.error(col(i), std::move(msg)); }
  Arg arg_at(std::size_t i, std::size_t from, std::size_t len = std::string_view::npos) const {
    return Arg{l_, w(i).substr(from, len), col(i) + static_cast<int>(from)};
  }

  // cache NAME FIELD, task NAME FIELD.
  template <class F, class E, std::size_t N>
  Expected<Figure> named(const std::array<std::string_view, N>& fields, std::string_view what, std::string_view plural,
                         std::string_view kw) const {
    if (n_ != 3) return err(0, "expected: " + std::string(kw) + " NAME FIELD");
    auto f = lookup<E>(fields, w(2));
    if (!f) return err(2, unknown_word(what, w(2), fields, plural));
    return Figure{F{std::string(w(1)), *f}};
  }

  // [node N] zone NAME FIELD
  Expected<Figure> zone() const {
    fig::Zone z;
    std::size_t i = 0;
    if (w(0) == "node") {
      if (n_ < 2) return err(1, "expected a node number after 'node'");
      if (Status s = arg_at(1, 0).node(z.node); !s) return s.diag();
      i = 2;
      if (i >= n_ || w(i) != "zone") return err(i, "expected: node N zone NAME FIELD");
    } else if (w(0) != "zone") {
      return err(0, unknown_word("figure", w(0), figure_starts(), "figures", figure_forms()));
    }
    if (i + 1 >= n_) return err(i, "expected a zone name (" + join(kZoneNames) + ")");
    auto zt = lookup<ZoneType>(kZoneNames, w(i + 1));
    if (!zt) return err(i + 1, unknown_word("zone", w(i + 1), kZoneNames, "zones"));
    z.zone = idx(*zt);
    if (i + 2 >= n_) return err(i + 1, "expected a field after the zone name");
    const std::size_t fi = i + 2;
    std::string_view field = w(fi);
    std::size_t at = 0;  // where `field` starts in the word
    if (field.substr(0, 3) == "cpu" && field.find('.') != std::string_view::npos) {
      const std::size_t dot = field.find('.');
      if (Status s = arg_at(fi, 3, dot - 3).cpu(z.cpu); !s) return s.diag();
      field = field.substr(dot + 1);
      at = dot + 1;
      if (field.substr(0, 4) != "pcp.")
        return err(fi, "a cpuN. prefix only applies to pcp.high, pcp.batch and pcp.count");
    }
    if (Status s = field_of(fi, field, at, z); !s) return s.diag();
    if (fi + 1 != n_) return err(fi + 1, "unexpected words after the figure");
    return Figure{z};
  }

  Status field_of(std::size_t fi, std::string_view field, std::size_t at, fig::Zone& z) const {
    // protection[J], nr_free[O]
    for (ZoneField f : {ZoneField::protection, ZoneField::nr_free}) {
      const std::string_view base = name(f);
      if (field.substr(0, base.size()) == base && field.size() > base.size() + 2 && field[base.size()] == '[' &&
          field.back() == ']') {
        z.field = f;
        const Arg index = arg_at(fi, at + base.size() + 1, field.size() - base.size() - 2);
        if (f == ZoneField::nr_free) {
          Order o = 0;
          if (Status s = index.order(o); !s) return s;
          z.index = static_cast<int>(o);
          return {};
        }
        long long j = 0;
        if (Status s =
                index.whole(j, 0, MAX_NR_ZONES - 1, "a zone index (0 to " + std::to_string(MAX_NR_ZONES - 1) + ")");
            !s)
          return s;
        z.index = static_cast<int>(j);
        return {};
      }
    }
    constexpr std::string_view kBlocks = "pageblocks.";
    if (field.substr(0, kBlocks.size()) == kBlocks) {
      const std::string_view type = field.substr(kBlocks.size());
      auto mt = lookup<MigrateType>(kMigrateTypeNames, type);
      if (!mt)
        return l_.error(col(fi) + static_cast<int>(at + kBlocks.size()),
                        unknown_word("migrate type", type, kMigrateTypeNames, "migrate types"));
      z.field = ZoneField::pageblocks;
      z.index = static_cast<int>(idx(*mt));
      return {};
    }
    const std::span<const std::string_view> plain(kZoneFieldNames.data(), kPlainZoneFields);
    for (std::size_t f = 0; f < plain.size(); ++f)
      if (field == plain[f]) {
        z.field = static_cast<ZoneField>(f);
        return {};
      }
    return err(fi, unknown_word("zone field", field, kZoneFieldNames, "zone fields", kZoneFieldForms));
  }

  const Line& l_;
  std::size_t b_, n_;
};

}  // namespace

Expected<Figure> parse_figure(const Line& l, std::size_t b, std::size_t e) { return FigureParser(l, b, e).parse(); }

Expected<Statement> parse_expect(const Line& l, const StatementKind& k) {
  const std::size_t n = l.words.size();
  if (n < 2) return l.error(l.words[0].col, "expected a figure after 'expect'");
  std::size_t ci = 0;  // the last `contains`
  for (std::size_t i = 1; i < n; ++i)
    if (l.words[i].text == "contains") ci = i;
  if (ci) {
    stmt::ExpectContains e{l.pos(1), std::nullopt, {}};
    if (l.words[1].text == "proc" && ci == 3) {
      auto v = proc_view(arg(l, 2));
      if (!v) return v.diag();
      e.proc = *v;
    } else if (l.words[1].text != "log" || ci != 2) {
      return l.error(l.words[1].col, "expected 'expect log contains \"text\"' or 'expect proc NAME contains \"text\"'");
    }
    const Word q = l.rest_after(ci);
    if (q.text.size() < 2 || q.text.front() != '"' || q.text.back() != '"')
      return l.error(q.col, "expected a quoted string after 'contains'");
    e.needle = std::string(q.text.substr(1, q.text.size() - 2));
    return Statement{std::move(e)};
  }
  if (n < 4) return l.error(l.words[0].col, "expected: " + std::string(k.usage));
  stmt::ExpectFigure e{l.pos(1), {}, {}, CmpOp::eq, 0};
  const Word& op = l.words[n - 2];
  auto o = lookup<CmpOp>(kCmpOpNames, op.text);
  if (!o) return l.error(op.col, unknown_word("operator", op.text, kCmpOpNames, "operators"));
  e.op = *o;
  if (Status s = arg(l, n - 1).whole(e.value, -999'999'999'999'999'999, 999'999'999'999'999'999, "a whole number"); !s)
    return s.diag();
  auto f = FigureParser(l, 1, n - 2).parse();
  if (!f) return f.diag();
  e.figure = std::move(*f);
  for (std::size_t i = 1; i + 2 < n; ++i) e.text += (i > 1 ? " " : "") + std::string(l.words[i].text);
  return Statement{std::move(e)};
}

}  // namespace mm::scenario
