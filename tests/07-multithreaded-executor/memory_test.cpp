// Memory under many threads: after warm-up a spawn allocates nothing, on a
// worker or on any other thread, and the pools stay flat under a steady
// cross-thread spawn rate.
#include <atomic>
#include <cstdint>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/frame_pool.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

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

// One round from this (non-worker) thread: spawn `tasks` coroutine tasks
// and join each; returns the global allocations the round made.
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

// After warm-up, no allocation *per spawn*: 10,000 spawns may still meet a
// new peak of blocks in flight between the two workers' pools now and then
// (which worker frees what is up to timing), but an allocation per task
// would show as thousands.
constexpr std::uint64_t kRareRefills = 20;

TEST(Memory, NoGlobalAllocationPerSpawnFromAWorkerAfterWarmUp) {
  Runtime runtime(2);
  for (int round = 0; round < 5; ++round)  // each worker's pool fills to its peak
    (void)worker_round(runtime, 1000);
  std::uint64_t allocations = 0;
  for (int round = 0; round < 10; ++round)
    allocations += worker_round(runtime, 1000);
  EXPECT_LE(allocations, kRareRefills) << "in 10,000 spawns from a worker";
}

TEST(Memory, NoGlobalAllocationPerSpawnFromAnotherThreadAfterWarmUp) {
  Runtime runtime(2);
  for (int round = 0; round < 5; ++round)
    (void)remote_round(runtime, 1000);
  std::uint64_t allocations = 0;
  for (int round = 0; round < 10; ++round)
    allocations += remote_round(runtime, 1000);
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

// A producer thread spawns, the workers free: the blocks must find their
// way home (FramePool's remote lists) or the producer allocates forever.
//
// The bound is exact, not a guess about timing. The producer's pool takes a
// fresh block only when its local and remote lists are both empty. At that
// moment every block it owns is either a task of this round (its handle is
// still held) or one that a worker is still to release: a worker publishes
// COMPLETE, which lets the producer's join return, and only then drops its
// reference, and it starts no other task before it has. So at most
// `per_round + workers` blocks are ever owned, and the count after round 4
// (already at least `per_round`) can grow by `workers` at most. Blocks that
// never came home would add `per_round` in every round.
TEST(Memory, SteadyCrossThreadSpawnsKeepThePoolsFlat) {
  constexpr int kWorkers = 2;
  Runtime runtime(kWorkers);
  const int per_round = 10'000 / testing::kStressScale;
  std::uint64_t warmed_up = 0;
  std::uint64_t last = 0;
  std::uint64_t resident_warmed_up = 0;
  std::uint64_t resident_last = 0;
  std::jthread producer([&] {
    struct Tick {
      using Output = void;
      Poll<void> poll(Context& /*cx*/) { return ready; }
    };
    for (int round = 0; round < 20; ++round) {
      std::vector<JoinHandle<void>> handles;
      handles.reserve(per_round);
      for (int i = 0; i < per_round; ++i)
        handles.push_back(runtime.spawn(Tick{}));
      for (auto& handle : handles)
        art::block_on(handle);
      if (round == 4) {
        warmed_up = FramePool::stats().fresh;
        resident_warmed_up = resident_kib();
      }
      last = FramePool::stats().fresh;
      resident_last = resident_kib();
    }
  });
  producer.join();
  EXPECT_LE(last, warmed_up + kWorkers)
      << "the producer kept asking the allocator for task blocks";
#ifndef ART_TEST_SANITIZED  // ASan keeps freed memory in quarantine on purpose
  // 15 more rounds of tasks, 64 bytes and up each, would add megabytes if
  // they were kept; a few hundred KiB of slack is the allocator's own.
  EXPECT_LT(resident_last, resident_warmed_up + 512)
      << "resident memory grew from " << resident_warmed_up << " KiB to " << resident_last
      << " KiB";
#endif
}

}  // namespace
}  // namespace art
