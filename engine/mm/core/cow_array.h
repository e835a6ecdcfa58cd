// CowArray: a fixed-size array of plain values stored in chunks that copies
// share until one of them writes (copy-on-write, chunk by chunk).
//
// The per-frame arrays of a machine (MemMap) are CowArrays, so that copying a
// Machine for the timeline costs a pointer per 4096 frames instead of every
// byte: a snapshot of a 16 GiB machine shares every chunk the operations
// after it did not touch. Reading is two loads; writing tests whether this
// array is the chunk's only holder and clones the chunk when it is not.
//
//   reads   a[i], a.get(i)            never copy
//   writes  a.set(i, v), a.fill(...)   clone the chunk first when shared
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

// Bytes of chunks cloned or created so far, by every CowArray (the timeline
// charges each undo step with what the operation after it cloned).
inline std::size_t g_cow_bytes_made = 0;

template <class T, unsigned kShift = 12>
class CowArray {
  static_assert(std::is_trivially_copyable_v<T>, "CowArray holds plain values");

 public:
  static constexpr std::size_t kChunk = std::size_t{1} << kShift;
  static constexpr std::size_t kMask = kChunk - 1;

  CowArray() = default;
  CowArray(std::size_t n, T v) { assign(n, v); }
  ~CowArray() { release_all(); }
  CowArray(const CowArray& o) : chunks_(o.chunks_), size_(o.size_) { share_all(); }
  CowArray& operator=(const CowArray& o) {
    if (this == &o) return *this;
    // Share first, then release: `o` may hold some of the same chunks.
    for (Chunk* c : o.chunks_) ++c->refs;
    release_all();
    chunks_ = o.chunks_;
    size_ = o.size_;
    return *this;
  }
  CowArray(CowArray&& o) noexcept : chunks_(std::move(o.chunks_)), size_(o.size_) {
    o.chunks_.clear();
    o.size_ = 0;
  }
  CowArray& operator=(CowArray&& o) noexcept {
    if (this != &o) {
      release_all();
      chunks_ = std::move(o.chunks_);
      size_ = o.size_;
      o.chunks_.clear();
      o.size_ = 0;
    }
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T operator[](std::size_t i) const { return get(i); }
  T get(std::size_t i) const {
    assert(i < size_ && "CowArray::get: index out of range");
    return chunks_[i >> kShift]->data[i & kMask];
  }
  void set(std::size_t i, T v) {
    assert(i < size_ && "CowArray::set: index out of range");
    writable(i >> kShift)->data[i & kMask] = v;
  }
  // Sets [from, to) to v.
  void fill(std::size_t from, std::size_t to, T v) {
    assert(from <= to && to <= size_ && "CowArray::fill: range out of bounds");
    while (from < to) {
      const std::size_t c = from >> kShift, end = std::min(to, (c + 1) << kShift);
      T* d = writable(c)->data;
      for (std::size_t i = from; i < end; ++i) d[i & kMask] = v;
      from = end;
    }
  }
  // n values, all v (fresh chunks: shares nothing with earlier copies).
  void assign(std::size_t n, T v) {
    release_all();
    size_ = n;
    chunks_.resize((n + kMask) >> kShift);
    g_cow_bytes_made += chunks_.size() * sizeof(Chunk);
    for (Chunk*& c : chunks_) {
      c = new Chunk;
      for (T& x : c->data) x = v;
    }
  }
  void clear() {
    release_all();
    size_ = 0;
  }

  // ---- for snapshots and incremental redraws -----------------------------------
  std::size_t chunk_count() const { return chunks_.size(); }
  // Whether chunk c holds the very same storage in both arrays (then its
  // values are equal; different storage may still hold equal values).
  bool shares_chunk(const CowArray& o, std::size_t c) const {
    return c < chunks_.size() && c < o.chunks_.size() && chunks_[c] == o.chunks_[c];
  }
  // Bytes this array would free if it were the last holder of nothing it
  // shares: every chunk divided by its holders (so that summing over all
  // copies gives the memory they take together).
  double bytes_share() const {
    double b = 0;
    for (const Chunk* c : chunks_) b += static_cast<double>(sizeof(Chunk)) / c->refs;
    return b;
  }
  static constexpr std::size_t chunk_bytes() { return sizeof(T) * kChunk; }
  // Identity of chunk c's storage (memory accounting across copies).
  const void* chunk_id(std::size_t c) const { return chunks_[c]; }
  // The values of chunk c (kChunk of them, fewer in the last chunk).
  const T* chunk_data(std::size_t c) const { return chunks_[c]->data; }
  std::size_t chunk_size(std::size_t c) const { return std::min(kChunk, size_ - (c << kShift)); }
  // Copies the values of every chunk `dst` does not already share with this
  // array into `out` (size() values), then makes `dst` share them all: an
  // export that costs only what changed since the last one.
  void export_changed(CowArray& dst, std::vector<T>& out) const {
    if (out.size() != size_ || dst.size_ != size_) {
      out.resize(size_);
      dst.clear();
    }
    for (std::size_t c = 0; c < chunks_.size(); ++c)
      if (!shares_chunk(dst, c)) std::memcpy(out.data() + (c << kShift), chunks_[c]->data, chunk_size(c) * sizeof(T));
    dst = *this;
  }
  friend bool operator==(const CowArray& a, const CowArray& b) {
    if (a.size_ != b.size_) return false;
    for (std::size_t c = 0; c < a.chunks_.size(); ++c)
      if (a.chunks_[c] != b.chunks_[c] &&
          std::memcmp(a.chunks_[c]->data, b.chunks_[c]->data, a.chunk_size(c) * sizeof(T)) != 0)
        return false;
    return true;
  }
  // Copies the values into a plain vector (tests, views).
  std::vector<T> to_vector() const {
    std::vector<T> v(size_);
    for (std::size_t c = 0; c < chunks_.size(); ++c) {
      const std::size_t n = std::min(kChunk, size_ - (c << kShift));
      std::memcpy(v.data() + (c << kShift), chunks_[c]->data, n * sizeof(T));
    }
    return v;
  }

 private:
  struct Chunk {
    std::uint32_t refs = 1;
    T data[kChunk];
  };
  Chunk* writable(std::size_t c) {
    Chunk*& ch = chunks_[c];
    if (ch->refs != 1) {
      Chunk* fresh = new Chunk;
      g_cow_bytes_made += sizeof(Chunk);
      std::memcpy(fresh->data, ch->data, sizeof ch->data);
      --ch->refs;
      ch = fresh;
    }
    return ch;
  }
  void share_all() {
    for (Chunk* c : chunks_) ++c->refs;
  }
  void release_all() {
    for (Chunk* c : chunks_)
      if (--c->refs == 0) delete c;
    chunks_.clear();
  }
  std::vector<Chunk*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace mm
