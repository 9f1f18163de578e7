#include "art/runtime.hpp"

#include <exception>

#include "art/log.hpp"

namespace art {

Runtime::Runtime(std::size_t workers, std::unique_ptr<Scheduler> scheduler)
    : Runtime(RuntimeOptions{.workers = workers, .scheduler = std::move(scheduler)}) {}

Runtime::Runtime(RuntimeOptions options)
    : core_(new RuntimeCore(options.workers, std::move(options.scheduler),
                            options.budget, options.reactor)) {
  try {
    core_->start();
  } catch (...) {
    core_->shutdown();  // joins the workers that did start
    core_->release();
    throw;
  }
}

Runtime::~Runtime() {
  try {
    core_->shutdown();
  } catch (const std::exception& error) {
    // Destroyed on one of its own workers, or during its own shutdown: the
    // core cannot be freed under the code still running it, so it is kept.
    logger().error("~Runtime: shutdown refused ({}); the runtime is leaked",
                   error.what());
    return;
  }
  core_->release();
}

}  // namespace art
