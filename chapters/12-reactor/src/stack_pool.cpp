#include "art/stack_pool.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace art {

namespace {

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

std::size_t round_up_to_pages(std::size_t bytes) {
  const std::size_t page = page_size();
  return (bytes + page - 1) / page * page;
}

}  // namespace

StackPool::StackPool(std::size_t stack_size, bool guard_page, std::size_t max_pooled)
    : usable_size_(round_up_to_pages(stack_size)),
      mapped_size_(usable_size_ + (guard_page ? page_size() : 0)),
      guard_page_(guard_page),
      max_pooled_(max_pooled) {
  if (stack_size < kMinimumStackSize)
    throw std::invalid_argument("StackPool: a fiber stack needs at least " +
                                std::to_string(kMinimumStackSize) + " bytes, not " +
                                std::to_string(stack_size));
}

StackPool::~StackPool() {
  for (void* base : free_)
    ::munmap(base, mapped_size_);
}

// ANCHOR: allocate
// ANCHOR: stack_allocate
boost::context::stack_context StackPool::allocate() {
  void* base = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      base = free_.back();
      free_.pop_back();
    }
  }
  if (base == nullptr) {
    base = ::mmap(nullptr, mapped_size_, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
      throw std::bad_alloc();
    if (guard_page_ && ::mprotect(base, page_size(), PROT_NONE) != 0) {
      ::munmap(base, mapped_size_);
      throw std::bad_alloc();
    }
    std::lock_guard lock(mutex_);
    ++mapped_;
  }
  boost::context::stack_context stack;
  stack.size = mapped_size_;
  stack.sp =
      static_cast<char*>(base) + mapped_size_;  // stacks grow down from the top
  return stack;
}
// ANCHOR_END: stack_allocate

// ANCHOR: stack_deallocate
void StackPool::deallocate(boost::context::stack_context& stack) noexcept {
  void* base = static_cast<char*>(stack.sp) - stack.size;
  {
    std::lock_guard lock(mutex_);
    if (free_.size() < max_pooled_) {
      try {
        free_.push_back(base);
        return;  // kept for the next fiber
      } catch (const std::bad_alloc&) {
        // no room to keep it: give it back below
      }
    }
    --mapped_;
  }
  ::munmap(base, mapped_size_);  // beyond the cap: back to the system
}
// ANCHOR_END: stack_deallocate
// ANCHOR_END: allocate

std::size_t StackPool::mapped() const {
  std::lock_guard lock(mutex_);
  return mapped_;
}

std::size_t StackPool::in_use() const {
  std::lock_guard lock(mutex_);
  return mapped_ - free_.size();
}

StackPool& StackPool::shared() {
  // Never destroyed: fibers may end during static destruction, and their
  // stacks must still have somewhere to go.
  static auto* pool = new StackPool();
  return *pool;
}

}  // namespace art
