// work_stealing_scheduler.hpp: every worker its own deque; the idle rob the busy.
//
// Chapter 08 gave each worker its own queue and lost the shared queue's best
// property: a worker with nothing to do could not help one with too much.
// Work stealing keeps the private queues and gives that property back. A
// task scheduled by a worker goes into that worker's own deque, where no
// other worker's lock or cache line is in the way. A worker whose deque is
// empty looks in the injector (tasks from outside the runtime), then steals
// half of another worker's deque, starting at a random victim. Only when
// all of that finds nothing does it park.
//
// Where a worker looks for its next task, in order:
//
//   1. its own deque, newest first (the task just woken runs next, while
//      what it touched is still in this core's cache)
//   2. the injector, a batch at a time
//   3. searching: half of a victim's deque, victims from a random start,
//      then the injector once more
//   4. parking, under the invariant of idle_workers.hpp; from chapter 12
//      in the reactor's driver if nobody holds it (worker_parker.hpp),
//      and then the tasks its events wake go to the injector in the
//      order of their events, and the worker takes them from there
//
// and once every 61 ticks, before all of that, the fairness guard takes the
// oldest work there is: the injector's or its own deque's, each first in
// turn, one task. (Before chapter 12 it took a share of the injector; a
// steady stream of events through the injector turned that into a deque
// that overflowed its oldest tasks back to the injector's tail.) A deque
// popped newest-first can keep an old task waiting for as long as new ones
// arrive (a task that yields is the newest again at once), and a busy
// worker might never look at the injector. Go's scheduler checks its global
// queue on the same tick (schedtick % 61), as tokio's did before it began
// to tune the interval from measured poll times; a prime, so that the look
// does not fall into step with a task that runs a fixed cycle of polls
// (every 64th tick could meet the same task of a cycle of 8, 16, 32 or 64,
// every time). A worker that drives the reactor also turns it, without
// waiting, every 61 tasks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "art/chase_lev_deque.hpp"
#include "art/idle_workers.hpp"
#include "art/injector.hpp"
#include "art/scheduler.hpp"
#include "art/worker_parker.hpp"

namespace art {

// ANCHOR: work_stealing
class WorkStealingScheduler : public Scheduler {
 public:
  static constexpr std::size_t kDequeCapacity = 256;  // tokio's, too
  static constexpr std::uint32_t kFairnessInterval = 61;
  // More than any machine has cores: a larger count is a mistake, such as a
  // negative number turned into a size_t. (IdleWorkers counts in 32 bits.)
  static constexpr std::size_t kMaxWorkers = 4096;

  void start(std::size_t workers) override;
  // Idle workers sleep in the driver (worker_parker.hpp), busy ones turn it
  // every kFairnessInterval tasks.
  bool drive(Driver& driver) override;
  bool schedule(TaskHeader* task) noexcept override;  // own deque, or the injector
  TaskHeader* next_task(std::size_t worker) override;
  void close() override;
  TaskHeader* drain() override;
  std::size_t parks() const override;

  std::size_t parks_of(std::size_t worker) const;  // for tests and the demo
  std::size_t steals() const;  // tasks taken from another worker's deque
  const IdleWorkers& idle() const { return *idle_; }  // for tests

 protected:  // for a scheduler that changes where a worker looks first
  using Deque = ChaseLevDeque<TaskHeader, kDequeCapacity>;

  struct alignas(64) Worker {
    Deque deque;
    WorkerParker parker;
    // Touched by the worker's own thread only.
    std::uint32_t tick = 0;
    std::uint32_t since_turn = 0;  // tasks taken since this worker turned the driver
    bool searching = false;
    // Inside a turn of the driver: what its events wake stays in this
    // deque without waking anyone, and is shared once the turn is over.
    bool turning = false;
    RunQueue turn_batch;  // what the turn woke, in the order of its events
    std::size_t turn_batch_size = 0;
    std::uint64_t random = 0;  // xorshift state: where to start stealing
    // Statistics, read by other threads: relaxed, they publish nothing.
    std::atomic<std::size_t> parks{0};
    std::atomic<std::size_t> steals{0};
  };

  Worker& worker(std::size_t index) const;  // throws for one we do not have
  std::size_t worker_count() const { return worker_count_; }
  // A worker's first look, before searching other workers' deques.
  virtual TaskHeader* take_own(std::size_t index);
  TaskHeader* take_injected(Worker& me);
  // The fairness guard's look: the injector's oldest entry, one only. A
  // fair share there would move more into the deque than a guard's
  // interval runs, and under a steady stream from outside (a reactor's
  // events) the deque would fill and send its oldest entries back to the
  // injector's tail, to wait again. Go's scheduler takes one there too.
  TaskHeader* take_one_injected() { return injector_.pop(); }

 private:
  Worker* current_worker() noexcept;  // the caller's Worker, if it is one of ours
  void push_local(Worker& me, TaskHeader* task) noexcept;
  void overflow(Worker& me, TaskHeader* task) noexcept;
  TaskHeader* search(std::size_t index);
  TaskHeader* steal_half(Worker& me, Worker& victim);
  void found_work(Worker& me);
  void park(std::size_t index);
  bool back_from_park(std::size_t index, WorkerParker::Slept slept);
  void turn_while_busy(Worker& me);
  void publish_turn_batch(Worker& me, std::size_t share_from) noexcept;
  bool work_anywhere() const;
  void wake_one() noexcept;

  std::unique_ptr<Worker[]> workers_;  // NOLINT(modernize-avoid-c-arrays): cannot move
  std::size_t worker_count_ = 0;
  std::unique_ptr<IdleWorkers> idle_;
  Injector injector_;
  Driver* driver_ = nullptr;  // the reactor, if the runtime gave it (drive)
  // Release by close(), acquire by the workers: a worker that sees it stops.
  std::atomic<bool> closed_{false};
};
// ANCHOR_END: work_stealing

}  // namespace art
