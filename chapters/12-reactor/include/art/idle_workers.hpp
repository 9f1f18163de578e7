// idle_workers.hpp: who is searching for work, who sleeps, and whom to wake.
//
// A worker whose own deque is empty becomes a *searcher*: it looks at the
// injector and tries to steal from the others. When it finds nothing, it
// parks. Waking a worker costs a system call, and a woken worker that finds
// nothing costs two, so a new task should wake a sleeper only when nobody
// is already looking for it. That is the whole policy (tokio's and Go's):
//
//   * at most half of the workers search at once: more would fight over the
//     same few tasks;
//   * a schedule() wakes a sleeper only if no worker is searching, since a
//     searcher will find the task;
//   * a searcher that finds work stops searching; if it was the last one,
//     it wakes a sleeper to take over the search, for the work it left.
//
// The parking invariant, which every line of the scheduler keeps:
//
//   A worker sleeps only after it has announced that it sleeps (to_parked)
//   and then looked at every queue and found them empty. Whoever makes work
//   first publishes it and then reads the announcements (worker_to_wake).
//
// Between its two steps each side has a seq_cst fence (Go's scheduler does
// the same), and seq_cst fences happen in one order that every thread
// agrees on. If the parker's fence comes first, the publisher's read after
// its own fence sees the announcement: one worker fewer awake, and, when
// nobody searches, it wakes a sleeper. If the publisher's fence comes
// first, the parker's look after its fence sees the work. Either way no
// task is left in a queue while every worker sleeps. A searcher that the
// publisher counted on, and that stops or hands the search on, passes the
// work on the same way: a worker it wakes looks at the queues only after
// fences of its own (a steal has one), which come after the searcher's.
//
// A fence costs about what a read-modify-write costs, but the publisher's
// read does not write: a read-modify-write of the word (tokio's
// fetch_add(0)) would pass its cache line between two busy workers at every
// task they schedule. Only the fences order the handshake, which
// ThreadSanitizer does not model; the work itself is handed over by release
// stores and acquire loads (the deque's bottom, the injector's mutex), which
// it checks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace art {

// ANCHOR: idle_workers
class IdleWorkers {
 public:
  explicit IdleWorkers(std::size_t workers);  // all awake, none searching

  // A worker with nothing of its own wants to search. False when half of
  // the workers already do: it parks instead.
  bool try_start_searching();
  // A searcher found work. True if it was the last searcher: the caller
  // then wakes a sleeper, to search for what may be left.
  bool stop_searching();

  // A worker is about to sleep: counted as asleep and listed as a sleeper.
  // Afterwards it must look at every queue once more (the invariant above).
  void to_parked(std::size_t worker, bool searching);

  // Someone published work. The sleeper to wake, if one should be woken
  // (none searching, one asleep): already counted awake and searching, so
  // that a second publisher does not wake another for the same work.
  std::optional<std::size_t> worker_to_wake();
  // A worker woke by itself, not by worker_to_wake (a turn of the reactor's
  // driver ended). True if it was still listed as a sleeper: it is taken
  // off the list and counted awake, not searching. False if a publisher
  // woke it meanwhile (counted awake and searching then).
  bool unlist(std::size_t worker);
  bool is_listed(std::size_t worker);  // still a sleeper?

  std::size_t searching() const;  // for tests
  std::size_t awake() const;      // for tests

 private:
  // One word: awake workers in the high half, searching ones in the low.
  static constexpr std::uint64_t kOneSearching = 1;
  static constexpr std::uint64_t kOneAwake = std::uint64_t{1} << 32;
  static std::size_t searching_in(std::uint64_t state) { return state & 0xffff'ffffU; }
  static std::size_t awake_in(std::uint64_t state) { return state >> 32; }
  bool should_wake(std::uint64_t state) const {
    return searching_in(state) == 0 && awake_in(state) < workers_;
  }

  const std::size_t workers_;
  std::atomic<std::uint64_t> state_;
  std::mutex sleepers_mutex_;
  std::vector<std::size_t> sleepers_;  // guarded by sleepers_mutex_
};
// ANCHOR_END: idle_workers

}  // namespace art
