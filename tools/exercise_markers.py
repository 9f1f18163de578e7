"""Exercise markers: how a solution says which of its lines are an exercise.

A chapter's source is the solution. An exercise region sits inside a function
body and is framed by comments, so a reader of the solution barely notices it:

    // EXERCISE 1.2: answer Pending `remaining_` times, then Ready
    // HINT: the concept and the invariant to keep (tier 1) ...
    // ... any hint may go on over several comment lines
    // HINT 2: a more detailed hint (tier 2)
    // HINT 3: the shape of a solution, never its code (tier 3)
    <the solution lines>
    // END EXERCISE

Hints come in tiers. `make check` prints tier 1 (`// HINT:` or `// HINT 1:`);
`make hint EX=1.2` prints the next tier each time it is asked. Tiers are
numbered in order without gaps; every exercise should have at least two.
The students' copy never contains a hint: its stub names the goal and
`make hint`.

Optional `// STUB: <code>` lines (after the hints) give the code that replaces
the region instead of the default, which is

    throw art::todo_error("exercise 1.2: <goal>");

A declared stub is for regions where throwing is impossible (a noexcept
function, a destructor, a thread's body); it can still name itself with
art::todo_report("exercise 1.2: <goal>"), which prints the TODO message. Several regions may share one id.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>\s*)// EXERCISE (?P<id>\d+\.\d+): (?P<goal>.+?)\s*$")
HINT = re.compile(r"^\s*// HINT(?: (?P<tier>[1-9]))?: (?P<text>.*?)\s*$")
STUB = re.compile(r"^\s*// STUB: (?P<code>.*?)\s*$")
COMMENT = re.compile(r"^\s*// ?(?P<text>.*?)\s*$")
END = re.compile(r"^\s*// END EXERCISE\s*$")
INCLUDE = re.compile(r"^\s*#\s*include\s")
TODO_INCLUDE = '#include "art/todo.hpp"'

SOURCE_SUFFIXES = {".hpp", ".cpp", ".h", ".cc", ".ipp"}


class MarkerError(Exception):
    """A marker that the generator cannot understand; says file and line."""


@dataclasses.dataclass
class Region:
    id: str
    goal: str
    hints: list[str]  # tier 1 first
    stub: list[str]  # declared replacement lines, or empty for the default
    indent: str
    path: Path
    first_line: int  # 1-based line of the EXERCISE comment
    last_line: int  # 1-based line of the END EXERCISE comment
    body_line: int  # 1-based line of the first solution line (after hints and stubs)

    @property
    def hint(self) -> str:
        return self.hints[0]


@dataclasses.dataclass
class Exercise:
    """All regions that share one id, as students and tables see them."""

    id: str
    goal: str
    hints: list[str]  # tier 1 first
    files: list[str]
    declared_stub: bool

    @property
    def hint(self) -> str:
        return self.hints[0]

    @property
    def sort_key(self) -> tuple[int, int]:
        major, minor = self.id.split(".")
        return int(major), int(minor)


def parse_regions(path: Path, text: str) -> list[Region]:
    lines = text.splitlines()
    regions: list[Region] = []
    i = 0
    while i < len(lines):
        begin = BEGIN.match(lines[i])
        if not begin:
            if END.match(lines[i]):
                raise MarkerError(f"{path}:{i + 1}: END EXERCISE without an EXERCISE before it")
            i += 1
            continue
        first = i
        hint_parts: list[list[str]] = []
        stub: list[str] = []
        i += 1
        in_hint = False
        while i < len(lines):
            line = lines[i]
            if m := HINT.match(line):
                tier = int(m["tier"] or 1)
                if tier != len(hint_parts) + 1:
                    raise MarkerError(
                        f"{path}:{i + 1}: exercise {begin['id']}: HINT {tier} follows "
                        f"{len(hint_parts)} tier(s); number the tiers 1, 2, 3 in order"
                    )
                hint_parts.append([m["text"]])
                in_hint = True
            elif m := STUB.match(line):
                stub.append(m["code"])
                in_hint = False
            elif in_hint and (m := COMMENT.match(line)) and not END.match(line):
                hint_parts[-1].append(m["text"])
            else:
                break
            i += 1
        if not hint_parts:
            raise MarkerError(f"{path}:{first + 1}: exercise {begin['id']} has no '// HINT:' line")
        body = i
        while i < len(lines) and not END.match(lines[i]):
            if BEGIN.match(lines[i]):
                raise MarkerError(f"{path}:{i + 1}: an EXERCISE inside exercise {begin['id']}")
            i += 1
        if i == len(lines):
            raise MarkerError(f"{path}:{first + 1}: exercise {begin['id']} has no '// END EXERCISE'")
        regions.append(
            Region(
                id=begin["id"],
                goal=begin["goal"],
                hints=[" ".join(part) for part in hint_parts],
                stub=stub,
                indent=begin["indent"],
                path=path,
                first_line=first + 1,
                last_line=i + 1,
                body_line=body + 1,
            )
        )
        i += 1
    return regions


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stub_lines(region: Region) -> list[str]:
    """What a region becomes in the students' copy: the goal, never a hint."""
    out = [f"{region.indent}// TODO exercise {region.id}: {region.goal}"]
    out.append(f"{region.indent}// Stuck? `make hint EX={region.id}` gives a hint, one tier at a time.")
    return out + stub_code(region)


