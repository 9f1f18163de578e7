#include "art/frame_pool.hpp"

#include <array>
#include <new>
#include <utility>

namespace art {

// ANCHOR: remote_free_list_impl
RemoteFreeList::Node RemoteFreeList::closed_{nullptr};

bool RemoteFreeList::push(Node* node) noexcept {
  // Relaxed: the head is only compared with the marker and written into
  // node->next; the compare-and-swap below checks it is still the head.
  Node* head = head_.load(std::memory_order_relaxed);
  do {
    if (head == &closed_)
      return false;
    node->next = head;
    // Release on success: the owner takes the stack with an acquire, and
    // must see node->next and everything this thread wrote to the block
    // before it gave it up. Relaxed on failure: we only retry with the
    // head the failure loaded.
  } while (!head_.compare_exchange_weak(head, node, std::memory_order_release,
                                        std::memory_order_relaxed));
  return true;
}

RemoteFreeList::Node* RemoteFreeList::take_all() noexcept {
  // Relaxed peek: an empty stack (the common case) costs no write to a
  // cache line that other threads push onto. A node pushed just after it
  // waits for the next call.
  if (head_.load(std::memory_order_relaxed) == nullptr)
    return nullptr;
  // Acquire: pairs with the release of the push that wrote this head, and
  // through it with every push before (each push is a read-modify-write,
  // so together they form one release sequence): the whole chain is visible.
  return head_.exchange(nullptr, std::memory_order_acquire);
}

RemoteFreeList::Node* RemoteFreeList::close() noexcept {
  // Acquire, as in take_all: the nodes taken are read and freed.
  Node* taken = head_.exchange(&closed_, std::memory_order_acquire);
  return taken == &closed_ ? nullptr : taken;
}
// ANCHOR_END: remote_free_list_impl

namespace {

using Node = RemoteFreeList::Node;

std::size_t size_class(std::size_t size) {
  return (size + FramePool::kGranularity - 1) / FramePool::kGranularity - 1;
}
std::size_t class_bytes(std::size_t c) { return (c + 1) * FramePool::kGranularity; }

// A statistic for tests: relaxed, because a test reads it after joining
// the threads that changed it, and the join orders their changes first.
std::atomic<std::size_t> pools_alive{0};

class ThreadPool;

// ANCHOR: block_header
// In front of every pooled block; a whole alignment unit, so the block
// behind it keeps the allocator's alignment.
struct alignas(FramePool::kAlignment) BlockHeader {
  ThreadPool* owner;  // nullptr: made while its thread was exiting, unpooled
};

void* block_of(BlockHeader* header) { return header + 1; }
BlockHeader* header_of(void* block) { return static_cast<BlockHeader*>(block) - 1; }

void* new_block(std::size_t c, ThreadPool* owner) {
  const std::size_t bytes = sizeof(BlockHeader) + class_bytes(c);
  auto* header = static_cast<BlockHeader*>(::operator new(bytes));
  header->owner = owner;
  return block_of(header);
}
void delete_block(void* block) noexcept { ::operator delete(header_of(block)); }
// ANCHOR_END: block_header

// ANCHOR: thread_pool
class ThreadPool {
 public:
  ThreadPool() { pools_alive.fetch_add(1, std::memory_order_relaxed); }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { pools_alive.fetch_sub(1, std::memory_order_relaxed); }

  // ANCHOR: pool_allocate
  // The owner's thread.
  void* allocate(std::size_t c) {
    if (local_[c] == nullptr)
      local_[c] = take_home(c);
    if (Node* node = local_[c]) {
      local_[c] = node->next;
      ++stats_.reused;
      return node;
    }
    ++stats_.fresh;
    ++blocks_owned_;
    return new_block(c, this);
  }
  // ANCHOR_END: pool_allocate

  // ANCHOR: pool_deallocate
  // The owner's thread: no lock, no atomic.
  void free_local(void* block, std::size_t c) noexcept {
    Node* node = new (block) Node{local_[c]};  // the link lives in the free block
    local_[c] = node;
  }

  // Any other thread. Once the owner has exited, its lists are closed:
  // the block goes back to the allocator, and the last one deletes the pool.
  void free_remote(void* block, std::size_t c) noexcept {
    if (remote_[c].push(new (block) Node{nullptr}))
      return;  // the pool may be gone from here on: do not touch it
    delete_block(block);
    drop_orphaned_blocks(1);
  }
  // ANCHOR_END: pool_deallocate

