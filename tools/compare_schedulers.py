#!/usr/bin/env python3
"""Puts chapter 11's three schedulers side by side, with and without the budget.

This is what `make compare` runs. It runs bench/compare_schedulers.cpp (the program
compare-schedulers) once per configuration and workload: round robin, work stealing and the
hybrid scheduler, each with chapter 11's cooperative budget and without it (every task
wrapped in art::unconstrained), on tokio's four workloads and skewed at 1 and 2 workers, the
contended workload and the starvation experiment. Only the scheduler and the budget differ
between the six configurations: one program, one build, one Runtime.

    python3 tools/compare_schedulers.py [DIRECTORY] [--book] [--from RAW]
                                        [--benchmark_min_time=S] [--benchmark_repetitions=N]
                                        [--starvation_seconds=S] [--against RAW]

It writes everything the programs printed, with the machine and the build, to
DIRECTORY/compare.json (DIRECTORY: build/default/bench), and a summary table, one row per
workload and worker count, one column per configuration, to DIRECTORY/compare.md.
With --book it also writes the files the book shows: assets/schedulers-compared.json (the
summary), assets/schedulers-compared.md (the table the page includes) and, through
assets/schedulers-compared.py, the chart. --from RAW rebuilds the summary and the book's
files from an earlier compare.json without running anything; --against RAW prints how far
each row moved from an earlier run (its largest change over the six configurations).

A configuration whose program fails, or a workload that reports an error, is named on
stderr, and the script exits with status 1: a broken run never reaches the book.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_table import machine_line, parse_benchmark_json  # noqa: E402

PROGRAM = "compare-schedulers"
REPOSITORY = Path(__file__).resolve().parents[1]
ASSETS = REPOSITORY / "assets"
BOOK_NAME = "schedulers-compared"

SCHEDULERS = ("round-robin", "work-stealing", "hybrid")
SHORT_NAMES = {"round-robin": "RR", "work-stealing": "WS", "hybrid": "HY"}
BUDGETS = (True, False)
WORKER_COUNTS = (1, 2)

# Enough repetitions for a median; short enough that the whole comparison, six
# configurations of ten benchmarks, the contended workload and the starvation
# experiment, runs in about two minutes.
DEFAULT_MIN_TIME = "0.2"
DEFAULT_REPETITIONS = 3
DEFAULT_STARVATION_SECONDS = 1.0
CONTENDED_RUNS = 9
PROGRAM_TIMEOUT_SECONDS = 300


def configuration_name(scheduler: str, budget: bool) -> str:
    """round-robin/budget, hybrid/no-budget: the name compare-schedulers reports."""
    return f"{scheduler}/{'budget' if budget else 'no-budget'}"


CONFIGURATIONS = tuple(
    configuration_name(scheduler, budget) for scheduler in SCHEDULERS for budget in BUDGETS
)


@dataclass(frozen=True)
class Row:
    """One row of the table: a figure of one workload at one worker count."""

    workload: str  # spawn_many, ..., contended, starvation
    workers: int
    figure: str  # what the figure is, said under the table
    unit: str  # "ns" or "ms": how the value is stored


# Every row: lower is better in each. The standard workloads give the CPU time per item
# (all the process's threads); skewed the wall-clock time of an iteration (a worker that
# sleeps while the other works shows only there); contended the time until the last of its
# 100 tasks finished; starvation the probe's 99th-percentile lateness.
FIGURES = (
    ("spawn_many", "CPU time per task", "ns"),
    ("yield_many", "CPU time per yield", "ns"),
    ("ping_pong", "CPU time per ping", "ns"),
    ("chained_spawn", "CPU time per task", "ns"),
    ("skewed", "wall-clock time of one run of the 256 tasks", "ms"),
    ("contended", "wall-clock time until the last of the 100 tasks finished", "ms"),
    ("starvation", "the probe's lateness at the 99th percentile", "ms"),
)
ROWS = tuple(
    Row(workload, workers, figure, unit)
    for workload, figure, unit in FIGURES
    for workers in WORKER_COUNTS
)

STANDARD = ("spawn_many", "yield_many", "ping_pong", "chained_spawn", "skewed")


class RunError(Exception):
    """A program failed or printed something unreadable."""


def row_key(row: Row) -> str:
    return f"{row.workload}/workers:{row.workers}"


def standard_figures(benchmark_json: str) -> dict[str, float]:
    """The standard workloads' figures of one configuration, by row key: CPU ns per item,
    and skewed's wall-clock ms per iteration."""
    figures = {}
    for key, measurement in parse_benchmark_json(benchmark_json, "cpu").items():
        workload = key.split("/")[0]
        if workload not in STANDARD:
            continue
        if measurement.error:
            raise RunError(f"{key}: {measurement.error}")
        if workload == "skewed":
            if measurement.wall_us is None:
                raise RunError(f"{key}: no wall-clock time")
            figures[key] = measurement.wall_us / 1e3
        else:
            if measurement.per_item_ns is None:
                raise RunError(f"{key}: no ns_per_* counter")
            figures[key] = measurement.per_item_ns
    return figures


