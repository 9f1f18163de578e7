// The cooperative budget: the leaf's token protocol polled by hand (a
// Context with a Budget the test holds), then on a runtime, where every
// poll of a task gets a full bucket and a task whose leaves are always
// ready is made to yield.
#include "art/budget.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/channel.hpp"
#include "art/join_handle.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/sleep.hpp"
#include "art/timer_driver.hpp"
#include "art/unconstrained.hpp"
#include "art/yield_now.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;
using testing::eventually;

// A channel holding 1..count, its sender kept open.
Channel<int> filled_channel(int count) {
  Channel<int> channel = art::channel<int>();
  for (int i = 1; i <= count; ++i)
    channel.sender.send(i);
  return channel;
}

// ANCHOR: runtime_with_budget
Runtime runtime_with_budget(std::uint32_t tokens, std::size_t workers = 1) {
  return Runtime(RuntimeOptions{.workers = workers, .budget = tokens});
}
// ANCHOR_END: runtime_with_budget

// A leaf of the test's own: takes a token, then throws.
struct ThrowsAfterItsToken {
  using Output = int;
  Poll<int> poll(Context& cx) {
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;
    throw std::runtime_error("the leaf failed");
  }
};

// Receives `total` values, each in a loop of ready receives, and records
// how many it received in each of its polls: the budget shows as the polls'
// sizes. `wrap` opts the receives out of the budget.
class CountsReceivesPerPoll {
 public:
  using Output = int;
  CountsReceivesPerPoll(Receiver<int>& rx, int total, std::vector<int>& per_poll,
                        bool wrap = false)
      : rx_(&rx), total_(total), per_poll_(&per_poll), wrap_(wrap) {}

  Poll<int> poll(Context& cx) {
    per_poll_->push_back(0);
    while (received_ < total_) {
      const bool got =
          wrap_ ? receive(unconstrained(rx_->recv()), cx) : receive(rx_->recv(), cx);
      if (!got)
        return pending;
      ++per_poll_->back();
      ++received_;
    }
    return received_;
  }

 private:
  template <class F>
  static bool receive(F recv, Context& cx) {
    return recv.poll(cx).is_ready();
  }

  Receiver<int>* rx_;
  int total_;
  std::vector<int>* per_poll_;
  bool wrap_;
  int received_ = 0;
};

// --- the leaf's protocol, by hand -----------------------------------------

TEST(BudgetTakeToken, EachReadyLeafSpendsOneTokenUntilTheBucketIsEmpty) {
  auto [tx, rx] = filled_channel(5);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(3);
  Context cx(waker, budget);
  for (int expected = 1; expected <= 3; ++expected) {
    Poll<std::optional<int>> got = rx.recv().poll(cx);
    ASSERT_TRUE(got.is_ready());
    EXPECT_EQ(*got.value(), expected);
    EXPECT_EQ(budget.remaining(), static_cast<std::uint32_t>(3 - expected));
  }
  EXPECT_EQ(counter.wakes(), 0);
  EXPECT_TRUE(rx.recv().poll(cx).is_pending()) << "an empty bucket must refuse";
  EXPECT_EQ(counter.wakes(), 1)
      << "a refusal wakes its task, or it is never polled again";
  // The refused receive took nothing out: a new bucket gets 4, then 5.
  Budget next(5);
  Context next_cx(waker, next);
  EXPECT_EQ(*rx.recv().poll(next_cx).value(), 4);
  EXPECT_EQ(*rx.recv().poll(next_cx).value(), 5);
}

TEST(TakeToken, WithoutABudgetALeafAlwaysProceeds) {
  auto [tx, rx] = filled_channel(1000);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);  // as the free art::block_on's, or any poll outside a worker
  for (int i = 1; i <= 1000; ++i)
    ASSERT_EQ(*rx.recv().poll(cx).value(), i);
  EXPECT_EQ(counter.wakes(), 0);
}

TEST(BudgetTakeToken, EveryLeafSpendsAndRefuses) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(2);
  Context cx(waker, budget);
  YieldNow yield;
  EXPECT_TRUE(yield.poll(cx).is_pending());  // its own pause: costs nothing
  EXPECT_EQ(budget.remaining(), 2U);
  EXPECT_TRUE(yield.poll(cx).is_ready());
  TimerDriver timers;
  Sleep due = sleep_until(timers, Clock::time_point{});  // long past
  EXPECT_TRUE(due.poll(cx).is_ready());
  EXPECT_EQ(budget.remaining(), 0U);
  const int wakes = counter.wakes();
  Sleep also_due = sleep_until(timers, Clock::time_point{});
  EXPECT_TRUE(also_due.poll(cx).is_pending()) << "a due timer must be refused too";
  YieldNow second;
  EXPECT_TRUE(second.poll(cx).is_pending());
  EXPECT_TRUE(second.poll(cx).is_pending()) << "a yield's Ready must be refused too";
  EXPECT_EQ(counter.wakes(), wakes + 3);
}

