#include "art/work_stealing_scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "art/task_header.hpp"
#include "art/trace.hpp"

namespace art {

namespace {

// Which scheduler's worker the calling thread is, if any. Set by the worker
// itself in next_task, read by schedule() on the same thread: a task that
// wakes another task from a worker pushes into that worker's own deque.
struct CurrentWorker {
  const WorkStealingScheduler* scheduler = nullptr;
  std::size_t index = 0;
};
thread_local CurrentWorker current_worker_of_thread;

std::uint64_t next_random(
    std::uint64_t& state) {  // xorshift64: cheap, good enough to pick a victim
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

}  // namespace

void WorkStealingScheduler::start(std::size_t workers) {
  if (workers_ != nullptr)
    throw std::logic_error(
        "WorkStealingScheduler::start called twice: a scheduler serves one runtime");
  if (workers == 0)
    throw std::invalid_argument("WorkStealingScheduler::start needs at least one worker");
  if (workers > kMaxWorkers)
    throw std::invalid_argument(
        "WorkStealingScheduler::start: asked for " + std::to_string(workers) +
        " workers, at most " + std::to_string(kMaxWorkers) +
        " are allowed (a negative count converted to size_t looks like this)");
  idle_ = std::make_unique<IdleWorkers>(workers);
  workers_ = std::make_unique<Worker[]>(workers);  // NOLINT(modernize-avoid-c-arrays)
  for (std::size_t w = 0; w < workers; ++w) {
    workers_[w].random = 0x9e37'79b9'7f4a'7c15U * (w + 1);  // distinct, never zero
    workers_[w].parker.use_driver(driver_);
  }
  worker_count_ = workers;
}

bool WorkStealingScheduler::drive(Driver& driver) {
  if (workers_ != nullptr)
    throw std::logic_error("WorkStealingScheduler::drive: call it before start");
  driver_ = &driver;
  return true;
}

WorkStealingScheduler::Worker& WorkStealingScheduler::worker(std::size_t index) const {
  if (workers_ == nullptr)
    throw std::logic_error("WorkStealingScheduler: start it before asking for a worker");
  if (index >= worker_count_)
    throw std::out_of_range("WorkStealingScheduler: no worker " + std::to_string(index) +
                            " among " + std::to_string(worker_count_));
  return workers_[index];
}

WorkStealingScheduler::Worker* WorkStealingScheduler::current_worker() noexcept {
  const CurrentWorker& current = current_worker_of_thread;
  return current.scheduler == this ? &workers_[current.index] : nullptr;
}

// ANCHOR: ws_schedule
bool WorkStealingScheduler::schedule(TaskHeader* task) noexcept {
  if (worker_count_ == 0)
    return false;  // not started: refused as if closed
  Worker* me = current_worker();
  if (me == nullptr)  // from outside: the injector, and a wake while it is locked
    return injector_.push(task, [this] { wake_one(); });
  if (closed_.load(std::memory_order_acquire))
    return false;
  if (me->turning) {  // an event of this worker's turn of the driver
    me->turn_batch.push(task);
    ++me->turn_batch_size;
    return true;
  }
  push_local(*me, task);
  wake_one();  // a worker may sleep while this one has more than it can run
  return true;
}

void WorkStealingScheduler::wake_one() noexcept {
  if (const std::optional<std::size_t> sleeper = idle_->worker_to_wake())
    workers_[*sleeper].parker.unpark();
}
// ANCHOR_END: ws_schedule

// ANCHOR: ws_overflow
void WorkStealingScheduler::push_local(Worker& me, TaskHeader* task) noexcept {
  if (!me.deque.push(task))
    overflow(me, task);
}

// The deque is full: its older half moves to the injector with the new
// entry, in one batch, where every worker can reach them, and the lock is
// taken once for all. (tokio's local queue does the same.)
void WorkStealingScheduler::overflow(Worker& me, TaskHeader* task) noexcept {
  RunQueue batch;
  std::size_t count = 0;
  while (count < kDequeCapacity / 2) {
    const Deque::Stolen oldest = me.deque.steal();  // from our own top: the oldest
    if (oldest.item == nullptr) {
      if (oldest.contended)
        continue;  // a thief took it: try the next one
      break;       // thieves emptied it meanwhile
    }
    batch.push(oldest.item);
    ++count;
  }
  batch.push(task);
  injector_.push_batch(batch, count + 1);
}
// ANCHOR_END: ws_overflow

// ANCHOR: ws_next_task
// ANCHOR: ws_worker_loop
TaskHeader* WorkStealingScheduler::next_task(std::size_t index) {
  Worker& me = worker(index);
  current_worker_of_thread = {this, index};
  for (;;) {
    if (closed_.load(std::memory_order_acquire)) {
      current_worker_of_thread = {};
      return nullptr;  // what is still queued is drained, not run
    }
    turn_while_busy(me);
    TaskHeader* task = take_own(index);
    if (task == nullptr)
      task = search(index);
    if (task != nullptr) {
      found_work(me);
      return task;
    }
    park(index);
  }
}
// ANCHOR_END: ws_worker_loop

// ANCHOR: ws_take_own
TaskHeader* WorkStealingScheduler::take_own(std::size_t index) {
  Worker& me = workers_[index];
  if (++me.tick % kFairnessInterval == 0) {  // the fairness guard
    // Its two looks take turns going first. With the injector always first,
    // an entry from outside before every guard tick would starve our oldest.
    // (The tick wraps at 2^32 = 61 * 70'409'299 + 57: that once, the guard
    // comes 4 ticks early, and the turns still alternate, as 70'409'299 is odd.)
    const bool injector_first = me.tick / kFairnessInterval % 2 == 1;
    if (injector_first) {
      if (TaskHeader* task = take_one_injected())
        return task;
    }
    if (TaskHeader* task = me.deque.steal().item)  // our own oldest
      return task;
  }  // and on the own oldest's turn, an empty deque leads to the injector below
  if (TaskHeader* task = me.deque.pop())
    return task;
  return take_injected(me);
}
// ANCHOR_END: ws_take_own

// ANCHOR: ws_take_injected
TaskHeader* WorkStealingScheduler::take_injected(Worker& me) {
  // A fair share of what waits there, so that the other workers find some
  // too; the rest of the batch goes into our deque, where they can steal it.
  const std::size_t share =
      std::min(injector_.length_hint() / worker_count_ + 1, kDequeCapacity / 2);
  RunQueue rest;
  TaskHeader* first = injector_.pop_batch(share, rest);
  if (rest.empty())
    return first;
  while (TaskHeader* task = rest.pop())
    push_local(me, task);
  wake_one();  // there is more here than this worker runs next: share it
  return first;
}
// ANCHOR_END: ws_take_injected
// ANCHOR_END: ws_next_task

// ANCHOR: ws_search
// ANCHOR: ws_search_loop
TaskHeader* WorkStealingScheduler::search(std::size_t index) {
  Worker& me = workers_[index];
  if (!me.searching) {
    if (!idle_->try_start_searching())
      return nullptr;  // half the workers search already: park instead
    me.searching = true;
  }
  const std::size_t start = next_random(me.random) % worker_count_;
  for (std::size_t i = 0; i < worker_count_; ++i) {
    const std::size_t victim = (start + i) % worker_count_;
    if (victim == index)
      continue;
    if (TaskHeader* task = steal_half(me, workers_[victim]))
      return task;
  }
  return take_injected(me);
}
// ANCHOR_END: ws_search_loop

// ANCHOR: ws_steal_half
// A searcher's raid on one victim: a task to run now, or nullptr. Our own
// deque is empty (we are searching), so there is room for what we bring.
TaskHeader* WorkStealingScheduler::steal_half(Worker& me, Worker& victim) {
  const std::size_t available = victim.deque.size_hint();
  const std::size_t wanted = available - available / 2;
  TaskHeader* first = nullptr;
  std::size_t taken = 0;
  while (taken < wanted) {
    const Deque::Stolen stolen = victim.deque.steal();
    if (stolen.item == nullptr) {
      if (stolen.contended)
        continue;
      break;
    }
    if (first == nullptr)
      first = stolen.item;
    else
      push_local(me, stolen.item);
    ++taken;
  }
  if (taken > 0) {
    me.steals.fetch_add(taken, std::memory_order_relaxed);  // a statistic
    trace::instant("steal", first->id().value);
  }
  return first;
}
// ANCHOR_END: ws_steal_half

// ANCHOR: ws_found_work
void WorkStealingScheduler::found_work(Worker& me) {
  if (!me.searching)
    return;
  me.searching = false;
  if (idle_->stop_searching())
    wake_one();  // the last searcher hands the search on: more may be left
}
// ANCHOR_END: ws_found_work
// ANCHOR_END: ws_search

// ANCHOR: ws_park
void WorkStealingScheduler::park(std::size_t index) {
  Worker& me = workers_[index];
  idle_->to_parked(index, me.searching);
  me.searching = false;
  // The invariant's second half: look once more, after the announcement.
  // Work found now wakes a sleeper, perhaps this very worker, whose park
  // below then returns at once.
  if (work_anywhere())
    wake_one();
  WorkerParker::Slept slept{};
  do {
    me.parks.fetch_add(1, std::memory_order_relaxed);  // a statistic
    trace::park();
    me.turning = true;  // if it sleeps in the driver, its events stay here
    slept = me.parker.park();
    me.turning = false;
    trace::unpark();
  } while (!back_from_park(index, slept));
}
// ANCHOR_END: ws_park

// ANCHOR: ws_back_from_park
// Why did the park end, and is this worker awake now? Three answers:
//
//   * its turn of the driver woke tasks (into its turn's batch): it
//     unlists itself (awake, not searching: it did not come to look for
//     others' work), publishes the batch to the injector, and wakes a
//     sleeper if the batch holds more than it runs next;
//   * a publisher's wake_one took it off the list (counted awake and
//     searching), or close() woke it: it goes back to the loop, searching;
//   * it is still listed: a turn that woke nothing here (a timer of a task
//     elsewhere, an interrupt meant for an earlier holder) or a wake_one's
//     unpark that arrived after it had left an earlier park on its own.
//     It sleeps again, still counted asleep.
bool WorkStealingScheduler::back_from_park(std::size_t index, WorkerParker::Slept slept) {
  Worker& me = workers_[index];
  if (slept == WorkerParker::Slept::in_driver && me.turn_batch_size > 0) {
    me.searching = !idle_->unlist(index);
    publish_turn_batch(me, 2);  // the first is this worker's to run next
    return true;
  }
  if (closed_.load(std::memory_order_acquire) || !idle_->is_listed(index)) {
    me.searching = true;
    return true;
  }
  return false;
}
// ANCHOR_END: ws_back_from_park

// ANCHOR: ws_turn_while_busy
// A worker that is not parked takes a non-blocking turn of the driver
// every kFairnessInterval tasks, if nobody holds it: events and timers are
// seen even while every worker is busy.
void WorkStealingScheduler::turn_while_busy(Worker& me) {
  if (driver_ == nullptr || ++me.since_turn < kFairnessInterval)
    return;
  me.since_turn = 0;
  if (!driver_->try_acquire())
    return;  // another worker is turning it, or sleeping in it
  me.turning = true;
  driver_->turn(false);
  me.turning = false;
  driver_->release();
  // This worker goes back to its own deque, not to what the turn woke:
  // a sleeper is woken even for one task.
  publish_turn_batch(me, 1);
}
// ANCHOR_END: ws_turn_while_busy

// ANCHOR: ws_publish_turn_batch
// What a turn woke goes to the injector in one batch, in the order of its
// events: first come, first polled, by whichever worker takes it. (Pushed
// onto this worker's deque, the newest event's task would run first, and
// under a steady stream of events the oldest could wait for many turns.)
// One wake_one for the batch, if it holds at least `share_from` tasks (more
// than this worker will run next): the parking invariant's publisher side,
// for all of it at once.
void WorkStealingScheduler::publish_turn_batch(Worker& me,
                                               std::size_t share_from) noexcept {
  const std::size_t woken = std::exchange(me.turn_batch_size, 0);
  if (woken == 0)
    return;
  injector_.push_batch(me.turn_batch, woken);
  if (woken >= share_from)
    wake_one();
}
// ANCHOR_END: ws_publish_turn_batch

bool WorkStealingScheduler::work_anywhere() const {
  if (!injector_.looks_empty())
    return true;
  for (std::size_t w = 0; w < worker_count_; ++w)
    if (workers_[w].deque.size_hint() > 0)
      return true;
  return false;
}

// ANCHOR: ws_close
void WorkStealingScheduler::close() {
  closed_.store(true, std::memory_order_release);
  injector_.close();
  for (std::size_t w = 0; w < worker_count_; ++w)
    workers_[w].parker.unpark();  // asleep or not: its next park returns at once
}

TaskHeader* WorkStealingScheduler::drain() {
  // The workers have stopped (joined): their deques are ours to pop.
  for (std::size_t w = 0; w < worker_count_; ++w)
    if (TaskHeader* task = workers_[w].deque.pop())
      return task;
  return injector_.pop();
}
// ANCHOR_END: ws_close

std::size_t WorkStealingScheduler::parks() const {
  std::size_t total = 0;
  for (std::size_t w = 0; w < worker_count_; ++w)
    total += workers_[w].parks.load(std::memory_order_relaxed);
  return total;
}

std::size_t WorkStealingScheduler::parks_of(std::size_t worker) const {
  return this->worker(worker).parks.load(std::memory_order_relaxed);  // a statistic
}

std::size_t WorkStealingScheduler::steals() const {
  std::size_t total = 0;
  for (std::size_t w = 0; w < worker_count_; ++w)
    total += workers_[w].steals.load(std::memory_order_relaxed);
  return total;
}

}  // namespace art
