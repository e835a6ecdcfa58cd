// Running the task statements: spawn, grow, exit/kill, read, drop_caches,
// swap, oom_score_adj.
#include "mm/core/machine.h"
#include "mm/pressure/task.h"
#include "session/scenario_exec.h"

namespace mm::exec {

namespace {
// The live task a statement names; a failure when there is none.
const mm::Task* live(Run& x, std::string_view what, const std::string& name, stmt::Pos at, int col = 0) {
  const mm::Task* t = find_task(x.machine(), name);
  if (!t) x.fail_at(at, col, std::string(what) + ": no live task named '" + name + "'");
  return t;
}
Status report(Run& x, stmt::Pos at, const Status& s) {
  if (!s) x.fail(at, s.diag().message);
  return {};
}
}  // namespace

Status run(Run& x, const stmt::Spawn& s) {
  SpawnRequest sr;
  sr.name = s.name;
  sr.anon = s.anon;
  sr.file = s.file;
  sr.shmem = s.shmem;
  sr.oom_score_adj = s.adj;
  sr.cpu = s.cpu;
  sr.bind = s.bind;
  if (!s.thread_of.empty()) {
    const mm::Task* o = live(x, "spawn", s.thread_of, s.at, s.thread_of_col);
    if (!o) return {};
    sr.share_mm_with = o->mm_owner;
  }
  auto pid = spawn(x.machine(), sr);
  if (!pid) x.fail(s.at, pid.diag().message);
  return {};
}

Status run(Run& x, const stmt::Grow& s) {
  if (const mm::Task* t = live(x, "grow", s.name, s.at))
    return report(x, s.at, grow(x.machine(), t->pid, s.anon, s.file, s.shmem));
  return {};
}

Status run(Run& x, const stmt::Exit& s) {
  if (const mm::Task* t = live(x, s.kill ? "kill" : "exit", s.name, s.at))
    return report(x, s.at, task_exit(x.machine(), t->pid));
  return {};
}

Status run(Run& x, const stmt::Read& s) { return report(x, s.at, read_file(x.machine(), s.name, s.size, s.cpu)); }

Status run(Run& x, const stmt::DropCaches&) {
  drop_caches(x.machine());
  return {};
}

Status run(Run& x, const stmt::Swap& s) { return report(x, s.at, set_swap(x.machine(), s.size)); }

Status run(Run& x, const stmt::OomScoreAdj& s) {
  if (const mm::Task* t = live(x, "oom_score_adj", s.name, s.at))
    return report(x, s.at, set_oom_score_adj(x.machine(), t->pid, s.adj));
  return {};
}

}  // namespace mm::exec
