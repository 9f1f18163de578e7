// Chapter 04 demo: many tasks on one thread.
//
//   ./ch04-demo                    narrates spawns, polls and shutdown
//   SPDLOG_LEVEL=off ./ch04-demo   prints only the results
//
// Three sleepers, a task that yields while it counts, a task that fails, and
// a task that is still waiting when the executor shuts down: all on the
// thread that runs main, interleaved by the executor.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "art/executor.hpp"
#include "art/log.hpp"
#include "art/manual_future.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "art/yield_now.hpp"

using namespace std::chrono_literals;

namespace {

art::Task<int> sleeper(int id, art::Clock::duration delay) {
  art::logger().info("sleeper {} starts", id);
  co_await art::TimerFuture(delay);
  art::logger().info("sleeper {} wakes", id);
  co_return id * 10;
}

art::Task<int> counter(int steps) {
  int total = 0;
  for (int i = 1; i <= steps; ++i) {
    total += i;
    art::logger().info("counter at step {}, yielding", i);
    co_await art::yield_now();
  }
  co_return total;
}

art::Task<void> fails() {
  co_await art::TimerFuture(5ms);
  throw std::runtime_error("this task failed");
}

// ANCHOR: main_task
art::Task<int> main_task() {
  std::vector<art::JoinHandle<int>> sleepers;
  for (int id = 3; id >= 1; --id)
    sleepers.push_back(art::spawn(sleeper(id, id * 10ms)));
  auto counting = art::spawn(counter(3));
  auto failing = art::spawn(fails());

  int sum = co_await counting;
  for (auto& handle : sleepers)
    sum += co_await handle;
  try {
    co_await failing;
  } catch (const std::runtime_error& error) {
    std::printf("=> joining the failing task threw: %s\n", error.what());
  }
  co_return sum;
}
// ANCHOR_END: main_task

art::Task<void> waits_forever(art::ManualFuture<int> never) { co_await never; }

}  // namespace

int main() {
  // Results go to stdout, the narration to stderr: line buffering keeps them in order.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (std::getenv("SPDLOG_LEVEL") == nullptr) {  // NOLINT(concurrency-mt-unsafe): no threads yet
    art::logger().set_level(spdlog::level::debug);
  }

  auto [never, completer] = art::make_manual_future<int>();
  art::Executor executor;
  auto forgotten = executor.spawn(waits_forever(std::move(never)));
  std::printf("=> main task returned %d\n", executor.block_on(main_task()));

  const art::ExecutorMetrics& metrics = executor.metrics();
  std::printf("=> spawned %llu, completed %llu, polls %llu, busy %.3f ms, still alive %zu\n",
              static_cast<unsigned long long>(metrics.spawned),
              static_cast<unsigned long long>(metrics.completed),
              static_cast<unsigned long long>(metrics.polls),
              static_cast<double>(metrics.busy_time.count()) / 1e6, executor.live_tasks());
  executor.shutdown();
  std::printf("=> after shutdown: cancelled %llu, still alive %zu\n",
              static_cast<unsigned long long>(metrics.cancelled), executor.live_tasks());
}
