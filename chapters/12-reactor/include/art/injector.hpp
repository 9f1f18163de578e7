// injector.hpp: the queue every worker can take from and anyone can add to.
//
// Tasks scheduled from outside the runtime (a spawn from main, a wake from a
// timer thread) have no worker deque to go to: they wait here. So do the
// tasks a worker moves out of its deque when the deque is full. It is a run
// queue under a mutex, as chapter 07's one queue was, but here it is the
// exception: a busy runtime schedules almost everything from its workers,
// into their own deques, and takes this lock rarely.
//
// Its length is also kept in an atomic, so that a worker can see that the
// injector is empty without taking the lock: every worker looks at least
// once every two fairness intervals of 61 ticks (work_stealing_scheduler.hpp),
// busy or not.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "art/run_queue.hpp"

namespace art {

// ANCHOR: injector
class Injector {
 public:
  // From outside the runtime: false once closed (the caller keeps the entry).
  // `while_locked` runs before the lock is released: once it is, a shutdown
  // may drain the entry and free everything, this injector included.
  template <class WhileLocked>
  bool push(TaskHeader* task, WhileLocked while_locked) noexcept;
  // A full deque's overflow, from a worker: accepted even when closed, since
  // the drain after the workers stop empties the injector too.
  void push_batch(RunQueue& batch, std::size_t count) noexcept;
  // Up to `max` entries: the first is returned, the others appended to `rest`.
  TaskHeader* pop_batch(std::size_t max, RunQueue& rest);
  TaskHeader* pop();  // one entry, or nullptr: for the drain

  void close();
  bool looks_empty() const { return length_hint() == 0; }
  std::size_t length_hint() const { return length_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  RunQueue queue_;       // guarded by mutex_
  bool closed_ = false;  // guarded by mutex_
  // Written under mutex_, read without it. Relaxed: a hint for whether to
  // take the lock. A worker that reads a stale zero and goes to sleep reads
  // it again after announcing its sleep (idle_workers.hpp), and that read
  // is ordered after the push by the idle word's read-modify-writes.
  std::atomic<std::size_t> length_{0};
};
// ANCHOR_END: injector

template <class WhileLocked>
bool Injector::push(TaskHeader* task, WhileLocked while_locked) noexcept {
  std::lock_guard lock(mutex_);
  if (closed_)
    return false;
  queue_.push(task);
  length_.store(length_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  while_locked();
  return true;
}

}  // namespace art
