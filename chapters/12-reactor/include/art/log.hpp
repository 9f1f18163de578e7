// log.hpp: the runtime's logger, silent unless asked.
//
// The runtime narrates what it does (polls, parks, wake-ups) at debug and
// trace level through one spdlog logger named "art". It is off by default;
// SPDLOG_LEVEL=debug (or SPDLOG_LEVEL=art=trace) in the environment turns it
// on, so a reader can watch the machinery without changing any code.
#pragma once

#include <spdlog/spdlog.h>

namespace art {

spdlog::logger& logger();

}  // namespace art