def contended_figures(report: dict) -> dict[str, float]:
    """The contended workload's figure by row key: when its last task finished, in ms (the
    median over its runs)."""
    return {
        f"contended/workers:{result['workers']}": result["median"]["completion_max_us"] / 1e3
        for result in report["results"]
    }


def starvation_figures(rows: list[dict]) -> dict[str, float]:
    """The starvation experiment's figure by row key: the probe's p99 lateness, in ms."""
    return {f"starvation/workers:{row['workers']}": row["p99_us"] / 1e3 for row in rows}


def parse_json_lines(text: str) -> list[dict]:
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not rows:
        raise RunError("no JSON lines")
    return rows


def summarize(raw: dict) -> dict:
    """The book's summary of a raw run: every row's value per configuration, and the
    machine line."""
    values: dict[str, dict[str, float]] = {row_key(row): {} for row in ROWS}
    for configuration in raw["configurations"]:
        name = configuration["name"]
        figures = {
            **standard_figures(json.dumps(configuration["standard"])),
            **contended_figures(configuration["contended"]),
            **starvation_figures(configuration["starvation"]),
        }
        for key, value in figures.items():
            if key in values:
                values[key][name] = value
    missing = [
        f"{key} on {name}"
        for key, by_name in values.items()
        for name in CONFIGURATIONS
        if name not in by_name
    ]
    if missing:
        raise RunError("no figure for " + ", ".join(missing))
    return {
        "machine": raw["machine"],
        "configurations": list(CONFIGURATIONS),
        "rows": [
            {
                "key": row_key(row),
                "workload": row.workload,
                "workers": row.workers,
                "figure": row.figure,
                "unit": row.unit,
                "values": values[row_key(row)],
            }
            for row in ROWS
        ],
    }


UNIT_SECONDS = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}


def row_unit(values: list[float], unit: str) -> str:
    """The unit a row is shown in: the largest in which its smallest figure is at least 1,
    or a larger one when its largest figure would need more than four digits there."""
    units = ("ns", "µs", "ms", "s")
    smallest = min(values) * UNIT_SECONDS[unit]
    chosen = next((i for i in (3, 2, 1) if smallest >= UNIT_SECONDS[units[i]]), 0)
    largest = max(values) * UNIT_SECONDS[unit]
    while chosen < 3 and largest >= 10_000 * UNIT_SECONDS[units[chosen]]:
        chosen += 1
    return units[chosen]


def readable(value: float, unit: str, shown_in: str) -> str:
    """A figure stored in `unit`, shown in `shown_in` with three significant digits (more
    when it is a thousand or more): 312, 45.2, 1.38, 0.141, 4,860."""
    shown = value * UNIT_SECONDS[unit] / UNIT_SECONDS[shown_in]
    if shown >= 100:
        return f"{shown:,.0f}"
    if shown >= 10:
        return f"{shown:.1f}"
    return f"{shown:.2f}" if shown >= 1 else f"{shown:.3f}"


def _header(name: str) -> str:
    scheduler, budget = name.split("/")
    return f"{SHORT_NAMES[scheduler]}<br>{'budget' if budget == 'budget' else 'none'}"


