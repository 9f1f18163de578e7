"""Tests of the trace timeline: one lane per thread, one bar per poll, a task's colour the
same in every lane, parked spans and instants, the time window, and errors."""

import contextlib
import io
import json
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from trace_timeline import main, render  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "tools" / "testdata" / "trace-sample.json"
SVG = "{http://www.w3.org/2000/svg}"


def shapes(svg, tag, css_class):
    root = ElementTree.fromstring(svg)
    return [e for e in root.iter(SVG + tag) if e.get("class") == css_class]


def sample_events():
    return json.loads(SAMPLE.read_text())["traceEvents"]


def write_trace(directory, events):
    path = Path(directory) / "trace.json"
    path.write_text(json.dumps({"traceEvents": events}))
    return path


def run_main(*argv):
    """main(argv) -> (exit status, stderr)."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        status = main([str(arg) for arg in argv])
    return status, errors.getvalue()


class SampleTimeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.events = sample_events()
        cls.svg = render(SAMPLE)

    def test_sample_is_two_lanes_of_a_few_hundred_events(self):
        lanes = {e["tid"] for e in self.events if e["ph"] != "M"}
        self.assertEqual(len(lanes), 2)
        self.assertGreaterEqual(len(self.events), 150)

    def test_one_labelled_lane_per_thread(self):
        names = sorted(e["args"]["name"] for e in self.events if e["name"] == "thread_name")
        labels = sorted(t.text for t in shapes(self.svg, "text", "lane-label"))
        self.assertEqual(labels, names)
        self.assertEqual(labels, ["worker 0", "worker 1"])

    def test_one_bar_per_poll(self):
        polls = [e for e in self.events if e["name"] == "poll"]
        bars = shapes(self.svg, "rect", "poll")
        self.assertEqual(len(bars), len(polls))
        self.assertEqual(sorted(int(b.get("data-task")) for b in bars),
                         sorted(e["args"]["task"] for e in polls))

    def test_a_task_keeps_its_colour_in_both_lanes(self):
        lanes_of, fills_of = defaultdict(set), defaultdict(set)
        for bar in shapes(self.svg, "rect", "poll"):
            lanes_of[bar.get("data-task")].add(bar.get("data-lane"))
            fills_of[bar.get("data-task")].add(bar.get("fill"))
        moved = [task for task, lanes in lanes_of.items() if len(lanes) == 2]
        self.assertTrue(moved, "the sample has a task polled by both workers")
        for task in moved:
            self.assertEqual(len(fills_of[task]), 1, f"task {task}: {fills_of[task]}")

    def test_the_first_tasks_have_different_colours(self):
        fills = {}
        for bar in shapes(self.svg, "rect", "poll"):
            fills.setdefault(int(bar.get("data-task")), bar.get("fill"))
        first = sorted(fills)[:12]
        self.assertEqual(len({fills[task] for task in first}), len(first))

    def test_parked_spans_and_instants_are_drawn(self):
        parked = [e for e in self.events if e["name"] == "parked"]
        instants = [e for e in self.events if e["ph"] == "i"]
        self.assertEqual(len(shapes(self.svg, "rect", "parked")), len(parked))
        self.assertEqual(len(shapes(self.svg, "line", "instant")), len(instants))
        for band in shapes(self.svg, "rect", "parked"):
            self.assertLessEqual(float(band.get("height")), 6, "a thin band")

    def test_fits_the_book_column_with_legible_text(self):
        root = ElementTree.fromstring(self.svg)
        self.assertEqual(root.get("width"), "720")
        for text in root.iter(SVG + "text"):
            size = float(text.get("font-size", root.get("font-size")))
            self.assertGreaterEqual(size, 12, text.text)
        labels = [t.text for t in shapes(self.svg, "text", "tick-label")]
        self.assertGreaterEqual(len(labels), 4)
        self.assertTrue(all(label.endswith((" ms", " µs")) for label in labels), labels)


class Window(unittest.TestCase):
    def test_from_to_keeps_the_polls_that_overlap_the_window(self):
        events = sample_events()
        origin = min(e["ts"] for e in events if "ts" in e)
        start, end = origin + 1000, origin + 1500  # --from 1 --to 1.5 (ms)
        overlapping = [e for e in events if e["name"] == "poll"
                       and e["ts"] <= end and e["ts"] + e["dur"] >= start]
        svg = render(SAMPLE, 1.0, 1.5, width=600)
        bars = shapes(svg, "rect", "poll")
        self.assertEqual(len(bars), len(overlapping))
        self.assertEqual(ElementTree.fromstring(svg).get("width"), "600")
        lefts = [float(b.get("x")) for b in bars]
        rights = [float(b.get("x")) + float(b.get("width")) for b in bars]
        plot_right = 600 - 12 - 8
        self.assertLessEqual(max(rights), plot_right + 1, "clipped to the window")
        self.assertGreater(min(lefts), 0)
        self.assertEqual(shapes(svg, "text", "tick-label")[0].text, "1.0 ms")

    def test_a_window_keeps_each_tasks_colour(self):
        whole = {b.get("data-task"): b.get("fill") for b in shapes(render(SAMPLE), "rect", "poll")}
        part = shapes(render(SAMPLE, 1.0, 1.5), "rect", "poll")
        self.assertTrue(part)
        for bar in part:
            self.assertEqual(bar.get("fill"), whole[bar.get("data-task")])


class OtherTraces(unittest.TestCase):
    def test_begin_end_pairs_and_nested_polls(self):
        with tempfile.TemporaryDirectory() as directory:
            trace = write_trace(directory, [
                {"name": "thread_name", "ph": "M", "pid": 1, "tid": 7, "args": {"name": "main"}},
                {"name": "poll", "ph": "B", "pid": 1, "tid": 7, "ts": 10, "args": {"task": 1}},
                {"name": "poll", "ph": "X", "pid": 1, "tid": 7, "ts": 12, "dur": 3,
                 "args": {"task": 2}},
                {"name": "poll", "ph": "E", "pid": 1, "tid": 7, "ts": 20},
                {"name": "parked", "ph": "B", "pid": 1, "tid": 7, "ts": 21},
                {"name": "parked", "ph": "E", "pid": 1, "tid": 7, "ts": 30},
            ])
            svg = render(trace)
        bars = {b.get("data-task"): b for b in shapes(svg, "rect", "poll")}
        self.assertEqual(set(bars), {"1", "2"})
        self.assertLess(float(bars["2"].get("height")), float(bars["1"].get("height")),
                        "a nested poll is drawn inside its parent")
        self.assertEqual(len(shapes(svg, "rect", "parked")), 1)

    def test_lanes_in_order_of_name_unless_the_trace_orders_them(self):
        def lane(tid, name, order=None):
            events = [{"name": "thread_name", "ph": "M", "pid": 1, "tid": tid,
                       "args": {"name": name}},
                      {"name": "poll", "ph": "X", "pid": 1, "tid": tid, "ts": tid, "dur": 1,
                       "args": {"task": tid}}]
            if order is not None:
                events.append({"name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid,
                               "args": {"sort_index": order}})
            return events

        def labels(events):
            with tempfile.TemporaryDirectory() as directory:
                svg = render(write_trace(directory, events))
            return [t.text for t in shapes(svg, "text", "lane-label")]

        by_name = lane(1, "worker 10") + lane(2, "worker 2") + lane(3, "main")
        self.assertEqual(labels(by_name), ["main", "worker 2", "worker 10"])
        ordered = lane(1, "b", order=2) + lane(2, "a", order=3) + lane(3, "c", order=1)
        self.assertEqual(labels(ordered), ["c", "b", "a"])

    def test_lane_names_are_escaped(self):
        with tempfile.TemporaryDirectory() as directory:
            trace = write_trace(directory, [
                {"name": "thread_name", "ph": "M", "pid": 1, "tid": 1,
                 "args": {"name": "<worker & 0>"}},
                {"name": "poll", "ph": "X", "pid": 1, "tid": 1, "ts": 0, "dur": 5,
                 "args": {"task": 3}},
            ])
            labels = [t.text for t in shapes(render(trace), "text", "lane-label")]
        self.assertEqual(labels, ["<worker & 0>"])


class Errors(unittest.TestCase):
    def test_missing_file(self):
        status, errors = run_main("no-such-trace.json")
        self.assertEqual(status, 2)
        self.assertIn("no such file", errors)

    def test_not_json(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "cut.json"
            path.write_text('{"traceEvents":[{"name":"poll"')
            status, errors = run_main(path)
        self.assertEqual(status, 2)
        self.assertIn("not a JSON trace", errors)

    def test_no_events_to_draw(self):
        with tempfile.TemporaryDirectory() as directory:
            status, errors = run_main(write_trace(directory, []))
        self.assertEqual(status, 2)
        self.assertIn("no polls", errors)

    def test_event_without_a_time(self):
        with tempfile.TemporaryDirectory() as directory:
            trace = write_trace(directory, [{"name": "poll", "ph": "X", "tid": 1, "dur": 2}])
            status, errors = run_main(trace)
        self.assertEqual(status, 2)
        self.assertIn("'ts'", errors)

    def test_empty_window(self):
        status, errors = run_main(SAMPLE, "--from", "2", "--to", "1")
        self.assertEqual(status, 2)
        self.assertIn("--from must be less than --to", errors)

    def test_too_narrow(self):
        status, errors = run_main(SAMPLE, "--width", "100")
        self.assertEqual(status, 2)
        self.assertIn("too narrow", errors)

    def test_writes_the_svg_beside_the_trace(self):
        with tempfile.TemporaryDirectory() as directory:
            trace = Path(directory) / "run.json"
            trace.write_text(SAMPLE.read_text())
            status, _ = run_main(trace)
            self.assertEqual(status, 0)
            self.assertTrue((Path(directory) / "run.svg").read_text().startswith("<svg"))


if __name__ == "__main__":
    unittest.main()
