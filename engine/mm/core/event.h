// The event spine. Every step the engine takes that a student may want to
// pause on is one Event: a typed record with a code from one catalogue
// (events.def), the depth it nests at, its identity fields (pfn, order,
// migrate type, zone, node, cpu) and up to kEventSlots named numbers. No
// sentence is stored: like a tracepoint's TP_STRUCT__entry, the emit site
// fills the record and the words come later, at the edge, from one
// template table (text/format/narration.def) keyed by the same code.
//
// Events nest: an operation (boot, alloc_pages) opens a Phase event, its
// phases open nested ones, single steps are Step events and an End record
// closes a phase. `depth` is the nesting level, so a reader can fold a
// 1 GiB boot into phases and still unfold one __free_one_page merge.
//
// Emitting, at a site that holds a Machine `m`:
//
//   if (auto e = m.trace.step(Ev::expand)) e.zone(z).pfn(half).order(high).mt(mt);
//
// step() returns a null EventRef when tracing is off, so the arguments are
// not even computed; with tracing on the record is pushed and its fields
// set in place. Each setter is named after an argument of event_args.def;
// setting an argument the code does not declare is a contract violation
// (asserted in debug builds).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mm/core/shared_log.h"
#include "mm/core/types.h"

namespace mm {

struct Zone;

// ---- the vocabulary -----------------------------------------------------------

// How an argument is shown (and which C++ type its setter takes).
enum class ArgType : std::uint8_t {
  kPfn,
  kOrder,
  kMigrateType,
  kZone,
  kNode,
  kCpu,         // the identity fields' types
  kZoneType,    // a zone index without a node (gfp_zone's answer)
  kCount,       // a non-negative number
  kSigned,      // a number that may be negative
  kBytes,       // a size in bytes
  kPhys,        // a physical address, shown as memblock=debug does (0x%016llx)
  kAddr,        // a kernel virtual address (0xffff888...), hex
  kGfp,         // a gfp mask, shown as the kernel's flag names
  kAllocFlags,  // ALLOC_* flags
  kWmark,       // min / low / high / promo
  kBool,
  kStr,  // a string from the trace's string table
  kPid,
  kSlabFlags,  // SLAB_* flags, shown by their names
};

enum class Arg : std::uint8_t {
#define MM_ID(name, type) name,
#define MM_ARG(name, type) name,
#include "mm/core/event_args.def"
#undef MM_ARG
#undef MM_ID
};
inline constexpr unsigned kArgCount = 0
#define MM_ID(name, type) +1
#define MM_ARG(name, type) +1
#include "mm/core/event_args.def"
#undef MM_ARG
#undef MM_ID
    ;

struct ArgInfo {
  std::string_view name;
  ArgType type;
};
inline constexpr std::array<ArgInfo, kArgCount> kArgInfo = {{
#define MM_ID(name, type) {#name, ArgType::k##type},
#define MM_ARG(name, type) {#name, ArgType::k##type},
#include "mm/core/event_args.def"
#undef MM_ARG
#undef MM_ID
}};

// The identity fields: these arguments live in Event's own fields.
constexpr bool is_identity(Arg a) { return static_cast<unsigned>(a) <= static_cast<unsigned>(Arg::cpu); }

// ---- the catalogue --------------------------------------------------------------

enum class EventKind : std::uint8_t { Begin, End, Step, Warn };

// What the page animates for an event (its own drawing; none: narration only).
enum class Motion : std::uint8_t {
  none,
  split,
  merge,
  take,
  give,
  pcp_refill,
  pcp_drain,
  steal,
  check,
  slab_new,
  slab_object,
  reclaim,
  oom_score,
  oom_kill,
  memblock,
  boot_free,
};
inline constexpr std::array<std::string_view, 16> kMotionNames = {
    "none",  "split",    "merge",       "take",    "give",      "pcp-refill", "pcp-drain", "steal",
    "check", "slab-new", "slab-object", "reclaim", "oom-score", "oom-kill",   "memblock",  "boot-free"};

enum class Ev : std::uint16_t {
#define MM_EVENT(kind, code, fn, motion, args) code,
#include "mm/core/events.def"
#undef MM_EVENT
};
inline constexpr unsigned kEventCodes = 0
#define MM_EVENT(kind, code, fn, motion, args) +1
#include "mm/core/events.def"
#undef MM_EVENT
    ;

inline constexpr unsigned kEventSlots = 6;     // named numbers per record (64 + 8 bytes a record)
inline constexpr unsigned kMaxEventArgs = 11;  // identity fields + slots

struct EventSpec {
  std::string_view code;  // "buddy_merge"
  std::string_view fn;    // the kernel function it stands for: "__free_one_page"
  EventKind kind;         // Begin (a phase), Step or Warn
  Motion motion;
  std::array<Arg, kMaxEventArgs> args{};  // in the order the catalogue lists them
  std::uint8_t nargs = 0;
  // slot[a]: kNotDeclared, kIdentity, or the number slot of argument a.
  static constexpr std::int8_t kNotDeclared = -1, kIdentity = -2;
  std::array<std::int8_t, kArgCount> slot{};

