// Where tasks live: the frame pool, the slab and its generation-tagged ids,
// the intrusive run queue, and the claim that a warmed-up executor spawns
// and completes tasks without calling the global allocator.
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <semaphore>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/executor.hpp"
#include "art/frame_pool.hpp"
#include "art/manual_future.hpp"
#include "art/run_queue.hpp"
#include "art/task.hpp"
#include "art/task_slab.hpp"
#include "art/yield_now.hpp"
#include "sanitizers.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::Immediately;
using testing::kThreadSanitizer;
using testing::PendingForever;

TEST(Ex5_1_FramePool, AFreedBlockIsReusedForTheSameSizeClass) {
  void* first = FramePool::allocate(100);
  FramePool::deallocate(first, 100);
  const FramePool::Stats before = FramePool::stats();
  void* second = FramePool::allocate(120);  // same 128-byte class
  EXPECT_EQ(second, first);
  EXPECT_EQ(FramePool::stats().reused, before.reused + 1);
  EXPECT_EQ(FramePool::stats().fresh, before.fresh);
  FramePool::deallocate(second, 120);
}

TEST(Ex5_1_FramePool, BlocksOfAClassAreBigEnoughForItsLargestSize) {
  void* small = FramePool::allocate(65);  // class 128
  FramePool::deallocate(small, 65);
  auto* reused = static_cast<unsigned char*>(FramePool::allocate(128));
  EXPECT_EQ(reused, small);
  for (int i = 0; i < 128; ++i)
    reused[i] = 0xAB;  // ASan: the whole block is ours
  FramePool::deallocate(reused, 128);
}

TEST(FramePool, BlocksBeyondTheLastClassBypassThePool) {
  const FramePool::Stats before = FramePool::stats();
  void* big = FramePool::allocate(4096);
  FramePool::deallocate(big, 4096);
  EXPECT_EQ(FramePool::stats().reused, before.reused);
  EXPECT_EQ(FramePool::stats().fresh, before.fresh);
}

Task<int> square(int x) {
  co_await yield_now();
  co_return x* x;
}

Task<std::int64_t> spawn_and_join(int n, std::vector<JoinHandle<int>>* handles) {
  for (int i = 0; i < n; ++i)
    handles->push_back(spawn(square(i)));
  std::int64_t sum = 0;
  for (auto& handle : *handles)
    sum += co_await handle;
  handles->clear();
  co_return sum;
}

Task<void> spawn_detached(int n) {
  for (int i = 0; i < n; ++i)
    (void)spawn(Immediately(i));
  co_return;
}

TEST(Ex5_1_FramePool, NoGlobalAllocationPerSpawnAfterWarmUp) {
  constexpr int kTasks = 10'000;
  Executor executor;
  std::vector<JoinHandle<int>> handles;
  handles.reserve(kTasks);
  const std::int64_t warm = executor.block_on(spawn_and_join(kTasks, &handles));
  executor.block_on(spawn_detached(kTasks));
  executor.run_until_stalled();  // block_on returned when its own task was done

  const std::uint64_t before = global_allocations();
  const std::int64_t sum = executor.block_on(spawn_and_join(kTasks, &handles));
  executor.block_on(spawn_detached(kTasks));
  executor.run_until_stalled();
  const std::uint64_t after = global_allocations();

  EXPECT_EQ(sum, warm);
  EXPECT_EQ(after - before, 0U) << "global allocations for " << 2 * kTasks + 2 << " tasks";
  EXPECT_EQ(executor.metrics().completed, 4U * kTasks + 4U);
}

// Keeps the newest waker the way well-behaved futures do, counting how
// often it had to store (clone) a new one; wakes itself to be polled again.
struct KeepsNewestWaker {
  using Output = int;
  int* stores;
  Waker kept;
  int polls = 0;
  Poll<int> poll(Context& cx) {
    if (!kept.will_wake(cx.waker())) {
      kept = cx.waker();
      ++*stores;
    }
    if (++polls == 3)
      return polls;
    kept.wake_by_ref();
    return pending;
  }
};

