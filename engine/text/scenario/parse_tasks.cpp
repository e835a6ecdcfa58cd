// Tasks and the page cache: spawn, grow, exit/kill, read, drop_caches, swap,
// oom_score_adj.
#include "text/scenario/parse_statements.h"

namespace mm::scenario {

namespace {

// The task name after the statement word.
template <class S>
Status task(const Line& l, const StatementKind& k, S& s) {
  auto w = positional(l, 1, k.usage);
  if (!w) return w.diag();
  s.at = l.pos(1);
  return arg(l, 1).task_name(s.name);
}

// anon=, file=, shmem= of spawn and grow.
template <class S>
constexpr Option<S> kAnon{"anon", [](S& s, const Arg& a) { return a.size(s.anon); }};
template <class S>
constexpr Option<S> kFile{"file", [](S& s, const Arg& a) { return a.size(s.file); }};
template <class S>
constexpr Option<S> kShmem{"shmem", [](S& s, const Arg& a) { return a.size(s.shmem); }};

constexpr Option<stmt::Spawn> kSpawnOptions[] = {
    kAnon<stmt::Spawn>,
    kFile<stmt::Spawn>,
    kShmem<stmt::Spawn>,
    {"adj", [](stmt::Spawn& s, const Arg& a) { return a.adj(s.adj); }},
    {"cpu", [](stmt::Spawn& s, const Arg& a) { return a.cpu(s.cpu); }},
    {"thread_of",
     [](stmt::Spawn& s, const Arg& a) {
       s.thread_of_col = a.col;
       return a.task_name(s.thread_of);
     }},
    {"bind", [](stmt::Spawn& s, const Arg& a) { return a.nodes(s.bind); }},
};
constexpr Option<stmt::Grow> kGrowOptions[] = {kAnon<stmt::Grow>, kFile<stmt::Grow>, kShmem<stmt::Grow>};
constexpr Option<stmt::Read> kReadOptions[] = {
    {"size", [](stmt::Read& s, const Arg& a) { return a.size(s.size); }},
    {"cpu", [](stmt::Read& s, const Arg& a) { return a.cpu(s.cpu); }},
};

}  // namespace

Expected<Statement> parse_spawn(const Line& l, const StatementKind& k) {
  stmt::Spawn s;
  if (Status st = task(l, k, s); !st) return st.diag();
  if (Status st = parse_options(l, 2, s, kSpawnOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_grow(const Line& l, const StatementKind& k) {
  stmt::Grow s;
  if (Status st = task(l, k, s); !st) return st.diag();
  if (Status st = parse_options(l, 2, s, kGrowOptions, k.word, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_exit(const Line& l, const StatementKind& k) {
  stmt::Exit s;
  s.kill = k.word == "kill";
  if (Status st = task(l, k, s); !st) return st.diag();
  if (Status st = no_more_words(l, 2, k.usage); !st) return st.diag();
  return Statement{std::move(s)};
}

Expected<Statement> parse_read(const Line& l, const StatementKind& k) {
  stmt::Read s;
  if (Status st = task(l, k, s); !st) return st.diag();
  if (Status st = parse_options(l, 2, s, kReadOptions, k.word, k.usage); !st) return st.diag();
  if (!s.size) return l.error(l.words[0].col, "read needs size=SIZE");
  return Statement{std::move(s)};
}

Expected<Statement> parse_drop_caches(const Line& l, const StatementKind& k) {
  if (Status st = no_more_words(l, 1, k.usage); !st) return st.diag();
  return Statement{stmt::DropCaches{l.pos(0)}};
}

Expected<Statement> parse_swap(const Line& l, const StatementKind& k) {
  if (l.words.size() != 2) return l.error(l.words[0].col, "expected: " + std::string(k.usage));
  stmt::Swap s{l.pos(0)};
  if (Status st = arg(l, 1).size(s.size); !st) return st.diag();
  return Statement{s};
}

Expected<Statement> parse_oom_score_adj(const Line& l, const StatementKind& k) {
  stmt::OomScoreAdj s;
  if (Status st = task(l, k, s); !st) return st.diag();
  if (l.words.size() != 3) return l.error(l.words[0].col, "expected: " + std::string(k.usage));
  if (Status st = arg(l, 2).adj(s.adj); !st) return st.diag();
  return Statement{std::move(s)};
}

}  // namespace mm::scenario
