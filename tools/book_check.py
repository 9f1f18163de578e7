#!/usr/bin/env python3
"""Checks that the book and the code cannot drift apart.

    book_check.py BOOK_DIR

Fails (exit 1, one line per problem, file:line first) on:
  * an {{#include}} whose file or ANCHOR is missing, or that names line
    numbers instead of an anchor (line numbers drift when code changes);
  * an ANCHOR without its ANCHOR_END in an included file;
  * a C++ code block that is not an include (mark a short illustrative
    snippet that is not project code with ```cpp,illustration);
  * a relative link or image that leads nowhere, to a heading that does not
    exist, or out of book/src (the rendered book would not have it);
  * a page on disk that SUMMARY.md does not list, or a SUMMARY entry whose
    page is missing;
  * a diagram in book/src/images that differs from its rendering in assets/
    (`make diagrams` renders assets/*.dot and copies the SVGs).
Standard library only; run by `make book` and as the CTest test book.check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

INCLUDE = re.compile(r"\{\{#(?:include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
HEADING_ATTR = re.compile(r"\s*\{#([\w-]+)[^}]*\}\s*$")
CPP_LANGS = {"cpp", "c++", "cxx", "cc", "hpp"}


def slug(text: str) -> str:
    """mdBook's id for a heading: alphanumerics, '_' and '-', spaces as '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    out = []
    for ch in text:
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower())
        elif ch.isspace():
            out.append("-")
    return "".join(out)


class Checker:
    def __init__(self, book: Path):
        self.book = book.resolve()
        self.src = self.book / "src"
        self.problems: list[str] = []
        self._ids: dict[Path, set[str]] = {}

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def where(self, path: Path, line: int) -> str:
        try:
            shown = path.relative_to(self.book.parent)
        except ValueError:
            shown = path
        return f"{shown}:{line}"

    # -- pages ---------------------------------------------------------------

    def summary_pages(self) -> set[Path]:
        summary = self.src / "SUMMARY.md"
        if not summary.exists():
            self.fail(str(summary), "missing")
            return set()
        pages = set()
        for number, line in enumerate(summary.read_text().splitlines(), 1):
            for target in LINK.findall(line):
                page = (self.src / target.split("#")[0]).resolve()
                if not page.exists():
                    self.fail(self.where(summary, number), f"SUMMARY lists {target}, which does not exist")
                pages.add(page)
        return pages

    def run(self) -> int:
        listed = self.summary_pages()
        for page in sorted(self.src.rglob("*.md")):
            if page.name != "SUMMARY.md" and page.resolve() not in listed:
                self.fail(self.where(page, 1), "page is not listed in SUMMARY.md")
            self.check_page(page)
        self.check_diagrams()
        for problem in self.problems:
            print(problem)
        if self.problems:
            print(f"book check: {len(self.problems)} problem(s)")
            return 1
        print(f"book check: {len(listed)} pages fine")
        return 0

    def check_diagrams(self) -> None:
        assets = self.book.parent / "assets"
        for image in sorted((self.src / "images").glob("*.svg")):
            rendered = assets / image.name
            if not rendered.exists():
                self.fail(self.where(image, 1), f"no assets/{image.name} (diagram sources live in assets/)")
            elif rendered.read_bytes() != image.read_bytes():
                self.fail(self.where(image, 1), f"differs from assets/{image.name}; run make diagrams")

    def check_page(self, page: Path) -> None:
        fence: tuple[str, str] | None = None  # (marker, language) while inside a code block
        for number, line in enumerate(page.read_text().splitlines(), 1):
            where = self.where(page, number)
            for target in INCLUDE.findall(line):
                self.check_include(page, where, target)
                if line.startswith((" ", "\t")):
                    self.fail(where, "an indented include (in a list?) renders only its first "
                                     "line inside the block; put it at the left margin")
            opening = FENCE.match(line)
            if fence is None and opening:
                fence = (opening[2], opening[3].lower())
                continue
            if fence is not None:
                closing = line.strip()
                if closing and set(closing) == {fence[0][0]} and len(closing) >= len(fence[0]):
                    fence = None
                    continue
                self.check_code_line(where, fence[1], line)
                continue
            stripped = re.sub(r"`[^`]*`", "", line)
            for target in LINK.findall(stripped) + HTML_LINK.findall(stripped):
                self.check_link(page, where, target)

    def check_code_line(self, where: str, info: str, line: str) -> None:
        parts = info.split(",")
        if parts[0] not in CPP_LANGS or "illustration" in parts:
            return
        if line.strip() and not INCLUDE.fullmatch(line.strip()):
            self.fail(where, "C++ code in the book must be included from the code "
                             "(or fenced as ```cpp,illustration)")

    # -- includes ------------------------------------------------------------

    def check_include(self, page: Path, where: str, target: str) -> None:
        path_part, _, selector = target.partition(":")
        path = (page.parent / path_part).resolve()
        if not path.is_file():
            self.fail(where, f"included file {path_part} does not exist")
            return
        if not selector:
            return
        if re.fullmatch(r"\d*(:\d*)?", selector):
            self.fail(where, f"include {target} uses line numbers; use an ANCHOR instead")
            return
        text = path.read_text()
        begin = re.search(rf"ANCHOR:\s*{re.escape(selector)}\b", text)
        end = re.search(rf"ANCHOR_END:\s*{re.escape(selector)}\b", text)
        if not begin:
            self.fail(where, f"{path_part} has no ANCHOR: {selector}")
        elif not end or end.start() < begin.start():
            self.fail(where, f"{path_part} has ANCHOR: {selector} but no ANCHOR_END after it")

    # -- links ---------------------------------------------------------------

    def check_link(self, page: Path, where: str, target: str) -> None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
            return  # http:, https:, mailto: ...
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page.resolve()
        if path_part and not destination.exists():
            self.fail(where, f"link to {target}: no such file")
            return
        if not destination.is_relative_to(self.src):
            self.fail(where, f"link to {target} leaves book/src; the rendered book will not have it")
            return
        if fragment and destination.suffix == ".md" and fragment not in self.ids(destination):
            self.fail(where, f"link to {target}: no heading or id '{fragment}' there")

    def ids(self, page: Path) -> set[str]:
        if page not in self._ids:
            ids: set[str] = set()
            seen: dict[str, int] = {}
            in_code = False
            for line in page.read_text().splitlines():
                if FENCE.match(line):
                    in_code = not in_code
                    continue
                if in_code:
                    continue
                ids.update(EXPLICIT_ID.findall(line))
                heading = HEADING.match(line)
                if heading:
                    text = heading[2]
                    attr = HEADING_ATTR.search(text)
                    if attr:
                        ids.add(attr[1])
                        continue
                    base = slug(text)
                    count = seen.get(base, 0)
                    seen[base] = count + 1
                    ids.add(base if count == 0 else f"{base}-{count}")
            self._ids[page] = ids
        return self._ids[page]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    return Checker(Path(sys.argv[1])).run()


if __name__ == "__main__":
    sys.exit(main())
