// The WebAssembly adapter's values: the results operations return (their
// shapes are registered in bindings.cpp, their contract is wasm/mm-engine.d.ts),
// the conversions from engine outcomes to them, and `Engine`, which owns one
// mm::Playground and answers the views (reads that cannot fail). This file
// and convert.cpp, args.{h,cpp} and bindings.cpp are the only place where
// engine types meet Embind.
//
// Boundary rules:
//  - nothing throws: every failure is a value ({ok:false, error});
//  - data leaves as copies, except frameStateView(), mapCells() and
//    pageblockView(), views into the wasm heap that the caller must not keep
//    across calls (memory growth replaces the heap and detaches old views);
//  - 64-bit numbers leave as doubles (exact below 2^53, which holds for every
//    pfn and count of a modelled machine); an absent pfn is -1.
#pragma once

#include <emscripten/val.h>

#include <string>
#include <vector>

#include "session/playground.h"

namespace mmwasm {

// {ok, error}: a boot, or an operation with nothing to return (free, drain, kfree...).
struct StatusResult {
  bool ok = false;
  std::string error;
};

// {ok, text, error}: one /proc file, an OOM replay, a slab view.
struct TextResult {
  bool ok = false;
  std::string text;
  std::string error;
};

// alloc_pages: ok with the block, or !ok with `failure` (out of memory, the
// kernel's reason) or `error` (a request the kernel refuses: bad gfp, order,
// CPU or node). pfn is -1 when !ok; zone is "DMA", "DMA32", "Normal"...
struct AllocResult {
  bool ok = false;
  double pfn = -1;
  int order = 0;
  int node = -1;
  std::string zone;
  std::string failure;  // English (failure_text); kept for compatibility
  std::string reason;   // AllocFailure's code ("noretry", ...); "" when ok
  std::string error;
};

// kmalloc / kmem_cache_alloc. Kernel addresses (0xffff888...) do not fit a
// double exactly, so `addr` is a hex string ("0xffff888004a1c080"); "" when
// !ok. cache is the serving cache's name ("" for kmalloc_large and kmalloc(0)).
struct KmallocResult {
  bool ok = false;
  std::string addr;
  std::string cache;
  double pfn = -1;
  int index = -1;
  std::string failure;
  std::string error;
};

// runScenario: see ScenarioResult in mm-engine.d.ts. `failures` is a JS
// array of {line, col, message, text}.
struct ScenarioResult {
  bool ok = false;
  bool ran = false;
  std::string output;
  emscripten::val failures = emscripten::val::array();
  int passed = 0;
  int failed = 0;
  std::string error;
  int line = 0;
  int col = 0;
};

// Engine outcomes as results.
StatusResult status_of(const mm::Status& s);
template <class T>
StatusResult status_of(const mm::Expected<T>& e) {
  if (e) return {true, {}};
  return {false, e.diag().str()};
}
TextResult text_of(const mm::Expected<std::string>& t);
AllocResult alloc_of(const mm::Expected<mm::AllocOutcome>& a, mm::Order asked);
KmallocResult kmalloc_of(const mm::Playground& pg, const mm::Expected<mm::KmallocOutcome>& k);
ScenarioResult scenario_of(const mm::Expected<mm::ScenarioResult>& r);
// A command (Playground::run_command): as a scenario, except that a run with
// failures kept nothing, so it reads as not run (ran false, the first failure
// in error/line/col, every failure in failures).
ScenarioResult command_of(const mm::Expected<mm::ScenarioResult>& r);
// A lesson compiled for the page (wasm/lessons.cpp): `json` is the compiled
// lesson (docs/lessons.md) whenever the text parsed, even when a check
// failed; `ok` is true when every check passed (what `mmsim lesson check`
// says); `error` lists every problem, one "FILE:LINE:COL: error: ..." a line.
struct LessonResult {
  bool ok = false;
  std::string json;
  std::string error;
};

// Two reads of the machine at the cursor, as text.
TextResult proc_of(const mm::Playground& pg, const std::string& name);
TextResult slab_detail_of(const mm::Playground& pg, const std::string& cache);

emscripten::val to_js(const mm::Event& e, const mm::Trace& t);
const char* kind_name(mm::EventKind k);

class Engine {
 public:
  Engine() { pg_.set_boot_options(mm::BootOptions{trace_}); }

  // The operations of the binding table run on this.
  mm::Playground& playground() { return pg_; }

  // The event catalogue, the narration table, names and constants (JSON;
  // schema Catalogue in mm-engine.d.ts). The same for every machine.
  std::string catalogue() const;
  // The binding table: every operation with its arguments (OperationSpec[]).
  emscripten::val operations() const;
  emscripten::val proc_names() const;
  std::string boot_log() const;
  double event_count() const;
  // Events [start, start+count) clamped to what exists; never fails.
  emscripten::val events(double start, double count) const;
  emscripten::val check() const;
  double frame_count() const;
  emscripten::val frame_state_view() const;

  // History: the labels of the undo steps, oldest first.
  emscripten::val history() const;
  double redo_depth() const;

  // The timeline (mm::Playground): operations, a cursor between any two of
  // their events, and the machine at the cursor. See mm-engine.d.ts.
  emscripten::val timeline() const;
  emscripten::val cursor() const;
  void seek_end() { pg_.seek_end(); }
  emscripten::val op_events(double op, double start, double count) const;
  emscripten::val op_crumbs(double op, double index) const;
  // The engine's own sentences (text/format/narration.cpp) for the same
  // events, in `lang` ("en" or "zh"; anything else gives []). An End
  // record has no sentence (""). The page's unit tests compare its own
  // template filler with these.
  emscripten::val narrate(double op, double start, double count, const std::string& lang) const;

  // Views of the machine at the cursor (mm/views.h). mapCells() and
  // pageblockView() are views into the wasm heap (see frameStateView()).
  emscripten::val map_cells();
  // Frames per map cell as a shift (0 up to 16 GiB; mm::map_shift).
  double map_shift() const;
  // One cell per frame for [first, first + count): a view, empty when the
  // window starts beyond the last frame or is wider than 1 << 22 frames.
  emscripten::val map_cells_range(double first, double count);
  emscripten::val pageblock_view() const;
  std::string state_json() const;
  std::string frame_info_json(double pfn) const;
  emscripten::val free_blocks(double node, double zone, double order, double mt, double limit) const;

  // Lessons and quizzes (wasm/lessons.cpp). They run on machines of their
  // own, never on this engine's playground.
  // The shipped lessons (compiled into the module): JSON [{id, file, title, steps, questions}].
  std::string lessons() const;
  TextResult lesson_source(const std::string& id) const;
  LessonResult compile_lesson(const std::string& text, const std::string& source) const;
  emscripten::val quiz_topics() const;
  TextResult quiz(const std::string& topic, double seed, double count, const std::string& lang) const;

  // Event collection for the next boots (on by default: the page animates them).
  void set_trace(bool on) {
    trace_ = on;
    pg_.set_boot_options(mm::BootOptions{on});
  }
  bool trace() const { return trace_; }

 private:
  mm::Playground pg_;
  bool trace_ = true;
  std::vector<std::uint8_t> cells_;               // mapCells() fills it; JS sees it as a view
  std::vector<std::uint8_t> window_cells_;        // mapCellsRange() fills it
  mutable std::vector<std::uint8_t> pageblocks_;  // pageblock_view() fills it
};

}  // namespace mmwasm
