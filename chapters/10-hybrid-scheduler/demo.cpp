// Chapter 10 demo: tasks that compete for one resource, on work stealing and
// on the hybrid scheduler.
//
//   ./ch10-demo                   both schedulers, on 1 and on 2 workers
//   ./ch10-demo work-stealing     only chapter 09's work stealing
//   ./ch10-demo hybrid            only the hybrid scheduler
//   ART_TRACE=run.json ./ch10-demo hybrid
//                                 writes a trace of the run (see chapter 07)
//
// A task spawns 64 contenders and joins them. Each contender must hold one
// shared resource 20 times. It tries to take it; if someone else holds it,
// it counts a loss and yields; once it has it, it keeps it across one more
// yield (as a task holds a lock across an await), gives it back, and yields
// once more (other work) before its next round.
//
// Work stealing runs a worker's newest task first: a holder that yields is
// the newest entry and runs again at once, gives the resource back, and
// takes it again on its next round, while everyone else keeps losing. The
// hybrid scheduler runs a batch of tasks at a time, the ones that lost most
// often first. The demo prints how the losses and the finishing times are
// spread over the 64 contenders.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "art/hybrid_scheduler.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/work_stealing_scheduler.hpp"
#include "art/yield_now.hpp"

using Clock = std::chrono::steady_clock;

namespace {

constexpr int kContenders = 64;
constexpr int kRounds = 20;

// ANCHOR: resource
// One holder at a time. Taking it is a compare-and-swap (acquire: the new
// holder sees what the last one did); giving it back a release store.
class Resource {
 public:
  bool try_take() {
    bool free = false;
    return held_.compare_exchange_strong(free, true, std::memory_order_acquire,
                                         std::memory_order_relaxed);
  }
  void give_back() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};
// ANCHOR_END: resource

struct Outcome {
  int losses = 0;
  Clock::duration finished{};  // since the start
};

// ANCHOR: contender
art::Task<Outcome> contender(Resource& resource, Clock::time_point start) {
  Outcome outcome;
  for (int round = 0; round < kRounds; ++round) {
    while (!resource.try_take()) {
      ++outcome.losses;
      co_await art::yield_now();  // lost: let the holder run
    }
    co_await art::yield_now();  // held across an await
    resource.give_back();
    co_await art::yield_now();  // other work before it wants the resource again
  }
  outcome.finished = Clock::now() - start;
  co_return outcome;
}
// ANCHOR_END: contender

art::Task<std::vector<Outcome>> contend() {
  Resource resource;
  const auto start = Clock::now();
  std::vector<art::JoinHandle<Outcome>> handles;
  handles.reserve(kContenders);
  for (int i = 0; i < kContenders; ++i)
    handles.push_back(art::spawn(contender(resource, start)));
  std::vector<Outcome> outcomes;
  for (auto& handle : handles)
    outcomes.push_back(co_await handle);
  co_return outcomes;
}

// The value below which `share` of the sorted values lie.
template <class T>
T percentile(std::vector<T> values, double share) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1));
  return values[index];
}

double milliseconds(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void run(const char* name, std::size_t workers, std::unique_ptr<art::Scheduler> scheduler) {
  art::Runtime runtime(workers, std::move(scheduler));
  const std::vector<Outcome> outcomes = runtime.block_on(contend());
  std::vector<int> losses;
  std::vector<double> finished;
  for (const Outcome& o : outcomes) {
    losses.push_back(o.losses);
    finished.push_back(milliseconds(o.finished));
  }
  std::printf("%-14s %zu worker%s  losses min %5d  median %5d  max %5d   "
              "finished p50 %6.2f ms  p99 %6.2f ms\n",
              name, workers, workers == 1 ? " " : "s", percentile(losses, 0.0),
              percentile(losses, 0.5), percentile(losses, 1.0), percentile(finished, 0.5),
              percentile(finished, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  if (argc > 2 || (!only.empty() && only != "work-stealing" && only != "hybrid")) {
    std::fprintf(stderr, "usage: %s [work-stealing|hybrid]  (no argument: both)\n", argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("%d contenders, each holding one resource %d times; a loser yields\n\n",
              kContenders, kRounds);
  for (const std::size_t workers : {1U, 2U}) {
    if (only.empty() || only == "work-stealing")
      run("work stealing", workers, std::make_unique<art::WorkStealingScheduler>());
    if (only.empty() || only == "hybrid")
      run("hybrid", workers, std::make_unique<art::HybridScheduler>());
  }
  return 0;
}
