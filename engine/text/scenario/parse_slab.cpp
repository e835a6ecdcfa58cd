// SLUB's statements: kmalloc, kfree, kmem_cache_{create,alloc,free,shrink,
// destroy}, slab.
#include <limits>

#include "text/scenario/parse_statements.h"

namespace mm::scenario {

namespace {

// The first `count` words after the statement word: positional, not key=value.
Status positionals(const Line& l, const StatementKind& k, std::size_t count) {
  for (std::size_t i = 1; i <= count; ++i)
    if (auto w = positional(l, i, k.usage); !w) return w.diag();
  return {};
}

template <class S>
Status gfp_option(S& s, const Arg& a) {
  if (Status st = a.gfp(s.gfp); !st) return st;
  return a.gfp_allowed(s.gfp, 0);
}
template <class S>
Status cpu_option(S& s, const Arg& a) {
  return a.cpu(s.cpu);
}

constexpr Option<stmt::Kmalloc> kKmallocOptions[] = {{"gfp", gfp_option}, {"cpu", cpu_option}};
constexpr Option<stmt::Kfree> kKfreeOptions[] = {{"cpu", cpu_option}};
constexpr Option<stmt::KmemCacheCreate> kCreateOptions[] = {
    {"align", [](stmt::KmemCacheCreate& s, const Arg& a) { return a.align(s.align); }},
    {"flags", [](stmt::KmemCacheCreate& s, const Arg& a) { return a.slab_flags(s.flags); }},
};
constexpr Option<stmt::KmemCacheAlloc> kCacheAllocOptions[] = {{"gfp", gfp_option}, {"cpu", cpu_option}};
constexpr Option<stmt::KmemCacheFree> kCacheFreeOptions[] = {{"cpu", cpu_option}};

// STATEMENT CACHE, with nothing after it.
template <class S>
Expected<Statement> cache_statement(const Line& l, const StatementKind& k) {
  if (Status st = positionals(l, k, 1); !st) return st.diag();
  if (Status st = no_more_words(l, 2, k.usage); !st) return st.diag();
  return Statement{S{l.pos(1), std::string(l.words[1].text)}};
}

}  // namespace

Expected<Statement> parse_kmalloc(const Line& l, const StatementKind& k) {
  if (Status st = positionals(l, k, 2); !st) return st.diag();
  stmt::Kmalloc s;
  s.at = l.pos(1);
  s.handle = std::string(l.words[1].text);
  if (Status st = arg(l, 2).bytes(s.size, 0, 999'999'999'999); !st) return st.diag();
  if (Status st = parse_options(l, 3, s, kKmallocOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_kfree(const Line& l, const StatementKind& k) {
  if (Status st = positionals(l, k, 1); !st) return st.diag();
  stmt::Kfree s;
  s.at = l.pos(1);
  s.handle = std::string(l.words[1].text);
  if (Status st = parse_options(l, 2, s, kKfreeOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_kmem_cache_create(const Line& l, const StatementKind& k) {
  if (Status st = positionals(l, k, 2); !st) return st.diag();
  stmt::KmemCacheCreate s;
  s.at = l.pos(1);
  s.name = std::string(l.words[1].text);
  u64 size = 0;
  if (Status st = arg(l, 2).bytes(size, 1, std::numeric_limits<u32>::max()); !st) return st.diag();
  s.size = static_cast<u32>(size);
  if (Status st = parse_options(l, 3, s, kCreateOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_kmem_cache_alloc(const Line& l, const StatementKind& k) {
  if (Status st = positionals(l, k, 2); !st) return st.diag();
  stmt::KmemCacheAlloc s;
  s.at = l.pos(1);
  s.handle = std::string(l.words[1].text);
  s.cache = std::string(l.words[2].text);
  s.cache_col = l.words[2].col;
  if (Status st = parse_options(l, 3, s, kCacheAllocOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_kmem_cache_free(const Line& l, const StatementKind& k) {
  if (Status st = positionals(l, k, 1); !st) return st.diag();
  stmt::KmemCacheFree s;
  s.at = l.pos(1);
  s.handle = std::string(l.words[1].text);
  if (Status st = parse_options(l, 2, s, kCacheFreeOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_kmem_cache_shrink(const Line& l, const StatementKind& k) {
  return cache_statement<stmt::KmemCacheShrink>(l, k);
}
Expected<Statement> parse_kmem_cache_destroy(const Line& l, const StatementKind& k) {
  return cache_statement<stmt::KmemCacheDestroy>(l, k);
}
Expected<Statement> parse_slab(const Line& l, const StatementKind& k) { return cache_statement<stmt::Slab>(l, k); }

}  // namespace mm::scenario
