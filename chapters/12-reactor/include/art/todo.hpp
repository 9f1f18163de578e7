// todo.hpp: the error an unfinished exercise throws.
//
// The students' copy of a chapter is generated from the solution by replacing
// each exercise region with `throw art::todo_error("exercise 1.2: <goal>")`.
// A test that reaches such a stub fails with that message instead of hanging or
// crashing, so `make check` can say which exercise is still open.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace art {

// From this chapter on, a stub may be reached on a worker thread, where an
// exception ends the whole test program (std::terminate). So the error
// also says what it is on stderr as it is made: whatever ends the program,
// `make check` still finds which stub was reached.
class todo_error : public std::logic_error {
 public:
  explicit todo_error(const std::string& what) : std::logic_error("TODO " + what) {
    std::fprintf(stderr, "%s\n", this->what());
  }
};

// For a stub that must not throw (inside a noexcept function a throw would
// end the whole test program): prints the same message to stderr, where
// `make check` finds it, and the stub goes on without doing its work, so the
// tests fail by their assertions. A stub keeps the result in a static
// local, so the message appears once per run, not once per call:
//
//     [[maybe_unused]] static const bool said = art::todo_report("exercise 5.2: ...");
inline bool todo_report(const char* what) noexcept {
  std::fprintf(stderr, "TODO %s\n", what);
  return true;
}

}  // namespace art