TEST(LentWaker, ThePollsWakerIsTheSameWakerEveryTime) {
  Executor executor;
  int stores = 0;
  auto handle = executor.spawn(KeepsNewestWaker{&stores, {}});
  executor.run_until_stalled();
  EXPECT_TRUE(handle.is_finished());
  EXPECT_EQ(stores, 1);  // one clone for three polls: will_wake saw the same waker
}

TEST(Ex5_2_Slab, AStaleIdIsDetectedWhenItsSlotIsReused) {
  TaskSlab slab;
  const TaskSlab::Allocation first = slab.allocate(true);
  slab.set_held(first.id.index, true);  // as the executor does at spawn
  EXPECT_EQ(slab.get(first.id), first.memory);
  (void)slab.free(first.id, true);
  EXPECT_EQ(slab.get(first.id), nullptr);
  const TaskSlab::Allocation second = slab.allocate(true);
  EXPECT_EQ(second.memory, first.memory);  // the slot was reused...
  EXPECT_EQ(second.id.index, first.id.index);
  EXPECT_NE(second.id.generation, first.id.generation);  // ...under a new name
  EXPECT_EQ(slab.get(first.id), nullptr);
  EXPECT_EQ(slab.get(second.id), second.memory);
  slab.set_held(second.id.index, false);  // as the executor does when the task is done
  EXPECT_EQ(slab.get(second.id), nullptr);
  (void)slab.free(second.id, true);
}