TEST(BudgetGiveBack, ALeafThatWaitsGivesItsTokenBack) {
  auto [tx, rx] = art::channel<int>();
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(3);
  Context cx(waker, budget);
  EXPECT_TRUE(rx.recv().poll(cx).is_pending());
  EXPECT_EQ(budget.remaining(), 3U) << "a receive that waits spent a token";
  TimerDriver timers;
  Sleep later = sleep(timers, 1h);
  EXPECT_TRUE(later.poll(cx).is_pending());
  EXPECT_EQ(budget.remaining(), 3U) << "a timer that waits spent a token";
  YieldNow yield;
  EXPECT_TRUE(yield.poll(cx).is_pending());
  EXPECT_TRUE(yield.poll(cx).is_ready());
  EXPECT_EQ(budget.remaining(), 2U) << "a Ready must keep its token spent";
}

TEST(BudgetGiveBack, ALeafThatThrowsGivesItsTokenBack) {
  const Waker waker = noop_waker();
  Budget budget(1);
  Context cx(waker, budget);
  ThrowsAfterItsToken leaf;
  EXPECT_THROW(leaf.poll(cx), std::runtime_error);
  EXPECT_EQ(budget.remaining(), 1U);
}

TEST(BudgetUnconstrained, LeavesInsideSpendNothingAndAreNeverRefused) {
  auto [tx, rx] = filled_channel(10);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(2);
  Context cx(waker, budget);
  for (int i = 1; i <= 10; ++i)
    ASSERT_EQ(*unconstrained(rx.recv()).poll(cx).value(), i);
  EXPECT_EQ(budget.remaining(), 2U) << "the task's own budget must come out untouched";
  EXPECT_EQ(counter.wakes(), 0);
}

TEST(BudgetUnconstrained, TheWakerStillReachesTheInnerFuture) {
  auto [tx, rx] = art::channel<int>();
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(2);
  Context cx(waker, budget);
  auto recv = unconstrained(rx.recv());
  EXPECT_TRUE(recv.poll(cx).is_pending());
  tx.send(7);
  EXPECT_EQ(counter.wakes(), 1) << "the inner receive kept another waker than the task's";
  EXPECT_EQ(*recv.poll(cx).value(), 7);
}

// More ready receives in one poll than any budget may hold: a wrapper that
// lent the inner future a copy of the task's bucket, or a bucket of its own
// however large, would refuse one of them.
TEST(BudgetUnconstrained, NoCountOfTokensIsEnoughOnlyNoBudgetIs) {
  constexpr int kMoreThanAnyBudget = static_cast<int>(Budget::kMaxTokens) + 1;
  auto [tx, rx] = filled_channel(kMoreThanAnyBudget);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(2);
  Context cx(waker, budget);
  std::vector<int> per_poll;
  auto drain = unconstrained(CountsReceivesPerPoll(rx, kMoreThanAnyBudget, per_poll));
  Poll<int> got = drain.poll(cx);
  ASSERT_TRUE(got.is_ready()) << "a leaf inside unconstrained was refused after "
                              << (per_poll.empty() ? 0 : per_poll.back()) << " receives";
  EXPECT_EQ(got.value(), kMoreThanAnyBudget);
  EXPECT_EQ(budget.remaining(), 2U) << "the task's own budget must come out untouched";
  EXPECT_EQ(counter.wakes(), 0);
}

TEST(BudgetUnconstrained, ATaskIsNeverForcedToYield) {
  auto [tx, rx] = filled_channel(100);
  std::vector<int> per_poll;
  {
    Runtime runtime = runtime_with_budget(4);
    EXPECT_EQ(runtime.block_on(CountsReceivesPerPoll(rx, 100, per_poll, true)), 100);
  }
  EXPECT_EQ(per_poll, std::vector<int>{100});
}

// --- on a runtime ------------------------------------------------------------

TEST(BudgetRefill, ATaskIsForcedToYieldAfterExactlyNReadyLeaves) {
  auto [tx, rx] = filled_channel(10);
  std::vector<int> per_poll;
  {
    Runtime runtime = runtime_with_budget(4);
    EXPECT_EQ(runtime.block_on(CountsReceivesPerPoll(rx, 10, per_poll)), 10);
  }
  EXPECT_EQ(per_poll, (std::vector<int>{4, 4, 2}));
}

