// todo.hpp: the error an unfinished exercise throws.
//
// The students' copy of a chapter is generated from the solution by replacing
// each exercise region with `throw art::todo_error("exercise 1.2: <goal>")`.
// A test that reaches such a stub fails with that message instead of hanging or
// crashing, so `make check` can say which exercise is still open.
#pragma once

#include <stdexcept>
#include <string>

namespace art {

class todo_error : public std::logic_error {
 public:
  explicit todo_error(const std::string& what) : std::logic_error("TODO " + what) {}
};

}  // namespace art
