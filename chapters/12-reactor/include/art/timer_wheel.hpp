// timer_wheel.hpp: a hierarchical timing wheel, where a timer costs O(1).
//
// The problem. A server has many timers, and almost none of them fire: a
// read timeout is armed for every request and cancelled as soon as the
// bytes arrive. Chapter 02's timer thread keeps them in a binary heap: an
// insert costs O(log n) at worst, and a cancel cannot find its entry at
// all, so the entry stays in the heap (holding memory) until its deadline
// comes round, and is then popped at the same O(log n) as a live one. A
// burst of 100,000 cancelled timeouts leaves 100,000 dead entries, each
// still to be popped.
//
// The idea (Varghese and Lauck, "Hashed and hierarchical timing wheels",
// SOSP 1987; the layout below is tokio's, runtime/time/wheel/): time is
// counted in ticks of one millisecond, and a timer is put in a bucket
// chosen by how far away its deadline is, like the hands of a clock:
//
//   level 5  [ 0 | 1 | 2 | ... | 63 ]   a slot spans 64^5 ms (~12.4 days)
//   level 4  [ 0 | 1 | 2 | ... | 63 ]   a slot spans 64^4 ms (~4.7 hours)
//   level 3  [ 0 | 1 | 2 | ... | 63 ]   a slot spans 64^3 ms (~4.4 minutes)
//   level 2  [ 0 | 1 | 2 | ... | 63 ]   a slot spans 64^2 ms (~4.1 seconds)
//   level 1  [ 0 | 1 | 2 | ... | 63 ]   a slot spans 64 ms
//   level 0  [ 0 | 1 | 2 | ... | 63 ]   a slot spans 1 ms
//                  ^ elapsed: the wheel's "now", which only moves forward
//
// A deadline goes to the lowest level whose slots still tell it apart from
// `elapsed`: the level of the highest bit in which the two differ, six bits
// to a level (64 slots), and the slot given by those six bits of the
// deadline. Each slot is a doubly linked list of entries, and each level
// has a 64-bit word of which slots are occupied. So:
//
//   insert   find the level (one count of leading zeros), link at a list's
//            head: O(1).
//   cancel   unlink: O(1), and the entry's memory is free at once.
//   next     the earliest occupied slot: the lowest level that has any
//            (an entry in a higher level is always later than every entry
//            below it), then one rotate and one count of trailing zeros.
//   advance  jump `elapsed` to that slot's start. At level 0 the slot's
//            entries are due. Above, a slot spans many milliseconds, so
//            its entries are re-inserted relative to the new `elapsed`
//            ("cascade"): they fall to lower levels, and fire when their
//            exact millisecond's slot is reached. An entry cascades at most
//            once per level.
//
// Six levels span 64^6 ms = 2^36 ms, about 2.2 years. A deadline further
// away than that goes to the top level's slot for the farthest time it can
// tell apart; when that slot is reached, the entry is re-inserted and is
// nearer by then. The top level is therefore a ring: an entry in
// `elapsed`'s own slot there is a turn ahead, and the search for the next
// slot comes round to it last (a search that starts at it would hide every
// other slot of the level behind a date years away).
//
// The invariant every operation keeps: each entry sits in a slot that
// starts at or before its deadline, and `elapsed` never moves past the
// start of an occupied slot without processing it. So no entry fires early
// (one fires only when `elapsed` has reached its exact deadline), and none
// is skipped or late (advance(now) processes every slot that starts at or
// before `now`, and cascades what it finds there closer to its deadline).
//
// Why not a heap? Measured (bench/timers.cpp: 100,000 timers, deadlines
// 1 ms .. 10 min; CPU ns per timer, and per turn of a clock that moves a
// millisecond at a time; ranges over four runs on a shared 2-core machine):
//
//                        insert   cancel    fire   per turn   left after cancelling
//   this wheel           13..20   5..10    41..55   15..21          0
//   chapter 02's heap   141..148    24    515..556  38..42      100,000
//   a heap of plain ids  12..13  0.3..0.6 188..227  17..20      100,000
//
// Chapter 02's heap pays an allocation per timer (its shared state) and a
// weak_ptr per entry. A heap of plain ids is the fair rival: its insert is
// as cheap as the wheel's (a random deadline sifts up about two levels on
// average), and its cancel only sets a flag. But the cancelled entry stays:
// memory is held, and at its deadline the heap still pays the O(log n)
// pop (the "fire" column) that the wheel never does; a server whose
// timeouts are nearly all cancelled pays that pop for nearly every one.
// What a heap does better is order: it fires in exact deadline order
// within a millisecond, and its earliest deadline is the exact one, where
// next_expiration here may name a slot's start (the reactor then wakes up
// once more, cascades and sleeps again).
//
// Where entries live. A future can be moved between polls, so it must not
// contain a list link that the wheel points at. The wheel owns its entries
// in a slab (a vector of nodes, and a stack of the free ones) and hands out a TimerId:
// the node's index and its generation, which changes each time the node is
// freed. A TimerId of a fired or cancelled entry is then recognisably stale,
// and cancelling it does nothing. The slab only grows: once it has held as
// many timers as the program keeps at once, inserting allocates nothing.
//
// The wheel is single-threaded; its owner (TimerDriver) locks it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace art {

