#include "art/frame_stats.hpp"

#include <new>

namespace art {

FrameStats& frame_stats() {
  static FrameStats stats;
  return stats;
}

// ANCHOR: allocate_frame
void* allocate_frame(std::size_t size) {
  FrameStats& stats = frame_stats();
  stats.allocations.fetch_add(1, std::memory_order_relaxed);
  stats.bytes.fetch_add(size, std::memory_order_relaxed);
  stats.last_size.store(size, std::memory_order_relaxed);
  return ::operator new(size);
}
// ANCHOR_END: allocate_frame

void free_frame(void* frame, std::size_t /*size*/) noexcept {
  frame_stats().deallocations.fetch_add(1, std::memory_order_relaxed);
  ::operator delete(frame);
}

}  // namespace art
