"""Tests of the scheduler comparison (tools/compare_schedulers.py, make compare): reading
what compare-schedulers prints, the summary, the table, how far two runs moved, and the
chart drawn from the summary."""

import contextlib
import copy
import io
import importlib.util
import json
import sys
import tempfile
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "tools"))

from compare_schedulers import (  # noqa: E402
    CONFIGURATIONS,
    ROWS,
    RunError,
    main,
    moved,
    readable,
    row_unit,
    row_key,
    summarize,
    table,
)

STANDARD = ("spawn_many", "yield_many", "ping_pong", "chained_spawn", "skewed")
COUNTER = {"spawn_many": "ns_per_task", "yield_many": "ns_per_yield",
           "ping_pong": "ns_per_ping", "chained_spawn": "ns_per_task", "skewed": "ns_per_task"}


def benchmark_entry(workload: str, workers: int, cpu_us: float, real_us: float,
                    per_item_s: float, error: str | None = None) -> dict:
    """One median aggregate as Google Benchmark's JSON reports it."""
    name = f"{workload}/workers:{workers}/process_time"
    entry = {"name": name + "_median", "run_name": name, "run_type": "aggregate",
             "aggregate_name": "median", "cpu_time": cpu_us, "real_time": real_us,
             "time_unit": "us", COUNTER[workload]: per_item_s}
    if error:
        entry["error_occurred"] = True
        entry["error_message"] = error
    return entry


def configuration(name: str, scale: float) -> dict:
    """A configuration's raw output; every figure is its position's base value times
    `scale`, so that each configuration's figures are known."""
    scheduler, budget = name.split("/")
    benchmarks = []
    for workload in STANDARD:
        for workers in (1, 2):
            benchmarks.append(benchmark_entry(
                workload, workers, cpu_us=100.0 * scale, real_us=2000.0 * scale,
                per_item_s=100e-9 * scale))
    return {
        "name": name, "scheduler": scheduler, "budget": budget == "budget",
        "standard": {"context": {}, "benchmarks": benchmarks},
        "contended": {"scheduler": name, "results": [
            {"workers": w, "median": {"completion_max_us": 3000.0 * scale}, "runs": []}
            for w in (1, 2)]},
        "starvation": [{"configuration": name, "workers": w, "samples": 900,
                        "p50_us": 80.0, "p99_us": 5000.0 * scale, "max_us": 9000.0,
                        "receives": 1} for w in (1, 2)],
    }


def raw_run() -> dict:
    """Six configurations; the first is the fastest everywhere, each next one 1.5x slower."""
    return {"machine": "**Machine:** test CPU, 2 cores, load 0.10.",
            "configurations": [configuration(name, 1.5 ** i)
                               for i, name in enumerate(CONFIGURATIONS)]}


class SummaryTest(unittest.TestCase):
    def test_every_row_gets_every_configuration_in_its_unit(self):
        summary = summarize(raw_run())
        self.assertEqual([row["key"] for row in summary["rows"]], [row_key(r) for r in ROWS])
        by_key = {row["key"]: row for row in summary["rows"]}
        first = CONFIGURATIONS[0]
        # standard workloads: CPU ns per item, from the ns_per_* counter
        self.assertAlmostEqual(by_key["spawn_many/workers:1"]["values"][first], 100.0)
        # skewed: the wall-clock time of an iteration, in ms, not the CPU time
        self.assertAlmostEqual(by_key["skewed/workers:2"]["values"][first], 2.0)
        # contended: the last task's completion, in ms; starvation: p99 in ms
        self.assertAlmostEqual(by_key["contended/workers:1"]["values"][first], 3.0)
        self.assertAlmostEqual(by_key["starvation/workers:2"]["values"][first], 5.0)
        last = CONFIGURATIONS[-1]
        self.assertAlmostEqual(by_key["starvation/workers:2"]["values"][last], 5.0 * 1.5 ** 5)

    def test_a_workload_error_is_refused_not_summarized(self):
        raw = raw_run()
        raw["configurations"][2]["standard"]["benchmarks"][0] = benchmark_entry(
            "spawn_many", 1, 1.0, 1.0, 1e-9, error="spawn_many: a task did not run")
        with self.assertRaisesRegex(RunError, "a task did not run"):
            summarize(raw)

    def test_a_missing_configuration_is_named(self):
        raw = raw_run()
        del raw["configurations"][3]
        with self.assertRaisesRegex(RunError, f"spawn_many/workers:1 on {CONFIGURATIONS[3]}"):
            summarize(raw)


