// The statement table and one parse function per statement kind (internal
// to text/scenario; parse.cpp dispatches on the statement's first word).
#pragma once

#include <string_view>

#include "text/scenario/args.h"

namespace mm::scenario {

struct StatementKind;
using ParseFn = Expected<Statement> (*)(const Line& l, const StatementKind& k);

struct StatementKind {
  std::string_view word;   // the first word of the line
  std::string_view usage;  // how it is written in full ("dmesg PATH")
  ParseFn parse;
  enum class Needs { boots, machine, nothing } needs = Needs::machine;
};

// parse_core.cpp
Expected<ProcView> proc_view(const Arg& a);
Expected<Statement> parse_machine(const Line& l, const StatementKind& k);
Expected<Statement> parse_dmesg(const Line& l, const StatementKind& k);
Expected<Statement> parse_proc(const Line& l, const StatementKind& k);
Expected<Statement> parse_log(const Line& l, const StatementKind& k);
Expected<Statement> parse_check(const Line& l, const StatementKind& k);
Expected<Statement> parse_echo(const Line& l, const StatementKind& k);
// parse_expect.cpp
// Words [b, e) of l as a figure (what `expect` compares; lessons' answers read it too).
Expected<Figure> parse_figure(const Line& l, std::size_t b, std::size_t e);
Expected<Statement> parse_expect(const Line& l, const StatementKind& k);
// parse_pages.cpp
Expected<Statement> parse_alloc(const Line& l, const StatementKind& k);
Expected<Statement> parse_repeat(const Line& l, const StatementKind& k);
Expected<Statement> parse_free(const Line& l, const StatementKind& k);
Expected<Statement> parse_drain(const Line& l, const StatementKind& k);
// parse_tasks.cpp
Expected<Statement> parse_spawn(const Line& l, const StatementKind& k);
Expected<Statement> parse_grow(const Line& l, const StatementKind& k);
Expected<Statement> parse_exit(const Line& l, const StatementKind& k);  // exit, kill
Expected<Statement> parse_read(const Line& l, const StatementKind& k);
Expected<Statement> parse_drop_caches(const Line& l, const StatementKind& k);
Expected<Statement> parse_swap(const Line& l, const StatementKind& k);
Expected<Statement> parse_oom_score_adj(const Line& l, const StatementKind& k);
// parse_slab.cpp
Expected<Statement> parse_kmalloc(const Line& l, const StatementKind& k);
Expected<Statement> parse_kfree(const Line& l, const StatementKind& k);
Expected<Statement> parse_kmem_cache_create(const Line& l, const StatementKind& k);
Expected<Statement> parse_kmem_cache_alloc(const Line& l, const StatementKind& k);
Expected<Statement> parse_kmem_cache_free(const Line& l, const StatementKind& k);
Expected<Statement> parse_kmem_cache_shrink(const Line& l, const StatementKind& k);
Expected<Statement> parse_kmem_cache_destroy(const Line& l, const StatementKind& k);
Expected<Statement> parse_slab(const Line& l, const StatementKind& k);

}  // namespace mm::scenario
