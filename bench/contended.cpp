// contended-ch08, contended-ch09, contended-ch10: the contended workload of contended.hpp
// (100 tasks that compete for one resource and yield when they lose) on one chapter's
// scheduler, at 1 and 2 workers; prints the figures as JSON on stdout.
//
//   contended-chNN [--runs=N]     N measured runs per worker count (9 by default)
#include "contended.hpp"

#include <cstdio>
#include <optional>
#include <string_view>

#include "scheduler_under_test.hpp"

namespace bench = art::bench;
using namespace art::bench::contended;

namespace {

const bench::LaunchUnderTest kLaunch;

// The measured runs per worker count that the command line asks for, or nothing after
// saying what is wrong with it.
std::optional<int> runs_asked(int argc, char** argv) {
  if (argc == 1)
    return kDefaultRuns;
  const std::optional<int> runs = argc == 2 ? parse_runs(argv[1]) : std::nullopt;
  if (!runs)
    std::fprintf(
        stderr,
        "contended: cannot read the options (%d given, the first '%s'): the only "
        "option is --runs=N, N measured runs per worker count, a whole number from "
        "1 to 100 (without it, %d)\n",
        argc - 1, argv[1], kDefaultRuns);
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<int> runs = runs_asked(argc, argv);
  if (!runs)
    return 2;
  return report(kLaunch, *runs) ? 0 : 1;
}
