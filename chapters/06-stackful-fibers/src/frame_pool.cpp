#include "art/frame_pool.hpp"

#include <array>
#include <new>

namespace art {

namespace {

struct FreeBlock {
  FreeBlock* next;
};

// Outlives the pool object (it has no destructor), so a block freed during
// thread exit, after the pool is gone, still finds out where to go.
thread_local bool pool_destroyed = false;

// ANCHOR: thread_pool
class ThreadPool {
 public:
  ~ThreadPool() {
    pool_destroyed = true;  // blocks freed later on this thread go to the allocator
    for (std::size_t c = 0; c < FramePool::kClasses; ++c) {
      while (FreeBlock* block = free_[c]) {
        free_[c] = block->next;
        ::operator delete(block);
      }
    }
  }

  // ANCHOR: pool_allocate
  void* allocate(std::size_t size) {
    const std::size_t c = size_class(size);
    if (c >= FramePool::kClasses || pool_destroyed)
      return ::operator new(c >= FramePool::kClasses ? size : class_bytes(c));
    if (FreeBlock* block = free_[c]) {
      free_[c] = block->next;
      ++stats_.reused;
      return block;
    }
    ++stats_.fresh;
    return ::operator new(class_bytes(c));
  }
  // ANCHOR_END: pool_allocate

  // ANCHOR: pool_deallocate
  void deallocate(void* memory, std::size_t size) noexcept {
    const std::size_t c = size_class(size);
    if (c >= FramePool::kClasses || pool_destroyed) {
      ::operator delete(memory);
      return;
    }
    free_[c] = new (memory) FreeBlock{free_[c]};
  }

  FramePool::Stats stats() const { return stats_; }

 private:
  static std::size_t size_class(std::size_t size) {
    return (size + FramePool::kGranularity - 1) / FramePool::kGranularity - 1;
  }
  static std::size_t class_bytes(std::size_t c) { return (c + 1) * FramePool::kGranularity; }
  // ANCHOR_END: pool_deallocate

  std::array<FreeBlock*, FramePool::kClasses> free_{};
  FramePool::Stats stats_;
};
// ANCHOR_END: thread_pool

thread_local ThreadPool pool;

}  // namespace

void* FramePool::allocate(std::size_t size) { return pool.allocate(size); }
void FramePool::deallocate(void* block, std::size_t size) noexcept { pool.deallocate(block, size); }
FramePool::Stats FramePool::stats() { return pool.stats(); }

}  // namespace art