  constexpr bool declares(Arg a) const { return slot[static_cast<unsigned>(a)] != kNotDeclared; }
};

namespace detail {
// Parses a catalogue line's argument list at compile time: an unknown name,
// a repeated one or too many numbers stops the build (a throw is not a
// constant expression).
consteval Arg arg_named(std::string_view n) {
  for (unsigned i = 0; i < kArgCount; ++i)
    if (kArgInfo[i].name == n) return static_cast<Arg>(i);
  throw "events.def: unknown argument name (add it to event_args.def)";
}
consteval EventSpec make_spec(std::string_view code, std::string_view fn, EventKind kind, Motion motion,
                              std::string_view args) {
  EventSpec s{code, fn, kind, motion};
  for (auto& v : s.slot) v = EventSpec::kNotDeclared;
  std::int8_t next_slot = 0;
  std::size_t i = 0;
  while (i < args.size()) {
    while (i < args.size() && args[i] == ' ') ++i;
    std::size_t j = i;
    while (j < args.size() && args[j] != ' ') ++j;
    if (j == i) break;
    const Arg a = arg_named(args.substr(i, j - i));
    auto& slot = s.slot[static_cast<unsigned>(a)];
    if (slot != EventSpec::kNotDeclared) throw "events.def: an argument is listed twice";
    if (s.nargs == kMaxEventArgs) throw "events.def: too many arguments";
    s.args[s.nargs++] = a;
    if (is_identity(a)) {
      slot = EventSpec::kIdentity;
    } else {
      if (next_slot == static_cast<std::int8_t>(kEventSlots)) throw "events.def: more than kEventSlots numbers";
      slot = next_slot++;
    }
    i = j;
  }
  if (s.declares(Arg::zone) && s.declares(Arg::node)) throw "events.def: `zone` already carries the node";
  return s;
}
}  // namespace detail

inline constexpr std::array<EventSpec, kEventCodes> kEventSpecs = {{
#define MM_EVENT(kind, code, fn, motion, args) detail::make_spec(#code, fn, EventKind::kind, Motion::motion, args),
#include "mm/core/events.def"
#undef MM_EVENT
}};

constexpr const EventSpec& spec(Ev code) { return kEventSpecs[static_cast<unsigned>(code)]; }

// ---- the record -------------------------------------------------------------------

struct Event {
  std::uint32_t seq = 0;
  Ev code{};
  EventKind kind = EventKind::Step;
  std::uint8_t depth = 0;
  std::int16_t node = -1;
  std::int16_t cpu = -1;
  std::int8_t zone = -1;  // ZoneType index
  std::int8_t mt = -1;    // MigrateType index
  std::int8_t order = -1;
  Pfn pfn = ~Pfn{0};
  std::array<std::int64_t, kEventSlots> num{};  // named numbers, per the catalogue

  const EventSpec& spec() const { return mm::spec(code); }
  // The kernel function the event stands for.
  std::string_view function() const { return spec().fn; }
  // The value of a declared argument as a number (identity fields too);
  // Str arguments give their string-table index.
  std::int64_t get(Arg a) const;
};

class Trace;

// A handle on the record just pushed; null when tracing is off. Setters
// return *this so that a site fills its record in one expression.
class EventRef {
 public:
  EventRef() = default;
  EventRef(Event* e, Trace* t) : e_(e), t_(t) {}
  explicit operator bool() const { return e_ != nullptr; }
  Event* get() const { return e_; }

