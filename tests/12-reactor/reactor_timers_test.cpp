// The timers on the reactor's thread: a runtime's tasks sleep on its
// reactor's TimerDriver, which the reactor fires between two epoll_waits.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "art/io_wrapper.hpp"
#include "art/owned_fd.hpp"
#include "art/runtime.hpp"
#include "art/sleep.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::NoFdLeak;

Task<Clock::duration> time_a_sleep(Clock::duration duration) {
  const Clock::time_point start = Clock::now();
  co_await sleep(duration);
  co_return Clock::now() - start;
}

// Both placements of the reactor fire timers the same way (reactor.hpp).
class ReactorTimersOnEither : public ::testing::TestWithParam<ReactorPlacement> {};

TEST_P(ReactorTimersOnEither, ATaskSleepsOnItsRuntimesReactorAndNeverWakesEarly) {
  Runtime runtime(RuntimeOptions{.workers = 1, .reactor = GetParam()});
  for (const auto duration : {0ms, 1ms, 20ms})
    EXPECT_GE(runtime.block_on(time_a_sleep(duration)), duration);
  EXPECT_EQ(runtime.reactor().timers().pending(), 0U);
}

Task<void> sleep_then_set(Clock::duration duration,
                          std::shared_ptr<std::atomic<bool>> done) {
  co_await sleep(duration);
  done->store(true, std::memory_order_release);
}

// The reactor sleeps towards the earliest deadline it knows. A timer armed
// later with an earlier deadline must cut that sleep short (the driver's
// wake callback writes the eventfd), or it would fire an hour late.
TEST_P(ReactorTimersOnEither, AnEarlierTimerWakesAReactorThatSleepsTowardsALaterOne) {
  Runtime runtime(RuntimeOptions{.workers = 1, .reactor = GetParam()});
  auto late = std::make_shared<std::atomic<bool>>(false);
  auto soon = std::make_shared<std::atomic<bool>>(false);
  auto in_an_hour = runtime.spawn(sleep_then_set(1h, late));
  ASSERT_TRUE(eventually([&] { return runtime.reactor().timers().pending() == 1; }));
  auto in_a_moment = runtime.spawn(sleep_then_set(10ms, soon));
  EXPECT_TRUE(eventually([&] { return soon->load(std::memory_order_acquire); }, 5s))
      << "the reactor slept on towards the hour-long timer";
  EXPECT_FALSE(late->load(std::memory_order_acquire));
  runtime.shutdown();  // cancels the hour-long sleep
  EXPECT_EQ(runtime.reactor().timers().pending(), 0U)
      << "a cancelled task kept its timer";
}

INSTANTIATE_TEST_SUITE_P(Placements, ReactorTimersOnEither,
                         ::testing::Values(ReactorPlacement::workers,
                                           ReactorPlacement::own_thread),
                         testing::placement_name);

TEST(ReactorTimers, ATimerMadeOutsideAWorkerIsRefusedWithAClearError) {
  try {
    Sleep never = sleep(1ms);
    FAIL() << "art::sleep outside a runtime's worker was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("outside a runtime's worker"),
              std::string::npos)
        << error.what();
  }
}

Task<std::optional<std::size_t>> read_with_a_timeout(IoWrapper<OwnedFd>& reader) {
  std::array<std::byte, 16> buffer{};
  co_return co_await timeout(reader.read(buffer), 20ms);
}

TEST(ReactorTimers, ATimeoutGivesUpOnAReadThatNeverCompletes) {
  NoFdLeak no_leak;
  Runtime runtime(1);
  testing::Pipe pipe = testing::make_pipe();
  IoWrapper<OwnedFd> reader(std::move(pipe.read_end), runtime.reactor());
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(runtime.block_on(read_with_a_timeout(reader)), std::nullopt);
  EXPECT_GE(Clock::now() - start, 20ms);
  EXPECT_EQ(runtime.reactor().timers().pending(), 0U);
}

}  // namespace
}  // namespace art
