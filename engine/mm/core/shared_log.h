// SharedLog: an append-only sequence whose copies share their common prefix.
//
// A machine's trace (every event since boot, and the strings they name) is
// copied with the machine for each undo step and each checkpoint of the
// timeline. Copying the events each time would make history cost the whole
// trace per step; a SharedLog copy is a reference to one store plus the
// length it sees. Appending to the copy that reaches the store's end appends
// in place (the shorter copies never look past their length); appending to a
// copy that others have outgrown first copies its prefix into a store of its
// own, as happens once when an undone trace takes a new turn.
//
// Only the last element may be changed after it was appended (a trace fills
// an event's arguments right after recording it), and only before the log is
// copied: a copy that sees that element would see the change too.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace mm {

template <class T>
class SharedLog {
 public:
  SharedLog() = default;
  explicit SharedLog(std::size_t n, const T& v) : store_(std::make_shared<std::vector<T>>(n, v)), size_(n) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return (*store_)[i]; }
  const T& back() const { return (*store_)[size_ - 1]; }
  std::span<const T> view() const { return store_ ? std::span<const T>(store_->data(), size_) : std::span<const T>{}; }

  template <class... A>
  T& emplace_back(A&&... a) {
    make_tip();
    store_->emplace_back(std::forward<A>(a)...);
    ++size_;
    return store_->back();
  }
  // Room for n elements in this copy's own store, so that a long run of
  // appends does not copy the store each time it doubles.
  void reserve(std::size_t n) {
    make_tip();
    store_->reserve(n);
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  const T* begin() const { return store_ ? store_->data() : nullptr; }
  const T* end() const { return begin() + size_; }
  friend bool operator==(const SharedLog& a, const SharedLog& b) {
    if (a.size_ != b.size_) return false;
    if (a.store_ == b.store_) return true;
    for (std::size_t i = 0; i < a.size_; ++i)
      if (!(a[i] == b[i])) return false;
    return true;
  }
  // The store, for accounting memory shared between copies.
  const void* store_id() const { return store_.get(); }
  std::size_t store_size() const { return store_ ? store_->size() : 0; }
  // The last element, to finish filling it in (see the note above).
  T& last() { return (*store_)[size_ - 1]; }
  // Starts over with a store of its own: copies keep what they saw.
  void assign(std::size_t n, const T& v) {
    // A store no copy shares is refilled in place: it keeps its capacity
    // (a trace cleared every few thousand operations would otherwise grow a
    // new one from nothing each time, page faults and all).
    if (store_ && store_.use_count() == 1)
      store_->assign(n, v);
    else
      store_ = std::make_shared<std::vector<T>>(n, v);
    size_ = n;
  }
  void clear() { assign(0, T{}); }
  // Sees one more element of `src` when both share a store and src's next
  // element is the one this copy would append (no copy of the prefix).
  bool extend_from(const SharedLog& src) {
    if (store_ != src.store_ || size_ >= src.size_) return false;
    ++size_;
    return true;
  }
  // The element of the store just past what this copy sees, when another
  // copy appended one there (null otherwise), and taking it as this copy's
  // next: a replay that records what was recorded before shares it instead
  // of copying the prefix (Trace's replaying mode).
  const T* next_shared() const { return store_ && store_->size() > size_ ? &(*store_)[size_] : nullptr; }
  void take_next() { ++size_; }
  // Whether both see the same elements of one store (a cheap equality for
  // copies of one log).
  bool same_store(const SharedLog& o) const { return store_ == o.store_; }

 private:
  // Makes this copy the one that reaches the end of its store.
  void make_tip() {
    if (!store_) {
      store_ = std::make_shared<std::vector<T>>();
    } else if (store_->size() != size_) {
      auto own =
          std::make_shared<std::vector<T>>(store_->begin(), store_->begin() + static_cast<std::ptrdiff_t>(size_));
      store_ = std::move(own);
    }
  }
  std::shared_ptr<std::vector<T>> store_;
  std::size_t size_ = 0;
};

}  // namespace mm
