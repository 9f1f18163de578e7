#include "art/frame_stats.hpp"

#include <new>

namespace art {

FrameStats& frame_stats() {
  static FrameStats stats;
  return stats;
}

// ANCHOR: allocate_frame
void* allocate_frame(std::size_t size) {
  // EXERCISE 3.3: allocate a coroutine frame and count it in frame_stats()
  // HINT: every frame is counted where it is allocated: allocations, bytes and
  // the size of the latest frame; free_frame counts the other side
  // HINT 2: the counters only count (no data is published through them),
  // which decides their memory order
  // HINT 3: three counter updates, then a plain allocation of `size` bytes
  // STUB: return ::operator new(size);  // allocates, but counts nothing yet
  FrameStats& stats = frame_stats();
  stats.allocations.fetch_add(1, std::memory_order_relaxed);
  stats.bytes.fetch_add(size, std::memory_order_relaxed);
  stats.last_size.store(size, std::memory_order_relaxed);
  return ::operator new(size);
  // END EXERCISE
}
// ANCHOR_END: allocate_frame

void free_frame(void* frame, std::size_t /*size*/) noexcept {
  frame_stats().deallocations.fetch_add(1, std::memory_order_relaxed);
  ::operator delete(frame);
}

}  // namespace art
