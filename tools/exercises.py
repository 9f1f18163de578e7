#!/usr/bin/env python3
"""The students' side of the project: exercise copies, checks and progress.

    exercises.py generate [NN ...]   write exercises/NN-slug from chapters/NN-slug
    exercises.py check NN [--preset P]
                                     build the students' copy of NN with its tests and
                                     demo, run every test, print one row per exercise
                                     with its tests and the chapter's other tests, and
                                     the first hint of the exercise to do next (exit 1
                                     while any test fails); P: default, asan or tsan
    exercises.py hint N.M            the next tier of exercise N.M's hints
    exercises.py progress            one row per chapter: exercises done / total
    exercises.py diff NN [--solutions]
                                     what chapter NN adds to the one before, its
                                     exercise regions stubbed (or solved)
    exercises.py integrity [NN ...]  CI: every stub compiles, every exercise has tests,
                                     every such test fails on the stubs, and on its own
                                     stub alone with its TODO
    exercises.py strip DIR           remove the markers (keep the solutions) in DIR: for a
                                     chapter copied forward from the one before

Markers and stubs are described in exercise_markers.py. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exercise_markers import (  # noqa: E402
    Exercise,
    MarkerError,
    SOURCE_SUFFIXES,
    chapter_exercises,
    parse_regions,
    reached_stubs,
    solution_source,
    source_files,
    stub_source,
    stub_still_in,
    test_exercise_id,
    variant_source,
)

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
MANIFEST_NAME = ".generated.json"  # what `generate` last wrote, by file hash


# --------------------------------------------------------------------------
# Finding chapters


def all_chapters() -> list[Path]:
    return sorted(p for p in CHAPTERS.glob("[0-9][0-9]-*") if p.is_dir())


def find_chapter(number: str) -> Path:
    wanted = f"{int(number):02d}-"
    for chapter in all_chapters():
        if chapter.name.startswith(wanted):
            return chapter
    names = ", ".join(c.name[:2] for c in all_chapters())
    raise SystemExit(f"error: there is no chapter {number}; chapters are {names}")


# --------------------------------------------------------------------------
# generate


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generated_files(chapter: Path) -> dict[str, bytes]:
    """Every file of the students' copy of `chapter`, relative path -> content."""
    files: dict[str, bytes] = {}
    for path in sorted(chapter.rglob("*")):
        if not path.is_file():
            continue
        relative = f"{chapter.name}/{path.relative_to(chapter)}"
        if path.suffix in SOURCE_SUFFIXES:
            files[relative] = stub_source(path, path.read_text()).encode()
        else:
            files[relative] = path.read_bytes()
    return files


def generate(chapters: list[Path], out_dir: Path, quiet: bool = False) -> None:
    """Write the students' copy, never overwriting a file the student changed.

    A file is the student's once its content differs from what we wrote last
    time (recorded in the manifest). Such files are kept and listed; every other
    file is brought up to date with the chapter.
    """
    manifest_path = out_dir / MANIFEST_NAME
    manifest: dict[str, str] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
    kept: list[str] = []
    written = 0
    for chapter in chapters:
        for relative, content in generated_files(chapter).items():
            target = out_dir / relative
            new_hash = sha256(content)
            if target.exists():
                current = sha256(target.read_bytes())
                if current == new_hash:
                    manifest[relative] = new_hash
                    continue
                if manifest.get(relative) != current:
                    kept.append(relative)  # the student's edits: leave them alone
                    continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            manifest[relative] = new_hash
            written += 1
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    if quiet:
        return
    names = ", ".join(c.name for c in chapters)
    print(f"exercises: wrote {written} file(s) for {names} into {display(out_dir)}/")
    for relative in kept:
        print(f"exercises: kept your edits in {display(out_dir)}/{relative} (not overwritten)")


