// io_slab.hpp: where the slots live, and the token that names one.
//
// The kernel hands every epoll event back with 64 bits of our choosing
// (epoll_event.data.u64). We put a token there: the slot's index and the
// generation the slot had when the fd was registered.
//
//     63            32 31             0
//     ┌───────────────┬───────────────┐
//     │  generation   │  slot index   │   a token
//     └───────────────┴───────────────┘
//
// The reactor thread turns a token into a slot without a lock and without a
// reference count, so a slot it can find must stay where it is for as long
// as the reactor lives. Slots therefore live in pages that are allocated
// when needed and never freed before the slab is: an index names one slot
// for ever, and a freed slot is only *reused*, under a new generation. An
// event for the old generation then fails set_readiness (io_slot.hpp) and
// is dropped: that is how an event queued for a closed fd cannot wake the
// registration that got its number.
//
//     pages_ ─▶ [page 0: slots 0..255] [page 1: 256..511] [null] ...
//     free_  ─▶ indices of freed slots, taken first (newest first)
//
// tokio's IO driver kept its ScheduledIo entries in a slab of the same
// shape (util/slab.rs: pages that double in size, so that growing never
// moves an entry), and released a page only when all its slots were free,
// in a compaction its own thread ran between two waits; newer tokio keeps
// each entry in an Arc instead. Asio's epoll_reactor keeps its
// descriptor_state objects in an object_pool whose freed objects wait in a
// free list for reuse until the reactor goes. We never release a page: the
// memory is about 80 bytes a slot, for the most fds ever registered at once.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "art/io_slot.hpp"

namespace art {

// ANCHOR: token
struct IoToken {
  std::uint32_t index = 0;
  std::uint32_t generation = 0;

  std::uint64_t pack() const { return (std::uint64_t{generation} << 32) | index; }
  static IoToken unpack(std::uint64_t bits) {
    return IoToken{static_cast<std::uint32_t>(bits),
                   static_cast<std::uint32_t>(bits >> 32)};
  }
};
// ANCHOR_END: token

// ANCHOR: io_slab
class IoSlab {
 public:
  static constexpr std::size_t kPageSize = 256;
  static constexpr std::size_t kMaxPages = 4096;  // a million registrations

  IoSlab() = default;
  IoSlab(const IoSlab&) = delete;
  IoSlab& operator=(const IoSlab&) = delete;
  ~IoSlab();

  // A free slot and its token; throws std::length_error when all are taken.
  IoToken allocate();
  // Gives the slot back: reused under the next generation.
  void free(IoToken token);
  // The slot a token's index names, or nullptr if that page was never made.
  // Lock-free: the reactor thread calls it for every event.
  IoSlot* slot(std::uint32_t index) const;

  std::size_t live() const;  // slots allocated and not freed
  // Every index below this was handed out at least once (its page exists).
  std::uint32_t high_water() const;

 private:
  // Acquire/release: a page is built under mutex_ and published by its
  // pointer; the reactor's acquire load sees it complete.
  std::array<std::atomic<IoSlot*>, kMaxPages> pages_{};
  mutable std::mutex mutex_;
  std::vector<std::uint32_t> free_;  // guarded by mutex_
  std::uint32_t next_unused_ = 0;    // guarded by mutex_
  std::size_t live_ = 0;             // guarded by mutex_
};
// ANCHOR_END: io_slab

}  // namespace art