TEST(Slab, AMadeUpIdIsStale) {
  TaskSlab slab;
  const TaskSlab::Allocation used = slab.allocate(true);
  slab.set_held(used.id.index, true);  // a live task: only the generation can refuse an id
  EXPECT_EQ(slab.get(used.id), used.memory);
  const std::uint32_t index = used.id.index;
  const std::uint64_t slab_serial = used.id.executor;
  EXPECT_EQ(slab.get(TaskId{index, used.id.generation + 1, slab_serial}),
            nullptr);  // even: a free slot's
  EXPECT_EQ(slab.get(TaskId{index, used.id.generation + 2, slab_serial}),
            nullptr);                                                   // a later task's
  EXPECT_EQ(slab.get(TaskId{index + 1, 0, slab_serial}), nullptr);      // never handed out
  EXPECT_EQ(slab.get(TaskId{1'000'000'000, 1, slab_serial}), nullptr);  // beyond the slab
  slab.set_held(used.id.index, false);
  (void)slab.free(used.id, true);
}

// An executor destroyed while a JoinHandle still holds a task parks its
// owner in the slab; the free of that last slot, on another thread, hands
// the owner back, so the slab (and the executor's state) goes with it.
TEST(Ex5_2_Slab, TheLastFreeOfAnOrphanedSlabHandsBackItsOwner) {
  TaskSlab slab;
  const TaskSlab::Allocation first = slab.allocate(true);
  const TaskSlab::Allocation second = slab.allocate(false);
  auto owner = std::make_shared<int>(42);
  std::weak_ptr<int> watch = owner;
  slab.orphan(std::move(owner));
  EXPECT_FALSE(watch.expired()) << "orphan() dropped the owner while a slot was in use";
  std::shared_ptr<void> back;
  std::jthread other([&] {
    EXPECT_EQ(slab.free(first.id, false), nullptr) << "a slot is still in use";
    back = slab.free(second.id, false);
  });
  other.join();
  EXPECT_NE(back, nullptr) << "the last free did not hand back the parked owner";
  back.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(Ex5_2_Slab, SlotsFreedOnAnotherThreadComeBack) {
  TaskSlab slab;
  std::vector<TaskSlab::Allocation> taken;
  for (std::size_t i = 0; i < TaskSlab::kSlotsPerPage; ++i)
    taken.push_back(slab.allocate(true));
  std::jthread other([&] {
    for (const auto& allocation : taken)
      (void)slab.free(allocation.id, false);
  });
  other.join();
  taken.clear();
  for (std::size_t i = 0; i < TaskSlab::kSlotsPerPage; ++i)
    taken.push_back(slab.allocate(true));  // the whole page again, from the shared list
  EXPECT_EQ(slab.capacity(), TaskSlab::kSlotsPerPage);  // no second page
  for (const auto& allocation : taken)
    (void)slab.free(allocation.id, true);
}

TEST(Ex5_2_Slab, AbortWithAStaleIdLeavesTheNewOccupantAlone) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  TaskId old_id;
  {
    auto first = executor.spawn(Immediately(1));
    old_id = first.id();
    executor.run_until_stalled();
  }  // joined or not, the task is done and its slot is free
  auto second = executor.spawn(PendingForever(destroyed));
  ASSERT_EQ(second.id().index, old_id.index);  // same slot, new generation
  executor.run_until_stalled();
  EXPECT_FALSE(executor.abort(old_id));
  EXPECT_EQ(destroyed->load(), 0);
  EXPECT_TRUE(executor.abort(second.id()));
  EXPECT_EQ(destroyed->load(), 1);
  EXPECT_EQ(executor.live_tasks(), 0U);
  EXPECT_FALSE(executor.abort(second.id()));  // now stale too
}

TEST(Abort, AbortOfAFinishedTaskIsRefusedWhileItsHandleKeepsTheSlot) {
  Executor executor;
  auto handle = executor.spawn(Immediately(3));
  executor.run_until_stalled();
  ASSERT_TRUE(handle.is_finished());
  EXPECT_FALSE(executor.abort(handle.id()));  // done: not the executor's any more
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_EQ(handle.poll(cx).value(), 3);
}

TEST(Abort, AbortOfAQueuedTaskCancelsItBeforeItsFirstPoll) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  auto handle = executor.spawn(PendingForever(destroyed));
  EXPECT_TRUE(executor.abort(handle.id()));
  EXPECT_EQ(destroyed->load(), 1);
  executor.run_until_stalled();
  EXPECT_EQ(executor.metrics().polls, 0U);
  EXPECT_EQ(executor.live_tasks(), 0U);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_THROW((void)handle.poll(cx), TaskCancelled);
}

// Slots taken on the shared side (another thread's spawn) and freed on the
// owner's side (in the loop) must come back to the shared side.
TEST(Slab, SlotsFreedOnTheOwnersSideReachTheOtherThreads) {
  TaskSlab slab;
  std::vector<TaskSlab::Allocation> taken;
  for (int round = 0; round < 20; ++round) {
    for (std::size_t i = 0; i < TaskSlab::kSlotsPerPage; ++i)
      taken.push_back(slab.allocate(false));
    for (const auto& allocation : taken)
      (void)slab.free(allocation.id, true);
    taken.clear();
  }
  // A page alive at a time, the owner's cache, and the page a growth adds.
  EXPECT_LE(slab.capacity(), 2 * TaskSlab::kSlotsPerPage + TaskSlab::kMaxCachedSlots);
}

// Every round, another thread spawns (the shared side) and the executor's
// loop completes and frees (the owner's side). A fifth of the spawns under
// ThreadSanitizer, which makes each one many times slower; without the cap
// the slab grows in every round all the same.
TEST(Slab, SpawnsFromAnotherThreadKeepTheSlotCountFlat) {
  constexpr int kRounds = 100;
  constexpr int kTasks = kThreadSanitizer ? 2'000 : 10'000;
  constexpr std::size_t kBound = kTasks + TaskSlab::kMaxCachedSlots + TaskSlab::kSlotsPerPage;
  Executor executor;
  Spawner spawner = executor.spawner();
  std::size_t warm = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::jthread other([&] {
      for (int i = 0; i < kTasks; ++i)
        (void)spawner.spawn(Immediately(i));
    });
    other.join();
    executor.run_until_stalled();
    ASSERT_LE(executor.task_slots(), kBound) << "after round " << round;
    if (round == 2)
      warm = executor.task_slots();
  }
  EXPECT_EQ(executor.task_slots(), warm);
  EXPECT_EQ(executor.metrics().completed, std::uint64_t{kRounds} * kTasks);
}

// Ready at once; lets the spawning thread send one more task.
class ReleasesASeat {
 public:
  using Output = void;
  explicit ReleasesASeat(std::counting_semaphore<>* seats) : seats_(seats) {}
  Poll<void> poll(Context& /*cx*/) {
    seats_->release();
    return ready;
  }

 private:
  std::counting_semaphore<>* seats_;
};

TEST(Slab, ASpawnerSpawningWhileTheExecutorRunsKeepsTheSlotCountBounded) {
  constexpr int kTasks = 20'000;
  constexpr std::ptrdiff_t kSeats = 64;  // tasks sent and not yet polled, at most
  Executor executor;
  Spawner spawner = executor.spawner();
  std::counting_semaphore<> seats(kSeats);
  auto [all_sent, completer] = make_manual_future<int>();
  // If the executor fails, the test ends early: its stop request frees the
  // seats, so the spawning thread stops instead of waiting for ever.
  std::jthread other(
      [&seats, spawner, completer = std::move(completer)](const std::stop_token& stop) mutable {
        const std::stop_callback free_the_seats(stop, [&seats] { seats.release(kSeats); });
        for (int i = 0; i < kTasks; ++i) {
          seats.acquire();
          if (stop.stop_requested())
            return;
          (void)spawner.spawn(ReleasesASeat(&seats));
        }
        completer.complete(kTasks);
      });
  EXPECT_EQ(executor.block_on(std::move(all_sent)), kTasks);
  executor.run();
  EXPECT_EQ(executor.metrics().completed, kTasks + 1U);
  // Alive at once: the seats, the one being polled, block_on's task.
  constexpr std::size_t kPeak = kSeats + 2;
  EXPECT_LE(executor.task_slots(), kPeak + TaskSlab::kMaxCachedSlots + TaskSlab::kSlotsPerPage);
}

TEST(TaskId, AGenerationCannotWrap) {
  // Two bumps per reuse of a slot: 2^63 reuses, centuries of spawning. With
  // 32 bits, 2^31 reuses of one slot (minutes of one task spawning the next)
  // made a stale id match its slot's new task.
  EXPECT_EQ(std::numeric_limits<decltype(TaskId::generation)>::digits, 64);
  TaskSlab slab;
  const TaskSlab::Allocation used = slab.allocate(true);
  slab.set_held(used.id.index, true);
  const std::uint64_t wrapped = used.id.generation + (std::uint64_t{1} << 32);
  EXPECT_EQ(slab.get(TaskId{used.id.index, wrapped, used.id.executor}), nullptr);
  slab.set_held(used.id.index, false);
  (void)slab.free(used.id, true);
}

TEST(TaskId, AnIdOfAnotherSlabIsRefused) {
  TaskSlab mine;
  TaskSlab other;
  const TaskSlab::Allocation a = mine.allocate(true);
  const TaskSlab::Allocation b = other.allocate(true);
  mine.set_held(a.id.index, true);
  other.set_held(b.id.index, true);
  ASSERT_EQ(a.id.index, b.id.index);  // the same slot and generation in each slab
  ASSERT_EQ(a.id.generation, b.id.generation);
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(mine.get(b.id), nullptr);
  EXPECT_EQ(other.get(a.id), nullptr);
  EXPECT_EQ(mine.get(a.id), a.memory);
  EXPECT_EQ(other.get(b.id), b.memory);
  mine.set_held(a.id.index, false);
  other.set_held(b.id.index, false);
  (void)mine.free(a.id, true);
  (void)other.free(b.id, true);
}

TEST(TaskId, AbortRefusesAnIdOfAnotherExecutor) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor mine;
  Executor other;
  auto my_task = mine.spawn(PendingForever(destroyed));
  auto other_task = other.spawn(PendingForever(destroyed));
  mine.run_until_stalled();
  other.run_until_stalled();
  ASSERT_EQ(my_task.id().index, other_task.id().index);  // same slot, same generation
  EXPECT_FALSE(mine.abort(other_task.id()));
  EXPECT_EQ(destroyed->load(), 0);  // neither task was touched
  EXPECT_EQ(mine.live_tasks(), 1U);
  EXPECT_EQ(other.live_tasks(), 1U);
  EXPECT_TRUE(other.abort(other_task.id()));
  EXPECT_EQ(destroyed->load(), 1);
}

