// chase_lev_deque.hpp: a worker's own queue, which other workers may rob.
//
// One thread, the owner, pushes and pops at the bottom end, like a stack.
// Any other thread may steal from the top end, the oldest entry. The owner
// pays for no lock and, while two or more entries are left, for no
// read-modify-write either: only the last entry, which a thief may want at
// the same moment, is claimed by a compare-and-swap on `top`. Thieves always
// claim by that compare-and-swap, so two thieves never take the same entry.
//
//            top (thieves take here)              bottom (owner pushes
//             |                                    |   and pops here)
//             v                                    v
//     ... [ oldest ][      ][      ][ newest ][ free ] ...   (a ring)
//
// The algorithm is Chase and Lev's ("Dynamic Circular Work-Stealing Deque",
// SPAA 2005) with the memory orders that Le, Pop, Cohen and Zappa Nardelli
// proved correct for C11 ("Correct and Efficient Work-Stealing for Weak
// Memory Models", PPoPP 2013). Two changes, both argued where they are made:
// the ring has a fixed capacity (a full deque tells its owner, who moves half
// of it to the scheduler's shared injector, as tokio does), and every store
// of `bottom` is a release store, where the paper has a release fence before
// one of them (C++20 changed what that fence would cover).
//
// `top` and `bottom` only ever grow (bottom dips by one inside pop and comes
// back), and are signed: during pop, bottom - 1 may be below top.
//
// The template parameter `Atomic` is std::atomic everywhere but in the
// schedule explorer's tests, which pass a wrapper that lets the explorer
// switch threads before every atomic operation (schedule_explorer.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace art {

// ANCHOR: deque_class
template <class T, std::size_t Capacity, template <class> class Atomic = std::atomic>
class ChaseLevDeque {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0,
                "the ring's capacity must be a power of two");

 public:
  static constexpr std::size_t capacity() { return Capacity; }

  // Owner only. False when the ring is full: nothing was pushed.
  bool push(T* item);
  // Owner only. The newest entry, or nullptr when there is none.
  T* pop();

  // Any thread. `contended` says that another thread took the entry this
  // one wanted: the deque may still hold entries, and trying again is worth
  // it. nullptr without `contended` means the deque looked empty.
  struct Stolen {
    T* item = nullptr;
    bool contended = false;
  };
  Stolen steal();

  // Any thread. A hint only: the deque may change before the caller acts.
  std::size_t size_hint() const;

 protected:  // not private: the explorer's tests plant bugs in subclasses
  Atomic<T*>& slot(std::int64_t index) {
    return slots_[static_cast<std::size_t>(index) & (Capacity - 1)];
  }

  // Each on a cache line of its own: thieves write `top`, the owner writes
  // `bottom`, and a line shared by both would bounce at every push.
  alignas(64) Atomic<std::int64_t> top_{0};
  alignas(64) Atomic<std::int64_t> bottom_{0};
  alignas(64) Atomic<T*> slots_[Capacity] = {};  // NOLINT(modernize-avoid-c-arrays)
};
// ANCHOR_END: deque_class

// ANCHOR: deque_push
template <class T, std::size_t Capacity, template <class> class Atomic>
bool ChaseLevDeque<T, Capacity, Atomic>::push(T* item) {
  // Relaxed: only this thread writes bottom.
  const std::int64_t bottom = bottom_.load(std::memory_order_relaxed);
  // Acquire: pairs with a thief's successful compare-and-swap of top. The
  // thief read its slot before that, so once we see top past a slot we may
  // write the slot again without tearing the thief's read.
  const std::int64_t top = top_.load(std::memory_order_acquire);
  if (bottom - top >= static_cast<std::int64_t>(Capacity))
    return false;
  // Relaxed: the release store of bottom below publishes it.
  slot(bottom).store(item, std::memory_order_relaxed);
  // Release: a thief that reads the new bottom (with acquire) also sees the
  // slot's value and everything the pusher did to the item before pushing.
  // The paper writes a release fence and a relaxed store, and relies on
  // C11's release sequences, which included the owner's later plain stores
  // of bottom (in pop). C++20 dropped those stores from release sequences,
  // so every store of bottom here is a release store instead: a thief that
  // reads any of them sees every push before it. On x86 a release store is
  // a plain store, and ThreadSanitizer, which does not model fences,
  // understands it.
  bottom_.store(bottom + 1, std::memory_order_release);
  return true;
}
// ANCHOR_END: deque_push

