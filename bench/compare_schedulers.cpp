// compare-schedulers: every scheduler of chapter 11's Runtime (round robin, work
// stealing, hybrid), with and without the cooperative budget, on the same workloads; the
// scheduler and the budget are picked on the command line, so one program serves all six
// configurations and nothing but those two differs between them.
// tools/compare_schedulers.py
// (`make compare`) runs it six times per workload and puts the results side by side.
//
//   compare-schedulers standard   --scheduler=S --budget=on|off [--benchmark_...]
//   compare-schedulers contended  --scheduler=S --budget=on|off [--runs=N]
//   compare-schedulers starvation --scheduler=S --budget=on|off [--seconds=T]
//
// S is round-robin, work-stealing or hybrid. The workloads:
//
//   standard     tokio's four and skewed at 1 and 2 workers (threaded_art_workloads.hpp),
//                as Google Benchmark runs; --benchmark_format=json for JSON
//   contended    100 tasks that compete for one resource (contended.hpp); JSON
//   starvation   a hog that never waits beside a 1 ms probe (starvation.hpp), for T
//                seconds (1.5 by default) at 1 and 2 workers; one JSON line per case
//
// Without the budget (--budget=off), every task is spawned wrapped in art::unconstrained
// (configured_launch.hpp).
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>

#include <benchmark/benchmark.h>

#include "configured_launch.hpp"
#include "contended.hpp"
#include "starvation.hpp"
#include "threaded_art_workloads.hpp"
#include "threaded_peer.hpp"

namespace bench = art::bench;

namespace {

enum class Workload { standard, contended, starvation };

struct Options {
  Workload workload = Workload::standard;
  std::optional<bench::SchedulerKind> scheduler;
  std::optional<bool> budget;
  int runs = bench::contended::kDefaultRuns;
  double seconds = 1.5;
};

constexpr const char* kUsage =
    "usage: compare-schedulers standard|contended|starvation "
    "--scheduler=round-robin|work-stealing|hybrid --budget=on|off "
    "[--runs=N (contended, 1 to 100)] [--seconds=T (starvation, more than 0, at most "
    "60)] "
    "[--benchmark_... (standard)]\n";

std::optional<Workload> workload_named(std::string_view name) {
  if (name == "standard")
    return Workload::standard;
  if (name == "contended")
    return Workload::contended;
  if (name == "starvation")
    return Workload::starvation;
  return std::nullopt;
}

std::optional<bool> budget_named(std::string_view value) {
  if (value == "on")
    return true;
  if (value == "off")
    return false;
  return std::nullopt;
}

std::optional<double> seconds_named(std::string_view value) {
  double seconds = 0;
  const auto [end, error] =
      std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc{} || end != value.data() + value.size() || !(seconds > 0) ||
      seconds > 60)
    return std::nullopt;
  return seconds;
}

// Reads one option into `options`; false when it is not one, or its value is wrong.
bool read_option(std::string_view option, Options& options) {
  const auto value_of =
      [option](std::string_view name) -> std::optional<std::string_view> {
    if (!option.starts_with(name))
      return std::nullopt;
    return option.substr(name.size());
  };
  if (const auto name = value_of("--scheduler=")) {
    options.scheduler = bench::scheduler_named(*name);
    return options.scheduler.has_value();
  }
  if (const auto value = value_of("--budget=")) {
    options.budget = budget_named(*value);
    return options.budget.has_value();
  }
  if (option.starts_with("--runs=")) {
    const std::optional<int> runs = bench::contended::parse_runs(option);
    options.runs = runs.value_or(0);
    return runs.has_value();
  }
  if (const auto value = value_of("--seconds=")) {
    const std::optional<double> seconds = seconds_named(*value);
    options.seconds = seconds.value_or(0);
    return seconds.has_value();
  }
  return false;
}

// The options of the command line that Google Benchmark left, or nothing after saying
// what is wrong with them.
std::optional<Options> options_asked(int argc, char** argv) {
  Options options;
  const std::optional<Workload> workload =
      argc > 1 ? workload_named(argv[1]) : std::nullopt;
  if (!workload) {
    std::fprintf(stderr,
                 "compare-schedulers: the first argument names the workload (%s)\n%s",
                 argc > 1 ? argv[1] : "none given", kUsage);
    return std::nullopt;
  }
  options.workload = *workload;
  for (int i = 2; i < argc; ++i) {
    if (!read_option(argv[i], options)) {
      std::fprintf(stderr, "compare-schedulers: cannot read the option '%s'\n%s", argv[i],
                   kUsage);
      return std::nullopt;
    }
  }
  if (!options.scheduler || !options.budget) {
    std::fprintf(stderr,
                 "compare-schedulers: --scheduler and --budget are both needed\n%s",
                 kUsage);
    return std::nullopt;
  }
  return options;
}

template <void (*workload)(benchmark::State&, const bench::ConfiguredLaunch&)>
void add_benchmark(const char* name, const bench::ConfiguredLaunch& launch) {
  benchmark::RegisterBenchmark(name, [launch](benchmark::State& state) {
    workload(state, launch);
  })->Apply(bench::at_one_and_two_workers);
}

int run_standard(const bench::ConfiguredLaunch& launch) {
  benchmark::AddCustomContext("configuration", launch.name());
  using L = bench::ConfiguredLaunch;
  add_benchmark<bench::spawn_many<L>>("spawn_many", launch);
  add_benchmark<bench::yield_many<L>>("yield_many", launch);
  add_benchmark<bench::ping_pong<L>>("ping_pong", launch);
  add_benchmark<bench::chained_spawn<L>>("chained_spawn", launch);
  add_benchmark<bench::skewed<L>>("skewed", launch);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

int run_starvation(const bench::ConfiguredLaunch& launch, double seconds) {
  for (const std::size_t workers : {1, 2}) {
    const bench::starvation::Result r = bench::starvation::run_case(
        launch, workers, std::chrono::duration<double>(seconds));
    std::printf(
        "{\"configuration\": \"%s\", \"workers\": %zu, \"seconds\": %.2f, "
        "\"samples\": %zu, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, "
        "\"receives\": %ld}\n",
        launch.name(), r.workers, seconds, r.samples, r.p50, r.p99, r.max, r.received);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);  // takes the --benchmark_... options out of argv
  const std::optional<Options> options = options_asked(argc, argv);
  if (!options)
    return 2;
  const bench::ConfiguredLaunch launch(*options->scheduler, *options->budget);
  switch (options->workload) {
    case Workload::standard:
      return run_standard(launch);
    case Workload::contended:
      return bench::contended::report(launch, options->runs) ? 0 : 1;
    case Workload::starvation:
      break;
  }
  return run_starvation(launch, options->seconds);
}
