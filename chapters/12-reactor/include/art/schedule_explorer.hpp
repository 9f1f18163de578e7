// schedule_explorer.hpp: run a concurrent test under thousands of schedules.
//
// A race in the deque or in the task state word shows only when the threads
// interleave in one particular order, and a real run may never produce that
// order. The explorer produces orders on purpose. It runs a test's logical
// threads as fibers on one OS thread, and before every atomic operation it
// stops the running thread and picks which thread goes next. One schedule is
// one run of the whole test under one sequence of picks; the explorer runs
// many, each from a seed of its own, and checks the test's invariants after
// each. This is what loom does for Rust, made small.
//
// The picks come from a strategy: uniformly random, or PCT (Burckhardt,
// Kothari, Musuvathi and Nagarakatte, ASPLOS 2010), which gives the threads
// random priorities, always runs the highest, and lowers the running one's
// priority at d - 1 random steps. A bug that needs d orderings to happen is
// then found in each schedule with probability at least 1 / (n k^(d-1)), for
// n threads and k steps.
//
// What it explores is interleavings under sequential consistency: every
// atomic operation happens whole, one after another. Reorderings that weaker
// memory orders allow are out of its reach (see the book's explorer page).
//
//     explore::Outcome outcome = explore::explore(options, [](explore::Schedule& s) {
//       ChaseLevDeque<Item, 4, explore::Atomic> deque;   // fresh state each schedule
//       s.thread([&] { ... owner ... });
//       s.thread([&] { ... thief ... });
//       s.run();                                         // all threads, to the end
//       explore::require(..., "every item taken once");  // the invariant
//     });
//
// A failure names the strategy, the seed and the schedule, and how to run
// that one schedule again: ART_EXPLORE_SEED=<seed> ART_EXPLORE_SCHEDULE=<n>.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace art::explore {

// ANCHOR: switch_point
// Inside an exploration's logical thread: lets the explorer run another
// thread first (or this one again). Anywhere else: does nothing.
void switch_point();
// ANCHOR_END: switch_point

// ANCHOR: atomic
// std::atomic with a switch point before every operation: the subset of the
// interface that ChaseLevDeque and TaskStateWord use. Passed to the deque
// as its Atomic template argument.
template <class T>
class Atomic {
 public:
  Atomic() noexcept = default;
  constexpr Atomic(T value) noexcept : value_(value) {}  // implicit, as std::atomic's
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load(std::memory_order order = std::memory_order_seq_cst) const {
    switch_point();
    return value_.load(order);
  }
  void store(T value, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    value_.store(value, order);
  }
  // ANCHOR_END: atomic
  T exchange(T value, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.exchange(value, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) {
    switch_point();
    return value_.compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.compare_exchange_strong(expected, desired, order);
  }
  // A weak compare-and-swap may fail spuriously; on one thread it does not,
  // and the explorer does not invent such failures.
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) {
    switch_point();
    return value_.compare_exchange_weak(expected, desired, success, failure);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.compare_exchange_weak(expected, desired, order);
  }
  // For integers only (the members of a class template are instantiated
  // only when called).
  T fetch_add(T arg, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.fetch_add(arg, order);
  }
  T fetch_sub(T arg, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.fetch_sub(arg, order);
  }
  T fetch_or(T arg, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.fetch_or(arg, order);
  }
  T fetch_and(T arg, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.fetch_and(arg, order);
  }
  T fetch_xor(T arg, std::memory_order order = std::memory_order_seq_cst) {
    switch_point();
    return value_.fetch_xor(arg, order);
  }

 private:
  std::atomic<T> value_{};
};

// ANCHOR: options
enum class Strategy { random, pct };

struct Options {
  Strategy strategy = Strategy::random;
  std::uint64_t seed = 1;  // schedule i runs from a generator seeded by (seed, i)
  int schedules = 1000;    // how many to run; the first failure stops the run
  int max_steps = 10'000;  // switch points in one schedule; more fails it as a livelock
  int pct_depth = 3;       // PCT's d: bugs that need up to d orderings
  int pct_steps = 100;     // PCT's k: about how many steps one schedule takes
  // Run only this schedule (the environment's ART_EXPLORE_SCHEDULE sets it).
  std::optional<int> only_schedule;
};

struct Failure {
  Options options;         // with the seed that was used
  int schedule = 0;        // its index: replay it with only_schedule
  std::string what;        // the exception's message
  std::vector<int> trace;  // the thread that ran at each step
  std::string describe() const;
};

struct Outcome {
  int schedules = 0;  // run, the failing one included
  std::optional<Failure> failure;
};
// ANCHOR_END: options

// A broken invariant: thrown by require(), in a thread or after run().
class InvariantBroken : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

inline void require(bool condition, const char* what) {
  if (!condition)
    throw InvariantBroken(what);
}

struct LogicalThread;  // schedule_explorer.cpp

// ANCHOR: schedule
// One run of the test: its threads, and the picks that interleave them.
class Schedule {
 public:
  Schedule(const Options& options, int index);
  ~Schedule();  // ends threads that run() left suspended (only after a failure)
  Schedule(const Schedule&) = delete;
  Schedule& operator=(const Schedule&) = delete;

  // Adds a logical thread; it starts when run() first picks it.
  void thread(std::function<void()> body);
  // Runs every thread to its end, one step at a time. Rethrows the first
  // exception a thread throws; throws if the schedule takes too many steps.
  void run();

  bool has_run() const { return ran_; }
  int steps() const { return static_cast<int>(trace_.size()); }
  const std::vector<int>& trace() const { return trace_; }

 private:
  static constexpr std::size_t kNone = -1;  // no thread can run: all have ended
  struct Change {  // PCT: at this step, the thread about to run drops to this
    int step;
    int priority;
  };

  std::size_t pick();  // the next thread to run, by the strategy
  std::size_t pick_pct();
  std::size_t highest_priority() const;
  void start_pct();
  void abandon();  // unwinds every suspended thread
  std::uint64_t random();

  Options options_;
  std::uint64_t random_state_;
  std::vector<std::unique_ptr<LogicalThread>> threads_;
  std::vector<int> trace_;
  std::vector<int> priority_;  // PCT: per thread, the highest runs
  std::vector<Change> changes_;
  bool ran_ = false;
};
// ANCHOR_END: schedule

// ANCHOR: explore
// Runs `test` once per schedule, each time with a fresh Schedule, until
// one fails or options.schedules have passed. The environment may override
// the seed (ART_EXPLORE_SEED) and pick one schedule (ART_EXPLORE_SCHEDULE).
Outcome explore(Options options, const std::function<void(Schedule&)>& test);
// ANCHOR_END: explore

const char* to_string(Strategy strategy);

}  // namespace art::explore
