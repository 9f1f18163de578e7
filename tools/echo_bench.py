#!/usr/bin/env python3
"""Runs the echo benchmark: echo servers under one load client, as a Markdown table.

This is the second half of `make bench` (DESIGN §8: a TCP echo on art and on Boost.Asio in one
run, reported as ratios against the strongest Asio form). Each server program given on the
command line is started once; then, for every point (1, 100 and 1,000 connections, each with
64-byte and 4 KiB messages), bench/echo_client.cpp's program runs against each server in turn,
the order of the servers reversed from one repetition to the next so that a machine that
slows down or speeds up during the run favours none of them. The client is a closed loop: each
connection sends a message, waits for the whole echo, checks it and sends the next. The table
has a row per point and, per server, the messages echoed per second and the round trip's p50
and p99 (the median of the repetitions, each figure on its own), with each server's figure over
the reference server's (the Asio peer, `asio`) from the same run.

    python3 tools/echo_bench.py [--client PROGRAM] [--client-threads T] [--duration S]
                                [--warmup S] [--repetitions N] [--reference NAME]
                                [--output FILE] SERVER...

SERVER is a program (named in the table by its file name without `echo-`: build/default/bench/
echo-asio is `asio`), or NAME=COMMAND, where COMMAND is a program and its arguments, split as a
shell would (`asio-shared="build/default/bench/echo-asio --contexts=shared"`).

The contract every server program keeps (bench/CMakeLists.txt says the same):
  - it listens on 127.0.0.1, on the port of --port=P, or on a free one (port 0) without it,
    with a listen backlog of at least 1,024;
  - once it accepts connections, it prints that port, alone on the first line of its stdout,
    and flushes it (this script waits up to STARTUP_TIMEOUT_S for that line);
  - it echoes every byte it receives on a connection back on that connection, and sets
    TCP_NODELAY on it;
  - it runs on 2 threads unless --threads=N says otherwise (this script passes nothing);
  - SIGTERM stops it: it exits with status 0 within STOP_TIMEOUT_S.

A server that breaks the contract, a client run that reports an error (a wrong echo, a
connection closed or reset, a connection that never connected) or exits with a status other
than 0: each is named in the table's cells and notes, and the script then exits with status 1,
so that a broken server never passes for a fast one.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench_table import machine_line

CONNECTIONS = (1, 100, 1000)
SIZES = (64, 4096)

# 6 points × 3 repetitions × (0.5 s of warm-up + 2 s) is 45 s of measurement per server, plus
# connecting: under a minute per server.
DEFAULT_DURATION_S = 2.0
DEFAULT_WARMUP_S = 0.5
DEFAULT_REPETITIONS = 3
# One client thread drives every connection (epoll): on a 2-core machine, the server's 2
# threads and the client's share the cores (see machine_note).
DEFAULT_CLIENT_THREADS = 1
REFERENCE = "asio"
NAME_PREFIX = "echo-"

STARTUP_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
# How long a client run may take beyond its warm-up and duration (connecting 1,000
# connections, each checked with one echo, takes well under a second).
CLIENT_SLACK_S = 30.0

# Why the round trip grows with the connections, whatever the server.
LITTLE_NOTE = (
    "In a closed loop every connection has one message in flight, so the mean round trip is "
    "the connections over the messages per second (Little's law): at 100 and 1,000 "
    "connections the round trip is mostly each message waiting for the others' turns, and "
    "its p50 follows the throughput. The p99 there adds the time a server thread waits for a "
    "core, which, on cores shared with the client, can be a time slice of the kernel's "
    "scheduler (milliseconds)."
)

CONTRACT = (
    "a server program prints the port it listens on (127.0.0.1), alone on the first line of "
    "its stdout, echoes what it receives, and exits with status 0 on SIGTERM"
)


class ContractError(Exception):
    """A server program that does not keep the contract of the module's docstring."""


@dataclass(frozen=True)
class Server:
    """A server program as given on the command line: its column's name and its command."""

    name: str
    command: tuple[str, ...]


@dataclass(frozen=True)
class Point:
    connections: int
    size: int


POINTS = tuple(Point(connections, size) for connections in CONNECTIONS for size in SIZES)


@dataclass(frozen=True)
class ClientRun:
    """One run of the client against one server at one point: its JSON, or what failed."""

    messages_per_s: float = 0.0
    mb_per_s: float = 0.0
    p50_us: float = 0.0
    p99_us: float = 0.0
    max_us: float = 0.0
    errors: int = 0
    connect_failures: int = 0
    failure: str = ""  # the client's own failure (exit status, no JSON), or its errors

    def failed(self) -> bool:
        return bool(self.failure)


