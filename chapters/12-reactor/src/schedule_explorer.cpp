#include "art/schedule_explorer.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <utility>

#include <boost/context/fiber.hpp>

#include "art/sanitizer_fiber.hpp"
#include "art/stack_pool.hpp"

namespace art::explore {

// ANCHOR: logical_thread
struct LogicalThread {
  std::function<void()> body;
  boost::context::fiber fiber;      // its stack, while it is suspended
  boost::context::fiber scheduler;  // while it runs: where switch_point() goes back to
  SanitizerFiber sanitizer;         // no-op unless built with ASan
  std::exception_ptr error;         // what its body threw
  bool started = false;
  bool finished = false;
  bool abandoned = false;  // the schedule failed elsewhere: unwind and end
};
// ANCHOR_END: logical_thread

namespace {

// Thrown at the switch point of an abandoned thread, so that its stack
// unwinds and its destructors run.
struct Abandoned {};

// The logical thread running now on this OS thread, if any.
thread_local LogicalThread* running = nullptr;

// Stacks are reused across schedules: no mmap per thread after the first.
StackPool& stacks() {
  static StackPool pool(std::size_t{128} * 1024);
  return pool;
}

void start(LogicalThread& thread) {
  thread.started = true;
  thread.fiber = boost::context::fiber(
      std::allocator_arg, stacks().allocator(thread.sanitizer),
      [&thread](boost::context::fiber&& scheduler) {
        thread.scheduler = std::move(scheduler);
        thread.sanitizer.arrived_in_fiber();
        try {
          thread.body();
        } catch (const Abandoned&) {  // the schedule ended early: nothing to report
        } catch (...) {
          thread.error = std::current_exception();
        }
        thread.body = nullptr;  // its captures go now, on its own stack
        thread.finished = true;
        thread.sanitizer.before_switch_out(true);
        return std::move(thread.scheduler);
      });
}

// ANCHOR: resume
// On the scheduler's stack: run `thread` until its next switch point or its end.
void resume(LogicalThread& thread) {
  if (!thread.started)
    start(thread);
  running = &thread;
  thread.sanitizer.before_switch_in();
  thread.fiber = std::move(thread.fiber).resume();
  thread.sanitizer.after_switch_back();
  running = nullptr;
}
// ANCHOR_END: resume

// splitmix64: small, fast, and the same on every compiler and library
// (std::uniform_int_distribution is not), so a seed replays anywhere.
std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15U);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9U;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBU;
  return z ^ (z >> 31U);
}

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

// ART_EXPLORE_SEED and ART_EXPLORE_SCHEDULE, when set, override the test's.
void apply_environment(Options& options) {
  auto read = [](const char* name) -> std::optional<long long> {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0')
      return std::nullopt;
    char* end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    if (*end != '\0' || value < 0)
      throw std::invalid_argument(std::string(name) + " must be a number >= 0, not '" +
                                  text + "': unset it or give the one a failure printed");
    return value;
  };
  if (auto seed = read("ART_EXPLORE_SEED"))
    options.seed = static_cast<std::uint64_t>(*seed);
  if (auto schedule = read("ART_EXPLORE_SCHEDULE"))
    options.only_schedule = static_cast<int>(*schedule);
}

void check(const Options& options) {
  if (options.schedules < 0 || options.max_steps < 1 || options.pct_depth < 1 ||
      options.pct_steps < 1 || options.only_schedule.value_or(0) < 0)
    throw std::invalid_argument(
        "explore::Options: schedules must be >= 0, only_schedule >= 0, and max_steps, "
        "pct_depth and pct_steps >= 1");
}

}  // namespace

// ANCHOR: switch_point_impl
void switch_point() {
  LogicalThread* self = running;
  // Outside an exploration, or unwinding: the C++ runtime keeps its
  // exception state per OS thread, not per stack, so an unwinding thread
  // runs on to its catch without a switch.
  if (self == nullptr || std::uncaught_exceptions() > 0)
    return;
  if (!self->abandoned) {
    self->sanitizer.before_switch_out(false);
    self->scheduler = std::move(self->scheduler).resume();  // the scheduler picks
    self->sanitizer.arrived_in_fiber();
  }
  if (self->abandoned)
    throw Abandoned{};
}
// ANCHOR_END: switch_point_impl

Schedule::Schedule(const Options& options, int index)
    : options_(options),
      random_state_(options.seed * 0xD1B54A32D192ED03U +
                    static_cast<std::uint64_t>(index)) {}

Schedule::~Schedule() { abandon(); }

void Schedule::thread(std::function<void()> body) {
  if (ran_)
    throw std::logic_error("Schedule::thread() after run(): add every thread first");
  threads_.push_back(std::make_unique<LogicalThread>());
  threads_.back()->body = std::move(body);
}

std::uint64_t Schedule::random() { return splitmix(random_state_); }

