// runtime.hpp: a multi-threaded runtime, and the ways into it.
//
//     art::Runtime runtime(2);                         // two worker threads
//     auto handle = runtime.spawn(fetch(1));            // from any thread
//     int n = runtime.block_on(sum_of(std::move(handle)));
//
// Chapter 06's Executor ran its tasks on the thread that owned it. A Runtime
// owns worker threads, and its tasks run on whichever worker the Scheduler
// gives them to; the thread that created it only starts things and waits:
//
//   spawn(f)      from any thread; the task is queued at once
//   block_on(f)   spawns f and parks the calling thread until it is done;
//                 refused on the runtime's own workers (it would block one)
//   spawner()     a copyable handle that spawns from anywhere, even after
//                 the Runtime is gone (then it throws RuntimeShutDown)
//   shutdown()    stops the workers, cancels every task still alive, tells
//                 every joiner (also in ~Runtime); refused on a worker
//
// Inside a task, art::spawn(f) spawns onto the runtime running it.
//
// From chapter 11 every poll of a task gets a cooperative budget (budget.hpp)
// of 128 tokens; RuntimeOptions sets another size:
//
//     art::Runtime runtime(art::RuntimeOptions{.workers = 1, .budget = 32});
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/block_on.hpp"
#include "art/budget.hpp"
#include "art/future.hpp"
#include "art/join_handle.hpp"
#include "art/runtime_core.hpp"
#include "art/task_cell.hpp"
#include "art/hybrid_scheduler.hpp"

namespace art {

template <class F>
using SpawnedOutput = typename std::decay_t<F>::Output;

// ANCHOR: spawn_task
// Every way to spawn ends here: build the task, list it and queue it.
template <class F>
JoinHandle<SpawnedOutput<F>> spawn_task(RuntimeCore& core, F&& future) {
  using Cell = TaskCell<std::decay_t<F>>;
  Cell* task =
      Cell::make(std::decay_t<F>(std::forward<F>(future)), &core, core.new_task_id());
  core.retain();  // the task's count: released by task_freed() when it goes
  core.admit(task);
  return JoinHandle<SpawnedOutput<F>>(task);
}
// ANCHOR_END: spawn_task

// ANCHOR: spawner
class Spawner {
 public:
  explicit Spawner(RuntimeCore* core) : core_(core) { core_->retain(); }
  Spawner(const Spawner& other) : Spawner(other.core_) {}
  Spawner& operator=(const Spawner&) = delete;
  ~Spawner() { core_->release(); }

  template <class F>
  requires Future<std::decay_t<F>> JoinHandle<SpawnedOutput<F>> spawn(F&& future) {
    return spawn_task(*core_, std::forward<F>(future));
  }

 private:
  RuntimeCore* core_;
};
// ANCHOR_END: spawner

// ANCHOR: runtime_options
struct RuntimeOptions {
  std::size_t workers = 2;
  std::unique_ptr<Scheduler> scheduler = std::make_unique<HybridScheduler>();
  // Tokens per poll of a task, 1 to Budget::kMaxTokens; others are refused.
  std::uint32_t budget = Budget::kDefaultTokens;
  // Where the reactor runs (reactor.hpp); `workers` needs a scheduler that
  // can drive it (work stealing or hybrid).
  ReactorPlacement reactor = ReactorPlacement::workers;
};
// ANCHOR_END: runtime_options

// ANCHOR: runtime
class Runtime {
 public:
  explicit Runtime(std::size_t workers = 2, std::unique_ptr<Scheduler> scheduler =
                                                std::make_unique<HybridScheduler>());
  explicit Runtime(RuntimeOptions options);
  ~Runtime();  // shutdown(); reports (never throws) a failure
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  template <class F>
  requires Future<std::decay_t<F>> JoinHandle<SpawnedOutput<F>> spawn(F&& future) {
    return spawn_task(*core_, std::forward<F>(future));
  }
  template <class F>
  requires Future<std::decay_t<F>> SpawnedOutput<F> block_on(F&& future);

  Spawner spawner() const { return Spawner(core_); }
  void shutdown() { core_->shutdown(); }

  // Where IO objects made outside the runtime's tasks register (reactor.hpp).
  Reactor& reactor() const { return core_->reactor(); }
  std::size_t workers() const { return core_->workers(); }
  ReactorPlacement reactor_placement() const { return core_->reactor_placement(); }
  std::uint32_t budget_tokens() const { return core_->budget_tokens(); }
  std::size_t live_tasks() const { return core_->live_tasks(); }
  RuntimeMetrics metrics() const { return core_->metrics(); }

 private:
  RuntimeCore* core_;
};
// ANCHOR_END: runtime

// ANCHOR: block_on
template <class F>
requires Future<std::decay_t<F>> SpawnedOutput<F> Runtime::block_on(F&& future) {
  if (RuntimeCore::current() == core_)
    throw std::logic_error(
        "Runtime::block_on called on one of its own workers: await the future instead");
  JoinHandle<SpawnedOutput<F>> handle = spawn(std::forward<F>(future));
  return art::block_on(handle);  // chapter 01's: park this thread until woken
}
// ANCHOR_END: block_on

// ANCHOR: spawn
// Spawns onto the runtime whose worker runs the calling task.
template <class F>
requires Future<std::decay_t<F>> JoinHandle<SpawnedOutput<F>> spawn(F&& future) {
  RuntimeCore* core = RuntimeCore::current();
  if (core == nullptr)
    throw std::logic_error(
        "art::spawn called outside a runtime's worker: use Runtime::spawn");
  return spawn_task(*core, std::forward<F>(future));
}
// ANCHOR_END: spawn

}  // namespace art
