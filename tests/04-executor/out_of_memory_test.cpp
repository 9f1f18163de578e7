// A wake that cannot be queued because memory ran out fails loudly and
// leaves the task idle, so that the next wake queues it: it is never left
// "scheduled" in no queue, where every later wake would be ignored.
#include <cstddef>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "failing_allocator.hpp"
#include "probe_future.hpp"

namespace art {
namespace {

using testing::Probe;
using testing::ProbeFuture;

TEST(Ex4_1_Wake, AWakeThatCannotBeQueuedLeavesTheTaskIdleForTheNextWake) {
  constexpr std::size_t kTasks = 1000;
  Executor executor;
  std::vector<std::shared_ptr<Probe>> probes;
  std::vector<JoinHandle<int>> handles;
  for (std::size_t i = 0; i < kTasks; ++i) {
    probes.push_back(std::make_shared<Probe>());
    handles.push_back(executor.spawn(ProbeFuture(probes.back())));
  }
  executor.run_until_stalled();  // every task idle, its waker kept by its probe
  for (auto& probe : probes)
    probe->value = 1;  // ready at the next poll

  std::vector<std::size_t> failed;
  failed.reserve(kTasks);
  std::jthread([&] {  // another thread: the wakes go through the channel's queue
    testing::FailAllocations no_memory;
    for (std::size_t i = 0; i < kTasks; ++i) {
      try {
        probes[i]->waker.wake_by_ref();
      } catch (const std::bad_alloc&) {
        failed.push_back(i);
      }
    }
  })
      .join();
  ASSERT_FALSE(failed.empty()) << "the channel's queue never had to grow";

  for (std::size_t i : failed)
    probes[i]->waker.wake_by_ref();  // memory is back: these wakes queue the task
  executor.run_until_stalled();
  EXPECT_EQ(executor.live_tasks(), 0U);
  for (auto& probe : probes)
    EXPECT_EQ(probe->polls, 2);
}

// Armed by a poll for what the executor does right after it (the requeue);
// the executor's thread only.
std::unique_ptr<testing::FailAllocations> armed;

struct Slot {
  int polls = 0;
  Waker waker;
};

// Poll 1: wakes itself and arms the failing allocator until the next poll
// starts, so that the executor's requeue runs without memory. Poll 2: Ready.
class WakesItselfThenArms {
 public:
  using Output = int;
  explicit WakesItselfThenArms(Slot* slot) : slot_(slot) {}
  Poll<int> poll(Context& cx) {
    armed.reset();
    if (++slot_->polls == 2)
      return 0;
    slot_->waker = cx.waker();
    cx.waker().wake_by_ref();
    armed = std::make_unique<testing::FailAllocations>();
    return pending;
  }

 private:
  Slot* slot_;
};

TEST(Ex4_2_Requeue, ARequeueThatCannotAllocateLeavesTheTaskIdleForTheNextWake) {
  constexpr int kTasks = 1000;
  std::vector<Slot> slots(kTasks);
  Executor executor;
  std::vector<JoinHandle<int>> handles;
  handles.reserve(kTasks);
  for (auto& slot : slots)
    handles.push_back(executor.spawn(WakesItselfThenArms(&slot)));
  int failures = 0;
  for (int round = 0; round < 100 && executor.live_tasks() > 0; ++round) {
    try {
      executor.run_until_stalled();
    } catch (const std::bad_alloc&) {
      armed.reset();
      ++failures;
    }
    armed.reset();
    for (auto& slot : slots)  // memory is back: wake whatever is still waiting
      if (slot.polls == 1)
        slot.waker.wake_by_ref();
  }
  armed.reset();
  EXPECT_GT(failures, 0) << "the run queue never had to grow during a requeue";
  EXPECT_EQ(executor.live_tasks(), 0U);
}

}  // namespace
}  // namespace art
