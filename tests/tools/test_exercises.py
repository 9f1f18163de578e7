"""Tests of the students' tools: the table's blame, hints in tiers, diffs and variants."""

import io
import os
import sys
import tempfile
import time
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import exercises  # noqa: E402
from exercise_markers import chapter_exercises  # noqa: E402
from exercises import (  # noqa: E402
    CTEST_RESULT,
    ExerciseResult,
    HintState,
    TestResult,
    failure_reason,
    match_results,
    print_table,
    write_variant,
)

SOURCE = """#include "art/thing.hpp"

namespace art {

int first() {
  // EXERCISE 7.1: return one
  // HINT: the concept and the invariant
  // HINT 2: a closer look
  // HINT 3: the shape
  return 1;
  // END EXERCISE
}

int second() {
  // EXERCISE 7.2: return two
  // HINT: only one tier
  return 2;
  // END EXERCISE
}

}  // namespace art
"""

GTEST_FAILURE = """[ RUN      ] Map.VoidInputAndVoidOutput
/src/tests/02/combinators_test.cpp:41: Failure
Expected equality of these values:
  calls
    Which is: 0
  1
[  FAILED  ] Map.VoidInputAndVoidOutput (1 ms)
"""


def todo(exercise_id: str) -> str:
    return f'C++ exception with description "TODO exercise {exercise_id}: goal" thrown in the test body.'


class ChapterTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.chapter = self.root / "chapters" / "07-thing"
        (self.chapter / "src").mkdir(parents=True)
        (self.chapter / "src" / "thing.cpp").write_text(SOURCE)
        (self.chapter / "README.md").write_text("readme\n")
        self.exercises = chapter_exercises(self.chapter)

    def tearDown(self):
        self.tmp.cleanup()


