// waker.cpp: the RAII half of Waker. Every operation forwards to the vtable;
// the only rule is that each reference is dropped exactly once.
#include "art/waker.hpp"

namespace art {

// ANCHOR: copy
Waker::Waker(const Waker& other) {
  if (other.raw_.vtable != nullptr) {
    raw_ = other.raw_.vtable->clone(other.raw_.data);
  }
}
// ANCHOR_END: copy

Waker& Waker::operator=(const Waker& other) {
  if (this != &other) {
    *this = Waker(other);  // clone first, so a throwing clone leaves *this intact
  }
  return *this;
}

Waker& Waker::operator=(Waker&& other) noexcept {
  if (this != &other) {
    reset();
    raw_ = std::exchange(other.raw_, {});
  }
  return *this;
}

// ANCHOR: wake
void Waker::wake() && {
  // wake() consumes the reference: the vtable's wake releases it, so this
  // handle must forget the pair before its destructor runs.
  RawWaker raw = std::exchange(raw_, {});
  if (raw.vtable != nullptr) {
    raw.vtable->wake(raw.data);
  }
}

void Waker::wake_by_ref() const {
  if (raw_.vtable != nullptr) {
    raw_.vtable->wake_by_ref(raw_.data);
  }
}

void Waker::reset() noexcept {
  RawWaker raw = std::exchange(raw_, {});
  if (raw.vtable != nullptr) {
    raw.vtable->drop(raw.data);
  }
}
// ANCHOR_END: wake

namespace {

RawWaker noop_clone(void* data);
void noop(void*) {}
void noop_drop(void*) noexcept {}
constexpr WakerVTable noop_vtable{noop_clone, noop, noop, noop_drop};
RawWaker noop_clone(void* data) { return {data, &noop_vtable}; }

}  // namespace

Waker noop_waker() { return Waker(RawWaker{nullptr, &noop_vtable}); }

}  // namespace art