// A first base with a virtual function of its own takes offset 0, so the
// TaskHeader of this cell does not start its slot.
struct InTheWay {
  InTheWay() = default;
  InTheWay(const InTheWay&) = delete;
  InTheWay& operator=(const InTheWay&) = delete;
  virtual ~InTheWay() = default;
  std::uint64_t bytes = 0;
};

class MisplacedHeader final : public InTheWay, public TaskOutput<int> {
 public:
  MisplacedHeader(PendingForever future, ExecutorCore* executor, TaskId id)
      : TaskOutput<int>(executor, id), future_(std::move(future)) {}
  bool poll_future(Context& /*cx*/) override { return false; }
  void drop_future() noexcept override {}

 private:
  PendingForever future_;
};

TEST(Slab, ATaskWhoseHeaderDoesNotStartItsSlotIsDestroyedWithTheSpawn) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  ExecutorCore core;
  const auto make_misplaced = [&] {
    return core.make_task<PendingForever, MisplacedHeader>(PendingForever(destroyed));
  };
  EXPECT_THROW((void)make_misplaced(), std::logic_error);
  EXPECT_EQ(destroyed->load(), 1);  // the cell was destroyed, its future with it
}

struct Big {
  using Output = int;
  std::array<std::uint64_t, 64> payload{};  // 512 bytes: more than a slot
  Poll<int> poll(Context& /*cx*/) { return static_cast<int>(payload[63]); }
};

