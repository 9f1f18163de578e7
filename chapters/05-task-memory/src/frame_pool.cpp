#include "art/frame_pool.hpp"

#include <array>
#include <new>

namespace art {

namespace {

struct FreeBlock {
  FreeBlock* next;
};

// ANCHOR: thread_pool
// ANCHOR: pool_release_all
// Trivially destructible on purpose: it stays usable during thread exit,
// after PoolReleaser (below) has handed its blocks back, when a frame freed
// by another thread_local's destructor may still arrive.
class ThreadPool {
 public:
  // At thread exit: every pooled block back to the allocator; blocks freed
  // or asked for afterwards bypass the pool.
  void release_all() noexcept {
    released_ = true;
    for (std::size_t c = 0; c < FramePool::kClasses; ++c) {
      while (FreeBlock* block = free_[c]) {
        free_[c] = block->next;
        ::operator delete(block);
      }
    }
  }
  // ANCHOR_END: pool_release_all

  // ANCHOR: pool_allocate
  void* allocate(std::size_t size) {
    // EXERCISE 5.1: serve a block from this size class's free list
    // HINT: c = size_class(size); beyond the last class (or once this
    // thread's pool is released) use ::operator new. Otherwise pop free_[c] if it has a block
    // (count it in stats_.reused), else count stats_.fresh and return ::operator
    // new(class_bytes(c)): the block must be big enough for any size of
    // its class, because it will be reused for one.
    const std::size_t c = size_class(size);
    if (c >= FramePool::kClasses || released_)
      return ::operator new(c >= FramePool::kClasses ? size : class_bytes(c));
    if (FreeBlock* block = free_[c]) {
      free_[c] = block->next;
      ++stats_.reused;
      return block;
    }
    ++stats_.fresh;
    release_at_thread_exit();
    return ::operator new(class_bytes(c));
    // END EXERCISE
  }
  // ANCHOR_END: pool_allocate

  // ANCHOR: pool_deallocate
  void deallocate(void* memory, std::size_t size) noexcept {
    const std::size_t c = size_class(size);
    if (c >= FramePool::kClasses || released_) {
      ::operator delete(memory);
      return;
    }
    release_at_thread_exit();  // a block freed here may come from another thread's pool
    free_[c] = new (memory) FreeBlock{free_[c]};
  }

  FramePool::Stats stats() const { return stats_; }

 private:
  static std::size_t size_class(std::size_t size) {
    return (size + FramePool::kGranularity - 1) / FramePool::kGranularity - 1;
  }
  static std::size_t class_bytes(std::size_t c) { return (c + 1) * FramePool::kGranularity; }
  // ANCHOR_END: pool_deallocate

  static void release_at_thread_exit();

  std::array<FreeBlock*, FramePool::kClasses> free_{};
  FramePool::Stats stats_;
  bool released_ = false;
};
// ANCHOR_END: thread_pool

// ANCHOR: pool_releaser
thread_local ThreadPool pool;

// Its destructor runs at thread exit and empties the pool. A thread_local
// with a destructor is constructed on its first use, so the pool "uses" it
// whenever a block enters it (fresh from the allocator, or freed here).
struct PoolReleaser {
  PoolReleaser() = default;
  PoolReleaser(const PoolReleaser&) = delete;
  PoolReleaser& operator=(const PoolReleaser&) = delete;
  ~PoolReleaser() { pool.release_all(); }
};
thread_local PoolReleaser releaser;

void ThreadPool::release_at_thread_exit() { (void)&releaser; }
// ANCHOR_END: pool_releaser

}  // namespace

void* FramePool::allocate(std::size_t size) { return pool.allocate(size); }
void FramePool::deallocate(void* block, std::size_t size) noexcept { pool.deallocate(block, size); }
FramePool::Stats FramePool::stats() { return pool.stats(); }

}  // namespace art
