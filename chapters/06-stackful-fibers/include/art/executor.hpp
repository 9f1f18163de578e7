// executor.hpp: a single-threaded executor for many tasks.
//
// block_on drives one future. An executor drives any number of them, each
// spawned as a task: a future that lives on its own, is polled when it is
// woken, and hands its result to a JoinHandle.
//
//     art::Executor executor;
//     auto handle = executor.spawn(fetch(1));       // a Task<int>, or any future
//     int n = executor.block_on(sum_of(std::move(handle)));
//
// The executor's loop is chapter 01's block_on loop with a queue in the
// middle: pop a ready task, poll it, repeat; when nothing is ready, sleep
// until another thread sends a task or a wake through the channel.
//
//   run()                runs until every task is done (sleeping while they wait)
//   run_until_stalled()  runs until no task is ready, then returns; never sleeps
//   block_on(f)          spawns f and runs until f is done, and no longer: other
//                        tasks still ready stay queued for the next run; returns
//                        f's output. Refused inside one of the executor's tasks.
//   shutdown()           cancels every task still alive (also in ~Executor)
//
// Tasks spawn more tasks with art::spawn(f), which finds the executor running
// on this thread. Other threads use a Spawner: a copyable handle that sends
// new tasks through the channel.
//
// The Executor belongs to the thread that created it, its owner: the only
// thread that runs it (run, run_until_stalled, block_on), spawns with
// Executor::spawn, aborts and shuts it down. Those throw std::logic_error on
// any other thread, before they change anything (~Executor cannot throw, so
// it shuts down wherever the Executor is destroyed).
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/executor_core.hpp"
#include "art/executor_metrics.hpp"
#include "art/future.hpp"
#include "art/join_handle.hpp"
#include "art/task_cell.hpp"

namespace art {

template <class F>
using SpawnedOutput = typename std::decay_t<F>::Output;

// ANCHOR: spawn_task
// Every way to spawn ends here: build the task in a slot, keep a handle,
// hand it over on the executor's own path (`local`) or through the channel.
template <class F>
JoinHandle<SpawnedOutput<F>> spawn_task(ExecutorCore& core, F&& future, bool local) {
  auto* task = core.make_task(std::decay_t<F>(std::forward<F>(future)));
  JoinHandle<SpawnedOutput<F>> handle(task);
  if (local) {
    core.spawn_local(task);
  } else {
    core.spawn_remote(task);
  }
  return handle;
}
// ANCHOR_END: spawn_task

// ANCHOR: spawner
class Spawner {
 public:
  explicit Spawner(std::shared_ptr<ExecutorCore> core) : core_(std::move(core)) {}

  // From any thread. Throws ExecutorShutDown once the executor shut down.
  template <class F>
  requires Future<std::decay_t<F>> JoinHandle<SpawnedOutput<F>> spawn(F&& future) {
    return spawn_task(*core_, std::forward<F>(future), core_->is_current());
  }

 private:
  std::shared_ptr<ExecutorCore> core_;
};
// ANCHOR_END: spawner

// ANCHOR: executor
class Executor {
 public:
  Executor() : core_(std::make_shared<ExecutorCore>()) {}
  ~Executor();  // shutdown(); reports (never throws) a failure
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  template <class F>
  requires Future<std::decay_t<F>> JoinHandle<SpawnedOutput<F>> spawn(F&& future) {
    core_->require_owner("spawn");  // other threads: spawner().spawn(f)
    return spawn_task(*core_, std::forward<F>(future), true);
  }

  Spawner spawner() const { return Spawner(core_); }

  void run();
  std::size_t run_until_stalled();  // returns the number of tasks still alive
  template <class F>
  requires Future<std::decay_t<F>> SpawnedOutput<F> block_on(F&& future);
  void shutdown() {
    core_->require_owner("shutdown");  // ~Executor shuts down wherever it runs
    core_->shutdown();
  }
  // Cancels the task `id` names, unless it is done or running, or the id is
  // stale or names another executor's task.
  bool abort(TaskId id) {
    core_->require_owner("abort");
    return core_->abort(id);
  }

  const ExecutorMetrics& metrics() const { return core_->metrics(); }
  std::size_t live_tasks() const { return core_->live_tasks(); }
  std::size_t task_slots() const { return core_->slab().capacity(); }

 private:
  std::shared_ptr<ExecutorCore> core_;
};
// ANCHOR_END: executor

// ANCHOR: block_on
template <class F>
requires Future<std::decay_t<F>> SpawnedOutput<F> Executor::block_on(F&& future) {
  core_->require_owner("block_on");  // both refusals come before anything runs
  if (core_->is_running())
    throw std::logic_error(
        "block_on called from inside one of this executor's tasks: await the future instead");
  JoinHandle<SpawnedOutput<F>> handle = spawn(std::forward<F>(future));
  for (;;) {
    core_->run_ready(handle.task_);  // returns as soon as this task is done
    if (handle.is_finished())
      break;
    core_->wait_for_remote_work();  // every task waits on another thread
  }
  const Waker waker = noop_waker();  // the task is done: this poll is Ready
  Context cx(waker);
  if constexpr (std::is_void_v<SpawnedOutput<F>>) {
    handle.poll(cx);
  } else {
    return std::move(handle.poll(cx)).value();
  }
}
// ANCHOR_END: block_on

// ANCHOR: spawn
// Spawns onto the executor that is running the calling task.
template <class F>
requires Future<std::decay_t<F>> JoinHandle<SpawnedOutput<F>> spawn(F&& future) {
  ExecutorCore* core = ExecutorCore::current();
  if (core == nullptr)
    throw std::logic_error("art::spawn called outside a running executor");
  return spawn_task(*core, std::forward<F>(future), true);
}
// ANCHOR_END: spawn

}  // namespace art
