#include "art/log.hpp"

#include <memory>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace art {

spdlog::logger& logger() {
  // Created on first use, so programs that never log pay nothing.
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto created = spdlog::stderr_color_mt("art");
    created->set_pattern("[%H:%M:%S.%e] [thread %t] %v");
    created->set_level(spdlog::level::off);
    spdlog::cfg::load_env_levels();  // applies SPDLOG_LEVEL to "art" as well
    return created;
  }();
  return *instance;
}

}  // namespace art
