#include "art/task.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/context.hpp"
#include "art/future_awaiter.hpp"
#include "art/manual_future.hpp"
#include "art/ready_future.hpp"
#include "art/timer_future.hpp"
#include "counting_waker.hpp"
#include "probe_future.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;
using testing::Probe;
using testing::ProbeFuture;

static_assert(Future<Task<int>>);
static_assert(Future<Task<>>);

Task<int> add_one(ProbeFuture future) { co_return 1 + co_await future; }

TEST(Ex3_1_TaskPoll, IsLazyAndRunsOnTheFirstPoll) {
  bool started = false;
  auto body = [&]() -> Task<int> {
    started = true;
    co_return 7;
  };
  Task<int> task = body();
  EXPECT_FALSE(started) << "a Task must not run before it is polled";
  EXPECT_EQ(block_on(task), 7);
  EXPECT_TRUE(started);
}

TEST(Ex3_1_TaskPoll, PendingWhileTheAwaitedFutureIsPending) {
  auto probe = std::make_shared<Probe>();
  Task<int> task = add_one(ProbeFuture(probe));
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  EXPECT_TRUE(task.poll(cx).is_pending());
  EXPECT_TRUE(task.poll(cx).is_pending());
  EXPECT_EQ(probe->polls, 2) << "each poll of the task re-polls the awaited future";
  probe->complete(41);
  EXPECT_EQ(counter.total_wakes(), 1);
  Poll<int> result = task.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 42);
  EXPECT_EQ(probe->polls, 3) << "the awaited future is not polled after it returned Ready";
}

TEST(Ex3_1_TaskPoll, TheAwaitedFutureSeesTheNewestWaker) {
  auto probe = std::make_shared<Probe>();
  Task<int> task = add_one(ProbeFuture(probe));
  CountingWaker first;
  CountingWaker second;
  {
    const Waker waker = first.waker();
    Context cx(waker);
    ASSERT_TRUE(task.poll(cx).is_pending());
  }
  const Waker waker = second.waker();
  Context cx(waker);
  ASSERT_TRUE(task.poll(cx).is_pending());
  EXPECT_TRUE(probe->waker.will_wake(waker));
}

TEST(Ex3_1_TaskPoll, VoidTaskAndPollAfterReady) {
  int steps = 0;
  auto body = [&]() -> Task<> {
    co_await TimerFuture(1ms);
    ++steps;
  };
  Task<> task = body();
  block_on(task);
  EXPECT_EQ(steps, 1);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_THROW((void)task.poll(cx), std::logic_error);
}

TEST(Ex3_1_TaskPoll, RethrowsWhatTheBodyThrew) {
  auto body = []() -> Task<> {
    throw std::runtime_error("from the body");
    co_return;
  };
  Task<> task = body();
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_THROW((void)task.poll(cx), std::runtime_error)
      << "a finished coroutine may have failed: its exception goes to the poller";
}

TEST(Ex3_1_TaskPoll, ValueFromAnotherThread) {
  auto [input, completer] = make_manual_future<std::string>();
  std::jthread other([completer = std::move(completer)]() mutable {
    std::this_thread::sleep_for(10ms);
    completer.complete("late");
  });
  auto body = [](ManualFuture<std::string> in) -> Task<std::string> {
    co_return "value: " + co_await in;
  };
  EXPECT_EQ(block_on(body(std::move(input))), "value: late");
}

TEST(Ex3_2_Awaiter, ReadyFutureDoesNotSuspend) {
  auto body = []() -> Task<int> {
    int a = co_await ReadyFuture<int>(1);
    int b = co_await ReadyFuture<int>(2);
    co_return a + b;
  };
  Task<int> task = body();
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  Poll<int> result = task.poll(cx);  // one poll: nothing in the body waits
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 3);
}

TEST(Ex3_2_Awaiter, AwaitsAnLvalueFutureInPlace) {
  auto probe = std::make_shared<Probe>();
  probe->value = 5;
  ProbeFuture future(probe);
  auto body = [&]() -> Task<int> { co_return co_await future; };
  EXPECT_EQ(block_on(body()), 5);
  EXPECT_FALSE(probe->destroyed) << "an awaited lvalue is borrowed, not moved from";
}

TEST(Ex3_2_Awaiter, NestedTasks) {
  auto inner = [](int x) -> Task<int> {
    co_await TimerFuture(1ms);
    co_return x * 2;
  };
  auto outer = [&]() -> Task<int> {
    int a = co_await inner(1);
    int b = co_await inner(a);
    co_return a + b;
  };
  EXPECT_EQ(block_on(outer()), 6);
}

// A Context refers to its waker; one built from a temporary would dangle.
// Counts its copies: a value awaited in a task is moved to the coroutine, so
// that move-only values work and big ones are not copied.
struct CopyCounted {
  static inline int copies = 0;
  int value = 0;
  explicit CopyCounted(int v) : value(v) {}
  CopyCounted(const CopyCounted& other) : value(other.value) { ++copies; }
  CopyCounted(CopyCounted&&) noexcept = default;
  CopyCounted& operator=(const CopyCounted& other) {
    value = other.value;
    ++copies;
    return *this;
  }
  CopyCounted& operator=(CopyCounted&&) noexcept = default;
  ~CopyCounted() = default;
};

// The awaiter alone, driven as a task would drive it: these tests need no
// Task::poll (exercise 3.1), only poll_once.
TEST(Ex3_2_Awaiter, PollsOnceAndKeepsTheValueUntilAwaitResume) {
  auto probe = std::make_shared<Probe>();
  ProbeFuture future(probe);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  TaskState task;
  task.cx = &cx;
  FutureAwaiter<ProbeFuture&> awaiter(future, task);
  EXPECT_FALSE(awaiter.await_ready()) << "a Pending future suspends the coroutine";
  EXPECT_EQ(probe->polls, 1);
  EXPECT_TRUE(probe->waker.will_wake(waker)) << "the future is polled with the task's context";
  awaiter.await_suspend({});
  ASSERT_TRUE(task.suspended_on);
  EXPECT_FALSE(task.suspended_on.poll(task.suspended_on.awaiter, cx));
  probe->complete(9);
  EXPECT_TRUE(task.suspended_on.poll(task.suspended_on.awaiter, cx));
  EXPECT_EQ(probe->polls, 3);
  EXPECT_EQ(awaiter.await_resume(), 9);
}

TEST(Ex3_2_Awaiter, MovesTheValueOut) {
  const Waker waker = noop_waker();
  Context cx(waker);
  TaskState task;
  task.cx = &cx;
  FutureAwaiter<ReadyFuture<CopyCounted>> awaiter(ReadyFuture<CopyCounted>(CopyCounted(6)), task);
  CopyCounted::copies = 0;
  ASSERT_TRUE(awaiter.await_ready());
  EXPECT_EQ(awaiter.await_resume().value, 6);
  EXPECT_EQ(CopyCounted::copies, 0) << "the value was copied (a move-only one would not compile)";
}

TEST(Context, CannotBeBuiltFromATemporaryWaker) {
  EXPECT_FALSE((std::is_constructible_v<Context, Waker&&>));
  EXPECT_TRUE((std::is_constructible_v<Context, const Waker&>));
  EXPECT_TRUE((std::is_constructible_v<Context, Waker&>));
}

}  // namespace
}  // namespace art
