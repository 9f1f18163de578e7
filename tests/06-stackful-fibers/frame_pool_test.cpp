// The frame pool when blocks cross threads (frames allocated by a producer
// thread, freed on the executor's), over-aligned futures, and a boxed future
// whose move constructor throws.
#include "art/frame_pool.hpp"

#include <array>
#include <atomic>
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/executor.hpp"
#include "art/task.hpp"
#include "art/task_cell.hpp"
#include "art/task_slab.hpp"
#include "sanitizers.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using testing::run_on_another_thread;
using testing::TestThread;

// A sanitizer makes a spawn many times slower, so its builds spawn smaller
// rounds: what is checked holds round by round, at any size. The default
// build runs the full 100 rounds of 10,000.
constexpr int kRemoteTasksPerRound = testing::kSanitized ? 1'000 : 10'000;

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

Task<int> remote_work(int i) { co_return i + 1; }

struct RemoteRounds {
  std::vector<std::uint64_t> allocations;  // global allocations of each measured round
  std::vector<std::uint64_t>
      fresh_blocks;                  // blocks the producer's pool took from the allocator
  std::int64_t resident_growth = 0;  // bytes, over the measured rounds
};

// A producer thread spawns `tasks` coroutine tasks through a Spawner (their
// frames come from the producer's pool), then the executor, on this thread,
// runs them (their frames are freed here). The two take turns at a barrier,
// so every frame of a round is freed before the next round starts. The
// producer drops its join handles after the run, so it frees the task slots
// itself and only the frames cross threads; with `detached`, it drops each
// handle at once, and the slots cross too: their last release is the
// executor's, on the owner's side of the slab.
RemoteRounds spawn_from_another_thread(int warm_up, int rounds, int tasks,
                                       bool detached = false) {
  Executor executor;
  Spawner spawner = executor.spawner();
  std::barrier turns(2);
  // Relaxed: set before the executor leaves the barrier, read after it.
  std::atomic<bool> executor_failed{false};
  RemoteRounds result;
  result.fresh_blocks.reserve(static_cast<std::size_t>(rounds));
  std::vector<JoinHandle<int>> handles;
  handles.reserve(static_cast<std::size_t>(tasks));
  TestThread producer(
      [&] {
        for (int round = 0; round < warm_up + rounds; ++round) {
          const std::uint64_t fresh_before = FramePool::stats().fresh;
          for (int i = 0; i < tasks; ++i) {
            if (detached)
              (void)spawner.spawn(remote_work(i));
            else
              handles.push_back(spawner.spawn(remote_work(i)));
          }
          if (round >= warm_up)
            result.fresh_blocks.push_back(FramePool::stats().fresh - fresh_before);
          turns.arrive_and_wait();  // spawned: the executor's turn
          turns.arrive_and_wait();  // run (frames freed there): the next round
          if (executor_failed.load(std::memory_order_relaxed))
            return;
          // The last reference to each slot goes here, so the slots, unlike
          // the frames, come back to this thread's side of the slab.
          handles.clear();
        }
      },
      // Failed: the executor goes on alone (and the test fails).
      [&] { turns.arrive_and_drop(); });
  result.allocations.reserve(static_cast<std::size_t>(rounds));
  std::size_t resident_before = 0;
  std::uint64_t allocations_before = 0;
  try {
    for (int round = 0; round < warm_up + rounds; ++round) {
      turns.arrive_and_wait();
      executor.run_until_stalled();
      // Measured while the producer waits at the barrier: a round's count is
      // everything both threads allocated since the previous measurement.
      const std::uint64_t now = global_allocations();
      if (round >= warm_up)
        result.allocations.push_back(now - allocations_before);
      if (round == warm_up - 1)
        resident_before = resident_bytes();  // its own allocations: after the count
      allocations_before = global_allocations();
      turns.arrive_and_wait();
    }
  } catch (...) {
    executor_failed.store(true, std::memory_order_relaxed);
    turns.arrive_and_drop();  // the producer finds the flag and stops
    throw;                    // once the producer's destructor has waited for it
  }
  producer.join();  // rethrows what failed there
  result.resident_growth = static_cast<std::int64_t>(resident_bytes()) -
                           static_cast<std::int64_t>(resident_before);
  return result;
}

