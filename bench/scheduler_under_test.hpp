// scheduler_under_test.hpp: which scheduler a multi-threaded art program runs.
//
// A program links one chapter's library (CMakeLists.txt), and the same source is built
// once per scheduler, with one define that picks it: chapter 07's shared queue (none),
// chapter 08's round robin (ART_BENCH_ROUND_ROBIN), chapter 09's work stealing
// (ART_BENCH_WORK_STEALING) or chapter 10's hybrid (ART_BENCH_HYBRID). Every program
// builds its Runtime with runtime_under_test(), so the scheduler is always the one its
// name says, whatever that chapter's Runtime would pick by default.
//
// The workloads (threaded_art_workloads.hpp, contended.hpp, starvation.hpp) build their
// Runtime and spawn their tasks through a launch, a template parameter: here the one
// fixed when the program is built, LaunchUnderTest; compare_schedulers.cpp passes one
// that picks the scheduler and the budget at run time (configured_launch.hpp).
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "art/runtime.hpp"

#if defined(ART_BENCH_ROUND_ROBIN)
#include "art/round_robin_scheduler.hpp"
#elif defined(ART_BENCH_WORK_STEALING)
#include "art/work_stealing_scheduler.hpp"
#elif defined(ART_BENCH_HYBRID)
#include "art/hybrid_scheduler.hpp"
#else
#include "art/shared_queue_scheduler.hpp"
#endif

namespace art::bench {

#if defined(ART_BENCH_ROUND_ROBIN)
using SchedulerUnderTest = RoundRobinScheduler;
inline constexpr const char* kSchedulerName = "round robin";
#elif defined(ART_BENCH_WORK_STEALING)
using SchedulerUnderTest = WorkStealingScheduler;
inline constexpr const char* kSchedulerName = "work stealing";
#elif defined(ART_BENCH_HYBRID)
using SchedulerUnderTest = HybridScheduler;
inline constexpr const char* kSchedulerName = "hybrid";
#else
using SchedulerUnderTest = SharedQueueScheduler;
inline constexpr const char* kSchedulerName = "shared queue";
#endif

inline Runtime runtime_under_test(std::size_t workers) {
  return Runtime(workers, std::make_unique<SchedulerUnderTest>());
}

// The launch of a program built for one scheduler: its Runtime, and plain spawns.
struct LaunchUnderTest {
  const char* name() const { return kSchedulerName; }
  Runtime runtime(std::size_t workers) const { return runtime_under_test(workers); }
  // From any thread, onto `runtime`.
  template <class F>
  auto spawn(Runtime& runtime, F&& future) const {
    return runtime.spawn(std::forward<F>(future));
  }
  // From a task, onto the Runtime running it.
  template <class F>
  auto spawn(F&& future) const {
    return art::spawn(std::forward<F>(future));
  }
};

}  // namespace art::bench