  EventRef& pfn(Pfn p) { return e_->pfn = p, mark(Arg::pfn); }
  EventRef& order(unsigned o) { return e_->order = static_cast<std::int8_t>(o), mark(Arg::order); }
  EventRef& mt(MigrateType m) { return e_->mt = static_cast<std::int8_t>(idx(m)), mark(Arg::mt); }
  EventRef& zone(int node, ZoneType z) {
    e_->node = static_cast<std::int16_t>(node);
    e_->zone = static_cast<std::int8_t>(idx(z));
    return mark(Arg::zone);
  }
  EventRef& zone(const Zone& z);  // machine.h
  EventRef& node(int n) { return e_->node = static_cast<std::int16_t>(n), mark(Arg::node); }
  EventRef& cpu(int c) { return e_->cpu = static_cast<std::int16_t>(c), mark(Arg::cpu); }

  // Every other argument: numbers by value, enums by their index, strings
  // through the trace's string table.
#define MM_ARG(name, type) MM_ARG_SETTER_##type(name)
#define MM_ARG_SETTER_Pfn(name) \
  EventRef& name(Pfn v) { return num(Arg::name, static_cast<std::int64_t>(v)); }
#define MM_ARG_SETTER_Order(name) \
  EventRef& name(unsigned v) { return num(Arg::name, v); }
#define MM_ARG_SETTER_MigrateType(name) \
  EventRef& name(MigrateType v) { return num(Arg::name, idx(v)); }
#define MM_ARG_SETTER_ZoneType(name) \
  EventRef& name(ZoneType v) { return num(Arg::name, idx(v)); }
#define MM_ARG_SETTER_Count(name)                        \
  template <class N>                                     \
  EventRef& name(N v) {                                  \
    return num(Arg::name, static_cast<std::int64_t>(v)); \
  }
#define MM_ARG_SETTER_Signed MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Bytes MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Phys MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Addr MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Gfp MM_ARG_SETTER_Count
#define MM_ARG_SETTER_AllocFlags MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Wmark MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Pid MM_ARG_SETTER_Count
#define MM_ARG_SETTER_SlabFlags MM_ARG_SETTER_Count
#define MM_ARG_SETTER_Bool(name) \
  EventRef& name(bool v) { return num(Arg::name, v ? 1 : 0); }
#define MM_ARG_SETTER_Str(name) \
  EventRef& name(std::string_view v) { return str(Arg::name, v); }
#define MM_ID(name, type)
#include "mm/core/event_args.def"
#undef MM_ID
#undef MM_ARG

 private:
  EventRef& mark(Arg a);
  EventRef& num(Arg a, std::int64_t v);
  EventRef& str(Arg a, std::string_view v);
  Event* e_ = nullptr;
  Trace* t_ = nullptr;
};

// Who wants to know when a trace records an event (the session's replay
// copies the machine there). Sites emit an event right after the state
// change it describes, so at on_record(index) the machine is in the state
// event `index` narrates, and the next step has not started. Called as
// the record is appended, before the site fills its arguments. Set per
// trace; a copied trace has none.
class TraceObserver {
 public:
  virtual void on_record(const Trace& trace, std::size_t index) = 0;

 protected:
  virtual ~TraceObserver() = default;
};

// The default ceiling of a trace: 4 M events, ~290 MiB (a 16 GiB boot
// records ~17,500, the longest shipped scenario 1.2 M).
inline constexpr std::size_t kDefaultEventLimit = std::size_t{4} << 20;

// Collects events when enabled. Copying a Trace copies its events and
// strings (a machine snapshot keeps the events that led to it) but not its
// observer.
class Trace {
 public:
  Trace() = default;
  Trace(const Trace& o)
      : enabled_(o.enabled_),
        depth_(o.depth_),
        seq_(o.seq_),
        limit_(o.limit_),
        dropped_(o.dropped_),
        events_(o.events_),
        strings_(o.strings_),
        open_(o.open_) {}
  Trace& operator=(const Trace& o) {
    if (this != &o) {
      enabled_ = o.enabled_;
      depth_ = o.depth_;
      seq_ = o.seq_;
      limit_ = o.limit_;
      dropped_ = o.dropped_;
      events_ = o.events_;
      strings_ = o.strings_;
      open_ = o.open_;
    }
    return *this;
  }
  Trace(Trace&&) noexcept = default;
  Trace& operator=(Trace&&) noexcept = default;

  bool on() const { return enabled_; }
  void enable(bool e) { enabled_ = e; }

  // One step; a null EventRef when tracing is off.
  EventRef step(Ev code) { return enabled_ ? record(EventKind::Step, code) : EventRef{}; }
  EventRef warn(Ev code) { return enabled_ ? record(EventKind::Warn, code) : EventRef{}; }
  // Opens a phase (close it with end(), or use TraceScope).
  EventRef begin(Ev code) {
    if (!enabled_) return {};
    EventRef e = record(EventKind::Begin, code);
    open_.push_back(code);
    ++depth_;
    return e;
  }
  void end();

