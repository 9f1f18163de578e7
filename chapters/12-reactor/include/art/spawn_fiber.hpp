// spawn_fiber.hpp: run an ordinary function as a task.
//
//   art::fiber(fn)        a FiberFuture for fn, to spawn or block_on
//   art::spawn_fiber(fn)  spawns it on the runtime running this task
//
// Both take the StackPool to draw the stack from; StackPool::shared() (64 KiB
// stacks with a guard page) unless told otherwise. A pool given explicitly
// must outlive every fiber started from it.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

#include "art/runtime.hpp"
#include "art/fiber_future.hpp"
#include "art/stack_pool.hpp"

namespace art {

// ANCHOR: spawn_fiber
template <class Fn>
FiberFuture<std::invoke_result_t<Fn&>> fiber(
    Fn fn, StackPool& stacks = StackPool::shared()) {
  return FiberFuture<std::invoke_result_t<Fn&>>(std::move(fn), stacks);
}

template <class Fn>
JoinHandle<std::invoke_result_t<Fn&>> spawn_fiber(
    Fn fn, StackPool& stacks = StackPool::shared()) {
  return spawn(fiber(std::move(fn), stacks));
}
// ANCHOR_END: spawn_fiber

}  // namespace art
