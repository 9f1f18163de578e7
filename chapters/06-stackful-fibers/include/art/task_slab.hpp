// task_slab.hpp: where tasks live, and how they are named.
//
// The slab is an array of fixed-size slots, grown a page at a time and never
// shrunk, so a slot's address is stable for the slab's lifetime. A task is
// constructed in place in a slot (type-erased: the slab sees bytes, the task
// is a TaskHeader), and its slot goes back on a free list when the task's
// last reference is released. After a warm-up the slab has about as many
// slots as the program's peak of live tasks, and spawning never allocates
// again.
//
// Each slot carries a generation, bumped when it is handed out and when it is
// freed (odd while a task lives there); with the index and the slab's serial
// number it forms the task's TaskId, so `get(id)` can tell a live task from a
// stale id whose slot now holds another task, and from an id of another
// executor. The generation has 64 bits: at two bumps per reuse, one slot
// reused every nanosecond would take 292 years to wrap.
//
// Two sides, because tasks are spawned and freed mostly, but not only, in the
// executor's loop, on the thread that owns it:
//   * the owner's side, used without a lock inside the loop (`local`): the
//     list it pops and pushes, and at most one full batch set aside;
//   * the shared side, behind a mutex, for everything else (a Spawner on
//     another thread, Executor::spawn between runs, a thread dropping the
//     last Waker of a task): a list of slots freed one by one, and a stack of
//     full batches.
// Slots cross between the sides a batch (kBatchSlots) at a time, in one
// locked step: the owner takes a batch when its side is empty, and hands one
// over when a free would leave it more than kMaxCachedSlots.
//
// The invariant: the owner's side never holds more than kMaxCachedSlots free
// slots, and the slab grows only when the side that allocates finds no free
// slot on its own side nor on the shared side. So whenever it grows, at most
// kMaxCachedSlots slots are free, and the slab never has more than
//     peak live tasks + kMaxCachedSlots + kSlotsPerPage
// slots, however spawns and frees are spread over the two sides. Without the
// cap, tasks spawned outside the loop and freed inside it would pile their
// slots up on the owner's side, out of reach of the next spawn outside: a new
// page every 1024 such spawns, until the slab is full.
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
  static constexpr std::size_t kSlotAlignment = 16;  // of a slot's bytes
  static constexpr std::size_t kSlotsPerPage = 1024;
  static constexpr std::size_t kMaxPages = 4096;  // up to 4 Mi live tasks
  // Slots cross between the owner's side and the shared side a batch at a
  // time, and the owner's side keeps at most two batches.
  static constexpr std::size_t kBatchSlots = 256;
  static constexpr std::size_t kMaxCachedSlots = 2 * kBatchSlots;

  struct Allocation {
    void* memory;
    TaskId id;
  };

  TaskSlab();  // draws the serial number that every TaskId of this slab carries
  TaskSlab(const TaskSlab&) = delete;
  TaskSlab& operator=(const TaskSlab&) = delete;
  ~TaskSlab();

  // `local`: the caller is the owner thread, inside the executor's loop.
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
  // or nullptr when the id is stale, another slab's, or the task finished.
  void* get(TaskId id) const;

  std::uint64_t serial() const { return serial_; }
  // Acquire, paired with grow()'s release: get() may look up any index below.
  std::size_t capacity() const {
    return pages_used_.load(std::memory_order_acquire) * kSlotsPerPage;
  }
  // ANCHOR_END: slab_lookup

  // ANCHOR: slab_state
 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  struct Slot {
    // A task, or FreeLinks.
    alignas(kSlotAlignment) std::array<std::byte, kSlotBytes> bytes;
    std::atomic<std::uint64_t> generation{0};
    bool held = false;  // the executor's thread only
  };
  struct Page {
    std::array<Slot, kSlotsPerPage> slots;
  };
  // What a free slot keeps in its bytes, which no task uses meanwhile.
  struct FreeLinks {
    std::uint32_t next;        // the next slot of its list
    std::uint32_t next_batch;  // the first slot of a batch: the next batch
  };
  struct FreeList {
    std::uint32_t head = kNone;
    std::uint32_t length = 0;
  };
  // ANCHOR_END: slab_state

  // ANCHOR: slab_sides
  Slot& slot(std::uint32_t index) const;
  FreeLinks& links(std::uint32_t index) const;
  std::uint32_t pop(FreeList& list);
  void push(FreeList& list, std::uint32_t index);
  // The owner's side; each locks only when a batch crosses.
  void keep_local(std::uint32_t index);  // hands a batch over past the cap
  void refill_local();                   // takes a batch when the side is empty
  // The shared side; mutex_ held.
  void keep_shared(std::uint32_t index);
  void push_batch(std::uint32_t first);
  FreeList take_batch();  // grows the slab when no batch is left
  void grow();

  const std::uint64_t serial_;
  FreeList local_free_;                // the owner's side: no lock
  std::uint32_t local_spare_ = kNone;  // a full batch set aside, or kNone
  std::int64_t local_in_use_ = 0;      // allocated minus freed on the owner's side
  std::mutex mutex_;
  FreeList shared_free_;                  // guarded by mutex_, as are the next three
  std::uint32_t shared_batches_ = kNone;  // full batches, linked by their first slots
  std::int64_t shared_in_use_ = 0;        // allocated minus freed on the shared side
  std::shared_ptr<void> orphan_owner_;
  // Atomic because grow() stores them under mutex_ and others read them
  // without it (slot() on the owner's side, capacity() in get()); each
  // order is justified where it is loaded or stored.
  std::array<std::atomic<Page*>, kMaxPages> pages_{};
  std::atomic<std::size_t> pages_used_{0};
};
// ANCHOR_END: slab_sides
// ANCHOR_END: slab

}  // namespace art
