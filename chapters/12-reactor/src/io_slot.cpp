#include "art/io_slot.hpp"

#include <utility>

namespace art {

// ANCHOR: set_readiness
bool IoSlot::set_readiness(std::uint32_t generation, std::uint8_t bits) {
  std::uint64_t word = word_.load(std::memory_order_acquire);
  for (;;) {
    if (generation_of(word) != generation)
      return false;  // the fd this event was for is gone; the slot has moved on
    const std::uint64_t next = make_word(generation, tick_of(word) + 1,
                                         static_cast<std::uint8_t>(bits_of(word) | bits));
    // acq_rel: publishes the new tick to the reader's acquire load
    // (see the header); acquire on failure to retry with a fresh word.
    if (word_.compare_exchange_weak(word, next, std::memory_order_acq_rel,
                                    std::memory_order_acquire))
      return true;
  }
}
// ANCHOR_END: set_readiness

// ANCHOR: clear_readiness
bool IoSlot::clear_readiness(ReadyEvent seen) {
  // EXERCISE 12.1: clear only the readiness seen, only if no event came since
  // HINT: the reader's half of the tick protocol (the header's picture).
  // Its invariant: readiness is cleared only by a reader that saw, under
  // the current tick, exactly the readiness it clears; a newer event, the
  // other direction's bits and the final bits (closed, error, shutdown)
  // stay. The reactor may change the word at any moment you look at it.
  // HINT 2: "is the tick still the one I saw?" and "write the word without
  // those bits" must be one indivisible step, or the reactor's set lands
  // between them and your write erases it. The generation keeps its value.
  // HINT 3: set_readiness above has the shape: read the word once, then a
  // loop that gives up on a condition and otherwise tries to swap in the
  // next word (compare_exchange_weak hands back the fresh word on failure).
  const auto clear = static_cast<std::uint8_t>(seen.bits & Readiness::clearable);
  std::uint64_t word = word_.load(std::memory_order_acquire);
  for (;;) {
    if (tick_of(word) != seen.tick)
      return false;  // an event came after the reader looked: keep it
    const std::uint64_t next =
        make_word(generation_of(word), tick_of(word),
                  static_cast<std::uint8_t>(bits_of(word) & ~clear));
    // acq_rel, as set_readiness: the two transitions order each other.
    if (word_.compare_exchange_weak(word, next, std::memory_order_acq_rel,
                                    std::memory_order_acquire))
      return true;
  }
  // END EXERCISE
}
// ANCHOR_END: clear_readiness

ReadyEvent IoSlot::readiness(Direction direction) const {
  // Acquire: pairs with set_readiness's release (see the header).
  const std::uint64_t word = word_.load(std::memory_order_acquire);
  return ReadyEvent{tick_of(word),
                    static_cast<std::uint8_t>(bits_of(word) & Readiness::of(direction))};
}

// ANCHOR: poll_ready
Poll<ReadyEvent> IoSlot::poll_ready(Direction direction, Context& cx) {
  // EXERCISE 12.2: a kept event is Ready; else the newest waker waits, no wake lost
  // HINT: a wait without a lost wake-up. The reactor does two steps: it
  // sets the bits (no lock), then takes the wakers under wakers_mutex_.
  // Invariant: a poll that answers Pending has its waker stored where that
  // reactor's second step will find it, at a moment when it knows no bits
  // were set; an event already in the word is answered at once.
  // HINT 2: ask which moment is the dangerous one: "not ready" seen, then
  // the reactor sets and wakes, then the waker goes in. Whatever you saw
  // before the waker was stored may be out of date once it is stored.
  // HINT 3: keep the task's newest waker (the task may have moved); one
  // waker per direction; Waker::will_wake spares a clone of the same one.
  ReadyEvent seen = readiness(direction);
  if (seen.bits != 0)
    return seen;  // an event kept for us: no lock, no waker
  std::lock_guard lock(wakers_mutex_);
  Waker& stored = waker_of(direction);
  if (!stored.will_wake(cx.waker()))
    stored = cx.waker();
  // Re-check under the lock: the reactor sets the bits before it takes this
  // lock, so either we see them now or it sees the waker we just stored.
  seen = readiness(direction);
  if (seen.bits != 0)
    return seen;
  return pending;
  // END EXERCISE
}
// ANCHOR_END: poll_ready

// ANCHOR: wake
void IoSlot::wake(std::uint8_t bits) {
  Waker reader;
  Waker writer;
  {
    std::lock_guard lock(wakers_mutex_);
    if ((bits & Readiness::of(Direction::read)) != 0)
      reader = std::move(reader_);
    if ((bits & Readiness::of(Direction::write)) != 0)
      writer = std::move(writer_);
  }
  // Outside the lock: a wake runs the scheduler's code, which must not wait
  // for a poll that is itself waiting for this lock.
  if (reader)
    std::move(reader).wake();
  if (writer)
    std::move(writer).wake();
}
// ANCHOR_END: wake

std::uint32_t IoSlot::generation() const {
  return generation_of(word_.load(std::memory_order_acquire));
}

std::uint32_t IoSlot::tick() const {
  return tick_of(word_.load(std::memory_order_acquire));
}

void IoSlot::reuse() {
  Waker reader;
  Waker writer;
  {
    std::lock_guard lock(wakers_mutex_);
    reader = std::move(reader_);
    writer = std::move(writer_);
  }
  // A compare-and-swap, not a store: a reactor's set_readiness racing with
  // it must fail on the generation, never write over the new one.
  // acq_rel as the other transitions; the next owner gets the slot through
  // the slab's lock, which orders the rest.
  std::uint64_t word = word_.load(std::memory_order_acquire);
  while (!word_.compare_exchange_weak(word, make_word(generation_of(word) + 1, 0, 0),
                                      std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
  }
  // The wakers go last, outside the lock: dropping one may free a task.
}

}  // namespace art
