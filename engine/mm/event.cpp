#include "mm/event.h"

#include <cstdio>

namespace mm {

namespace {
thread_local Trace::PushHook push_hook = nullptr;
thread_local void* push_hook_ctx = nullptr;
}  // namespace

void Trace::set_push_hook(PushHook hook, void* ctx) {
  push_hook = hook;
  push_hook_ctx = ctx;
}

Event& Trace::push(EventKind k, const char* fn, std::string text) {
  if (push_hook) push_hook(*this, events_.size(), push_hook_ctx);
  Event e;
  e.seq = seq_++;
  e.depth = static_cast<std::uint16_t>(depth_);
  e.kind = k;
  e.fn = fn;
  e.text = std::move(text);
  events_.push_back(std::move(e));
  return events_.back();
}

void Trace::begin(const char* fn, std::string text) {
  push(EventKind::Begin, fn, std::move(text));
  ++depth_;
}

void Trace::end() {
  if (depth_ == 0) return;  // unbalanced end is ignored rather than corrupting depth
  --depth_;
  push(EventKind::End, "", "");
}

Event& Trace::step(const char* fn, std::string text) { return push(EventKind::Step, fn, std::move(text)); }

void Trace::warn(const char* fn, std::string text) {
  if (enabled_) push(EventKind::Warn, fn, std::move(text));
}

std::string to_string(const Event& e) {
  std::string s(2u * e.depth, ' ');
  switch (e.kind) {
    case EventKind::Begin: s += "> "; break;
    case EventKind::End: s += "<"; return s;
    case EventKind::Warn: s += "! "; break;
    case EventKind::Step: s += "- "; break;
  }
  s += e.fn;
  if (!e.text.empty()) {
    s += ": ";
    s += e.text;
  }
  return s;
}

}  // namespace mm
