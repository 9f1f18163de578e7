// The starvation experiment of chapter 11: what a task that never waits does
// to a task that waits for a timer, with and without the cooperative budget.
//
//   starvation [seconds] [--json]     each case runs `seconds` (default 1.5)
//
// The hog receives from a channel that it keeps full itself (one send, one
// receive, round after round), so every receive is ready and the hog never
// answers Pending of its own accord. The probe sleeps 1 ms on a timer, again
// and again, and records how late each wake-up runs: the time from its
// deadline to the moment its task is polled again. Each case runs on a
// fresh Runtime (chapter 11's, hybrid scheduler, default budget of 128):
//
//   budget          the hog as it is: every 128 receives it is made to yield
//   unconstrained   the hog's receives wrapped in art::unconstrained: the
//                   runtime without a budget
//
// at 1 and 2 workers. Prints one row per case (samples, p50, p99 and max
// lateness in microseconds, and the hog's receives), or JSON lines.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "art/channel.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "art/unconstrained.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Shared {
  std::atomic<bool> stop{false};    // relaxed: only ends the loops, orders nothing
  std::vector<double> lateness_us;  // the probe's alone until it is joined
};

art::Task<long> hog(std::shared_ptr<Shared> shared, bool constrained) {
  auto [tx, rx] = art::channel<long>();
  long received = 0;
  while (!shared->stop.load(std::memory_order_relaxed)) {
    tx.send(received);
    if (constrained)
      co_await rx.recv();
    else
      co_await art::unconstrained(rx.recv());
    ++received;
  }
  co_return received;
}

art::Task<void> probe(std::shared_ptr<Shared> shared) {
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
  bool constrained;
  std::size_t samples;
  double p50, p99, max;
  long received;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

// ANCHOR: run_case
Result run_case(std::size_t workers, bool constrained,
                std::chrono::duration<double> length) {
  auto shared = std::make_shared<Shared>();
  art::Runtime runtime(workers);
  art::JoinHandle<void> probing = runtime.spawn(probe(shared));
  art::JoinHandle<long> hogging = runtime.spawn(hog(shared, constrained));
  std::this_thread::sleep_for(length);
  shared->stop.store(true, std::memory_order_relaxed);
  const long received = art::block_on(hogging);
  art::block_on(probing);  // joined: its samples are ours to read
  std::vector<double> sorted = std::move(shared->lateness_us);
  std::sort(sorted.begin(), sorted.end());
  return Result{workers,
                constrained,
                sorted.size(),
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                sorted.empty() ? 0 : sorted.back(),
                received};
}
// ANCHOR_END: run_case

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.5;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else {
      char* end = nullptr;
      seconds = std::strtod(argv[i], &end);
      if (end == argv[i] || *end != '\0' || seconds <= 0 || seconds > 60) {
        std::fprintf(stderr, "usage: %s [seconds, more than 0 and at most 60] [--json]\n",
                     argv[0]);
        return 2;
      }
    }
  }
  if (!json)
    std::printf("%-8s %-14s %8s %10s %10s %10s %12s\n", "workers", "hog", "samples",
                "p50 us", "p99 us", "max us", "receives");
  for (std::size_t workers : {1, 2}) {
    for (bool constrained : {true, false}) {
      const Result r =
          run_case(workers, constrained, std::chrono::duration<double>(seconds));
      const char* hog = constrained ? "budget" : "unconstrained";
      if (json)
        std::printf(
            "{\"workers\": %zu, \"hog\": \"%s\", \"samples\": %zu, \"p50_us\": %.1f, "
            "\"p99_us\": %.1f, \"max_us\": %.1f, \"receives\": %ld}\n",
            r.workers, hog, r.samples, r.p50, r.p99, r.max, r.received);
      else
        std::printf("%-8zu %-14s %8zu %10.1f %10.1f %10.1f %12ld\n", r.workers, hog,
                    r.samples, r.p50, r.p99, r.max, r.received);
      std::fflush(stdout);
    }
  }
  return 0;
}
