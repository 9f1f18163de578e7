// Shutdown: every task still alive is destroyed, joins say so, late spawns
// and late wakes are refused without leaking or crashing.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/executor.hpp"
#include "art/manual_future.hpp"
#include "art/task.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::AbandonAtScopeEnd;
using testing::DestructorPause;
using testing::PausesInItsDestructor;
using testing::PendingForever;

TEST(Ex4_4_Shutdown, DestroysAHundredThousandPendingTasks) {
  constexpr int kTasks = 100'000;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  for (int i = 0; i < kTasks; ++i)
    (void)executor.spawn(PendingForever(destroyed));
  EXPECT_EQ(executor.run_until_stalled(), static_cast<std::size_t>(kTasks));
  EXPECT_EQ(destroyed->load(), 0);
  executor.shutdown();
  EXPECT_EQ(destroyed->load(), kTasks);
  EXPECT_EQ(executor.metrics().cancelled, static_cast<std::uint64_t>(kTasks));
  EXPECT_EQ(executor.live_tasks(), 0U);
}

TEST(Ex4_4_Shutdown, TheDestructorShutsDownToo) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  {
    Executor executor;
    (void)executor.spawn(PendingForever(destroyed));
    (void)executor.spawn(PendingForever(destroyed));
    executor.run_until_stalled();
    (void)executor.spawn(PendingForever(destroyed));  // never even polled
  }
  EXPECT_EQ(destroyed->load(), 3);
}

TEST(Ex4_4_Shutdown, JoinAfterShutdownThrowsTaskCancelled) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  auto handle = executor.spawn(PendingForever(destroyed));
  executor.run_until_stalled();
  executor.shutdown();
  EXPECT_THROW(art::block_on(handle), TaskCancelled);
}

Task<void> waits_for(ManualFuture<int> input) { co_await input; }

TEST(Ex4_4_Shutdown, DestroyingAFutureThatWakesAnotherTaskIsSafe) {
  // Task A owns the Completer that task B waits on. Cancelling A destroys
  // the Completer, which wakes B while shutdown is under way.
  auto [input, completer] = make_manual_future<int>();
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  auto b = executor.spawn(waits_for(std::move(input)));
  auto holder = std::make_shared<Completer<int>>(std::move(completer));
  auto a = executor.spawn([]([[maybe_unused]] std::shared_ptr<Completer<int>> kept,
                             std::shared_ptr<std::atomic<int>> count) -> Task<void> {
    co_await PendingForever(std::move(count));
  }(std::move(holder), destroyed));
  executor.run_until_stalled();
  executor.shutdown();
  EXPECT_EQ(executor.live_tasks(), 0U);
  EXPECT_EQ(executor.metrics().cancelled, 2U);
  EXPECT_EQ(destroyed->load(), 1);
}

// A joiner's waker that records, when it is woken, what the joiner would
// see then: whether the task is finished, and how many futures are gone.
struct JoinerWatch {
  JoinHandle<int>* handle;
  std::shared_ptr<std::atomic<int>> destroyed;
  int wakes = 0;
  bool finished_at_wake = false;
  int destroyed_at_wake = -1;
};
RawWaker clone_watch(void* data);
void wake_watch(void* data) {
  auto* watch = static_cast<JoinerWatch*>(data);
  ++watch->wakes;
  watch->finished_at_wake = watch->handle->is_finished();
  watch->destroyed_at_wake = watch->destroyed->load();
}
void drop_watch(void* /*data*/) noexcept {}
constexpr WakerVTable watch_vtable{clone_watch, wake_watch, wake_watch, drop_watch};
RawWaker clone_watch(void* data) { return RawWaker{data, &watch_vtable}; }

// Joins the watched task with the watch's waker instead of its own task's.
class JoinsWithAWatch {
 public:
  using Output = int;
  explicit JoinsWithAWatch(JoinerWatch* watch)
      : watch_(watch), waker_(RawWaker{watch, &watch_vtable}) {}
  Poll<int> poll(Context& /*cx*/) {
    Context inner(waker_);
    return watch_->handle->poll(inner);
  }

 private:
  JoinerWatch* watch_;
  Waker waker_;
};

TEST(Ex4_4_Shutdown, ShutdownWakesTheJoinerOnceItsTaskIsDoneAndItsFutureGone) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  auto target = executor.spawn(PendingForever(destroyed));
  JoinerWatch watch{&target, destroyed};
  (void)executor.spawn(JoinsWithAWatch(&watch));
  executor.run_until_stalled();
  EXPECT_EQ(watch.wakes, 0);
  executor.shutdown();
  EXPECT_EQ(watch.wakes, 1);              // told once that the task will never finish
  EXPECT_EQ(watch.destroyed_at_wake, 1);  // after its future was destroyed
  EXPECT_TRUE(watch.finished_at_wake);    // and after it was published done
}

TEST(Executor, AWakeAfterTheExecutorIsGoneIsHarmless) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto waker = std::make_shared<Waker>();
  {
    Executor executor;
    (void)executor.spawn(PendingForever(destroyed, waker));
    executor.run_until_stalled();
  }
  ASSERT_TRUE(*waker);
  std::jthread other([waker] { waker->wake_by_ref(); });
}

TEST(Executor, SpawnAfterShutdownThrowsAndDestroysTheFuture) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor executor;
  executor.shutdown();
  EXPECT_THROW((void)executor.spawn(PendingForever(destroyed)), ExecutorShutDown);
  EXPECT_EQ(destroyed->load(), 1);
  Spawner spawner = executor.spawner();
  std::jthread other([&] {
    EXPECT_THROW((void)spawner.spawn(PendingForever(destroyed)), ExecutorShutDown);
  });
  other.join();
  EXPECT_EQ(destroyed->load(), 2);
}

TEST(Executor, WakesDuringShutdownFreeEveryTaskOnce) {
  constexpr int kTasks = 64;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::vector<std::shared_ptr<Waker>> wakers;
  DestructorPause pause;
  {
    Executor executor;
    // A call may throw before `waking` runs: the destructor must not pause then.
    const AbandonAtScopeEnd give_up_early{pause};
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
    const AbandonAtScopeEnd give_up{pause};  // if the shutdown throws: before the join
    executor.shutdown();
  }
  EXPECT_EQ(destroyed->load(), kTasks);  // each future destroyed exactly once
  for (auto& waker : wakers)
    waker->reset();  // the last references: no task may be left (LeakSanitizer)
}

}  // namespace
}  // namespace art