// ANCHOR: deque_pop
template <class T, std::size_t Capacity, template <class> class Atomic>
T* ChaseLevDeque<T, Capacity, Atomic>::pop() {
  // Relaxed: only this thread writes bottom.
  const std::int64_t bottom = bottom_.load(std::memory_order_relaxed) - 1;
  // Claim the newest slot first, then look at top. The seq_cst fence after
  // the store orders it before the load of top against the fence in
  // steal(): either the thief sees the lowered bottom, or we see the
  // thief's raised top. Without the fence, both could read the old values
  // and take the same entry. Release, as in push: a thief that reads this
  // bottom still sees the pushes before it.
  bottom_.store(bottom, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  std::int64_t top = top_.load(std::memory_order_relaxed);  // the fence orders it
  if (top > bottom) {  // it was empty: put bottom back
    bottom_.store(bottom + 1, std::memory_order_release);
    return nullptr;
  }
  T* item = slot(bottom).load(std::memory_order_relaxed);  // this thread wrote it
  if (top < bottom)
    return item;  // two or more were left: no thief can reach this one
  // The last entry: a thief may be taking it right now. Whoever moves top
  // past it owns it. seq_cst, as the paper has it: this compare-and-swap and
  // the thieves' are ordered with the fences above.
  const bool won = top_.compare_exchange_strong(top, top + 1, std::memory_order_seq_cst,
                                                std::memory_order_relaxed);
  // Either way the deque is now empty, with top == bottom + 1: move bottom
  // there too, so that top == bottom again.
  bottom_.store(bottom + 1, std::memory_order_release);
  return won ? item : nullptr;
}
// ANCHOR_END: deque_pop

// ANCHOR: deque_steal
template <class T, std::size_t Capacity, template <class> class Atomic>
typename ChaseLevDeque<T, Capacity, Atomic>::Stolen
ChaseLevDeque<T, Capacity, Atomic>::steal() {
  // Acquire: pairs with another thief's compare-and-swap (and the owner's
  // in pop), so the slot we read below is not one already reused.
  std::int64_t top = top_.load(std::memory_order_acquire);
  // The other half of pop()'s fence: top is read before bottom.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Acquire: pairs with push()'s release store, so the slot's value is
  // visible once bottom says it is there.
  const std::int64_t bottom = bottom_.load(std::memory_order_acquire);
  if (top >= bottom)
    return {};
  // Relaxed: the acquire of bottom made the value visible. The slot may be
  // overwritten after this read (the owner wrapped round), but only once
  // top moved past it, and then the compare-and-swap below fails.
  T* item = slot(top).load(std::memory_order_relaxed);
  if (!top_.compare_exchange_strong(top, top + 1, std::memory_order_seq_cst,
                                    std::memory_order_relaxed))
    return {nullptr, true};  // another thief, or the owner's last pop, won
  return {item, false};
}
// ANCHOR_END: deque_steal

template <class T, std::size_t Capacity, template <class> class Atomic>
std::size_t ChaseLevDeque<T, Capacity, Atomic>::size_hint() const {
  // Relaxed: a hint for deciding how much to steal and whether to look.
  const std::int64_t top = top_.load(std::memory_order_relaxed);
  const std::int64_t bottom = bottom_.load(std::memory_order_relaxed);
  return bottom > top ? static_cast<std::size_t>(bottom - top) : 0;
}

}  // namespace art
