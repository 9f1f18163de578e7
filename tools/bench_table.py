#!/usr/bin/env python3
"""Runs every bench-* program in a directory and prints their results as Markdown tables.

This is what `make bench` runs (DESIGN §8: the scheduler workloads on art and on Boost.Asio, in
one run, reported as ratios against the strongest Asio form). For the single-thread programs,
rows are the workloads of bench/workloads.hpp, columns the programs, in two tables: the Asio
forms (bench-asio*), then art's. A cell is the CPU time of one iteration (--clock=real: its
wall-clock time) and its ratio to the fastest Asio form on that workload, whose name ends the
row. The multi-threaded programs (bench/threaded_peer.hpp: chapter 07's runtime on, and Asio's
two multi-threaded forms) get a third table, with a row per workload and worker count, the
same ratios, and each column's scaling from 1 to 2 workers; its skewed rows also give the
wall-clock time over the CPU time, which shows a worker that sleeps while the other works.
The contended workload's programs (contended-*, bench/contended.cpp: plain programs that print
JSON, one per scheduler) get a table of their own: a row per scheduler and worker count, with the
spread of losses per task and of completion times, and the hybrid scheduler's figures over
work stealing's from the same run. The report also goes to <directory>/results.md.

    python3 tools/bench_table.py [DIRECTORY] [--benchmark_min_time=S] [--benchmark_repetitions=N]
                                 [--clock={cpu,real}]

If the directory also holds chapter 11's `starvation` program (bench/starvation.cpp), its
figures follow as one more table: how late a task woken every millisecond runs beside a task
that never waits, with and without the cooperative budget, at 1 and 2 workers
(--starvation_seconds=S per case, 1.5 by default; 0 skips it).

Any other --benchmark_* option is passed to every program as it is. A program that fails, or a
workload that reports an error, is named in its cells, and the script then exits with status 1:
a broken workload must never pass for a fast one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

WORKLOADS = ("spawn_many", "yield_many", "ping_pong", "chained_spawn", "ping_pong_serial")
PREFIX = "bench-"

# The Asio programs, in the order of their columns; any other bench-asio* program follows them.
# Every art column's ratio is taken against the fastest of these on each workload.
ASIO_PEERS = ("asio", "asio-unsafe", "asio-coro")

# The multi-threaded programs run tokio's four workloads and skewed (bench/workloads.hpp) at each
# of these worker counts, and register them as <workload>/workers:<N> (bench/threaded_peer.hpp).
SKEWED = "skewed"
THREADED_WORKLOADS = (*WORKLOADS[:4], SKEWED)
WORKER_COUNTS = (1, 2)
WORKERS_MARK = "/workers:"

# Asio's multi-threaded forms, in the order of their columns (after the art columns). Any other
# multi-threaded bench-asio* program follows them.
THREADED_ASIO_PEERS = ("asio-shared", "asio-per-thread")

# The chapters whose runtimes are multi-threaded: from chapter 07 on. A program that failed
# before it measured anything is put in its table by this rule.
FIRST_THREADED_CHAPTER = 7

# Google Benchmark's time units, in microseconds.
TO_MICROSECONDS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

# Short enough that `make bench` runs seven programs in about a minute (about 8 s per program
# here), long enough that the median of five repetitions is steady to a few percent.
DEFAULT_MIN_TIME = "0.2"
DEFAULT_REPETITIONS = 5

# The line above each table.
ASIO_CAPTION = "**Asio's forms**, each against the fastest of them:"
ART_CAPTION = "**art's runtimes**, against the fastest Asio form:"

THREADED_CAPTION = (
    "**Multi-threaded runtimes** at 1 and 2 workers, against the fastest of Asio's "
    "multi-threaded forms:"
)

# What the columns are, printed under the tables.
PEERS_NOTE = (
    "asio: posted handlers on an io_context with concurrency hint 1, which still takes the "
    "scheduler's mutex for every handler it runs; "
    "asio-unsafe: the same handlers with BOOST_ASIO_CONCURRENCY_HINT_UNSAFE, no lock at all; "
    "asio-coro: the same workloads as Asio C++20 awaitables (co_spawn, hint 1); "
    "chNN: coroutine tasks on chapter NN's executor (ch06: fiber tasks); "
    "ch05-futures: chapter 05's executor with hand-written futures."
)

# What each side does that the other does not, so that a ratio is read for what it is.
DIFFERENCES_NOTE = (
    "What the sides do differently: every art spawn returns a JoinHandle, and every art task "
    "has a result slot, a state word and a reference count that a handle or waker can keep "
    "alive; an Asio handler is only its function object, with nothing to join. Asio 1.74 "
    "recycles a handler's memory through a per-thread cache of one block, so a handler posted "
    "while that block is in use costs a malloc and a free (every task of spawn_many, every ping "
    "of ping_pong); chapter 05's executor takes its tasks and frames from a slab and a pool, with "
    "no malloc after the first iterations (chapter 04's makes two per spawn)."
)

# The multi-threaded table's columns, and what each side does that the other does not.
THREADED_PEERS_NOTE = (
    "ch07: coroutine tasks on chapter 07's Runtime (one run queue under a mutex, shared by the "
    "workers, which sleep on a condition variable); "
    "ch08: the same tasks on chapter 08's Runtime with its RoundRobinScheduler (a queue, a "
    "mutex and a condition variable per worker; every schedule goes to the next worker in "
    "turn); "
    "ch09: the same tasks on chapter 09's Runtime with its WorkStealingScheduler (a Chase-Lev "
    "deque per worker, an injector under a mutex for spawns from outside, idle workers steal "
    "half of a victim's deque and park under one atomic word); "
    "ch10: the same tasks on chapter 10's Runtime with its HybridScheduler (chapter 09's work "
    "stealing, but a worker runs its own tasks from a private heap, most often queued first, "
    "refilled with the older half of its deque when it runs dry; thieves steal from the deque "
    "only); "
    "ch11: chapter 10's hybrid scheduler again, on chapter 11's Runtime, whose every poll "
    "carries a cooperative budget of 128 tokens that each ready leaf future (a join, a yield, "
    "a timer, a channel's receive) spends; "
    "asio-shared: posted handlers on one io_context run by every thread (default concurrency "
    "hint); "
    "asio-per-thread: one io_context per thread (concurrency hint 1), new work spread round "
    "robin across them, a handler's continuation (a yield, a wake) posted back to its own. "
    "Every program spawns from the benchmark's thread what tokio's block_on future spawns, and "
    "that thread then sleeps until the last task counts an atomic down to zero and signals a "
    "condition variable (the same code on every side); each benchmark starts its threads once."
)

THREADED_DIFFERENCES_NOTE = (
    "What the sides do differently: every art spawn takes two blocks from the spawning "
    "thread's frame pool (the task, with its JoinHandle's result slot and a state word holding "
    "its reference count, and the coroutine frame), and a block freed on another thread goes "
    "back to its own pool; the task is listed in the runtime's sharded task list (a mutex per "
    "shard) until it completes, and every queue push and pop takes the run queue's mutex. An "
    "Asio post queues a handler with no join, no list and no count. art's ping_pong wakes "
    "through wakers: the answer marks the ping notified in its state word and queues it "
    "again; Asio's answer posts the waiting handler directly. art's yield wakes its own task, "
    "which is queued again after the poll; an Asio yield is one more post. Asio's per-thread "
    "io_contexts never move work between threads: a thread whose context runs dry sleeps "
    "while the other has work, and a handler posted from its own thread skips the mutex; "
    "ch07's workers, like asio-shared's threads, take any task from the one queue. ch08 deals "
    "every schedule out in turn, new tasks and wakes alike: a woken task (a ping's answer, a "
    "yield) goes to the worker whose turn it is, not back to the waker's, so with 2 workers "
    "about every second wake crosses to the other thread, and every link of chained_spawn "
    "goes to the other worker, asleep, and wakes it; asio-per-thread deals out only new work "
    "(each thread its own turns) and posts a continuation back to its own thread. Neither "
    "moves a queued task to a worker that runs dry; ch09 does: a worker whose deque runs dry "
    "steals half of the other's, and every spawn from the benchmark's thread goes through the "
    "injector's mutex, as asio-shared's every post goes through its queue's. ch10 differs from "
    "ch09 only in the order a worker runs its own tasks: ch09 pops its deque newest first, so a "
    "task that yields or is woken runs again at once; ch10 runs a batch from its heap, each "
    "task once, and a woken task waits for the rest of the batch; every refill takes the older "
    "half of the deque one entry at a time, with a thief's compare-and-swap each, into a heap "
    "ordered by a count that every schedule increments. ch11 differs from ch10 only in the "
    "budget: a ready leaf takes a token from the poll's bucket, a plain count on the worker's "
    "stack."
)

# How to read the skewed rows.
SKEWED_NOTE = (
    "skewed (bench/workloads.hpp): a few long tasks among many short ones, all spawned from "
    "the benchmark's thread; its cells add the wall-clock time over the CPU time. At 1 worker "
    "it is about 1. At 2 workers, about 0.5 means both workers were busy to the end; about 1 "
    "means one worker did the work while the other slept, as when tasks dealt out in turn "
    "(ch08, asio-per-thread) put every long task on the same worker, with a share of the "
    "short ones queued behind them."
)

# How to read the scaling rows, by clock.
THREADED_SCALING_NOTE = {
    "cpu": (
        "The CPU time is every thread's, the process's: the same work on two threads, so a "
        "2 ÷ 1 row above 1 is what the second worker costs in all (lock hand-offs, wake-ups, "
        "sleeping and waking), not a slow-down; --clock=real reports the wall-clock time, "
        "where the same row is the speed-up (below 1: faster with 2 workers)."
    ),
    "real": (
        "A 2 ÷ 1 row below 1 is a speed-up: the workload finished sooner with 2 workers. On a "
        "machine whose other processes want the same cores, the wall clock counts their time "
        "too; the default, --clock=cpu, reports every thread's CPU time instead."
    ),
}

# The time the table reports. Every workload runs on one thread that never sleeps (the art roots
# run with run_until_stalled, and Asio's run() always has a handler to run until the workload is
# done), so its CPU time is the time of the work itself, kernel time included. The wall clock
# adds whatever time the thread spent waiting for a core: on a quiet machine the two agree, and
# on a shared one the wall clock measures the other processes as much as the runtime.
CLOCK_NAMES = {"cpu": "CPU time", "real": "wall-clock time"}
DEFAULT_CLOCK = "cpu"

# Counters a program may report besides its ns_per_* (bench/threaded_art_workloads.cpp's idle).
COUNTERS = ("core_share",)

# Chapter 09's targets (its issue): the work-stealing runtime's column, and what it is held to.
WORK_STEALING = "ch09"
ROUND_ROBIN = "ch08"
IDLE = "idle/workers:2"
YIELD_SPEEDUP_TARGET = 1.6
SKEWED_SPEEDUP_TARGET = 1.5
IDLE_SHARE_TARGET = 0.01

# A stuck workload must end the run, not hang it.
PROGRAM_TIMEOUT_SECONDS = 300

# The contended workload (bench/contended.cpp): one program per scheduler, contended-<chapter>,
# each printing JSON with, per worker count, the median over its runs of these figures.
CONTENDED_PREFIX = "contended-"
HYBRID = "ch10"
LOSS_FIGURES = ("losses_min", "losses_median", "losses_max")
LOSSES_TOTAL = "losses_total"
COMPLETION_FIGURES = ("completion_p50_us", "completion_p99_us", "completion_max_us")
CONTENDED_FIGURES = (*LOSS_FIGURES, LOSSES_TOTAL, *COMPLETION_FIGURES)

CONTENDED_HEADER = (
    "| scheduler, workers | losses: min | median | max | max ÷ median | all tasks "
    "| finished: p50 | p99 | max |"
)

# How to read the contended table, and what each scheduler does with a yield.
CONTENDED_NOTE = (
    "Each task tries to take the resource (one compare-and-swap on a flag); a loser counts a "
    "loss and yields, and tries again; a winner holds the resource across its yields, releases "
    "it and yields once more before its next round (bench/contended.cpp). Losses: the fewest, "
    "the median and the most that a task had, the most over the median (about 1: every task "
    "lost about as often), and every task's added up: each loss is a poll that did nothing. "
    "Finished: the wall-clock time from the root's first spawn until a task finished its last "
    "round; p50 is the median task's, p99 the 99th of the 100 (the second slowest), max the "
    "last one's. Each figure is its median over the runs, taken figure by figure. The "
    f"{HYBRID} ÷ {WORK_STEALING} rows divide the hybrid scheduler's figure by work stealing's, "
    "both from this run: below 1, hybrid's is smaller."
)

CONTENDED_SCHEDULERS_NOTE = (
    "What each scheduler does with a yield (the task wakes itself and is queued again after "
    "its poll): round robin (ch08) puts it at the back of the next worker's queue, in turn, and "
    "each worker runs its queue first in, first out; work stealing (ch09) pushes it onto its "
    "own worker's deque, which runs newest first, so a loser is polled again at once and loses "
    "again until the fairness guard (every 61st tick) takes the deque's oldest task instead, "
    "while a winner runs again at once too and releases the resource sooner; hybrid (ch10) "
    "pushes it onto the same deque, but runs the worker's own tasks from a heap, most often "
    "queued first, each once per refill, so every task waits for the rest of its batch, the "
    "holder too."
)


@dataclass
class Measurement:
    """One workload's result in one program: a time, or why there is none."""

    time_us: float | None = None
    per_item_ns: float | None = None
    error: str | None = None
    # The wall-clock time over the CPU time, whichever clock time_us is.
    wall_per_cpu: float | None = None
    # The wall-clock time in µs, whichever clock time_us is.
    wall_us: float | None = None
    # The benchmark's own counters other than the ns_per_* one (idle's core_share).
    counters: dict[str, float] = field(default_factory=dict)