def stub_code(region: Region) -> list[str]:
    """The code lines of a region's stub (its declared stub, or the throw)."""
    if region.stub:
        return [region.indent + code for code in region.stub]
    message = c_string(f"exercise {region.id}: {region.goal}")
    return [f"{region.indent}throw art::todo_error({message});"]


def _squeezed(text: str) -> str:
    """Source text with every blank and every join of adjacent string
    literals removed: what stays the same when a formatter re-indents,
    re-wraps, or splits a long string literal in two."""
    return re.sub(r"\s+", "", text).replace('""', "")


def stub_still_in(region: Region, text: str) -> bool:
    """Whether `text` (a student's copy of the region's file) still holds the
    region's stub code as the generator wrote it, layout aside. The TODO
    comment above it does not count: a student who solved the exercise may
    well have left it there."""
    return _squeezed("\n".join(stub_code(region))) in _squeezed(text)


def variant_source(path: Path, text: str, stubbed: set[str] | None = None) -> str:
    """One source file with the regions of `stubbed` ids as stubs (None: all of
    them) and every other region solved, its markers removed."""
    regions = parse_regions(path, text)
    if not regions:
        return text
    lines = text.splitlines()
    out: list[str] = []
    cursor = 0
    needs_todo = False  # a stub that throws art::todo_error or calls art::todo_report
    for region in regions:
        out += lines[cursor : region.first_line - 1]
        if stubbed is None or region.id in stubbed:
            out += stub_lines(region)
            needs_todo = needs_todo or not region.stub or any("art::todo_" in code
                                                              for code in region.stub)
        else:
            out += lines[region.body_line - 1 : region.last_line - 1]
        cursor = region.last_line
    out += lines[cursor:]
    if needs_todo and not any(line.strip() == TODO_INCLUDE for line in out):
        out = add_todo_include(out)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def stub_source(path: Path, text: str) -> str:
    """The students' version of one source file (unchanged if it has no regions)."""
    return variant_source(path, text, None)


def solution_source(path: Path, text: str) -> str:
    """The file with its markers removed and its solutions kept.

    A chapter copied forward keeps the earlier chapter's solutions as plain
    code; only the new chapter's own exercises are marked.
    """
    return variant_source(path, text, set())


def add_todo_include(lines: list[str]) -> list[str]:
    includes = [index for index, line in enumerate(lines) if INCLUDE.match(line)]
    if includes:
        last = includes[-1]
        return lines[: last + 1] + [TODO_INCLUDE] + lines[last + 1 :]
    for index, line in enumerate(lines):
        if line.strip() == "#pragma once":
            return lines[: index + 1] + ["", TODO_INCLUDE] + lines[index + 1 :]
    return [TODO_INCLUDE] + lines


def chapter_number(chapter_dir: Path) -> int:
    return int(chapter_dir.name.split("-", 1)[0])


def source_files(chapter_dir: Path) -> list[Path]:
    return sorted(p for p in chapter_dir.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)


def chapter_exercises(chapter_dir: Path) -> list[Exercise]:
    """The exercises of one chapter, checked for consistency, in id order."""
    number = chapter_number(chapter_dir)
    by_id: dict[str, Exercise] = {}
    for path in source_files(chapter_dir):
        for region in parse_regions(path, path.read_text()):
            if int(region.id.split(".")[0]) != number:
                raise MarkerError(
                    f"{path}:{region.first_line}: exercise {region.id} is in chapter {number:02d}"
                )
            relative = str(path.relative_to(chapter_dir))
            known = by_id.get(region.id)
            if known is None:
                by_id[region.id] = Exercise(
                    region.id, region.goal, list(region.hints), [relative], bool(region.stub)
                )
            else:
                if relative not in known.files:
                    known.files.append(relative)
                if len(region.hints) > len(known.hints):
                    known.hints = list(region.hints)
                known.declared_stub = known.declared_stub or bool(region.stub)
    return sorted(by_id.values(), key=lambda e: e.sort_key)


TODO_MESSAGE = re.compile(r"TODO exercise (\d+\.\d+)\b")


def reached_stubs(output: str) -> list[str]:
    """Exercise ids whose TODO stub a test's output names, in order of appearance."""
    found: list[str] = []
    for m in TODO_MESSAGE.finditer(output):
        if m[1] not in found:
            found.append(m[1])
    return found


def test_exercise_id(test_name: str) -> str | None:
    """'ch01.Ex1_2_Countdown.Ready' -> '1.2'; None for tests of no exercise."""
    m = re.search(r"(?:^|\.)Ex(\d+)_(\d+)_", test_name)
    return f"{int(m[1])}.{int(m[2])}" if m else None
