// configured_launch.hpp: a launch (scheduler_under_test.hpp) that picks the scheduler and
// the cooperative budget at run time, on chapter 11's Runtime, so that one program can
// put every scheduler beside every other with and without the budget, and nothing else
// differs between them.
//
// Without the budget, every task's future is wrapped in art::unconstrained
// (unconstrained.hpp), at every spawn: no leaf inside it is ever refused or spends a
// token. The runtime still hands each poll a budget; the wrapper hides it. What that
// costs is one more poll layer per task poll: Unconstrained::poll builds a Context
// without the budget and polls the task through it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "art/hybrid_scheduler.hpp"
#include "art/round_robin_scheduler.hpp"
#include "art/runtime.hpp"
#include "art/scheduler.hpp"
#include "art/unconstrained.hpp"
#include "art/work_stealing_scheduler.hpp"

namespace art::bench {

enum class SchedulerKind { round_robin, work_stealing, hybrid };

// The names the command line and the reports use.
inline constexpr std::string_view kRoundRobin = "round-robin";
inline constexpr std::string_view kWorkStealing = "work-stealing";
inline constexpr std::string_view kHybrid = "hybrid";

inline std::optional<SchedulerKind> scheduler_named(std::string_view name) {
  if (name == kRoundRobin)
    return SchedulerKind::round_robin;
  if (name == kWorkStealing)
    return SchedulerKind::work_stealing;
  if (name == kHybrid)
    return SchedulerKind::hybrid;
  return std::nullopt;
}

inline std::string_view name_of(SchedulerKind kind) {
  switch (kind) {
    case SchedulerKind::round_robin:
      return kRoundRobin;
    case SchedulerKind::work_stealing:
      return kWorkStealing;
    case SchedulerKind::hybrid:
      break;
  }
  return kHybrid;
}

inline std::unique_ptr<Scheduler> make_scheduler(SchedulerKind kind) {
  switch (kind) {
    case SchedulerKind::round_robin:
      return std::make_unique<RoundRobinScheduler>();
    case SchedulerKind::work_stealing:
      return std::make_unique<WorkStealingScheduler>();
    case SchedulerKind::hybrid:
      break;
  }
  return std::make_unique<HybridScheduler>();
}

class ConfiguredLaunch {
 public:
  ConfiguredLaunch(SchedulerKind scheduler, bool budget)
      : scheduler_(scheduler),
        budget_(budget),
        name_(std::string(name_of(scheduler)) + (budget ? "/budget" : "/no-budget")) {}

  // "hybrid/budget", "round-robin/no-budget", ...
  const char* name() const { return name_.c_str(); }
  bool budget() const { return budget_; }

  // The default budget of chapter 11 (128 tokens a poll): unconstrained tasks ignore it.
  Runtime runtime(std::size_t workers) const {
    return Runtime(
        RuntimeOptions{.workers = workers, .scheduler = make_scheduler(scheduler_)});
  }

  // ANCHOR: spawn
  // From any thread, onto `runtime`.
  template <class F>
  JoinHandle<SpawnedOutput<F>> spawn(Runtime& runtime, F&& future) const {
    if (budget_)
      return runtime.spawn(std::forward<F>(future));
    return runtime.spawn(art::unconstrained(std::forward<F>(future)));
  }

  // From a task, onto the Runtime running it.
  template <class F>
  JoinHandle<SpawnedOutput<F>> spawn(F&& future) const {
    if (budget_)
      return art::spawn(std::forward<F>(future));
    return art::spawn(art::unconstrained(std::forward<F>(future)));
  }
  // ANCHOR_END: spawn

 private:
  SchedulerKind scheduler_;
  bool budget_;
  std::string name_;
};

}  // namespace art::bench