@dataclass
class ProgramResult:
    """One bench-* program: its measurements by workload, and its failure if it failed."""

    name: str
    measurements: dict[str, Measurement] = field(default_factory=dict)
    failure: str | None = None

    def failed(self) -> bool:
        return self.failure is not None or any(m.error for m in self.measurements.values())


def _per_item_ns(entry: dict, clock: str) -> float | None:
    """The ns_per_* counter, in ns of the chosen clock.

    Google Benchmark computes the counter from CPU time; for the wall clock, scaling it by
    real/CPU time makes it agree with the time in the same cell.
    """
    for key, value in entry.items():
        if key.startswith("ns_per_") and isinstance(value, (int, float)):
            cpu, real = entry.get("cpu_time", 0.0), entry.get("real_time", 0.0)
            scale = real / cpu if clock == "real" and cpu > 0 else 1.0
            return value * 1e9 * scale
    return None


# What Google Benchmark appends to a name for the clock it measured with.
TIME_TYPE_SUFFIXES = ("/process_time", "/real_time", "/manual_time")


def _workload_key(run_name: str) -> str:
    """A benchmark's name without the clock suffixes and a fixed iteration count
    (/iterations:N): spawn_many, or spawn_many/workers:2."""
    changed = True
    while changed:
        changed = False
        for suffix in TIME_TYPE_SUFFIXES:
            if run_name.endswith(suffix):
                run_name = run_name[: -len(suffix)]
                changed = True
        head, _, last = run_name.rpartition("/")
        if head and last.startswith("iterations:") and last[len("iterations:") :].isdigit():
            run_name = head
            changed = True
    return run_name


