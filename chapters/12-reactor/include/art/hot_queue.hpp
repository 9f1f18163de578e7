// hot_queue.hpp: a worker's private run queue, most-woken task first.
//
// The hybrid scheduler (hybrid_scheduler.hpp) gives each worker two
// queues. The cold one is chapter 09's deque: new and woken tasks land
// there, and thieves may take them. The hot one is this: a binary heap
// that only its owner ever touches, so it needs no atomic and no lock,
// and can keep its entries in any order it likes. It keeps them by
// priority: the task that has been woken most often without finishing
// runs first. Among equals, the one that came in first runs first, so a
// batch of tasks that all have the same priority runs in the order the
// cold queue had them.
//
// The priority is read once, when the task comes in, and kept beside it:
// a heap must not see its keys change under it, and the task's own count
// may only be touched by whoever holds its queue entry (task_header.hpp),
// which the heap does until it hands the entry out.
//
// A fixed array of kCapacity entries: the scheduler never moves more than
// that into it at once, and it is only refilled when empty.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "art/task_header.hpp"

namespace art {

// ANCHOR: hot_queue
// ANCHOR: hot_queue_public
template <std::size_t Capacity>
class HotQueue {
 public:
  static constexpr std::size_t kCapacity = Capacity;

  struct Entry {
    TaskHeader* task;
    std::uint32_t priority;  // the task's count when it came in
    std::uint32_t arrival;   // the order it came in: 0, 1, 2...
  };

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // false when full: the caller keeps the entry.
  bool push(TaskHeader* task, std::uint32_t priority) {
    if (size_ == kCapacity)
      return false;
    if (size_ == 0)
      next_arrival_ = 0;  // only present entries are compared: it never wraps
    entries_[size_] = Entry{task, priority, next_arrival_++};
    sift_up(size_++);
    return true;
  }

  TaskHeader* pop() {
    if (size_ == 0)
      return nullptr;
    TaskHeader* first = entries_[0].task;
    entries_[0] = entries_[--size_];
    sift_down(0);
    return first;
  }
  // ANCHOR_END: hot_queue_public

 private:
  // ANCHOR: hot_queue_order
  // Does `a` run before `b`? The heap keeps, at every index, an entry that
  // runs before both of its children, so the root runs before everything.
  static bool runs_before(const Entry& a, const Entry& b) {
    if (a.priority != b.priority)
      return a.priority > b.priority;
    return a.arrival < b.arrival;
  }
  // ANCHOR_END: hot_queue_order

  // ANCHOR: hot_queue_heap
  void sift_up(std::size_t i) {
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!runs_before(entries_[i], entries_[parent]))
        return;
      std::swap(entries_[i], entries_[parent]);
      i = parent;
    }
  }

  void sift_down(std::size_t i) {
    for (;;) {
      std::size_t first = i;
      for (const std::size_t child : {2 * i + 1, 2 * i + 2})
        if (child < size_ && runs_before(entries_[child], entries_[first]))
          first = child;
      if (first == i)
        return;
      std::swap(entries_[i], entries_[first]);
      i = first;
    }
  }

  std::array<Entry, kCapacity> entries_{};
  std::size_t size_ = 0;
  std::uint32_t next_arrival_ = 0;
  // ANCHOR_END: hot_queue_heap
};
// ANCHOR_END: hot_queue

}  // namespace art
