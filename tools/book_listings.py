#!/usr/bin/env python3
"""The book's listings: included from the code, captioned, and clean.

As an mdBook preprocessor (book.toml runs it before mdBook's own `links`) it
replaces every `{{#include FILE:ANCHOR}}` inside a fenced code block with the
listing itself and puts a caption above the block that names the file and
the anchor, for example

    chapters/04-executor/src/executor_core.cpp · poll_task

The listing is what a reader should see of the code:
  * exercise markers are gone (`// EXERCISE`, `// HINT`, `// STUB`,
    `// END EXERCISE`), the solution stays;
  * lint suppressions are gone (`// NOLINT(...)`, `// NOLINTNEXTLINE(...)`,
    `// NOLINTBEGIN/END`); a reason written after one stays as a comment;
  * ANCHOR lines of other listings inside the range are gone;
  * the common indentation is removed.

The book check (book_check.py) uses the same functions, so the width it
measures is the width a reader sees. Includes outside a code block are left
to mdBook. Standard library only.

    book_listings.py supports RENDERER   (mdBook asks; every renderer is fine)
    book_listings.py < [context, book]   (mdBook's preprocessor protocol)
    book_listings.py show FILE[:ANCHOR]  print one listing as the book shows it
"""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from exercise_markers import MarkerError, solution_source  # noqa: E402

INCLUDE_LINE = re.compile(r"^\{\{#include\s+([^}\s]+)\s*\}\}\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
ANCHOR = re.compile(r"\bANCHOR(?:_END)?:\s*([\w-]+)")
# A whole line that only suppresses lint: `// NOLINTNEXTLINE(check): reason`.
LINT_LINE = re.compile(r"^(?P<indent>\s*)//\s*NOLINT(?:NEXTLINE|BEGIN|END)?\b(?:\([^)]*\))?:?\s*(?P<reason>.*)$")
# A suppression at the end of a code line: `code;  // NOLINT(check): reason`.
LINT_TAIL = re.compile(r"\s*//\s*NOLINT(?:NEXTLINE)?\b(?:\([^)]*\))?:?\s*(?P<reason>.*)$")
# What must never reach a rendered listing (the book check looks for it).
LEFTOVER = re.compile(r"(?://|/\*).*\b(?:EXERCISE|HINT(?: \d)?:|STUB:|NOLINT\w*|ANCHOR(?:_END)?:)")
CAPTION_CLASS = "listing-caption"


class ListingError(Exception):
    """An include that names a missing file or anchor."""


@dataclass
class Listing:
    path: Path  # the included file
    anchor: str | None
    lines: list[str]

    def caption(self, root: Path) -> str:
        try:
            shown = self.path.resolve().relative_to(root.resolve())
        except ValueError:
            shown = self.path
        return f"{shown} · {self.anchor}" if self.anchor else str(shown)


def split_target(target: str) -> tuple[str, str | None]:
    path, _, anchor = target.partition(":")
    return path, anchor or None


def without_lint(line: str) -> str | None:
    """The line without its lint suppression; None when nothing is left."""
    if "NOLINT" not in line:
        return line
    whole = LINT_LINE.match(line)
    if whole:
        reason = whole["reason"].strip()
        return f"{whole['indent']}// {reason}" if reason else None
    tail = LINT_TAIL.search(line)
    if not tail:
        return line
    code = line[: tail.start()].rstrip()
    reason = tail["reason"].strip()
    return f"{code}  // {reason}" if reason else code


def dedent(lines: list[str]) -> list[str]:
    margins = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(margins, default=0)
    return [line[cut:] if line.strip() else "" for line in lines]


def read_listing(path: Path, anchor: str | None) -> Listing:
    """The listing as the book shows it; ListingError if it cannot be found."""
    if not path.is_file():
        raise ListingError(f"included file {path} does not exist")
    try:
        text = solution_source(path, path.read_text())
    except MarkerError as error:
        raise ListingError(str(error)) from error
    lines = text.splitlines()
    if anchor is not None:
        begin = next((i for i, line in enumerate(lines) if anchor_name(line, "ANCHOR") == anchor), None)
        if begin is None:
            raise ListingError(f"{path.name} has no ANCHOR: {anchor}")
        end = next(
            (i for i in range(begin + 1, len(lines)) if anchor_name(lines[i], "ANCHOR_END") == anchor),
            None,
        )
        if end is None:
            raise ListingError(f"{path.name} has ANCHOR: {anchor} but no ANCHOR_END after it")
        lines = lines[begin + 1 : end]
    kept = []
    for line in lines:
        if ANCHOR.search(line):
            continue
        clean = without_lint(line)
        if clean is not None:
            kept.append(clean.rstrip())
    kept = dedent(kept)
    while kept and not kept[-1]:
        kept.pop()
    while kept and not kept[0]:
        kept.pop(0)
    return Listing(path, anchor, kept)


def anchor_name(line: str, kind: str) -> str | None:
    m = re.search(rf"\b{kind}:\s*([\w-]+)", line)
    return m[1] if m else None


def leftovers(listing: Listing) -> list[str]:
    """Lines that still carry a marker or a lint comment (should be none)."""
    return [line for line in listing.lines if LEFTOVER.search(line)]


# --------------------------------------------------------------------------
# The preprocessor


def expand_page(content: str, page_dir: Path, root: Path) -> str:
    """Replaces included listings in one page and captions their blocks."""
    lines = content.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            out.append(lines[i])
            i += 1
            continue
        marker = opening[2]
        close = i + 1
        while close < len(lines) and not is_closing(lines[close], marker):
            close += 1
        body = lines[i + 1 : close]
        captions: list[str] = []
        expanded: list[str] = []
        for line in body:
            include = INCLUDE_LINE.match(line.strip()) if not line.startswith((" ", "\t")) else None
            if not include:
                expanded.append(line)
                continue
            path_part, anchor = split_target(include[1])
            try:
                listing = read_listing((page_dir / path_part).resolve(), anchor)
            except ListingError as error:
                raise SystemExit(f"book_listings: {error}") from error
            captions.append(listing.caption(root))
            expanded += listing.lines
        if captions:
            text = " + ".join(html.escape(c) for c in captions)
            if out and out[-1].strip():
                out.append("")
            out.append(f'<p class="{CAPTION_CLASS}"><code>{text}</code></p>')
            out.append("")
        out.append(lines[i])
        out += expanded
        if close < len(lines):
            out.append(lines[close])
        i = close + 1
    return "\n".join(out)


def is_closing(line: str, marker: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and set(stripped) == {marker[0]} and len(stripped) >= len(marker)


def walk(items: list, source_dir: Path, root: Path) -> None:
    for item in items:
        chapter = item.get("Chapter") if isinstance(item, dict) else None
        if not chapter:
            continue
        if chapter.get("path"):
            page_dir = (source_dir / chapter["path"]).parent
            chapter["content"] = expand_page(chapter["content"], page_dir, root)
        walk(chapter.get("sub_items", []), source_dir, root)


def preprocess(stdin: str) -> str:
    context, book = json.loads(stdin)
    book_root = Path(context["root"])
    source_dir = book_root / context["config"]["book"].get("src", "src")
    walk(book.get("sections") or book.get("items") or [], source_dir, book_root.parent)
    return json.dumps(book)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[1] == "supports":
        return 0
    if len(argv) == 3 and argv[1] == "show":
        path, anchor = split_target(argv[2])
        try:
            print("\n".join(read_listing(Path(path), anchor).lines))
        except ListingError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(preprocess(sys.stdin.read()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