@dataclass
class Cell:
    """A server's figures at one point: the medians of its repetitions."""

    runs: list[ClientRun] = field(default_factory=list)

    def failure(self) -> str:
        return next((run.failure for run in self.runs if run.failed()), "")

    def median(self, figure: str) -> float | None:
        values = [getattr(run, figure) for run in self.runs if not run.failed()]
        return statistics.median(values) if values else None


def parse_server(text: str) -> Server:
    """PROGRAM or NAME=COMMAND (see the module's docstring) as a Server."""
    name, equals, command = text.partition("=")
    if equals and name and "/" not in name and " " not in name:
        words = tuple(shlex.split(command))
        if not words:
            raise ValueError(f"server '{text}': NAME= needs a command after it")
        return Server(name, words)
    words = tuple(shlex.split(text))
    if not words:
        raise ValueError("an empty server command")
    program = Path(words[0]).name
    return Server(program.removeprefix(NAME_PREFIX) or program, words)


def parse_port(line: str, server: str) -> int:
    """The port a server printed on its first line, or a ContractError that says why not."""
    text = line.strip()
    if not text.isdigit() or not 0 < int(text) < 65536:
        shown = text if text else "an empty line"
        raise ContractError(
            f"{server}: its first line of output should be its port, not {shown!r} "
            f"({CONTRACT})"
        )
    return int(text)