def threaded_key(workload: str, workers: int) -> str:
    """The key of a multi-threaded measurement: spawn_many/workers:2."""
    return f"{workload}{WORKERS_MARK}{workers}"


def parse_benchmark_json(text: str, clock: str = DEFAULT_CLOCK) -> dict[str, Measurement]:
    """Reads one program's --benchmark_format=json output into a measurement per workload.

    clock is "cpu" or "real" (wall clock). With repetitions, the median aggregate is used;
    without, the single run (or the median of several runs when aggregates were not asked for).
    Any run with an error makes the workload an error, even when other repetitions succeeded.
    """
    time_key = f"{clock}_time"
    runs: dict[str, list[dict]] = {}
    for entry in json.loads(text).get("benchmarks", []):
        runs.setdefault(_workload_key(entry.get("run_name", entry["name"])), []).append(entry)

    measurements = {}
    for name, entries in runs.items():
        errors = [e for e in entries if e.get("error_occurred")]
        if errors:
            measurements[name] = Measurement(error=errors[0].get("error_message") or "error")
            continue
        medians = [e for e in entries if e.get("aggregate_name") == "median"]
        iterations = [e for e in entries if e.get("run_type", "iteration") == "iteration"]
        if medians:
            chosen = medians[0]
        elif iterations:
            chosen = sorted(iterations, key=lambda e: e[time_key])[len(iterations) // 2]
        else:
            continue
        unit = TO_MICROSECONDS[chosen.get("time_unit", "ns")]
        cpu = chosen.get("cpu_time", 0.0)
        measurements[name] = Measurement(
            time_us=chosen[time_key] * unit,
            per_item_ns=_per_item_ns(chosen, clock),
            wall_per_cpu=chosen["real_time"] / cpu if cpu > 0 and "real_time" in chosen else None,
            wall_us=chosen["real_time"] * unit if "real_time" in chosen else None,
            counters={
                key: float(value)
                for key, value in chosen.items()
                if key in COUNTERS and isinstance(value, (int, float))
            },
        )
    return measurements


@dataclass
class ContendedResult:
    """One contended-* program: its figures by worker count, or why there are none."""

    name: str
    scheduler: str = ""
    # tasks, rounds, hold_yields, runs: what every contended program says about its workload.
    workload: dict[str, int] = field(default_factory=dict)
    figures: dict[int, dict[str, float]] = field(default_factory=dict)
    failure: str | None = None

    def failed(self) -> bool:
        return self.failure is not None


def parse_contended_json(name: str, text: str) -> ContendedResult:
    """Reads one contended program's JSON; raises ValueError or KeyError when it is not that."""
    report = json.loads(text)
    result = ContendedResult(name, scheduler=str(report["scheduler"]))
    result.workload = {
        key: int(report[key]) for key in ("tasks", "rounds", "hold_yields", "runs")
    }
    for entry in report["results"]:
        median = entry["median"]
        result.figures[int(entry["workers"])] = {
            figure: float(median[figure]) for figure in CONTENDED_FIGURES
        }
    return result


def is_asio(name: str) -> bool:
    """Whether a program is one of the Asio forms (bench-asio*), the peers of the art columns."""
    return name.startswith("asio")


def _chapter_number(name: str) -> int | None:
    """chNN's NN (ch05-futures: 5), or None for a program that is not a chapter's."""
    if name.startswith("ch") and name[2:4].isdigit():
        return int(name[2:4])
    return None


def is_threaded(program: ProgramResult) -> bool:
    """Whether a program belongs in the multi-threaded table.

    By what it measured (names with workers:N); a program that measured nothing (it failed) by
    its name: Asio's multi-threaded forms, and the chapters from FIRST_THREADED_CHAPTER on.
    """
    if program.measurements:
        return any(WORKERS_MARK in key for key in program.measurements)
    chapter = _chapter_number(program.name)
    return program.name in THREADED_ASIO_PEERS or (
        chapter is not None and chapter >= FIRST_THREADED_CHAPTER
    )


def threaded_column_order(name: str) -> tuple[int, int, str]:
    """Sort key for the multi-threaded table: art's columns by name, then Asio's forms."""
    if is_asio(name):
        rank = (
            THREADED_ASIO_PEERS.index(name)
            if name in THREADED_ASIO_PEERS
            else len(THREADED_ASIO_PEERS)
        )
        return (1, rank, name)
    return (0, 0, name)


def column_order(name: str) -> tuple[int, int, str]:
    """Sort key for programs: the Asio forms first, in ASIO_PEERS order, then art's by name."""
    if is_asio(name):
        rank = ASIO_PEERS.index(name) if name in ASIO_PEERS else len(ASIO_PEERS)
        return (0, rank, name)
    return (1, 0, name)


@dataclass
class Strongest:
    """The fastest Asio form on one workload: every ratio of that workload is taken against it."""

    name: str
    time_us: float


def strongest_asio(programs: list[ProgramResult], workload: str) -> Strongest | None:
    """The Asio program with the lowest time on workload, among those that measured it."""
    measured = [
        Strongest(program.name, measurement.time_us)
        for program in programs
        if is_asio(program.name)
        and (measurement := program.measurements.get(workload)) is not None
        and not measurement.error
        and measurement.time_us
    ]
    return min(measured, key=lambda candidate: candidate.time_us, default=None)


def ratio(measurement: Measurement, strongest: Strongest) -> float:
    """A program's time over the strongest Asio form's: above 1, the program is slower."""
    return measurement.time_us / strongest.time_us


def _number(value: float) -> str:
    """Three significant figures or so, without exponent notation."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(program: ProgramResult, workload: str, strongest: Strongest | None) -> str:
    measurement = program.measurements.get(workload)
    if measurement is None:
        return f"failed: {program.failure}" if program.failure else "not measured"
    if measurement.error:
        return f"error: {measurement.error}"
    cell = f"{_number(measurement.time_us)} µs"
    if strongest is not None:
        cell += f" (×{ratio(measurement, strongest):.2f})"
    return cell


def _per_task_cell(program: ProgramResult) -> str:
    measurement = program.measurements.get("spawn_many")
    if measurement is None or measurement.per_item_ns is None:
        return "–"
    return f"{_number(measurement.per_item_ns)} ns"


def _table(
    columns: list[ProgramResult],
    last: str,
    last_cell: Callable[[str], str],
    strongest: dict[str, Strongest | None],
) -> list[str]:
    """One Markdown table: a row per workload, a column per program, and a last column."""
    lines = ["| workload | " + " | ".join(p.name for p in columns) + f" | {last} |"]
    lines.append("|---|" + "---:|" * len(columns) + "---|")
    for workload in WORKLOADS:
        cells = [_cell(p, workload, strongest[workload]) for p in columns]
        lines.append(f"| {workload} | " + " | ".join([*cells, last_cell(workload)]) + " |")
    per_task = [_per_task_cell(p) for p in columns]
    lines.append("| spawn_many, per task | " + " | ".join([*per_task, ""]) + " |")
    return lines


def _skewed_cell(program: ProgramResult, key: str, strongest: Strongest | None) -> str:
    """A skewed cell: the usual one, and the wall-clock time over the CPU time."""
    cell = _cell(program, key, strongest)
    measurement = program.measurements.get(key)
    if measurement is not None and measurement.wall_per_cpu is not None:
        cell += f"; wall ÷ CPU {measurement.wall_per_cpu:.2f}"
    return cell


def _scaling_cell(program: ProgramResult, workload: str) -> str:
    """The time at 2 workers over the time at 1, as ×N; – when either is missing."""
    first, last = (
        program.measurements.get(threaded_key(workload, workers))
        for workers in (WORKER_COUNTS[0], WORKER_COUNTS[-1])
    )
    if first is None or last is None or first.error or last.error or not first.time_us:
        return "–"
    return f"×{last.time_us / first.time_us:.2f}"


def _worker_label(workers: int) -> str:
    return f"{workers} worker" if workers == 1 else f"{workers} workers"


def threaded_table(programs: list[ProgramResult]) -> list[str]:
    """The multi-threaded table: a row per workload and worker count, then the scaling row.

    Every ratio is to the fastest Asio form at the same workload and worker count, named in the
    last column; the scaling row divides each column's time at 2 workers by its time at 1.
    """
    columns = sorted(programs, key=lambda program: threaded_column_order(program.name))
    asio = [p for p in columns if is_asio(p.name)]
    first, last = WORKER_COUNTS[0], WORKER_COUNTS[-1]
    lines = ["| workload | " + " | ".join(p.name for p in columns) + " | ratios to |"]
    lines.append("|---|" + "---:|" * len(columns) + "---|")
    for workload in THREADED_WORKLOADS:
        for workers in WORKER_COUNTS:
            key = threaded_key(workload, workers)
            strongest = strongest_asio(asio, key)
            cell = _skewed_cell if workload == SKEWED else _cell
            cells = [cell(p, key, strongest) for p in columns]
            cells.append(strongest.name if strongest else "–")
            lines.append(f"| {workload}, {_worker_label(workers)} | " + " | ".join(cells) + " |")
        scaling = [_scaling_cell(p, workload) for p in columns]
        lines.append(f"| {workload}, {last} ÷ {first} | " + " | ".join([*scaling, ""]) + " |")
    return lines


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _measured(program: ProgramResult | None, key: str) -> Measurement | None:
    measurement = program.measurements.get(key) if program is not None else None
    if measurement is None or measurement.error or not measurement.time_us:
        return None
    return measurement


def work_stealing_targets(programs: list[ProgramResult]) -> list[str]:
    """Chapter 09's targets, each with the figures it was judged on and whether it was met.

    At 2 workers, the work-stealing column against the fastest Asio form on every workload (in
    the table's clock); yield_many's wall-clock speed-up from 1 to 2 workers; skewed's
    wall-clock time at 2 workers against round robin's; an idle runtime's share of a core.
    A target whose figures are missing is said to be unmeasured, never met.
    """
    by_name = {program.name: program for program in programs}
    stealing = by_name.get(WORK_STEALING)
    if stealing is None:
        return []
    asio = [p for p in programs if is_asio(p.name)]
    two = WORKER_COUNTS[-1]
    lines = [f"**Targets of work stealing ({WORK_STEALING})**, from this run:", ""]
    for workload in THREADED_WORKLOADS:
        key = threaded_key(workload, two)
        ours, strongest = _measured(stealing, key), strongest_asio(asio, key)
        if ours is None or strongest is None:
            lines.append(f"- {workload}, {two} workers, at or under the best Asio form: unmeasured")
            continue
        value = ratio(ours, strongest)
        lines.append(
            f"- {workload}, {two} workers, at or under the best Asio form ({strongest.name}): "
            f"×{value:.2f}, {_verdict(value <= 1.0)}"
        )
    one_worker = _measured(stealing, threaded_key("yield_many", WORKER_COUNTS[0]))
    two_workers = _measured(stealing, threaded_key("yield_many", two))
    if one_worker and two_workers and one_worker.wall_us and two_workers.wall_us:
        speedup = one_worker.wall_us / two_workers.wall_us
        lines.append(
            f"- yield_many at least {YIELD_SPEEDUP_TARGET}× faster with {two} workers than "
            f"with 1 (wall clock): {speedup:.2f}×, {_verdict(speedup >= YIELD_SPEEDUP_TARGET)}"
        )
    else:
        lines.append("- yield_many's speed-up from 1 to 2 workers: unmeasured")
    ours = _measured(stealing, threaded_key(SKEWED, two))
    theirs = _measured(by_name.get(ROUND_ROBIN), threaded_key(SKEWED, two))
    if ours and theirs and ours.wall_us and theirs.wall_us:
        speedup = theirs.wall_us / ours.wall_us
        lines.append(
            f"- skewed at least {SKEWED_SPEEDUP_TARGET}× faster than round robin "
            f"({ROUND_ROBIN}) at {two} workers (wall clock): {speedup:.2f}×, "
            f"{_verdict(speedup >= SKEWED_SPEEDUP_TARGET)}"
        )
    else:
        lines.append(f"- skewed against round robin ({ROUND_ROBIN}): unmeasured")
    idle = _measured(stealing, IDLE)
    if idle is not None and "core_share" in idle.counters:
        share = idle.counters["core_share"]
        lines.append(
            f"- an idle runtime below {IDLE_SHARE_TARGET:.0%} of a core: {share:.2%}, "
            f"{_verdict(share < IDLE_SHARE_TARGET)}"
        )
    else:
        lines.append("- an idle runtime's share of a core: unmeasured")
    lines.append("")
    lines.append(
        "Wall-clock figures count whatever else ran on the same cores: on a loaded machine the "
        "speed-ups are too low, never too high."
    )
    return lines


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _loss_spread(figures: dict[str, float]) -> float | None:
    """The most losses of any task over the median task's; None when the median is 0."""
    median = figures["losses_median"]
    return figures["losses_max"] / median if median > 0 else None


def _contended_cells(figures: dict[str, float]) -> list[str]:
    spread = _loss_spread(figures)
    return [
        *(_count(figures[figure]) for figure in LOSS_FIGURES),
        f"{spread:.2f}" if spread is not None else "–",
        _count(figures[LOSSES_TOTAL]),
        *(f"{_number(figures[figure])} µs" for figure in COMPLETION_FIGURES),
    ]


def _over(ours: float | None, theirs: float | None) -> str:
    """ours ÷ theirs as ×N; – when either is missing or theirs is 0."""
    if ours is None or not theirs:
        return "–"
    return f"×{ours / theirs:.2f}"


def _hybrid_over_stealing(hybrid: dict[str, float], stealing: dict[str, float]) -> list[str]:
    """The hybrid scheduler's figures over work stealing's, cell by cell."""
    return [
        *(_over(hybrid[figure], stealing[figure]) for figure in LOSS_FIGURES),
        _over(_loss_spread(hybrid), _loss_spread(stealing)),
        *(
            _over(hybrid[figure], stealing[figure])
            for figure in (LOSSES_TOTAL, *COMPLETION_FIGURES)
        ),
    ]


def _contended_label(result: ContendedResult, workers: int) -> str:
    name = f"{result.name} ({result.scheduler})" if result.scheduler else result.name
    return f"{name}, {_worker_label(workers)}"


def contended_table(results: list[ContendedResult]) -> list[str]:
    """The contended workload's table: a row per scheduler and worker count, by worker count,
    each group ending with the hybrid scheduler's figures over work stealing's."""
    width = len(CONTENDED_HEADER.split("|")) - 3  # the cells after the row's name
    lines = [CONTENDED_HEADER, "|---|" + "---:|" * width]
    ordered = sorted(results, key=lambda result: result.name)
    by_name = {result.name: result for result in ordered}
    for workers in WORKER_COUNTS:
        for result in ordered:
            figures = result.figures.get(workers)
            if figures is not None:
                cells = _contended_cells(figures)
            else:
                cells = [f"failed: {result.failure}" if result.failure else "not measured"]
                cells += ["–"] * (width - 1)
            lines.append(f"| {_contended_label(result, workers)} | " + " | ".join(cells) + " |")
        hybrid, stealing = (
            by_name[name].figures.get(workers) if name in by_name else None
            for name in (HYBRID, WORK_STEALING)
        )
        if hybrid is not None and stealing is not None:
            cells = _hybrid_over_stealing(hybrid, stealing)
            label = f"{HYBRID} ÷ {WORK_STEALING}, {_worker_label(workers)}"
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def contended_caption(results: list[ContendedResult]) -> str:
    """The line above the contended table: the workload, as the programs describe it."""
    caption = f"**Contended workload ({HYBRID})**"
    described = next((result.workload for result in results if result.workload), None)
    if described is None:
        return caption + ":"
    holds = described["hold_yields"]
    return (
        f"{caption}: {described['tasks']} tasks compete for one resource, "
        f"{described['rounds']} rounds each, holding it across {holds} "
        f"{'yield' if holds == 1 else 'yields'}; the median of {described['runs']} runs:"
    )


def format_table(
    programs: list[ProgramResult],
    header: str,
    clock: str = DEFAULT_CLOCK,
    contended: list[ContendedResult] | None = None,
) -> str:
    """The Markdown report: a header line, the tables, and how to read them.

    The single-thread programs get two tables rather than one, so that each stays narrow
    enough for the book's column; every ratio, in both, is to the strongest Asio form on that
    workload, named in each table's last column. The multi-threaded programs get the third,
    whose ratios are to the strongest multi-threaded Asio form, and the contended programs
    the last, whose ratios are the hybrid scheduler's over work stealing's.
    """
    ordered = sorted(programs, key=lambda program: column_order(program.name))
    threaded = [p for p in ordered if is_threaded(p)]
    single = [p for p in ordered if not is_threaded(p)]
    asio = [p for p in single if is_asio(p.name)]
    art = [p for p in single if not is_asio(p.name)]
    strongest = {workload: strongest_asio(asio, workload) for workload in WORKLOADS}

    def strongest_name(workload: str) -> str:
        return strongest[workload].name if strongest[workload] else "–"

    lines = [header]
    if asio:
        lines += ["", ASIO_CAPTION, "", *_table(asio, "strongest", strongest_name, strongest)]
    if art:
        lines += ["", ART_CAPTION, "", *_table(art, "ratios to", strongest_name, strongest)]
    if single:
        lines.append("")
        lines.append(
            f"Each cell is the {CLOCK_NAMES[clock]} of one whole workload (median of the "
            "repetitions) and, as ×N, that time divided by the strongest Asio form's on the same "
            "workload in the same run (the fastest Asio column, named in the last column): "
            "above 1, slower than Asio at its best; below 1, faster. The last row is "
            "spawn_many's time divided by its tasks."
        )
        lines.append("")
        lines.append(PEERS_NOTE)
        lines.append("")
        lines.append(DIFFERENCES_NOTE)
    if threaded:
        lines += ["", THREADED_CAPTION, "", *threaded_table(threaded), ""]
        lines.append(
            f"Each cell is the {CLOCK_NAMES[clock]} of one whole workload (median of the "
            "repetitions) and, as ×N, that time divided by the fastest multi-threaded Asio "
            "form's at the same worker count in the same run, named in the last column. The "
            f"{WORKER_COUNTS[-1]} ÷ {WORKER_COUNTS[0]} rows divide each column's time at "
            f"{WORKER_COUNTS[-1]} workers by its time at {WORKER_COUNTS[0]}."
        )
        lines.append("")
        lines.append(THREADED_SCALING_NOTE[clock])
        lines.append("")
        lines.append(SKEWED_NOTE)
        lines.append("")
        lines.append(THREADED_PEERS_NOTE)
        lines.append("")
        lines.append(THREADED_DIFFERENCES_NOTE)
        targets = work_stealing_targets(threaded)
        if targets:
            lines += ["", *targets]
    contended = contended or []
    if contended:
        lines += ["", contended_caption(contended), "", *contended_table(contended), ""]
        lines += [CONTENDED_NOTE, "", CONTENDED_SCHEDULERS_NOTE]
    for program in ordered:
        if program.failure:
            lines.append(f"\n**{PREFIX}{program.name} failed:** {program.failure}")
    for result in contended:
        if result.failure:
            lines.append(f"\n**{CONTENDED_PREFIX}{result.name} failed:** {result.failure}")
    return "\n".join(lines) + "\n"


def machine_line(bench_dir: Path) -> str:
    """The CPU, its cores and load, and the compiler and build type from bench/CMakeLists.txt."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    build = "unknown build"
    try:
        info = json.loads((bench_dir / "build-info.json").read_text())
        build = f"{info['compiler']}, {info['build_type']} ({info['flags']})"
    except (OSError, ValueError, KeyError):
        pass
    # Another build on the same cores moves the figures by tens of percent; say so up front.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"**Machine:** {cpu}, {os.cpu_count()} cores, load {load:.2f}. **Build:** {build}."


def find_programs(bench_dir: Path, prefix: str = PREFIX) -> list[Path]:
    programs = [
        path
        for path in bench_dir.glob(prefix + "*")
        if path.is_file() and os.access(path, os.X_OK)
    ]
    return sorted(programs, key=lambda path: column_order(path.name[len(prefix) :]))


def _execute(command: list[str]) -> subprocess.CompletedProcess[str] | str:
    """Runs a program to its end: what it printed and its exit status, or why it did not end."""
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {PROGRAM_TIMEOUT_SECONDS} s"
    except OSError as error:
        return str(error)


def _failure(completed: subprocess.CompletedProcess[str], readable: bool) -> str | None:
    """What went wrong with a program that ended: its exit status, or unreadable output, with
    the last line it wrote to stderr."""
    failure = None if readable else "no readable JSON output"
    if completed.returncode != 0:
        failure = f"exit status {completed.returncode}"
    if failure and completed.stderr.strip():
        failure += ": " + completed.stderr.strip().splitlines()[-1]
    return failure


def run_program(path: Path, options: list[str], clock: str = DEFAULT_CLOCK) -> ProgramResult:
    result = ProgramResult(path.name[len(PREFIX) :])
    completed = _execute([str(path), "--benchmark_format=json", *options])
    if isinstance(completed, str):
        result.failure = completed
        return result
    readable = True
    try:
        result.measurements = parse_benchmark_json(completed.stdout, clock)
    except (ValueError, KeyError):
        readable = False
    result.failure = _failure(completed, readable)
    return result


def run_contended(path: Path) -> ContendedResult:
    name = path.name[len(CONTENDED_PREFIX) :]
    completed = _execute([str(path)])
    if isinstance(completed, str):
        return ContendedResult(name, failure=completed)
    try:
        result = parse_contended_json(name, completed.stdout)
    except (ValueError, KeyError, TypeError):
        result = ContendedResult(name)
    result.failure = _failure(completed, readable=bool(result.figures))
    return result


STARVATION = "starvation"
STARVATION_CAPTION = (
    "**A task that never waits, beside a task woken every millisecond** "
    "(chapter 11, bench/starvation.cpp)"
)
STARVATION_NOTE = (
    "The hog receives from a channel it keeps full, so it never waits of its own accord; the "
    "probe sleeps 1 ms at a time and records how late each wake-up runs. *budget*: the hog as "
    "it is, made to yield every 128 receives; *unconstrained*: both tasks wrapped in "
    "art::unconstrained, the runtime without a budget. Lateness in microseconds; "
    "*wake-ups* is how many the probe had in the run."
)


def parse_starvation(text: str) -> list[dict]:
    """The JSON lines of `starvation --json`, one per case; raises ValueError on anything else."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        for key in ("workers", "hog", "samples", "p50_us", "p99_us", "max_us"):
            if key not in row:
                raise ValueError(f"a starvation row without {key}: {line}")
        rows.append(row)
    if not rows:
        raise ValueError("no starvation rows")
    return rows


def starvation_table(rows: list[dict]) -> list[str]:
    lines = [
        STARVATION_CAPTION,
        "",
        "| workers | hog | wake-ups | p50 | p99 | max |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        cells = [_number(float(row[key])) for key in ("p50_us", "p99_us", "max_us")]
        lines.append(
            f"| {row['workers']} | {row['hog']} | {row['samples']} | " + " | ".join(cells) + " |"
        )
    return [*lines, "", STARVATION_NOTE]


def run_starvation(bench_dir: Path, seconds: float) -> tuple[list[str], bool]:
    """The starvation section and whether it failed; nothing when it is not built or seconds is 0."""
    path = bench_dir / STARVATION
    if seconds <= 0 or not (path.is_file() and os.access(path, os.X_OK)):
        return [], False
    print(f"bench_table: running {STARVATION}", file=sys.stderr, flush=True)
    try:
        completed = subprocess.run(
            [str(path), str(seconds), "--json"],
            capture_output=True,
            text=True,
            timeout=PROGRAM_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise ValueError(f"exit status {completed.returncode}: {completed.stderr.strip()}")
        return ["", *starvation_table(parse_starvation(completed.stdout))], False
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        return ["", f"**{STARVATION} failed:** {error}"], True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", nargs="?", default="build/default/bench", type=Path)
    parser.add_argument("--benchmark_min_time", default=DEFAULT_MIN_TIME)
    parser.add_argument("--benchmark_repetitions", default=DEFAULT_REPETITIONS, type=int)
    parser.add_argument(
        "--clock",
        choices=CLOCK_NAMES,
        default=DEFAULT_CLOCK,
        help="the time the table reports (default: %(default)s; see CLOCK_NAMES)",
    )
    parser.add_argument(
        "--starvation_seconds",
        default=1.5,
        type=float,
        help="how long each case of the starvation experiment runs (0: skip it)",
    )
    args, passthrough = parser.parse_known_args(argv)
    unknown = [option for option in passthrough if not option.startswith("--benchmark_")]
    if unknown:
        parser.error(f"unknown option(s): {' '.join(unknown)}")

    programs = find_programs(args.directory)
    if not programs:
        print(
            f"bench_table: no {PREFIX}* programs in {args.directory} "
            "(benchmarks are built by the default preset: make bench)",
            file=sys.stderr,
        )
        return 1

    options = [
        f"--benchmark_min_time={args.benchmark_min_time}",
        f"--benchmark_repetitions={args.benchmark_repetitions}",
        "--benchmark_report_aggregates_only=true",
        *passthrough,
    ]
    results = []
    for path in programs:
        print(f"bench_table: running {path.name}", file=sys.stderr, flush=True)
        results.append(run_program(path, options, args.clock))
    contended = []
    for path in find_programs(args.directory, CONTENDED_PREFIX):
        print(f"bench_table: running {path.name}", file=sys.stderr, flush=True)
        contended.append(run_contended(path))

    report = format_table(results, machine_line(args.directory), args.clock, contended)
    starvation, starvation_failed = run_starvation(args.directory, args.starvation_seconds)
    if starvation:
        report += "\n".join(starvation) + "\n"
    print(report, end="")
    (args.directory / "results.md").write_text(report)
    print(f"bench_table: wrote {args.directory / 'results.md'}", file=sys.stderr)
    failed = [*results, *contended]
    return 1 if starvation_failed or any(result.failed() for result in failed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