TEST(Slab, AFutureTooBigForASlotIsBoxed) {
  static_assert(sizeof(Big) > TaskSlab::kSlotBytes);
  Executor executor;
  Big big;
  big.payload[63] = 7;
  EXPECT_EQ(executor.block_on(big), 7);
}

// A bare task header, enough to be a queue node.
class Node final : public TaskHeader {
 public:
  Node() : TaskHeader(nullptr, TaskId{}) {}
  bool poll_future(Context& /*cx*/) override { return true; }
  void drop_future() noexcept override {}
  void notify_joiner() override {}
};

TEST(Ex5_3_RunQueue, PopsInTheOrderPushed) {
  std::array<Node, 3> nodes;
  RunQueue queue;
  EXPECT_EQ(queue.pop(), nullptr);
  for (Node& node : nodes)
    queue.push(&node);
  EXPECT_FALSE(queue.empty());
  for (Node& node : nodes)
    EXPECT_EQ(queue.pop(), &node);
  EXPECT_EQ(queue.pop(), nullptr);
  EXPECT_TRUE(queue.empty());
  queue.push(&nodes[1]);  // usable again once drained
  EXPECT_EQ(queue.pop(), &nodes[1]);
}

TEST(Ex5_3_RunQueue, AppendMovesAWholeQueueToTheBack) {
  std::array<Node, 4> nodes;
  RunQueue front;
  RunQueue back;
  front.push(nodes.data());
  back.push(&nodes[1]);
  back.push(&nodes[2]);
  front.append(back);
  EXPECT_TRUE(back.empty());
  front.push(&nodes[3]);
  for (Node& node : nodes)
    EXPECT_EQ(front.pop(), &node);
  EXPECT_TRUE(front.empty());
}

Task<void> log_turns(std::vector<int>* log, int id) {
  log->push_back(id);
  co_await yield_now();
  log->push_back(id);
}

TEST(Ex5_3_RunQueue, TheExecutorRunsTasksInSpawnOrder) {
  Executor executor;
  std::vector<int> log;
  std::vector<JoinHandle<void>> handles;
  handles.reserve(3);
  for (int id = 0; id < 3; ++id)
    handles.push_back(executor.spawn(log_turns(&log, id)));
  executor.run_until_stalled();
  EXPECT_EQ(log, (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

}  // namespace
}  // namespace art