// ANCHOR: timer_id
// A timer's entry in a wheel: the slab index and the node's generation then.
struct TimerId {
  std::uint32_t index = 0;
  std::uint32_t generation = 0;  // 0 never names a live entry
  bool operator==(const TimerId&) const = default;
};
// ANCHOR_END: timer_id

// ANCHOR: timer_wheel
class TimerWheel {
 public:
  static constexpr unsigned kLevels = 6;
  static constexpr unsigned kSlotBits = 6;
  static constexpr unsigned kSlots = 1U << kSlotBits;  // per level
  // Ticks (milliseconds) the levels tell apart: 64^6 = 2^36, ~2.2 years.
  static constexpr std::uint64_t kSpan = std::uint64_t{1} << (kLevels * kSlotBits);

  // Adds a timer due at tick `deadline`; a deadline before elapsed() is due
  // at the next advance.
  TimerId insert(std::uint64_t deadline);
  // Removes a pending timer. False (and nothing done) when `id` is stale: the
  // timer fired, was cancelled, or never existed.
  bool cancel(TimerId id);
  bool contains(TimerId id) const;

  // The tick at which the earliest occupied slot starts: the reactor may
  // sleep until then. At or before the earliest deadline (a slot of a higher
  // level starts before its entries are due); nullopt when no timer is set.
  std::optional<std::uint64_t> next_expiration() const;

  // Removes and returns one timer whose deadline is <= now, moving elapsed()
  // forward and cascading entries down as needed; nullopt when none is due
  // (elapsed() is then `now`). The id's node is free once returned: its
  // index is reused by a later insert, never before.
  std::optional<TimerId> pop_expired(std::uint64_t now);

  // Calls fire(TimerId) for every timer whose deadline is <= now, earliest
  // first (timers of the same millisecond in no set order).
  template <class Fire>
  void advance(std::uint64_t now, Fire&& fire) {
    while (std::optional<TimerId> id = pop_expired(now))
      fire(*id);
  }

  std::uint64_t elapsed() const { return elapsed_; }
  std::size_t size() const { return size_; }
  // How many nodes the slab holds (in use or free): what inserts allocated.
  std::size_t capacity() const { return nodes_.size(); }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // Lists 0..383 are the slots, level * 64 + slot; one more holds the
  // entries that are due and not yet returned by pop_expired.
  static constexpr std::uint32_t kDueList = kLevels * kSlots;
  static constexpr std::uint32_t kNotLinked = UINT32_MAX;

  struct Node {
    std::uint64_t deadline = 0;
    std::uint32_t prev = kNone;
    std::uint32_t next = kNone;
    std::uint32_t generation = 1;
    std::uint32_t list = kNotLinked;  // kNotLinked: free
  };
  struct Expiration {
    unsigned level;
    unsigned slot;
    std::uint64_t start;  // the tick at which the slot starts
  };

  std::uint32_t allocate_node();
  void free_node(std::uint32_t index);
  void link(std::uint32_t index, std::uint32_t list);
  void unlink(std::uint32_t index);
  void place(std::uint32_t index);  // in its slot, relative to elapsed_
  std::optional<Expiration> next_occupied() const;
  void process(const Expiration& expiration);

  std::array<std::uint32_t, kDueList + 1> heads_ = filled_heads();
  std::array<std::uint64_t, kLevels> occupied_{};  // bit s: slot s has entries
  std::vector<Node> nodes_;
  // Free nodes' indices, a stack apart from the nodes: taking one is a read
  // of this array's end, not of a node somewhere in the slab (whose next
  // link the following take would have to wait for).
  std::vector<std::uint32_t> free_;
  std::uint64_t elapsed_ = 0;
  std::size_t size_ = 0;

  static std::array<std::uint32_t, kDueList + 1> filled_heads() {
    std::array<std::uint32_t, kDueList + 1> heads{};
    heads.fill(kNone);
    return heads;
  }
};
// ANCHOR_END: timer_wheel

}  // namespace art
