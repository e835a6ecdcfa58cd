// The line loop and the statement table.
#include "text/scenario/parse.h"

#include <array>

#include "text/scenario/parse_statements.h"

namespace mm {

namespace {

using scenario::StatementKind;
using Needs = StatementKind::Needs;

// One row per statement word; the usage is what "expected: ..." prints.
constexpr StatementKind kStatements[] = {
    {"machine", "machine ram=SIZE [cpus=N] [KEY=VALUE...]", scenario::parse_machine, Needs::boots},
    {"dmesg", "dmesg PATH", scenario::parse_dmesg, Needs::boots},
    {"proc", "proc NAME", scenario::parse_proc},
    {"log", "log", scenario::parse_log},
    {"check", "check", scenario::parse_check},
    {"echo", "echo TEXT", scenario::parse_echo, Needs::nothing},
    {"expect", "expect FIGURE OP VALUE", scenario::parse_expect},
    {"alloc", "alloc [NAME] [order=N] [gfp=MASK] [cpu=N] [node=N]", scenario::parse_alloc},
    {"repeat", "repeat N alloc ...", scenario::parse_repeat},
    {"free", "free NAME [cpu=N] | free pfn=N order=N [cpu=N]", scenario::parse_free},
    {"drain", "drain [cpu=N | all]", scenario::parse_drain},
    {"spawn", "spawn NAME [anon=SIZE] [file=SIZE] [shmem=SIZE] [adj=N] [cpu=N] [thread_of=NAME] [bind=NODES]",
     scenario::parse_spawn},
    {"grow", "grow NAME [anon=SIZE] [file=SIZE] [shmem=SIZE]", scenario::parse_grow},
    {"exit", "exit NAME", scenario::parse_exit},
    {"kill", "kill NAME", scenario::parse_exit},
    {"read", "read NAME size=SIZE [cpu=N]", scenario::parse_read},
    {"drop_caches", "drop_caches", scenario::parse_drop_caches},
    {"swap", "swap SIZE", scenario::parse_swap},
    {"oom_score_adj", "oom_score_adj NAME N", scenario::parse_oom_score_adj},
    {"kmalloc", "kmalloc NAME SIZE [gfp=MASK] [cpu=N]", scenario::parse_kmalloc},
    {"kfree", "kfree NAME [cpu=N]", scenario::parse_kfree},
    {"kmem_cache_create", "kmem_cache_create NAME SIZE [align=N] [flags=SLAB_...]", scenario::parse_kmem_cache_create},
    {"kmem_cache_alloc", "kmem_cache_alloc HANDLE CACHE [gfp=MASK] [cpu=N]", scenario::parse_kmem_cache_alloc},
    {"kmem_cache_free", "kmem_cache_free HANDLE [cpu=N]", scenario::parse_kmem_cache_free},
    {"kmem_cache_shrink", "kmem_cache_shrink CACHE", scenario::parse_kmem_cache_shrink},
    {"kmem_cache_destroy", "kmem_cache_destroy CACHE", scenario::parse_kmem_cache_destroy},
    {"slab", "slab CACHE", scenario::parse_slab},
};
constexpr std::size_t kCount = std::size(kStatements);

constexpr std::array<std::string_view, kCount> words_of_table() {
  std::array<std::string_view, kCount> w{};
  for (std::size_t i = 0; i < kCount; ++i) w[i] = kStatements[i].word;
  return w;
}
constexpr std::array<std::string_view, kCount> kWords = words_of_table();

const StatementKind* kind_of(std::string_view word) {
  for (const StatementKind& k : kStatements)
    if (k.word == word) return &k;
  return nullptr;
}

}  // namespace

std::span<const std::string_view> statement_words() { return kWords; }

Expected<Scenario> parse_scenario(std::string_view text, std::string_view source, bool machine_booted) {
  Scenario sc;
  sc.source = std::string(source);
  bool have_machine = machine_booted;
  int line_no = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view raw = text.substr(pos, nl - pos);
    ++line_no;
    // A NUL would end the line for anything that reads it as a C string
    // (and is never in a text someone wrote): not a scenario.
    if (const std::size_t nul = raw.find('\0'); nul != std::string_view::npos)
      return Diagnostic{std::string(source), line_no, static_cast<int>(nul) + 1,
                        "a NUL byte: a scenario is text (is this a binary file?)"};
    const scenario::Line l = scenario::split_line(raw, source, line_no);
    pos = nl + 1;
    if (l.words.empty()) continue;
    const scenario::Word& first = l.words[0];
    const StatementKind* k = kind_of(first.text);
    if (!k) return l.error(first.col, unknown_word("statement", first.text, kWords, "statements"));
    auto st = k->parse(l, *k);
    if (!st) return st.diag();
    if (k->needs == Needs::boots) have_machine = true;
    if (!have_machine && k->needs == Needs::machine)
      return l.error(first.col,
                     "'" + std::string(first.text) + "' needs a machine: start with a 'machine' or 'dmesg' line");
    sc.stmts.push_back(std::move(*st));
  }
  if (!have_machine)
    return Diagnostic{std::string(source), line_no, 1,
                      "the scenario never boots a machine (add a 'machine ram=1G cpus=2' line)"};
  return sc;
}

}  // namespace mm
