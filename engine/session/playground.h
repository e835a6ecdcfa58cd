// The engine's front door for the CLI and the WebAssembly bindings: boot a
// machine (shorthand or a real dmesg), read /proc files and the boot log,
// read the event stream and the per-frame state. Nothing here throws and
// nothing aborts on bad input: every failure comes back as a Diagnostic.
//
// Defined by role: playground.cpp the operations and reads, history.cpp
// the undo/redo snapshots, timeline.cpp the cursor, seek and replay.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/cow_array.h"
#include "mm/core/diag.h"
#include "mm/core/event.h"
#include "mm/core/machine.h"
#include "mm/page_alloc/alloc.h"
#include "mm/slab/slub.h"
#include "session/scenario_result.h"
#include "text/scenario/vocabulary.h"

namespace mm {

struct Machine;
struct MachineSpec;
struct BootPlan;
struct SessionState;  // session/scenario.h: the handles statements name

struct BootOptions {
  bool trace = false;  // collect events (costly for big machines)
};

class Playground {
 public:
  Playground();
  ~Playground();
  Playground(Playground&&) noexcept;
  Playground& operator=(Playground&&) noexcept;

  // `source` names the input in diagnostics ("<machine>", a file name).
  // On failure the previous machine (if any) is kept unchanged.
  Status boot_shorthand(std::string_view spec, std::string_view source, BootOptions opt = {});
  Status boot_dmesg(std::string_view text, std::string_view source, BootOptions opt = {});
  // A spec parse_shorthand() already read; `text` is how it was written.
  Status boot_spec(const MachineSpec& spec, std::string_view text, BootOptions opt = {});

  bool booted() const { return machine_ != nullptr; }
  // What a scenario's `machine`/`dmesg` statements boot with (the page
  // traces them so that they can be stepped through).
  void set_boot_options(BootOptions opt) { boot_options_ = opt; }
  BootOptions boot_options() const { return boot_options_; }
  // "zoneinfo", "buddyinfo", "pagetypeinfo", "meminfo"-like views; an
  // unknown name is a Diagnostic.
  Status proc(std::string_view name, std::string& out) const;
  Status proc(ProcView view, std::string& out) const;
  static const std::vector<std::string_view>& proc_names();
  // The kernel-style boot log (dmesg lines without timestamps).
  std::string boot_log() const;
  std::span<const Event> events() const;
  // Invariant violations of the current state; empty when all hold.
  std::vector<std::string> check() const;

  // The page allocator. Requests the kernel would refuse are Diagnostics;
  // running out of memory is an AllocOutcome with ok == false.
  Expected<AllocOutcome> alloc_pages(const AllocRequest& r);
  Status free_pages(Pfn pfn, Order order, int cpu = 0);
  // Frees the allocation whose first page is `pfn` (its order is known).
  Status free_block(Pfn pfn, int cpu = 0);
  Status drain(int cpu);  // -1: every CPU

  // Per-frame state bytes (FrameState values), one per pfn 0..max_pfn-1.
  const std::uint8_t* frame_state() const;
  std::size_t frame_count() const;

  // Parses and runs a scenario on this playground (its last machine stays
  // booted). `dmesg` statements cannot read files here. A parse error is a
  // Diagnostic; failed expectations are in the result.
  Expected<ScenarioResult> run_scenario(std::string_view text, std::string_view source);

  // Runs statements of the scenario language on the running machine as one
  // operation (the page's command box). Unlike run_scenario, the names
  // statements give (`kmalloc p 200`, `alloc a order=2`) live on in the
  // playground, so a later `kfree p` finds p; undo and redo take them back
  // and forth with the machine, and a new boot forgets them. A statement
  // that fails leaves nothing: the machine and the names are as before, no
  // operation is recorded, and its failures come back in the result.
  Expected<ScenarioResult> run_command(std::string_view text, std::string_view source);
  // The names run_command's statements gave so far (null: none yet).
  const SessionState* session() const { return session_.get(); }

  // OOM replay (mm/oom_replay.h): every OOM report of a kernel log ranked
  // again with the engine's oom_badness. Needs no booted machine.
  Expected<std::string> oom_replay(std::string_view log, std::string_view source) const;
  // The machine of a shorthand booted as Linux 6.1 and as 6.12 (session/
  // compare.h): the differences as JSON. Needs no booted machine.
  Expected<std::string> compare_kernels(std::string_view spec, std::string_view source) const;

