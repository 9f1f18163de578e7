// Memory over deques and the injector: the deques are fixed rings and the
// injector links tasks through the tasks themselves, so after warm-up a
// spawn allocates nothing, on a worker or on any other thread.
#include <cstdint>
#include <fstream>
#include <optional>
#include <vector>
#include <thread>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/frame_pool.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::StealingRuntime;

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

TEST(StealingMemory, NoGlobalAllocationPerSpawnFromAWorkerAfterWarmUp) {
  StealingRuntime rr(2);
  for (int round = 0; round < 5; ++round)
    (void)worker_round(rr.runtime, 1000);
  std::uint64_t allocations = 0;
  for (int round = 0; round < 10; ++round)
    allocations += worker_round(rr.runtime, 1000);
  EXPECT_LE(allocations, kRareRefills) << "in 10,000 spawns from a worker";
}

TEST(StealingMemory, NoGlobalAllocationPerSpawnFromAnotherThreadAfterWarmUp) {
  StealingRuntime rr(2);
  for (int round = 0; round < 5; ++round)
    (void)remote_round(rr.runtime, 1000);
  std::uint64_t allocations = 0;
  for (int round = 0; round < 10; ++round)
    allocations += remote_round(rr.runtime, 1000);
  EXPECT_LE(allocations, kRareRefills) << "in 10,000 spawns from another thread";
}

// Resident memory in KiB, from /proc/self/statm (its second field, in pages).
std::uint64_t resident_kib() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  statm >> size >> resident;
  return resident * 4;  // 4 KiB pages
}

// A parent spawned from outside the runtime that spawns a child on its
// worker and returns the child's output. Not a coroutine: the thread that
// spawns it allocates only the task's own block.
struct SpawnsAChild {
  using Output = int;
  std::optional<JoinHandle<int>> child;
  Poll<int> poll(Context& cx) {
    if (!child)
      child.emplace(art::spawn(leaf(7)));
    return child->poll(cx);
  }
};

// A steady load over every path a block can take: a thread outside the
// runtime spawns parents (blocks of its pool that workers release and send
// home), each parent spawns a child on its worker (a worker's block, which
// a thief may run and free on the other worker). Twenty rounds; after the
// fifth, the producer's pool takes no more than one fresh block per worker
// (its parents' handles hold a round's blocks until the round ends; only a
// worker still releasing one when the next round begins can add one: the
// bound chapter 07's Memory test argues), and resident memory grows by no more
// than one round of blocks, whatever the number of rounds.
TEST(StealingMemory, ASteadyLoadFromEveryPathKeepsMemoryFlat) {
  constexpr int kWorkers = 2;
  StealingRuntime rr(kWorkers);
  const int per_round = 4'000 / testing::kStressScale;
  std::uint64_t fresh_warmed_up = 0;
  std::uint64_t fresh_last = 0;
  std::uint64_t resident_warmed_up = 0;
  std::uint64_t resident_last = 0;
  std::jthread producer([&] {
    for (int round = 0; round < 20; ++round) {
      std::vector<JoinHandle<int>> parents;
      parents.reserve(per_round);
      for (int i = 0; i < per_round; ++i)
        parents.push_back(rr.runtime.spawn(SpawnsAChild{}));
      for (auto& parent : parents)
        EXPECT_EQ(join_by_polling(parent), 7);
      parents.clear();
      if (round == 4) {
        fresh_warmed_up = FramePool::stats().fresh;
        resident_warmed_up = resident_kib();
      }
      fresh_last = FramePool::stats().fresh;
      resident_last = resident_kib();
    }
  });
  producer.join();
  EXPECT_LE(fresh_last, fresh_warmed_up + kWorkers)
      << "the producer kept asking the allocator for task blocks";
#ifndef ART_TEST_SANITIZED  // ASan keeps freed memory in quarantine on purpose
  // The children's blocks come from the workers' pools, and how many of them
  // are alive on one worker at once is up to timing, up to a round's worth:
  // a pool may still grow to that after warm-up. What must not happen is
  // growth with every round: fifteen more rounds kept would be fifteen
  // rounds' worth of blocks (256 bytes bounds a block and its share of its
  // pool's bookkeeping), and a few hundred KiB of slack is the allocator's.
  const std::uint64_t one_round_kib = static_cast<std::uint64_t>(per_round) * 256 / 1024;
  EXPECT_LT(resident_last, resident_warmed_up + one_round_kib + 512)
      << "resident memory grew from " << resident_warmed_up << " KiB to " << resident_last
      << " KiB";
#endif
}

}  // namespace
}  // namespace art
