// Memory over deques and the injector: the deques are fixed rings and the
// injector links tasks through the tasks themselves, so after warm-up a
// spawn allocates nothing, on a worker or on any other thread.
#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::HybridRuntime;

Task<int> leaf(int value) { co_return value; }

Task<int> spawn_and_join(int children) {
  int sum = 0;
  for (int i = 0; i < children; ++i)
    sum += co_await art::spawn(leaf(i));
  co_return sum;
}

// Waits for a handle's task without block_on, whose Parker allocates: the
// count must see the runtime's allocations only.
template <class T>
T join_by_polling(JoinHandle<T>& handle) {
  while (!handle.is_finished())
    std::this_thread::yield();
  const Waker waker = noop_waker();
  Context cx(waker);
  return std::move(handle.poll(cx)).value();
}

std::uint64_t remote_round(Runtime& runtime, int tasks) {
  const std::uint64_t before = global_allocations();
  for (int i = 0; i < tasks; ++i) {
    auto handle = runtime.spawn(leaf(i));
    EXPECT_EQ(join_by_polling(handle), i);
  }
  return global_allocations() - before;
}

std::uint64_t worker_round(Runtime& runtime, int tasks) {
  const std::uint64_t before = global_allocations();
  auto handle = runtime.spawn(spawn_and_join(tasks));
  EXPECT_EQ(join_by_polling(handle), (tasks - 1) * tasks / 2);
  return global_allocations() - before;
}

// As in chapter 07: a new peak of blocks in flight between the two workers'
// pools may still cost an allocation now and then; one per task would show
// as thousands.
constexpr std::uint64_t kRareRefills = 20;

TEST(HybridMemory, NoGlobalAllocationPerSpawnFromAWorkerAfterWarmUp) {
  HybridRuntime rr(2);
  for (int round = 0; round < 5; ++round)
    (void)worker_round(rr.runtime, 1000);
  std::uint64_t allocations = 0;
  for (int round = 0; round < 10; ++round)
    allocations += worker_round(rr.runtime, 1000);
  EXPECT_LE(allocations, kRareRefills) << "in 10,000 spawns from a worker";
}

TEST(HybridMemory, NoGlobalAllocationPerSpawnFromAnotherThreadAfterWarmUp) {
  HybridRuntime rr(2);
  for (int round = 0; round < 5; ++round)
    (void)remote_round(rr.runtime, 1000);
  std::uint64_t allocations = 0;
  for (int round = 0; round < 10; ++round)
    allocations += remote_round(rr.runtime, 1000);
  EXPECT_LE(allocations, kRareRefills) << "in 10,000 spawns from another thread";
}

}  // namespace
}  // namespace art
