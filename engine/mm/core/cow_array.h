// CowArray: a fixed-size array of plain values that grows in memory with
// what has been written, not with its size, and whose copies share storage
// until one of them writes (copy-on-write, chunk by chunk).
//
// The per-frame arrays of a machine (MemMap) are CowArrays. Two things make
// a 2 TiB machine (512M frames) cost megabytes rather than gigabytes:
//
//   Patterns. A chunk (kChunk values, 1024 by default: one MAX_ORDER block
//     of frames) that nobody has written value by value is not stored: its
//     slot holds a pattern, `head` at the chunk's first index and `rest` at
//     every other. That describes a hole, a reserved range, and a free
//     MAX_ORDER block (state Buddy then BuddyTail; its list links at the
//     head, NIL elsewhere) alike. Writing a value the pattern already has
//     costs nothing, writing index 0 only changes `head`, and fill() over
//     whole chunks turns them back into patterns. Anything else
//     materialises the chunk (kChunk values).
//   Two levels. Slots live in directories of kDirSlots; a copy of the array
//     shares the directories (a pointer per 512 chunks), and a write clones
//     the one directory and the one chunk it goes to. A new array's
//     directories are all one, so what is never written costs nothing.
//
//   reads   a[i], a.get(i)                      never copy
//   writes  a.set(i, v), a.fill(...), a.fill_head(...)
//                                               clone what is shared first
//
// There is deliberately no mutable reference access: a reference into a
// shared chunk would let a write reach every copy.
//
// Single-threaded by design (the engine is): reference counts are plain
// integers.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace mm {

// Bytes of chunks and directories cloned or created so far, by every
// CowArray (the timeline charges each undo step with what the operation
// after it cloned).
inline std::size_t g_cow_bytes_made = 0;

template <class T, unsigned kShift = 10>
class CowArray {
  static_assert(std::is_trivially_copyable_v<T>, "CowArray holds plain values");

 public:
  static constexpr std::size_t kChunk = std::size_t{1} << kShift;
  static constexpr std::size_t kMask = kChunk - 1;
  static constexpr unsigned kDirShift = 9;
  static constexpr std::size_t kDirSlots = std::size_t{1} << kDirShift;

