#include "text/scenario/args.h"

#include <algorithm>
#include <cctype>

#include "mm/core/machine_spec.h"
#include "mm/slab/slub.h"
#include "text/parse/gfp.h"
#include "text/parse/shorthand.h"
#include "text/parse/slab_flags.h"

namespace mm::scenario {

namespace {
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
std::string_view trim(std::string_view s, std::size_t* lead) {
  std::size_t a = 0, b = s.size();
  while (a < b && space(s[a])) ++a;
  while (b > a && space(s[b - 1])) --b;
  *lead = a;
  return s.substr(a, b - a);
}
}  // namespace

Line split_line(std::string_view raw, std::string_view source, int number) {
  Line l;
  l.source = source;
  l.number = number;
  // '#' starts a comment, except inside a quoted string.
  std::string_view code = raw;
  bool in_quote = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '"') in_quote = !in_quote;
    if (raw[i] == '#' && !in_quote) {
      code = raw.substr(0, i);
      break;
    }
  }
  std::size_t lead = 0;
  l.code = trim(code, &lead);
  l.code_col = static_cast<int>(lead) + 1;
  for (std::size_t i = 0; i < l.code.size();) {
    while (i < l.code.size() && space(l.code[i])) ++i;
    if (i >= l.code.size()) break;
    const std::size_t s = i;
    while (i < l.code.size() && !space(l.code[i])) ++i;
    l.words.push_back({l.code.substr(s, i - s), l.code_col + static_cast<int>(s)});
  }
  return l;
}

Word Line::rest_after(std::size_t k) const {
  const std::size_t off = static_cast<std::size_t>(words[k].col - code_col) + words[k].text.size();
  std::size_t lead = 0;
  const std::string_view r = trim(code.substr(off), &lead);
  return {r, code_col + static_cast<int>(off + lead)};
}

Diagnostic Arg::expected(std::string_view what) const {
  return line.error(col, "expected " + std::string(what) + ", got '" + std::string(text) + "'");
}

Status Arg::whole(long long& out, long long lo, long long hi, std::string_view what) const {
  const bool neg = lo < 0 && !text.empty() && text[0] == '-';
  const std::string_view d = neg ? text.substr(1) : text;
  if (!digits(d) || d.size() > 18) return expected(what);
  const long long v = std::stoll(std::string(text));
  if (v < lo || v > hi) return expected(what);
  out = v;
  return {};
}

namespace {
template <class T>
Status whole_into(const Arg& a, T& out, long long lo, long long hi, std::string_view what) {
  long long v = 0;
  if (Status s = a.whole(v, lo, hi, what); !s) return s;
  out = static_cast<T>(v);
  return {};
}
}  // namespace

Status Arg::cpu(int& out) const {
  static const std::string what = "a CPU number (0 to " + std::to_string(MAX_CPUS_MODELLED - 1) + ")";
  return whole_into(*this, out, 0, MAX_CPUS_MODELLED - 1, what);
}

Status Arg::node(int& out) const {
  static const std::string what = "a node number (0 to " + std::to_string(MAX_NODES_MODELLED - 1) + ")";
  return whole_into(*this, out, 0, MAX_NODES_MODELLED - 1, what);
}

Status Arg::order(Order& out) const {
  static const std::string what = "an order (0 to " + std::to_string(MAX_ORDER - 1) + ")";
  return whole_into(*this, out, 0, MAX_ORDER - 1, what);
}

Status Arg::pfn(Pfn& out) const { return whole_into(*this, out, 0, 1ll << 40, "a page frame number"); }

Status Arg::size(u64& out) const {
  auto s = parse_size(text);
  if (!s) return expected("a size like 200M");
  out = *s;
  return {};
}

Status Arg::bytes(u64& out, u64 lo, u64 hi) const {
  return whole_into(*this, out, static_cast<long long>(lo), static_cast<long long>(hi), "a size in bytes");
}

Status Arg::adj(int& out) const { return whole_into(*this, out, -1000, 1000, "an oom_score_adj (-1000 to 1000)"); }

Status Arg::nodes(std::vector<int>& out) const {
  // "1", "0-1", "0+2": pieces joined by '+', each a node or a range.
  std::vector<int> v;
  std::size_t q = 0;
  while (true) {
    const std::size_t plus = text.find('+', q);
    const std::string_view piece = text.substr(q, plus == std::string_view::npos ? std::string_view::npos : plus - q);
    const std::size_t dash = piece.find('-');
    auto num = [](std::string_view n) { return digits(n) && n.size() <= 2 ? std::stoi(std::string(n)) : -1; };
    const int lo = num(dash == std::string_view::npos ? piece : piece.substr(0, dash));
    const int hi = dash == std::string_view::npos ? lo : num(piece.substr(dash + 1));
    if (lo < 0 || hi < lo) return expected("a node list like 1, 0-1 or 0+2");
    for (int n = lo; n <= hi; ++n) v.push_back(n);
    if (plus == std::string_view::npos) break;
    q = plus + 1;
  }
  out = std::move(v);
  return {};
}

Status Arg::gfp(gfp_t& out) const {
  auto g = parse_gfp(text);
  if (!g) return line.error(col + g.diag().col - 1, g.diag().message);
  out = *g;
  return {};
}

Status Arg::gfp_allowed(gfp_t g, Order order) const {
  if (auto bad = gfp_check(g, order)) return line.error(col, *bad);
  return {};
}

Status Arg::slab_flags(u32& out) const {
  auto f = parse_slab_flags(text);
  if (!f) return line.error(col + f.diag().col - 1, f.diag().message);
  out = *f;
  return {};
}

Status Arg::align(u32& out) const {
  long long v = 0;
  constexpr std::string_view what = "an alignment (0 or a power of two up to 4096)";
  if (Status s = whole(v, 0, static_cast<long long>(PAGE_SIZE), what); !s) return s;
  if (v && !is_pow2(static_cast<u64>(v))) return expected(what);
  out = static_cast<u32>(v);
  return {};
}

Status Arg::task_name(std::string& out) const {
  if (text.size() > 15) return line.error(col, "task names have at most 15 characters (TASK_COMM_LEN)");
  out = std::string(text);
  return {};
}

Expected<Word> positional(const Line& l, std::size_t k, std::string_view usage) {
  if (k >= l.words.size()) return l.error(l.words[0].col, "expected: " + std::string(usage));
  if (l.words[k].text.find('=') != std::string_view::npos)
    return l.error(l.words[k].col, "expected: " + std::string(usage));
  return l.words[k];
}

Diagnostic not_key_value(const Line& l, std::size_t k, std::string_view usage, bool takes_options) {
  const std::string w(l.words[k].text);
  if (takes_options) return l.error(l.words[k].col, "unexpected '" + w + "' (arguments are key=value)");
  return l.error(l.words[k].col, "unexpected '" + w + "' (expected: " + std::string(usage) + ")");
}

Diagnostic unknown_option(const Line& l, std::size_t k, std::string_view key, std::string_view statement,
                          std::span<const std::string_view> keys) {
  return l.error(l.words[k].col, unknown_word("argument", key, keys, "arguments of " + std::string(statement)));
}

Status no_more_words(const Line& l, std::size_t from, std::string_view usage) {
  if (from < l.words.size()) return not_key_value(l, from, usage, false);
  return {};
}

}  // namespace mm::scenario
