// Running alloc, free and drain on the page allocator.
#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "session/scenario_exec.h"
#include "text/format/views.h"

namespace mm::exec {

Status run(Run& x, const stmt::Alloc& s) {
  AllocRequest req;
  req.gfp = s.gfp;
  req.order = s.order;
  req.cpu = s.cpu;
  req.nid = s.node;
  const Resume* from = take_resume(x.machine(), ResumeLoop::AllocRepeat);
  const int first = from ? static_cast<int>(from->unit) : 0;
  for (int i = first; i < s.repeat; ++i) {
    if (i != first && x.machine().units.p) {
      Resume next;
      next.loop = ResumeLoop::AllocRepeat;
      next.unit = static_cast<u64>(i);
      if (!unit_boundary(x.machine(), next)) return {};
    }
    auto o = mm::alloc_pages(x.machine(), req);
    if (!o) {
      x.fail(s.at, o.diag().message);
      break;
    }
    if (o->ok) {
      ++x.state.allocs_ok;
      x.state.pages[s.handle].push_back({o->pfn, o->order});
    } else {
      ++x.state.allocs_failed;
    }
    // A long repeat is checked along the way, not only at its end: after
    // units 64, 128, 256, ... A full check walks every frame, so a fixed
    // step would cost the frames times the units (a 1G machine's 999999
    // allocations checked every 64 took 25 s); doubling steps keep the
    // checks to a log of the units and still catch a corruption early.
    const auto done = static_cast<unsigned>(i) + 1;
    if (x.ctx.check_each_step && s.repeat > 1 && done >= 64 && (done & (done - 1)) == 0) x.check_invariants(s.at);
  }
  return {};
}

Status run(Run& x, const stmt::Free& s) {
  if (s.pfn) {
    // A block someone else keeps books on (a slab, a task's pages, page
    // tables) is theirs to free: freeing it here would corrupt them.
    std::string why;
    const Machine& m = x.machine();
    if (*s.pfn < m.mem.nr && m.mem.st(*s.pfn) == FrameState::Alloc && !frame_freeable(m, *s.pfn, &why)) {
      x.fail(s.at, "free: " + why);
      return {};
    }
    if (Status f = mm::free_pages(x.machine(), *s.pfn, s.order, s.cpu); !f)
      x.fail(s.at, f.diag().message);
    else
      x.state.forget_block(*s.pfn);
    return {};
  }
  auto it = x.state.pages.find(s.handle);
  if (it == x.state.pages.end() || it->second.empty()) {
    x.fail(s.at, "free: '" + s.handle + "' holds no allocation");
    return {};
  }
  while (!it->second.empty()) {
    auto [pfn, order] = it->second.back();
    it->second.pop_back();
    if (Status f = mm::free_pages(x.machine(), pfn, order, s.cpu); !f) {
      x.fail(s.at, f.diag().message);
      break;
    }
  }
  if (it->second.empty()) x.state.pages.erase(it);  // the name is free for another use
  return {};
}

Status run(Run& x, const stmt::Drain& s) {
  Machine& m = x.machine();
  if (s.all)
    drain_all_pages(m);
  else if (static_cast<unsigned>(s.cpu) < m.nr_cpus)
    drain_local_pages(m, s.cpu);
  else
    x.fail_at(s.at, s.cpu_col, "drain: no CPU " + std::to_string(s.cpu));
  return {};
}

}  // namespace mm::exec
