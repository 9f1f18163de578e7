// contended.hpp: tasks that compete for one resource, the workload of contended-ch08,
// contended-ch09 and contended-ch10 (contended.cpp) and of compare-schedulers
// (compare_schedulers.cpp), each with its own launch (scheduler_under_test.hpp).
//
// What it measures: how fairly a scheduler shares something only one task can hold at a
// time, among tasks that try again by yielding; not a throughput. The workload, at 1 and
// at 2 workers:
//
//   - A root task on the runtime notes the start time and spawns kTasks (100) contenders
//     with art::spawn, all at once.
//   - Each contender completes kRounds (20) rounds. A round tries to take the resource,
//     an atomic flag taken by one compare-and-swap from free to held. A loser counts one
//     loss, yields (co_await art::yield_now()) and tries again. The winner holds the
//     resource across kHoldYields (1) yield, as a task holds a lock across an await,
//     releases it, and yields once more before its next round: the await between two
//     uses (waiting for its next request, say). Without that last yield, on one worker,
//     a task that releases the resource would take it back in the same poll, and no
//     other task could win between two of its rounds, whatever the scheduler.
//   - Each contender records how often it lost and when it finished its last round.
//     The benchmark's thread waits for the last one (countdown.hpp).
//
// What each scheduler does with a yield (a yielding task wakes itself; its worker queues
// it again after the poll):
//
//   - round robin (contended-ch08): the task goes to the back of the next worker's
//     queue, in turn, and each worker runs its queue first in, first out;
//   - work stealing (contended-ch09): the task goes into its own worker's deque, which
//     runs newest first, so the task that yielded is polled again at once: a holder
//     releases the resource and, after its next yield, takes it again for its next
//     round; a loser loses again. Another task gets a turn only when the fairness guard
//     (every 61st tick) takes the deque's oldest task instead, or an idle worker steals
//     the older half;
//   - hybrid (contended-ch10): the same deque, but the worker runs its own tasks from a
//     private heap, refilled with the older half of the deque when it runs dry, most
//     often queued first, each task once per refill; only the deque can be stolen from.
//
// The report, as JSON on stdout: for each worker count, one Runtime runs one run to warm
// up (its frame pools, its threads), then `runs` measured runs (9; --runs=N). A run gives
// the losses per task (min, median, max, and their total) and the time from the start to
// each task's finish (p50, p99, max). Percentiles are nearest-rank over the 100 tasks:
// the median is the 50th smallest, p99 the 99th, the second slowest task. Each figure is
// then reported as its median over the runs, taken figure by figure (the middle run for
// that figure, the lower middle one of an even number, so the medians of one worker count
// may come from different runs), beside every run's figures.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <numeric>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "countdown.hpp"

namespace art::bench::contended {

using Clock = std::chrono::steady_clock;

inline constexpr int kTasks = 100;
inline constexpr int kRounds = 20;
inline constexpr int kHoldYields = 1;
inline constexpr int kDefaultRuns = 9;
inline constexpr std::array<std::size_t, 2> kWorkerCounts = {1, 2};

// The contended resource: free or held.
class Resource {
 public:
  bool try_take() {
    bool free = false;
    // acquire on success, release in release(): the resource hands over what its last
    // holder did, as a lock does. A failed attempt learns nothing: relaxed.
    return held_.compare_exchange_strong(free, true, std::memory_order_acquire,
                                         std::memory_order_relaxed);
  }
  void release() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

// What one contender leaves behind; only that contender writes it, and the Countdown
// hands it to the benchmark's thread.
struct Outcome {
  int losses = 0;
  Clock::time_point finished;
};

// What the tasks of a run share. One Contest serves every run of a Runtime and is
// declared before it, so that no task outlives it (threaded_art_workloads.cpp does the
// same).
struct Contest {
  Resource resource;
  Clock::time_point start;  // written by the root before it spawns anything
  std::vector<Outcome> outcomes;
  Countdown remaining;

