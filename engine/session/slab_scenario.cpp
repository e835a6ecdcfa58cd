// SLUB's scenario statements and figures (see slab_scenario.h).
#include "session/slab_scenario.h"

#include <algorithm>
#include <cctype>

#include "mm/page_alloc/gfp.h"
#include "session/playground.h"
#include "mm/slab/slub.h"
#include "text/parse/slab_flags.h"

namespace mm {

namespace {
const char* kOps[] = {"kmalloc", "kfree", "kmem_cache_create", "kmem_cache_alloc", "kmem_cache_free",
                      "kmem_cache_destroy", "kmem_cache_shrink", "slab"};
const char* kCacheFields[] = {"objsize", "objperslab", "pagesperslab", "active_objs", "num_objs", "num_slabs",
                              "object_size", "align", "order", "min_partial", "cpu_partial", "cpu_partial_slabs",
                              "refcount"};

std::optional<u64> number(std::string_view v) {
  if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return std::stoull(std::string(v));
}
}  // namespace

bool is_slab_statement(std::string_view cmd) {
  return std::any_of(std::begin(kOps), std::end(kOps), [&](const char* o) { return cmd == o; });
}

bool is_cache_field(std::string_view field) {
  return std::any_of(std::begin(kCacheFields), std::end(kCacheFields), [&](const char* f) { return field == f; });
}

std::optional<std::pair<int, std::string>> parse_slab_statement(const std::vector<std::string_view>& w,
                                                                const std::vector<int>& col, ScenarioStmt& st) {
  const std::string op(w[0]);
  st.kind = ScenarioStmt::Kind::Slab;
  st.slab_op = op;
  st.col = col[0];
  st.gfp = gfp::GFP_KERNEL;
  // Positional words, then key=value.
  size_t npos = 0;
  if (op == "kmalloc" || op == "kmem_cache_create" || op == "kmem_cache_alloc") npos = 2;
  else npos = 1;
  const char* usage = op == "kmalloc"             ? "kmalloc NAME SIZE [gfp=...] [cpu=N]"
                      : op == "kfree"             ? "kfree NAME [cpu=N]"
                      : op == "kmem_cache_create" ? "kmem_cache_create NAME SIZE [align=N] [flags=SLAB_...]"
                      : op == "kmem_cache_alloc"  ? "kmem_cache_alloc HANDLE CACHE [gfp=...] [cpu=N]"
                      : op == "kmem_cache_free"   ? "kmem_cache_free HANDLE [cpu=N]"
                                                  : "CACHE";
  if (w.size() < npos + 1) return std::make_pair(col[0], "expected: " + (op.rfind("kmem_cache_d", 0) == 0 || op == "kmem_cache_shrink" || op == "slab" ? op + " " + usage : std::string(usage)));
  for (size_t k = 1; k <= npos; ++k)
    if (w[k].find('=') != std::string_view::npos) return std::make_pair(col[k], std::string("expected: ") + usage);
  st.name = std::string(w[1]);
  st.col = col[1];
  if (op == "kmalloc" || op == "kmem_cache_create") {
    auto n = number(w[2]);
    if (!n || (*n == 0 && op == "kmem_cache_create")) return std::make_pair(col[2], "expected a size in bytes, got '" + std::string(w[2]) + "'");
    st.size = *n;
  }
  if (op == "kmem_cache_alloc") st.arg = std::string(w[2]);
  for (size_t a = npos + 1; a < w.size(); ++a) {
    const std::string_view wv = w[a];
    const size_t eq = wv.find('=');
    if (eq == std::string_view::npos) return std::make_pair(col[a], "unexpected '" + std::string(wv) + "' (arguments are key=value)");
    const std::string_view key = wv.substr(0, eq), val = wv.substr(eq + 1);
    const int vcol = col[a] + static_cast<int>(eq) + 1;
    if (key == "gfp" && (op == "kmalloc" || op == "kmem_cache_alloc")) {
      auto g = parse_gfp(val);
      if (!g) return std::make_pair(vcol + g.diag().col - 1, g.diag().message);
      if (auto bad = gfp_check(*g, 0)) return std::make_pair(vcol, *bad);
      st.gfp = *g;
    } else if (key == "cpu" && op != "kmem_cache_create" && op != "kmem_cache_destroy" && op != "kmem_cache_shrink" && op != "slab") {
      auto n = number(val);
      if (!n || *n >= MAX_CPUS_MODELLED) return std::make_pair(vcol, std::string("bad cpu number"));
      st.cpu = static_cast<int>(*n);
    } else if (key == "align" && op == "kmem_cache_create") {
      auto n = number(val);
      if (!n || (*n && !is_pow2(*n)) || *n > PAGE_SIZE) return std::make_pair(vcol, std::string("align must be 0 or a power of two up to 4096"));
      st.align = static_cast<u32>(*n);
    } else if (key == "flags" && op == "kmem_cache_create") {
      auto f = parse_slab_flags(val);
      if (!f) return std::make_pair(vcol + f.diag().col - 1, f.diag().message);
      st.slab_flags = *f;
    } else {
      return std::make_pair(col[a], "unknown argument '" + std::string(key) + "' for " + op);
    }
  }
  return std::nullopt;
}

std::optional<std::string> run_slab_statement(Playground& pg, SlabHandles& h, const ScenarioStmt& st, std::string& output) {
  const std::string& op = st.slab_op;
  if (op == "kmalloc" || op == "kmem_cache_alloc") {
    auto o = op == "kmalloc" ? pg.kmalloc(st.size, st.gfp, st.cpu) : pg.kmem_cache_alloc(st.arg, st.gfp, st.cpu);
    if (!o) return o.diag().message;
    if (!o->ok) return op + ": " + o->failure;
    const KmemCache* c = cache_of(*pg.machine(), o->cache);
    h[st.name].emplace_back(o->addr, c ? c->name : std::string());
    return std::nullopt;
  }
  if (op == "kfree" || op == "kmem_cache_free") {
    auto it = h.find(st.name);
    if (it == h.end() || it->second.empty()) return op + ": '" + st.name + "' holds no object";
    while (!it->second.empty()) {
      auto [addr, cache] = it->second.back();
      Status s = op == "kfree" ? pg.kfree(addr, st.cpu) : pg.kmem_cache_free(cache, addr, st.cpu);
      if (!s) return s.diag().message;
      it->second.pop_back();
    }
    return std::nullopt;
  }
  if (op == "kmem_cache_create") {
    auto id = pg.kmem_cache_create(st.name, static_cast<u32>(st.size), st.align, st.slab_flags);
    if (!id) return id.diag().message;
    return std::nullopt;
  }
  if (op == "kmem_cache_destroy" || op == "kmem_cache_shrink") {
    Status s = op == "kmem_cache_destroy" ? pg.kmem_cache_destroy(st.name) : pg.kmem_cache_shrink(st.name);
    if (!s) return s.diag().message;
    return std::nullopt;
  }
  auto v = pg.slab_view(st.name);
  if (!v) return v.diag().message;
  output += *v;
  return std::nullopt;
}

std::optional<long long> cache_figure(const Machine& m, const std::string& cache, const std::string& field, std::string& err) {
  auto id = find_cache(m, cache);
  if (!id) {
    err = "no slab cache named '" + cache + "'";
    return std::nullopt;
  }
  const KmemCache& s = *cache_of(m, *id);
  const CacheGeometry& g = s.g;
  if (field == "objsize") return g.size;  // /proc/slabinfo prints s->size
  if (field == "object_size") return g.object_size;
  if (field == "objperslab") return g.objects;
  if (field == "pagesperslab") return 1ll << g.order;
  if (field == "order") return g.order;
  if (field == "align") return g.align;
  if (field == "min_partial") return g.min_partial;
  if (field == "cpu_partial") return g.cpu_partial;
  if (field == "cpu_partial_slabs") return g.cpu_partial_slabs;
  if (field == "refcount") return s.refcount;
  long long slabs = 0, objs = 0, free = 0;
  for (const KmemCacheNode& n : s.node) {
    slabs += static_cast<long long>(n.nr_slabs);
    objs += static_cast<long long>(n.total_objects);
    for (Pfn p : n.partial) {
      const Slab& sl = m.slub->slabs.at(p);
      free += sl.objects - sl.inuse;
    }
  }
  if (field == "num_slabs") return slabs;
  if (field == "num_objs") return objs;
  return objs - free;  // active_objs, as /proc/slabinfo counts it
}

}  // namespace mm
