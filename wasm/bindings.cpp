// The Embind table: names only, no logic. Shapes and semantics are in
// convert.h (C++) and mm-engine.d.ts (the JS contract).
#include <emscripten/bind.h>

#include "convert.h"

using namespace emscripten;
using mmwasm::AllocResult;
using mmwasm::BootResult;
using mmwasm::Engine;
using mmwasm::KmallocResult;
using mmwasm::ProcResult;
using mmwasm::StatusResult;

EMSCRIPTEN_BINDINGS(mm_engine) {
  value_object<BootResult>("BootResult").field("ok", &BootResult::ok).field("error", &BootResult::error);

  value_object<ProcResult>("ProcResult")
      .field("ok", &ProcResult::ok)
      .field("text", &ProcResult::text)
      .field("error", &ProcResult::error);

  value_object<StatusResult>("StatusResult").field("ok", &StatusResult::ok).field("error", &StatusResult::error);

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

  class_<Engine>("Engine")
      .constructor<>()
      .function("catalogue", &Engine::catalogue)
      .function("bootShorthand", &Engine::boot_shorthand)
      .function("bootDmesg", &Engine::boot_dmesg)
      .function("proc", &Engine::proc)
      .function("procNames", &Engine::proc_names)
      .function("bootLog", &Engine::boot_log)
      .function("eventCount", &Engine::event_count)
      .function("events", &Engine::events)
      .function("check", &Engine::check)
      .function("frameCount", &Engine::frame_count)
      .function("frameStateView", &Engine::frame_state_view)
      .function("runScenario", &Engine::run_scenario)
      .function("allocPages", &Engine::alloc_pages)
      .function("freePages", &Engine::free_pages)
      .function("freeBlock", &Engine::free_block)
      .function("drain", &Engine::drain)
      .function("undo", &Engine::undo)
      .function("redo", &Engine::redo)
      .function("history", &Engine::history)
      .function("redoDepth", &Engine::redo_depth)
      .function("timeline", &Engine::timeline)
      .function("cursor", &Engine::cursor)
      .function("seek", &Engine::seek)
      .function("seekEnd", &Engine::seek_end)
      .function("opEvents", &Engine::op_events)
      .function("narrate", &Engine::narrate)
      .function("mapCells", &Engine::map_cells)
      .function("pageblockView", &Engine::pageblock_view)
      .function("stateJson", &Engine::state_json)
      .function("frameInfoJson", &Engine::frame_info_json)
      .function("slabDetail", &Engine::slab_detail)
      .function("freeBlocks", &Engine::free_blocks)
      .function("oomReplay", &Engine::oom_replay)
      .function("kmalloc", &Engine::kmalloc)
      .function("kfree", &Engine::kfree)
      .function("kmemCacheCreate", &Engine::kmem_cache_create)
      .function("kmemCacheAlloc", &Engine::kmem_cache_alloc)
      .function("kmemCacheFree", &Engine::kmem_cache_free)
      .function("kmemCacheDestroy", &Engine::kmem_cache_destroy)
      .function("kmemCacheShrink", &Engine::kmem_cache_shrink)
      .function("slabView", &Engine::slab_view)
      .function("setTrace", &Engine::set_trace)
      .function("trace", &Engine::trace);
}