class BlameTests(ChapterTestCase):
    def test_a_test_that_reached_another_exercises_stub_needs_it_first(self):
        test = TestResult("Ex7_2_Two.Works", False, todo("7.1"))
        self.assertEqual(failure_reason(test, "7.2", ["7.1", "7.2"]),
                         "needs 7.1 first: it reached that stub")
        own = TestResult("Ex7_2_Two.Works", False, todo("7.2"))
        self.assertEqual(failure_reason(own, "7.2", ["7.2"]), "stub not written yet")

    def test_a_stub_met_while_unwinding_is_not_blamed_beside_the_one_that_failed(self):
        # The test threw at 7.1's stub; the executor's destructor, run while
        # that exception unwound the test, met 7.2's. Only 7.1 is the cause.
        output = ("art: ~Executor: shutdown failed: TODO exercise 7.2: cancel\n"
                  "unknown file: Failure\n" + todo("7.1") + "\n")
        test = TestResult("Ex7_3_Three.Works", False, output)
        self.assertEqual(test.stubs, ["7.1"])
        self.assertEqual(test.met_stubs, ["7.1", "7.2"])
        self.assertEqual(failure_reason(test, "7.3", []), "needs 7.1 first: it reached that stub")
        own = TestResult("Ex7_2_Two.Works", False, output.replace("7.1", "7.2", 1)
                         .replace("exercise 7.2: cancel", "exercise 7.3: other"))
        self.assertEqual(failure_reason(own, "7.2", []), "stub not written yet")

    def test_a_stub_met_before_an_assertion_failed_is_blamed_one_met_after_is_not(self):
        # Met before the failure: the test went on past a stub that did not
        # do its work, which is likely what the assertion misses.
        before = ("art: ~Executor: shutdown failed: TODO exercise 7.2: cancel\n"
                  + GTEST_FAILURE)
        test = TestResult("Ex7_1_One.Works", False, before, status="Failed")
        self.assertEqual(test.stubs, ["7.2"])
        self.assertEqual(failure_reason(test, "7.1", []), "needs 7.2 first: it reached that stub")
        # Met after it: the executor's destructor at the end of the test,
        # which a passing test would meet too. The assertion is the test's own.
        after = GTEST_FAILURE.replace(
            "[  FAILED  ]", "art: ~Executor: shutdown failed: TODO exercise 7.2: cancel\n[  FAILED  ]")
        test = TestResult("Ex7_1_One.Works", False, after, status="Failed")
        self.assertEqual(test.stubs, [])
        self.assertEqual(test.met_stubs, ["7.2"])
        self.assertEqual(failure_reason(test, "7.1", []), "assertion failed")
        result = ExerciseResult(self.exercises[0], [test])
        self.assertEqual(result.waits_for, [])

    def test_an_expect_throw_that_met_a_stub_names_it(self):
        output = ("[ RUN      ] Executor.SpawnAfterShutdown\n"
                  "/src/tests/04/shutdown_test.cpp:146: Failure\n"
                  "Expected: executor.spawn(f) throws an exception of type ExecutorShutDown.\n"
                  "  Actual: it throws art::todo_error with description \"TODO exercise 7.2: x\".\n"
                  "art: ~Executor: shutdown failed: TODO exercise 7.1: y\n"
                  "[  FAILED  ] Executor.SpawnAfterShutdown (0 ms)\n")
        test = TestResult("Executor.SpawnAfterShutdown", False, output, status="Failed")
        self.assertEqual(test.stubs, ["7.2"])

    def test_a_sanitizers_report_is_named_not_called_an_assertion(self):
        output = ("[ RUN      ] Ex5_2_Slab.BothSides\n"
                  "WARNING: ThreadSanitizer: data race (pid=4242)\n"
                  "  Write of size 8 at 0x7b0400000010 by thread T1:\n"
                  "/src/tests/x.cpp:12: Failure\nExpected equality\n")
        test = TestResult("Ex5_2_Slab.BothSides", False, output, status="Failed")
        self.assertEqual(failure_reason(test, "5.2", []),
                         "ThreadSanitizer: data race (its report is in the test's output)")

    def test_a_timeout_is_named_and_says_which_stub_it_reached(self):
        reached = TestResult("Executor.Shutdown", False, "art: shutdown failed: TODO exercise 7.2: x",
                             timed_out=True, status="Timeout")
        self.assertIn("TIMEOUT after it reached the stub of 7.2", failure_reason(reached, None, []))
        silent = TestResult("Executor.Shutdown", False, "", timed_out=True, status="Timeout")
        reason = failure_reason(silent, None, ["7.1"])
        self.assertIn("TIMEOUT", reason)
        self.assertIn("stubs still in your copy: 7.1", reason)

    def test_a_stub_that_names_nothing_is_told_by_its_code_still_in_the_copy(self):
        # Chapter 08's stubs do something that works, badly, and print
        # nothing: the row still says todo while the stub's code is there,
        # and a failing test says which stubs are left.
        failing = TestResult("Ex7_1_One.Works", False, GTEST_FAILURE, status="Failed")
        self.assertEqual(failure_reason(failing, "7.1", ["7.1", "7.2"]),
                         "assertion failed: its stub is still in your copy")
        self.assertEqual(failure_reason(failing, "7.1", ["7.2"]),
                         "assertion failed (stubs still in your copy: 7.2)")
        self.assertEqual(failure_reason(failing, "7.1", []), "assertion failed")
        results, others = match_results(self.exercises, [failing])
        out = io.StringIO()
        with redirect_stdout(out):
            print_table(self.chapter, results, others, ["7.1"], HintState(self.root / "none"))
        self.assertRegex(out.getvalue(), r"7\.1\s+todo")

    def test_the_failing_assertions_message_is_shown(self):
        test = TestResult("Map.VoidInputAndVoidOutput", False, GTEST_FAILURE)
        self.assertEqual(test.assertion()[:3], [
            "/src/tests/02/combinators_test.cpp:41: Failure",
            "Expected equality of these values:",
            "  calls",
        ])
        out = io.StringIO()
        with redirect_stdout(out):
            exercises.print_test(test, None, [])
        self.assertIn("Which is: 0", out.getvalue())

    def test_every_test_is_in_the_table_and_the_chapters_other_tests_are_shown(self):
        tests = [
            TestResult("Ex7_1_One.Works", True, ""),
            TestResult("Ex7_2_Two.Works", False, todo("7.1")),
            TestResult("Map.VoidInputAndVoidOutput", False, GTEST_FAILURE),
            TestResult("Map.Fine", True, ""),
        ]
        results, others = match_results(self.exercises, tests)
        self.assertEqual([t.name for t in others], ["Map.VoidInputAndVoidOutput", "Map.Fine"])
        out = io.StringIO()
        with redirect_stdout(out):
            print_table(self.chapter, results, others, ["7.2"], HintState(self.root / "none"))
        text = out.getvalue()
        for test in tests:
            self.assertIn(test.name, text)
        self.assertIn("The chapter's other tests: 1/2 pass", text)
        self.assertIn("needs: 7.1 first", text)
        self.assertIn("waits", text)

    def test_ctest_statuses_are_read_including_timeouts(self):
        summary = ("1/3 Test #1: ch02.Map.Void ..............***Timeout  10.01 sec\n"
                   "2/3 Test #2: ch02.Map.Fine ..............   Passed    0.01 sec\n"
                   "3/3 Test #3: ch02.Map.Bad ...............***Failed    0.02 sec\n")
        statuses = {m[1]: m[2].strip() for m in CTEST_RESULT.finditer(summary)}
        self.assertEqual(statuses, {"ch02.Map.Void": "Timeout", "ch02.Map.Fine": "Passed",
                                    "ch02.Map.Bad": "Failed"})

    def test_a_test_program_ended_by_terminate_reads_as_an_exception(self):
        summary = ("1/2 Test #1: ch05.Pool.Crash ...Subprocess aborted***Exception:   0.00 sec\n"
                   "2/2 Test #2: ch05.Pool.Segv ...***Exception: SegFault  0.01 sec\n")
        statuses = {m[1]: exercises.ctest_status(m[2]) for m in CTEST_RESULT.finditer(summary)}
        self.assertEqual(statuses, {"ch05.Pool.Crash": "Exception: Subprocess aborted",
                                    "ch05.Pool.Segv": "Exception: SegFault"})
        self.assertTrue(TestResult("Pool.Crash", False, "", status=statuses["ch05.Pool.Crash"])
                        .crashed)

    def test_an_exercise_is_done_only_when_every_test_passes(self):
        result = ExerciseResult(self.exercises[0], [TestResult("Ex7_1_A.B", True, ""),
                                                    TestResult("Ex7_1_A.C", False, GTEST_FAILURE)])
        self.assertFalse(result.done)
        self.assertFalse(result.untouched)


