// The binding table: every operation the page can run on the engine, one
// row each (its JS name, its arguments and the Playground call), and the
// Embind registration that comes from it; then the views (reads that
// cannot fail) and the shapes of the results.
//
// How to add an operation
//  1. Give mm::Playground the method (engine/session/playground.h).
//  2. Add one row to kOperations below: op("jsName", {specs...}, call), or
//     request(...) for one object argument whose fields are the specs. The
//     specs are args.h's kinds (arg::cpu(), arg::gfp(), arg::bytes("size",
//     lo, hi), arg::text("name", "what it is")...); their limits come from
//     the engine and the machine, and every refusal is args.cpp's one
//     message. The call reads the values by position (a.cpu(1)) and turns
//     the Playground's answer into a result of convert.h (status_of, ...).
//  3. Add its entry to `Operations` in wasm/mm-engine.d.ts: the arguments
//     in the same order, and the result. The page calls it with
//     EngineClient.call("jsName", ...args).
//  4. tests/wasm/bindings.test.mjs checks every row's argument refusals
//     from Engine.operations(); add a case for what it does.
#include <emscripten/bind.h>

#include <array>
#include <cstdint>
#include <tuple>
#include <utility>

#include "args.h"
#include "convert.h"

using namespace emscripten;
using mm::Playground;

