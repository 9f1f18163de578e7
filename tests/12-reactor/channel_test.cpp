// The channel: order, many senders on many threads, the end of the stream
// when the last sender goes, a send after the receive waits (by hand, and
// inside the running task's poll, forced with a latch), and nothing left
// behind.
#include "art/channel.hpp"

#include <atomic>
#include <cstddef>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CountingWaker;
using testing::Lifetime;

TEST(Channel, ValuesComeOutInTheOrderTheyWereSent) {
  auto [tx, rx] = channel<int>();
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(tx.send(i));
  const Waker waker = noop_waker();
  Context cx(waker);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(*rx.recv().poll(cx).value(), i);
  EXPECT_TRUE(rx.recv().poll(cx).is_pending());
}

Task<std::vector<int>> receive_all(Receiver<int> rx, std::size_t expected) {
  std::vector<int> times_seen(expected, 0);
  while (std::optional<int> value = co_await rx.recv())
    ++times_seen.at(static_cast<std::size_t>(*value));
  co_return times_seen;
}

TEST(Channel, EveryValueFromManySendersOnManyThreadsIsReceivedOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000 / testing::kStressScale;
  auto [tx, rx] = channel<int>();
  Runtime runtime(2);
  JoinHandle<std::vector<int>> receiving =
      runtime.spawn(receive_all(std::move(rx), std::size_t{kThreads} * kPerThread));
  {
    std::vector<std::jthread> senders;
    senders.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t)
      senders.emplace_back([sender = tx, t]() mutable {
        for (int i = 0; i < kPerThread; ++i)
          sender.send(t * kPerThread + i);
      });
    tx.close();  // the threads' copies are the last ones
  }
  const std::vector<int> times_seen = block_on(receiving);
  for (std::size_t v = 0; v < times_seen.size(); ++v)
    ASSERT_EQ(times_seen[v], 1) << "value " << v;
}

TEST(Channel, TheLastSenderToGoEndsTheStreamAfterWhatWasSent) {
  auto [tx, rx] = channel<int>();
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  std::optional<Sender<int>> copy(tx);
  tx.send(1);
  tx.close();
  EXPECT_FALSE(tx.send(2)) << "a closed sender must refuse";
  EXPECT_EQ(*rx.recv().poll(cx).value(), 1);
  EXPECT_TRUE(rx.recv().poll(cx).is_pending()) << "a sender is still there";
  copy.reset();
  EXPECT_EQ(counter.wakes(), 1) << "the waiting receive must learn of the end";
  Poll<std::optional<int>> end = rx.recv().poll(cx);
  ASSERT_TRUE(end.is_ready());
  EXPECT_FALSE(end.value().has_value());
  EXPECT_FALSE(rx.recv().poll(cx).value().has_value()) << "the end stays the end";
}

TEST(Channel, ASendFromAnotherThreadWakesTheWaitingReceive) {
  // The receive waits on this thread; only then does another thread send.
  // The wake must reach the waker the receive left, exactly once.
  auto [tx, rx] = channel<int>();
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  Receiver<int>::Recv recv = rx.recv();
  ASSERT_TRUE(recv.poll(cx).is_pending());
  std::jthread([sender = std::move(tx)]() mutable { sender.send(42); }).join();
  EXPECT_EQ(counter.wakes(), 1);
  EXPECT_EQ(*recv.poll(cx).value(), 42);
}

// Where a send meets a receive inside a poll: the poll's receive waits,
// then, still inside the same poll, the test sends; only then does the
// poll answer Pending.
struct SendInsidePoll {
  std::atomic<bool> receive_waits{false};
  std::latch sent{1};
  std::atomic<bool> released{false};
  void release() {  // idempotent
    if (!released.exchange(true))
      sent.count_down();
  }
};

// The send's wake finds the task RUNNING: the task must be polled again.
class ReceivesAfterARacingSend {
 public:
  using Output = int;
  ReceivesAfterARacingSend(Receiver<int>& rx, std::shared_ptr<SendInsidePoll> meet)
      : rx_(&rx), meet_(std::move(meet)) {}
  Poll<int> poll(Context& cx) {
    Poll<std::optional<int>> got = rx_->recv().poll(cx);
    if (got.is_ready())
      return got.value().value_or(-1);
    if (!meet_->receive_waits.exchange(true))
      meet_->sent.wait();
    return pending;
  }

 private:
  Receiver<int>* rx_;
  std::shared_ptr<SendInsidePoll> meet_;
};

TEST(Channel, ASendWhileTheReceivingTaskIsRunningIsNotLost) {
  auto [tx, rx] = channel<int>();
  auto meet = std::make_shared<SendInsidePoll>();
  Runtime runtime(1);
  struct ReleaseAtScopeEnd {  // a failed assertion must not leave the worker waiting
    SendInsidePoll& meet;
    ~ReleaseAtScopeEnd() { meet.release(); }
  } release{*meet};
  JoinHandle<int> receiving = runtime.spawn(ReceivesAfterARacingSend(rx, meet));
  ASSERT_TRUE(testing::eventually([&] {
    return meet->receive_waits.load() || receiving.is_finished();  // finished: it threw
  }));
  tx.send(5);
  meet->release();
  EXPECT_EQ(block_on(receiving), 5);
}

TEST(Channel, ASendAfterTheReceiverIsGoneIsRefusedAndDestroysTheValue) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto [tx, rx] = channel<Lifetime>();
  { Receiver<Lifetime> gone = std::move(rx); }
  EXPECT_FALSE(tx.send(Lifetime(destroyed)));
  EXPECT_EQ(destroyed->load(), 1);
}

TEST(Channel, WhatIsLeftInTheQueueGoesWithTheReceiver) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto [tx, rx] = channel<Lifetime>();
  for (int i = 0; i < 3; ++i)
    tx.send(Lifetime(destroyed));
  { Receiver<Lifetime> gone = std::move(rx); }
  EXPECT_EQ(destroyed->load(), 3);
}

TEST(Channel, AReceiverMovedFromRefusesWithAMessage) {
  auto [tx, rx] = channel<int>();
  Receiver<int> moved = std::move(rx);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_THROW(rx.recv().poll(cx), std::logic_error);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace art
