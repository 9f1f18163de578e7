// bench-ch07 to bench-ch11: the workloads of threaded_art_workloads.hpp (tokio's four and
// skewed, at 1 and 2 workers) on one chapter's Runtime. bench-ch07 runs chapter 07's
// Runtime with its SharedQueueScheduler; bench-ch08 runs chapter 08's with the
// RoundRobinScheduler, bench-ch09 chapter 09's with the WorkStealingScheduler, bench-ch10
// and bench-ch11 chapters 10 and 11's with the HybridScheduler
// (scheduler_under_test.hpp).
#include "threaded_art_workloads.hpp"

#include <chrono>
#include <thread>
#include <time.h>

#include <benchmark/benchmark.h>

#include "art/runtime.hpp"
#include "scheduler_under_test.hpp"
#include "threaded_peer.hpp"

namespace bench = art::bench;

namespace {

const bench::LaunchUnderTest kLaunch;

void spawn_many(benchmark::State& state) { bench::spawn_many(state, kLaunch); }
BENCHMARK(spawn_many)->Apply(bench::at_one_and_two_workers);

void yield_many(benchmark::State& state) { bench::yield_many(state, kLaunch); }
BENCHMARK(yield_many)->Apply(bench::at_one_and_two_workers);

void ping_pong(benchmark::State& state) { bench::ping_pong(state, kLaunch); }
BENCHMARK(ping_pong)->Apply(bench::at_one_and_two_workers);

void chained_spawn(benchmark::State& state) { bench::chained_spawn(state, kLaunch); }
BENCHMARK(chained_spawn)->Apply(bench::at_one_and_two_workers);

void skewed(benchmark::State& state) { bench::skewed(state, kLaunch); }
BENCHMARK(skewed)->Apply(bench::at_one_and_two_workers);

// idle (not tokio's, not in the table): a runtime with nothing to do. Each iteration
// sleeps 200 ms on the benchmark's thread and counts the CPU time the whole process used
// meanwhile; core_share is that time over the time slept: the share of one core that
// idle workers burn (chapter 09's target: below 1%). The workers had 50 ms to park first.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void idle(benchmark::State& state) {
  using namespace std::chrono_literals;
  art::Runtime runtime = kLaunch.runtime(bench::workers_of(state));
  std::this_thread::sleep_for(50ms);
  double used = 0;
  double slept = 0;
  for (auto _ : state) {
    const double before = process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(200ms);
    used += process_cpu_seconds() - before;
    slept +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["core_share"] = slept > 0 ? used / slept : 0;
}
BENCHMARK(idle)->ArgName("workers")->Arg(2)->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace
