// starvation.hpp: the starvation experiment of chapter 11, what a task that never waits
// does to a task that waits for a timer. The programs starvation (starvation.cpp: the
// hybrid scheduler with and without the budget) and compare-schedulers
// (compare_schedulers.cpp: every scheduler, with and without it) run it with their own
// launch (configured_launch.hpp).
//
// The hog receives from a channel that it keeps full itself (one send, one receive, round
// after round), so every receive is ready and the hog never answers Pending of its own
// accord. The probe sleeps 1 ms on a timer, again and again, and records how late each
// wake-up runs: the time from its deadline to the moment its task is polled again. Each
// case runs on a fresh Runtime for `length`, then stops both tasks and reports the
// probe's lateness (p50, p99, max) and the hog's receives.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "art/channel.hpp"
#include "art/join_handle.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"

namespace art::bench::starvation {

using Clock = std::chrono::steady_clock;

struct Shared {
  std::atomic<bool> stop{false};    // relaxed: only ends the loops, orders nothing
  std::vector<double> lateness_us;  // the probe's alone until it is joined
};

inline art::Task<long> hog(std::shared_ptr<Shared> shared) {
  auto [tx, rx] = art::channel<long>();
  long received = 0;
  while (!shared->stop.load(std::memory_order_relaxed)) {
    tx.send(received);
    co_await rx.recv();  // always ready: only the budget can make this poll yield
    ++received;
  }
  co_return received;
}

inline art::Task<void> probe(std::shared_ptr<Shared> shared) {
  using namespace std::chrono_literals;
  while (!shared->stop.load(std::memory_order_relaxed)) {
    const Clock::time_point deadline = Clock::now() + 1ms;
    co_await art::TimerFuture(deadline - Clock::now());
    const auto late = Clock::now() - deadline;
    shared->lateness_us.push_back(
        std::chrono::duration<double, std::micro>(late).count());
  }
}

struct Result {
  std::size_t workers;
  std::size_t samples;
  double p50, p99, max;
  long received;
};

inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

// ANCHOR: run_case
template <class Launch>
Result run_case(const Launch& launch, std::size_t workers,
                std::chrono::duration<double> length) {
  auto shared = std::make_shared<Shared>();
  art::Runtime runtime = launch.runtime(workers);
  art::JoinHandle<void> probing = launch.spawn(runtime, probe(shared));
  art::JoinHandle<long> hogging = launch.spawn(runtime, hog(shared));
  std::this_thread::sleep_for(length);
  shared->stop.store(true, std::memory_order_relaxed);
  const long received = art::block_on(hogging);
  art::block_on(probing);  // joined: its samples are ours to read
  std::vector<double> sorted = std::move(shared->lateness_us);
  std::sort(sorted.begin(), sorted.end());
  return Result{workers,
                sorted.size(),
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                sorted.empty() ? 0 : sorted.back(),
                received};
}
// ANCHOR_END: run_case

}  // namespace art::bench::starvation
