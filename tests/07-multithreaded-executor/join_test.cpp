// The JoinHandle from any thread: the joiner's waker handed between the
// joiner and the completing worker (JOIN_WAKER), each order forced.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using testing::CountingWaker;
using testing::MeetsInItsPoll;
using testing::Rendezvous;

struct Meeting {
  std::shared_ptr<Rendezvous> meet = std::make_shared<Rendezvous>();
  std::shared_ptr<std::atomic<int>> polls = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> destroyed = std::make_shared<std::atomic<int>>(0);
  MeetsInItsPoll future(bool ready_at_once, int value) {
    return MeetsInItsPoll(meet, ready_at_once, value, polls, destroyed);
  }
  // Declared after the Runtime, so this runs before its shutdown: a test
  // that failed halfway leaves no worker waiting inside the poll.
  ~Meeting() { meet->let_the_poll_go_on(); }
};

// Polls `handle` with `waker` until Ready, sleeping on nothing: for a task
// that is known to be complete, or about to be.
template <class T>
T poll_until_ready(JoinHandle<T>& handle, const Waker& waker) {
  Context cx(waker);
  for (;;) {
    auto result = handle.poll(cx);
    if (result.is_ready())
      return std::move(result).value();
    std::this_thread::yield();
  }
}

TEST(Ex7_3_Join, AJoinerThatWaitsIsWokenOnceWhenTheTaskCompletes) {
  Runtime runtime(2);
  Meeting meeting;
  auto handle = runtime.spawn(meeting.future(true, 7));
  meeting.meet->wait_until_polled();  // the task is running on a worker
  CountingWaker joiner;
  const Waker waker = joiner.waker();
  Context cx(waker);
  EXPECT_TRUE(handle.poll(cx).is_pending());  // registered while RUNNING
  meeting.meet->let_the_poll_go_on();
  EXPECT_EQ(poll_until_ready(handle, waker), 7);
  runtime.shutdown();  // the workers are done: so is any wake
  EXPECT_EQ(joiner.wakes(), 1);
}

TEST(Ex7_3_Join, AJoinerThatComesLateFindsTheOutputAndStoresNoWaker) {
  Runtime runtime(2);
  auto handle = runtime.spawn(testing::Immediately(5));
  while (!handle.is_finished())
    std::this_thread::yield();
  CountingWaker joiner;
  const Waker waker = joiner.waker();
  Context cx(waker);
  auto result = handle.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(std::move(result).value(), 5);
  EXPECT_EQ(joiner.wakes(), 0);
}

// A joiner polled again with a waker that will_wake the same thing keeps
// its registration; one polled with another waker replaces it, and only
// the newest waker is woken.
TEST(Ex7_3_Join, OnlyTheNewestWakerOfTheJoinerIsWoken) {
  Runtime runtime(2);
  Meeting meeting;
  auto handle = runtime.spawn(meeting.future(true, 3));
  meeting.meet->wait_until_polled();
  CountingWaker first;
  CountingWaker second;
  const Waker first_waker = first.waker();
  const Waker second_waker = second.waker();
  Context first_cx(first_waker);
  Context second_cx(second_waker);
  EXPECT_TRUE(handle.poll(first_cx).is_pending());
  EXPECT_TRUE(handle.poll(first_cx).is_pending());   // same waker: kept
  EXPECT_TRUE(handle.poll(second_cx).is_pending());  // replaced
  meeting.meet->let_the_poll_go_on();
  EXPECT_EQ(poll_until_ready(handle, second_waker), 3);
  runtime.shutdown();
  EXPECT_EQ(first.wakes(), 0);
  EXPECT_EQ(second.wakes(), 1);
}

