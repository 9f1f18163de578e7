// scheduler_under_test.hpp: which scheduler a multi-threaded art program runs.
//
// A program links one chapter's library (CMakeLists.txt), and the same source is built
// once per scheduler, with one define that picks it: chapter 07's shared queue (none),
// chapter 08's round robin (ART_BENCH_ROUND_ROBIN), chapter 09's work stealing
// (ART_BENCH_WORK_STEALING) or chapter 10's hybrid (ART_BENCH_HYBRID). Every program
// builds its Runtime with runtime_under_test(), so the scheduler is always the one its
// name says, whatever that chapter's Runtime would pick by default.
#pragma once

#include <cstddef>
#include <memory>

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

}  // namespace art::bench