// ANCHOR: run
void Schedule::run() {
  if (ran_)
    throw std::logic_error("Schedule::run() called twice");
  ran_ = true;
  if (options_.strategy == Strategy::pct)
    start_pct();
  for (std::size_t next = pick(); next != kNone; next = pick()) {
    if (steps() == options_.max_steps) {
      abandon();
      throw std::runtime_error("no end after " + std::to_string(steps()) +
                               " steps: a livelock, or a thread that spins");
    }
    trace_.push_back(static_cast<int>(next));
    LogicalThread& thread = *threads_[next];
    resume(thread);
    if (thread.error) {
      abandon();
      throw std::runtime_error("thread " + std::to_string(next) + ": " +
                               message_of(thread.error));
    }
  }
}
// ANCHOR_END: run

// ANCHOR: pick
// Uniformly random: any runnable thread, each as likely.
std::size_t Schedule::pick() {
  if (options_.strategy == Strategy::pct)
    return pick_pct();
  std::uint64_t runnable = 0;
  for (const auto& thread : threads_)
    runnable += thread->finished ? 0 : 1;
  if (runnable == 0)
    return kNone;
  std::uint64_t chosen = random() % runnable;
  for (std::size_t i = 0;; ++i) {
    if (!threads_[i]->finished && chosen-- == 0)
      return i;
  }
}
// ANCHOR_END: pick

// ANCHOR: pct_start
// PCT: n threads get the distinct priorities d .. d+n-1 in random order;
// d-1 random steps in 1..k are change points, the i-th of which lowers the
// thread about to run to priority i, below every starting priority.
void Schedule::start_pct() {
  const int depth = options_.pct_depth;
  for (std::size_t i = 0; i < threads_.size(); ++i)
    priority_.push_back(depth + static_cast<int>(i));
  for (std::size_t i = priority_.size(); i > 1; --i)  // Fisher-Yates shuffle
    std::swap(priority_[i - 1], priority_[random() % i]);
  const auto steps = static_cast<std::uint64_t>(std::max(options_.pct_steps, depth));
  for (int lowered = 1; lowered < depth; ++lowered) {
    int step = 0;
    do {  // distinct steps; as d is far below k, a retry is rare
      step = 1 + static_cast<int>(random() % steps);
    } while (std::ranges::any_of(changes_, [step](Change c) { return c.step == step; }));
    changes_.push_back({step, lowered});
  }
}
// ANCHOR_END: pct_start

// ANCHOR: pct_pick
// Always the runnable thread of highest priority: it runs until it ends or
// a change point lowers it.
std::size_t Schedule::pick_pct() {
  const std::size_t best = highest_priority();
  for (const Change change : changes_) {
    if (best != kNone && change.step == steps() + 1) {
      priority_[best] = change.priority;
      return highest_priority();
    }
  }
  return best;
}

std::size_t Schedule::highest_priority() const {
  std::size_t best = kNone;
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    if (!threads_[i]->finished && (best == kNone || priority_[i] > priority_[best]))
      best = i;
  }
  return best;
}
// ANCHOR_END: pct_pick

// Ends, by unwinding, every thread that started and has not finished.
void Schedule::abandon() {
  for (auto& thread : threads_) {
    if (thread->started && !thread->finished) {
      thread->abandoned = true;
      resume(*thread);  // throws Abandoned at its switch point: it runs to its end
    }
  }
}

// ANCHOR: explore_impl
Outcome explore(Options options, const std::function<void(Schedule&)>& test) {
  apply_environment(options);
  check(options);
  const int first = options.only_schedule.value_or(0);
  const int end = options.only_schedule ? first + 1 : options.schedules;
  Outcome outcome;
  for (int index = first; index < end; ++index) {
    ++outcome.schedules;
    Schedule schedule(options, index);
    try {
      test(schedule);
      if (!schedule.has_run())
        throw std::logic_error(
            "the test never called Schedule::run(): nothing was explored");
    } catch (const std::exception& e) {
      outcome.failure = Failure{options, index, e.what(), schedule.trace()};
      return outcome;
    }
  }
  return outcome;
}
// ANCHOR_END: explore_impl

const char* to_string(Strategy strategy) {
  return strategy == Strategy::pct ? "pct" : "random";
}

std::string Failure::describe() const {
  std::ostringstream out;
  out << to_string(options.strategy) << " schedule " << schedule << " of seed "
      << options.seed;
  if (options.strategy == Strategy::pct)
    out << " (depth " << options.pct_depth << ", " << options.pct_steps << " steps)";
  out << " failed after " << trace.size() << " steps:\n  " << what
      << "\n  thread at each step: ";
  constexpr std::size_t kShown = 200;
  for (std::size_t i = 0; i < trace.size() && i < kShown; ++i)
    out << trace[i] << (trace[i] >= 10 ? " " : "");
  if (trace.size() > kShown)
    out << "...";
  out << "\n  replay: ART_EXPLORE_SEED=" << options.seed
      << " ART_EXPLORE_SCHEDULE=" << schedule << " and --gtest_filter=<this test>";
  return out.str();
}

}  // namespace art::explore
