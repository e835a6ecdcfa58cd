// The timeline: a cursor between any two events of any operation. A state
// inside an operation is rebuilt by replaying the operation from the
// snapshot before it (history.cpp keeps the snapshots).
#include <algorithm>

#include "mm/core/machine.h"
#include "session/playground.h"
#include "session/scenario.h"

namespace mm {

// The state a replay captures: when the trace of `machine` records event
// `fire_at`, the machine is copied: the state right after the step that
// event narrates (sites emit after the effect), before the next begins.
struct Playground::ReplayTap final : TraceObserver, UnitHook {
  std::size_t fire_at = 0;
  Machine* machine = nullptr;                // the machine whose events count
  std::unique_ptr<Machine>* into = nullptr;  // reused storage: copy-assigning keeps its buffers
  bool fired = false;
  const Machine* fired_on = nullptr;  // the machine the capture was taken from

  // A scenario may boot several machines: each new one is watched instead
  // (boot_plan calls this), and a later capture replaces an earlier one.
  void watch(Machine& m) {
    machine = &m;
    m.trace.set_observer(this);
    m.trace.set_replaying(true);  // what it records was recorded: share it
    m.units.p = this;
  }
  // A long loop stops at the next unit boundary once the capture is taken;
  // that boundary is kept (`stop`) for the next seek forward.
  Playground* scratch = nullptr;  // whose names the stop keeps
  Checkpoint* stop = nullptr;     // where to keep it (null: not wanted)
  bool stopped = false;
  bool between(const Machine& m, const Resume& next) override {
    if (!fired) return true;
    if (stop && !stopped && &m == machine && fired_on == machine && m.trace.on()) {
      stop->at = m.trace.events().size();
      stop->machine = std::make_unique<Machine>(m);
      stop->session =
          scratch->live_session_ ? std::make_shared<const SessionState>(*scratch->live_session_) : scratch->session_;
      stop->resume = next;
      stopped = true;
    }
    if (&m == machine) machine->trace.mute();  // the loop stops: its closing phases are not wanted
    return false;
  }
  void on_record(const Trace&, std::size_t index) override {
    if (index != fire_at || !machine) return;
    copy_into(*into, *machine);
    (*into)->take_own_objects();
    fired = true;
    fired_on = machine;
  }
};

void Playground::watch_replay(Machine& fresh) {
  if (tap_) tap_->watch(fresh);
}

void Playground::settle_cursor() {
  if (cursor_.at_end) return;
  // Keep the operation the cursor is inside (whole), unless the cursor is
  // at its very start; later operations are discarded as redo would be.
  const std::size_t keep = cursor_.pos == 0 ? cursor_.op : cursor_.op + 1;
  while (undo_.size() > keep && undo()) {}
  redo_.clear();
  seek_end();
}

std::vector<Playground::TimelineOp> Playground::timeline() const {
  std::vector<TimelineOp> v;
  for (const Snapshot& s : undo_) v.push_back({s.label, s.count, s.group});
  return v;
}

Playground::Cursor Playground::cursor() const {
  if (cursor_.at_end && !undo_.empty()) return {undo_.size() - 1, undo_.back().count, true};
  return cursor_;
}

std::vector<std::size_t> Playground::checkpoints_of(std::size_t op) const {
  std::vector<std::size_t> v;
  if (op < undo_.size())
    for (const Checkpoint& c : undo_[op].checkpoints) v.push_back(c.at - undo_[op].first);
  return v;
}

const Machine* Playground::after_op(std::size_t op) const {
  return op + 1 < undo_.size() ? undo_[op + 1].machine.get() : machine_.get();
}

void Playground::seek_end() {
  cursor_ = Cursor{};
  view_valid_ = false;
}

Status Playground::seek(std::size_t op, std::size_t pos) {
  if (op >= undo_.size()) {
    if (undo_.empty() && op == 0) return {};  // nothing recorded: the end is the only place
    return Diagnostic{"", 0, 0,
                      "seek: there is no operation " + std::to_string(op) + " (the timeline has " +
                          std::to_string(undo_.size()) + ")"};
  }
  const Snapshot& s = undo_[op];
  pos = std::min(pos, s.count);
  if (op + 1 == undo_.size() && pos == s.count) {
    seek_end();
    return {};
  }
  view_valid_ = false;
  cursor_ = Cursor{op, pos, false};
  if (pos == 0 || pos == s.count) return {};  // a kept snapshot shows it

  // Cursor position pos (1..count-1) shows event pos-1 of the operation
  // and the state right after it. The replay starts at the last checkpoint
  // before that event, or at the operation's start.
  const std::size_t fire_at = s.first + pos - 1;
  const Checkpoint* from = nullptr;
  for (const Checkpoint& c : s.checkpoints) {
    if (c.at > fire_at) break;
    from = &c;
  }
  // Or where the last seek's replay stopped, when that is nearer (playing on).
  std::optional<SeekStop> last_stop = std::move(seek_stop_);
  seek_stop_.reset();
  if (last_stop && last_stop->op == op && last_stop->cp.at <= fire_at && (!from || last_stop->cp.at > from->at))
    from = &last_stop->cp;
  Playground scratch;
  scratch.recording_ = false;
  scratch.session_ = from ? from->session : s.session;  // the names the operation ran with
  if (const Machine* start = from ? from->machine.get() : s.machine.get()) {
    copy_into(spare_, *start);
    scratch.machine_ = std::move(spare_);
    if (from) scratch.machine_->resume_from.p = &from->resume;
  }
  SeekStop next_stop{op, {}};
  ReplayTap tap;
  tap.fire_at = fire_at;
  tap.into = &view_;
  tap.scratch = &scratch;
  tap.stop = checkpoint_spacing_ ? &next_stop.cp : nullptr;  // 0: every seek replays from the start
  if (scratch.machine_) tap.watch(*scratch.machine_);
  scratch.tap_ = &tap;
  scratch.units_hook_ = &tap;
  s.replay(scratch);
  if (scratch.machine_) {
    scratch.machine_->trace.set_observer(nullptr);
    scratch.machine_->trace.set_replaying(false);
    scratch.machine_->units.p = nullptr;
    scratch.machine_->resume_from.p = nullptr;
  }
  // The copy was taken as the narrated event was appended, before its
  // arguments were filled: give the view that event as recorded.
  if (tap.fired && tap.fired_on == tap.machine && tap.machine == scratch.machine_.get() &&
      view_->trace.events().size() == tap.fire_at && tap.fire_at < tap.machine->trace.events().size())
    view_->trace.append_recorded(tap.machine->trace, tap.fire_at);
  spare_ = std::move(scratch.machine_);  // keep the buffers for the next seek
  if (tap.stopped) seek_stop_ = std::move(next_stop);
  // A tap that never fired would mean the replay diverged from the record.
  if (!tap.fired) copy_into(view_, *after_op(op));
  view_valid_ = true;
  return {};
}

const Machine* Playground::view() const {
  if (cursor_.at_end) return machine_.get();
  if (view_valid_) return view_.get();
  return cursor_.pos == 0 ? undo_[cursor_.op].machine.get() : after_op(cursor_.op);
}

std::vector<Event> Playground::op_events(std::size_t op, std::size_t start, std::size_t count) const {
  if (op >= undo_.size()) return {};
  const Snapshot& s = undo_[op];
  const Machine* after = after_op(op);
  if (!after) return {};
  const auto& all = after->trace.events();
  start = std::min(start, s.count);
  count = std::min(count, s.count - start);
  const std::size_t from = std::min(s.first + start, all.size());
  const std::size_t to = std::min(from + count, all.size());
  return {all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(to)};
}

std::vector<Event> Playground::op_crumbs(std::size_t op, std::size_t index) const {
  if (op >= undo_.size()) return {};
  const Snapshot& s = undo_[op];
  const Machine* after = after_op(op);
  if (!after || index >= s.count) return {};
  const auto& all = after->trace.events();
  const std::size_t at = s.first + index;
  if (at >= all.size()) return {};
  // Depths nest: the phase around an event at depth d is the nearest earlier
  // 'begin' at depth d - 1 (an 'end' sits at its own begin's depth), and so
  // on outwards; an older begin at that depth closed before the open one.
  const Event& e = all[at];
  int want = e.kind == EventKind::End ? e.depth : e.depth - 1;
  std::vector<Event> out;
  for (std::size_t j = at; want >= 0 && j-- > s.first;) {
    if (all[j].kind == EventKind::Begin && all[j].depth == want) {
      out.push_back(all[j]);
      --want;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

const Trace* Playground::op_trace(std::size_t op) const {
  const Machine* after = op < undo_.size() ? after_op(op) : nullptr;
  return after ? &after->trace : nullptr;
}

const Trace* Playground::trace() const {
  const Machine* m = view();
  return m ? &m->trace : nullptr;
}

}  // namespace mm