namespace mmwasm {
namespace {

template <std::size_t N, class Call>
struct Operation {
  const char* name;
  Form form;
  std::array<ArgSpec, N> args;
  Call call;  // (Playground&, const Args&) -> a result of convert.h
  // Parameters of the JS method.
  constexpr std::size_t arity() const { return form == Form::Request ? 1 : N; }
};

template <std::size_t N, class Call>
constexpr Operation<N, Call> op(const char* name, const ArgSpec (&args)[N], Call call) {
  return {name, Form::Positional, std::to_array(args), call};
}
template <class Call>
constexpr Operation<0, Call> op(const char* name, Call call) {
  return {name, Form::Positional, {}, call};
}
template <std::size_t N, class Call>
constexpr Operation<N, Call> request(const char* name, const ArgSpec (&args)[N], Call call) {
  return {name, Form::Request, std::to_array(args), call};
}

constexpr ArgSpec kCache = arg::text("cache", "a slab cache name");

constexpr auto kOperations = std::tuple{
    // Machines, scenarios, logs.
    op("bootShorthand", {arg::text("spec", "a machine shorthand such as \"ram=1G cpus=2\"")},
       [](Playground& pg, const Args& a) {
         return status_of(pg.boot_shorthand(a.text(0), "<machine>", pg.boot_options()));
       }),
    op("bootDmesg", {arg::text("text", "a kernel log"), arg::text("name", "a label for errors, \"\" for <dmesg>")},
       [](Playground& pg, const Args& a) {
         const std::string& name = a.text(1);
         return status_of(pg.boot_dmesg(a.text(0), name.empty() ? "<dmesg>" : name, pg.boot_options()));
       }),
    op("runScenario", {arg::text("text", "a scenario")},
       [](Playground& pg, const Args& a) { return scenario_of(pg.run_scenario(a.text(0), "scenario")); }),
    op("runCommand", {arg::text("text", "scenario statements")},
       [](Playground& pg, const Args& a) { return command_of(pg.run_command(a.text(0), "command")); }),
    op("oomReplay", {arg::text("log", "a kernel log")},
       [](Playground& pg, const Args& a) { return text_of(pg.oom_replay(a.text(0), "log")); }),
    op("compareKernels", {arg::text("spec", "a machine shorthand such as \"ram=1G cpus=2\"")},
       [](Playground& pg, const Args& a) { return text_of(pg.compare_kernels(a.text(0), "<machine>")); }),

    // Reads of the machine at the cursor.
    op("proc", {arg::text("name", "a /proc view, one of procNames()")},
       [](Playground& pg, const Args& a) { return proc_of(pg, a.text(0)); }),
    op("slabView", {kCache}, [](Playground& pg, const Args& a) { return text_of(pg.slab_view(a.text(0))); }),
    op("slabDetail", {kCache}, [](Playground& pg, const Args& a) { return slab_detail_of(pg, a.text(0)); }),

    // The page allocator.
    request("allocPages",
            {arg::gfp().or_text("GFP_KERNEL"), arg::order().or_number(0), arg::cpu().or_number(0),
             arg::node().or_number(-1)},
            [](Playground& pg, const Args& a) {
              mm::AllocRequest r;
              r.gfp = a.gfp(0);
              r.order = a.order(1);
              r.cpu = a.cpu(2);
              r.nid = a.node(3);
              return alloc_of(pg.alloc_pages(r), r.order);
            }),
    op("freePages", {arg::pfn(), arg::order(), arg::cpu()},
       [](Playground& pg, const Args& a) { return status_of(pg.free_pages(a.pfn(0), a.order(1), a.cpu(2))); }),
    op("freeBlock", {arg::pfn(), arg::cpu()},
       [](Playground& pg, const Args& a) { return status_of(pg.free_block(a.pfn(0), a.cpu(1))); }),
    op("drain", {arg::cpu_or_all()}, [](Playground& pg, const Args& a) { return status_of(pg.drain(a.cpu(0))); }),

    // SLUB.
    op("kmalloc", {arg::bytes("size", 0, kMaxSafe), arg::gfp(), arg::cpu()},
       [](Playground& pg, const Args& a) { return kmalloc_of(pg, pg.kmalloc(a.bytes(0), a.gfp(1), a.cpu(2))); }),
    op("kfree", {arg::addr(), arg::cpu()},
       [](Playground& pg, const Args& a) { return status_of(pg.kfree(a.addr(0), a.cpu(1))); }),
    op("kmemCacheCreate",
       {arg::text("name", "a new cache's name"), arg::bytes("size", 1, UINT32_MAX), arg::whole("align", 0, 1u << 31),
        arg::slab_flags()},
       [](Playground& pg, const Args& a) {
         return status_of(pg.kmem_cache_create(a.text(0), static_cast<mm::u32>(a.bytes(1)),
                                               static_cast<mm::u32>(a.whole(2)), a.flags(3)));
       }),
    op("kmemCacheAlloc", {kCache, arg::gfp(), arg::cpu()},
       [](Playground& pg, const Args& a) {
         return kmalloc_of(pg, pg.kmem_cache_alloc(a.text(0), a.gfp(1), a.cpu(2)));
       }),
    op("kmemCacheFree", {kCache, arg::addr(), arg::cpu()},
       [](Playground& pg, const Args& a) { return status_of(pg.kmem_cache_free(a.text(0), a.addr(1), a.cpu(2))); }),
    op("kmemCacheDestroy", {kCache},
       [](Playground& pg, const Args& a) { return status_of(pg.kmem_cache_destroy(a.text(0))); }),
    op("kmemCacheShrink", {kCache},
       [](Playground& pg, const Args& a) { return status_of(pg.kmem_cache_shrink(a.text(0))); }),

    // History and the timeline. undo/redo take back a whole run (every
    // statement of a scenario or a command entry: one group); the
    // Statement forms one statement's operation.
    op("undo",
       [](Playground& pg, const Args&) {
         return pg.undo_group() ? StatusResult{true, {}} : StatusResult{false, "error: nothing to undo"};
       }),
    op("redo",
       [](Playground& pg, const Args&) {
         return pg.redo_group() ? StatusResult{true, {}} : StatusResult{false, "error: nothing to redo"};
       }),
    op("undoStatement",
       [](Playground& pg, const Args&) {
         return pg.undo() ? StatusResult{true, {}} : StatusResult{false, "error: nothing to undo"};
       }),
    op("redoStatement",
       [](Playground& pg, const Args&) {
         return pg.redo() ? StatusResult{true, {}} : StatusResult{false, "error: nothing to redo"};
       }),
    // How much the undo history may hold (the page's history= link option:
    // a phone or a course page with many embeds keeps less).
    op("setHistoryBudget", {arg::whole("mib", 2, 384)},
       [](Playground& pg, const Args& a) {
         pg.set_history_budget(static_cast<std::size_t>(a.whole(0)) << 20);
         return StatusResult{true, {}};
       }),
    op("seek", {arg::whole("op", 0, kMaxSafe), arg::whole("pos", 0, kMaxSafe)},
       [](Playground& pg, const Args& a) {
         return status_of(pg.seek(static_cast<std::size_t>(a.whole(0)), static_cast<std::size_t>(a.whole(1))));
       }),
};

constexpr std::size_t kNumOperations = std::tuple_size_v<decltype(kOperations)>;

template <std::size_t>
using JsValue = emscripten::val;

// The JS method of row R: reads its parameters against the row's specs and,
// when they fit, runs the call; else the row's result with `error` set.
template <std::size_t R, class Params>
struct Method;
template <std::size_t R, std::size_t... P>
struct Method<R, std::index_sequence<P...>> {
  static auto invoke(Engine& engine, JsValue<P>... given) {
    constexpr const auto& row = std::get<R>(kOperations);
    Playground& pg = engine.playground();
    Args args;
    const std::array<emscripten::val, sizeof...(P)> values{std::move(given)...};
    using Result = decltype(row.call(pg, args));
    if (auto bad = read_args(row.form, row.args, values, Limits::of(pg), args)) {
      Result refused;
      refused.error = std::move(*bad);
      return refused;
    }
    return row.call(pg, args);
  }
};

template <std::size_t... R>
void register_operations(const class_<Engine>& engine, std::index_sequence<R...>) {
  (engine.function(std::get<R>(kOperations).name,
                   &Method<R, std::make_index_sequence<std::get<R>(kOperations).arity()>>::invoke),
   ...);
}

template <std::size_t N, class Call>
val describe(const Operation<N, Call>& row) {
  val o = val::object();
  o.set("name", std::string(row.name));
  o.set("request", row.form == Form::Request);
  val args = val::array();
  for (std::size_t i = 0; i < N; ++i) {
    val a = val::object();
    a.set("name", std::string(row.args[i].name));
    a.set("kind", std::string(kind_name(row.args[i].kind)));
    a.set("optional", row.args[i].optional);
    args.set(static_cast<unsigned>(i), a);
  }
  o.set("args", args);
  return o;
}

}  // namespace

val Engine::operations() const {
  val out = val::array();
  unsigned i = 0;
  std::apply([&](const auto&... row) { (out.set(i++, describe(row)), ...); }, kOperations);
  return out;
}

}  // namespace mmwasm