// The joiner replaces its waker again and again while the task completes on
// a worker, until a poll finds the output. At most one waker per round is
// woken, and only one of the last two (the one registered when the task
// completed); a replaced waker is never woken, and nothing is read torn
// (ThreadSanitizer).
TEST(Ex7_3_Join, AJoinerReplacingItsWakerWhileTheTaskCompletesNeverMissesTheEnd) {
  const int rounds = 2000 / testing::kStressScale;
  // A worker may still be waking a waker when the joiner finds the output:
  // every waker lives until the workers have stopped.
  std::vector<std::vector<std::unique_ptr<CountingWaker>>> wakers(rounds);
  Runtime runtime(2);
  for (int round = 0; round < rounds; ++round) {
    auto handle = runtime.spawn(testing::Immediately(round));
    for (;;) {
      wakers[round].push_back(std::make_unique<CountingWaker>());
      const Waker waker = wakers[round].back()->waker();
      Context cx(waker);
      auto result = handle.poll(cx);
      if (result.is_ready()) {
        EXPECT_EQ(std::move(result).value(), round);
        break;
      }
    }
  }
  runtime.shutdown();
  for (const auto& round : wakers) {
    int woken = 0;
    for (const auto& waker : round)
      woken += waker->wakes();
    EXPECT_LE(woken, 1) << "a replaced waker was woken too, or one was woken twice";
    // The one woken, if any, was the last one registered before completion.
    for (std::size_t i = 0; i + 2 < round.size(); ++i)
      EXPECT_EQ(round[i]->wakes(), 0) << "waker " << i << " was replaced, then woken";
  }
}

TEST(Ex7_3_Join, JoiningFromAPlainThreadParksItUntilTheTaskIsDone) {
  Runtime runtime(2);
  Meeting meeting;
  auto handle = runtime.spawn(meeting.future(true, 11));
  int joined = 0;
  testing::TestThread joiner([&] { joined = art::block_on(handle); });
  meeting.meet->wait_until_polled();
  meeting.meet->let_the_poll_go_on();
  joiner.join();
  EXPECT_EQ(joined, 11);
}

Task<int> join_in_a_task(JoinHandle<int> other) { co_return co_await other + 1; }

TEST(Ex7_3_Join, ATaskJoinsATaskOnAnotherWorker) {
  Runtime runtime(2);
  Meeting meeting;
  auto inner = runtime.spawn(meeting.future(true, 20));
  meeting.meet->wait_until_polled();  // one worker is held inside this poll
  auto outer = runtime.spawn(join_in_a_task(std::move(inner)));  // so the other runs this
  std::jthread release([&] { meeting.meet->let_the_poll_go_on(); });
  EXPECT_EQ(art::block_on(outer), 21);
}

TEST(Join, DroppingTheHandleWhileTheTaskRunsDetachesIt) {
  Runtime runtime(2);
  Meeting meeting;
  {
    CountingWaker joiner;
    const Waker waker = joiner.waker();
    Context cx(waker);
    auto handle = runtime.spawn(meeting.future(true, 1));
    meeting.meet->wait_until_polled();
    EXPECT_TRUE(handle.poll(cx).is_pending());
    std::jthread dropper([handle = std::move(handle)]() mutable {
      JoinHandle<int> gone = std::move(handle);
    });  // dropped on another thread while the task is RUNNING
    dropper.join();
    meeting.meet->let_the_poll_go_on();
    while (meeting.destroyed->load() == 0)
      std::this_thread::yield();
    EXPECT_EQ(joiner.wakes(), 0);  // the handle took its waker back
  }
  runtime.shutdown();
  EXPECT_EQ(runtime.live_tasks(), 0U);
}

// Each handle leaves a waker (JOIN_WAKER set) and is then dropped on another
// thread while the task may be completing: either the drop takes the slot
// back, or the completer wakes the waker; no waker is woken twice, nothing
// leaks, and nothing is read while written (ThreadSanitizer).
TEST(Join, AHandleDroppedAsTheTaskCompletesLeaksNothing) {
  const int rounds = 2000 / testing::kStressScale;
  std::vector<std::unique_ptr<CountingWaker>> wakers;  // outlive the workers
  Runtime runtime(2);
  for (int round = 0; round < rounds; ++round) {
    auto handle = runtime.spawn(testing::Immediately(round));
    wakers.push_back(std::make_unique<CountingWaker>());
    const Waker waker = wakers.back()->waker();
    Context cx(waker);
    if (handle.poll(cx).is_ready())
      continue;  // completed before the poll: nothing stored
    std::jthread dropper([handle = std::move(handle)]() mutable {
      JoinHandle<int> gone = std::move(handle);
    });
  }
  runtime.shutdown();
  EXPECT_EQ(runtime.live_tasks(), 0U);  // and the sanitizers see no leak
  for (const auto& waker : wakers)
    EXPECT_LE(waker->wakes(), 1);
}

