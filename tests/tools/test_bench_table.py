"""Tests of the benchmark table: parsing Google Benchmark's JSON, ratios, errors, column order."""

import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from bench_table import (  # noqa: E402
    PEERS_NOTE,
    Measurement,
    ProgramResult,
    format_table,
    parse_benchmark_json,
)


def run(name, real, cpu=None, unit="us", **extra):
    """One benchmark entry as Google Benchmark 1.7 writes it."""
    entry = {
        "name": name,
        "run_name": name,
        "run_type": "iteration",
        "iterations": 100,
        "real_time": real,
        "cpu_time": real if cpu is None else cpu,
        "time_unit": unit,
    }
    entry.update(extra)
    return entry


def aggregate(name, aggregate_name, real, **extra):
    entry = run(name, real, **extra)
    entry.update(
        name=f"{name}_{aggregate_name}", run_type="aggregate", aggregate_name=aggregate_name
    )
    return entry


def output(*entries):
    return json.dumps({"context": {"num_cpus": 2}, "benchmarks": list(entries)})


def rows(table):
    """The table's body rows, by their first cell."""
    body = {}
    for line in table.splitlines():
        if line.startswith("| "):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            body[cells[0]] = cells[1:]
    return body


class ParseTests(unittest.TestCase):
    def test_the_median_aggregate_is_used_and_units_become_microseconds(self):
        text = output(
            aggregate("spawn_many", "mean", 900.0, unit="ns"),
            aggregate("spawn_many", "median", 500.0, unit="ns"),
            aggregate("spawn_many", "stddev", 50.0, unit="ns"),
        )
        measurement = parse_benchmark_json(text)["spawn_many"]
        self.assertAlmostEqual(measurement.real_us, 0.5)
        self.assertIsNone(measurement.error)

    def test_a_single_run_is_used_when_there_are_no_aggregates(self):
        measurement = parse_benchmark_json(output(run("ping_pong", 2.0, unit="ms")))["ping_pong"]
        self.assertAlmostEqual(measurement.real_us, 2000.0)

    def test_per_item_counter_becomes_wall_clock_nanoseconds(self):
        # 10 000 tasks in 500 µs of CPU time is 50 ns each; the wall clock says 600 µs.
        entry = run("spawn_many", 600.0, cpu=500.0, ns_per_task=5e-08)
        measurement = parse_benchmark_json(output(entry))["spawn_many"]
        self.assertAlmostEqual(measurement.per_item_ns, 60.0)

    def test_an_error_in_any_repetition_makes_the_workload_an_error(self):
        text = output(
            run("yield_many", 0.0, error_occurred=True, error_message="yield_many: lost a task"),
            run("yield_many", 10.0),
        )
        measurement = parse_benchmark_json(text)["yield_many"]
        self.assertEqual(measurement.error, "yield_many: lost a task")
        self.assertIsNone(measurement.real_us)


class TableTests(unittest.TestCase):
    def table(self, *programs):
        return format_table(list(programs), "**Machine:** test")

    def test_cells_show_time_and_ratio_to_asio_which_comes_first(self):
        asio = ProgramResult(
            "asio",
            {
                "spawn_many": Measurement(real_us=500.0, per_item_ns=50.0),
                "ping_pong": Measurement(real_us=80.0),
            },
        )
        ch05 = ProgramResult("ch05", {"spawn_many": Measurement(real_us=250.0, per_item_ns=25.0)})
        ch04 = ProgramResult("ch04", {"spawn_many": Measurement(real_us=1000.0)})
        table = self.table(ch05, asio, ch04)
        self.assertTrue(table.startswith("**Machine:** test\n"))
        self.assertIn("| workload | asio | ch04 | ch05 |", table)
        body = rows(table)
        self.assertEqual(
            body["spawn_many"], ["500 µs (×1.00)", "1,000 µs (×2.00)", "250 µs (×0.50)"]
        )
        self.assertEqual(body["ping_pong"], ["80.0 µs (×1.00)", "not measured", "not measured"])
        self.assertEqual(body["spawn_many, per task"], ["50.0 ns", "–", "25.0 ns"])
        workloads = ["spawn_many", "yield_many", "ping_pong", "chained_spawn"]
        self.assertEqual(list(body), ["workload", *workloads, "spawn_many, per task"])

    def test_asio_coro_comes_second_and_its_ratios_are_to_asio(self):
        asio = ProgramResult("asio", {"chained_spawn": Measurement(real_us=40.0)})
        coro = ProgramResult("asio-coro", {"chained_spawn": Measurement(real_us=600.0)})
        ch04 = ProgramResult("ch04", {"chained_spawn": Measurement(real_us=60.0)})
        table = self.table(ch04, coro, asio)
        self.assertIn("| workload | asio | asio-coro | ch04 |", table)
        self.assertEqual(
            rows(table)["chained_spawn"],
            ["40.0 µs (×1.00)", "600 µs (×15.00)", "60.0 µs (×1.50)"],
        )
        self.assertIn("\n\n" + PEERS_NOTE + "\n", table)

    def test_errors_and_failures_are_named_in_their_cells(self):
        asio = ProgramResult("asio", {"yield_many": Measurement(error="yield_many: lost a task")})
        broken = ProgramResult("ch06", failure="exit status 134: Aborted")
        table = self.table(asio, broken)
        body = rows(table)
        self.assertEqual(
            body["yield_many"],
            ["error: yield_many: lost a task", "failed: exit status 134: Aborted"],
        )
        self.assertIn("bench-ch06 failed:", table)
        self.assertTrue(asio.failed())
        self.assertTrue(broken.failed())

    def test_without_a_baseline_there_are_no_ratios(self):
        table = self.table(ProgramResult("ch04", {"chained_spawn": Measurement(real_us=3.25)}))
        self.assertEqual(rows(table)["chained_spawn"], ["3.25 µs"])
        self.assertFalse(ProgramResult("ch04").failed())


if __name__ == "__main__":
    unittest.main()
