// The timing wheel on its own, with time as a number the test chooses: no
// clock, no thread, so every expectation is exact.
#include "art/timer_wheel.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace art {
namespace {

constexpr std::uint64_t kLevelSpan[] = {1, 64, 4096, 262'144, 16'777'216, 1'073'741'824};

// Advances to `now` and returns the ids that fired.
std::vector<TimerId> advance_to(TimerWheel& wheel, std::uint64_t now) {
  std::vector<TimerId> fired;
  wheel.advance(now, [&](TimerId id) { fired.push_back(id); });
  return fired;
}

// Steps one tick at a time up to `last`, recording the tick at which each
// timer fired.
std::map<std::uint32_t, std::uint64_t> fire_ticks(TimerWheel& wheel, std::uint64_t last) {
  std::map<std::uint32_t, std::uint64_t> fired_at;
  for (std::uint64_t now = wheel.elapsed(); now <= last; ++now)
    for (TimerId id : advance_to(wheel, now))
      EXPECT_TRUE(fired_at.emplace(id.index, now).second) << "fired twice";
  return fired_at;
}

TEST(TimerWheel, EachTimerFiresAtItsOwnTickInDeadlineOrder) {
  TimerWheel wheel;
  const std::vector<std::uint64_t> deadlines{30, 5, 4500, 1, 64, 63, 200, 65, 4096, 0};
  std::map<std::uint32_t, std::uint64_t> deadline_of;
  for (std::uint64_t deadline : deadlines)
    deadline_of[wheel.insert(deadline).index] = deadline;
  const auto fired_at = fire_ticks(wheel, 5000);
  EXPECT_EQ(fired_at, deadline_of) << "a timer fired before or after its deadline";
  EXPECT_EQ(wheel.size(), 0U);

  // One big advance fires them in deadline order, too.
  TimerWheel once;
  for (std::uint64_t deadline : deadlines)
    once.insert(deadline);
  std::vector<std::uint64_t> order;
  for (TimerId id : advance_to(once, 10'000))
    order.push_back(deadline_of.at(id.index));
  std::vector<std::uint64_t> sorted = deadlines;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted);
}

TEST(TimerWheel, ATimerDueExactlyAtALevelBoundaryFiresThereAndNotBefore) {
  for (std::uint64_t boundary : {64ULL, 4096ULL, 262'144ULL, 16'777'216ULL}) {
    TimerWheel wheel;
    wheel.advance(10, [](TimerId) {});  // elapsed is not a multiple of anything
    const TimerId id = wheel.insert(boundary);
    EXPECT_TRUE(advance_to(wheel, boundary - 1).empty()) << boundary;
    EXPECT_TRUE(wheel.contains(id));
    const auto fired = advance_to(wheel, boundary);
    ASSERT_EQ(fired.size(), 1U) << boundary;
    EXPECT_EQ(fired[0], id);
  }
}

TEST(TimerWheel, AFarTimerCascadesDownAndFiresAtItsDeadlineNotAtItsSlotStart) {
  TimerWheel wheel;
  const TimerId id = wheel.insert(5000);  // level 2: its slot starts at 4096
  EXPECT_EQ(wheel.next_expiration(), 4096U);
  EXPECT_TRUE(advance_to(wheel, 4096).empty()) << "fired at its slot's start";
  ASSERT_TRUE(wheel.contains(id));
  // Cascaded to level 1, relative to 4096: a slot of 64 ms that holds 5000.
  EXPECT_EQ(wheel.next_expiration(), 4096U + 14 * 64);
  EXPECT_TRUE(advance_to(wheel, 4999).empty());
  EXPECT_EQ(wheel.next_expiration(), 5000U) << "not down at level 0 by now";
  EXPECT_EQ(advance_to(wheel, 5000), std::vector<TimerId>{id});
}

TEST(TimerWheel, CancellingAFiredOrCancelledTimerIsHarmless) {
  TimerWheel wheel;
  const TimerId fired = wheel.insert(3);
  ASSERT_EQ(advance_to(wheel, 3).size(), 1U);
  EXPECT_FALSE(wheel.cancel(fired));
  const TimerId reused = wheel.insert(10);  // the same node, a new generation
  EXPECT_EQ(reused.index, fired.index);
  EXPECT_NE(reused.generation, fired.generation);
  EXPECT_FALSE(wheel.cancel(fired)) << "a stale id cancelled the node's new timer";
  EXPECT_TRUE(wheel.contains(reused));
  EXPECT_TRUE(wheel.cancel(reused));
  EXPECT_FALSE(wheel.cancel(reused));
  EXPECT_FALSE(wheel.cancel(TimerId{}));
  EXPECT_FALSE(wheel.cancel(TimerId{99, 1}));
  EXPECT_EQ(wheel.size(), 0U);
  EXPECT_EQ(wheel.next_expiration(), std::nullopt);
  EXPECT_TRUE(advance_to(wheel, 100).empty());
}

TEST(TimerWheel, ATimerDueButNotYetHandedOutCanStillBeCancelled) {
  TimerWheel wheel;
  const TimerId a = wheel.insert(7);
  const TimerId b = wheel.insert(7);
  const std::optional<TimerId> first = wheel.pop_expired(7);
  ASSERT_TRUE(first.has_value());
  const TimerId other = *first == a ? b : a;
  EXPECT_TRUE(wheel.cancel(other));
  EXPECT_EQ(wheel.pop_expired(7), std::nullopt);
  EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, NextExpirationIsTheSlotStartInEveryLevel) {
  for (unsigned level = 0; level < TimerWheel::kLevels; ++level) {
    for (std::uint64_t elapsed : {0ULL, 1000ULL}) {
      TimerWheel wheel;
      wheel.advance(elapsed, [](TimerId) {});
      // Five slots of this level past elapsed's own, and a bit into the slot.
      const std::uint64_t span = kLevelSpan[level];
      const std::uint64_t slot_start = (elapsed / span + 5) * span;
      const std::uint64_t deadline = slot_start + (level == 0 ? 0 : span / 2);
      wheel.insert(deadline);
      EXPECT_EQ(wheel.next_expiration(), slot_start) << "level " << level;
      EXPECT_LE(*wheel.next_expiration(), deadline);
    }
  }
}

TEST(TimerWheel, DeadlinesBeyondTheSpanFireAtTheirDeadline) {
  TimerWheel wheel;
  const std::uint64_t deadline = 3 * TimerWheel::kSpan + 12'345;  // ~6.5 years
  const TimerId id = wheel.insert(deadline);
  const TimerId never = wheel.insert(UINT64_MAX);
  // Jump from slot start to slot start, as a reactor with nothing else to do.
  int wake_ups = 0;
  while (wheel.contains(id)) {
    const std::uint64_t next = *wheel.next_expiration();
    ASSERT_LE(next, deadline) << "the wheel would sleep past the deadline";
    ASSERT_GT(next + 1, wheel.elapsed());
    const auto fired = advance_to(wheel, next);
    if (next < deadline) {
      ASSERT_TRUE(fired.empty()) << "fired early, at " << next;
    }
    ASSERT_LT(++wake_ups, 1000);
  }
  EXPECT_EQ(wheel.elapsed(), deadline);
  EXPECT_TRUE(wheel.contains(never));
  EXPECT_TRUE(advance_to(wheel, 10 * TimerWheel::kSpan).empty());
  EXPECT_TRUE(wheel.cancel(never));
}

TEST(TimerWheel, AFarTimerInTheTopLevelsCurrentSlotDoesNotHideAnEarlierOne) {
  TimerWheel wheel;
  wheel.advance(1000, [](TimerId) {});
  // Beyond the span: placed as far as the levels reach, 1000 + 2^36 - 1,
  // which is in the top level's slot 0, elapsed's own slot, one turn ahead.
  const TimerId far = wheel.insert(TimerWheel::kSpan + 5000);
  const TimerId near = wheel.insert(std::uint64_t{2} << 30);  // top level, slot 2
  EXPECT_EQ(wheel.next_expiration(), std::uint64_t{2} << 30);
  EXPECT_EQ(advance_to(wheel, (std::uint64_t{2} << 30) + 1), std::vector<TimerId>{near});
  EXPECT_TRUE(wheel.contains(far));
  EXPECT_EQ(wheel.next_expiration(), TimerWheel::kSpan);
}

TEST(TimerWheel, AgreesWithASortedListOverRandomInsertsCancelsAndAdvances) {
  std::mt19937_64 random(12);
  TimerWheel wheel;
  std::map<std::uint32_t, std::pair<TimerId, std::uint64_t>>
      live;  // index -> id, deadline
  std::uint64_t now = 0;
  for (int round = 0; round < 300; ++round) {
    for (int i = 0; i < 20; ++i) {
      // Deadlines from this tick to ~2^40 ticks away, every level and beyond.
      const unsigned bits = static_cast<unsigned>(random() % 41);
      const std::uint64_t deadline = now + (random() & ((std::uint64_t{1} << bits) - 1));
      const TimerId id = wheel.insert(deadline);
      live[id.index] = {id, deadline};
    }
    for (int i = 0; i < 5 && !live.empty(); ++i) {
      auto victim = live.begin();
      std::advance(victim, static_cast<long>(random() % live.size()));
      ASSERT_TRUE(wheel.cancel(victim->second.first));
      live.erase(victim);
    }
    const unsigned step_bits = static_cast<unsigned>(random() % 36);
    now += random() & ((std::uint64_t{1} << step_bits) - 1);
    for (TimerId id : advance_to(wheel, now)) {
      auto entry = live.find(id.index);
      ASSERT_NE(entry, live.end()) << "fired a cancelled or unknown timer";
      ASSERT_EQ(entry->second.first, id);
      ASSERT_LE(entry->second.second, now) << "fired early";
      live.erase(entry);
    }
    for (const auto& [index, entry] : live)
      ASSERT_GT(entry.second, now) << "a due timer was not fired";
    ASSERT_EQ(wheel.size(), live.size());
  }
}

TEST(TimerWheel, TheSlabIsReusedOnceItHasGrown) {
  TimerWheel wheel;
  std::vector<TimerId> ids;
  for (std::uint64_t i = 0; i < 1000; ++i)
    ids.push_back(wheel.insert(i * 37));
  for (TimerId id : ids)
    wheel.cancel(id);
  for (std::uint64_t i = 0; i < 1000; ++i)
    wheel.insert(i * 53);
  advance_to(wheel, 100'000);
  for (std::uint64_t i = 0; i < 1000; ++i)
    wheel.insert(100'000 + i);
  EXPECT_EQ(wheel.capacity(), 1000U);
}

}  // namespace
}  // namespace art
