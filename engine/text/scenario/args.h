// The pieces every statement parser shares (internal to text/scenario): the
// words of a line with their columns, typed argument values with one
// message per concept, and key=value options looked up in a table.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/diag.h"
#include "mm/core/types.h"
#include "mm/page_alloc/gfp.h"
#include "text/scenario/statement.h"
#include "text/scenario/suggest.h"

namespace mm::scenario {

struct Word {
  std::string_view text;
  int col = 0;  // 1-based
};

// One line of a scenario without its comment.
struct Line {
  std::string_view source;
  int number = 0;
  std::string_view code;  // trimmed
  int code_col = 1;       // the column of code[0]
  std::vector<Word> words;

  Diagnostic error(int col, std::string message) const {
    return Diagnostic{std::string(source), number, col, std::move(message)};
  }
  stmt::Pos pos(std::size_t k) const { return {number, words[k].col}; }
  // Everything after word k, trimmed (its column: where it starts, or just
  // after word k when there is nothing).
  Word rest_after(std::size_t k) const;
};
// `raw` is one line of the file; a line without code has no words.
Line split_line(std::string_view raw, std::string_view source, int number);

// A value to parse: a positional word or the value of a key=value option.
// Each parser fills `out` or returns the Diagnostic that names the concept
// ("expected a CPU number (0 to 8191), got 'x'") at the value's column.
struct Arg {
  const Line& line;
  std::string_view text;
  int col = 0;

  Diagnostic expected(std::string_view what) const;  // "expected WHAT, got 'TEXT'"
  Status whole(long long& out, long long lo, long long hi, std::string_view what) const;
  Status cpu(int& out) const;
  Status node(int& out) const;
  Status order(Order& out) const;
  Status pfn(Pfn& out) const;
  Status size(u64& out) const;                     // 200M, 1.5G, 4096K, bytes
  Status bytes(u64& out, u64 lo, u64 hi) const;    // a plain number of bytes
  Status adj(int& out) const;                      // oom_score_adj
  Status nodes(std::vector<int>& out) const;       // 1, 0-1, 0+2
  Status gfp(gfp_t& out) const;                    // GFP_KERNEL|__GFP_ZERO, 0x...
  Status gfp_allowed(gfp_t g, Order order) const;  // what gfp_check() accepts, pointed at here
  Status slab_flags(u32& out) const;
  Status align(u32& out) const;
  Status task_name(std::string& out) const;  // at most TASK_COMM_LEN - 1 characters
};
inline Arg arg(const Line& l, std::size_t k) { return Arg{l, l.words[k].text, l.words[k].col}; }

// The positional word k of statement `usage`, which is not key=value;
// "expected: USAGE" otherwise.
Expected<Word> positional(const Line& l, std::size_t k, std::string_view usage);

// One key=value option of a statement S.
template <class S>
struct Option {
  std::string_view key;
  Status (*set)(S& s, const Arg& value);
};

Diagnostic not_key_value(const Line& l, std::size_t k, std::string_view usage, bool takes_options);
Diagnostic unknown_option(const Line& l, std::size_t k, std::string_view key, std::string_view statement,
                          std::span<const std::string_view> keys);
// Word k as one of the options in `table`. A word without '=' is
// unexpected; an unknown key is named with the nearest known one.
template <class S, std::size_t N>
Status parse_option(const Line& l, std::size_t k, S& s, const Option<S> (&table)[N], std::string_view statement,
                    std::string_view usage) {
  const Word& w = l.words[k];
  const std::size_t eq = w.text.find('=');
  if (eq == std::string_view::npos) return not_key_value(l, k, usage, true);
  const std::string_view key = w.text.substr(0, eq);
  for (const Option<S>& o : table)
    if (o.key == key) return o.set(s, Arg{l, w.text.substr(eq + 1), w.col + static_cast<int>(eq) + 1});
  std::string_view keys[N];
  for (std::size_t i = 0; i < N; ++i) keys[i] = table[i].key;
  return unknown_option(l, k, key, statement, keys);
}
// Words [from, end) as options.
template <class S, std::size_t N>
Status parse_options(const Line& l, std::size_t from, S& s, const Option<S> (&table)[N], std::string_view statement,
                     std::string_view usage) {
  for (std::size_t k = from; k < l.words.size(); ++k)
    if (Status st = parse_option(l, k, s, table, statement, usage); !st) return st;
  return {};
}
// A statement without options: any word from `from` on is unexpected.
Status no_more_words(const Line& l, std::size_t from, std::string_view usage);

}  // namespace mm::scenario
