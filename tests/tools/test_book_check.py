"""Tests of the book check: it must fail on every kind of drift it promises to catch."""

import io
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from book_check import Checker, check_html, read_toml  # noqa: E402
from book_listings import expand_page, read_listing  # noqa: E402

CODE = """// ANCHOR: good
int good();
// ANCHOR_END: good
// ANCHOR: open
int open();
"""

# A listing with everything a reader must not see: markers, lint comments,
# the anchors of other listings, and one line far too wide.
MARKED = """#include <atomic>
// ANCHOR: marked
int answer(int x) {  // NOLINT(readability-named): kept as in the paper
  // ANCHOR: inner
  // EXERCISE 1.1: return the answer
  // HINT: the concept
  // and the invariant
  // HINT 2: more detail
  // STUB: return 0;
  return 42 + x;
  // END EXERCISE
  // ANCHOR_END: inner
  // NOLINTNEXTLINE(cppcoreguidelines-avoid-magic-numbers)
  return 41;
}
// ANCHOR_END: marked
// ANCHOR: wide
int wide = 1;  // a comment that goes on and on and on until it is far wider than the column of the book
// ANCHOR_END: wide
// ANCHOR: odd
int odd;  /* NOLINT */
// ANCHOR_END: odd
"""

BOOK_TOML = """[book]
title = "t"
src = "src"

[preprocessor.listings]
command = "python3 ../tools/book_listings.py"
before = ["links"]

[output.html]
no-section-label = true
"""

MAKEFILE = "check:\n\ttrue\ndiff:\n\ttrue\nbook serve:\n\ttrue\n"


