#!/usr/bin/env python3
"""The students' side of the project: exercise copies, checks and progress.

    exercises.py generate [NN ...]   write exercises/NN-slug from chapters/NN-slug
    exercises.py check NN            build the students' copy of NN, run its tests,
                                     print one row per exercise (exit 1 while any fails)
    exercises.py progress            one row per chapter: exercises done / total
    exercises.py integrity           CI: every stub compiles, every exercise has tests,
                                     and every such test fails on the stub with its TODO
    exercises.py strip DIR           remove the markers (keep the solutions) in DIR: for a
                                     chapter copied forward from the one before

Markers and stubs are described in exercise_markers.py. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exercise_markers import (  # noqa: E402
    Exercise,
    MarkerError,
    SOURCE_SUFFIXES,
    chapter_exercises,
    solution_source,
    source_files,
    stub_source,
    test_exercise_id,
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
# Building and running tests


@dataclass
class TestResult:
    name: str  # without the chNN. prefix
    passed: bool
    output: str


@dataclass
class ExerciseResult:
    exercise: Exercise
    tests: list[TestResult] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.tests) and all(t.passed for t in self.tests)

    @property
    def untouched(self) -> bool:
        """Every failing test still stops at a TODO stub."""
        failing = [t for t in self.tests if not t.passed]
        return bool(failing) and all("TODO exercise" in t.output for t in failing)


def run(command: list[str], quiet: bool) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )


def configure(build_dir: Path, exercises_dir: Path, quiet: bool) -> None:
    command = [
        "cmake", "--preset", "exercises", "-B", str(build_dir),
        f"-DART_EXERCISES_DIR={exercises_dir}",
    ]
    result = run(command, quiet=True)
    if result.returncode != 0:
        print(result.stdout)
        raise SystemExit("error: cmake could not configure the exercise build (see above)")


def build(build_dir: Path, targets: list[str], quiet: bool) -> str | None:
    """Builds `targets`; returns the compiler's output on failure, None on success."""
    command = ["cmake", "--build", str(build_dir), "-j2", "--target", *targets]
    result = run(command, quiet=True)
    if result.returncode != 0:
        return result.stdout
    if not quiet and "warning:" in result.stdout:
        print(result.stdout)
    return None


def run_tests(build_dir: Path, label: str) -> list[TestResult]:
    junit = build_dir / f"results-{label}.xml"
    junit.unlink(missing_ok=True)
    run(
        ["ctest", "--test-dir", str(build_dir), "-L", f"^{label}$", "-j2",
         "--output-junit", str(junit)],
        quiet=True,
    )
    if not junit.exists():
        return []
    results: list[TestResult] = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        name = name.split(".", 1)[1] if name.startswith(label + ".") else name
        text = "".join(node.text or "" for node in case.iter() if node is not case)
        for node in case.iter():
            text += " ".join(f"{k}={v}" for k, v in node.attrib.items() if k == "message")
        results.append(TestResult(name, case.get("status") == "run", text))
    return results


def match_results(exercises: list[Exercise], tests: list[TestResult]) -> list[ExerciseResult]:
    by_id = {e.id: ExerciseResult(e) for e in exercises}
    for test in tests:
        exercise_id = test_exercise_id(test.name)
        if exercise_id in by_id:
            by_id[exercise_id].tests.append(test)
    return list(by_id.values())


def chapter_label(chapter: Path) -> str:
    return "ch" + chapter.name[:2]


# --------------------------------------------------------------------------
# check and progress


def check(number: str) -> int:
    chapter = find_chapter(number)
    exercises_dir = ROOT / "exercises"
    student_copy = exercises_dir / chapter.name
    if not student_copy.exists():
        print(f"check: no students' copy of {chapter.name} yet; generating it first")
        generate([chapter], exercises_dir)
    build_dir = ROOT / "build" / "exercises"
    configure(build_dir, exercises_dir, quiet=True)
    label = chapter_label(chapter)
    errors = build(build_dir, [f"{label}-tests"], quiet=False)
    if errors is not None:
        print(errors)
        print(f"check: exercises/{chapter.name} does not compile yet; fix the errors above.")
        return 2
    results = match_results(chapter_exercises(chapter), run_tests(build_dir, label))
    print_table(chapter, results)
    failing = [r for r in results if not r.done]
    done = len(results) - len(failing)
    print(f"\n{done} of {len(results)} exercises of {chapter.name} done.")
    if not failing:
        return 0
    print(f"Edit the files under exercises/{chapter.name}/ and run `make check CH={number}` again.")
    return 1


