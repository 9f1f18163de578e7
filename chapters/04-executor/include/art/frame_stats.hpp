// frame_stats.hpp: how much memory coroutine frames take.
//
// A C++20 coroutine keeps its locals, its arguments and the awaiters that
// live across a suspension in a heap-allocated frame whose size only the
// compiler knows. The frame is allocated through the promise type's
// operator new, if it has one, which is our window on it: every Task's
// frame is counted here. The demo prints the size next to the size of the
// hand-written state machine of chapter 02, and the tests use the counters
// to prove that destroying a task frees its frame.
#pragma once

#include <atomic>
#include <cstddef>

namespace art {

// ANCHOR: frame_stats
struct FrameStats {
  std::atomic<std::size_t> allocations{0};
  std::atomic<std::size_t> deallocations{0};
  std::atomic<std::size_t> bytes{0};  // total ever allocated
  std::atomic<std::size_t> last_size{0};

  std::size_t live() const { return allocations.load() - deallocations.load(); }
};

FrameStats& frame_stats();  // process-wide

void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;
// ANCHOR_END: frame_stats

}  // namespace art