def parse_client_output(stdout: str, returncode: int, stderr: str = "") -> ClientRun:
    """The client's JSON (bench/echo_client.cpp) as a ClientRun; a failure names what broke."""
    last_line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    try:
        data = json.loads(last_line)
    except json.JSONDecodeError:
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
        return ClientRun(failure=f"client exited with status {returncode}: {detail}")
    try:
        run = ClientRun(
            messages_per_s=float(data["messages_per_s"]),
            mb_per_s=float(data["mb_per_s"]),
            p50_us=float(data["p50_us"]),
            p99_us=float(data["p99_us"]),
            max_us=float(data["max_us"]),
            errors=int(data["errors"]),
            connect_failures=int(data["connect_failures"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        return ClientRun(failure=f"client output lacks a figure ({error}): {last_line}")
    problems = []
    if run.errors:
        first = stderr.strip().splitlines()[0] if stderr.strip() else ""
        problems.append(f"{run.errors} error(s)" + (f", first: {first}" if first else ""))
    if run.connect_failures:
        problems.append(f"{run.connect_failures} connection(s) failed to connect")
    if not problems and returncode != 0:
        problems.append(f"client exited with status {returncode}")
    if problems:
        return ClientRun(**{**run.__dict__, "failure": "; ".join(problems)})
    return run


class RunningServer:
    """A started server program: its process and the port it printed."""

    def __init__(self, server: Server):
        self.server = server
        self._forwarder: threading.Thread | None = None
        self._rest = b""
        try:
            self.process = subprocess.Popen(
                list(server.command), stdout=subprocess.PIPE, start_new_session=True
            )
        except OSError as error:
            raise ContractError(f"{server.name}: cannot start {server.command[0]}: {error}")
        try:
            self.port = parse_port(self._first_line(), server.name)
        except ContractError:
            self._kill()
            raise
        # Whatever else the server prints goes to stderr, so that a full pipe never blocks it.
        self._forwarder = threading.Thread(target=self._forward_output, daemon=True)
        self._forwarder.start()

    def _first_line(self) -> str:
        """The first line of the server's stdout, read without ever blocking past the
        deadline (a server that prints half a line and hangs must not hang the script)."""
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        received = b""
        while b"\n" not in received:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([descriptor], [], [], max(left, 0))
            if not ready:
                raise ContractError(
                    f"{self.server.name}: printed no port within {STARTUP_TIMEOUT_S:g} s "
                    f"({CONTRACT})"
                )
            chunk = os.read(descriptor, 4096)
            if not chunk:
                try:  # a program that exits closes its stdout just before
                    status = self.process.wait(timeout=1.0)
                    how = f"exited with status {status}"
                except subprocess.TimeoutExpired:
                    how = "closed its stdout"
                raise ContractError(
                    f"{self.server.name}: {how} before it printed its port ({CONTRACT})"
                )
            received += chunk
        line, _, self._rest = received.partition(b"\n")
        return line.decode(errors="replace")

    def _forward_output(self) -> None:
        assert self.process.stdout is not None
        if self._rest:
            sys.stderr.write(self._rest.decode(errors="replace"))
        descriptor = self.process.stdout.fileno()
        while chunk := os.read(descriptor, 4096):
            sys.stderr.write(chunk.decode(errors="replace"))

    def _kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        """Closes our end of its stdout, once the forwarding thread (if any) read to the end."""
        if self._forwarder is not None:
            self._forwarder.join(timeout=1.0)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def stop(self) -> str:
        """Stops the server with SIGTERM; returns what broke the contract, or ''."""
        if self.process.poll() is not None:
            self._close()
            status = self.process.returncode
            return f"{self.server.name} had exited (status {status}) before SIGTERM"
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._kill()
            return f"{self.server.name} did not stop within {STOP_TIMEOUT_S:g} s of SIGTERM"
        self._close()
        if status != 0:
            return f"{self.server.name} exited with status {status} on SIGTERM"
        return ""


def run_client(
    client: Path, port: int, point: Point, options: argparse.Namespace
) -> ClientRun:
    command = [
        str(client),
        f"127.0.0.1:{port}",
        f"--connections={point.connections}",
        f"--size={point.size}",
        f"--duration={options.duration}",
        f"--warmup={options.warmup}",
        f"--threads={options.client_threads}",
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=options.duration + options.warmup + CLIENT_SLACK_S,
        )
    except subprocess.TimeoutExpired:
        return ClientRun(failure="client timed out (the server stopped answering?)")
    if done.stderr.strip():
        sys.stderr.write(done.stderr)
    return parse_client_output(done.stdout, done.returncode, done.stderr)


def size_label(size: int) -> str:
    if size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} B"


def _number(value: float) -> str:
    """Messages per second with thousands separators; microseconds with 3 figures or so."""
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or not theirs:
        return "–"
    return f"×{ours / theirs:.2f}"


FIGURES = (("messages_per_s", "msgs/s"), ("p50_us", "p50 µs"), ("p99_us", "p99 µs"))


def format_cells(cell: Cell, reference: Cell | None, is_reference: bool) -> list[str]:
    """A server's three cells at one point: each figure, and its ratio to the reference's."""
    failure = cell.failure()
    if failure:
        return [f"failed: {failure}"] + ["–"] * (len(FIGURES) - 1)
    cells = []
    for figure, _ in FIGURES:
        value = cell.median(figure)
        text = "–" if value is None else _number(value)
        if not is_reference and value is not None and reference is not None:
            text += f" ({_ratio(value, reference.median(figure))})"
        cells.append(text)
    return cells


def targets(
    results: dict[str, dict[Point, Cell]], names: Sequence[str], reference: str
) -> list[str]:
    """Per server: the points where it echoes fewer messages than the reference or has a worse
    p99 (the issue's target: at or above Asio's throughput at every point, p99 no worse)."""
    lines = []
    theirs = results.get(reference, {})
    for name in names:
        if name == reference:
            continue
        misses = []
        for point in POINTS:
            ours, ref = results[name].get(point), theirs.get(point)
            if ours is None or ref is None or ours.failure() or ref.failure():
                misses.append(f"{_point_label(point)} (unmeasured)")
                continue
            missed = []
            if (ours.median("messages_per_s") or 0) < (ref.median("messages_per_s") or 0):
                missed.append(
                    "throughput "
                    + _ratio(ours.median("messages_per_s"), ref.median("messages_per_s"))
                )
            if (ours.median("p99_us") or 0) > (ref.median("p99_us") or 0):
                missed.append("p99 " + _ratio(ours.median("p99_us"), ref.median("p99_us")))
            if missed:
                misses.append(f"{_point_label(point)} ({', '.join(missed)})")
        verdict = "met at every point" if not misses else "missed at " + "; ".join(misses)
        lines.append(
            f"- {name}: throughput at or above {reference}'s and p99 no worse: {verdict}"
        )
    return lines


def _point_label(point: Point) -> str:
    noun = "connection" if point.connections == 1 else "connections"
    return f"{point.connections:,} {noun}, {size_label(point.size)}"


def _threads(count: int) -> str:
    return f"{count} thread" if count == 1 else f"{count} threads"


def machine_note(client_threads: int, cores: int, load: tuple[float, float, float]) -> str:
    """What the machine did to the figures: cores shared by client and servers, and load."""
    shared = (
        f"This machine has {cores} cores: the client's {_threads(client_threads)} and the "
        "server's 2 threads share them, so a round trip includes handing a core from client "
        "to server and back, the server never has both cores to itself, and a busy client "
        "takes time from the server it measures. Absolute figures are lower, and latencies "
        "higher, than with the client on cores or machines of its own; every server bears the "
        "same handicap, so the ratios compare them, though a server that needs fewer context "
        "switches per round trip gains more here than it would there."
        if cores <= 2 + client_threads
        else f"This machine has {cores} cores, enough for the client's "
        f"{_threads(client_threads)} and the server's 2 threads each to have one."
    )
    return (
        f"{shared} Load average when the run started: {load[0]:.2f}, {load[1]:.2f}, "
        f"{load[2]:.2f} (1, 5, 15 min); other processes on the same cores make every figure "
        "noisier."
    )


def format_table(
    results: dict[str, dict[Point, Cell]],
    names: Sequence[str],
    reference: str,
    settings: str,
    notes: Sequence[str] = (),
) -> str:
    """The echo table in Markdown: a row per point, three columns per server."""
    header = ["connections", "message"]
    for name in names:
        header += [f"{name} {label}" for _, label in FIGURES]
    lines = [
        "## Echo benchmark",
        "",
        settings,
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---:|" * len(header),
    ]
    for point in POINTS:
        row = [f"{point.connections:,}", size_label(point.size)]
        ref = results.get(reference, {}).get(point)
        for name in names:
            cell = results[name].get(point, Cell())
            row += format_cells(cell, ref, name == reference)
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "msgs/s: messages echoed per second (each message sent, echoed whole and checked byte "
        "for byte); p50 µs, p99 µs: the round trip of one message, from the client's send to "
        f"the last byte of its echo. (×N): the figure over {reference}'s at the same point in "
        "the same run: above 1 is more messages per second, but a longer round trip.",
        "",
        LITTLE_NOTE,
    ]
    target_lines = targets(results, names, reference)
    if target_lines:
        lines += ["", *target_lines]
    for note in notes:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def run_benchmark(
    servers: Sequence[Server], options: argparse.Namespace
) -> tuple[dict[str, dict[Point, Cell]], list[str]]:
    """Starts every server, runs every point on each in turn, stops them. Returns the cells
    and what broke (server contracts)."""
    results: dict[str, dict[Point, Cell]] = {server.name: {} for server in servers}
    broken: list[str] = []
    running: list[RunningServer] = []
    try:
        for server in servers:
            running.append(RunningServer(server))
        for repetition in range(options.repetitions):
            order = running if repetition % 2 == 0 else list(reversed(running))
            for point in POINTS:
                for instance in order:
                    print(
                        f"echo_bench: {instance.server.name}, {_point_label(point)} "
                        f"(run {repetition + 1} of {options.repetitions})",
                        file=sys.stderr,
                        flush=True,
                    )
                    run = run_client(options.client, instance.port, point, options)
                    results[instance.server.name].setdefault(point, Cell()).runs.append(run)
    finally:
        for instance in running:
            problem = instance.stop()
            if problem:
                broken.append(problem)
    return results, broken


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("servers", nargs="+", metavar="SERVER")
    parser.add_argument("--client", default="build/default/bench/echo-client", type=Path)
    parser.add_argument("--client-threads", default=DEFAULT_CLIENT_THREADS, type=int)
    parser.add_argument("--duration", default=DEFAULT_DURATION_S, type=float)
    parser.add_argument("--warmup", default=DEFAULT_WARMUP_S, type=float)
    parser.add_argument("--repetitions", default=DEFAULT_REPETITIONS, type=int)
    parser.add_argument("--reference", default=REFERENCE)
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    options = parser.parse_args(argv)
    if options.duration <= 0 or options.warmup < 0 or options.repetitions < 1:
        parser.error("--duration must be above 0, --warmup at least 0, --repetitions at least 1")
    if options.client_threads < 1:
        parser.error("--client-threads must be at least 1")
    if not os.access(options.client, os.X_OK):
        parser.error(f"no client program at {options.client} (make bench builds it)")
    try:
        servers = [parse_server(text) for text in options.servers]
    except ValueError as error:
        parser.error(str(error))
    names = [server.name for server in servers]
    if len(set(names)) != len(names):
        parser.error(f"two servers have the same name: {names} (name them: NAME=COMMAND)")
    reference = options.reference if options.reference in names else names[0]

    load = os.getloadavg()
    machine = machine_line(options.client.parent)
    try:
        results, broken = run_benchmark(servers, options)
    except ContractError as error:
        print(f"echo_bench: {error}", file=sys.stderr)
        return 1
    settings = machine + "\n\n" + (
        f"Client: echo-client, {_threads(options.client_threads)}, closed loop; "
        f"{options.warmup:g} s of warm-up then {options.duration:g} s per point; each figure is "
        f"the median of {options.repetitions} runs, the servers taking turns at every point."
    )
    notes = [machine_note(options.client_threads, os.cpu_count() or 1, load), *broken]
    report = format_table(results, names, reference, settings, notes)
    print(report, end="")
    if options.output:
        options.output.write_text(report)
        print(f"echo_bench: wrote {options.output}", file=sys.stderr)
    failed = any(cell.failure() for cells in results.values() for cell in cells.values())
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