def print_table(chapter: Path, results: list[ExerciseResult]) -> None:
    print(f"\nExercises of {chapter.name}\n")
    print(f"{'id':<6} {'status':<6} {'tests':<6} goal")
    print(f"{'-' * 6} {'-' * 6} {'-' * 6} {'-' * 50}")
    indent = " " * 21
    for result in results:
        passed = sum(t.passed for t in result.tests)
        if result.done:
            status = "pass"
        elif result.untouched:
            status = "todo"
        else:
            status = "FAIL"
        tests = f"{passed}/{len(result.tests)}"
        print(f"{result.exercise.id:<6} {status:<6} {tests:<6} {result.exercise.goal}")
        if result.done:
            continue
        files = ", ".join(f"exercises/{chapter.name}/{f}" for f in result.exercise.files)
        print(f"{indent}where: {files}")
        hint = textwrap.wrap(result.exercise.hint, width=72)
        print(f"{indent}hint:  " + f"\n{indent}       ".join(hint))
        for test in result.tests:
            if not test.passed:
                print(f"{indent}test:  {test.name}  {failure_reason(test)}")


def failure_reason(test: TestResult) -> str:
    if "TODO exercise" in test.output:
        return "(stub not written yet)"
    if "Timeout" in test.output:
        return "(timed out: a lost wake-up or a loop that never ends?)"
    for line in test.output.splitlines():
        if "Failure" in line or "Expected" in line or "exception" in line:
            return f"({line.strip()[:90]})"
    return "(failed: run ctest --test-dir build/exercises -R " + test.name + " -V)"


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
        results = match_results(exercises, run_tests(build_dir, label))
        done = sum(r.done for r in results)
        print(f"{chapter.name:<32} {done:>4} / {len(exercises):<3}")
    return 0


# --------------------------------------------------------------------------
# integrity (CI)


def integrity() -> int:
    """Proves the exercise system works on a fresh copy of every chapter."""
    work = ROOT / "build" / "integrity"
    copy = work / "exercises"
    shutil.rmtree(copy, ignore_errors=True)
    chapters = [c for c in all_chapters() if chapter_exercises(c)]
    generate(chapters, copy, quiet=True)
    build_dir = work / "build"
    configure(build_dir, copy, quiet=True)
    problems: list[str] = []
    for chapter in chapters:
        label = chapter_label(chapter)
        errors = build(build_dir, [f"{label}-tests"], quiet=True)
        if errors is not None:
            print(errors)
            problems.append(f"{chapter.name}: the students' copy does not compile")
            continue
        exercises = chapter_exercises(chapter)
        tests = run_tests(build_dir, label)
        known = {e.id for e in exercises}
        for test in tests:
            exercise_id = test_exercise_id(test.name)
            if exercise_id is not None and exercise_id not in known:
                problems.append(f"{chapter.name}: test {test.name} names no exercise {exercise_id}")
        for result in match_results(exercises, tests):
            problems += integrity_problems(chapter, result)
        print(f"integrity: {chapter.name}: {len(exercises)} exercises, "
              f"{sum(len(r.tests) for r in match_results(exercises, tests))} exercise tests checked")
    for problem in problems:
        print(f"integrity: FAIL {problem}")
    if problems:
        return 1
    print(f"integrity: all {len(chapters)} chapter(s) fine")
    return 0


def integrity_problems(chapter: Path, result: ExerciseResult) -> list[str]:
    exercise = result.exercise
    where = f"{chapter.name}: exercise {exercise.id}"
    if not result.tests:
        return [f"{where} has no test (name one Ex{exercise.id.replace('.', '_')}_...)"]
    problems = []
    for test in result.tests:
        if test.passed:
            problems.append(f"{where}: {test.name} passes on the stub")
        elif not exercise.declared_stub and "TODO exercise" not in test.output:
            problems.append(
                f"{where}: {test.name} fails without a TODO message (crash or hang?)"
            )
    return problems


# --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write exercises/ from chapters/")
    gen.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    chk = sub.add_parser("check", help="build and test the students' copy of one chapter")
    chk.add_argument("chapter", help="chapter number, e.g. 01")
    sub.add_parser("progress", help="exercises done per chapter")
    sub.add_parser("integrity", help="CI check of every chapter's exercises")
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
            return check(args.chapter)
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
        return integrity()
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
