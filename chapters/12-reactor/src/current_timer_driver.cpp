#include <stdexcept>

#include "art/timer_driver.hpp"

namespace art {

// ANCHOR: current_timer_driver
TimerDriver& current_timer_driver() {
  throw std::logic_error(
      "art::current_timer_driver: no runtime on this thread drives timers yet; "
      "construct the timer future with an explicit TimerDriver& (and call its "
      "fire_due from the thread that drives it)");
}
// ANCHOR_END: current_timer_driver

}  // namespace art