class TableTest(unittest.TestCase):
    def test_the_lowest_figure_of_each_row_is_bold_and_only_it(self):
        lines = table(summarize(raw_run())).splitlines()
        self.assertIn("RR<br>budget", lines[0])
        self.assertIn("HY<br>none", lines[0])
        rows = [line for line in lines[2:] if line.startswith("| ")]
        self.assertEqual(len(rows), len(ROWS))
        for line in rows:
            cells = line.strip("|").split("|")[1:]
            self.assertTrue(cells[0].strip().startswith("**"), line)
            self.assertEqual(sum("**" in cell for cell in cells), 1, line)
        self.assertIn("test CPU", lines[-1])
        self.assertIn("spawn_many, chained_spawn: CPU time per task", lines[-3])

    def test_a_row_is_shown_in_the_unit_of_its_smallest_figure(self):
        self.assertEqual(row_unit([312.4, 4860.0], "ns"), "ns")
        self.assertEqual(row_unit([1380.0, 2000.0], "ns"), "µs")
        self.assertEqual(row_unit([0.135, 1.5], "ms"), "µs")
        self.assertEqual(row_unit([4.85, 207.0], "ms"), "ms")
        self.assertEqual(row_unit([1500.0], "ms"), "s")
        # the whole run beside a tenth of a millisecond: ms, not seven digits of µs
        self.assertEqual(row_unit([0.141, 999.2], "ms"), "ms")
        self.assertEqual(row_unit([129.0, 16582.0], "ns"), "µs")

    def test_readable_figures_keep_three_digits(self):
        self.assertEqual(readable(312.4, "ns", "ns"), "312")
        self.assertEqual(readable(4860.0, "ns", "ns"), "4,860")
        self.assertEqual(readable(1380.0, "ns", "µs"), "1.38")
        self.assertEqual(readable(45.25, "ms", "ms"), "45.2")
        self.assertEqual(readable(0.135, "ms", "µs"), "135")
        self.assertEqual(readable(0.141, "ms", "ms"), "0.141")


class MovedTest(unittest.TestCase):
    def test_the_largest_change_of_a_row_and_where(self):
        first = summarize(raw_run())
        second = copy.deepcopy(first)
        second["rows"][0]["values"][CONFIGURATIONS[4]] *= 1.25
        changes = moved(first, second)
        self.assertEqual(changes[0][0], "spawn_many/workers:1")
        self.assertAlmostEqual(changes[0][1], 0.25)
        self.assertEqual(changes[0][2], CONFIGURATIONS[4])
        self.assertEqual(changes[1][1], 0.0)


class CommandTest(unittest.TestCase):
    def test_a_missing_program_fails_with_what_to_do(self):
        with tempfile.TemporaryDirectory() as empty:
            printed = io.StringIO()
            with contextlib.redirect_stderr(printed):
                self.assertEqual(main([empty]), 1)
            self.assertIn("make compare builds it", printed.getvalue())

    def test_from_a_raw_run_prints_the_table_without_running(self):
        with tempfile.TemporaryDirectory() as directory:
            raw = Path(directory) / "compare.json"
            raw.write_text(json.dumps(raw_run()))
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                status = main([directory, "--from", str(raw), "--against", str(raw)])
            self.assertEqual(status, 0)
            self.assertIn("| spawn_many (1), ns |", printed.getvalue())
            self.assertIn("moved   0.0% at most: spawn_many/workers:1", printed.getvalue())


class ChartTest(unittest.TestCase):
    def test_the_chart_places_the_best_at_x1_and_has_a_mark_per_figure(self):
        spec = importlib.util.spec_from_file_location(
            "schedulers_compared", REPOSITORY / "assets" / "schedulers-compared.py")
        chart_module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(REPOSITORY / "assets"))
        spec.loader.exec_module(chart_module)
        svg = chart_module.chart(summarize(raw_run()))
        self.assertTrue(svg.startswith("<svg"))
        marks = svg.count("<rect x=") + svg.count("<circle") + svg.count("<polygon")
        legend_marks = 3
        self.assertEqual(marks - legend_marks, len(ROWS) * len(CONFIGURATIONS))
        self.assertIn("×1<", svg)


if __name__ == "__main__":
    unittest.main()
