// Chapter 03 demo: the async function of chapter 02, written as a coroutine.
//
//   ./ch03-demo                    narrates polls, parks and timer wake-ups
//   SPDLOG_LEVEL=off ./ch03-demo   prints only the results
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "art/block_on.hpp"
#include "art/delayed_double.hpp"
#include "art/frame_stats.hpp"
#include "art/log.hpp"
#include "art/manual_future.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"

using namespace std::chrono_literals;

namespace {

// ANCHOR: delayed_double_coroutine
art::Task<int> delayed_double(art::ManualFuture<int> input,  // the number to double
                              art::Clock::duration delay) {  // how long to wait
  int x = co_await input;
  art::logger().info("coroutine: got {}, now sleeping", x);
  co_await art::TimerFuture(delay);
  co_return 2 * x;
}
// ANCHOR_END: delayed_double_coroutine

art::Task<int> fails_after(art::Clock::duration delay) {
  co_await art::TimerFuture(delay);
  throw std::runtime_error("the task failed after its timer");
}

art::Task<int> outer() {
  try {
    co_return co_await fails_after(10ms);
  } catch (const std::runtime_error& error) {
    art::logger().info("outer task caught: {}", error.what());
    co_return -1;
  }
}

}  // namespace

int main() {
  // Results go to stdout, the narration to stderr: line buffering keeps them in order.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (std::getenv("SPDLOG_LEVEL") == nullptr) {  // NOLINT(concurrency-mt-unsafe): no threads yet
    art::logger().set_level(spdlog::level::debug);
  }

  auto [input, completer] = art::make_manual_future<int>();
  std::jthread other([completer = std::move(completer)]() mutable {
    std::this_thread::sleep_for(20ms);
    completer.complete(21);
  });
  std::size_t frame = 0;
  {
    art::Task<int> task = delayed_double(std::move(input), 30ms);  // allocates the frame
    frame = art::frame_stats().last_size.load();
    std::printf("=> delayed_double(...) = %d\n", art::block_on(task));
  }  // ~Task frees it

  std::printf("=> coroutine frame of delayed_double: %zu bytes (on the heap)\n", frame);
  std::printf("=> hand-written DelayedDouble of chapter 02: %zu bytes (wherever you put it)\n",
              sizeof(art::DelayedDouble));

  std::printf("=> a task that catches a nested task's exception returned %d\n",
              art::block_on(outer()));
  std::printf("=> frames allocated: %zu, still alive: %zu\n", art::frame_stats().allocations.load(),
              art::frame_stats().live());
}