TEST(FramePool, FramesOfRemoteSpawnsGoHomeAndMemoryStaysFlat) {
  constexpr int kRounds = 100;
  const RemoteRounds result = spawn_from_another_thread(2, kRounds, kRemoteTasksPerRound);
  std::uint64_t total = 0;
  std::uint64_t fresh = 0;
  for (int round = 0; round < kRounds; ++round) {
    total += result.allocations[static_cast<std::size_t>(round)];
    fresh += result.fresh_blocks[static_cast<std::size_t>(round)];
  }
  EXPECT_EQ(fresh, 0U) << "blocks the producer's pool took from the global allocator in "
                       << kRounds << " rounds";
  EXPECT_EQ(total, 0U) << "global allocations in " << kRounds
                       << " rounds of remote spawns";
  EXPECT_LT(result.resident_growth, 4 << 20)
      << "resident memory grew by " << result.resident_growth << " bytes";
}

// Detached remote spawns: frames and slots are both taken on the producer's
// thread and given back on the executor's. Both must find their way back.
TEST(Memory, DetachedRemoteSpawnsAllocateNothingAfterWarmUp) {
  constexpr int kRounds = 100;
  const RemoteRounds result =
      spawn_from_another_thread(2, kRounds, kRemoteTasksPerRound, true);
  std::uint64_t total = 0;
  for (const std::uint64_t round : result.allocations)
    total += round;
  EXPECT_EQ(total, 0U) << "global allocations in " << kRounds
                       << " rounds of detached remote spawns";
  EXPECT_LT(result.resident_growth, 4 << 20)
      << "resident memory grew by " << result.resident_growth << " bytes";
}

// Polls to whether it sits at an address its alignment allows.
template <std::size_t Alignment, std::size_t Bytes>
struct alignas(Alignment) OverAligned {
  using Output = bool;
  std::array<std::byte, Bytes> payload{};
  Poll<bool> poll(Context& /*cx*/) {
    return reinterpret_cast<std::uintptr_t>(this) % Alignment == 0;
  }
};

template <class F>
int count_aligned_polls(int tasks) {
  Executor executor;
  std::vector<JoinHandle<bool>> handles;
  handles.reserve(static_cast<std::size_t>(tasks));
  for (int i = 0; i < tasks; ++i)
    handles.push_back(executor.spawn(F{}));
  executor.run_until_stalled();
  int aligned = 0;
  const Waker waker = noop_waker();
  Context cx(waker);
  for (auto& handle : handles)
    aligned += handle.poll(cx).value() ? 1 : 0;
  return aligned;
}

TEST(Boxed, OverAlignedFuturesArePolledWhereTheirAlignmentAllows) {
  using SmallEnoughForASlot = OverAligned<64, 64>;
  using Thirty2 = OverAligned<32, 32>;
  using TooBigForASlot = OverAligned<64, 256>;
  using TooBigForThePool = OverAligned<64, 2048>;
  static_assert(sizeof(TaskCell<Thirty2>) <= TaskSlab::kSlotBytes);
  static_assert(sizeof(TooBigForASlot) > TaskSlab::kSlotBytes);
  static_assert(sizeof(TooBigForThePool) > FramePool::kClasses * FramePool::kGranularity);
  EXPECT_EQ(count_aligned_polls<SmallEnoughForASlot>(16), 16);
  EXPECT_EQ(count_aligned_polls<Thirty2>(16), 16);
  EXPECT_EQ(count_aligned_polls<TooBigForASlot>(16), 16);
  EXPECT_EQ(count_aligned_polls<TooBigForThePool>(16), 16);
}

// Its move constructor throws while `failing_moves` is positive.
struct ThrowsOnMove {
  using Output = int;
  static inline int failing_moves = 0;
  std::array<std::byte, 512> payload{};  // too big for a slot: boxed
  ThrowsOnMove() = default;
  // NOLINTNEXTLINE(performance-noexcept-move-constructor): throwing is its point
  ThrowsOnMove(ThrowsOnMove&& other) : payload(other.payload) {
    if (failing_moves > 0) {
      --failing_moves;
      throw std::runtime_error("move failed");
    }
  }
  ThrowsOnMove& operator=(ThrowsOnMove&&) = delete;
  ~ThrowsOnMove() = default;
  Poll<int> poll(Context& /*cx*/) { return 1; }
};

