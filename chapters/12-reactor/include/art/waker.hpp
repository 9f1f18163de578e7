// waker.hpp: how a future asks to be polled again.
//
// A future that returns Pending must make sure that somebody will poll it
// again once it can make progress. It does so by keeping the Waker it was
// given and calling wake() when the thing it waits for happens: a timer
// fires, a socket becomes readable, another thread sends a value.
//
// What waking *does* depends on who is polling. block_on unparks a sleeping
// thread; an executor (chapter 04) puts a task back on its run queue. A
// Waker therefore cannot be a fixed class. It is a pair of a data pointer and
// a table of four functions, like a hand-made virtual call:
//
//   clone        make another reference to the same waker (copying a Waker)
//   wake         wake, and give up this reference (consumes the Waker)
//   wake_by_ref  wake, and keep the reference
//   drop         give up this reference (destroying a Waker)
//
// Rust's std::task::RawWaker has the same shape. The pair is used instead of a
// std::function or a virtual base class because it costs two words, copies
// without allocating (clone is usually one atomic increment), and lets the
// thing being woken be its own waker without any wrapper object: chapter 04's
// task passes `this` as the data pointer.
//
// Waker is the RAII handle over that pair: copying clones, destruction drops,
// moving steals the pair and leaves an empty Waker behind. An empty Waker
// (default-constructed or moved from) does nothing when woken.
#pragma once

#include <utility>

namespace art {

struct RawWaker;

// ANCHOR: vtable
struct WakerVTable {
  RawWaker (*clone)(void* data);
  void (*wake)(void* data);         // consumes the reference held in `data`
  void (*wake_by_ref)(void* data);  // keeps it
  void (*drop)(void* data) noexcept;
};

struct RawWaker {
  void* data = nullptr;
  const WakerVTable* vtable = nullptr;
};
// ANCHOR_END: vtable

// ANCHOR: waker
class Waker {
 public:
  Waker() = default;
  explicit Waker(RawWaker raw) noexcept : raw_(raw) {}

  Waker(const Waker& other);
  Waker& operator=(const Waker& other);
  Waker(Waker&& other) noexcept : raw_(std::exchange(other.raw_, {})) {}
  Waker& operator=(Waker&& other) noexcept;
  ~Waker() { reset(); }

  void wake() &&;            // wake and give up this reference
  void wake_by_ref() const;  // wake and keep it

  // True when both wake the same thing, so a future can skip replacing a
  // stored waker with an identical one.
  bool will_wake(const Waker& other) const {
    return raw_.data == other.raw_.data && raw_.vtable == other.raw_.vtable;
  }
  explicit operator bool() const { return raw_.vtable != nullptr; }

  void reset() noexcept;  // drop the reference now; *this becomes empty
  // ANCHOR: into_raw
  // Give up the pair without dropping it: the reference it stood for is
  // someone else's to release (chapter 05's executor lends one to a poll).
  RawWaker into_raw() && noexcept { return std::exchange(raw_, {}); }
  // ANCHOR_END: into_raw

 private:
  RawWaker raw_;
};
// ANCHOR_END: waker

// A waker whose wake does nothing: for polling a future that is known to be
// ready, and for tests that poll by hand.
Waker noop_waker();

}  // namespace art
