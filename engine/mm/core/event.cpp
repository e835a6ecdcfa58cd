#include "mm/core/event.h"

#include <cassert>

namespace mm {

namespace {
std::array<std::uint32_t, kEventCodes> g_emitted{};
}  // namespace

const std::array<std::uint32_t, kEventCodes>& Trace::emitted_codes() { return g_emitted; }

std::int64_t Event::get(Arg which) const {
  switch (which) {
    case Arg::pfn: return static_cast<std::int64_t>(pfn);
    case Arg::order: return order;
    case Arg::mt: return mt;
    case Arg::zone: return zone;
    case Arg::node: return node;
    case Arg::cpu: return cpu;
    default: break;
  }
  const std::int8_t s = spec().slot[static_cast<unsigned>(which)];
  return s >= 0 ? num[static_cast<unsigned>(s)] : 0;
}

EventRef& EventRef::mark(Arg a) {
  assert(e_->spec().declares(a) && "EventRef: the event's catalogue entry does not declare this argument");
  (void)a;
  return *this;
}

EventRef& EventRef::num(Arg a, std::int64_t v) {
  const std::int8_t s = e_->spec().slot[static_cast<unsigned>(a)];
  assert(s >= 0 && "EventRef: the event's catalogue entry does not declare this argument");
  if (s >= 0) e_->num[static_cast<unsigned>(s)] = v;
  return *this;
}

EventRef& EventRef::str(Arg a, std::string_view v) {
  // A record a full trace does not keep names nothing: no string to keep.
  return num(a, t_->full() ? 0 : t_->intern(v));
}

std::uint32_t Trace::intern(std::string_view s) {
  // Names repeat (a cache, a task), log lines do not: a look at the last
  // few strings finds the repeats without a hash table.
  if (s.empty() || muted_) return 0;              // [0] is always ""
  if (strings_.empty()) strings_.emplace_back();  // a moved-from trace
  const std::size_t n = strings_.size();
  for (std::size_t i = n; i > 0 && i + 8 > n; --i)
    if (strings_[i - 1] == s) return static_cast<std::uint32_t>(i - 1);
  if (const std::string* next = replaying_ ? strings_.next_shared() : nullptr; next && *next == s)
    strings_.take_next();
  else
    strings_.emplace_back(s);
  return static_cast<std::uint32_t>(n);
}

Event& Trace::push(EventKind k, Ev code) {
  if (muted_) return sink_;  // a replay that has what it came for
  if (limit_ != 0 && events_.size() + 1 >= limit_) {
    // The last slot says why the recording stops; `code` itself is not kept.
    if (events_.size() < limit_) push_trace_full();
    ++dropped_;
    sink_ = Event{};
    sink_.code = code;  // the site's setters check its catalogue entry
    sink_.kind = k;
    return sink_;
  }
  if (observer_) observer_->on_record(*this, events_.size());
  ++g_emitted[static_cast<unsigned>(code)];
  if (const Event* next = replaying_ ? events_.next_shared() : nullptr;
      next && next->seq == seq_ && next->code == code && next->kind == k) {
    events_.take_next();
    ++seq_;
    sink_ = *next;
    return sink_;
  }
  Event& e = events_.emplace_back();
  e.seq = seq_++;
  e.code = code;
  e.kind = k;
  e.depth = static_cast<std::uint8_t>(depth_ < 255 ? depth_ : 255);
  return e;
}

void Trace::push_trace_full() {
  if (observer_) observer_->on_record(*this, events_.size());
  ++g_emitted[static_cast<unsigned>(Ev::trace_full)];
  if (const Event* next = replaying_ ? events_.next_shared() : nullptr;
      next && next->seq == seq_ && next->code == Ev::trace_full) {
    events_.take_next();
    ++seq_;
    return;
  }
  Event& e = events_.emplace_back();
  e.seq = seq_++;
  e.code = Ev::trace_full;
  e.kind = EventKind::Warn;
  e.depth = static_cast<std::uint8_t>(depth_ < 255 ? depth_ : 255);
  const std::int8_t slot = spec(Ev::trace_full).slot[static_cast<unsigned>(Arg::count)];
  e.num[static_cast<unsigned>(slot)] = static_cast<std::int64_t>(limit_);
}

EventRef Trace::record(EventKind k, Ev code) {
  assert((spec(code).kind == k || k == EventKind::End) &&
         "Trace: event recorded with a kind its catalogue entry does not have");
  return EventRef(&push(k, code), this);
}

void Trace::append_recorded(const Trace& src, std::size_t index) {
  assert(index == events_.size() && index < src.events_.size() && "append_recorded: not the next event of src");
  if (index != events_.size() || index >= src.events_.size()) return;
  const Event& e = src.events_[index];
  if (!events_.extend_from(src.events_)) events_.push_back(e);
  seq_ = e.seq + 1;
  // The phase bookkeeping record() does after the observer was told.
  if (e.kind == EventKind::Begin) {
    open_.push_back(e.code);
    ++depth_;
  }
  // Replays intern the same strings in the same order: src's table extends ours.
  while (strings_.size() < src.strings_.size())
    if (!strings_.extend_from(src.strings_)) strings_.push_back(src.strings_[strings_.size()]);
}

void Trace::end() {
  if (depth_ == 0) return;  // an unbalanced end is ignored rather than corrupting depth
  --depth_;
  assert(!open_.empty() && "Trace::end: no open phase");
  const Ev code = open_.back();
  if (!open_.empty()) open_.pop_back();
  push(EventKind::End, code);
}

}  // namespace mm
