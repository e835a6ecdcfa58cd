// Running SLUB's statements, and the `cache NAME FIELD` figures.
#include "mm/core/machine.h"
#include "mm/slab/slub.h"
#include "session/scenario_exec.h"
#include "text/parse/slab_flags.h"

namespace mm::exec {

namespace {
// The object a kmalloc/kmem_cache_alloc returned, kept under its handle.
Status keep(Run& x, const std::string& what, const std::string& handle, stmt::Pos at,
            const Expected<KmallocOutcome>& o) {
  if (!o) {
    x.fail(at, o.diag().message);
    return {};
  }
  if (!o->ok) {
    x.fail(at, what + ": " + o->failure);
    return {};
  }
  const KmemCache* c = cache_of(x.machine(), o->cache);
  x.state.objects[handle].emplace_back(o->addr, c ? c->name : std::string());
  return {};
}

// kfree / kmem_cache_free: every object the handle holds, newest first.
template <class Free>
Status free_all(Run& x, const std::string& what, const std::string& handle, stmt::Pos at, Free free) {
  auto it = x.state.objects.find(handle);
  if (it == x.state.objects.end() || it->second.empty()) {
    x.fail(at, what + ": '" + handle + "' holds no object");
    return {};
  }
  while (!it->second.empty()) {
    const auto& [addr, cache] = it->second.back();
    if (Status s = free(addr, cache); !s) {
      x.fail(at, s.diag().message);
      return {};
    }
    it->second.pop_back();
  }
  x.state.objects.erase(it);  // the name is free for another use
  return {};
}

Status report(Run& x, stmt::Pos at, const Status& s) {
  if (!s) x.fail(at, s.diag().message);
  return {};
}
}  // namespace

Status run(Run& x, const stmt::Kmalloc& s) {
  return keep(x, "kmalloc", s.handle, s.at, x.pg.kmalloc(s.size, s.gfp, s.cpu));
}

Status run(Run& x, const stmt::KmemCacheAlloc& s) {
  // A cache that does not exist is the cache word's fault.
  const stmt::Pos at = find_cache(x.machine(), s.cache) ? s.at : stmt::Pos{s.at.line, s.cache_col};
  return keep(x, "kmem_cache_alloc", s.handle, at, x.pg.kmem_cache_alloc(s.cache, s.gfp, s.cpu));
}

Status run(Run& x, const stmt::Kfree& s) {
  return free_all(x, "kfree", s.handle, s.at, [&](u64 addr, const std::string&) { return x.pg.kfree(addr, s.cpu); });
}

Status run(Run& x, const stmt::KmemCacheFree& s) {
  return free_all(x, "kmem_cache_free", s.handle, s.at,
                  [&](u64 addr, const std::string& cache) { return x.pg.kmem_cache_free(cache, addr, s.cpu); });
}

Status run(Run& x, const stmt::KmemCacheCreate& s) {
  auto id = x.pg.kmem_cache_create(s.name, s.size, s.align, s.flags);
  if (!id) x.fail(s.at, id.diag().message);
  return {};
}

Status run(Run& x, const stmt::KmemCacheShrink& s) { return report(x, s.at, x.pg.kmem_cache_shrink(s.cache)); }
Status run(Run& x, const stmt::KmemCacheDestroy& s) { return report(x, s.at, x.pg.kmem_cache_destroy(s.cache)); }

Status run(Run& x, const stmt::Slab& s) {
  auto v = x.pg.slab_view(s.cache);
  if (!v)
    x.fail(s.at, v.diag().message);
  else
    x.r.output += *v;
  return {};
}

Expected<long long> cache_figure(const Machine& m, const fig::Cache& f) {
  auto id = find_cache(m, f.cache);
  if (!id) return Diagnostic{"", 0, 0, "no slab cache named '" + f.cache + "'"};
  const KmemCache& s = *cache_of(m, *id);
  const CacheGeometry& g = s.g;
  switch (f.field) {
    case CacheField::objsize: return g.size;  // /proc/slabinfo prints s->size
    case CacheField::object_size: return g.object_size;
    case CacheField::objperslab: return g.objects;
    case CacheField::pagesperslab: return 1ll << g.order;
    case CacheField::order: return g.order;
    case CacheField::align: return g.align;
    case CacheField::min_partial: return g.min_partial;
    case CacheField::cpu_partial: return g.cpu_partial;
    case CacheField::cpu_partial_slabs: return g.cpu_partial_slabs;
    case CacheField::refcount: return s.refcount;
    case CacheField::num_slabs:
    case CacheField::num_objs:
    case CacheField::active_objs: break;
  }
  long long slabs = 0, objs = 0, free = 0;
  for (const KmemCacheNode& n : s.node) {
    slabs += static_cast<long long>(n.nr_slabs);
    objs += static_cast<long long>(n.total_objects);
    for (Pfn p : n.partial) {
      const Slab& sl = m.slub->slabs.at(p);
      free += sl.objects - sl.inuse;
    }
  }
  if (f.field == CacheField::num_slabs) return slabs;
  if (f.field == CacheField::num_objs) return objs;
  return objs - free;  // active_objs, as /proc/slabinfo counts it
}

}  // namespace mm::exec