def display(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------
# diff


def diff(number: str, solutions: bool) -> int:
    """What chapter `number` adds to the one before it.

    The chapter's own exercise regions are shown as the students' stubs (or,
    with `solutions`, solved); the chapter before is shown solved, as the new
    chapter carries its solutions as plain code.
    """
    chapter = find_chapter(number)
    chapters = all_chapters()
    index = chapters.index(chapter)
    if index == 0:
        print(f"{chapter.name} is the first chapter; there is nothing before it to compare with.",
              file=sys.stderr)
        return 0
    before = chapters[index - 1]
    if solutions:
        print(f"diff: {chapter.name} with its exercises solved", file=sys.stderr)
    else:
        print(f"diff: {chapter.name}'s exercise regions are shown as the stubs of your copy; "
              f"`make diff CH={number} SOLUTIONS=1` shows them solved", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for source, stubbed in ((before, set()), (chapter, set() if solutions else None)):
            for path in sorted(source.rglob("*")):
                if not path.is_file():
                    continue
                target = Path(tmp) / "chapters" / source.name / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix in SOURCE_SUFFIXES:
                    target.write_text(variant_source(path, path.read_text(), stubbed))
                else:
                    target.write_bytes(path.read_bytes())
                stat = path.stat()  # diff prints the chapter's own file times
                os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        sys.stdout.flush()
        result = subprocess.run(
            ["diff", "-ruN", f"chapters/{before.name}", f"chapters/{chapter.name}"], cwd=tmp
        )
    return 0 if result.returncode in (0, 1) else result.returncode


# --------------------------------------------------------------------------
# Building and running tests

# `make check PRESET=...` -> the CMake preset that builds the students' copy.
EXERCISE_PRESETS = {"default": "exercises", "debug": "exercises",
                    "asan": "exercises-asan", "tsan": "exercises-tsan"}
SANITIZER_ENV = {
    "asan": {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
             "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"},
    "tsan": {"TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1"},
}
# Chapters whose tests a preset cannot run (ThreadSanitizer does not follow
# fiber switches; the tsan test preset skips them too).
UNSUPPORTED = {"tsan": {"06"}}
# A sanitizer's report in a test's output: "WARNING: ThreadSanitizer: data race",
# "ERROR: AddressSanitizer: heap-use-after-free", "runtime error: ..." (UBSan).
SANITIZER_REPORT = re.compile(r"(ThreadSanitizer|AddressSanitizer|LeakSanitizer|"
                              r"UndefinedBehaviorSanitizer): ([a-z][\w -]*?)(?: on| \(|\n|$)")
# Tests a preset skips in a chapter it otherwise runs (a regex on ctest names):
# from chapter 07 on, the fiber suites are named Fiber*, and from chapter 09
# on the schedule explorer's Explore* and the exercises' *Explored tests,
# as in CMakePresets.json.
SKIPPED = {"tsan": r"^ch(0[7-9]|1[0-9])\.(Fiber|Explore|Ex\d+_\d+_\w*Explored)"}
NINJA_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\]\s+(.*)$")
CTEST_RESULT = re.compile(r"Test\s+#\d+:\s+(\S+)\s+\.*\s*(?:\*\*\*)?(Passed|Failed|Timeout|Not Run|"
                          r"Exception:[^\d]*?|[\w ]+\*\*\*Exception:[^\d]*?|\w[\w ]*?)"
                          r"\s+[\d.]+\s+sec")


@dataclass
class TestResult:
    name: str  # without the chNN. prefix
    passed: bool
    output: str
    timed_out: bool = False
    status: str = ""  # what ctest said: Passed, Failed, Timeout, Exception: SegFault ...

    @property
    def crashed(self) -> bool:
        """The test program ended abnormally (a signal, or std::terminate after an
        exception left a thread) instead of reporting a failure."""
        return self.status.startswith("Exception")

    @property
    def stubs(self) -> list[str]:
        """The exercises whose TODO stub made this test fail.

        When the failure itself names a stub (the exception that ended the
        test), that stub is the cause, and only it: a stub met on the way out
        (a destructor that shut an executor down while the exception unwound
        the test) would be met by a passing test too. When the test failed
        by an assertion, the stubs it met before its first failure are the
        cause (it went on past them, and what they skipped is likely what the
        assertion misses); one met after it, by a destructor at the end of
        the test, is not. A test that never reported a failure (a timeout, a
        crash) is blamed on every stub it met."""
        if self.failing_stubs:
            return self.failing_stubs
        lines = self.output.splitlines()
        first_failure = next((i for i, line in enumerate(lines)
                              if line.rstrip().endswith("Failure")), None)
        if first_failure is None:
            return self.met_stubs
        return reached_stubs("\n".join(lines[:first_failure]))

    @property
    def failing_stubs(self) -> list[str]:
        """The stubs named by the test's failures: the exception that ended
        it, an EXPECT_THROW that met a TODO error instead of what it expected,
        or the what() of an exception that ended the test program."""
        return reached_stubs("\n".join(self.failure_lines()))

    def failure_lines(self) -> list[str]:
        """The lines in which GoogleTest or the C++ runtime report an exception:
        "C++ exception with description ... thrown in the test body", an
        EXPECT_THROW's "Actual: it throws ... with description ...", and the
        "what():" of an exception that ended the program."""
        return [line for line in self.output.splitlines()
                if "exception" in line.lower() or "with description" in line
                or line.lstrip().startswith("what():")]

    @property
    def met_stubs(self) -> list[str]:
        """Every stub the test's output names, the failing one first."""
        first = self.failing_stubs
        later = sorted((s for s in reached_stubs(self.output) if s not in first),
                       key=lambda i: tuple(int(x) for x in i.split(".")))
        return first + later

    def assertion(self, limit: int = 6) -> list[str]:
        """The failing assertion's message as GoogleTest printed it."""
        lines = self.output.splitlines()
        for i, line in enumerate(lines):
            if line.rstrip().endswith("Failure"):
                message = [line.strip()]
                for following in lines[i + 1 :]:
                    if not following.strip() or following.startswith("[  "):
                        break
                    message.append(following.rstrip())
                return message[:limit]
        for line in lines:
            if "exception" in line.lower() or "error" in line.lower() or "Assertion" in line:
                return [line.strip()]
        return []


@dataclass
class ExerciseResult:
    exercise: Exercise
    tests: list[TestResult] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.tests) and all(t.passed for t in self.tests)

    @property
    def untouched(self) -> bool:
        """Every failing test still stops at this exercise's TODO stub."""
        failing = [t for t in self.tests if not t.passed]
        return bool(failing) and all(self.exercise.id in t.stubs for t in failing)

    @property
    def waits_for(self) -> list[str]:
        """Other exercises whose stubs this exercise's failing tests reached."""
        found: list[str] = []
        for test in self.tests:
            if not test.passed:
                found += [s for s in test.stubs if s != self.exercise.id and s not in found]
        return found


