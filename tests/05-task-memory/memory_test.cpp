// Where tasks live: the frame pool, the slab and its generation-tagged ids,
// the intrusive run queue, and the claim that a warmed-up executor spawns
// and completes tasks without calling the global allocator.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/executor.hpp"
#include "art/frame_pool.hpp"
#include "art/run_queue.hpp"
#include "art/task.hpp"
#include "art/task_slab.hpp"
#include "art/yield_now.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::Immediately;
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

TEST(Ex5_2_Slab, AMadeUpIdIsStale) {
  TaskSlab slab;
  const TaskSlab::Allocation used = slab.allocate(true);
  slab.set_held(used.id.index, true);  // a live task: only the generation can refuse an id
  EXPECT_EQ(slab.get(used.id), used.memory);
  EXPECT_EQ(slab.get(TaskId{used.id.index, used.id.generation + 1}),
            nullptr);  // even: a free slot's
  EXPECT_EQ(slab.get(TaskId{used.id.index, used.id.generation + 2}), nullptr);  // a later task's
  EXPECT_EQ(slab.get(TaskId{used.id.index + 1, 0}), nullptr);  // a slot never handed out
  EXPECT_EQ(slab.get(TaskId{1'000'000'000, 1}), nullptr);      // beyond the slab
  slab.set_held(used.id.index, false);
  (void)slab.free(used.id, true);
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

TEST(Ex5_2_Slab, AbortOfAFinishedTaskIsRefusedWhileItsHandleKeepsTheSlot) {
  Executor executor;
  auto handle = executor.spawn(Immediately(3));
  executor.run_until_stalled();
  ASSERT_TRUE(handle.is_finished());
  EXPECT_FALSE(executor.abort(handle.id()));  // done: not the executor's any more
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_EQ(handle.poll(cx).value(), 3);
}

TEST(Ex5_2_Slab, AbortOfAQueuedTaskCancelsItBeforeItsFirstPoll) {
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

struct Big {
  using Output = int;
  std::array<std::uint64_t, 64> payload{};  // 512 bytes: more than a slot
  Poll<int> poll(Context& /*cx*/) { return static_cast<int>(payload[63]); }
};

TEST(Ex5_2_Slab, AFutureTooBigForASlotIsBoxed) {
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
