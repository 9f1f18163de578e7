// Chapter 11 demo (carried into chapter 12 until the reactor has its own): a task that never waits, beside a task that waits for a
// timer, on one worker, with and without the cooperative budget.
//
//   ./ch12-demo            both cases, 0.5 s each
//   ./ch12-demo 2          both cases, 2 s each
//
// The hog receives from a channel that it keeps full itself, so every
// receive is ready at once and the hog never answers Pending of its own
// accord. The probe sleeps 1 ms, again and again, and notes how late each
// wake-up runs. With the budget the hog is made to yield every 128 receives
// and the probe runs nearly on time; wrapped in art::unconstrained it holds
// the only worker until it is told to stop, and the probe wakes once, that
// late. bench/starvation.cpp measures the same at 1 and 2 workers.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "art/channel.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "art/unconstrained.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  std::atomic<bool> stop{false};          // relaxed: it only ends the loops
  std::vector<Clock::duration> lateness;  // the probe's, read after its join
};

// ANCHOR: hog
art::Task<long> hog(std::shared_ptr<Run> run, bool with_budget) {
  auto [tx, rx] = art::channel<long>();
  long received = 0;
  while (!run->stop.load(std::memory_order_relaxed)) {
    tx.send(received);  // so the receive below is always ready
    // ANCHOR: hog_receive
    if (with_budget)
      co_await rx.recv();
    else
      co_await art::unconstrained(rx.recv());  // never refused, spends nothing
    // ANCHOR_END: hog_receive
    ++received;
  }
  co_return received;
}
// ANCHOR_END: hog

// ANCHOR: probe
art::Task<void> probe(std::shared_ptr<Run> run) {
  while (!run->stop.load(std::memory_order_relaxed)) {
    const Clock::time_point deadline = Clock::now() + 1ms;
    co_await art::TimerFuture(deadline - Clock::now());
    run->lateness.push_back(Clock::now() - deadline);
  }
}
// ANCHOR_END: probe

double in_ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void run_case(bool with_budget, std::chrono::duration<double> length) {
  auto run = std::make_shared<Run>();
  art::Runtime runtime(1);
  art::JoinHandle<void> probing = runtime.spawn(probe(run));
  art::JoinHandle<long> hogging = runtime.spawn(hog(run, with_budget));
  std::this_thread::sleep_for(length);
  run->stop.store(true, std::memory_order_relaxed);
  const long received = art::block_on(hogging);
  art::block_on(probing);
  std::vector<Clock::duration>& late = run->lateness;
  std::sort(late.begin(), late.end());
  const Clock::duration median = late.empty() ? Clock::duration{} : late[late.size() / 2];
  const Clock::duration worst = late.empty() ? Clock::duration{} : late.back();
  std::printf(
      "%-22s %9ld receives; the probe woke %5zu times, %8.3f ms late at the "
      "median, %8.3f ms at worst\n",
      with_budget ? "hog with the budget:" : "hog unconstrained:", received, late.size(),
      in_ms(median), in_ms(worst));
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
  if (seconds <= 0 || seconds > 60) {
    std::fprintf(stderr, "usage: %s [seconds per case, more than 0 and at most 60]\n",
                 argv[0]);
    return 2;
  }
  std::printf("one worker, %.1f s per case, the probe sleeping 1 ms at a time\n",
              seconds);
  run_case(true, std::chrono::duration<double>(seconds));
  run_case(false, std::chrono::duration<double>(seconds));
  return 0;
}
