// trace-cost: what a recording call costs, in nanoseconds per call.
//
//   trace-cost [calls]          poll_begin with tracing off (ART_TRACE ignored)
//   trace-cost [calls] FILE     also with tracing on, into FILE, for as many
//                               calls (begin/end pairs) as a buffer holds
//
// A measurement, not a test: run it on an optimised build of a quiet machine.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "art/trace.hpp"

namespace {

template <typename Body>
double nanoseconds_per_call(std::uint64_t calls, Body body) {
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < calls; ++i) {
    body(i);
  }
  const std::chrono::duration<double, std::nano> elapsed =
      std::chrono::steady_clock::now() - start;
  return elapsed.count() / static_cast<double>(calls);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t calls =
      argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000'000;
  if (calls == 0) {
    std::fprintf(stderr, "usage: trace-cost [calls > 0] [trace file]\n");
    return 2;
  }
  unsetenv("ART_TRACE");        // NOLINT(concurrency-mt-unsafe): no other thread yet
  if (art::trace::enabled()) {  // the first read of the switch: off from here on
    return 1;
  }
  const double off =
      nanoseconds_per_call(calls, [](std::uint64_t i) { art::trace::poll_begin(i); });
  std::printf("tracing off: %.3f ns per poll_begin (%llu calls)\n", off,
              static_cast<unsigned long long>(calls));
  if (argc > 2) {
    art::trace::detail::start(argv[2]);
    const std::uint64_t pairs = art::trace::kEventsPerThread / 2;  // all recorded
    const double on = nanoseconds_per_call(pairs, [](std::uint64_t i) {
      art::trace::poll_begin(i);
      art::trace::poll_end(i);
    });
    try {
      art::trace::flush();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "%s\n", error.what());
      return 1;
    }
    std::printf("tracing on:  %.3f ns per call (%llu poll_begin/poll_end pairs)\n",
                on / 2, static_cast<unsigned long long>(pairs));
  }
  return 0;
}
