// Chapter 06 demo: fiber tasks and coroutine tasks on one executor.
//
//   ./ch06-demo                    narrates what the tasks do
//   SPDLOG_LEVEL=off ./ch06-demo   prints only the results
//
// A fiber task calls ordinary functions that wait deep inside; a coroutine
// task and the fiber await each other's results; then the memory each kind
// of task takes.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "art/await.hpp"
#include "art/executor.hpp"
#include "art/log.hpp"
#include "art/spawn_fiber.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "art/yield_now.hpp"

using namespace std::chrono_literals;

namespace {

// ANCHOR: ordinary_functions
// Ordinary functions, not coroutines: they can wait only because a fiber
// task is at the bottom of the stack.
int fetch(int id) {
  art::logger().info("fetch({}) waits for its timer", id);
  art::await(art::TimerFuture(5ms * id));
  return id * 100;
}

int fetch_all(int count) {
  int sum = 0;
  for (int id = 1; id <= count; ++id)
    sum += fetch(id);
  return sum;
}
// ANCHOR_END: ordinary_functions

art::Task<int> coroutine_side(art::JoinHandle<int> fiber_result) {
  int from_fiber = co_await fiber_result;
  art::logger().info("coroutine got {} from the fiber", from_fiber);
  co_return from_fiber + 1;
}

// ANCHOR: side_by_side
art::Task<int> main_task() {
  auto fiber = art::spawn_fiber([] { return fetch_all(3); });
  auto coroutine = art::spawn(coroutine_side(std::move(fiber)));
  auto joiner = art::spawn_fiber([&coroutine] { return art::await(coroutine) * 2; });
  co_return co_await joiner;
}
// ANCHOR_END: side_by_side

art::Task<int> tiny_coroutine() {
  co_await art::yield_now();
  co_return 1;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (std::getenv("SPDLOG_LEVEL") == nullptr) {  // NOLINT(concurrency-mt-unsafe): no threads yet
    art::logger().set_level(spdlog::level::info);
  }
  art::Executor executor;
  std::printf("=> (100 + 200 + 300 + 1) * 2 = %d\n", executor.block_on(main_task()));

  std::printf("=> a fiber task reserves a stack of %zu KiB (+ a guard page); %zu mapped so far\n",
              art::StackPool::shared().stack_size() / 1024, art::StackPool::shared().mapped());
  executor.block_on(tiny_coroutine());  // warms the frame pool up for this frame size
  const art::FramePool::Stats before = art::FramePool::stats();
  executor.block_on(tiny_coroutine());
  std::printf("=> a coroutine task takes a pooled frame instead: %llu block reused, %llu fresh\n",
              static_cast<unsigned long long>(art::FramePool::stats().reused - before.reused),
              static_cast<unsigned long long>(art::FramePool::stats().fresh - before.fresh));
}
