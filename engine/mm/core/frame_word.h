// The allocator's hot state of one page frame in one 64-bit word: what
// struct page's flags (PageBuddy), private (the buddy order), lru (the
// free-list links) and index (the pcp migrate type) hold for the page
// allocator. A materialised frame costs these 8 bytes and nothing more.
//
//   bits 63..60  tag
//     0..4       an order-0 free block on the buddy list of migrate type `tag`
//     5..9       an order-0 page on a pcp list, its pcp migrate type `tag - 5`
//     10         the head of a free or pcp block of order >= 1: its state,
//                order and migrate type are in its tails (there is no room
//                beside two links, and every tail of a block carries them)
//     15         any other frame: bits 0..7 FrameState, 8..15 order,
//                16..23 aux (the Owner of an allocation; for tails of a free
//                or pcp block, its list's migrate type)
//   list heads (tags 0..10): bits 59..30 next, 29..0 prev, each an offset
//     from the list's base pfn (its zone's lowest pfn of RAM: one zone's RAM
//     spans at most kMaxListSpan frames); a link to the frame itself is no
//     link.
//
// Tails carry their block's order and aux, so a whole block is one head
// word and one repeated tail word: a free MAX_ORDER block stays a CowArray
// pattern, and a frame's block is found without searching.
#pragma once

#include <cstdint>

#include "mm/core/types.h"

namespace mm {

// Where one page frame is. The page renders this byte directly.
enum class FrameState : std::uint8_t {
  Hole = 0,       // no RAM here (or not present in any zone)
  Reserved = 1,   // PageReserved: memblock kept it (kernel image, memmap, ...)
  Uninit = 2,     // struct page not initialised yet (deferred init)
  Buddy = 3,      // first page of a free block on a buddy list
  BuddyTail = 4,  // other pages of a free block
  Pcp = 5,        // on a per-CPU list
  Alloc = 6,      // first page of an allocation
  AllocTail = 7,  // other pages of an allocation
  PcpTail = 8,    // other pages of a higher-order page on a per-CPU list
};

// Who owns an allocated frame (for the map's colours and for /proc figures).
enum class Owner : std::uint8_t { None = 0, Kernel = 1, PageTable = 2, Slab = 3, User = 4, PageCache = 5 };

namespace frame_word {

using Word = std::uint64_t;

inline constexpr unsigned kLinkBits = 30;
inline constexpr u64 kLinkMask = (u64{1} << kLinkBits) - 1;
inline constexpr unsigned kTagShift = 60;
inline constexpr unsigned kPcpTag0 = 5;
inline constexpr unsigned kHeadTag = 10;
inline constexpr unsigned kOtherTag = 15;
// The most frames one zone's RAM (and so a free or pcp list) may span.
inline constexpr u64 kMaxListSpan = u64{1} << kLinkBits;

constexpr unsigned tag(Word w) { return static_cast<unsigned>(w >> kTagShift); }
constexpr bool is_list_head(Word w) { return tag(w) <= kHeadTag; }

// A frame that is not a list head (tag 15).
constexpr Word other(FrameState s, Order order = 0, std::uint8_t aux = 0) {
  return (Word{kOtherTag} << kTagShift) | (Word{aux} << 16) | (Word{order & 0xffu} << 8) | static_cast<Word>(s);
}
constexpr Word kHole = other(FrameState::Hole);

// A list head with no links yet (both point at the frame itself).
constexpr Word list_head(FrameState s, Order order, MigrateType mt, u64 self) {
  const unsigned t = order ? kHeadTag : (s == FrameState::Pcp ? kPcpTag0 : 0) + idx(mt);
  return (Word{t} << kTagShift) | (self << kLinkBits) | self;
}
constexpr FrameState tail_state(FrameState head) {
  return head == FrameState::Pcp ? FrameState::PcpTail : FrameState::BuddyTail;
}

// The state of a frame from its word and the next frame's (read only for
// tag 10: its first tail then lies in the same block).
constexpr FrameState state(Word w, Word next) {
  const unsigned t = tag(w);
  if (t == kOtherTag) return static_cast<FrameState>(w & 0xff);
  if (t < kPcpTag0) return FrameState::Buddy;
  if (t < kHeadTag) return FrameState::Pcp;
  return static_cast<FrameState>(next & 0xff) == FrameState::PcpTail ? FrameState::Pcp : FrameState::Buddy;
}
constexpr Order order(Word w, Word next) {
  const unsigned t = tag(w);
  if (t == kOtherTag) return static_cast<Order>((w >> 8) & 0xff);
  return t == kHeadTag ? static_cast<Order>((next >> 8) & 0xff) : 0;
}
constexpr std::uint8_t aux(Word w, Word next) {
  const unsigned t = tag(w);
  if (t == kOtherTag) return static_cast<std::uint8_t>((w >> 16) & 0xff);
  if (t < kPcpTag0) return static_cast<std::uint8_t>(t);
  if (t < kHeadTag) return static_cast<std::uint8_t>(t - kPcpTag0);
  return static_cast<std::uint8_t>((next >> 16) & 0xff);
}

constexpr u64 next_off(Word w) { return (w >> kLinkBits) & kLinkMask; }
constexpr u64 prev_off(Word w) { return w & kLinkMask; }
constexpr Word with_next(Word w, u64 off) { return (w & ~(kLinkMask << kLinkBits)) | (off << kLinkBits); }
constexpr Word with_prev(Word w, u64 off) { return (w & ~kLinkMask) | off; }
// A head word with its tag replaced (an order-0 block moving lists).
constexpr Word with_tag(Word w, unsigned t) { return (w & ~(Word{0xf} << kTagShift)) | (Word{t} << kTagShift); }

}  // namespace frame_word
}  // namespace mm