  CowArray() = default;
  CowArray(std::size_t n, T v) { assign(n, v); }
  ~CowArray() { release_all(); }
  CowArray(const CowArray& o) : dirs_(o.dirs_), size_(o.size_) { share_all(); }
  CowArray& operator=(const CowArray& o) {
    if (this == &o) return *this;
    // Share first, then release: `o` may hold some of the same directories.
    for (Dir* d : o.dirs_) ++d->refs;
    release_all();
    dirs_ = o.dirs_;
    size_ = o.size_;
    return *this;
  }
  CowArray(CowArray&& o) noexcept : dirs_(std::move(o.dirs_)), size_(o.size_) {
    o.dirs_.clear();
    o.size_ = 0;
  }
  CowArray& operator=(CowArray&& o) noexcept {
    if (this != &o) {
      release_all();
      dirs_ = std::move(o.dirs_);
      size_ = o.size_;
      o.dirs_.clear();
      o.size_ = 0;
    }
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T operator[](std::size_t i) const { return get(i); }
  T get(std::size_t i) const {
    assert(i < size_ && "CowArray::get: index out of range");
    const Slot& s = slot(i >> kShift);
    if (s.chunk) return s.chunk->data[i & kMask];
    return (i & kMask) ? s.rest : s.head;
  }
  void set(std::size_t i, T v) {
    assert(i < size_ && "CowArray::set: index out of range");
    const std::size_t c = i >> kShift;
    Dir* d = dirs_[c >> kDirShift];
    Slot& s = d->slots[c & (kDirSlots - 1)];
    if (s.chunk) {
      T& x = s.chunk->data[i & kMask];
      if (same(x, v)) return;  // nothing changes: share on
      if (d->refs == 1 && s.chunk->refs == 1) {
        x = v;  // the common case: this array's own chunk
        return;
      }
    } else if ((i & kMask) == 0) {
      if (!same(s.head, v)) writable_slot(c).head = v;  // still a pattern
      return;
    } else if (same(s.rest, v)) {
      return;
    }
    writable_chunk(c)->data[i & kMask] = v;
  }
  // Sets [from, to) to v. Whole chunks become patterns again.
  void fill(std::size_t from, std::size_t to, T v) { fill_head(from, to, v, v); }
  // Sets `from` to head and (from, to) to rest: a block's first frame and
  // its tails. Whole chunks inside become patterns.
  void fill_head(std::size_t from, std::size_t to, T head, T rest) {
    assert(from <= to && to <= size_ && "CowArray::fill: range out of bounds");
    if (from == to) return;
    set(from, head);
    for (std::size_t i = from + 1; i < to;) {
      const std::size_t c = i >> kShift, start = c << kShift, end = std::min(to, start + kChunk);
      if (i == start && end == start + kChunk) {
        set_pattern(c, rest, rest);
      } else if (i == start + 1 && end == start + kChunk && c == (from >> kShift)) {
        set_pattern(c, head, rest);  // the head's own chunk
      } else {
        fill_part(c, i, end, rest);
      }
      i = end;
    }
  }
  // Every `from_v` in [from, to) becomes `to_v`; patterns stay patterns.
  void replace(std::size_t from, std::size_t to, T from_v, T to_v) {
    assert(from <= to && to <= size_ && "CowArray::replace: range out of bounds");
    for (std::size_t i = from; i < to;) {
      const std::size_t c = i >> kShift, start = c << kShift, end = std::min(to, start + chunk_size(c));
      const Slot& s = slot(c);
      if (!s.chunk && i == start && end == start + chunk_size(c)) {
        set_pattern(c, same(s.head, from_v) ? to_v : s.head, same(s.rest, from_v) ? to_v : s.rest);
      } else {
        for (std::size_t j = i; j < end; ++j)
          if (same(get(j), from_v)) set(j, to_v);
      }
      i = end;
    }
  }
  // n values, all v: one fresh directory every slot shares until a write
  // clones it (a machine's holes, terabytes of them, cost nothing more).
  // Nothing is shared with earlier copies.
  void assign(std::size_t n, T v) {
    release_all();
    size_ = n;
    const std::size_t chunks = (n + kMask) >> kShift;
    dirs_.resize((chunks + kDirSlots - 1) >> kDirShift);
    if (dirs_.empty()) return;
    Dir* d = new Dir;
    g_cow_bytes_made += sizeof(Dir);
    for (Slot& s : d->slots) s = Slot{nullptr, v, v};
    d->refs = static_cast<std::uint32_t>(dirs_.size());
    std::fill(dirs_.begin(), dirs_.end(), d);
  }
  void clear() {
    release_all();
    size_ = 0;
  }

  // Calls f(first, last) for each run [first, last) that may hold values
  // other than v: every materialised chunk and every pattern that is not all
  // v. Scans over the whole machine skip untouched memory this way.
  template <class F>
  void for_each_not(T v, F&& f) const {
    const std::size_t chunks = chunk_count();
    for (std::size_t c = 0; c < chunks; ++c) {
      const Slot& s = slot(c);
      const std::size_t lo = c << kShift, hi = std::min(size_, lo + kChunk);
      if (s.chunk || !same(s.rest, v))
        f(lo, hi);
      else if (!same(s.head, v))
        f(lo, lo + 1);
    }
  }
  // Whether chunk c is a pattern; then head/rest are its values.
  bool is_pattern(std::size_t c, T* head = nullptr, T* rest = nullptr) const {
    const Slot& s = slot(c);
    if (s.chunk) return false;
    if (head) *head = s.head;
    if (rest) *rest = s.rest;
    return true;
  }

  // ---- for snapshots, accounting and incremental redraws -------------------
  std::size_t chunk_count() const { return (size_ + kMask) >> kShift; }
  // Whether chunk c is the very same storage in both arrays, or the same
  // pattern (then its values are equal; different storage may still hold
  // equal values).
  bool shares_chunk(const CowArray& o, std::size_t c) const {
    if (c >= chunk_count() || c >= o.chunk_count()) return false;
    const Slot &a = slot(c), &b = o.slot(c);
    if (a.chunk || b.chunk) return a.chunk == b.chunk;
    return same(a.head, b.head) && same(a.rest, b.rest);
  }
  // Bytes this array holds, each piece divided by its holders (so that
  // summing over all copies gives the memory they take together).
  double bytes_share() const {
    double b = 0;
    for (const Dir* d : dirs_) {
      b += static_cast<double>(sizeof(Dir)) / d->refs;
      for (const Slot& s : d->slots)
        if (s.chunk) b += static_cast<double>(sizeof(Chunk)) / (s.chunk->refs * d->refs);
    }
    return b;
  }
  static constexpr std::size_t chunk_bytes() { return sizeof(Chunk); }
  static constexpr std::size_t dir_bytes() { return sizeof(Dir); }
  // Calls f(id, bytes) for every piece of storage (directory or chunk);
  // f returns whether it had not seen that id before. A directory seen
  // before is not entered again: memory accounting across many copies
  // costs what they do not share.
  template <class F>
  void for_each_storage(F&& f) const {
    for (const Dir* d : dirs_) {
      if (!f(static_cast<const void*>(d), sizeof(Dir))) continue;
      for (const Slot& s : d->slots)
        if (s.chunk) f(static_cast<const void*>(s.chunk), sizeof(Chunk));
    }
  }
  // Chunks that hold their values one by one.
  std::size_t materialised_chunks() const {
    std::size_t n = 0;
    for (const Dir* d : dirs_)
      for (const Slot& s : d->slots) n += s.chunk != nullptr;
    return n;
  }
  std::size_t chunk_size(std::size_t c) const { return std::min(kChunk, size_ - (c << kShift)); }
  // Copies the values of every chunk `dst` does not already share with this
  // array into `out` (size() values), then makes `dst` share them all: an
  // export that costs only what changed since the last one.
  void export_changed(CowArray& dst, std::vector<T>& out) const {
    if (out.size() != size_ || dst.size_ != size_) {
      out.resize(size_);
      dst.clear();
    }
    for (std::size_t c = 0; c < chunk_count(); ++c)
      if (!shares_chunk(dst, c)) copy_chunk(c, out.data() + (c << kShift));
    dst = *this;
  }
  // Copies values [from, from + n) into out.
  void copy_out(std::size_t from, std::size_t n, T* out) const {
    assert(from + n <= size_ && "CowArray::copy_out: range out of bounds");
    for (std::size_t i = from; i < from + n;) {
      const std::size_t c = i >> kShift, end = std::min(from + n, (c << kShift) + kChunk);
      const Slot& s = slot(c);
      for (std::size_t j = i; j < end; ++j)
        out[j - from] = s.chunk ? s.chunk->data[j & kMask] : ((j & kMask) ? s.rest : s.head);
      i = end;
    }
  }
  friend bool operator==(const CowArray& a, const CowArray& b) {
    if (a.size_ != b.size_) return false;
    for (std::size_t c = 0; c < a.chunk_count(); ++c) {
      if (a.shares_chunk(b, c)) continue;
      const std::size_t lo = c << kShift, hi = lo + a.chunk_size(c);
      for (std::size_t i = lo; i < hi; ++i)
        if (!same(a.get(i), b.get(i))) return false;
    }
    return true;
  }
  // Copies the values into a plain vector (tests, views).
  std::vector<T> to_vector() const {
    std::vector<T> v(size_);
    for (std::size_t c = 0; c < chunk_count(); ++c) copy_chunk(c, v.data() + (c << kShift));
    return v;
  }

 private:
  struct Chunk {
    std::uint32_t refs = 1;
    T data[kChunk];
  };
  struct Slot {
    Chunk* chunk = nullptr;  // null: the pattern below
    T head{}, rest{};
  };
  struct Dir {
    std::uint32_t refs = 1;
    Slot slots[kDirSlots];
  };

  static bool same(const T& a, const T& b) {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>)
      return a == b;  // inline: the allocator's hot paths compare this way
    else
      return std::memcmp(&a, &b, sizeof(T)) == 0;
  }
  const Slot& slot(std::size_t c) const { return dirs_[c >> kDirShift]->slots[c & (kDirSlots - 1)]; }
  // The directory of chunk c, cloned first when another array shares it.
  Dir* writable_dir(std::size_t c) {
    Dir*& d = dirs_[c >> kDirShift];
    if (d->refs != 1) {
      Dir* fresh = new Dir(*d);
      fresh->refs = 1;
      g_cow_bytes_made += sizeof(Dir);
      for (Slot& s : fresh->slots)
        if (s.chunk) ++s.chunk->refs;
      --d->refs;
      d = fresh;
    }
    return d;
  }
  Slot& writable_slot(std::size_t c) { return writable_dir(c)->slots[c & (kDirSlots - 1)]; }
  // Chunk c holding its values one by one, and only in this array.
  Chunk* writable_chunk(std::size_t c) {
    Slot& s = writable_slot(c);
    if (!s.chunk) {
      s.chunk = new_chunk();
      s.chunk->data[0] = s.head;
      std::fill(s.chunk->data + 1, s.chunk->data + kChunk, s.rest);
    } else if (s.chunk->refs != 1) {
      Chunk* fresh = new_chunk();
      std::memcpy(fresh->data, s.chunk->data, sizeof fresh->data);
      --s.chunk->refs;
      s.chunk = fresh;
    }
    return s.chunk;
  }
  void set_pattern(std::size_t c, T head, T rest) {
    const Slot& s = slot(c);
    if (!s.chunk && same(s.head, head) && same(s.rest, rest)) return;
    Slot& w = writable_slot(c);
    release(w.chunk);
    w = Slot{nullptr, head, rest};
  }
  // [i, end) inside chunk c, not the whole of it, set to v.
  void fill_part(std::size_t c, std::size_t i, std::size_t end, T v) {
    const Slot& s = slot(c);
    const std::size_t lo = i & kMask, hi = lo + (end - i);
    if (!s.chunk) {
      const bool head_in = lo == 0;
      const bool rest_in = hi > lo + (head_in ? 1 : 0);
      if ((!head_in || same(s.head, v)) && (!rest_in || same(s.rest, v))) return;
      // Materialised in one pass: the pattern around the range, v inside
      // (the deferred init of a pageblock does this for every other one).
      Slot& w = writable_slot(c);
      Chunk* ch = new_chunk();
      ch->data[0] = lo == 0 ? v : w.head;
      std::fill(ch->data + 1, ch->data + std::max<std::size_t>(lo, 1), w.rest);
      std::fill(ch->data + std::max<std::size_t>(lo, 1), ch->data + hi, v);
      std::fill(ch->data + std::max<std::size_t>(hi, 1), ch->data + kChunk, w.rest);
      w.chunk = ch;
      return;
    }
    T* d = writable_chunk(c)->data;
    std::fill(d + lo, d + hi, v);
  }
  void copy_chunk(std::size_t c, T* out) const {
    const Slot& s = slot(c);
    const std::size_t n = chunk_size(c);
    if (s.chunk) {
      std::memcpy(out, s.chunk->data, n * sizeof(T));
      return;
    }
    out[0] = s.head;
    for (std::size_t i = 1; i < n; ++i) out[i] = s.rest;
  }
  // Chunks come and go by the hundred thousand in a large boot (a
  // pageblock's half-free chunk, merged a moment later): a small free list
  // of them saves the allocator's time. Per array type; single-threaded.
  // Never destroyed: a machine in a static (a quiz's, a test's) may be torn
  // down after every function-local static, and still hand chunks back.
  static std::vector<Chunk*>& spare() {
    static std::vector<Chunk*>* const s = new std::vector<Chunk*>;
    return *s;
  }
  static Chunk* new_chunk() {
    g_cow_bytes_made += sizeof(Chunk);
    std::vector<Chunk*>& s = spare();
    if (s.empty()) return new Chunk;
    Chunk* c = s.back();
    s.pop_back();
    c->refs = 1;
    return c;
  }
  static void release(Chunk*& ch) {
    if (ch && --ch->refs == 0) {
      std::vector<Chunk*>& s = spare();
      if (s.size() < 256)
        s.push_back(ch);
      else
        delete ch;
    }
    ch = nullptr;
  }
  void share_all() {
    for (Dir* d : dirs_) ++d->refs;
  }
  void release_all() {
    for (Dir* d : dirs_) {
      if (--d->refs != 0) continue;
      for (Slot& s : d->slots) release(s.chunk);
      delete d;
    }
    dirs_.clear();
  }
  std::vector<Dir*> dirs_;
  std::size_t size_ = 0;
};

}  // namespace mm
