// The executor under the fiber tasks is chapter 05's: its races, forced.
#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::PausesInItsDestructor;
using testing::PendingForever;
using testing::WokenByOtherThreadsWhilePolled;

TEST(Notified, WakesFromOtherThreadsDuringThePollRequeueItOnce) {
  Executor executor;
  auto polls = std::make_shared<std::atomic<int>>(0);
  // Four threads wake the task while it runs (running -> notified), and the
  // poll returns only after all four did: none of those wakes may be lost,
  // and together they are worth one more poll, not four.
  EXPECT_EQ(executor.block_on(WokenByOtherThreadsWhilePolled(polls, 4)), 2);
  EXPECT_EQ(executor.metrics().polls, 2U);
}

TEST(Executor, WakesDuringShutdownFreeEveryTaskOnce) {
  constexpr int kTasks = 64;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::vector<std::shared_ptr<Waker>> wakers;
  std::latch destroying(1);
  std::latch woken(1);
  {
    Executor executor;
    // Shutdown cancels the newest task first: the pausing one, spawned in
    // the middle, is reached when half of the others are cancelled already.
    for (int i = 0; i < kTasks; ++i) {
      if (i == kTasks / 2)
        (void)executor.spawn(PausesInItsDestructor(&destroying, &woken));
      wakers.push_back(std::make_shared<Waker>());
      (void)executor.spawn(PendingForever(destroyed, wakers.back()));
    }
    executor.run_until_stalled();
    std::jthread waking([&] {
      destroying.wait();  // shutdown is cancelling tasks right now
      for (auto& waker : wakers)
        waker->wake_by_ref();  // half are cancelled already, half not yet
      woken.count_down();
    });
    executor.shutdown();
  }
  EXPECT_EQ(destroyed->load(), kTasks);  // each future destroyed exactly once
  for (auto& waker : wakers)
    waker->reset();  // the last references: no task may be left (LeakSanitizer)
}

}  // namespace
}  // namespace art
