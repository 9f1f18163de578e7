// Chapter 02 demo: futures built by hand, combined, and driven by block_on.
//
//   ./ch02-demo                    narrates polls, parks and timer wake-ups
//   SPDLOG_LEVEL=off ./ch02-demo   prints only the results
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "art/block_on.hpp"
#include "art/delayed_double.hpp"
#include "art/join_all.hpp"
#include "art/log.hpp"
#include "art/manual_future.hpp"
#include "art/map.hpp"
#include "art/race.hpp"
#include "art/ready_future.hpp"
#include "art/then.hpp"
#include "art/timer_future.hpp"

using namespace std::chrono_literals;

namespace {

double elapsed_ms(art::Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(art::Clock::now() - since).count();
}

void show(const std::string& line) {
  std::printf("=> %s\n", line.c_str());
  std::fflush(stdout);  // keep stdout in step with the log on stderr
}

// A timer whose output says how long it waited, so join_all has values to collect.
auto labelled_timer(std::chrono::milliseconds delay) {
  return art::map(art::TimerFuture(delay), [delay] { return delay.count(); });
}

}  // namespace

int main() {
  if (std::getenv("SPDLOG_LEVEL") == nullptr) {  // NOLINT(concurrency-mt-unsafe): no threads yet
    art::logger().set_level(spdlog::level::debug);
  }

  art::logger().info("1) one timer");
  auto start = art::Clock::now();
  art::block_on(art::TimerFuture(100ms));
  show("TimerFuture(100ms) was ready after " + std::to_string(elapsed_ms(start)) + " ms");

  art::logger().info("2) join_all of three timers");
  start = art::Clock::now();
  std::vector<decltype(labelled_timer(0ms))> timers;
  for (auto delay : {90ms, 30ms, 60ms})
    timers.push_back(labelled_timer(delay));
  auto waited = art::block_on(art::join_all(std::move(timers)));
  show("join_all gave {" + std::to_string(waited[0]) + ", " + std::to_string(waited[1]) + ", " +
       std::to_string(waited[2]) + "} after " + std::to_string(elapsed_ms(start)) +
       " ms: side by side, in the vector's order");

  art::logger().info("3) race a value from another thread against a 1 s timer");
  auto [input, completer] = art::make_manual_future<int>();
  std::thread other([completer = std::move(completer)]() mutable {
    std::this_thread::sleep_for(20ms);
    completer.complete(21);
  });
  auto doubled = art::map(std::move(input), [](int x) { return x * 2; });
  auto winner = art::block_on(art::race(std::move(doubled), art::TimerFuture(1s)));
  other.join();
  show("race: branch " + std::to_string(winner.index()) + " won with " +
       std::to_string(std::get<0>(winner)) + "; the losing timer was dropped at once");

  art::logger().info("4) the desugared async function, then one more step");
  auto [input2, completer2] = art::make_manual_future<int>();
  completer2.complete(20);
  start = art::Clock::now();
  int answer = art::block_on(art::then(art::DelayedDouble(std::move(input2), 50ms),
                                       [](int x) { return art::ReadyFuture<int>(x + 2); }));
  show("then(DelayedDouble(20, 50 ms), x + 2) = " + std::to_string(answer) + " after " +
       std::to_string(elapsed_ms(start)) + " ms");
}
