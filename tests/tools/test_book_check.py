"""Tests of the book check: it must fail on every kind of drift it promises to catch."""

import io
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from book_check import Checker  # noqa: E402

CODE = """// ANCHOR: good
int good();
// ANCHOR_END: good
// ANCHOR: open
int open();
"""


class BookCheckTests(unittest.TestCase):
    def check(self, page: str, summary_extra: str = "", extra_pages: dict | None = None):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "code.cpp").write_text(CODE)
            src = root / "book" / "src"
            src.mkdir(parents=True)
            (src / "SUMMARY.md").write_text(f"# Summary\n\n- [Page](page.md)\n{summary_extra}")
            (src / "page.md").write_text("# Page\n\n## A heading\n\n" + page)
            for name, text in (extra_pages or {}).items():
                (src / name).write_text(text)
            checker = Checker(root / "book")
            with redirect_stdout(io.StringIO()):
                status = checker.run()
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

    def test_draft_entries_are_allowed(self):
        self.assertEqual(self.check("", summary_extra="- [Later]()\n"), (0, []))


if __name__ == "__main__":
    unittest.main()
