#pragma once
#include <cstdint>
#include <string_view>
namespace art::trace {
inline bool enabled() noexcept { return false; }
inline void name_thread(std::string_view) {}
inline void poll_begin(std::uint64_t) noexcept {}
inline void poll_end(std::uint64_t) noexcept {}
inline void park() noexcept {}
inline void unpark() noexcept {}
inline void instant(const char*, std::uint64_t = 0) noexcept {}
inline void flush() {}
}  // namespace art::trace