TEST(Boxed, AFutureOfOrdinaryAlignmentCostsOnePointer) {
  static_assert(sizeof(Boxed<ThrowsOnMove>) == sizeof(void*));
  static_assert(sizeof(Boxed<OverAligned<64, 256>>) == 2 * sizeof(void*));
}

TEST(Boxed, AFutureWhoseMoveThrowsGivesItsBlockBack) {
  {
    Boxed<ThrowsOnMove> warm{ThrowsOnMove{}};
  }  // leaves a block of its class in the pool
  const FramePool::Stats before = FramePool::stats();
  ThrowsOnMove::failing_moves = 1;
  EXPECT_THROW(Boxed<ThrowsOnMove>{ThrowsOnMove{}}, std::runtime_error);
  EXPECT_EQ(ThrowsOnMove::failing_moves, 0);
  { Boxed<ThrowsOnMove> again{ThrowsOnMove{}}; }
  EXPECT_EQ(FramePool::stats().fresh, before.fresh) << "the failed box kept its block";
  EXPECT_EQ(FramePool::stats().reused, before.reused + 2);
}

// The owner allocates, another thread frees while the owner waits, and
// the owner's next allocation is the same block, come home. Each runs on a
// thread of its own, so the stats are theirs alone; a thread's pool goes
// with the thread (run_on_another_thread returns once it has ended).
TEST(FramePoolRemoteFree, ABlockFreedHereGoesHomeToItsOwnersPool) {
  run_on_another_thread([] {  // the owner
    void* block = FramePool::allocate(100);
    run_on_another_thread([block] {  // the freer
      FramePool::deallocate(block, 100);
      void* mine = FramePool::allocate(100);  // not the one just freed: that is not ours
      EXPECT_NE(mine, block);
      FramePool::deallocate(mine, 100);
      EXPECT_EQ(FramePool::stats().came_home, 0U);
    });
    void* again = FramePool::allocate(100);
    const FramePool::Stats owner_after = FramePool::stats();
    FramePool::deallocate(again, 100);
    EXPECT_EQ(again, block);
    EXPECT_EQ(owner_after.fresh, 1U);
    EXPECT_EQ(owner_after.came_home, 1U);
    EXPECT_EQ(owner_after.reused, 1U);
  });
}

TEST(FramePoolRemoteFree, APoolOutlivesItsThreadUntilItsLastBlockComesBack) {
  const std::size_t pools_before = FramePool::live_pools();
  std::array<void*, 3> blocks{};
  run_on_another_thread([&] {
    for (void*& block : blocks)
      block = FramePool::allocate(200);
    FramePool::deallocate(FramePool::allocate(300), 300);  // held by the pool at exit
  });
  EXPECT_EQ(FramePool::live_pools(), pools_before + 1)
      << "the orphaned pool was freed early";
  for (void* block : blocks) {
    static_cast<unsigned char*>(block)[199] = 1;  // ASan: still ours
    FramePool::deallocate(block, 200);
  }
  EXPECT_EQ(FramePool::live_pools(), pools_before) << "the orphaned pool leaked";
}

TEST(FramePoolRemoteFree, APoolWithNothingOutIsFreedAtThreadExit) {
  const std::size_t pools_before = FramePool::live_pools();
  run_on_another_thread([] { FramePool::deallocate(FramePool::allocate(64), 64); });
  EXPECT_EQ(FramePool::live_pools(), pools_before);
}

// The race at thread exit: a block freed on one thread while its owner
// exits. Both threads are released at once at the barrier, every round;
// whichever wins, the block and the pool are freed exactly once.
TEST(FramePoolRemoteFree, AFreeRacingItsOwnersExitIsNeitherLostNorFreedTwice) {
  const std::size_t pools_before = FramePool::live_pools();
  for (int round = 0; round < 200; ++round) {
    std::barrier start(2);
    void* block = nullptr;
    TestThread owner(  // exits right after the barrier
        [&] {
          block = FramePool::allocate(128);
          start.arrive_and_wait();
        },
        [&] { start.arrive_and_drop(); });  // failed: the freer goes on alone
    TestThread freer([&] {
      start.arrive_and_wait();
      if (block != nullptr)
        FramePool::deallocate(block, 128);
    });
    owner.join();
    freer.join();
  }
  EXPECT_EQ(FramePool::live_pools(), pools_before);
}

