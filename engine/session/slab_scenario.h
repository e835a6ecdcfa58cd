// The scenario statements of SLUB (scenario.h documents the language):
//   kmalloc NAME SIZE [gfp=...] [cpu=N]
//   kfree NAME [cpu=N]
//   kmem_cache_create NAME SIZE [align=N] [flags=SLAB_HWCACHE_ALIGN|...]
//   kmem_cache_alloc HANDLE CACHE [gfp=...] [cpu=N]
//   kmem_cache_free HANDLE [cpu=N]
//   kmem_cache_destroy CACHE | kmem_cache_shrink CACHE
//   slab CACHE                     print the cache's slabs and objects
// and the figures `cache NAME objsize|objperslab|pagesperslab|active_objs|
// num_objs|num_slabs|object_size|align|order|min_partial|cpu_partial|
// cpu_partial_slabs|refcount`. Kept apart from scenario.cpp so that the
// SLUB hook there is a few lines.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "session/scenario.h"
#include "mm/core/types.h"

namespace mm {

class Playground;
struct Machine;

bool is_slab_statement(std::string_view cmd);
// Fills st (kind Slab); on error the column and message.
std::optional<std::pair<int, std::string>> parse_slab_statement(const std::vector<std::string_view>& words,
                                                                const std::vector<int>& cols, ScenarioStmt& st);
// Handles: NAME -> objects (address, cache name), newest last.
using SlabHandles = std::map<std::string, std::vector<std::pair<u64, std::string>>>;
// Runs one statement; output is appended; a failure message otherwise.
std::optional<std::string> run_slab_statement(Playground& pg, SlabHandles& h, const ScenarioStmt& st, std::string& output);
// `cache NAME FIELD`.
bool is_cache_field(std::string_view field);
std::optional<long long> cache_figure(const Machine& m, const std::string& cache, const std::string& field, std::string& err);

}  // namespace mm