class OpenStubTests(ChapterTestCase):
    def copy_of_thing(self) -> Path:
        copy = self.root / "copy"
        write_variant(self.chapter, copy, None)
        return copy / "07-thing" / "src" / "thing.cpp"

    def test_the_untouched_copy_has_every_stub(self):
        self.copy_of_thing()
        self.assertEqual(exercises.open_stubs(self.chapter, self.root / "copy" / "07-thing"),
                         ["7.1", "7.2"])

    def test_a_solved_exercise_whose_todo_comment_was_left_is_not_listed(self):
        thing = self.copy_of_thing()
        text = thing.read_text()
        throw = '  throw art::todo_error("exercise 7.1: return one");\n'
        self.assertIn(throw, text)
        thing.write_text(text.replace(throw, "  return 1;  // my solution\n"))
        self.assertIn("// TODO exercise 7.1", thing.read_text())
        self.assertEqual(exercises.open_stubs(self.chapter, self.root / "copy" / "07-thing"),
                         ["7.2"])

    def test_a_stub_reformatted_by_the_student_is_still_a_stub(self):
        thing = self.copy_of_thing()
        text = thing.read_text()
        throw = '  throw art::todo_error("exercise 7.2: return two");\n'
        wrapped = '  throw art::todo_error(\n      "exercise 7.2: "\n      "return two");\n'
        thing.write_text(text.replace(throw, wrapped).replace("// TODO exercise 7.2", "// done?"))
        self.assertEqual(exercises.open_stubs(self.chapter, self.root / "copy" / "07-thing"),
                         ["7.1", "7.2"])

    def test_a_declared_stub_counts_only_while_its_code_is_there(self):
        declared = SOURCE.replace("  // HINT: only one tier\n",
                                  "  // HINT: only one tier\n  // STUB: return 0;  // not two yet\n")
        (self.chapter / "src" / "thing.cpp").write_text(declared)
        thing = self.copy_of_thing()
        self.assertEqual(exercises.open_stubs(self.chapter, self.root / "copy" / "07-thing"),
                         ["7.1", "7.2"])
        thing.write_text(thing.read_text().replace("return 0;  // not two yet", "return 2;"))
        self.assertEqual(exercises.open_stubs(self.chapter, self.root / "copy" / "07-thing"),
                         ["7.1"])


class IntegrityTests(ChapterTestCase):
    def test_each_test_must_fail_on_its_own_stub_alone(self):
        exercise = self.exercises[1]  # 7.2
        fine = [TestResult("Ex7_2_Two.Works", False, todo("7.2"))]
        self.assertEqual(exercises.alone_problems(self.chapter, exercise, fine), [])
        passes = [TestResult("Ex7_2_Two.Works", True, "")]
        self.assertIn("passes with only this stub",
                      exercises.alone_problems(self.chapter, exercise, passes)[0])
        crash = [TestResult("Ex7_2_Two.Works", False, "terminate called recursively",
                            status="Subprocess aborted")]
        self.assertIn("without this stub's TODO",
                      exercises.alone_problems(self.chapter, exercise, crash)[0])
        warnings: list[str] = []
        asserted = [TestResult("Ex7_2_Two.Works", False, GTEST_FAILURE, status="Failed")]
        self.assertEqual(exercises.alone_problems(self.chapter, exercise, asserted, warnings), [])
        self.assertIn("fails by an assertion", warnings[0])
        hangs = [TestResult("Ex7_2_Two.Works", False, "", timed_out=True, status="Timeout")]
        self.assertIn("times out", exercises.alone_problems(self.chapter, exercise, hangs)[0])

    def test_a_stub_that_ends_the_test_program_is_named_though_its_todo_is_printed(self):
        # A TODO stub that throws on a thread the test did not guard: std::terminate
        # prints the message, but the test program ends there. A warning, since a
        # runtime's own worker threads reach stubs where no test can guard them.
        exercise = self.exercises[1]  # 7.2
        crash = [TestResult("Ex7_2_Two.Works", False, "terminate called after throwing\n"
                            + todo("7.2"), status="Exception: Subprocess aborted")]
        warnings: list[str] = []
        self.assertEqual(exercises.alone_problems(self.chapter, exercise, crash, warnings), [])
        self.assertEqual(len(warnings), 1)
        self.assertIn("crashes on this stub", warnings[0])

    def test_with_every_stub_in_place_a_test_may_fail_at_an_earlier_stub(self):
        result = ExerciseResult(self.exercises[1], [TestResult("Ex7_2_Two.Works", False, todo("7.1"))])
        self.assertEqual(exercises.integrity_problems(self.chapter, result), [])
        result = ExerciseResult(self.exercises[1], [TestResult("Ex7_2_Two.Works", True, "")])
        self.assertIn("passes on the stub", exercises.integrity_problems(self.chapter, result)[0])