// Each poll records the tokens it starts with, spends three, and asks to be
// polled again: a bucket carried over from the last poll would start at 1.
class RecordsItsBucket {
 public:
  using Output = void;
  RecordsItsBucket(Receiver<int>& rx, std::vector<long>& at_start)
      : rx_(&rx), at_start_(&at_start) {}
  Poll<void> poll(Context& cx) {
    at_start_->push_back(
        cx.budget() == nullptr ? -1 : static_cast<long>(cx.budget()->remaining()));
    if (at_start_->size() == 3)
      return ready;
    for (int i = 0; i < 3; ++i)
      if (rx_->recv().poll(cx).is_pending())
        return pending;
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  Receiver<int>* rx_;
  std::vector<long>* at_start_;
};

TEST(BudgetRefill, EveryPollStartsWithAFullBucket) {
  auto [tx, rx] = filled_channel(10);
  std::vector<long> at_start;
  {
    Runtime runtime = runtime_with_budget(4);
    runtime.block_on(RecordsItsBucket(rx, at_start));
  }
  EXPECT_EQ(at_start, (std::vector<long>{4, 4, 4}));
}

// What one task saw of its poll's bucket: where it was, and how many tokens
// were left once both tasks had spent three each at the same time.
struct BucketSeen {
  const Budget* where = nullptr;
  long left = -1;
};

// Two of these run their first poll at the same time, one on each worker:
// each records its bucket, waits for the other (a bounded wait, so that a
// runtime that cannot run both at once fails instead of hanging), spends
// three tokens on ready receives, waits again, and reads what is left. A
// bucket shared by the workers shows as one address, and as six tokens
// gone from each.
class SpendsBesideAnother {
 public:
  using Output = BucketSeen;
  SpendsBesideAnother(Receiver<int> rx, std::shared_ptr<std::atomic<int>> arrivals)
      : rx_(std::move(rx)), arrivals_(std::move(arrivals)) {}
  Poll<BucketSeen> poll(Context& cx) {
    BucketSeen seen{cx.budget(), -1};
    if (!meet(1))
      return seen;
    for (int i = 0; i < 3; ++i)
      if (rx_.recv().poll(cx).is_pending())
        return seen;
    if (!meet(2))
      return seen;
    if (seen.where != nullptr)
      seen.left = static_cast<long>(seen.where->remaining());
    return seen;
  }

 private:
  // The `round`th meeting of the two tasks. Sequentially consistent: the
  // count is all the two polls share, and each must see the other's arrival.
  bool meet(int round) {
    arrivals_->fetch_add(1);
    return eventually([&] { return arrivals_->load() >= 2 * round; });
  }