class BookCheckTests(unittest.TestCase):
    def check(self, page: str, summary_extra: str = "", extra_pages: dict | None = None,
              book_toml: str = BOOK_TOML, summary: str | None = None, allow: str = ""):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "code.cpp").write_text(CODE)
            (root / "marked.cpp").write_text(MARKED)
            (root / "Makefile").write_text(MAKEFILE)
            (root / "chapters" / "01-first").mkdir(parents=True)
            (root / "tools").mkdir()
            (root / "tools" / "book_check_allow.txt").write_text(allow)
            src = root / "book" / "src"
            (src / "01-first").mkdir(parents=True)
            (root / "book" / "book.toml").write_text(book_toml)
            if summary is None:
                summary = f"# Summary\n\n- [Page](page.md)\n{summary_extra}"
            (src / "SUMMARY.md").write_text(summary)
            (src / "page.md").write_text("# Page\n\n## A heading\n\n" + page)
            for name, text in (extra_pages or {}).items():
                (src / name).write_text(text)
            checker = Checker(root / "book")
            with redirect_stdout(io.StringIO()):
                status = checker.run()
            self.notes = checker.notes
            self.stats = checker.stats
            return status, checker.problems

    def test_a_clean_page_passes(self):
        page = "```cpp\n{{#include ../../code.cpp:good}}\n```\n\nSee [here](page.md#a-heading).\n"
        self.assertEqual(self.check(page), (0, []))

    def test_missing_file_and_anchor_fail(self):
        status, problems = self.check("{{#include ../../nope.cpp:good}}\n{{#include ../../code.cpp:bad}}\n")
        self.assertEqual(status, 1)
        self.assertTrue(any("does not exist" in p for p in problems))
        self.assertTrue(any("no ANCHOR: bad" in p for p in problems))

    def test_anchor_without_end_fails(self):
        _, problems = self.check("{{#include ../../code.cpp:open}}\n")
        self.assertTrue(any("no ANCHOR_END" in p for p in problems))

    def test_indented_include_fails(self):
        _, problems = self.check("- item\n\n  ```cpp\n  {{#include ../../code.cpp:good}}\n  ```\n")
        self.assertTrue(any("indented include" in p for p in problems))

    def test_line_number_includes_fail(self):
        _, problems = self.check("{{#include ../../code.cpp:1:2}}\n")
        self.assertTrue(any("line numbers" in p for p in problems))

    def test_cpp_block_that_is_not_an_include_fails_unless_illustration(self):
        _, problems = self.check("```cpp\nint x = 1;\n```\n")
        self.assertTrue(any("included from the code" in p for p in problems))
        self.assertEqual(self.check("```cpp,illustration\nint x = 1;\n```\n"), (0, []))

    def test_broken_links_images_and_fragments_fail(self):
        page = "[a](missing.md)\n![img](images/none.svg)\n[b](page.md#no-such-heading)\n[c](../../code.cpp)\n"
        _, problems = self.check(page)
        self.assertEqual(len(problems), 4, problems)

    def test_page_missing_from_summary_fails(self):
        _, problems = self.check("", extra_pages={"orphan.md": "# Orphan\n"})
        self.assertTrue(any("not listed in SUMMARY.md" in p for p in problems))

    def test_draft_entries_need_the_status_page_after_the_last_written_chapter(self):
        chapter = {"01-first/index.md": "# First\n",
                   "status.md": "# Where the book stands\n\nChapter 01 is written.\n"}
        good = ("# Summary\n\n- [Page](page.md)\n- [01. First](01-first/index.md)\n"
                "- [Where the book stands](status.md)\n- [02. Later (planned)]()\n")
        self.assertEqual(self.check("", summary=good, extra_pages=chapter), (0, []))
        missing = "# Summary\n\n- [Page](page.md)\n- [02. Later (planned)]()\n"
        _, problems = self.check("", summary=missing)
        self.assertTrue(any("Where the book stands" in p for p in problems), problems)
        _, problems = self.check("", summary=good, extra_pages=dict(
            chapter, **{"status.md": "# Where the book stands\n\nNothing yet.\n"}))
        self.assertTrue(any("does not name chapter 01" in p for p in problems), problems)
        misplaced = ("# Summary\n\n- [Page](page.md)\n- [Where the book stands](status.md)\n"
                     "- [01. First](01-first/index.md)\n- [02. Later (planned)]()\n")
        _, problems = self.check("", summary=misplaced, extra_pages=chapter)
        self.assertTrue(any("right after the last written" in p for p in problems), problems)

    # -- numbers ---------------------------------------------------------------

    def test_chapter_pages_carry_the_books_chapter_number(self):
        pages = {"01-first/index.md": "# First\n"}
        good = "# Summary\n\n- [Page](page.md)\n- [01. First](01-first/index.md)\n"
        self.assertEqual(self.check("", summary=good, extra_pages=pages), (0, []))
        bad = "# Summary\n\n- [Page](page.md)\n- [First](01-first/index.md)\n"
        _, problems = self.check("", summary=bad, extra_pages=pages)
        self.assertTrue(any("start its title with '01.'" in p for p in problems), problems)

    def test_book_toml_is_read_without_tomllib_too(self):
        import builtins
        real_import = builtins.__import__

        def no_tomllib(name, *args, **kwargs):
            if name == "tomllib":
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        with mock.patch.object(builtins, "__import__", no_tomllib):
            config = read_toml(BOOK_TOML + 'additional-css = ["theme/listings.css"]\n')
        self.assertEqual(config["preprocessor"]["listings"]["before"], ["links"])
        self.assertIs(config["output"]["html"]["no-section-label"], True)
        self.assertEqual(config, read_toml(BOOK_TOML + 'additional-css = ["theme/listings.css"]\n'))

    def test_mdbooks_own_section_labels_fail(self):
        _, problems = self.check("", book_toml=BOOK_TOML.replace("no-section-label = true", ""))
        self.assertTrue(any("no-section-label" in p for p in problems), problems)

    # -- status ----------------------------------------------------------------

    def test_a_chapter_or_make_target_that_does_not_exist_fails_unless_planned(self):
        for text in ("See `chapters/09-stealing` for the deque.\n",
                     "Run `make diff CH=09` to see it.\n",
                     "```console\n$ make frobnicate\n```\n",
                     "Link `art::art` into your program.\n"):
            _, problems = self.check(text)
            self.assertEqual(len(problems), 1, (text, problems))
        for text in ("See `chapters/01-first` and run `make check CH=01`.\n",
                     "Chapter `09-stealing` is planned. Next sentence.\n",
                     "The library `art::art` is planned.\n"):
            self.assertEqual(self.check(text), (0, []), text)

    def test_planned_covers_only_its_own_sentence(self):
        _, problems = self.check("Chapter 09 is planned. Read `chapters/09-stealing` now.\n")
        self.assertEqual(len(problems), 1, problems)

    # -- length ----------------------------------------------------------------

    def test_a_page_over_the_word_limit_fails_unless_allowed_at_its_measure(self):
        long_page = "word " * 2700 + "\n\n```cpp\n{{#include ../../code.cpp:good}}\n```\n"
        status, problems = self.check(long_page)
        self.assertEqual(status, 1)
        self.assertTrue(any("words of prose" in p for p in problems), problems)
        page_words = next(s.words for s in self.stats if s.page.name == "page.md")
        self.assertGreater(page_words, 2700)
        self.assertLess(page_words, 2720)  # the code block is not counted
        allowed = f"# split later\nwords book/src/page.md {page_words}\n"
        self.assertEqual(self.check(long_page, allow=allowed), (0, []))
        tighter = f"words book/src/page.md {page_words - 5}\n"
        _, problems = self.check(long_page, allow=tighter)
        self.assertTrue(any("more than the" in p for p in problems), problems)

    def test_an_allowance_that_is_no_longer_needed_is_noted(self):
        self.assertEqual(self.check("short\n", allow="words book/src/page.md 3000\n"), (0, []))
        self.assertTrue(any("fits now" in n for n in self.notes), self.notes)

    def test_pages_report_whether_they_have_a_picture(self):
        self.check("![diagram](images/x.svg)\n", extra_pages={})
        # the missing image fails as a link, but the report still sees the picture
        self.assertTrue(next(s.has_image for s in self.stats if s.page.name == "page.md"))

    # -- width -----------------------------------------------------------------

    def test_a_wide_listing_fails_unless_allowed(self):
        page = "```cpp\n{{#include ../../marked.cpp:wide}}\n```\n"
        _, problems = self.check(page)
        self.assertTrue(any("marked.cpp:wide is 104 columns" in p for p in problems), problems)
        self.assertEqual(self.check(page, allow="width marked.cpp:wide 104\n"), (0, []))

    def test_a_long_unbreakable_token_in_a_table_fails_but_code_may_break(self):
        token = "Ex4_1_Wake.ConcurrentWakesFromManyThreadsNeverDoublePoll"
        _, problems = self.check(f"| a | b |\n|---|---|\n| x | {token} |\n")
        self.assertTrue(any("unbreakable" in p for p in problems), problems)
        self.assertEqual(self.check(f"| a | b |\n|---|---|\n| x | `{token}` |\n"), (0, []))

    # -- captions and clean listings ---------------------------------------------

    def test_the_listings_preprocessor_must_run_before_links(self):
        _, problems = self.check("", book_toml=BOOK_TOML.replace('before = ["links"]', ""))
        self.assertTrue(any("before links" in p for p in problems), problems)
        without = BOOK_TOML.replace("[preprocessor.listings]", "[preprocessor.other]")
        _, problems = self.check("", book_toml=without)
        self.assertTrue(any("preprocessor.listings" in p for p in problems), problems)

    def test_a_marker_the_listing_cannot_strip_fails(self):
        _, problems = self.check("```cpp\n{{#include ../../marked.cpp:odd}}\n```\n")
        self.assertTrue(any("would reach the book" in p for p in problems), problems)
        self.assertEqual(self.check("```cpp\n{{#include ../../marked.cpp:marked}}\n```\n"), (0, []))


class ListingTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "code").mkdir()
        (self.root / "code" / "marked.cpp").write_text(MARKED)
        (self.root / "book" / "src" / "ch").mkdir(parents=True)

    def tearDown(self):
        self.tmp.cleanup()

    def test_markers_lint_and_other_anchors_are_stripped_and_the_solution_kept(self):
        listing = read_listing(self.root / "code" / "marked.cpp", "marked")
        self.assertEqual(listing.lines, [
            "int answer(int x) {  // kept as in the paper",
            "  return 42 + x;",
            "  return 41;",
            "}",
        ])

    def test_the_caption_names_file_and_anchor_and_sits_above_the_block(self):
        page = "Text before.\n```cpp\n{{#include ../../../code/marked.cpp:inner}}\n```\nafter\n"
        out = expand_page(page, self.root / "book" / "src" / "ch", self.root)
        self.assertEqual(out, "Text before.\n\n"
                              '<p class="listing-caption"><code>code/marked.cpp · inner</code></p>\n\n'
                              "```cpp\nreturn 42 + x;\n```\nafter\n")

    def test_includes_outside_code_blocks_are_left_to_mdbook(self):
        page = "{{#include ../../../code/marked.cpp:inner}}\n"
        self.assertEqual(expand_page(page, self.root / "book" / "src" / "ch", self.root), page)

    def test_rendered_pages_with_a_marker_or_without_captions_fail(self):
        html_dir = self.root / "book" / "html"
        (html_dir / "ch").mkdir(parents=True)
        (self.root / "book" / "src" / "ch" / "page.md").write_text(
            "```cpp\n{{#include ../../../code/marked.cpp:inner}}\n```\n")
        (html_dir / "ch" / "page.html").write_text("<pre><code>int x;</code></pre>")
        with redirect_stdout(io.StringIO()):
            self.assertEqual(check_html(html_dir), 1)  # the listing has no caption
        (html_dir / "ch" / "page.html").write_text(
            '<p class="listing-caption"><code>code/marked.cpp · inner</code></p><pre><code>int x;</code></pre>')
        with redirect_stdout(io.StringIO()):
            self.assertEqual(check_html(html_dir), 0)
        (html_dir / "bad.html").write_text("<pre><code>// HINT: spoiler</code></pre>")
        with redirect_stdout(io.StringIO()):
            self.assertEqual(check_html(html_dir), 1)


if __name__ == "__main__":
    unittest.main()
