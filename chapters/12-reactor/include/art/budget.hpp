// budget.hpp: how a task that never waits still lets the others run.
//
// Nothing preempts a poll. A task gives its worker back only when a future
// it awaits answers Pending, and some futures almost never do: a channel
// whose sender keeps it full, a socket that always has bytes, a JoinHandle
// of a task that is already done. A task that loops over such a future
// holds its worker for as long as the loop lasts, and every task queued
// behind it (a timer's wake, a request with a deadline) waits. yield_now()
// is the polite pause, but only for the author who knew to write it.
//
// The idea (tokio's, from its 2020 post "Reducing tail latencies with
// automatic cooperative task yielding"): every poll of a task starts with a
// bucket of tokens, 128 by default. Every *leaf* future, one that waits for
// something outside the task (a channel's receive, a join, a timer, a
// yield), spends one token each time it is about to answer Ready. When the
// bucket is empty the leaf answers Pending instead, after waking its own
// task: the task is queued again behind the others, and its next poll gets
// a full bucket. A task that never waits now runs for at most 128 ready
// leaves at a time. Combinators (map, then, join_all, a coroutine's
// co_await) spend nothing: they only pass the poll's Context down, and with
// it the bucket, to the leaves they are made of.
//
// Where the bucket lives. A bucket belongs to one poll of one task, and
// only the thread running that poll ever touches it, so it is a plain
// count: no atomic, no thread_local, no table indexed by task. Every future
// the task polls reaches it through the poll's Context (cx.budget()). The
// book measures the alternative, a global slab of atomic counters indexed
// by task slot (bench/budget_cost.cpp): each spend is then a
// read-modify-write on a line that the neighbouring slots' workers write
// too.
//
// No budget at all means unconstrained: a Context made outside a worker's
// poll (a test polling by hand, the free art::block_on on a caller's
// thread) has none, and its leaves never run out. unconstrained(f)
// (unconstrained.hpp) opts a future out on purpose.
//
// The leaf's side is one call, take_token(cx), and its rule (the invariant):
//
//   A leaf spends a token only for a poll that answers Ready. No token:
//   it wakes its task and answers Pending without touching its own state
//   (a receive takes nothing out of the queue, a join keeps its result).
//   A token taken by a poll that then answers Pending goes back.
//
// The rule must hold however the leaf's poll ends, a return or an
// exception, and a leaf must not have to remember it on every path: the
// TokenGuard that take_token returns is what keeps it.
#pragma once

#include <cstdint>

#include "art/context.hpp"

namespace art {

// ANCHOR: budget
// The tokens left for one poll of a task. Only the polling thread touches it.
class Budget {
 public:
  static constexpr std::uint32_t kDefaultTokens = 128;
  // The largest a runtime accepts (RuntimeCore's constructor says why).
  static constexpr std::uint32_t kMaxTokens = 1U << 16;

  explicit Budget(std::uint32_t tokens) : tokens_(tokens) {}

  std::uint32_t remaining() const { return tokens_; }
  bool try_spend() {
    if (tokens_ == 0)
      return false;
    --tokens_;
    return true;
  }
  void give_back() { ++tokens_; }

 private:
  std::uint32_t tokens_;
};
// ANCHOR_END: budget

// ANCHOR: token_guard
// What take_token hands a leaf: whether it may proceed, and the token to
// give back if the poll ends up Pending.
class [[nodiscard]] TokenGuard {
 public:
  TokenGuard(const TokenGuard&) = delete;
  TokenGuard& operator=(const TokenGuard&) = delete;
  ~TokenGuard();

  // False: the budget is spent, the task was woken; answer Pending now.
  explicit operator bool() const { return granted_; }
  // The leaf answers Ready: the token stays spent.
  void made_progress() { progress_ = true; }

 private:
  friend TokenGuard take_token(Context& cx);
  TokenGuard(Budget* budget, bool granted) : budget_(budget), granted_(granted) {}

  Budget* budget_;  // nullptr: unconstrained, nothing was taken
  bool granted_;
  bool progress_ = false;
};

// Every leaf calls this first, before it looks at what it waits for.
TokenGuard take_token(Context& cx);
// ANCHOR_END: token_guard

}  // namespace art