  // SLUB hook (mm/slub.h): kmalloc and kmem_cache_* by cache name. Bad
  // input (double free, unknown cache, wrong cache) is a Diagnostic that
  // changes nothing; running out of memory is ok == false.
  Expected<KmallocOutcome> kmalloc(u64 size, gfp_t gfp = gfp::GFP_KERNEL, int cpu = 0);
  Status kfree(u64 addr, int cpu = 0);
  Expected<u32> kmem_cache_create(std::string_view name, u32 size, u32 align = 0, u32 flags = 0);
  Expected<KmallocOutcome> kmem_cache_alloc(std::string_view cache, gfp_t gfp = gfp::GFP_KERNEL, int cpu = 0);
  Status kmem_cache_free(std::string_view cache, u64 addr, int cpu = 0);
  Status kmem_cache_destroy(std::string_view cache);
  Status kmem_cache_shrink(std::string_view cache);
  // One cache's slabs and objects (mmsim --slab).
  Expected<std::string> slab_view(std::string_view cache) const;

  const Machine* machine() const { return machine_.get(); }
  Machine* machine() { return machine_.get(); }

  // Undo and redo at operation boundaries: every operation that succeeds
  // keeps a snapshot (a deep copy of the machine) of the state before it.
  // Undoing back to the first entry restores that state bit for bit.
  bool undo();
  bool redo();
  // Undo or redo every operation of the group the last (next) one belongs to.
  bool undo_group();
  bool redo_group();
  // Operations the history let go of (oldest first) to stay within its
  // memory budget, since the playground was made.
  std::size_t dropped_ops() const { return dropped_ops_; }
  // The budget (bytes the undo steps may hold between them; at least two
  // steps are always kept).
  void set_history_budget(std::size_t bytes) { history_budget_ = bytes; }
  // Events between the checkpoints long operations keep while they run (0:
  // none, and no seek goes on from where the last one stopped: every seek
  // replays from the operation's start; tests compare).
  void set_checkpoint_spacing(std::size_t events) { checkpoint_spacing_ = events; }
  // Where operation `op`'s checkpoints are: events into it (tests and
  // benchmarks look at what a seek can resume from).
  std::vector<std::size_t> checkpoints_of(std::size_t op) const;
  std::size_t undo_depth() const { return undo_.size(); }
  std::size_t redo_depth() const { return redo_.size(); }
  // Memory the machine and its history hold together (shared storage
  // counted once), in bytes.
  std::size_t history_bytes() const;
  // Memory the machine on view holds (its per-frame storage as it is
  // materialised, zones, pcp sets, slab and task state; an estimate for the
  // small structures, as history_bytes()).
  std::size_t machine_bytes() const;
  // What each undo step would take back, oldest first.
  std::vector<std::string> history() const;

  // ---- The timeline: every event of every operation, and a cursor ----------
  // The operations undo can take back form a timeline. The cursor sits
  // between two events of one operation: (op, pos) shows the state after
  // events 0..pos-1 of operation `op` (pos 0: before it; pos == events:
  // after it), and the page narrates event pos-1 there: the sentence and
  // the tables describe the same moment. Boundaries are the kept
  // snapshots; a state inside an operation is rebuilt by replaying the
  // operation from the snapshot before it and copying the machine as event
  // pos-1 is recorded (sites emit right after the effect they describe).
  // Replays are exact because operations are deterministic functions of
  // the machine and their arguments.
  //
  // Every read (proc, boot_log, events, frame_state, view()) describes the
  // machine at the cursor. An operation run while the cursor is in the past
  // first discards what came after the state on screen (the operation the
  // cursor is inside is kept whole), like editing history in an undo stack.
  struct TimelineOp {
    std::string label;
    std::size_t events = 0;
    // Operations recorded by one run (a scenario, a command box entry) share
    // a group number; a panel action or a boot is a group of its own.
    u64 group = 0;
  };
  struct Cursor {
    std::size_t op = 0, pos = 0;
    bool at_end = true;
  };
  std::vector<TimelineOp> timeline() const;
  Cursor cursor() const;
  // Moves the cursor; pos is clamped to the operation's events. An op past
  // the last one is a Diagnostic. seek_end() shows the live machine again.
  Status seek(std::size_t op, std::size_t pos);
  void seek_end();
  // The machine at the cursor (null before the first boot, or at the start
  // of the first boot).
  const Machine* view() const;
  // Events [start, start+count) of operation `op` (clamped).
  std::vector<Event> op_events(std::size_t op, std::size_t start, std::size_t count) const;
  // The phases open around event `index` of operation `op` (its 'begin'
  // records, outermost first; an 'end' is inside the phase it closes): the
  // narration's breadcrumbs, found without reading the whole operation.
  std::vector<Event> op_crumbs(std::size_t op, std::size_t index) const;
  // The trace op_events() reads (its string table names caches, tasks, log
  // lines); null when there is none.
  const Trace* op_trace(std::size_t op) const;
  // The trace events() reads.
  const Trace* trace() const;