  std::span<const Event> events() const { return events_.view(); }
  const std::string& string_at(std::size_t i) const { return strings_[i]; }
  std::size_t string_count() const { return strings_.size(); }
  // The storage copies of this trace share (memory accounting).
  const void* events_store() const { return events_.store_id(); }
  std::size_t events_store_size() const { return events_.store_size(); }
  std::uint32_t intern(std::string_view s);
  void clear() {
    events_.clear();
    strings_.assign(1, std::string());
    open_.clear();
    depth_ = 0;
  }
  unsigned depth() const { return depth_; }

  // The ceiling on recorded events (0: none). A trace that reaches it
  // records one trace_full warning and then nothing: sites still get a
  // record to fill (a scratch one), phases still open and close, so the
  // machine runs on exactly as it would unrecorded. What a whole session
  // records is bounded by this, so memory is (the page's wasm heap is at
  // most 2 GiB; an event is 72 bytes and the store doubles as it grows).
  void set_limit(std::size_t max_events) { limit_ = max_events; }
  // Room for about n records (within the limit): a boot that knows it
  // will record a million does not grow the store twenty times.
  void reserve(std::size_t n) { events_.reserve(limit_ ? std::min(n, limit_) : n); }
  std::size_t limit() const { return limit_; }
  bool full() const { return limit_ != 0 && events_.size() >= limit_; }
  // Records not kept since the trace became full.
  std::uint64_t dropped() const { return dropped_; }

  void set_observer(TraceObserver* o) { observer_ = o; }
  // A replay of recorded events (the timeline's seek): where the shared
  // store already holds the record about to be made (same seq, code and
  // kind), this trace takes it instead of copying its whole prefix into a
  // store of its own, and what the site fills in goes to a scratch record.
  // Anything else recorded is appended as usual. Not copied with the trace.
  void set_replaying(bool r) {
    replaying_ = r;
    muted_ = false;
  }
  // A replay that stops early (it has the state it came for) records
  // nothing more: the phases it leaves close without adding to the store
  // it shares.
  void mute() { muted_ = replaying_; }

  // A copy taken at on_record(index) holds the events before `index`:
  // appends event `index` as `src` (the trace the copy was taken from, now
  // further on) holds it, arguments filled, with the strings it names.
  void append_recorded(const Trace& src, std::size_t index);

  // Codes recorded by any trace in this process since it started: the
  // catalogue test uses it to find entries no test ever emits.
  static const std::array<std::uint32_t, kEventCodes>& emitted_codes();

 private:
  EventRef record(EventKind k, Ev code);
  Event& push(EventKind k, Ev code);
  void push_trace_full();
  bool enabled_ = false;
  unsigned depth_ = 0;
  std::uint32_t seq_ = 0;
  std::size_t limit_ = kDefaultEventLimit;
  std::uint64_t dropped_ = 0;
  SharedLog<Event> events_;  // copies share their common prefix
  // The string table; [0] is the empty string, so that an empty or unset
  // Str argument reads as "" and a template's {name?A|B} asks "non-empty?".
  SharedLog<std::string> strings_ = SharedLog<std::string>(1, std::string());
  std::vector<Ev> open_;  // codes of the open phases, innermost last (an End carries its phase's code)
  TraceObserver* observer_ = nullptr;
  bool replaying_ = false;
  bool muted_ = false;
  Event sink_;  // replaying: the site's writes to a record the store has already
};

// RAII phase: opens on construction when tracing is on, closes on exit.
// `fill` receives the phase's EventRef (only when tracing is on).
class TraceScope {
 public:
  explicit TraceScope(Trace& t, Ev code) : t_(t), open_(t.on()) {
    if (open_) t_.begin(code);
  }
  template <class Fill>
  TraceScope(Trace& t, Ev code, Fill&& fill) : t_(t), open_(t.on()) {
    if (open_) {
      EventRef e = t_.begin(code);
      fill(e);
    }
  }
  // A phase a checkpoint left open (the timeline resumes a long operation
  // half-way): closes it on exit without opening it again.
  struct Adopt {};
  TraceScope(Trace& t, Adopt) : t_(t), open_(t.on()) {}
  ~TraceScope() {
    if (open_) t_.end();
  }
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  Trace& t_;
  bool open_;
};

}  // namespace mm