def table(summary: dict) -> str:
    """The Markdown table the page includes: a row per workload and worker count, a column
    per configuration, the lowest figure of each row in bold; what each row's figure is,
    under it."""
    names = summary["configurations"]
    lines = [
        "| workload (workers), unit | " + " | ".join(_header(n) for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for row in summary["rows"]:
        values = row["values"]
        best = min(values[n] for n in names)
        unit = row_unit([values[n] for n in names], row["unit"])
        cells = []
        for name in names:
            cell = readable(values[name], row["unit"], unit)
            cells.append(f"**{cell}**" if values[name] == best else cell)
        label = f"{row['workload']} ({row['workers']}), {unit}"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    figures: dict[str, list[str]] = {}
    for row in summary["rows"]:
        workloads = figures.setdefault(row["figure"], [])
        if row["workload"] not in workloads:
            workloads.append(row["workload"])
    said = "; ".join(f"{', '.join(w)}: {figure}" for figure, w in figures.items())
    lines += ["", f"*Lower is better in every row; the best of a row is in bold. {said}.*"]
    lines += ["", f"<small>{summary['machine']}</small>"]
    return "\n".join(lines) + "\n"


def moved(first: dict, second: dict) -> list[tuple[str, float, str]]:
    """How far each row moved between two summaries: its largest relative change over the
    configurations (as a fraction of the smaller figure) and the configuration that moved
    most."""
    result = []
    for row_a, row_b in zip(first["rows"], second["rows"]):
        if row_a["key"] != row_b["key"]:
            raise ValueError(f"the summaries' rows differ: {row_a['key']}, {row_b['key']}")
        change, where = max(
            (
                abs(row_a["values"][n] - row_b["values"][n])
                / min(row_a["values"][n], row_b["values"][n]),
                n,
            )
            for n in first["configurations"]
        )
        result.append((row_a["key"], change, where))
    return result


# -- running ---------------------------------------------------------------------------


def _run(command: list[str]) -> str:
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=PROGRAM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RunError(f"{' '.join(command)}: timed out after {error.timeout} s") from error
    except OSError as error:
        raise RunError(f"{' '.join(command)}: {error}") from error
    if completed.returncode != 0:
        last = completed.stderr.strip().splitlines()[-1:] or ["no message"]
        raise RunError(f"{' '.join(command)}: exit status {completed.returncode}: {last[0]}")
    return completed.stdout


def run_configuration(program: Path, scheduler: str, budget: bool, options: argparse.Namespace) -> dict:
    """Every workload on one configuration: what the program printed, parsed."""
    name = configuration_name(scheduler, budget)
    common = [f"--scheduler={scheduler}", f"--budget={'on' if budget else 'off'}"]
    print(f"compare_schedulers: {name}", file=sys.stderr, flush=True)
    standard = _run(
        [
            str(program),
            "standard",
            *common,
            "--benchmark_format=json",
            f"--benchmark_min_time={options.benchmark_min_time}",
            f"--benchmark_repetitions={options.benchmark_repetitions}",
            "--benchmark_report_aggregates_only=true",
        ]
    )
    contended = _run([str(program), "contended", *common, f"--runs={CONTENDED_RUNS}"])
    starvation = _run(
        [str(program), "starvation", *common, f"--seconds={options.starvation_seconds}"]
    )
    try:
        return {
            "name": name,
            "scheduler": scheduler,
            "budget": budget,
            "standard": json.loads(standard),
            "contended": json.loads(contended),
            "starvation": parse_json_lines(starvation),
        }
    except ValueError as error:
        raise RunError(f"{name}: unreadable output: {error}") from error


def run_all(directory: Path, options: argparse.Namespace) -> dict:
    program = directory / PROGRAM
    if not (program.is_file() and os.access(program, os.X_OK)):
        raise RunError(
            f"no {program} (it is built by the default preset: make compare builds it)"
        )
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    configurations = [
        run_configuration(program, scheduler, budget, options)
        for scheduler in SCHEDULERS
        for budget in BUDGETS
    ]
    return {
        "machine": machine_line(directory),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "seconds": round(time.monotonic() - started, 1),
        "options": {
            "benchmark_min_time": options.benchmark_min_time,
            "benchmark_repetitions": options.benchmark_repetitions,
            "starvation_seconds": options.starvation_seconds,
            "contended_runs": CONTENDED_RUNS,
        },
        "configurations": configurations,
    }


def write_book(summary: dict) -> None:
    (ASSETS / f"{BOOK_NAME}.json").write_text(json.dumps(summary, indent=1) + "\n")
    (ASSETS / f"{BOOK_NAME}.md").write_text(table(summary))
    subprocess.run([sys.executable, str(ASSETS / f"{BOOK_NAME}.py")], check=True)
    svg = ASSETS / f"{BOOK_NAME}.svg"
    (REPOSITORY / "book" / "src" / "images" / svg.name).write_bytes(svg.read_bytes())
    print(f"compare_schedulers: wrote assets/{BOOK_NAME}.{{json,md,svg}}", file=sys.stderr)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", nargs="?", default="build/default/bench", type=Path)
    parser.add_argument("--book", action="store_true", help="also write the book's files")
    parser.add_argument("--from", dest="source", type=Path, help="an earlier compare.json")
    parser.add_argument(
        "--against", type=Path, help="an earlier compare.json: say how far each row moved"
    )
    parser.add_argument("--benchmark_min_time", default=DEFAULT_MIN_TIME)
    parser.add_argument("--benchmark_repetitions", default=DEFAULT_REPETITIONS, type=int)
    parser.add_argument("--starvation_seconds", default=DEFAULT_STARVATION_SECONDS, type=float)
    args = parser.parse_args(argv)
    try:
        if args.source:
            raw = json.loads(args.source.read_text())
        else:
            raw = run_all(args.directory, args)
            (args.directory / "compare.json").write_text(json.dumps(raw, indent=1) + "\n")
        summary = summarize(raw)
    except (RunError, OSError, ValueError, KeyError) as error:
        print(f"compare_schedulers: {error}", file=sys.stderr)
        return 1
    report = table(summary)
    print(report, end="")
    if not args.source:
        (args.directory / "compare.md").write_text(report)
        print(
            f"compare_schedulers: wrote {args.directory / 'compare.json'} and compare.md "
            f"(load {raw['load_before']} before, {raw['load_after']} after, {raw['seconds']} s)",
            file=sys.stderr,
        )
    if args.against:
        try:
            other = summarize(json.loads(args.against.read_text()))
        except (RunError, OSError, ValueError, KeyError) as error:
            print(f"compare_schedulers: {args.against}: {error}", file=sys.stderr)
            return 1
        for key, change, where in moved(other, summary):
            print(f"moved {change:6.1%} at most: {key} ({where})")
    if args.book:
        write_book(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
