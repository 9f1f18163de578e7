// The executor under the fiber tasks is chapter 05's: its races, forced.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::AbandonAtScopeEnd;
using testing::DestructorPause;
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
  DestructorPause pause;
  {
    Executor executor;
    // Shutdown cancels the newest task first: the pausing one, spawned in
    // the middle, is reached when half of the others are cancelled already.
    for (int i = 0; i < kTasks; ++i) {
      if (i == kTasks / 2)
        (void)executor.spawn(PausesInItsDestructor(&pause));
      wakers.push_back(std::make_shared<Waker>());
      (void)executor.spawn(PendingForever(destroyed, wakers.back()));
    }
    executor.run_until_stalled();
    std::jthread waking([&] {
      if (pause.wait_until_entered())  // shutdown is cancelling tasks right now
        for (auto& waker : wakers)
          waker->wake_by_ref();  // half are cancelled already, half not yet
      pause.resume();
    });
    const AbandonAtScopeEnd give_up{pause};  // also if shutdown throws
    executor.shutdown();
  }
  EXPECT_EQ(destroyed->load(), kTasks);  // each future destroyed exactly once
  for (auto& waker : wakers)
    waker->reset();  // the last references: no task may be left (LeakSanitizer)
}

}  // namespace
}  // namespace art