 private:
  // Re-runs an operation on a scratch playground holding a copy of the
  // machine before it.
  using Replay = std::function<void(Playground&)>;
  // A state inside a long operation, kept while it first ran: a replay
  // starts there instead of at the operation's beginning.
  struct Checkpoint {
    std::size_t at = 0;  // events the trace held then (the replay goes on from event `at`)
    std::unique_ptr<Machine> machine;
    std::shared_ptr<const SessionState> session;
    Resume resume;
  };
  struct Snapshot {
    std::string label;
    std::unique_ptr<Machine> machine;  // undo_: before the op; redo_: after it; null: no machine
    Replay replay;
    std::size_t first = 0;  // its events: [first, first+count) of the trace of the machine after it
    std::size_t count = 0;
    std::shared_ptr<const SessionState> session;  // the names, as `machine` is (before / after)
    std::vector<Checkpoint> checkpoints;          // inside the op, by `at`
    u64 group = 0;
    std::size_t bytes = 0;  // memory this step holds that the live machine does not (estimate)
  };
  struct CheckpointTaker;
  struct ReplayTap;
  std::unique_ptr<Machine> copy_machine() const;
  // Runs `op(*this)`; when it reports success, the state before it becomes
  // an undo step named `label` that `op` can replay. When it fails, the
  // machine and the names are put back as they were before it.
  template <class Op>
  auto recorded(std::string label, Op op);
  void push_undo(Snapshot s);
  // Before an operation: drop the future of the state on screen.
  void settle_cursor();
  Status boot_plan(const BootPlan& plan, bool trace);
  Status free_by_pfn(Pfn pfn, Order order, int cpu);
  // run_scenario and run_command: one operation per statement that can
  // change the machine, all in one group.
  Expected<ScenarioResult> run_statements(std::string_view text, std::string_view source, bool all_or_nothing);
  // A machine just booted on a replay's scratch playground is watched by its tap.
  void watch_replay(Machine& fresh);
  const Machine* after_op(std::size_t op) const;

  std::unique_ptr<Machine> machine_;
  // run_command's names. Shared with the snapshots (never changed in place:
  // a command that changes them makes a new one).
  std::shared_ptr<const SessionState> session_;
  std::vector<Snapshot> undo_, redo_;
  // Scenario statements call our operations: only the scenario is recorded.
  int nesting_ = 0;
  bool recording_ = true;  // false on a replay's scratch playground
  u64 boots_ = 0;          // machines booted so far (tells a new trace from a continued one)
  u64 groups_ = 0;         // groups of operations so far
  u64 group_ = 0;          // the group operations recorded now join (0: each its own)
  std::size_t dropped_ops_ = 0;
  std::size_t history_budget_ = std::size_t{384} << 20;
  std::size_t checkpoint_spacing_ = 2048;
  UnitHook* units_hook_ = nullptr;        // given to machines booted while an op is recorded or replayed
  SessionState* live_session_ = nullptr;  // the names the running statement is changing
  ReplayTap* tap_ = nullptr;              // set on a scratch playground while it replays
  BootOptions boot_options_;
  Cursor cursor_;
  std::unique_ptr<Machine> view_;  // the state at a cursor inside an operation (when view_valid_)
  bool view_valid_ = false;
  std::unique_ptr<Machine> spare_;  // a replay's scratch machine, kept for its buffers
  // Where the last seek's replay stopped: the unit boundary just after the
  // state it captured, kept as a checkpoint of operation `op`. The next
  // seek forward in that operation goes on from there, so playing costs
  // the events between two frames, not a replay from the last checkpoint.
  // Gone whenever the history changes (history.cpp).
  struct SeekStop {
    std::size_t op = 0;
    Checkpoint cp;
  };
  std::optional<SeekStop> seek_stop_;
  // frame_state()'s flat copy and the chunks it was taken from.
  mutable CowArray<frame_word::Word> exported_state_;
  mutable std::vector<std::uint8_t> frame_bytes_;
  static void copy_into(std::unique_ptr<Machine>& to, const Machine& from);
};

}  // namespace mm
