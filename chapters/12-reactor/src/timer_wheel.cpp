#include "art/timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace art {

namespace {

constexpr std::uint64_t slot_range(unsigned level) {
  return std::uint64_t{1} << (level * TimerWheel::kSlotBits);
}

// ANCHOR: level_for
// The lowest level whose slots tell `when` apart from `elapsed`: the level
// of the highest bit in which they differ (six bits to a level). Times the
// levels cannot tell apart from `elapsed` go to the top level.
unsigned level_for(std::uint64_t elapsed, std::uint64_t when) {
  std::uint64_t differing = (elapsed ^ when) | (TimerWheel::kSlots - 1);
  differing = std::min(differing, TimerWheel::kSpan - 1);
  const auto highest_bit = static_cast<unsigned>(63 - std::countl_zero(differing));
  return highest_bit / TimerWheel::kSlotBits;
}
// ANCHOR_END: level_for

unsigned slot_for(std::uint64_t when, unsigned level) {
  return static_cast<unsigned>((when >> (level * TimerWheel::kSlotBits)) &
                               (TimerWheel::kSlots - 1));
}

}  // namespace

TimerId TimerWheel::insert(std::uint64_t deadline) {
  const std::uint32_t index = allocate_node();
  nodes_[index].deadline = deadline;
  place(index);
  ++size_;
  return {index, nodes_[index].generation};
}

bool TimerWheel::contains(TimerId id) const {
  return id.index < nodes_.size() && nodes_[id.index].generation == id.generation &&
         nodes_[id.index].list != kNotLinked;
}

bool TimerWheel::cancel(TimerId id) {
  if (!contains(id))
    return false;  // fired or cancelled already: its node may serve another timer
  unlink(id.index);
  free_node(id.index);
  return true;
}

// ANCHOR: next_occupied
std::optional<TimerWheel::Expiration> TimerWheel::next_occupied() const {
  // Every entry of a level is later than every entry of the levels below
  // it, so the lowest level that has any holds the earliest slot.
  for (unsigned level = 0; level < kLevels; ++level) {
    if (occupied_[level] == 0)
      continue;
    // The first occupied slot from elapsed's own slot of this level on. The
    // top level is a ring: an entry in elapsed's own slot there is a turn
    // ahead (a far deadline, placed in the farthest slot it can have), so
    // its search starts one slot further and comes round to that slot last.
    const bool ring = level == kLevels - 1;
    const unsigned from = (slot_for(elapsed_, level) + (ring ? 1 : 0)) % kSlots;
    const std::uint64_t rotated = std::rotr(occupied_[level], static_cast<int>(from));
    const unsigned slot =
        (static_cast<unsigned>(std::countr_zero(rotated)) + from) % kSlots;
    const std::uint64_t level_range = slot_range(level) * kSlots;
    std::uint64_t start = (elapsed_ & ~(level_range - 1)) + slot * slot_range(level);
    if (ring && start <= elapsed_)
      start += level_range;  // a slot at or before elapsed's: the next turn
    return Expiration{level, slot, start};
  }
  return std::nullopt;
}
// ANCHOR_END: next_occupied

std::optional<std::uint64_t> TimerWheel::next_expiration() const {
  if (heads_[kDueList] != kNone)
    return elapsed_;  // due already, not yet handed out
  if (std::optional<Expiration> next = next_occupied())
    return next->start;
  return std::nullopt;
}

// ANCHOR: pop_expired
std::optional<TimerId> TimerWheel::pop_expired(std::uint64_t now) {
  for (;;) {
    if (const std::uint32_t index = heads_[kDueList]; index != kNone) {
      const TimerId id{index, nodes_[index].generation};
      unlink(index);
      free_node(index);
      return id;
    }
    const std::optional<Expiration> next = next_occupied();
    if (!next || next->start > now) {
      // No slot starts at or before now: nothing is skipped by moving on.
      elapsed_ = std::max(elapsed_, now);
      return std::nullopt;
    }
    elapsed_ = std::max(elapsed_, next->start);
    process(*next);
  }
}

// The slot's start has been reached: its due entries go to the due list,
// the others (a higher level's slot spans many ticks) fall to lower levels.
void TimerWheel::process(const Expiration& expiration) {
  const std::uint32_t list = expiration.level * kSlots + expiration.slot;
  std::uint32_t index = heads_[list];
  heads_[list] = kNone;
  occupied_[expiration.level] &= ~(std::uint64_t{1} << expiration.slot);
  while (index != kNone) {
    const std::uint32_t next = nodes_[index].next;
    if (nodes_[index].deadline <= elapsed_)
      link(index, kDueList);
    else
      place(index);  // cascade: relative to the new elapsed, a lower level
    index = next;
  }
}
// ANCHOR_END: pop_expired

// ANCHOR: place
void TimerWheel::place(std::uint32_t index) {
  // A deadline in the past is due in the current slot; one beyond the span
  // goes as far as the levels reach, and is placed again from there.
  const std::uint64_t deadline = nodes_[index].deadline;
  const std::uint64_t farthest =
      elapsed_ > UINT64_MAX - (kSpan - 1) ? UINT64_MAX : elapsed_ + (kSpan - 1);
  const std::uint64_t when = std::clamp(deadline, elapsed_, farthest);
  const unsigned level = level_for(elapsed_, when);
  link(index, level * kSlots + slot_for(when, level));
}
// ANCHOR_END: place

void TimerWheel::link(std::uint32_t index, std::uint32_t list) {
  Node& node = nodes_[index];
  node.list = list;
  node.prev = kNone;
  node.next = heads_[list];
  if (node.next != kNone)
    nodes_[node.next].prev = index;
  heads_[list] = index;
  if (list != kDueList)
    occupied_[list / kSlots] |= std::uint64_t{1} << (list % kSlots);
}

void TimerWheel::unlink(std::uint32_t index) {
  Node& node = nodes_[index];
  if (node.prev != kNone)
    nodes_[node.prev].next = node.next;
  else
    heads_[node.list] = node.next;
  if (node.next != kNone)
    nodes_[node.next].prev = node.prev;
  if (node.list != kDueList && heads_[node.list] == kNone)
    occupied_[node.list / kSlots] &= ~(std::uint64_t{1} << (node.list % kSlots));
  node.list = kNotLinked;
}

std::uint32_t TimerWheel::allocate_node() {
  if (!free_.empty()) {
    const std::uint32_t index = free_.back();
    free_.pop_back();
    return index;
  }
  if (nodes_.size() >= kNone)
    throw std::length_error("TimerWheel: more than 2^32 - 1 timers at once");
  nodes_.emplace_back();  // only while the slab grows: warm-up
  if (free_.capacity() < nodes_.capacity())
    free_.reserve(nodes_.capacity());  // so that freeing never allocates
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

void TimerWheel::free_node(std::uint32_t index) {
  Node& node = nodes_[index];
  // A new generation: ids of the timer that used this node are stale now.
  node.generation = node.generation == UINT32_MAX ? 1 : node.generation + 1;
  node.list = kNotLinked;
  free_.push_back(index);  // within the capacity reserved as the slab grew
  --size_;
}

}  // namespace art