using mmwasm::AllocResult;
using mmwasm::Engine;
using mmwasm::KmallocResult;
using mmwasm::ScenarioResult;
using mmwasm::StatusResult;
using mmwasm::TextResult;

EMSCRIPTEN_BINDINGS(mm_engine) {
  value_object<StatusResult>("StatusResult").field("ok", &StatusResult::ok).field("error", &StatusResult::error);

  value_object<TextResult>("TextResult")
      .field("ok", &TextResult::ok)
      .field("text", &TextResult::text)
      .field("error", &TextResult::error);

  value_object<AllocResult>("AllocResult")
      .field("ok", &AllocResult::ok)
      .field("pfn", &AllocResult::pfn)
      .field("order", &AllocResult::order)
      .field("node", &AllocResult::node)
      .field("zone", &AllocResult::zone)
      .field("failure", &AllocResult::failure)
      .field("reason", &AllocResult::reason)
      .field("error", &AllocResult::error);

  value_object<KmallocResult>("KmallocResult")
      .field("ok", &KmallocResult::ok)
      .field("addr", &KmallocResult::addr)
      .field("cache", &KmallocResult::cache)
      .field("pfn", &KmallocResult::pfn)
      .field("index", &KmallocResult::index)
      .field("failure", &KmallocResult::failure)
      .field("error", &KmallocResult::error);

  value_object<ScenarioResult>("ScenarioResult")
      .field("ok", &ScenarioResult::ok)
      .field("ran", &ScenarioResult::ran)
      .field("output", &ScenarioResult::output)
      .field("failures", &ScenarioResult::failures)
      .field("passed", &ScenarioResult::passed)
      .field("failed", &ScenarioResult::failed)
      .field("error", &ScenarioResult::error)
      .field("line", &ScenarioResult::line)
      .field("col", &ScenarioResult::col);

  value_object<mmwasm::LessonResult>("LessonResult")
      .field("ok", &mmwasm::LessonResult::ok)
      .field("json", &mmwasm::LessonResult::json)
      .field("error", &mmwasm::LessonResult::error);

  const auto engine = class_<Engine>("Engine").constructor<>();
  mmwasm::register_operations(engine, std::make_index_sequence<mmwasm::kNumOperations>{});

  // The views: reads of the machine at the cursor and of the catalogue.
  engine.function("catalogue", &Engine::catalogue)
      .function("operations", &Engine::operations)
      .function("procNames", &Engine::proc_names)
      .function("bootLog", &Engine::boot_log)
      .function("eventCount", &Engine::event_count)
      .function("events", &Engine::events)
      .function("check", &Engine::check)
      .function("frameCount", &Engine::frame_count)
      .function("frameStateView", &Engine::frame_state_view)
      .function("history", &Engine::history)
      .function("redoDepth", &Engine::redo_depth)
      .function("timeline", &Engine::timeline)
      .function("cursor", &Engine::cursor)
      .function("seekEnd", &Engine::seek_end)
      .function("opEvents", &Engine::op_events)
      .function("opCrumbs", &Engine::op_crumbs)
      .function("narrate", &Engine::narrate)
      .function("mapCells", &Engine::map_cells)
      .function("mapShift", &Engine::map_shift)
      .function("mapCellsRange", &Engine::map_cells_range)
      .function("pageblockView", &Engine::pageblock_view)
      .function("stateJson", &Engine::state_json)
      .function("frameInfoJson", &Engine::frame_info_json)
      .function("freeBlocks", &Engine::free_blocks)
      .function("lessons", &Engine::lessons)
      .function("lessonSource", &Engine::lesson_source)
      .function("compileLesson", &Engine::compile_lesson)
      .function("quizTopics", &Engine::quiz_topics)
      .function("quiz", &Engine::quiz)
      .function("setTrace", &Engine::set_trace)
      .function("trace", &Engine::trace);
}
