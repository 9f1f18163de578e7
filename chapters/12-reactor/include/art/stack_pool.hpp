// stack_pool.hpp: call stacks for fiber tasks, recycled.
//
// A fiber runs on a call stack of its own, allocated when the fiber starts
// and released when it ends. Allocating one means an mmap (and, with a
// guard page, an mprotect): system calls, far too slow to pay per task. The
// pool keeps released stacks and hands them out again, so after a warm-up a
// fiber task costs no system call at all. It keeps at most max_pooled free
// stacks, though: a burst of fibers must not pin its peak of stacks for the
// rest of the program, so a stack released beyond the cap is unmapped.
//
// Guard pages are on by default. The lowest page of each stack is mapped
// without access rights, so a fiber that overflows its stack (deep
// recursion, a big local array) dies with a segmentation fault at once
// instead of silently overwriting whatever memory lies below. That is what
// Boost.Context's protected_fixedsize_stack does; this pool adds the reuse.
//
// The pool is a Boost.Context StackAllocator: it is handed to the
// boost::context::fiber constructor through a small StackPool::Allocator
// value, and Boost calls allocate() and deallocate() on it.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include <boost/context/stack_context.hpp>

#include "art/sanitizer_fiber.hpp"

namespace art {

// ANCHOR: stack_pool
// ANCHOR: stack_pool_api
class StackPool {
 public:
  static constexpr std::size_t kDefaultStackSize = std::size_t{64} * 1024;
  static constexpr std::size_t kMinimumStackSize = std::size_t{16} * 1024;
  static constexpr std::size_t kDefaultMaxPooled = 256;  // free stacks kept, at most

  // Throws std::invalid_argument for a stack smaller than kMinimumStackSize.
  explicit StackPool(std::size_t stack_size = kDefaultStackSize, bool guard_page = true,
                     std::size_t max_pooled = kDefaultMaxPooled);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& stack) noexcept;

  std::size_t stack_size() const { return usable_size_; }
  std::size_t max_pooled() const { return max_pooled_; }
  std::size_t mapped() const;  // stacks mapped now: in use, or free in the pool
  std::size_t in_use() const;  // stacks handed out and not given back yet
  // ANCHOR_END: stack_pool_api

  // ANCHOR: stack_pool_allocator
  // What boost::context::fiber is given: a small handle to a pool (and to
  // the fiber's sanitizer bookkeeping, which must learn where the stack is).
  struct Allocator {
    StackPool* pool;
    SanitizerFiber* sanitizer;  // told where the stack is
    boost::context::stack_context allocate() const {
      boost::context::stack_context stack = pool->allocate();
      sanitizer->set_stack(static_cast<char*>(stack.sp) - stack.size, stack.size);
      return stack;
    }
    void deallocate(boost::context::stack_context& stack) const noexcept {
      pool->deallocate(stack);
    }
  };
  Allocator allocator(SanitizerFiber& sanitizer) { return Allocator{this, &sanitizer}; }

  // The pool spawn_fiber uses unless told otherwise (default size, guarded).
  static StackPool& shared();
  // ANCHOR_END: stack_pool_allocator

 private:
  std::size_t usable_size_;
  std::size_t mapped_size_;  // usable size plus the guard page
  bool guard_page_;
  std::size_t max_pooled_;
  mutable std::mutex mutex_;
  std::vector<void*> free_;  // bases of unused mappings
  std::size_t mapped_ = 0;   // in use plus free_.size()
};
// ANCHOR_END: stack_pool

}  // namespace art