  // ANCHOR: pool_orphan
  // The owner's thread, at its exit: every block the pool holds goes back
  // to the allocator; the pool lives on while any other block is in use.
  void orphan() noexcept {
    for (std::size_t c = 0; c < FramePool::kClasses; ++c) {
      release(std::exchange(local_[c], nullptr));
      release(remote_[c].close());
    }
    drop_orphaned_blocks(-blocks_owned_);
  }
  // ANCHOR_END: pool_orphan

  FramePool::Stats stats() const { return stats_; }

 private:
  Node* take_home(std::size_t c) {
    Node* taken = remote_[c].take_all();
    for (Node* node = taken; node != nullptr; node = node->next)
      ++stats_.came_home;
    return taken;
  }

  void release(Node* list) noexcept {
    while (Node* node = list) {
      list = node->next;
      delete_block(node);
      --blocks_owned_;
    }
  }

  // ANCHOR: pool_orphan_count
  // `orphaned_blocks_` starts at 0. The owner adds the blocks still in use
  // when it exits; each of them, freed later on another thread, subtracts
  // one, possibly before the owner added. Whoever brings the count to
  // exactly zero deletes the pool: the owner if nothing was in use, else
  // the last block. Before the owner's addition the count only goes below
  // zero, so no block can reach zero early. Acquire-release: the thread
  // that deletes must see every other thread's last use of the pool.
  void drop_orphaned_blocks(std::int64_t count) noexcept {
    if (orphaned_blocks_.fetch_sub(count, std::memory_order_acq_rel) == count)
      delete this;
  }
  // ANCHOR_END: pool_orphan_count

  // The owner's thread only.
  std::array<Node*, FramePool::kClasses> local_{};
  std::int64_t blocks_owned_ = 0;  // taken from the allocator, not yet given back
  FramePool::Stats stats_;
  // Written by other threads: a cache line of their own.
  alignas(64) std::array<RemoteFreeList, FramePool::kClasses> remote_;
  std::atomic<std::int64_t> orphaned_blocks_{0};
};
// ANCHOR_END: thread_pool

// ANCHOR: pool_of_this_thread
// Both trivially destructible, so they stay usable during thread exit, when
// another thread_local's destructor may still allocate or free a frame.
thread_local ThreadPool* this_thread_pool = nullptr;
thread_local bool this_thread_exited = false;

// Its destructor runs at thread exit. A thread_local with a destructor is
// constructed on its first use, so the pool "uses" it when it is created.
struct PoolOrphaner {
  PoolOrphaner() = default;
  PoolOrphaner(const PoolOrphaner&) = delete;
  PoolOrphaner& operator=(const PoolOrphaner&) = delete;
  ~PoolOrphaner() {
    this_thread_exited = true;
    if (ThreadPool* pool = std::exchange(this_thread_pool, nullptr))
      pool->orphan();
  }
};
thread_local PoolOrphaner orphaner;

// nullptr once this thread's pool has been orphaned at thread exit.
ThreadPool* pool_of_this_thread() {
  if (this_thread_pool == nullptr && !this_thread_exited) {
    this_thread_pool = new ThreadPool();
    (void)&orphaner;
  }
  return this_thread_pool;
}
// ANCHOR_END: pool_of_this_thread

}  // namespace

// ANCHOR: frame_pool_functions
void* FramePool::allocate(std::size_t size) {
  const std::size_t c = size_class(size);
  if (c >= kClasses)
    return ::operator new(size);  // no header: deallocate knows it by its size
  ThreadPool* pool = pool_of_this_thread();
  if (pool == nullptr)
    return new_block(c, nullptr);  // the thread is exiting: unpooled
  return pool->allocate(c);
}

void FramePool::deallocate(void* block, std::size_t size) noexcept {
  const std::size_t c = size_class(size);
  if (c >= kClasses) {
    ::operator delete(block);
    return;
  }
  ThreadPool* owner = header_of(block)->owner;
  if (owner == nullptr) {
    delete_block(block);
  } else if (owner == this_thread_pool) {
    owner->free_local(block, c);
  } else {
    owner->free_remote(block, c);
  }
}
// ANCHOR_END: frame_pool_functions

FramePool::Stats FramePool::stats() {
  return this_thread_pool != nullptr ? this_thread_pool->stats() : Stats{};
}

std::size_t FramePool::live_pools() { return pools_alive.load(std::memory_order_relaxed); }

}  // namespace art