// An output that nobody will take is freed when the task completes (no
// JoinHandle) or when the handle goes (never joined), not when the last
// waker clone goes: a clone kept by a timer or a channel may live long.
struct Counted {
  std::shared_ptr<std::atomic<int>> destroyed;
  Counted(std::shared_ptr<std::atomic<int>> d) : destroyed(std::move(d)) {}
  Counted(Counted&& other) noexcept = default;
  Counted& operator=(Counted&&) = delete;
  ~Counted() {
    if (destroyed)
      destroyed->fetch_add(1);
  }
};

// Pending at its first poll, keeping a clone of its waker where the test
// can reach it; Ready with a Counted at the next.
struct KeepsAWakerThenReturnsCounted {
  using Output = Counted;
  std::shared_ptr<Waker> kept;
  std::shared_ptr<std::atomic<bool>> stored;
  std::shared_ptr<std::atomic<int>> destroyed;
  Poll<Counted> poll(Context& cx) {
    if (!stored->load()) {
      *kept = cx.waker();
      stored->store(true);
      return pending;
    }
    return Counted(destroyed);
  }
};

TEST(Join, ADetachedTasksOutputIsFreedWhenItCompletes) {
  auto kept = std::make_shared<Waker>();
  auto stored = std::make_shared<std::atomic<bool>>(false);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Runtime runtime(2);
  {
    auto handle = runtime.spawn(KeepsAWakerThenReturnsCounted{kept, stored, destroyed});
    while (!stored->load())
      std::this_thread::yield();
  }  // detached while it waits
  kept->wake_by_ref();
  while (runtime.live_tasks() > 0)
    std::this_thread::yield();
  runtime.shutdown();
  EXPECT_EQ(destroyed->load(), 1) << "the output waited for the last waker clone";
  kept->reset();
}

TEST(Join, AnOutputNeverTakenIsFreedWhenItsHandleGoes) {
  auto kept = std::make_shared<Waker>();
  auto stored = std::make_shared<std::atomic<bool>>(false);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Runtime runtime(2);
  {
    auto handle = runtime.spawn(KeepsAWakerThenReturnsCounted{kept, stored, destroyed});
    while (!stored->load())
      std::this_thread::yield();
    kept->wake_by_ref();
    while (!handle.is_finished())
      std::this_thread::yield();
    EXPECT_EQ(destroyed->load(), 0);  // waiting to be taken
  }
  EXPECT_EQ(destroyed->load(), 1) << "the output waited for the last waker clone";
  kept->reset();
}

// A joiner's waker that throws when woken: the worker logs it and goes on.
class ThrowingWaker {
 public:
  Waker waker() { return Waker(RawWaker{this, &kVTable}); }

 private:
  static RawWaker clone(void* data) { return RawWaker{data, &kVTable}; }
  static void wake(void* /*data*/) { throw std::runtime_error("a waker that throws"); }
  static void drop(void* /*data*/) noexcept {}
  static constexpr WakerVTable kVTable{clone, wake, wake, drop};
};

TEST(Join, AJoinersWakerThatThrowsDoesNotStopTheWorker) {
  ThrowingWaker throwing;
  Runtime runtime(1);
  Meeting meeting;
  auto handle = runtime.spawn(meeting.future(true, 4));
  meeting.meet->wait_until_polled();
  const Waker waker = throwing.waker();
  Context cx(waker);
  EXPECT_TRUE(handle.poll(cx).is_pending());
  meeting.meet->let_the_poll_go_on();
  EXPECT_EQ(runtime.block_on(testing::Immediately(2)), 2);  // the worker lives on
  const Waker quiet = noop_waker();
  EXPECT_EQ(poll_until_ready(handle, quiet), 4);
}

Task<int> throws_logic_error() {
  throw std::logic_error("from the task");
  co_return 0;
}

TEST(Join, TheTasksExceptionComesOutOfTheJoin) {
  Runtime runtime(2);
  EXPECT_THROW(runtime.block_on(throws_logic_error()), std::logic_error);
}

}  // namespace
}  // namespace art
