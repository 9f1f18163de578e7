#include "art/runtime_core.hpp"

#include <exception>
#include <string>

#include "art/log.hpp"
#include "art/trace.hpp"

namespace art {

namespace {

// Read only through RuntimeCore::current(), a call into this file: a fiber
// that waits may resume on another worker, and an address of a thread_local
// computed before the switch would name the old thread's variable.
thread_local RuntimeCore* current_runtime = nullptr;

}  // namespace

RuntimeCore* RuntimeCore::current() { return current_runtime; }

namespace {

// A bucket of 0 would refuse every leaf for ever: its task would be woken
// and polled again without end, and never finish. One of more than
// Budget::kMaxTokens is most likely a mistake (-1 converted to a count), and
// would no longer bound anything: at tens of nanoseconds a leaf, 65,536
// ready leaves already hold a worker for a millisecond or more.
std::uint32_t checked_budget(std::uint32_t tokens) {
  if (tokens == 0)
    throw std::invalid_argument(
        "a runtime's budget must be at least 1 token: with 0, no leaf future could ever "
        "answer Ready; to let one future run without a budget, wrap it in "
        "art::unconstrained");
  if (tokens > Budget::kMaxTokens)
    throw std::invalid_argument("a runtime's budget of " + std::to_string(tokens) +
                                " tokens is more than the most allowed, " +
                                std::to_string(Budget::kMaxTokens) +
                                ": a bucket that large no longer bounds a poll; use "
                                "art::unconstrained to opt a future out instead");
  return tokens;
}

}  // namespace

RuntimeCore::RuntimeCore(std::size_t workers, std::unique_ptr<Scheduler> scheduler,
                         std::uint32_t budget_tokens, ReactorPlacement placement)
    : worker_count_(workers),
      budget_tokens_(checked_budget(budget_tokens)),
      placement_(placement),
      scheduler_(std::move(scheduler)),
      reactor_(Reactor::create()),
      owned_(4 * workers),
      counters_(std::make_unique<WorkerCounters[]>(workers + 1)) {
  if (workers == 0)
    throw std::invalid_argument("a runtime needs at least one worker");
  if (!scheduler_)
    throw std::invalid_argument("a runtime needs a scheduler");
  if (placement_ == ReactorPlacement::workers && !scheduler_->drive(*reactor_))
    throw std::invalid_argument(
        "this scheduler cannot let its workers drive the reactor (the work-stealing and "
        "hybrid schedulers can): ask for ReactorPlacement::own_thread in RuntimeOptions");
}

void RuntimeCore::start() {
  if (placement_ == ReactorPlacement::own_thread)
    reactor_->start();
  scheduler_->start(worker_count_);
  threads_.reserve(worker_count_);
  for (std::size_t i = 0; i < worker_count_; ++i)
    threads_.emplace_back([this, i] { run_worker(i); });
}

TaskId RuntimeCore::new_task_id() {
  return TaskId{next_id_.fetch_add(1, std::memory_order_relaxed)};
}

void RuntimeCore::release() {
  if (lifetime_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

// ANCHOR: admit
void RuntimeCore::admit(TaskHeader* task) {
  if (!owned_.insert(task)) {
    task->release(3);  // nobody else knows it: it goes, with its future
    throw RuntimeShutDown();
  }
  schedule(task);
}

void RuntimeCore::schedule(TaskHeader* task) {
  if (!scheduler_->schedule(task))
    task->release();  // shut down: the entry's reference goes with the entry
}
// ANCHOR_END: admit

// ANCHOR: worker_loop
void RuntimeCore::run_worker(std::size_t index) {
  current_runtime = this;
  trace::name_thread("worker " + std::to_string(index));
  WorkerCounters& counters = counters_[index];
  while (TaskHeader* task = scheduler_->next_task(index))
    run_task(task, counters);
  current_runtime = nullptr;
}
// ANCHOR_END: worker_loop

// ANCHOR: run_task
void RuntimeCore::run_task(TaskHeader* task, WorkerCounters& counters) {
  switch (task->state().to_running()) {
    case TaskStateWord::ToRunning::not_yours:
      task->release();  // completed by shutdown while it was queued
      return;
    case TaskStateWord::ToRunning::cancel:
      cancel(task, counters);
      return;
    case TaskStateWord::ToRunning::run:
      break;
  }
  WorkerCounters::bump(counters.polls);
  trace::poll_begin(task->id().value);
  bool finished = false;
  {
    const TaskHeader::LentWaker waker = task->lend_waker();
    // A bucket of this poll's own, on the worker's stack, lent through the
    // Context beside the waker; it goes when the poll ends.
    Budget budget(budget_tokens_);
    Context cx(waker.get(), budget);
    finished = task->poll_future(cx);
  }
  trace::poll_end(task->id().value);
  if (finished) {
    WorkerCounters::bump(counters.completed);
    complete(task, true);
    return;
  }
  switch (task->state().to_idle()) {
    case TaskStateWord::ToIdle::idle:
      task->release();  // the next wake makes a new entry
      return;
    case TaskStateWord::ToIdle::requeue:
      schedule(task);  // woken during the poll: the same entry goes back
      return;
    case TaskStateWord::ToIdle::cancel:
      cancel(task, counters);
      return;
  }
}
// ANCHOR_END: run_task

// ANCHOR: complete
void RuntimeCore::cancel(TaskHeader* task, WorkerCounters& counters) {
  task->drop_future();  // with RUNNING held: nobody else touches it
  WorkerCounters::bump(counters.cancelled);
  complete(task, true);
}

// The output is stored (or the future destroyed): publish it, wake the
// joiner if it left a waker, leave the list. `listed`: the caller holds the
// queue entry's reference besides the list's.
void RuntimeCore::complete(TaskHeader* task, bool listed) {
  const TaskStateWord::Snapshot before = task->state().to_complete();
  if (!before.join_interest())
    task->drop_output();  // no JoinHandle: free it here, not with the last waker
  else if (before.join_waker())
    wake_joiner(task);  // the slot is ours to read: the joiner cannot write it now
  if (listed)
    owned_.remove(task);
  task->release(listed ? 2 : 1);
}
// ANCHOR_END: complete

// A waker is the user's code: if it throws, the worker (or the shutdown)
// must still finish what it was doing.
void RuntimeCore::wake_joiner(TaskHeader* task) noexcept {
  try {
    task->wake_joiner();
  } catch (const std::exception& error) {
    logger().error("task {}: its joiner's waker threw: {}", task->id().value,
                   error.what());
  } catch (...) {
    logger().error("task {}: its joiner's waker threw", task->id().value);
  }
}

// ANCHOR: shutdown
void RuntimeCore::shutdown() {
  if (current() == this)
    throw std::logic_error(
        "Runtime::shutdown called from one of its own workers: it would wait for itself");
  if (shutting_down_on_.load(std::memory_order_relaxed) == std::this_thread::get_id())
    throw std::logic_error(
        "Runtime::shutdown called during the shutdown itself (by a destructor or a "
        "waker it ran): it is already under way");
  std::lock_guard lock(shutdown_mutex_);
  if (shut_down_)
    return;
  shut_down_ = true;
  shutting_down_on_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  owned_.close();       // 1. no spawn gets in any more
  scheduler_->close();  // 2. every worker finishes the poll it is in, and stops
  for (std::thread& thread : threads_)
    thread.join();
  while (TaskHeader* task = owned_.pop_any())  // 3. cancel what is left
    shut_down_task(task);
  while (TaskHeader* task = scheduler_->drain())  // 4. drop the queue entries
    task->release();
  reactor_->stop();  // 5. no task is left to wait: fail the waits of the rest
  shutting_down_on_.store({}, std::memory_order_relaxed);
  flush_trace();
}

// The trace (ART_TRACE) is written at exit anyway; writing it here too puts
// a finished run on disk even if the program never exits normally.
void RuntimeCore::flush_trace() noexcept {
  if (!trace::enabled())
    return;
  try {
    trace::flush();
  } catch (const std::exception& error) {
    logger().error("trace: {}", error.what());
  }
}

void RuntimeCore::shut_down_task(TaskHeader* task) {
  if (!task->state().to_shutdown()) {
    task->release();  // it completed: only the list's reference was left
    return;
  }
  task->drop_future();
  WorkerCounters::bump(counters_[worker_count_].cancelled);
  complete(task, false);  // out of the list already; any queue entry stays queued
}
// ANCHOR_END: shutdown

RuntimeMetrics RuntimeCore::metrics() const {
  RuntimeMetrics total;
  for (std::size_t i = 0; i <= worker_count_; ++i) {
    total.polls += counters_[i].polls.load(std::memory_order_relaxed);
    total.completed += counters_[i].completed.load(std::memory_order_relaxed);
    total.cancelled += counters_[i].cancelled.load(std::memory_order_relaxed);
  }
  total.parks = scheduler_->parks();
  return total;
}

}  // namespace art