  Receiver<int> rx_;
  std::shared_ptr<std::atomic<int>> arrivals_;
};

TEST(BudgetRefill, TwoWorkersPollingAtOnceHaveABucketEach) {
  constexpr std::uint32_t kTokens = 8;
  auto [tx_a, rx_a] = filled_channel(3);
  auto [tx_b, rx_b] = filled_channel(3);
  auto arrivals = std::make_shared<std::atomic<int>>(0);
  Runtime runtime = runtime_with_budget(kTokens, 2);
  JoinHandle<BucketSeen> a =
      runtime.spawn(SpendsBesideAnother(std::move(rx_a), arrivals));
  JoinHandle<BucketSeen> b =
      runtime.spawn(SpendsBesideAnother(std::move(rx_b), arrivals));
  const BucketSeen seen_a = art::block_on(a);
  const BucketSeen seen_b = art::block_on(b);
  ASSERT_NE(seen_a.where, nullptr) << "the poll lent no budget";
  ASSERT_NE(seen_b.where, nullptr) << "the poll lent no budget";
  EXPECT_NE(seen_a.where, seen_b.where) << "two polls running at once shared one bucket";
  constexpr long kLeft = static_cast<long>(kTokens) - 3;
  EXPECT_EQ(seen_a.left, kLeft) << "another poll spent from this one's bucket";
  EXPECT_EQ(seen_b.left, kLeft) << "another poll spent from this one's bucket";
}

// The hog receives from a channel it keeps full itself, so its receive is
// always ready. It first spawns the other task, onto its own worker, then
// loops until it sees the flag that task sets, or for kBound rounds. On one
// worker, without the budget, the other task could run only after the
// hog's loop ended, and the hog would never see the flag.
constexpr long kBound = 200'000;

Task<void> set_flag(std::shared_ptr<std::atomic<bool>> flag) {
  flag->store(true);
  co_return;
}

Task<long> hog(bool opt_out) {
  auto flag = std::make_shared<std::atomic<bool>>(false);
  JoinHandle<void> other = art::spawn(set_flag(flag));
  auto [tx, rx] = art::channel<long>();
  long round = 0;
  for (; round < kBound && !flag->load(); ++round) {
    tx.send(round);
    if (opt_out)
      co_await unconstrained(rx.recv());
    else
      co_await rx.recv();
  }
  co_await other;
  co_return round;
}

long rounds_until_the_other_task_ran(std::uint32_t budget, bool opt_out) {
  Runtime runtime = runtime_with_budget(budget);
  return runtime.block_on(hog(opt_out));
}

TEST(BudgetRefill, AHogNoLongerStarvesAnotherTaskOnOneWorker) {
  // The other task waits in the worker's own queue: the hog's first forced
  // yield lets it run (after 17 rounds here), and the fairness guard would
  // within 61 polls anyway.
  EXPECT_LT(rounds_until_the_other_task_ran(16, false), 61 * 16);
}

TEST(Unconstrained, AHogOptedOutStarvesTheOtherTaskAsBefore) {
  EXPECT_EQ(rounds_until_the_other_task_ran(16, true), kBound);
}

// --- the size ------------------------------------------------------------------

TEST(BudgetSize, TheConfiguredSizeIsRespected) {
  auto [tx, rx] = filled_channel(300);
  std::vector<int> small;
  std::vector<int> standard;
  {
    Runtime runtime = runtime_with_budget(7);
    EXPECT_EQ(runtime.budget_tokens(), 7U);
    runtime.block_on(CountsReceivesPerPoll(rx, 10, small));
  }
  {
    Runtime runtime(1);  // the constructors of earlier chapters: the default
    EXPECT_EQ(runtime.budget_tokens(), Budget::kDefaultTokens);
    runtime.block_on(CountsReceivesPerPoll(rx, 290, standard));
  }
  EXPECT_EQ(small, (std::vector<int>{7, 3}));
  EXPECT_EQ(standard, (std::vector<int>{128, 128, 34}));
}

void expect_refused(std::uint32_t tokens, const std::string& words) {
  try {
    Runtime runtime = runtime_with_budget(tokens);
    ADD_FAILURE() << "a budget of " << tokens << " tokens was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("unconstrained"), std::string::npos)
        << "the message should say what to do instead: " << error.what();
  }
}

TEST(BudgetSize, ZeroAndMoreThanTheMostAllowedAreRefusedWithAMessage) {
  expect_refused(0, "at least 1 token");
  expect_refused(Budget::kMaxTokens + 1, "more than the most allowed");
  expect_refused(static_cast<std::uint32_t>(-1), "more than the most allowed");
  Runtime largest = runtime_with_budget(Budget::kMaxTokens);
  EXPECT_EQ(largest.budget_tokens(), Budget::kMaxTokens);
}

// --- the join ------------------------------------------------------------------

// Joins two finished tasks in one poll, if its budget lets it.
class JoinsTwo {
 public:
  using Output = int;
  JoinsTwo(JoinHandle<int> a, JoinHandle<int> b, std::shared_ptr<std::atomic<int>> polls)
      : a_(std::move(a)), b_(std::move(b)), polls_(std::move(polls)) {}
  Poll<int> poll(Context& cx) {
    polls_->fetch_add(1);
    if (!a_value_) {
      Poll<int> a = a_.poll(cx);
      if (a.is_pending())
        return pending;
      a_value_ = a.value();
    }
    Poll<int> b = b_.poll(cx);
    if (b.is_pending())
      return pending;
    return *a_value_ + b.value();
  }

 private:
  JoinHandle<int> a_;
  JoinHandle<int> b_;
  std::optional<int> a_value_;
  std::shared_ptr<std::atomic<int>> polls_;
};

TEST(Leaves, AJoinOfAFinishedTaskSpendsAToken) {
  Runtime runtime = runtime_with_budget(1);
  JoinHandle<int> a = runtime.spawn(testing::Immediately(1));
  JoinHandle<int> b = runtime.spawn(testing::Immediately(2));
  ASSERT_TRUE(eventually([&] { return a.is_finished() && b.is_finished(); }));
  auto polls = std::make_shared<std::atomic<int>>(0);
  EXPECT_EQ(runtime.block_on(JoinsTwo(std::move(a), std::move(b), polls)), 3);
  EXPECT_EQ(polls->load(), 2) << "the second join should have been refused, once";
}

}  // namespace
}  // namespace art
