// frame_pool.hpp: recycled memory for coroutine frames and big futures.
//
// Chapter 04 paid one trip to the global allocator for every task, and a
// coroutine task pays another for its frame. Both are small blocks of a few
// sizes allocated and freed at a furious rate: the case a pool handles best.
//
// Each thread has its own pool, with a free list per size class (multiples
// of 64 bytes, up to 1 KiB). Allocating pops a block of the right class;
// freeing pushes it back for the next task. Only a pool with no block of
// the class asks the global allocator, so once a program has run its peak
// number of tasks (the warm-up) it stops calling malloc altogether. Larger
// blocks go straight to the allocator.
//
// A block belongs to the pool that took it from the allocator, for good: a
// small header in front of it names that pool. Freed on the owner's thread,
// it goes onto the local free list, without a lock or an atomic. Freed on
// any other thread, it is pushed onto the owner's RemoteFreeList of its
// class, a lock-free stack, and the owner takes the whole stack back with
// one exchange when its local list of that class runs dry. This is how
// mimalloc (a thread free list per page) and snmalloc (a message queue per
// allocator) send a block home. The simpler alternative, letting
// the freeing thread keep the block, loses nothing but lets memory migrate:
// a thread that only creates coroutines (a producer with a Spawner) would
// call the allocator for every frame, while the executor's thread, which
// only destroys them, hoards them all.
//
// A pool outlives its thread while any of its blocks is in use elsewhere.
// At thread exit the pool closes its remote lists, gives every block it
// holds back to the allocator, and is orphaned: a block that comes home
// later finds its list closed and goes to the allocator too, and the last
// of them deletes the pool.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace art {

// ANCHOR: remote_free_list
// Blocks freed by other threads, on their way back to the pool that owns
// them: a lock-free stack that any thread pushes onto and only the owner
// empties, always whole. Popping one node at a time would have to read a
// node's `next` while another thread might pop and reuse it (the ABA
// problem); taking everything with one exchange never reads a node that is
// still on the stack.
class RemoteFreeList {
 public:
  struct Node {
    Node* next;
  };

  // Any thread. Returns false once the list is closed: the node was not
  // taken, and the caller must dispose of it some other way.
  bool push(Node* node) noexcept;
  // The owner: every node pushed so far (newest first), or nullptr.
  Node* take_all() noexcept;
  // The owner, once, at its end: takes every node, and makes later pushes fail.
  Node* close() noexcept;

 private:
  static Node closed_;  // head_ == &closed_: the owner is gone
  std::atomic<Node*> head_{nullptr};
};
// ANCHOR_END: remote_free_list

// ANCHOR: frame_pool
class FramePool {
 public:
  static constexpr std::size_t kGranularity = 64;
  static constexpr std::size_t kClasses = 16;  // blocks of 64, 128, ... 1024 bytes
  // Every block is aligned like ::operator new's memory, and no more.
  static constexpr std::size_t kAlignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

  static void* allocate(std::size_t size);
  // From any thread; `size` is the size the block was allocated with.
  static void deallocate(void* block, std::size_t size) noexcept;

  struct Stats {
    std::uint64_t reused = 0;     // served from a free list
    std::uint64_t fresh = 0;      // asked the global allocator
    std::uint64_t came_home = 0;  // taken back from the remote lists
  };
  static Stats stats();  // this thread's pool
  // Pools not yet deleted: one per thread that allocated a block, plus the
  // pools of exited threads whose blocks are still in use.
  static std::size_t live_pools();
};
// ANCHOR_END: frame_pool

}  // namespace art
