#include "art/round_robin_scheduler.hpp"

#include <stdexcept>
#include <string>
#include <thread>  // the students' first version of next_task yields

#include "art/trace.hpp"

namespace art {

void RoundRobinScheduler::start(std::size_t workers) {
  if (queues_ != nullptr)
    throw std::logic_error(
        "RoundRobinScheduler::start called twice: a scheduler serves one runtime");
  if (workers == 0)
    throw std::invalid_argument("RoundRobinScheduler::start needs at least one worker");
  if (workers > kMaxWorkers)
    throw std::invalid_argument(
        "RoundRobinScheduler::start: asked for " + std::to_string(workers) +
        " workers, at most " + std::to_string(kMaxWorkers) +
        " are allowed (a negative count converted to size_t looks like this)");
  queues_ = std::make_unique<WorkerQueue[]>(workers);  // NOLINT(modernize-avoid-c-arrays)
  workers_ = workers;
}

// ANCHOR: next_worker
std::size_t RoundRobinScheduler::next_worker() noexcept {
  // EXERCISE 8.1: deal the scheduled tasks out to the workers in turn
  // HINT: schedule() is called by many threads at once. Every call must get
  // a turn of its own: two calls that read the same turn send two tasks to
  // one worker and skip the next. The turn publishes nothing; the task
  // reaches its worker through that worker's queue.
  // HINT 2: a load followed by a store is two steps, and another thread fits
  // between them; one atomic read-modify-write is one step. Then ask which
  // memory order a number that orders nothing else needs.
  // HINT 3: the turns count up for ever; the worker is the turn taken
  // modulo the number of workers.
  // STUB: return 0;  // works, but worker 0 runs everything and the others sleep
  // One read-modify-write: each caller gets a turn of its own, whatever the
  // interleaving. Relaxed: nothing is published through the counter; the
  // task reaches its worker through that queue's mutex.
  return turn_.fetch_add(1, std::memory_order_relaxed) % workers_;
  // END EXERCISE
}
// ANCHOR_END: next_worker

// ANCHOR: schedule
bool RoundRobinScheduler::schedule(TaskHeader* task) noexcept {
  if (workers_ == 0)
    return false;  // not started: no worker to take it, refused as if closed
  WorkerQueue& target = queues_[next_worker()];
  std::lock_guard lock(target.mutex);
  if (target.closed)
    return false;
  target.tasks.push(task);
  // Under the lock: once it is released, a shutdown may drain this entry,
  // free the task and with it the whole runtime, this queue included.
  if (target.sleeping)
    target.work_arrived.notify_one();  // its one sleeper is the worker we chose
  return true;
}
// ANCHOR_END: schedule

// ANCHOR: next_task
TaskHeader* RoundRobinScheduler::next_task(std::size_t worker) {
  WorkerQueue& own = queues_[worker];
  // EXERCISE 8.2: take a task from the worker's own queue, or sleep until there is one
  // HINT: the parking invariant, for one worker: it may go to sleep only if
  // no schedule() to its queue can slip in between its "my queue is empty"
  // and its sleep. Only its own queue counts: the others are not its work.
  // A closed queue answers nullptr at once, even with tasks left in it:
  // those are the shutdown's to cancel.
  // HINT 2: a condition variable may wake a thread for no reason, and
  // schedule() notifies only a worker it saw asleep: say so exactly around
  // the wait, and look again after every wake. Count each park in the
  // worker's own counter.
  // HINT 3: the shape is chapter 07's parking, for one queue: a single
  // critical section that lasts from the first look at the queue until the
  // wait releases it, and that every wake leads back into. Closed outranks
  // a task, and the sleeping mark is true exactly while the worker waits.
  // STUB: for (;;) {  // works, but spins: an idle worker burns a whole core
  // STUB:   {
  // STUB:     std::lock_guard lock(own.mutex);
  // STUB:     if (own.closed)
  // STUB:       return nullptr;
  // STUB:     if (TaskHeader* task = own.tasks.pop())
  // STUB:       return task;
  // STUB:   }
  // STUB:   std::this_thread::yield();
  // STUB: }
  std::unique_lock lock(own.mutex);
  for (;;) {
    if (own.closed)
      return nullptr;
    if (TaskHeader* task = own.tasks.pop())
      return task;
    own.sleeping = true;
    own.parks.fetch_add(1, std::memory_order_relaxed);  // a statistic: publishes nothing
    trace::park();
    own.work_arrived.wait(lock);
    trace::unpark();
    own.sleeping = false;
  }
  // END EXERCISE
}
// ANCHOR_END: next_task

// ANCHOR: close_drain
void RoundRobinScheduler::close() {
  for (std::size_t w = 0; w < workers_; ++w) {
    WorkerQueue& queue = queues_[w];
    std::lock_guard lock(queue.mutex);
    queue.closed = true;
    queue.work_arrived.notify_one();  // its worker, if it sleeps
  }
}

TaskHeader* RoundRobinScheduler::drain() {
  // EXERCISE 8.3: after close, hand back every queue's entries, one per call
  // HINT: shutdown calls drain() until it answers nullptr, and drops each
  // entry it gets. Every entry still queued, in any worker's queue, holds a
  // reference to its task: an entry left behind keeps its task alive for
  // ever.
  // HINT 2: the workers have stopped, but a wake on some other thread may
  // still reach a queue (and be refused): look into each queue the way
  // everyone else does, under its own lock. nullptr means every queue is
  // empty, so it may be said only once none holds an entry.
  // HINT 3: each call is one short walk over the queues that stops at the
  // first entry it finds; no call needs to remember where the last stopped.
  // STUB: return nullptr;  // leaves every entry behind, and its task with it
  for (std::size_t w = 0; w < workers_; ++w) {
    std::lock_guard lock(queues_[w].mutex);
    if (TaskHeader* task = queues_[w].tasks.pop())
      return task;
  }
  return nullptr;
  // END EXERCISE
}
// ANCHOR_END: close_drain

std::size_t RoundRobinScheduler::parks() const {
  std::size_t total = 0;
  for (std::size_t w = 0; w < workers_; ++w)
    total += parks_of(w);
  return total;
}

std::size_t RoundRobinScheduler::parks_of(std::size_t worker) const {
  if (worker >= workers_)
    throw std::out_of_range("RoundRobinScheduler::parks_of: no such worker");
  return queues_[worker].parks.load(std::memory_order_relaxed);  // a statistic
}

}  // namespace art
