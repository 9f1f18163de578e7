// task_slab.hpp: where tasks live, and how they are named.
//
// The slab is an array of fixed-size slots, grown a page at a time and never
// shrunk, so a slot's address is stable for the slab's lifetime. A task is
// constructed in place in a slot (type-erased: the slab sees bytes, the task
// is a TaskHeader), and its slot goes back on a free list when the task's
// last reference is released. After a warm-up the slab has as many slots as
// the program's peak of live tasks, and spawning never allocates again.
//
// Each slot carries a generation, bumped when it is handed out and when it is
// freed (odd while a task lives there); with the index
// it forms the task's TaskId, so `get(id)` can tell a live task from a stale
// id whose slot now holds another task.
//
// Two free lists, because tasks are spawned and freed mostly, but not only,
// on the executor's thread:
//   * the local list, used without a lock by the thread running the executor;
//   * the shared list, behind a mutex, for the other threads (a Spawner on
//     another thread, a foreign thread dropping the last Waker of a task).
// When the local list runs dry the executor takes the whole shared list in
// one locked swap, then grows the slab if that was empty too.
//
// The slab also counts the slots in use, because tasks do not keep their
// executor alive (a shared_ptr per task would cost two atomic operations per
// spawn). When the executor goes while slots are still held by Wakers or
// JoinHandles elsewhere, orphan() parks an owner in the slab, and the free
// of the last slot hands it back to be dropped.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "art/task_id.hpp"

namespace art {

// ANCHOR: slab
// ANCHOR: slab_api
class TaskSlab {
 public:
  static constexpr std::size_t kSlotBytes = 192;
  static constexpr std::size_t kSlotsPerPage = 1024;
  static constexpr std::size_t kMaxPages = 4096;  // up to 4 Mi live tasks

  struct Allocation {
    void* memory;
    TaskId id;
  };

  TaskSlab() = default;
  TaskSlab(const TaskSlab&) = delete;
  TaskSlab& operator=(const TaskSlab&) = delete;
  ~TaskSlab();

  // `local` says the caller is the thread running the executor.
  Allocation allocate(bool local);
  // Returns the owner parked by orphan() when this was the last slot in use.
  [[nodiscard]] std::shared_ptr<void> free(TaskId id, bool local) noexcept;
  // Keeps `owner` until no slot is in use (dropped at once if none is).
  void orphan(std::shared_ptr<void> owner);
  // ANCHOR_END: slab_api

  // ANCHOR: slab_lookup
  // The executor's thread marks the slots whose task it still holds its
  // reference to (from spawn until done or cancelled). get() finds only
  // those: a task the executor holds cannot be freed under the caller.
  void set_held(std::uint32_t index, bool held) { slot(index).held = held; }

  // Executor's thread: the memory of task `id` while the executor holds it,
  // or nullptr when the id is stale (or the task is finished).
  void* get(TaskId id) const;

  std::size_t capacity() const {
    return pages_used_.load(std::memory_order_acquire) * kSlotsPerPage;
  }
  // ANCHOR_END: slab_lookup

  // ANCHOR: slab_state
 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  struct Slot {
    alignas(16) std::array<std::byte, kSlotBytes> bytes;
    std::atomic<std::uint32_t> generation{0};
    std::uint32_t next_free = kNone;
    bool held = false;  // the executor's thread only
  };
  struct Page {
    std::array<Slot, kSlotsPerPage> slots;
  };

  Slot& slot(std::uint32_t index) const;
  std::uint32_t pop(std::uint32_t& list);
  void push(std::uint32_t& list, std::uint32_t index);
  std::uint32_t refill_local();  // executor thread, takes the lock
  std::uint32_t grow();          // lock held

  std::uint32_t local_free_ = kNone;
  std::int64_t local_in_use_ = 0;  // allocated minus freed on the executor's thread
  std::mutex mutex_;
  std::uint32_t shared_free_ = kNone;  // guarded by mutex_, as are the next two
  std::int64_t shared_in_use_ = 0;     // allocated minus freed on other threads
  std::shared_ptr<void> orphan_owner_;
  std::array<std::atomic<Page*>, kMaxPages> pages_{};
  std::atomic<std::size_t> pages_used_{0};
};
// ANCHOR_END: slab_state
// ANCHOR_END: slab

}  // namespace art
