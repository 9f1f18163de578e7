#include "art/executor.hpp"

#include <cstdio>
#include <exception>

namespace art {

Executor::~Executor() {
  try {
    core_->shutdown();
  } catch (const std::exception& error) {
    // A destructor must not throw; say what went wrong instead of terminating.
    std::fprintf(stderr, "art: ~Executor: shutdown failed: %s\n", error.what());
  }
  core_->outlive_executor(core_);
}

// ANCHOR: run
void Executor::run() {
  for (;;) {
    core_->run_ready();
    if (core_->live_tasks() == 0)
      return;
    core_->wait_for_remote_work();  // the live tasks wait on other threads
  }
}

std::size_t Executor::run_until_stalled() {
  core_->run_ready();
  return core_->live_tasks();
}
// ANCHOR_END: run

}  // namespace art