def run(command: list[str], quiet: bool, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        env={**os.environ, **(env or {})},
    )


def configure(build_dir: Path, exercises_dir: Path, quiet: bool, preset: str = "exercises") -> None:
    if not quiet:
        print(f"check: configuring {display(build_dir)} (preset {preset})", flush=True)
    command = [
        "cmake", "--preset", preset, "-B", str(build_dir),
        f"-DART_EXERCISES_DIR={exercises_dir}",
    ]
    result = run(command, quiet=True)
    if result.returncode != 0:
        print(result.stdout)
        raise SystemExit("error: cmake could not configure the exercise build (see above)")


def build(build_dir: Path, targets: list[str], quiet: bool) -> str | None:
    """Builds `targets`; returns the compiler's output on failure, None on success.

    Unless quiet, Ninja's progress is shown as it goes (a first build of a
    chapter takes a while), and warnings are printed once it is done.
    """
    command = ["cmake", "--build", str(build_dir), "-j2", "--target", *targets]
    process = subprocess.Popen(command, cwd=ROOT, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    captured: list[str] = []
    showing = not quiet
    for line in process.stdout:
        captured.append(line)
        progress = NINJA_PROGRESS.match(line)
        if showing and progress and progress[3].startswith(("Building", "Linking")):
            what = progress[3].split()[-1]
            print(f"build: [{progress[1]}/{progress[2]}] {Path(what).name}", flush=True)
    process.wait()
    output = "".join(captured)
    if process.returncode != 0:
        return output
    if not quiet and "warning:" in output:
        print(output)
    return None


def ctest_status(said: str) -> str:
    """What ctest said, with "Subprocess aborted***Exception:" (a test program
    ended by std::terminate) in the form of "Exception: SegFault"."""
    said = said.strip()
    if said.endswith("***Exception:"):
        return "Exception: " + said.removesuffix("***Exception:").strip()
    return said


def run_tests(build_dir: Path, label: str, name_regex: str | None = None,
              env: dict | None = None, exclude: str | None = None) -> list[TestResult]:
    junit = build_dir / f"results-{label}.xml"
    junit.unlink(missing_ok=True)
    command = ["ctest", "--test-dir", str(build_dir), "-L", f"^{label}$", "-j2",
               "--output-junit", str(junit)]
    if name_regex:
        command += ["-R", name_regex]
    if exclude:
        command += ["-E", exclude]
    summary = run(command, quiet=True, env=env).stdout or ""
    statuses = {m[1]: ctest_status(m[2]) for m in CTEST_RESULT.finditer(summary)}
    if not junit.exists():
        return []
    results: list[TestResult] = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        full_name = case.get("name", "")
        name = full_name.split(".", 1)[1] if full_name.startswith(label + ".") else full_name
        text = "".join(node.text or "" for node in case.iter() if node is not case)
        status = statuses.get(full_name, "Passed" if case.get("status") == "run" else "Failed")
        results.append(TestResult(name, case.get("status") == "run", text,
                                  timed_out=status == "Timeout", status=status))
    return results


def match_results(exercises: list[Exercise], tests: list[TestResult]
                  ) -> tuple[list[ExerciseResult], list[TestResult]]:
    """Each exercise with its tests, and the chapter's other tests."""
    by_id = {e.id: ExerciseResult(e) for e in exercises}
    others: list[TestResult] = []
    for test in tests:
        exercise_id = test_exercise_id(test.name)
        if exercise_id in by_id:
            by_id[exercise_id].tests.append(test)
        else:
            others.append(test)
    return list(by_id.values()), others


def chapter_label(chapter: Path) -> str:
    return "ch" + chapter.name[:2]


def open_stubs(chapter: Path, copy: Path) -> list[str]:
    """Exercises whose stub is still in the student's copy `copy` of `chapter`:
    some region's stub code, as the generator wrote it, is still in the
    copied file (layout aside). A TODO comment left above a solution, or a
    stub the student rewrote, does not count."""
    found: set[str] = set()
    for source in source_files(chapter):
        copied = copy / source.relative_to(chapter)
        if not copied.is_file():
            continue
        text = copied.read_text()
        for region in parse_regions(source, source.read_text()):
            if region.id not in found and stub_still_in(region, text):
                found.add(region.id)
    return sorted(found, key=lambda i: tuple(int(x) for x in i.split(".")))


# --------------------------------------------------------------------------
# check, hint and progress


def check(number: str, preset: str = "default") -> int:
    chapter = find_chapter(number)
    if preset not in EXERCISE_PRESETS:
        raise SystemExit(f"error: PRESET={preset} has no students' build; "
                         f"use one of {', '.join(EXERCISE_PRESETS)}")
    if chapter.name[:2] in UNSUPPORTED.get(preset, set()):
        print(f"check: {chapter.name} cannot run under {preset}: ThreadSanitizer does not follow "
              f"fiber switches (the solutions' tsan run skips it too). Try PRESET=asan.")
        return 2
    exercises_dir = ROOT / "exercises"
    student_copy = exercises_dir / chapter.name
    if not student_copy.exists():
        print(f"check: no students' copy of {chapter.name} yet; generating it first")
        generate([chapter], exercises_dir)
    cmake_preset = EXERCISE_PRESETS[preset]
    build_dir = ROOT / "build" / cmake_preset
    configure(build_dir, exercises_dir, quiet=False, preset=cmake_preset)
    label = chapter_label(chapter)
    demo = f"{label}-demo"
    print(f"check: building {label}-tests and {demo} from exercises/{chapter.name}", flush=True)
    errors = build(build_dir, [f"{label}-tests", demo], quiet=False)
    if errors is not None:
        print(errors)
        print(f"check: exercises/{chapter.name} does not compile yet; fix the errors above.")
        return 2
    print(f"check: running the tests of {chapter.name}", flush=True)
    tests = run_tests(build_dir, label, env=SANITIZER_ENV.get(preset),
                      exclude=SKIPPED.get(preset))
    results, others = match_results(chapter_exercises(chapter), tests)
    state = HintState(exercises_dir)
    print_table(chapter, results, others, open_stubs(chapter, student_copy), state)
    state.save()
    skipped = SKIPPED.get(preset)
    if skipped and re.match(skipped, f"{label}.Fiber"):  # this chapter has skipped suites
        print(f"\nNot run under PRESET={preset}: the Fiber and Explore suites and the "
              "*Explored exercise tests, whose fiber switches ThreadSanitizer cannot "
              "follow (the solutions' tsan run skips them too); PRESET=asan runs them.")
    failing = [r for r in results if not r.done]
    failing_others = [t for t in others if not t.passed]
    done = len(results) - len(failing)
    summary = f"\n{done} of {len(results)} exercises of {chapter.name} done"
    if failing_others:
        summary += f"; {len(failing_others)} of the chapter's other {len(others)} tests fail"
    print(summary + ".")
    demo_path = build_dir / "chapters" / chapter.name / demo
    print(f"Your demo: {display(demo_path)}   (SPDLOG_LEVEL=debug to watch it work)")
    if not failing and not failing_others:
        return 0
    again = f"make check CH={number}" + (f" PRESET={preset}" if preset != "default" else "")
    print(f"Edit the files under exercises/{chapter.name}/ and run `{again}` again.")
    return 1


def print_table(chapter: Path, results: list[ExerciseResult], others: list[TestResult],
                still_stubbed: list[str], state: "HintState") -> None:
    print(f"\nExercises of {chapter.name}\n")
    print(f"{'id':<6} {'status':<7} {'tests':<6} goal")
    print(f"{'-' * 6} {'-' * 7} {'-' * 6} {'-' * 50}")
    indent = " " * 21
    hint_shown = False
    for result in results:
        passed = sum(t.passed for t in result.tests)
        if result.done:
            status = "pass"
        elif result.untouched:
            status = "todo"
        elif result.waits_for and all(
            set(t.stubs) - {result.exercise.id} for t in result.tests if not t.passed
        ):
            status = "waits"
        elif result.exercise.id in still_stubbed:
            status = "todo"  # its stub's code is still there, though no test names it
        else:
            status = "FAIL"
        tests = f"{passed}/{len(result.tests)}"
        print(f"{result.exercise.id:<6} {status:<7} {tests:<6} {result.exercise.goal}")
        if not result.done:
            files = ", ".join(f"exercises/{chapter.name}/{f}" for f in result.exercise.files)
            print(f"{indent}where: {files}")
            if status == "waits":
                print(f"{indent}needs: {', '.join(result.waits_for)} first")
            elif not hint_shown:  # one hint, for the exercise to work on next
                hint = textwrap.wrap(result.exercise.hint, width=72)
                print(f"{indent}hint:  " + f"\n{indent}       ".join(hint))
                more = len(result.exercise.hints) > 1
                print(f"{indent}more:  make hint EX={result.exercise.id}" if more else
                      f"{indent}       (the only hint for {result.exercise.id})")
                state.reveal(result.exercise.id, 1)
                hint_shown = True
        for test in result.tests:
            print_test(test, result.exercise.id, still_stubbed)
    if others:
        passed = sum(t.passed for t in others)
        print(f"\nThe chapter's other tests: {passed}/{len(others)} pass")
        for test in others:
            print_test(test, None, still_stubbed)


def print_test(test: TestResult, exercise_id: str | None, still_stubbed: list[str]) -> None:
    mark = "ok  " if test.passed else "FAIL"
    if test.passed:
        print(f"    {mark} {test.name}")
        return
    print(f"    {mark} {test.name}  ({failure_reason(test, exercise_id, still_stubbed)})")
    if not test.stubs:
        for line in test.assertion():
            print(f"           {line[:110]}")


def failure_reason(test: TestResult, exercise_id: str | None, still_stubbed: list[str]) -> str:
    stubs = test.stubs
    if test.timed_out:
        if stubs:
            return f"TIMEOUT after it reached the stub of {', '.join(stubs)}"
        if still_stubbed:
            return (f"TIMEOUT: it reached no stub that says so; a lost wake-up, or a stub "
                    f"whose error was swallowed? stubs still in your copy: {', '.join(still_stubbed)}")
        return "TIMEOUT: a lost wake-up or a loop that never ends?"
    if exercise_id in stubs:
        return "stub not written yet"
    if stubs:
        return f"needs {', '.join(stubs)} first: it reached that stub"
    sanitizer = SANITIZER_REPORT.search(test.output)
    if sanitizer:
        return f"{sanitizer.group(1)}: {sanitizer.group(2)} (its report is in the test's output)"
    if test.status and test.status not in ("Failed", "Passed"):
        return f"{test.status.lower()}: run it alone to see where"
    if test.assertion():
        return "assertion failed" + still_there(exercise_id, still_stubbed)
    return f"failed: run ctest --test-dir build/exercises -R '{test.name}$' -V to see its output"


def still_there(exercise_id: str | None, still_stubbed: list[str]) -> str:
    """For a test that failed without naming a stub (a stub that does not
    throw, such as chapter 08's): which stubs are still in the copy."""
    if exercise_id in still_stubbed:
        return ": its stub is still in your copy"
    if still_stubbed:
        return f" (stubs still in your copy: {', '.join(still_stubbed)})"
    return ""


class HintState:
    """Which hint tier of each exercise a student has seen (exercises/.hints.json)."""

    def __init__(self, exercises_dir: Path):
        self.path = exercises_dir / ".hints.json"
        self.seen: dict[str, int] = {}
        if self.path.exists():
            try:
                self.seen = {k: int(v) for k, v in json.loads(self.path.read_text()).items()}
            except (ValueError, AttributeError):
                self.seen = {}

    def reveal(self, exercise_id: str, tier: int) -> None:
        self.seen[exercise_id] = max(self.seen.get(exercise_id, 0), tier)

    def save(self) -> None:
        if self.path.parent.exists():
            self.path.write_text(json.dumps(self.seen, indent=1, sort_keys=True) + "\n")


def find_exercise(exercise_id: str) -> tuple[Path, Exercise]:
    if not re.fullmatch(r"\d+\.\d+", exercise_id):
        raise SystemExit(f"error: EX={exercise_id} is not an exercise id; write it like EX=4.3")
    chapter = find_chapter(exercise_id.split(".")[0])
    for exercise in chapter_exercises(chapter):
        if exercise.id == exercise_id:
            return chapter, exercise
    ids = ", ".join(e.id for e in chapter_exercises(chapter))
    raise SystemExit(f"error: {chapter.name} has no exercise {exercise_id}; it has {ids}")


def hint(exercise_id: str, exercises_dir: Path | None = None) -> int:
    """Shows the next tier of an exercise's hints, with the tiers before it."""
    _, exercise = find_exercise(exercise_id)
    exercises_dir = exercises_dir or ROOT / "exercises"
    state = HintState(exercises_dir)
    tiers = exercise.hints
    shown = min(state.seen.get(exercise.id, 0) + 1, len(tiers))
    print(f"Exercise {exercise.id}: {exercise.goal}\n")
    for tier in range(1, shown + 1):
        label = f"Hint {tier} of {len(tiers)}"
        text = textwrap.wrap(tiers[tier - 1], width=76)
        print(f"{label}{' (new)' if tier == shown and state.seen.get(exercise.id, 0) < tier else ''}:")
        print("  " + "\n  ".join(text) + "\n")
    if shown < len(tiers):
        print(f"`make hint EX={exercise.id}` again for hint {shown + 1}.")
    else:
        print(f"That is the last hint for {exercise.id}; the tests in `make check` say what is left.")
    state.reveal(exercise.id, shown)
    state.save()
    return 0


def progress() -> int:
    exercises_dir = ROOT / "exercises"
    build_dir = ROOT / "build" / "exercises"
    configured = False
    print(f"{'chapter':<32} {'done':>9}")
    for chapter in all_chapters():
        exercises = chapter_exercises(chapter)
        if not exercises:
            continue
        if not (exercises_dir / chapter.name).exists():
            print(f"{chapter.name:<32} {'-':>4} / {len(exercises):<3} (run `make exercises`)")
            continue
        if not configured:
            configure(build_dir, exercises_dir, quiet=True)
            configured = True
        label = chapter_label(chapter)
        if build(build_dir, [f"{label}-tests"], quiet=True) is not None:
            print(f"{chapter.name:<32} {0:>4} / {len(exercises):<3} (does not compile yet)")
            continue
        results, others = match_results(exercises, run_tests(build_dir, label))
        done = sum(r.done for r in results)
        failing = sum(not t.passed for t in others)
        note = f" ({failing} other test(s) fail)" if failing else ""
        print(f"{chapter.name:<32} {done:>4} / {len(exercises):<3}{note}")
    return 0


# --------------------------------------------------------------------------
# integrity (CI)


def write_variant(chapter: Path, copy: Path, stubbed: set[str] | None) -> int:
    """Writes one variant of a chapter into `copy`, touching only files that change,
    so that Ninja rebuilds only what the variant changes. Returns files written."""
    written = 0
    wanted = {copy / chapter.name / p.relative_to(chapter) for p in chapter.rglob("*") if p.is_file()}
    for stale in (copy / chapter.name).rglob("*") if (copy / chapter.name).exists() else []:
        if stale.is_file() and stale not in wanted:
            stale.unlink()  # gone from the chapter
    for path in sorted(chapter.rglob("*")):
        if not path.is_file():
            continue
        target = copy / chapter.name / path.relative_to(chapter)
        if path.suffix in SOURCE_SUFFIXES:
            content = variant_source(path, path.read_text(), stubbed).encode()
        else:
            content = path.read_bytes()
        if target.exists() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    return written


def integrity(numbers: list[str] | None = None) -> int:
    """Proves the exercise system works on a fresh copy of every chapter.

    For each chapter: the students' copy (every stub in place) compiles and
    every exercise test fails on it; then each exercise alone (only its own
    stub, every other region solved) makes each of its tests fail with its own
    TODO. All variants are built in one build directory, so each rebuilds only
    the files it changes.
    """
    started = time.monotonic()
    work = ROOT / "build" / "integrity"
    copy = work / "exercises"
    chapters = [find_chapter(n) for n in numbers] if numbers else all_chapters()
    chapters = [c for c in chapters if chapter_exercises(c)]
    copy.mkdir(parents=True, exist_ok=True)
    current = {c.name for c in all_chapters()}
    for stale in copy.iterdir():
        if stale.is_dir() and stale.name not in current:
            shutil.rmtree(stale)  # a chapter renamed or removed since the last run
    for chapter in chapters:
        write_variant(chapter, copy, None)
    build_dir = work / "build"
    configure(build_dir, copy, quiet=True)
    problems: list[str] = []
    warnings: list[str] = []
    for chapter in chapters:
        problems += integrity_of_chapter(chapter, copy, build_dir, warnings)
    for warning in warnings:
        print(f"integrity: warning: {warning}")
    for problem in problems:
        print(f"integrity: FAIL {problem}")
    elapsed = time.monotonic() - started
    if problems:
        print(f"integrity: {len(problems)} problem(s) in {elapsed:.0f} s")
        return 1
    print(f"integrity: all {len(chapters)} chapter(s) fine in {elapsed:.0f} s")
    return 0


def integrity_of_chapter(chapter: Path, copy: Path, build_dir: Path, warnings: list[str]) -> list[str]:
    label = chapter_label(chapter)
    exercises = chapter_exercises(chapter)
    known = {e.id for e in exercises}
    for exercise in exercises:
        if len(exercise.hints) < 2:
            warnings.append(f"{chapter.name}: exercise {exercise.id} has {len(exercise.hints)} "
                            "hint tier; give it a `// HINT 2:` (make hint shows it)")
    # 1. The students' copy: every stub in place.
    write_variant(chapter, copy, None)
    errors = build(build_dir, [f"{label}-tests", f"{label}-demo"], quiet=True)
    if errors is not None:
        print(errors)
        return [f"{chapter.name}: the students' copy does not compile"]
    problems: list[str] = []
    tests = run_tests(build_dir, label)
    for test in tests:
        exercise_id = test_exercise_id(test.name)
        if exercise_id is not None and exercise_id not in known:
            problems.append(f"{chapter.name}: test {test.name} names no exercise {exercise_id}")
        if test.timed_out:
            warnings.append(f"{chapter.name}: {test.name} times out on the students' copy "
                            "instead of failing at a stub")
        if test.crashed:  # a warning: a runtime's own threads can reach a stub too
            warnings.append(f"{chapter.name}: {test.name} crashes on the students' copy "
                            f"({test.status}) instead of failing: a stub that throws on "
                            "a thread the test does not guard?")
    results, _ = match_results(exercises, tests)
    for result in results:
        problems += integrity_problems(chapter, result)
    # 2. Each exercise alone: its own stub in place, every other region solved.
    for exercise in exercises:
        write_variant(chapter, copy, {exercise.id})
        errors = build(build_dir, [f"{label}-tests"], quiet=True)
        if errors is not None:
            print(errors)
            problems.append(f"{chapter.name}: with only the stub of {exercise.id}, "
                            "the copy does not compile")
            continue
        prefix = "Ex" + exercise.id.replace(".", "_") + "_"
        alone = run_tests(build_dir, label, name_regex=rf"^{label}\.{prefix}")
        problems += alone_problems(chapter, exercise, alone, warnings)
    write_variant(chapter, copy, None)  # leave the students' copy as it was
    checked = sum(len(r.tests) for r in results)
    print(f"integrity: {chapter.name}: {len(exercises)} exercises, {checked} exercise tests, "
          f"each exercise also alone", flush=True)
    return problems


def integrity_problems(chapter: Path, result: ExerciseResult) -> list[str]:
    exercise = result.exercise
    where = f"{chapter.name}: exercise {exercise.id}"
    if not result.tests:
        return [f"{where} has no test (name one Ex{exercise.id.replace('.', '_')}_...)"]
    problems = []
    for test in result.tests:
        if test.passed:
            problems.append(f"{where}: {test.name} passes on the stub")
        elif test.timed_out:
            problems.append(f"{where}: {test.name} times out on the stubs instead of failing")
        elif not exercise.declared_stub and not test.met_stubs:  # reached one, whenever
            problems.append(
                f"{where}: {test.name} fails without a TODO message (crash or hang?)"
            )
    return problems


def alone_problems(chapter: Path, exercise: Exercise, tests: list[TestResult],
                   warnings: list[str] | None = None) -> list[str]:
    """A test of the exercise that passes, hangs, or fails without the TODO message
    of its stub alone is a problem. Warnings: one that fails by an assertion
    without that message (the student sees the assertion but not which stub it
    met), and one whose program ends at the stub (std::terminate: the message is
    printed, and the test program ends there)."""
    where = f"{chapter.name}: exercise {exercise.id} alone"
    problems = []
    for test in tests:
        if test.crashed and warnings is not None:
            warnings.append(f"{where}: {test.name} crashes on this stub ({test.status}) "
                            "instead of failing: a stub that throws on a thread the test "
                            "does not guard?")
        if test.passed:
            problems.append(f"{where}: {test.name} passes with only this stub in place")
        elif test.timed_out:
            problems.append(f"{where}: {test.name} times out on this stub instead of failing")
        elif exercise.declared_stub or exercise.id in test.met_stubs:
            continue
        elif test.status == "Failed" and test.assertion():
            if warnings is not None:
                warnings.append(f"{where}: {test.name} fails by an assertion without naming "
                                "the stub (the TODO error was caught on the way)")
        else:
            problems.append(f"{where}: {test.name} fails without this stub's TODO message "
                            f"({test.status or 'crash'}: a stub that throws on another thread?)")
    return problems


# --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write exercises/ from chapters/")
    gen.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    chk = sub.add_parser("check", help="build and test the students' copy of one chapter")
    chk.add_argument("chapter", help="chapter number, e.g. 01")
    chk.add_argument("--preset", default="default", help="default, asan or tsan")
    hnt = sub.add_parser("hint", help="the next hint tier of one exercise")
    hnt.add_argument("exercise", help="exercise id, e.g. 4.3")
    sub.add_parser("progress", help="exercises done per chapter")
    dif = sub.add_parser("diff", help="what a chapter adds to the one before")
    dif.add_argument("chapter", help="chapter number, e.g. 04")
    dif.add_argument("--solutions", action="store_true", help="show the exercises solved")
    itg = sub.add_parser("integrity", help="CI check of the chapters' exercises")
    itg.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    strip = sub.add_parser("strip", help="remove exercise markers, keeping the solutions")
    strip.add_argument("directory")
    args = parser.parse_args()
    if args.command == "strip":  # a relative DIR means relative to where the user stands
        args.directory = Path(args.directory).resolve()
    os.chdir(ROOT)
    try:
        if args.command == "generate":
            chapters = [find_chapter(n) for n in args.chapters] or all_chapters()
            for chapter in chapters:
                chapter_exercises(chapter)  # validates the markers before writing
            generate(chapters, ROOT / "exercises")
            return 0
        if args.command == "check":
            return check(args.chapter, args.preset)
        if args.command == "hint":
            return hint(args.exercise)
        if args.command == "diff":
            return diff(args.chapter, args.solutions)
        if args.command == "progress":
            return progress()
        if args.command == "strip":
            for path in source_files(args.directory):
                text = path.read_text()
                stripped = solution_source(path, text)
                if stripped != text:
                    path.write_text(stripped)
                    print(f"strip: {display(path)}")
            return 0
        return integrity(args.chapters)
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
