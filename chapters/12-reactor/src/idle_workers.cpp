#include "art/idle_workers.hpp"

#include <algorithm>

namespace art {

// Every read-modify-write of state_ below is acq_rel: each reads the newest
// value and carries what its thread did before it to whoever reads it next.
// The handshake between a parker and a publisher is not on this word alone:
// it is the two seq_cst fences in to_parked and worker_to_wake.

IdleWorkers::IdleWorkers(std::size_t workers)
    : workers_(workers), state_(kOneAwake * workers) {
  sleepers_.reserve(workers);  // to_parked never allocates
}

// ANCHOR: searching
bool IdleWorkers::try_start_searching() {
  // Relaxed first look, then one compare-and-swap: the limit is a matter of
  // efficiency, and a stale count only lets one more searcher in or out.
  std::uint64_t state = state_.load(std::memory_order_relaxed);
  do {
    if (2 * searching_in(state) >= workers_)
      return false;
  } while (!state_.compare_exchange_weak(state, state + kOneSearching,
                                         std::memory_order_acq_rel,
                                         std::memory_order_relaxed));
  return true;
}

bool IdleWorkers::stop_searching() {
  const std::uint64_t before = state_.fetch_sub(kOneSearching, std::memory_order_acq_rel);
  return searching_in(before) == 1;
}
// ANCHOR_END: searching

// ANCHOR: parking
void IdleWorkers::to_parked(std::size_t worker, bool searching) {
  {
    std::lock_guard lock(sleepers_mutex_);
    state_.fetch_sub(kOneAwake + (searching ? kOneSearching : 0),
                     std::memory_order_acq_rel);
    sleepers_.push_back(worker);
  }
  // The parker's half of the handshake (see the header): the announcement
  // above comes before the second look at the queues that follows.
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

std::optional<std::size_t> IdleWorkers::worker_to_wake() {
  // The publisher's half: the publication comes before this look. With a
  // fence on each side, one of the two sees the other's write. Then a
  // relaxed load is enough, and reading does not write: two busy workers
  // that publish at every yield do not pass the word's line back and forth.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!should_wake(state_.load(std::memory_order_relaxed)))
    return std::nullopt;
  std::lock_guard lock(sleepers_mutex_);
  // Again under the lock: another publisher may have woken a searcher for
  // this very work in the meantime. Acquire pairs with the other
  // read-modify-writes of the word, made under the same lock or not.
  if (!should_wake(state_.load(std::memory_order_acquire)) || sleepers_.empty())
    return std::nullopt;
  const std::size_t worker = sleepers_.back();  // the last to sleep: its cache is warmest
  sleepers_.pop_back();
  state_.fetch_add(kOneAwake + kOneSearching, std::memory_order_acq_rel);
  return worker;
}
// ANCHOR_END: parking

// ANCHOR: unlist
// A linear search of a list with at most one entry per worker, under the
// lock that every sleeper takes anyway (tokio's idle.rs does the same).
bool IdleWorkers::unlist(std::size_t worker) {
  std::lock_guard lock(sleepers_mutex_);
  const auto listed = std::find(sleepers_.begin(), sleepers_.end(), worker);
  if (listed == sleepers_.end())
    return false;
  sleepers_.erase(listed);
  state_.fetch_add(kOneAwake, std::memory_order_acq_rel);
  return true;
}

bool IdleWorkers::is_listed(std::size_t worker) {
  std::lock_guard lock(sleepers_mutex_);
  return std::find(sleepers_.begin(), sleepers_.end(), worker) != sleepers_.end();
}
// ANCHOR_END: unlist

std::size_t IdleWorkers::searching() const {
  return searching_in(state_.load(std::memory_order_acquire));
}

std::size_t IdleWorkers::awake() const {
  return awake_in(state_.load(std::memory_order_acquire));
}

}  // namespace art
