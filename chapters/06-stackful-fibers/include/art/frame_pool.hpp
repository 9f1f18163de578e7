// frame_pool.hpp: recycled memory for coroutine frames and big futures.
//
// Chapter 04 paid one trip to the global allocator for every task, and a
// coroutine task pays another for its frame. Both are small blocks of a few
// sizes allocated and freed at a furious rate: the case a pool handles best.
//
// The pool keeps a free list per size class (multiples of 64 bytes, up to
// 1 KiB). Allocating pops a block of the right class; freeing pushes it back
// for the next task. Only a pool that is empty asks the global allocator, so
// once a program has run its peak number of tasks (the warm-up) it stops
// calling malloc altogether. Larger blocks go straight to the allocator.
//
// The pool is per thread (thread_local), so neither path takes a lock or
// touches an atomic. A block freed on another thread than the one that
// allocated it simply joins that thread's pool: memory migrates, nothing is
// lost. The free lists are intrusive: a free block stores the pointer to the
// next one in its own first bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace art {

// ANCHOR: frame_pool
class FramePool {
 public:
  static constexpr std::size_t kGranularity = 64;
  static constexpr std::size_t kClasses = 16;  // blocks of 64, 128, ... 1024 bytes

  static void* allocate(std::size_t size);
  static void deallocate(void* block, std::size_t size) noexcept;

  struct Stats {
    std::uint64_t reused = 0;  // served from a free list
    std::uint64_t fresh = 0;   // asked the global allocator
  };
  static Stats stats();  // this thread's pool
};
// ANCHOR_END: frame_pool

}  // namespace art
