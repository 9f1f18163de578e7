"""Tests of the exercise generator: markers, stubs and keeping a student's edits."""

import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import exercises  # noqa: E402
from exercise_markers import (  # noqa: E402
    MarkerError,
    chapter_exercises,
    parse_regions,
    reached_stubs,
    solution_source,
    variant_source,
    stub_source,
    test_exercise_id,
)

SOLUTION = """#include "art/thing.hpp"

namespace art {

int answer(int x) {
  // EXERCISE 7.1: return the answer
  // HINT: it is 42,
  // plus nothing
  int y = x;
  return 42 + (y - x);
  // END EXERCISE
}

void quiet() noexcept {
  // EXERCISE 7.2: do nothing quietly
  // HINT: no throwing here
  // STUB: return;
  do_something();
  // END EXERCISE
}

}  // namespace art
"""


class MarkerTests(unittest.TestCase):
    def test_regions_are_parsed_with_multiline_hints(self):
        regions = parse_regions(Path("thing.cpp"), SOLUTION)
        self.assertEqual([r.id for r in regions], ["7.1", "7.2"])
        self.assertEqual(regions[0].goal, "return the answer")
        self.assertEqual(regions[0].hint, "it is 42, plus nothing")
        self.assertEqual(regions[1].stub, ["return;"])

    def test_stub_throws_todo_error_and_keeps_the_rest(self):
        stub = stub_source(Path("thing.cpp"), SOLUTION)
        self.assertIn('throw art::todo_error("exercise 7.1: return the answer");', stub)
        self.assertNotIn("return 42", stub)
        self.assertIn("// TODO exercise 7.1: return the answer", stub)
        self.assertIn("// Stuck? `make hint EX=7.1` gives a hint, one tier at a time.", stub)
        self.assertNotIn("it is 42", stub)  # no hint in the students' copy
        self.assertIn('#include "art/todo.hpp"', stub)
        self.assertIn("int answer(int x) {", stub)

    def test_declared_stub_replaces_the_region(self):
        stub = stub_source(Path("thing.cpp"), SOLUTION)
        quiet = stub[stub.index("void quiet()") :]
        self.assertIn("  return;", quiet)
        self.assertNotIn("do_something", quiet)

    def test_hint_tiers_are_numbered_in_order(self):
        text = ("  // EXERCISE 1.1: goal\n  // HINT: first\n  // goes on\n  // HINT 2: second\n"
                "  // HINT 3: third\n  x();\n  // END EXERCISE\n")
        (region,) = parse_regions(Path("a.cpp"), text)
        self.assertEqual(region.hints, ["first goes on", "second", "third"])
        self.assertEqual(region.body_line, 6)
        skipped = "  // EXERCISE 1.1: goal\n  // HINT: first\n  // HINT 3: third\n  x();\n  // END EXERCISE\n"
        with self.assertRaisesRegex(MarkerError, "HINT 3 follows 1 tier"):
            parse_regions(Path("a.cpp"), skipped)

    def test_a_variant_stubs_only_the_chosen_exercise(self):
        variant = variant_source(Path("thing.cpp"), SOLUTION, {"7.2"})
        self.assertIn("return 42 + (y - x);", variant)  # 7.1 solved
        self.assertNotIn("EXERCISE 7.1", variant)
        self.assertNotIn("do_something", variant)  # 7.2 stubbed
        self.assertNotIn("todo.hpp", variant)  # 7.2's stub does not throw

    def test_reached_stubs_are_read_from_a_test_output(self):
        output = 'C++ exception "TODO exercise 4.1: wake" ... TODO exercise 4.3: poll ... TODO exercise 4.1'
        self.assertEqual(reached_stubs(output), ["4.1", "4.3"])

    def test_goal_is_escaped_in_the_string_literal(self):
        text = '  // EXERCISE 1.1: say "hi" \\ bye\n  // HINT: h\n  x();\n  // END EXERCISE\n'
        self.assertIn(r'"exercise 1.1: say \"hi\" \\ bye"', stub_source(Path("a.cpp"), text))

    def test_file_without_markers_is_unchanged(self):
        text = "int main() { return 0; }\n"
        self.assertEqual(stub_source(Path("a.cpp"), text), text)

    def test_broken_markers_are_clear_errors(self):
        unclosed = "// EXERCISE 1.1: goal\n// HINT: h\nx();\n"
        with self.assertRaisesRegex(MarkerError, "no '// END EXERCISE'"):
            parse_regions(Path("a.cpp"), unclosed)
        no_hint = "// EXERCISE 1.1: goal\nx();\n// END EXERCISE\n"
        with self.assertRaisesRegex(MarkerError, "no '// HINT:'"):
            parse_regions(Path("a.cpp"), no_hint)
        stray_end = "x();\n// END EXERCISE\n"
        with self.assertRaisesRegex(MarkerError, "without an EXERCISE"):
            parse_regions(Path("a.cpp"), stray_end)

    def test_solution_source_drops_markers_and_keeps_solutions(self):
        solution = solution_source(Path("thing.cpp"), SOLUTION)
        self.assertNotIn("EXERCISE", solution)
        self.assertNotIn("HINT", solution)
        self.assertNotIn("STUB", solution)
        self.assertNotIn("plus nothing", solution)
        self.assertIn("  return 42 + (y - x);\n}", solution)
        self.assertIn("  do_something();\n}", solution)
        self.assertEqual(parse_regions(Path("thing.cpp"), solution), [])

    def test_exercise_id_must_match_the_chapter(self):
        with tempfile.TemporaryDirectory() as tmp:
            chapter = Path(tmp) / "03-thing"
            chapter.mkdir()
            (chapter / "thing.cpp").write_text(SOLUTION)
            with self.assertRaisesRegex(MarkerError, "is in chapter 03"):
                chapter_exercises(chapter)

    def test_test_names_map_to_exercise_ids(self):
        self.assertEqual(test_exercise_id("ch01.Ex1_2_Countdown.Ready"), "1.2")
        self.assertEqual(test_exercise_id("Ex12_10_Reactor.Wakes"), "12.10")
        self.assertIsNone(test_exercise_id("ch01.Waker.Moves"))


class GenerateTests(unittest.TestCase):
    def test_student_edits_are_never_overwritten(self):
        with tempfile.TemporaryDirectory() as tmp:
            chapter = Path(tmp) / "chapters" / "07-thing"
            chapter.mkdir(parents=True)
            (chapter / "thing.cpp").write_text(SOLUTION)
            (chapter / "README.md").write_text("first\n")
            out = Path(tmp) / "exercises"
            exercises.generate([chapter], out, quiet=True)
            student_file = out / "07-thing" / "thing.cpp"
            self.assertIn("todo_error", student_file.read_text())

            student_file.write_text("my own work\n")
            (chapter / "README.md").write_text("second\n")  # the chapter changes
            exercises.generate([chapter], out, quiet=True)
            self.assertEqual(student_file.read_text(), "my own work\n")
            self.assertEqual((out / "07-thing" / "README.md").read_text(), "second\n")
            manifest = json.loads((out / exercises.MANIFEST_NAME).read_text())
            self.assertIn("07-thing/thing.cpp", manifest)


if __name__ == "__main__":
    unittest.main()
