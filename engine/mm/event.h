// The event spine. Every step the engine takes that a student may want to
// pause on is one Event: plain data (ids and numbers), the kernel function it
// stands for, and one English sentence. The same stream feeds golden tests,
// the page's animation and narration, and exports.
//
// Events nest: an operation (boot, alloc_pages) opens a Begin event, its
// phases open nested Begins, and single steps are Step events. `depth` is the
// nesting level, so a reader can fold a 1 GiB boot into phases and still
// unfold one __free_one_page merge.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mm/types.h"

namespace mm {

enum class EventKind : std::uint8_t { Begin, End, Step, Warn };

struct Event {
  std::uint32_t seq = 0;
  std::uint16_t depth = 0;
  EventKind kind = EventKind::Step;
  const char* fn = "";  // kernel function (static string), e.g. "__free_one_page"
  std::int16_t node = -1;
  std::int8_t zone = -1;  // ZoneType index
  std::int8_t mt = -1;    // MigrateType index
  std::int8_t order = -1;
  std::int16_t cpu = -1;
  Pfn pfn = ~Pfn{0};
  // Numbers behind the step; their meaning is per fn and documented where
  // the event is emitted (e.g. memblock: a=base, b=size; merge: a=buddy pfn).
  u64 a = 0, b = 0, c = 0;
  std::string text;
};

// Collects events when enabled. Call sites test on() before building text so
// that a boot with tracing off costs nothing beyond the algorithm itself.
class Trace {
 public:
  bool on() const { return enabled_; }
  void enable(bool e) { enabled_ = e; }

  // Opens a group; returns nothing, close it with end().
  void begin(const char* fn, std::string text);
  void end();
  Event& step(const char* fn, std::string text);
  void warn(const char* fn, std::string text);

  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> take() { return std::move(events_); }
  void clear() {
    events_.clear();
    depth_ = 0;
  }
  unsigned depth() const { return depth_; }

  // Replay support (Playground::seek): a process-wide hook called just
  // before any trace records an event, with the index the event will get.
  // A replay uses it to copy the machine between two events. Null (the
  // default) costs one test per recorded event.
  using PushHook = void (*)(const Trace& trace, std::size_t index, void* ctx);
  static void set_push_hook(PushHook hook, void* ctx);

 private:
  Event& push(EventKind k, const char* fn, std::string text);
  bool enabled_ = false;
  unsigned depth_ = 0;
  std::uint32_t seq_ = 0;
  std::vector<Event> events_;
};

// RAII group: opens on construction when tracing is on, closes on exit.
// The text is a callable, so that nothing is formatted when tracing is off
// (hot paths pay one branch).
class TraceScope {
 public:
  template <class MakeText>
  TraceScope(Trace& t, const char* fn, MakeText&& make_text) : t_(t), open_(t.on()) {
    if (open_) t_.begin(fn, std::string(make_text()));
  }
  ~TraceScope() {
    if (open_) t_.end();
  }
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  Trace& t_;
  bool open_;
};

std::string to_string(const Event& e);

}  // namespace mm