class HintTests(ChapterTestCase):
    def run_hint(self, exercise_id: str) -> str:
        out = io.StringIO()
        with mock.patch.object(exercises, "find_exercise",
                               lambda i: (self.chapter, next(e for e in self.exercises if e.id == i))):
            with redirect_stdout(out):
                exercises.hint(exercise_id, self.root)
        return out.getvalue()

    def test_each_call_shows_one_more_tier_and_remembers_it(self):
        first = self.run_hint("7.1")
        self.assertIn("the concept and the invariant", first)
        self.assertNotIn("a closer look", first)
        second = self.run_hint("7.1")
        self.assertIn("Hint 2 of 3 (new)", second)
        self.assertNotIn("the shape", second)
        third = self.run_hint("7.1")
        self.assertIn("the shape", third)
        self.assertIn("last hint", third)
        self.assertIn("the shape", self.run_hint("7.1"))  # stays at the last tier
        self.assertEqual(HintState(self.root).seen["7.1"], 3)

    def test_make_check_counts_as_having_shown_the_first_tier(self):
        state = HintState(self.root)
        state.reveal("7.1", 1)
        state.save()
        self.assertIn("Hint 2 of 3 (new)", self.run_hint("7.1"))


class VariantTests(ChapterTestCase):
    def test_only_changed_files_are_rewritten_so_ninja_rebuilds_little(self):
        copy = self.root / "copy"
        self.assertEqual(write_variant(self.chapter, copy, None), 2)
        readme = copy / "07-thing" / "README.md"
        before = readme.stat().st_mtime_ns
        time.sleep(0.01)
        self.assertEqual(write_variant(self.chapter, copy, {"7.1"}), 1)  # only thing.cpp
        self.assertEqual(readme.stat().st_mtime_ns, before)
        text = (copy / "07-thing" / "src" / "thing.cpp").read_text()
        self.assertIn('todo_error("exercise 7.1: return one")', text)
        self.assertIn("return 2;", text)
        self.assertEqual(write_variant(self.chapter, copy, {"7.1"}), 0)

    def test_files_gone_from_the_chapter_are_removed_from_the_copy(self):
        copy = self.root / "copy"
        write_variant(self.chapter, copy, None)
        (self.chapter / "README.md").unlink()
        write_variant(self.chapter, copy, None)
        self.assertFalse((copy / "07-thing" / "README.md").exists())


class DiffTests(unittest.TestCase):
    def test_the_diff_shows_the_new_chapters_exercises_as_stubs(self):
        with tempfile.TemporaryDirectory() as tmp:
            chapters = Path(tmp) / "chapters"
            (chapters / "06-before").mkdir(parents=True)
            (chapters / "07-thing").mkdir()
            (chapters / "06-before" / "thing.cpp").write_text("int old();\n")
            (chapters / "07-thing" / "thing.cpp").write_text(SOURCE)
            with mock.patch.object(exercises, "CHAPTERS", chapters):
                for solutions, present, absent in ((False, "todo_error", "return 1;"),
                                                   (True, "return 1;", "todo_error")):
                    read, write = os.pipe()
                    with os.fdopen(write, "w") as sink, redirect_stderr(io.StringIO()):
                        saved = os.dup(1)
                        os.dup2(sink.fileno(), 1)
                        try:
                            exercises.diff("07", solutions)
                        finally:
                            os.dup2(saved, 1)
                            os.close(saved)
                    with os.fdopen(read) as source:
                        text = source.read()
                    self.assertIn(present, text)
                    self.assertNotIn(absent, text)
                    self.assertNotIn("HINT", text)


if __name__ == "__main__":
    unittest.main()
