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
    (`make diagrams` renders assets/*.dot and copies the SVGs);
  * numbers: mdBook's own section labels left on, or a SUMMARY entry of a
    chapter directory NN-slug whose title does not start with "NN." (the
    sidebar shows the book's chapter numbers, not mdBook's count);
  * status: a page that names a chapter directory, a `make` target or a
    `CH=NN` that does not exist, or the complete runtime (`src/`,
    `art::art`) before it exists, in a sentence that does not say "planned";
    and, while SUMMARY lists planned chapters, no "Where the book stands"
    page right after the last written one;
  * length: a page over 2,600 words of prose (code blocks not counted);
  * width: an included listing with a line over 90 columns as the book shows
    it, or a table cell with a token over 40 characters that cannot break
    (code in a table may break: the theme says so);
  * captions: the listings preprocessor (book_listings.py, which captions
    every listing with its file and anchor) not registered before `links`;
  * clean listings: an exercise marker, ANCHOR or NOLINT comment that would
    still reach a rendered listing.
Pages and listings named in tools/book_check_allow.txt may exceed the length
and width limits up to the measure written there (each line says why); the
check says when one fits and its line can go.

    book_check.py BOOK_DIR            the checks above, then one line per page:
                                      its words and whether it has a picture
    book_check.py --html HTML_DIR     after `mdbook build`: every listing in the
                                      rendered pages has a caption and no marker

Standard library only; run by `make book` and as the CTest test book.check.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_listings import CAPTION_CLASS, LEFTOVER, ListingError, leftovers, read_listing  # noqa: E402

INCLUDE = re.compile(r"\{\{#(?:include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
HEADING_ATTR = re.compile(r"\s*\{#([\w-]+)[^}]*\}\s*$")
CPP_LANGS = {"cpp", "c++", "cxx", "cc", "hpp"}

MAX_WORDS = 2600
MAX_LISTING_COLUMNS = 90
MAX_TABLE_TOKEN = 40
ALLOW_FILE = "tools/book_check_allow.txt"
STATUS_TITLE = "Where the book stands"

CHAPTER_DIR = re.compile(r"^(\d\d)-[a-z0-9-]+$")
SUMMARY_ENTRY = re.compile(r"^(?P<indent>\s*)[-*]\s+\[(?P<title>[^\]]*)\]\((?P<target>[^)]*)\)")
# A chapter directory named in a page: chapters/NN-slug, tests/NN-slug, or `NN-slug`.
CHAPTER_MENTION = re.compile(r"(?:\b(?:chapters|tests|exercises)/|`)(\d\d-[a-z][a-z0-9-]*[a-z0-9])\b")
MAKE_COMMAND = re.compile(r"\bmake\s+([a-z][\w-]*)((?:\s+[A-Z_]+=\S+)*)")
PLANNED = re.compile(r"\bplanned\b|\bnot (?:yet )?written\b|\bnot yet\b", re.I)
RUNTIME_CLAIM = re.compile(r"`art::art`|`src/`")
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z`*_(\[])")
WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")
IMAGE = re.compile(r"!\[[^\]]*\]\(|<img\b|<svg\b")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_TAG = re.compile(r"<[^>]+>")


@dataclass
class PageStats:
    page: Path
    words: int
    has_image: bool


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
    def __init__(self, book: Path, allow_file: Path | None = None):
        self.book = book.resolve()
        self.src = self.book / "src"
        self.root = self.book.parent
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.stats: list[PageStats] = []
        self._ids: dict[Path, set[str]] = {}
        self.allowed = self.read_allow_list(allow_file or self.root / ALLOW_FILE)
        self.used_allowances: set[tuple[str, str]] = set()
        self.targets = self.make_targets()
        self.chapter_dirs = {p.name for p in (self.root / "chapters").glob("[0-9][0-9]-*") if p.is_dir()}
        self.chapter_numbers = {name[:2] for name in self.chapter_dirs}

    # -- the allow-list and what exists ---------------------------------------

    def read_allow_list(self, path: Path) -> dict[tuple[str, str], int]:
        """'words PAGE N' and 'width FILE:ANCHOR N' lines; '#' starts a comment."""
        allowed: dict[tuple[str, str], int] = {}
        if not path.exists():
            return allowed
        for number, line in enumerate(path.read_text().splitlines(), 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) != 3 or fields[0] not in ("words", "width") or not fields[2].isdigit():
                self.fail(f"{path.name}:{number}", "expected 'words PAGE N' or 'width FILE:ANCHOR N'")
                continue
            allowed[(fields[0], fields[1])] = int(fields[2])
        return allowed

    def over_limit(self, kind: str, key: str, measure: int, limit: int, where: str, what: str) -> None:
        """Fails unless the allow-list names `key` with a measure it does not exceed."""
        ceiling = self.allowed.get((kind, key))
        if ceiling is not None:
            self.used_allowances.add((kind, key))
        if measure <= limit:
            if ceiling is not None:
                self.notes.append(f"{key} fits now ({what}); remove its line from {ALLOW_FILE}")
            return
        if ceiling is None:
            self.fail(where, f"{what} (limit {limit})")
        elif measure > ceiling:
            self.fail(where, f"{what}, more than the {ceiling} {ALLOW_FILE} allows (limit {limit})")

    def make_targets(self) -> set[str]:
        makefile = self.root / "Makefile"
        if not makefile.exists():
            return set()
        targets = set()
        for line in makefile.read_text().splitlines():
            m = re.match(r"^([a-z][\w-]*(?:\s+[a-z][\w-]*)*)\s*:(?!=)", line)
            if m:
                targets.update(m[1].split())
        return targets

    def shown(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

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
        self.check_summary_numbers(summary)
        return pages

    def run(self, report: bool = True) -> int:
        listed = self.summary_pages()
        self.check_book_toml()
        for page in sorted(self.src.rglob("*.md")):
            if page.name != "SUMMARY.md" and page.resolve() not in listed:
                self.fail(self.where(page, 1), "page is not listed in SUMMARY.md")
            self.check_page(page)
        self.check_diagrams()
        for kind, key in sorted(set(self.allowed) - self.used_allowances):
            self.notes.append(f"{ALLOW_FILE} names {kind} {key}, which the book no longer has")
        if report:
            self.print_report()
        for note in self.notes:
            print(f"note: {note}")
        for problem in self.problems:
            print(problem)
        if self.problems:
            print(f"book check: {len(self.problems)} problem(s)")
            return 1
        print(f"book check: {len(listed)} pages fine")
        return 0

    def print_report(self) -> None:
        print(f"{'words':>6}  {'picture':<7}  page (limit {MAX_WORDS} words)")
        for stat in self.stats:
            if stat.page.name == "SUMMARY.md":
                continue
            flag = "  over" if stat.words > MAX_WORDS else ""
            print(f"{stat.words:>6}  {'yes' if stat.has_image else 'no':<7}  "
                  f"{self.shown(stat.page)}{flag}")

    # -- numbers, captions (book.toml) and the status page ----------------------

    def check_book_toml(self) -> None:
        toml_path = self.book / "book.toml"
        try:
            config = read_toml(toml_path.read_text())
        except (OSError, ValueError) as error:
            self.fail(self.where(toml_path, 1), f"cannot read: {error}")
            return
        html_output = config.get("output", {}).get("html", {})
        if html_output.get("no-section-label") is not True:
            self.fail(self.where(toml_path, 1), "set no-section-label = true under [output.html]: "
                      "the sidebar must show the book's chapter numbers, not mdBook's count")
        listings = config.get("preprocessor", {}).get("listings")
        if not listings or "book_listings.py" not in str(listings.get("command", "")):
            self.fail(self.where(toml_path, 1), "register [preprocessor.listings] with command "
                      "python3 ../tools/book_listings.py: it captions and cleans every listing")
        elif "links" not in listings.get("before", []):
            self.fail(self.where(toml_path, 1), "[preprocessor.listings] must run before links "
                      "(before = [\"links\"]), or mdBook includes the listings raw")

    def check_summary_numbers(self, summary: Path) -> None:
        entries = []  # (line number, indent, title, target)
        for number, line in enumerate(summary.read_text().splitlines(), 1):
            m = SUMMARY_ENTRY.match(line)
            if m:
                entries.append((number, len(m["indent"]), m["title"].strip(), m["target"].strip()))
        for number, _, title, target in entries:
            directory = target.split("/")[0] if "/" in target else ""
            chapter = CHAPTER_DIR.match(directory)
            if chapter and not re.match(rf"{chapter[1]}(\.\d+)*\.\s", title):
                self.fail(self.where(summary, number),
                          f"'{title}' is a page of chapter {chapter[1]}: start its title with "
                          f"'{chapter[1]}.' (or '{chapter[1]}.N.' for a section)")
        self.check_status_page(summary, entries)

    def check_status_page(self, summary: Path, entries: list) -> None:
        drafts = [e for e in entries if not e[3]]
        if not drafts:
            return
        written = [i for i, e in enumerate(entries) if e[3] and CHAPTER_DIR.match(e[3].split("/")[0])]
        status = [i for i, e in enumerate(entries) if e[2].endswith(STATUS_TITLE) and e[3]]
        if not status:
            self.fail(self.where(summary, drafts[0][0]), f"SUMMARY lists planned chapters: add a page "
                      f"'{STATUS_TITLE}' right after the last written one")
            return
        after_last = next((i for i in range((written or [-1])[-1] + 1, len(entries)) if entries[i][3]), None)
        if after_last != status[0]:
            self.fail(self.where(summary, entries[status[0]][0]),
                      f"'{STATUS_TITLE}' must come right after the last written chapter's pages, "
                      "so that the next arrow leads the reader to it")
        if written:
            last = entries[written[-1]][3].split("/")[0][:2]
            page = self.src / entries[status[0]][3].split("#")[0]
            if page.exists() and not re.search(rf"\b{last}\b", page.read_text()):
                self.fail(self.where(page, 1), f"the status page does not name chapter {last}, "
                          "the last written one; say where the book stands now")

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
        prose: list[tuple[int, str]] = []  # the page without its code blocks
        for number, line in enumerate(page.read_text().splitlines(), 1):
            where = self.where(page, number)
            for target in INCLUDE.findall(line):
                self.check_include(page, where, target, in_code=fence is not None)
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
                self.check_status(where, line)  # a command line is its own sentence
                continue
            prose.append((number, line))
            stripped = re.sub(r"`[^`]*`", "", line)
            for target in LINK.findall(stripped) + HTML_LINK.findall(stripped):
                self.check_link(page, where, target)
            if line.lstrip().startswith("|"):
                self.check_table_row(where, line)
        if page.name != "SUMMARY.md":
            for number, sentence in sentences(prose):
                self.check_status(self.where(page, number), sentence)
        words = count_words(line for _, line in prose)
        self.stats.append(PageStats(page, words, any(IMAGE.search(line) for _, line in prose)))
        if page.name != "SUMMARY.md":
            self.over_limit("words", self.shown(page), words, MAX_WORDS, self.where(page, 1),
                            f"{words} words of prose; split the page where the idea changes")

    # -- status: only what exists, unless it says planned ----------------------

    def check_status(self, where: str, sentence: str) -> None:
        if PLANNED.search(sentence):
            return
        for name in CHAPTER_MENTION.findall(sentence):
            if name not in self.chapter_dirs and CHAPTER_DIR.match(name):
                self.fail(where, f"names chapter directory {name}, which does not exist yet; "
                                 "say it is planned")
        for target, arguments in MAKE_COMMAND.findall(self.code_of(sentence)):
            if self.targets and target not in self.targets:
                self.fail(where, f"`make {target}`: the Makefile has no target {target}")
            chapter = re.search(r"\bCH=(\d+)\b", arguments)
            if chapter and f"{int(chapter[1]):02d}" not in self.chapter_numbers:
                self.fail(where, f"`make {target}{arguments}`: there is no chapter {chapter[1]} yet; "
                                 "use a written one or say it is planned")
        if not (self.root / "src").is_dir():
            for claim in RUNTIME_CLAIM.findall(sentence):
                self.fail(where, f"{claim} does not exist yet (the complete runtime is planned); "
                                 "say so in the sentence")

    @staticmethod
    def code_of(sentence: str) -> str:
        """The parts of a sentence where a command can be: code spans and command lines."""
        spans = [m[2] for m in CODE_SPAN.finditer(sentence)]
        line = sentence.strip()
        if line.startswith(("$ ", "make ")):
            spans.append(line.removeprefix("$ "))
        return "\n".join(spans)

    # -- width -----------------------------------------------------------------

    def check_table_row(self, where: str, line: str) -> None:
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
        for cell in cells:
            text = LINK_TARGET.sub("]", cell)
            text = CODE_SPAN.sub(" ", text)  # code in a table may break (theme/listings.css)
            text = HTML_TAG.sub(" ", text)
            for token in text.split():
                if len(token) > MAX_TABLE_TOKEN:
                    self.fail(where, f"table cell has an unbreakable {len(token)}-character token "
                                     f"'{token[:30]}...': put it in a list or in `code`")

    def check_code_line(self, where: str, info: str, line: str) -> None:
        parts = info.split(",")
        if parts[0] not in CPP_LANGS or "illustration" in parts:
            return
        if line.strip() and not INCLUDE.fullmatch(line.strip()):
            self.fail(where, "C++ code in the book must be included from the code "
                             "(or fenced as ```cpp,illustration)")

    # -- includes ------------------------------------------------------------

    def check_include(self, page: Path, where: str, target: str, in_code: bool = True) -> None:
        path_part, _, selector = target.partition(":")
        path = (page.parent / path_part).resolve()
        if not path.is_file():
            self.fail(where, f"included file {path_part} does not exist")
            return
        if selector and re.fullmatch(r"\d*(:\d*)?", selector):
            self.fail(where, f"include {target} uses line numbers; use an ANCHOR instead")
            return
        if selector:
            text = path.read_text()
            begin = re.search(rf"ANCHOR:\s*{re.escape(selector)}\b", text)
            end = re.search(rf"ANCHOR_END:\s*{re.escape(selector)}\b", text)
            if not begin:
                self.fail(where, f"{path_part} has no ANCHOR: {selector}")
                return
            if not end or end.start() < begin.start():
                self.fail(where, f"{path_part} has ANCHOR: {selector} but no ANCHOR_END after it")
                return
        if in_code:
            self.check_listing(where, path, selector or None)

    def check_listing(self, where: str, path: Path, anchor: str | None) -> None:
        """The listing as the book shows it: clean, and narrow enough for the column."""
        try:
            listing = read_listing(path, anchor)
        except ListingError as error:
            self.fail(where, str(error))
            return
        for line in leftovers(listing):
            self.fail(where, f"a marker or lint comment would reach the book: '{line.strip()[:60]}'; "
                             "book_listings.py does not know how to strip it")
        width = max((len(line.expandtabs(4)) for line in listing.lines), default=0)
        key = f"{self.shown(path)}:{anchor}" if anchor else self.shown(path)
        self.over_limit("width", key, width, MAX_LISTING_COLUMNS, where,
                        f"listing {key} is {width} columns wide; shorten its long lines")

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


def read_toml(text: str) -> dict:
    """book.toml as nested dicts (tomllib where there is one: Python 3.11)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: the simple tables and values book.toml uses
        config: dict = {}
        table = config
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            header = re.fullmatch(r"\[([\w.-]+)\]", line)
            if header:
                table = config
                for part in header[1].split("."):
                    table = table.setdefault(part, {})
                continue
            key, _, value = line.partition("=")
            value = value.strip().replace("true", "True").replace("false", "False")
            try:
                table[key.strip()] = ast.literal_eval(value)
            except (ValueError, SyntaxError) as error:
                raise ValueError(f"cannot read the value of {key.strip()}") from error
        return config
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(str(error)) from error


def sentences(prose: list[tuple[int, str]]):
    """(line, sentence) for the prose of a page: paragraphs, list items, table rows."""
    paragraph: list[tuple[int, str]] = []

    def flush():
        if paragraph:
            text = " ".join(line.strip() for _, line in paragraph)
            for sentence in SENTENCE_END.split(text):
                yield paragraph[0][0], sentence
            paragraph.clear()

    for number, line in prose:
        stripped = line.strip()
        starts_block = (not stripped or stripped.startswith(("|", "#", "- ", "* ", "<"))
                        or re.match(r"\d+\.\s", stripped))
        if starts_block:
            yield from flush()
        if stripped.startswith(("|", "#")):
            yield number, stripped
        elif stripped:
            paragraph.append((number, line))
    yield from flush()


def count_words(lines) -> int:
    """Words a reader reads: prose without link targets, tags and table rules."""
    total = 0
    for line in lines:
        if re.fullmatch(r"\s*\|?[\s|:-]*", line):
            continue
        text = LINK_TARGET.sub("]", line)
        text = HTML_TAG.sub(" ", text)
        total += len(WORD.findall(text))
    return total


def captioned_blocks(page: Path) -> int:
    """How many code blocks of a source page include a listing (one caption each)."""
    count = 0
    fence: str | None = None
    has_include = False
    for line in page.read_text().splitlines():
        opening = FENCE.match(line)
        if fence is None:
            if opening:
                fence, has_include = opening[2], False
            continue
        closing = line.strip()
        if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
            count += has_include
            fence = None
        elif INCLUDE.fullmatch(line.strip()):
            has_include = True
    return count


def check_html(html_dir: Path, src_dir: Path | None = None) -> int:
    """After mdbook build: every included listing has its caption and no marker."""
    problems = []
    pages = 0
    src_dir = src_dir or html_dir.parent / "src"
    for page in sorted(html_dir.rglob("*.html")):
        if page.name in ("print.html", "toc.html", "404.html"):
            continue
        text = page.read_text()
        pages += 1
        source = src_dir / page.relative_to(html_dir).with_suffix(".md")
        if source.exists():
            expected = captioned_blocks(source)
            found = text.count(f'class="{CAPTION_CLASS}"')
            if found != expected:
                problems.append(f"{page.relative_to(html_dir)}: {found} listing caption(s) for "
                                f"{expected} listing(s); did mdBook run the listings preprocessor "
                                "(start it in book/)?")
        for block in re.findall(r"<pre\b.*?</pre>", text, re.S):
            code = re.sub(r"<[^>]+>", "", block)
            for line in code.splitlines():
                if LEFTOVER.search(line.replace("&quot;", '"')):
                    problems.append(f"{page.relative_to(html_dir)}: rendered listing has "
                                    f"'{line.strip()[:60]}'")
        if "{{#include" in text:
            problems.append(f"{page.relative_to(html_dir)}: an include was not expanded")
    for problem in problems:
        print(problem)
    if problems:
        print(f"book check (rendered): {len(problems)} problem(s)")
        return 1
    print(f"book check (rendered): {pages} pages, listings clean")
    return 0


def main() -> int:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--html":
        return check_html(Path(args[1]))
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__)
        return 2
    return Checker(Path(args[0])).run()


if __name__ == "__main__":
    sys.exit(main())
