// Exceptions, destruction and frame memory of Task<T>.
#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/frame_stats.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "probe_future.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::Probe;
using testing::ProbeFuture;

// Counts how many of it are alive, to see what a destroyed frame destroys.
struct Tracked {
  static inline int alive = 0;
  Tracked() { ++alive; }
  Tracked(const Tracked&) { ++alive; }
  Tracked& operator=(const Tracked&) = default;
  ~Tracked() { --alive; }
};

class CustomError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

TEST(Task, ExceptionComesOutOfBlockOnUnchanged) {
  auto body = []() -> Task<int> {
    co_await TimerFuture(1ms);
    throw CustomError("thrown after a suspension");
  };
  try {
    block_on(body());
    FAIL() << "no exception";
  } catch (const CustomError& error) {
    EXPECT_STREQ(error.what(), "thrown after a suspension");
  }
}

TEST(Task, NestedExceptionCanBeCaughtAtTheAwait) {
  auto inner = []() -> Task<int> {
    co_await TimerFuture(1ms);
    throw CustomError("inner");
  };
  auto outer = [&]() -> Task<std::string> {
    try {
      co_await inner();
    } catch (const CustomError& error) {
      co_return std::string("caught ") + error.what();
    }
    co_return "not caught";
  };
  EXPECT_EQ(block_on(outer()), "caught inner");
}

TEST(Task, FuturePollThatThrowsAfterSuspendingReachesTheCoroutine) {
  struct FailsOnSecondPoll {
    using Output = int;
    int polls = 0;
    Poll<int> poll(Context& cx) {
      if (++polls == 2)
        throw CustomError("second poll");
      cx.waker().wake_by_ref();
      return pending;
    }
  };
  auto body = []() -> Task<std::string> {
    try {
      co_await FailsOnSecondPoll{};
    } catch (const CustomError& error) {
      co_return error.what();
    }
    co_return "";
  };
  EXPECT_EQ(block_on(body()), "second poll");
}

TEST(Task, DestroyingASuspendedTaskDestroysItsFrameAndWhatItAwaits) {
  auto probe = std::make_shared<Probe>();
  const std::size_t live_before = frame_stats().live();
  {
    auto body = [](ProbeFuture future) -> Task<int> {
      Tracked local;
      co_return co_await future;
    };
    Task<int> task = body(ProbeFuture(probe));
    const Waker waker = noop_waker();
    Context cx(waker);
    ASSERT_TRUE(task.poll(cx).is_pending());
    EXPECT_EQ(Tracked::alive, 1);
    EXPECT_FALSE(probe->destroyed);
  }
  EXPECT_EQ(Tracked::alive, 0) << "the frame's locals must be destroyed";
  EXPECT_TRUE(probe->destroyed) << "the awaited future must be destroyed";
  EXPECT_EQ(frame_stats().live(), live_before) << "the frame must be freed";
}

TEST(Ex3_3_FrameStats, EveryFrameIsCountedAndFreed) {
  FrameStats& stats = frame_stats();
  const std::size_t allocations = stats.allocations.load();
  const std::size_t bytes = stats.bytes.load();
  const std::size_t live = stats.live();
  {
    auto body = []() -> Task<int> { co_return 1; };
    Task<int> task = body();
    EXPECT_EQ(stats.allocations.load(), allocations + 1);
    EXPECT_GT(stats.last_size.load(), 0U);
    EXPECT_EQ(stats.bytes.load(), bytes + stats.last_size.load())
        << "bytes counts every frame's size";
    EXPECT_EQ(stats.live(), live + 1);
  }
  EXPECT_EQ(stats.live(), live);
}

TEST(Ex3_3_FrameStats, LocalsAcrossAnAwaitMakeTheFrameBigger) {
  auto small = []() -> Task<int> { co_return 1; };
  auto big = []() -> Task<int> {
    std::array<char, 512> buffer{};
    co_await TimerFuture(0ms);
    co_return buffer[0];
  };
  Task<int> a = small();
  const std::size_t small_size = frame_stats().last_size.load();
  Task<int> b = big();
  const std::size_t big_size = frame_stats().last_size.load();
  EXPECT_GE(big_size, small_size + 512) << "a buffer alive across a co_await lives in the frame";
}

// 10 000 tasks, each awaiting the next. Polling the outermost polls every
// level in turn (a chain of stack frames per level, see the book), so depth
// is bounded by the thread's stack. Measured with GCC 12: about 1 MiB in the
// default build and 5-6 MiB under AddressSanitizer, inside the usual 8 MiB.
Task<int> nest(int depth) {
  if (depth == 0) {
    co_await TimerFuture(1ms);
    co_return 0;
  }
  co_return 1 + co_await nest(depth - 1);
}

TEST(Task, TenThousandNestedTasks) {
  const std::size_t live = frame_stats().live();
  EXPECT_EQ(block_on(nest(10'000)), 10'000);
  EXPECT_EQ(frame_stats().live(), live);
}

}  // namespace
}  // namespace art
