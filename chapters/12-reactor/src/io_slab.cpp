#include "art/io_slab.hpp"

#include <stdexcept>
#include <string>

namespace art {

IoSlab::~IoSlab() {
  for (std::atomic<IoSlot*>& page : pages_)
    delete[] page.load(std::memory_order_relaxed);  // nobody else is left
}

IoToken IoSlab::allocate() {
  std::lock_guard lock(mutex_);
  std::uint32_t index = 0;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if (next_unused_ == kPageSize * kMaxPages)
      throw std::length_error("the reactor has " + std::to_string(kPageSize * kMaxPages) +
                              " registrations already: close some fds first");
    index = next_unused_++;
    std::atomic<IoSlot*>& page = pages_[index / kPageSize];
    if (page.load(std::memory_order_relaxed) == nullptr)
      page.store(new IoSlot[kPageSize], std::memory_order_release);  // see pages_
  }
  ++live_;
  return IoToken{index, slot(index)->generation()};
}

void IoSlab::free(IoToken token) {
  IoSlot* freed = slot(token.index);
  freed->reuse();  // a new generation first: old events miss from now on
  std::lock_guard lock(mutex_);
  free_.push_back(token.index);
  --live_;
}

IoSlot* IoSlab::slot(std::uint32_t index) const {
  if (index >= kPageSize * kMaxPages)
    return nullptr;
  IoSlot* page = pages_[index / kPageSize].load(std::memory_order_acquire);  // see pages_
  return page == nullptr ? nullptr : page + index % kPageSize;
}

std::uint32_t IoSlab::high_water() const {
  std::lock_guard lock(mutex_);
  return next_unused_;
}

std::size_t IoSlab::live() const {
  std::lock_guard lock(mutex_);
  return live_;
}

}  // namespace art