// Two threads push while the owner takes: all three are released together
// at a barrier for every step, so pushes race each other and the owner's
// exchange. Every node arrives exactly once, with what its pusher wrote.
TEST(FramePoolRemoteFree, ConcurrentPushesAndTakesLoseNothing) {
  constexpr std::size_t kSteps = 1000;
  struct Block {
    RemoteFreeList::Node node;
    int written_by_pusher;
  };
  std::vector<Block> blocks(2 * kSteps);
  RemoteFreeList list;
  std::barrier step(3);
  std::vector<int> seen(blocks.size(), 0);
  auto take = [&] {
    for (RemoteFreeList::Node* node = list.take_all(); node != nullptr;) {
      RemoteFreeList::Node* next = node->next;
      auto* block = reinterpret_cast<Block*>(node);
      const auto index = static_cast<std::size_t>(block - blocks.data());
      EXPECT_EQ(block->written_by_pusher, static_cast<int>(index));
      ++seen[index];
      node = next;
    }
  };
  auto pusher = [&](std::size_t first) {
    for (std::size_t i = first; i < first + kSteps; ++i) {
      blocks[i].written_by_pusher = static_cast<int>(i);
      step.arrive_and_wait();
      EXPECT_TRUE(list.push(&blocks[i].node));
    }
  };
  std::thread first(pusher, 0);
  std::thread second(pusher, kSteps);
  for (std::size_t i = 0; i < kSteps; ++i) {
    step.arrive_and_wait();
    take();
  }
  first.join();
  second.join();
  take();
  for (std::size_t i = 0; i < seen.size(); ++i)
    ASSERT_EQ(seen[i], 1) << "node " << i;
  EXPECT_EQ(list.close(), nullptr);
  EXPECT_FALSE(list.push(&blocks[0].node)) << "a closed list takes nothing";
}

// Blocks that came home must join the local list, not replace it.
TEST(FramePool, ALocalBlockIsNotLostWhenRemoteBlocksComeHome) {
  const std::size_t pools_before = FramePool::live_pools();
  run_on_another_thread([] {
    void* a = FramePool::allocate(100);
    void* b = FramePool::allocate(100);
    // b waits on the remote list, a on the local list.
    run_on_another_thread([b] { FramePool::deallocate(b, 100); });
    FramePool::deallocate(a, 100);
    const FramePool::Stats before = FramePool::stats();
    void* x = FramePool::allocate(100);
    void* y = FramePool::allocate(100);
    EXPECT_EQ(FramePool::stats().fresh, before.fresh)
        << "a block on the local list was lost when the remote list came home";
    EXPECT_TRUE((x == a && y == b) || (x == b && y == a));
    FramePool::deallocate(x, 100);
    FramePool::deallocate(y, 100);
  });
  EXPECT_EQ(FramePool::live_pools(), pools_before) << "the pool leaked: a block was lost";
}

// Both sides of the slab at work at once: a free on the shared side must not
// read the owner's unlocked counts (ThreadSanitizer reports it if it does).
TEST(Slab, TheOwnersSideAndTheSharedSideWorkAtTheSameTime) {
  TaskSlab slab;
  constexpr int kRounds = 20000;
  // The default order: it only starts both loops together, publishing nothing.
  std::atomic<bool> go{false};
  TestThread other([&] {  // a Spawner's thread: the shared side
    while (!go.load())
      std::this_thread::yield();
    for (int i = 0; i < kRounds; ++i) {
      const TaskSlab::Allocation a = slab.allocate(false);
      EXPECT_EQ(slab.free(a.id, false), nullptr);
    }
  });
  go.store(true);
  for (int i = 0; i < kRounds; ++i) {  // the executor's loop: the owner's side
    const TaskSlab::Allocation a = slab.allocate(true);
    EXPECT_EQ(slab.free(a.id, true), nullptr);
  }
  other.join();  // rethrows what failed there
  EXPECT_EQ(slab.capacity(), TaskSlab::kSlotsPerPage);
}

}  // namespace
}  // namespace art
