#include <stdexcept>

#include "art/runtime_core.hpp"
#include "art/timer_driver.hpp"

namespace art {

// ANCHOR: current_timer_driver
// The timers of the runtime whose worker runs the calling task: its
// reactor's driver, which the reactor thread fires.
TimerDriver& current_timer_driver() {
  RuntimeCore* core = RuntimeCore::current();
  if (core == nullptr)
    throw std::logic_error(
        "art::sleep (or another timer) made outside a runtime's worker: make it in "
        "a task, or pass a driver explicitly (art::sleep(runtime.reactor().timers(), d))");
  return core->reactor().timers();
}
// ANCHOR_END: current_timer_driver

}  // namespace art
