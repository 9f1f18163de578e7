// shared_queue_scheduler.hpp: one run queue for all workers, under a mutex.
//
// The simplest multi-threaded scheduler, and what Asio does when several
// threads run one io_context: every task goes into one FIFO queue, every
// worker takes the next task from it, and a worker that finds it empty
// sleeps on a condition variable.
//
// The parking invariant holds by construction: a worker decides to sleep
// while it holds the mutex (the queue is empty and the scheduler open), and
// condition_variable::wait releases the mutex and starts sleeping as one
// step. schedule() pushes under the same mutex, so either the worker saw
// the task, or it was already waiting when schedule() notified it.
//
// Its cost is the lesson: every schedule and every next_task takes the one
// mutex, so two workers spend their time passing its cache line back and
// forth, and a third would only add to the queue for the lock.
#pragma once

#include <atomic>
#include <cstddef>

#include "art/interleaving_hook.hpp"
#include "art/run_queue.hpp"
#include "art/scheduler.hpp"

namespace art {

// ANCHOR: shared_queue
class SharedQueueScheduler final : public Scheduler {
 public:
  void start(std::size_t /*workers*/) override {}
  bool schedule(TaskHeader* task) noexcept override;
  TaskHeader* next_task(std::size_t worker) override;
  void close() override;
  TaskHeader* drain() override;
  std::size_t parks() const override { return parks_.load(std::memory_order_relaxed); }

 private:
  // std::mutex and std::condition_variable (see interleaving_hook.hpp)
  SchedulerMutex mutex_;
  SchedulerCondition work_arrived_;
  RunQueue queue_;            // guarded by mutex_, as are the next two
  std::size_t sleepers_ = 0;  // workers inside wait(): only then is notify worth its cost
  bool closed_ = false;
  // A statistic, read without the lock: relaxed is enough, nothing is
  // published through it.
  std::atomic<std::size_t> parks_{0};
};
// ANCHOR_END: shared_queue

}  // namespace art
