"""Tests of the benchmark table: parsing Google Benchmark's JSON, the strongest Asio form and
the ratios to it, errors, column order."""

import json
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from bench_table import (  # noqa: E402
    ART_CAPTION,
    ASIO_CAPTION,
    CONTENDED_NOTE,
    CONTENDED_SCHEDULERS_NOTE,
    DIFFERENCES_NOTE,
    PEERS_NOTE,
    SKEWED_NOTE,
    THREADED_CAPTION,
    THREADED_DIFFERENCES_NOTE,
    THREADED_PEERS_NOTE,
    THREADED_SCALING_NOTE,
    ContendedResult,
    Measurement,
    ProgramResult,
    Strongest,
    format_table,
    parse_benchmark_json,
    parse_contended_json,
    parse_starvation,
    ratio,
    run_contended,
    starvation_table,
    strongest_asio,
    work_stealing_targets,
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


def tables(table):
    """Each Markdown table of the report, in order, as {first cell: other cells} by row."""
    found, current = [], None
    for line in table.splitlines():
        if line.startswith("|"):
            if current is None:
                current = {}
                found.append(current)
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            current[cells[0]] = cells[1:]
        else:
            current = None
    return found


class ParseTests(unittest.TestCase):
    def test_the_median_aggregate_is_used_and_units_become_microseconds(self):
        text = output(
            aggregate("spawn_many", "mean", 900.0, unit="ns"),
            aggregate("spawn_many", "median", 500.0, unit="ns"),
            aggregate("spawn_many", "stddev", 50.0, unit="ns"),
        )
        measurement = parse_benchmark_json(text)["spawn_many"]
        self.assertAlmostEqual(measurement.time_us, 0.5)
        self.assertIsNone(measurement.error)

    def test_a_single_run_is_used_when_there_are_no_aggregates(self):
        measurement = parse_benchmark_json(output(run("ping_pong", 2.0, unit="ms")))["ping_pong"]
        self.assertAlmostEqual(measurement.time_us, 2000.0)

    def test_the_cpu_time_is_reported_unless_the_wall_clock_is_asked_for(self):
        # 10 000 tasks in 500 µs of CPU time is 50 ns each; the wall clock says 600 µs.
        entry = run("spawn_many", 600.0, cpu=500.0, ns_per_task=5e-08)
        cpu = parse_benchmark_json(output(entry))["spawn_many"]
        self.assertAlmostEqual(cpu.time_us, 500.0)
        self.assertAlmostEqual(cpu.per_item_ns, 50.0)
        wall = parse_benchmark_json(output(entry), clock="real")["spawn_many"]
        self.assertAlmostEqual(wall.time_us, 600.0)
        self.assertAlmostEqual(wall.per_item_ns, 60.0)

    def test_the_wall_clock_over_the_cpu_time_is_kept_whichever_clock_is_reported(self):
        # Two workers, one of them asleep: 4,000 µs of CPU time in 2,200 µs of wall clock.
        text = output(aggregate("skewed/workers:2/process_time", "median", 2200.0, cpu=4000.0))
        for clock in ("cpu", "real"):
            measurement = parse_benchmark_json(text, clock)["skewed/workers:2"]
            self.assertAlmostEqual(measurement.wall_per_cpu, 0.55)

    def test_a_threaded_workload_is_keyed_by_its_worker_count_without_its_clock(self):
        # MeasureProcessCPUTime appends /process_time to the names; UseRealTime, /real_time.
        text = output(
            aggregate("spawn_many/workers:1/process_time", "median", 700.0),
            aggregate("spawn_many/workers:2/process_time/real_time", "median", 900.0),
        )
        measurements = parse_benchmark_json(text)
        self.assertEqual(set(measurements), {"spawn_many/workers:1", "spawn_many/workers:2"})
        self.assertAlmostEqual(measurements["spawn_many/workers:2"].time_us, 900.0)

    def test_an_error_in_any_repetition_makes_the_workload_an_error(self):
        text = output(
            run("yield_many", 0.0, error_occurred=True, error_message="yield_many: lost a task"),
            run("yield_many", 10.0),
        )
        measurement = parse_benchmark_json(text)["yield_many"]
        self.assertEqual(measurement.error, "yield_many: lost a task")
        self.assertIsNone(measurement.time_us)


def program(name, **times):
    """A program that measured each workload given, in µs."""
    return ProgramResult(name, {w: Measurement(time_us=t) for w, t in times.items()})


class StrongestTests(unittest.TestCase):
    def test_the_strongest_is_the_fastest_asio_form_on_each_workload(self):
        asio = program("asio", spawn_many=500.0, yield_many=100.0)
        unsafe = program("asio-unsafe", spawn_many=400.0, yield_many=120.0)
        coro = program("asio-coro", spawn_many=5000.0, yield_many=900.0)
        art = program("ch05", spawn_many=10.0, yield_many=10.0)  # fastest, but not a peer
        programs = [art, coro, unsafe, asio]
        self.assertEqual(strongest_asio(programs, "spawn_many"), Strongest("asio-unsafe", 400.0))
        self.assertEqual(strongest_asio(programs, "yield_many"), Strongest("asio", 100.0))
        self.assertIsNone(strongest_asio(programs, "ping_pong"))

    def test_an_asio_form_with_an_error_or_a_failure_is_never_the_strongest(self):
        broken = ProgramResult("asio-unsafe", {"spawn_many": Measurement(error="lost a task")})
        failed = ProgramResult("asio-coro", failure="exit status 134: Aborted")
        asio = program("asio", spawn_many=500.0)
        strongest = strongest_asio([broken, failed, asio], "spawn_many")
        self.assertEqual(strongest, Strongest("asio", 500.0))

    def test_the_ratio_is_the_programs_time_over_the_strongest_one(self):
        strongest = Strongest("asio-unsafe", 400.0)
        self.assertAlmostEqual(ratio(Measurement(time_us=600.0), strongest), 1.5)
        self.assertAlmostEqual(ratio(Measurement(time_us=100.0), strongest), 0.25)


class TableTests(unittest.TestCase):
    def table(self, *programs):
        return format_table(list(programs), "**Machine:** test")

    def test_asio_forms_come_first_in_their_own_table_then_art_by_name(self):
        names = ["ch05", "asio-coro", "ch04", "asio-unsafe", "asio", "ch05-futures"]
        table = self.table(*[program(name) for name in names])
        self.assertTrue(table.startswith("**Machine:** test\n"))
        self.assertIn(
            ASIO_CAPTION + "\n\n| workload | asio | asio-unsafe | asio-coro | strongest |", table
        )
        self.assertIn(
            ART_CAPTION + "\n\n| workload | ch04 | ch05 | ch05-futures | ratios to |", table
        )
        asio_table, art_table = tables(table)
        workloads = ["spawn_many", "yield_many", "ping_pong", "chained_spawn", "ping_pong_serial"]
        for body in (asio_table, art_table):
            self.assertEqual(list(body), ["workload", "---", *workloads, "spawn_many, per task"])

    def test_every_ratio_is_to_the_strongest_asio_form_of_its_workload(self):
        asio = ProgramResult(
            "asio",
            {
                "spawn_many": Measurement(time_us=500.0, per_item_ns=50.0),
                "yield_many": Measurement(time_us=100.0),
            },
        )
        unsafe = program("asio-unsafe", spawn_many=400.0, yield_many=120.0)
        coro = program("asio-coro", spawn_many=6000.0, yield_many=600.0)
        ch05 = ProgramResult(
            "ch05",
            {
                "spawn_many": Measurement(time_us=600.0, per_item_ns=60.0),
                "yield_many": Measurement(time_us=50.0),
            },
        )
        ch04 = program("ch04", spawn_many=1000.0)
        asio_table, art_table = tables(self.table(ch05, coro, asio, ch04, unsafe))
        self.assertEqual(
            asio_table["spawn_many"],
            ["500 µs (×1.25)", "400 µs (×1.00)", "6,000 µs (×15.00)", "asio-unsafe"],
        )
        self.assertEqual(
            asio_table["yield_many"],
            ["100 µs (×1.00)", "120 µs (×1.20)", "600 µs (×6.00)", "asio"],
        )
        self.assertEqual(
            art_table["spawn_many"], ["1,000 µs (×2.50)", "600 µs (×1.50)", "asio-unsafe"]
        )
        self.assertEqual(art_table["yield_many"], ["not measured", "50.0 µs (×0.50)", "asio"])
        self.assertEqual(art_table["ping_pong"], ["not measured", "not measured", "–"])
        self.assertEqual(asio_table["spawn_many, per task"], ["50.0 ns", "–", "–", ""])
        self.assertEqual(art_table["spawn_many, per task"], ["–", "60.0 ns", ""])

    def test_the_notes_say_what_each_column_is_and_what_each_side_does(self):
        table = self.table(program("asio", chained_spawn=40.0), program("ch04", chained_spawn=60.0))
        self.assertIn("\n\n" + PEERS_NOTE + "\n", table)
        self.assertIn("\n\n" + DIFFERENCES_NOTE + "\n", table)
        self.assertIn("above 1, slower than Asio at its best", table)
        self.assertIn("Each cell is the CPU time of one whole workload", table)
        wall = format_table([program("asio", chained_spawn=40.0)], "**Machine:** test", "real")
        self.assertIn("Each cell is the wall-clock time of one whole workload", wall)

    def test_errors_and_failures_are_named_in_their_cells(self):
        asio = ProgramResult("asio", {"yield_many": Measurement(error="yield_many: lost a task")})
        broken = ProgramResult("ch06", failure="exit status 134: Aborted")
        asio_table, art_table = tables(self.table(asio, broken))
        self.assertEqual(asio_table["yield_many"], ["error: yield_many: lost a task", "–"])
        self.assertEqual(art_table["yield_many"], ["failed: exit status 134: Aborted", "–"])
        self.assertIn("bench-ch06 failed:", self.table(asio, broken))
        self.assertTrue(asio.failed())
        self.assertTrue(broken.failed())

    def test_without_an_asio_form_there_are_no_ratios(self):
        table = self.table(program("ch04", chained_spawn=3.25))
        (art_table,) = tables(table)
        self.assertEqual(art_table["chained_spawn"], ["3.25 µs", "–"])
        self.assertFalse(program("ch04").failed())


def threaded(name, **times):
    """A multi-threaded program: times in µs by workload_N, N the worker count."""
    measurements = {}
    for key, time in times.items():
        workload, workers = key.rsplit("_", 1)
        measurements[f"{workload}/workers:{workers}"] = Measurement(time_us=time)
    return ProgramResult(name, measurements)


class ThreadedTableTests(unittest.TestCase):
    def table(self, *programs, clock="cpu"):
        return format_table(list(programs), "**Machine:** test", clock)

    def test_threaded_programs_get_their_own_table_art_first(self):
        ch07 = threaded("ch07", spawn_many_1=500.0, spawn_many_2=800.0)
        shared = threaded("asio-shared", spawn_many_1=400.0, spawn_many_2=700.0)
        per_thread = threaded("asio-per-thread", spawn_many_1=300.0, spawn_many_2=250.0)
        single = program("asio", spawn_many=100.0)
        table = self.table(per_thread, single, shared, ch07)
        self.assertIn(
            THREADED_CAPTION
            + "\n\n| workload | ch07 | asio-shared | asio-per-thread | ratios to |",
            table,
        )
        asio_table, threaded_table = tables(table)
        self.assertEqual(asio_table["workload"], ["asio", "strongest"])  # single-thread only
        rows = [
            f"{workload}, {kind}"
            for workload in ["spawn_many", "yield_many", "ping_pong", "chained_spawn", "skewed"]
            for kind in ["1 worker", "2 workers", "2 ÷ 1"]
        ]
        self.assertEqual(list(threaded_table), ["workload", "---", *rows])

    def test_chapter_08_is_a_column_beside_chapter_07s_before_asios(self):
        names = ["asio-per-thread", "ch08", "asio-shared", "ch07-untraced", "ch07"]
        table = self.table(*[threaded(name, yield_many_1=100.0) for name in names])
        (body,) = tables(table)
        self.assertEqual(
            body["workload"],
            ["ch07", "ch07-untraced", "ch08", "asio-shared", "asio-per-thread", "ratios to"],
        )

    def test_the_hybrid_column_stands_beside_work_stealing(self):
        names = ["asio-shared", "ch10", "ch08", "ch09", "ch07"]
        table = self.table(*[threaded(name, yield_many_1=100.0) for name in names])
        (body,) = tables(table)
        self.assertEqual(
            body["workload"], ["ch07", "ch08", "ch09", "ch10", "asio-shared", "ratios to"]
        )
        self.assertIn("ch10: the same tasks on chapter 10's Runtime with its HybridScheduler",
                      THREADED_PEERS_NOTE)
        self.assertIn("ch10 differs from ch09 only in the order", THREADED_DIFFERENCES_NOTE)

    def test_the_skewed_rows_give_the_wall_clock_over_the_cpu_time(self):
        def skewed(name, **wall_per_cpu):
            measurements = {
                f"skewed/workers:{workers[-1]}": Measurement(time_us=4000.0, wall_per_cpu=share)
                for workers, share in wall_per_cpu.items()
            }
            measurements["chained_spawn/workers:2"] = Measurement(
                time_us=50.0, wall_per_cpu=0.9
            )
            return ProgramResult(name, measurements)

        ch07 = skewed("ch07", w1=1.0, w2=0.52)
        ch08 = skewed("ch08", w1=1.0, w2=0.98)
        shared = skewed("asio-shared", w1=1.01, w2=0.51)
        (body,) = tables(self.table(ch07, ch08, shared))
        self.assertEqual(
            body["skewed, 2 workers"],
            [
                "4,000 µs (×1.00); wall ÷ CPU 0.52",
                "4,000 µs (×1.00); wall ÷ CPU 0.98",
                "4,000 µs (×1.00); wall ÷ CPU 0.51",
                "asio-shared",
            ],
        )
        self.assertEqual(body["skewed, 1 worker"][2], "4,000 µs (×1.00); wall ÷ CPU 1.01")
        self.assertEqual(body["skewed, 2 ÷ 1"], ["×1.00", "×1.00", "×1.00", ""])
        # Only the skewed rows: elsewhere the cell is the time and its ratio.
        self.assertEqual(body["chained_spawn, 2 workers"][0], "50.0 µs (×1.00)")
        # A skewed cell without the wall clock is an ordinary one.
        (body,) = tables(self.table(threaded("ch08", skewed_2=4000.0)))
        self.assertEqual(body["skewed, 2 workers"], ["4,000 µs", "–"])

    def test_ratios_are_per_worker_count_and_the_scaling_is_two_over_one(self):
        ch07 = threaded("ch07", ping_pong_1=600.0, ping_pong_2=900.0)
        shared = threaded("asio-shared", ping_pong_1=300.0, ping_pong_2=450.0)
        per_thread = threaded("asio-per-thread", ping_pong_1=400.0, ping_pong_2=300.0)
        (body,) = tables(self.table(ch07, shared, per_thread))
        self.assertEqual(
            body["ping_pong, 1 worker"],
            ["600 µs (×2.00)", "300 µs (×1.00)", "400 µs (×1.33)", "asio-shared"],
        )
        self.assertEqual(
            body["ping_pong, 2 workers"],
            ["900 µs (×3.00)", "450 µs (×1.50)", "300 µs (×1.00)", "asio-per-thread"],
        )
        self.assertEqual(body["ping_pong, 2 ÷ 1"], ["×1.50", "×1.50", "×0.75", ""])
        self.assertEqual(body["yield_many, 2 ÷ 1"], ["–", "–", "–", ""])

    def test_a_threaded_program_that_failed_is_placed_by_its_name(self):
        failed = ProgramResult("ch07", failure="exit status 134: Aborted")
        single_failed = ProgramResult("ch05", failure="exit status 1")
        shared = threaded("asio-shared", chained_spawn_1=40.0)
        art_table, threaded_table = tables(self.table(failed, single_failed, shared))
        self.assertEqual(art_table["workload"], ["ch05", "ratios to"])
        self.assertEqual(threaded_table["workload"], ["ch07", "asio-shared", "ratios to"])
        self.assertEqual(
            threaded_table["chained_spawn, 1 worker"],
            ["failed: exit status 134: Aborted", "40.0 µs (×1.00)", "asio-shared"],
        )

    def test_the_notes_say_what_each_side_does_and_how_to_read_the_scaling(self):
        shared = threaded("asio-shared", chained_spawn_1=40.0)
        table = self.table(threaded("ch07", chained_spawn_1=60.0), shared)
        self.assertIn("\n\n" + THREADED_PEERS_NOTE + "\n", table)
        self.assertIn("\n\n" + THREADED_DIFFERENCES_NOTE + "\n", table)
        self.assertIn("\n\n" + THREADED_SCALING_NOTE["cpu"] + "\n", table)
        self.assertIn("\n\n" + SKEWED_NOTE + "\n", table)
        self.assertIn("ch08: the same tasks on chapter 08's Runtime", THREADED_PEERS_NOTE)
        self.assertIn("not back to the waker's", THREADED_DIFFERENCES_NOTE)
        self.assertNotIn(PEERS_NOTE, table)  # no single-thread program, no single-thread notes
        wall = self.table(shared, clock="real")
        self.assertIn(THREADED_SCALING_NOTE["real"], wall)



class WorkStealingTargetTests(unittest.TestCase):
    def programs(self, **overrides):
        """ch09, ch08 and the two Asio forms, every target met unless overridden."""

        def measured(time_us, wall_us=None, **counters):
            return Measurement(time_us=time_us, wall_us=wall_us or time_us, counters=counters)

        ch09 = {
            f"{workload}/workers:2": measured(90.0)
            for workload in ["spawn_many", "yield_many", "ping_pong", "chained_spawn", "skewed"]
        }
        ch09["yield_many/workers:1"] = measured(100.0, wall_us=100.0)
        ch09["yield_many/workers:2"] = measured(90.0, wall_us=50.0)
        ch09["skewed/workers:2"] = measured(90.0, wall_us=40.0)
        ch09["idle/workers:2"] = measured(200_000.0, core_share=0.002)
        ch09.update(overrides)
        asio = {
            f"{workload}/workers:2": Measurement(time_us=100.0)
            for workload in ["spawn_many", "yield_many", "ping_pong", "chained_spawn", "skewed"]
        }
        ch08 = {"skewed/workers:2": measured(100.0, wall_us=80.0)}
        return [
            ProgramResult("ch09", ch09),
            ProgramResult("ch08", ch08),
            ProgramResult("asio-shared", asio),
        ]

    def test_every_target_is_judged_with_its_figures(self):
        lines = work_stealing_targets(self.programs())
        text = "\n".join(lines)
        self.assertIn("spawn_many, 2 workers, at or under the best Asio form (asio-shared): "
                      "×0.90, met", text)
        self.assertIn("yield_many at least 1.6× faster with 2 workers than with 1 (wall clock): "
                      "2.00×, met", text)
        self.assertIn("skewed at least 1.5× faster than round robin (ch08) at 2 workers "
                      "(wall clock): 2.00×, met", text)
        self.assertIn("an idle runtime below 1% of a core: 0.20%, met", text)
        self.assertNotIn("missed", text)

    def test_a_missed_target_says_so(self):
        slow = Measurement(time_us=150.0, wall_us=150.0)
        idle = Measurement(time_us=1.0, wall_us=1.0, counters={"core_share": 0.05})
        text = "\n".join(
            work_stealing_targets(
                self.programs(**{"ping_pong/workers:2": slow, "idle/workers:2": idle})
            )
        )
        self.assertIn("ping_pong, 2 workers, at or under the best Asio form (asio-shared): "
                      "×1.50, **missed**", text)
        self.assertIn("5.00%, **missed**", text)

    def test_missing_figures_are_unmeasured_never_met(self):
        programs = self.programs()
        del programs[0].measurements["idle/workers:2"]
        del programs[0].measurements["yield_many/workers:1"]
        text = "\n".join(work_stealing_targets(programs[:1]))  # no ch08, no Asio
        self.assertIn("spawn_many, 2 workers, at or under the best Asio form: unmeasured", text)
        self.assertIn("yield_many's speed-up from 1 to 2 workers: unmeasured", text)
        self.assertIn("skewed against round robin (ch08): unmeasured", text)
        self.assertIn("an idle runtime's share of a core: unmeasured", text)
        self.assertNotIn(", met", text)

    def test_no_work_stealing_column_no_targets(self):
        self.assertEqual(work_stealing_targets(self.programs()[1:]), [])

    def test_the_idle_counter_is_read_from_the_json(self):
        text = output(run("idle/workers:2/iterations:2", 200.0, unit="ms", core_share=0.004))
        measurements = parse_benchmark_json(text)
        self.assertEqual(list(measurements), ["idle/workers:2"])
        self.assertEqual(measurements["idle/workers:2"].counters, {"core_share": 0.004})


class StarvationTests(unittest.TestCase):
    LINES = "\n".join(
        json.dumps(row)
        for row in (
            {"workers": 1, "hog": "budget", "samples": 900, "p50_us": 120.4, "p99_us": 950.0,
             "max_us": 4100.0, "receives": 10},
            {"workers": 1, "hog": "unconstrained", "samples": 1, "p50_us": 1500000.0,
             "p99_us": 1500000.0, "max_us": 1500000.0, "receives": 11},
        )
    )

    def test_every_case_is_a_row_in_the_order_it_ran(self):
        table = starvation_table(parse_starvation(self.LINES))
        rows = [line for line in table if line.startswith("| 1 ")]
        self.assertEqual(len(rows), 2)
        self.assertIn("| budget | 900 | 120 | 950 | 4,100 |", rows[0])
        self.assertIn("| unconstrained | 1 | 1,500,000 |", rows[1])

    def test_the_note_says_what_each_case_is(self):
        table = "\n".join(starvation_table(parse_starvation(self.LINES)))
        self.assertIn("art::unconstrained", table)
        self.assertIn("every 128 receives", table)

    def test_anything_but_its_json_lines_is_refused(self):
        with self.assertRaises(ValueError):
            parse_starvation("")
        with self.assertRaises(ValueError):
            parse_starvation('{"workers": 1}')
        with self.assertRaises(ValueError):
            parse_starvation("workers hog samples")


def contended_json(scheduler, **by_workers):
    """A contended program's output: figures by worker count (w1=..., w2=...), each a
    (min, median, max, total, p50, p99, max) tuple of medians."""
    names = ["losses_min", "losses_median", "losses_max", "losses_total",
             "completion_p50_us", "completion_p99_us", "completion_max_us"]
    results = []
    for workers, values in by_workers.items():
        median = dict(zip(names, values))
        results.append({"workers": int(workers[1:]), "median": median, "runs": [median]})
    return json.dumps({"scheduler": scheduler, "tasks": 100, "rounds": 20, "hold_yields": 1,
                       "runs": 9, "results": results})


ROUND_ROBIN_1 = (1881, 1930, 1980, 193050, 10916.2, 10990.0, 10990.2)
STEALING_1 = (0, 976, 1952, 98820, 3043.3, 4145.8, 4146.0)
HYBRID_1 = (1881, 1930, 1980, 193050, 12492.8, 12571.4, 12571.6)
STEALING_2 = (10, 965, 4394, 107681, 4715.4, 6180.1, 6195.5)
HYBRID_2 = (780, 1399, 2398, 140474, 8650.3, 9154.0, 9155.6)


class ContendedTests(unittest.TestCase):
    def results(self):
        return [
            parse_contended_json("ch10", contended_json("hybrid", w1=HYBRID_1, w2=HYBRID_2)),
            parse_contended_json("ch08", contended_json("round robin", w1=ROUND_ROBIN_1)),
            parse_contended_json("ch09", contended_json("work stealing", w1=STEALING_1,
                                                        w2=STEALING_2)),
        ]

    def table(self, results, programs=()):
        return format_table(list(programs), "**Machine:** test", contended=results)

    def test_the_json_gives_the_medians_by_worker_count(self):
        result = parse_contended_json("ch09", contended_json("work stealing", w1=STEALING_1,
                                                             w2=STEALING_2))
        self.assertEqual(result.scheduler, "work stealing")
        self.assertEqual(result.workload, {"tasks": 100, "rounds": 20, "hold_yields": 1,
                                           "runs": 9})
        self.assertEqual(set(result.figures), {1, 2})
        self.assertEqual(result.figures[2]["losses_max"], 4394.0)
        self.assertEqual(result.figures[1]["completion_p99_us"], 4145.8)
        self.assertFalse(result.failed())

    def test_json_without_a_figure_is_not_read(self):
        text = json.loads(contended_json("hybrid", w1=HYBRID_1))
        del text["results"][0]["median"]["completion_p99_us"]
        with self.assertRaises(KeyError):
            parse_contended_json("ch10", json.dumps(text))
        with self.assertRaises(ValueError):
            parse_contended_json("ch10", "{\"scheduler\": ")

    def test_a_row_per_scheduler_and_worker_count_then_hybrid_over_work_stealing(self):
        (body,) = tables(self.table(self.results()))
        self.assertEqual(
            list(body),
            [
                "scheduler, workers", "---",
                "ch08 (round robin), 1 worker", "ch09 (work stealing), 1 worker",
                "ch10 (hybrid), 1 worker", "ch10 ÷ ch09, 1 worker",
                "ch08 (round robin), 2 workers", "ch09 (work stealing), 2 workers",
                "ch10 (hybrid), 2 workers", "ch10 ÷ ch09, 2 workers",
            ],
        )
        self.assertEqual(
            body["scheduler, workers"],
            ["losses: min", "median", "max", "max ÷ median", "all tasks", "finished: p50",
             "p99", "max"],
        )
        self.assertEqual(
            body["ch09 (work stealing), 1 worker"],
            ["0", "976", "1,952", "2.00", "98,820", "3,043 µs", "4,146 µs", "4,146 µs"],
        )
        # Work stealing's fewest losses are 0: no ratio to them.
        self.assertEqual(
            body["ch10 ÷ ch09, 1 worker"],
            ["–", "×1.98", "×1.01", "×0.51", "×1.95", "×4.11", "×3.03", "×3.03"],
        )
        self.assertEqual(
            body["ch10 ÷ ch09, 2 workers"][:4], ["×78.00", "×1.45", "×0.55", "×0.38"]
        )
        self.assertEqual(body["ch08 (round robin), 2 workers"], ["not measured"] + ["–"] * 7)

    def test_the_caption_and_notes_say_what_was_measured_and_how_to_read_it(self):
        table = self.table(self.results())
        self.assertIn(
            "**Contended workload (ch10)**: 100 tasks compete for one resource, 20 rounds "
            "each, holding it across 1 yield; the median of 9 runs:\n\n| scheduler, workers |",
            table,
        )
        self.assertIn("\n\n" + CONTENDED_NOTE + "\n", table)
        self.assertIn("\n\n" + CONTENDED_SCHEDULERS_NOTE + "\n", table)
        self.assertNotIn("Contended workload", self.table([], [program("ch04")]))

    def test_without_work_stealing_or_hybrid_there_is_no_ratio_row(self):
        results = [r for r in self.results() if r.name != "ch09"]
        (body,) = tables(self.table(results))
        self.assertNotIn("ch10 ÷ ch09, 1 worker", body)
        self.assertIn("ch10 (hybrid), 1 worker", body)

    def test_a_failed_program_is_named_in_its_rows_and_below(self):
        failed = ContendedResult("ch10", failure="exit status 1: contended: at 2 workers, ...")
        results = [failed, *[r for r in self.results() if r.name != "ch10"]]
        table = self.table(results)
        (body,) = tables(table)
        self.assertEqual(body["ch10, 1 worker"][0], "failed: exit status 1: contended: at 2 "
                         "workers, ...")
        self.assertNotIn("ch10 ÷ ch09, 1 worker", body)
        self.assertIn("**contended-ch10 failed:** exit status 1", table)
        self.assertTrue(failed.failed())


class RunContendedTests(unittest.TestCase):
    """run_contended against stand-in programs: what it reads, and how it says it failed."""

    def program(self, body):
        directory = tempfile.mkdtemp()
        path = Path(directory) / "contended-ch10"
        path.write_text("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def test_a_program_that_prints_its_json_is_read(self):
        output = contended_json("hybrid", w1=HYBRID_1, w2=HYBRID_2)
        result = run_contended(self.program(f"cat <<'EOF'\n{output}\nEOF\n"))
        self.assertEqual(result.name, "ch10")
        self.assertIsNone(result.failure)
        self.assertEqual(result.figures[2]["losses_min"], 780.0)

    def test_a_program_that_fails_says_why(self):
        result = run_contended(self.program(
            "printf '{\"scheduler\": \"hybrid\", '\n"
            "echo 'contended: at 2 workers, the contenders did not all finish' >&2\n"
            "exit 1\n"))
        self.assertEqual(
            result.failure,
            "exit status 1: contended: at 2 workers, the contenders did not all finish",
        )
        self.assertTrue(result.failed())

    def test_output_that_is_not_its_json_is_a_failure_even_with_status_0(self):
        result = run_contended(self.program("echo hello\n"))
        self.assertEqual(result.failure, "no readable JSON output")


if __name__ == "__main__":
    unittest.main()
