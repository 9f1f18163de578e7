// The starvation experiment of chapter 11 (starvation.hpp): what a task that never waits
// does to a task that waits for a timer, with and without the cooperative budget.
//
//   starvation [seconds] [--json]     each case runs `seconds` (default 1.5)
//
// Each case runs on a fresh Runtime of chapter 11 (hybrid scheduler, default budget of
// 128), at 1 and 2 workers:
//
//   budget          the hog as it is: every 128 receives it is made to yield
//   unconstrained   both tasks wrapped in art::unconstrained (configured_launch.hpp):
//                   the runtime without a budget
//
// Prints one row per case (samples, p50, p99 and max lateness in microseconds, and the
// hog's receives), or JSON lines. compare-schedulers runs the same cases on every
// scheduler.
#include "starvation.hpp"

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "configured_launch.hpp"

namespace bench = art::bench;
using art::bench::starvation::Result;
using art::bench::starvation::run_case;

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
      const bench::ConfiguredLaunch launch(bench::SchedulerKind::hybrid, constrained);
      const Result r = run_case(launch, workers, std::chrono::duration<double>(seconds));
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