  void reset() {
    outcomes.assign(kTasks, Outcome{});
    remaining.reset(kTasks);  // before the spawn that publishes all of the above
  }
};

inline art::Task<void> contender(Contest* contest, int index) {
  Outcome& mine = contest->outcomes[static_cast<std::size_t>(index)];
  for (int round = 0; round < kRounds; ++round) {
    while (!contest->resource.try_take()) {
      ++mine.losses;
      co_await art::yield_now();
    }
    for (int i = 0; i < kHoldYields; ++i)
      co_await art::yield_now();  // holding the resource across an await
    contest->resource.release();
    co_await art::yield_now();  // the await between two uses
  }
  mine.finished = Clock::now();
  contest->remaining.count_down();
}

template <class Launch>
art::Task<void> start_contest(const Launch* launch, Contest* contest) {
  contest->start = Clock::now();
  for (int i = 0; i < kTasks; ++i)
    (void)launch->spawn(contender(contest, i));  // detached
  co_return;
}

// The figures of one run, in the order they are printed.
inline constexpr std::array<const char*, 7> kFigureNames = {
    "losses_min",        "losses_median",     "losses_max",       "losses_total",
    "completion_p50_us", "completion_p99_us", "completion_max_us"};
using Figures = std::array<double, kFigureNames.size()>;

// The nearest-rank percentile of sorted values: the smallest value with at least
// `percent` of them at or below it.
inline double percentile(const std::vector<double>& sorted, std::size_t percent) {
  const std::size_t rank = (percent * sorted.size() + 99) / 100;
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

inline Figures figures_of(const Contest& contest) {
  std::vector<double> losses;
  std::vector<double> completion_us;
  for (const Outcome& outcome : contest.outcomes) {
    losses.push_back(outcome.losses);
    const std::chrono::duration<double, std::micro> taken =
        outcome.finished - contest.start;
    completion_us.push_back(taken.count());
  }
  std::ranges::sort(losses);
  std::ranges::sort(completion_us);
  return {losses.front(),
          percentile(losses, 50),
          losses.back(),
          std::accumulate(losses.begin(), losses.end(), 0.0),
          percentile(completion_us, 50),
          percentile(completion_us, 99),
          completion_us.back()};
}

// One run's figures, or nothing when the contenders did not all finish in time.
template <class Launch>
std::optional<Figures> run_once(const Launch& launch, art::Runtime& runtime,
                                Contest& contest) {
  contest.reset();
  (void)launch.spawn(runtime, start_contest(&launch, &contest));
  if (!contest.remaining.wait())
    return std::nullopt;
  return figures_of(contest);
}

// Every measured run's figures at one worker count, after one run to warm up.
template <class Launch>
std::optional<std::vector<Figures>> measure(const Launch& launch, std::size_t workers,
                                            int runs) {
  Contest contest;
  art::Runtime runtime = launch.runtime(workers);
  std::vector<Figures> measured;
  for (int run = 0; run <= runs; ++run) {
    std::optional<Figures> figures = run_once(launch, runtime, contest);
    if (!figures)
      return std::nullopt;
    if (run > 0)
      measured.push_back(*figures);
  }
  return measured;
}

// Each figure's median over the runs, figure by figure.
inline Figures medians(const std::vector<Figures>& runs) {
  Figures result{};
  for (std::size_t f = 0; f < result.size(); ++f) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const Figures& run : runs)
      values.push_back(run[f]);
    std::ranges::sort(values);
    result[f] = percentile(values, 50);
  }
  return result;
}

inline void print_figures(const Figures& figures) {
  std::printf("{");
  for (std::size_t f = 0; f < figures.size(); ++f)
    std::printf(R"(%s"%s": %.1f)", f == 0 ? "" : ", ", kFigureNames[f], figures[f]);
  std::printf("}");
}

inline void print_result(std::size_t workers, const std::vector<Figures>& runs) {
  std::printf(R"({"workers": %zu, "median": )", workers);
  print_figures(medians(runs));
  std::printf(R"(, "runs": [)");
  for (std::size_t r = 0; r < runs.size(); ++r) {
    std::printf("%s", r == 0 ? "" : ", ");
    print_figures(runs[r]);
  }
  std::printf("]}");
}

// --runs=N, N from 1 to 100; nothing for anything else.
inline std::optional<int> parse_runs(std::string_view option) {
  constexpr std::string_view prefix = "--runs=";
  if (!option.starts_with(prefix))
    return std::nullopt;
  const std::string_view digits = option.substr(prefix.size());
  int runs = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), runs);
  if (error != std::errc{} || end != digits.data() + digits.size() || runs < 1 ||
      runs > 100)
    return std::nullopt;
  return runs;
}

// What was measured, and how often: the head of the JSON report.
inline void print_workload(const char* scheduler, int runs) {
  std::printf(R"({"scheduler": "%s", "tasks": %d, "rounds": %d, "hold_yields": %d, )",
              scheduler, kTasks, kRounds, kHoldYields);
  std::printf(R"("runs": %d, "results": [)", runs);
}

// The whole report at 1 and 2 workers, as JSON on stdout; false, after saying why on
// stderr, when the contenders did not all finish.
template <class Launch>
bool report(const Launch& launch, int runs) {
  print_workload(launch.name(), runs);
  const char* separator = "";
  for (const std::size_t workers : kWorkerCounts) {
    const std::optional<std::vector<Figures>> measured = measure(launch, workers, runs);
    if (!measured) {
      std::fprintf(stderr,
                   "contended: at %zu workers, the contenders did not all finish "
                   "within %lld s (a lost wake-up, or a livelock)\n",
                   workers, static_cast<long long>(kDoneTimeout.count()));
      return false;
    }
    std::printf("%s\n", separator);
    print_result(workers, *measured);
    separator = ",";
  }
  std::printf("\n]}\n");
  return true;
}

}  // namespace art::bench::contended
