"""Tests of the echo benchmark's script: server arguments, the server contract (port line,
SIGTERM), the client's JSON, the table and its ratios, the targets."""

import argparse
import json
import os
import socket
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import echo_bench  # noqa: E402
from echo_bench import (  # noqa: E402
    POINTS,
    Cell,
    ClientRun,
    ContractError,
    Point,
    RunningServer,
    Server,
    format_table,
    machine_note,
    parse_client_output,
    parse_port,
    parse_server,
    targets,
)


def client_json(**figures):
    """One line of echo-client's output, with plausible figures unless given."""
    data = {
        "connections": 100,
        "connected": 100,
        "connect_failures": 0,
        "size": 64,
        "threads": 1,
        "duration_s": 2.0,
        "warmup_s": 0.5,
        "messages": 200000,
        "messages_per_s": 100000.0,
        "mb_per_s": 6.4,
        "p50_us": 50.0,
        "p99_us": 200.0,
        "max_us": 900.0,
        "errors": 0,
    }
    data.update(figures)
    return json.dumps(data) + "\n"


def cell(*runs):
    return Cell(runs=list(runs))


def measured(messages_per_s, p50_us=10.0, p99_us=100.0):
    return ClientRun(messages_per_s=messages_per_s, p50_us=p50_us, p99_us=p99_us)


def every_point(make):
    return {point: make(point) for point in POINTS}


class ParseServerTest(unittest.TestCase):
    def test_a_program_is_named_by_its_file_name_without_echo_prefix(self):
        server = parse_server("build/default/bench/echo-asio")
        self.assertEqual(server, Server("asio", ("build/default/bench/echo-asio",)))

    def test_name_equals_command_keeps_the_arguments(self):
        server = parse_server("shared=build/default/bench/echo-asio --contexts=shared")
        self.assertEqual(server.name, "shared")
        self.assertEqual(server.command, ("build/default/bench/echo-asio", "--contexts=shared"))

    def test_an_equals_sign_in_a_path_is_not_a_name(self):
        server = parse_server("build/a=b/echo-art")
        self.assertEqual(server, Server("art", ("build/a=b/echo-art",)))

    def test_a_name_without_a_command_is_refused(self):
        with self.assertRaisesRegex(ValueError, "needs a command"):
            parse_server("art=")


class ParsePortTest(unittest.TestCase):
    def test_the_first_line_is_the_port(self):
        self.assertEqual(parse_port("41234\n", "asio"), 41234)

    def test_anything_else_breaks_the_contract_and_says_so(self):
        for line in ("listening on 41234", "", "0", "70000"):
            with self.subTest(line=line):
                with self.assertRaisesRegex(ContractError, "asio: .*prints the port"):
                    parse_port(line, "asio")


class ParseClientOutputTest(unittest.TestCase):
    def test_the_figures_of_a_good_run(self):
        run = parse_client_output(client_json(messages_per_s=1234.5, p99_us=88.0), 0)
        self.assertFalse(run.failed())
        self.assertEqual(run.messages_per_s, 1234.5)
        self.assertEqual(run.p99_us, 88.0)

    def test_errors_fail_the_run_with_the_first_message(self):
        stderr = "echo-client: connection 3: wrong echo: message 7\nmore\n"
        run = parse_client_output(client_json(errors=2), 1, stderr)
        self.assertTrue(run.failed())
        self.assertIn("2 error(s)", run.failure)
        self.assertIn("connection 3: wrong echo", run.failure)

    def test_connections_that_never_connected_fail_the_run(self):
        run = parse_client_output(client_json(connect_failures=5), 1)
        self.assertIn("5 connection(s) failed to connect", run.failure)

    def test_a_client_without_json_fails_with_its_last_words(self):
        run = parse_client_output("", 2, "echo-client: no server address\nusage: ...\n")
        self.assertIn("status 2", run.failure)
        self.assertIn("usage", run.failure)

    def test_a_missing_figure_fails_the_run(self):
        run = parse_client_output('{"messages_per_s": 5}\n', 0)
        self.assertIn("lacks a figure", run.failure)

    def test_a_bad_exit_status_fails_even_a_clean_report(self):
        self.assertIn("status 1", parse_client_output(client_json(), 1).failure)


class CellTest(unittest.TestCase):
    def test_each_figure_is_the_median_of_the_runs(self):
        runs = cell(measured(100, p99_us=9), measured(300, p99_us=1), measured(200, p99_us=5))
        self.assertEqual(runs.median("messages_per_s"), 200)
        self.assertEqual(runs.median("p99_us"), 5)

    def test_one_failed_run_fails_the_cell(self):
        runs = cell(measured(100), ClientRun(failure="1 error(s)"))
        self.assertEqual(runs.failure(), "1 error(s)")


class FormatTableTest(unittest.TestCase):
    def table(self, results, names=("asio", "art")):
        return format_table(results, list(names), "asio", "settings line", ["a note"])

    def rows(self, table):
        return [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]

    def test_a_row_per_point_and_three_columns_per_server(self):
        results = {
            "asio": every_point(lambda point: cell(measured(1000))),
            "art": every_point(lambda point: cell(measured(2000))),
        }
        table = self.table(results)
        header, *rows = self.rows(table)
        self.assertEqual(
            header,
            "| connections | message | asio msgs/s | asio p50 µs | asio p99 µs | art msgs/s | "
            "art p50 µs | art p99 µs |",
        )
        self.assertEqual(len(rows), 6)
        self.assertTrue(rows[0].startswith("| 1 | 64 B |"))
        self.assertTrue(rows[1].startswith("| 1 | 4 KiB |"))
        self.assertTrue(rows[5].startswith("| 1,000 | 4 KiB |"))
        self.assertIn("settings line", table)
        self.assertIn("a note", table)

    def test_ratios_to_the_reference_and_none_in_its_own_cells(self):
        results = {
            "asio": every_point(lambda point: cell(measured(100000, p50_us=20, p99_us=400))),
            "art": every_point(lambda point: cell(measured(125000, p50_us=10, p99_us=500))),
        }
        row = self.rows(self.table(results))[1]
        self.assertEqual(
            row,
            "| 1 | 64 B | 100,000 | 20.0 | 400 | 125,000 (×1.25) | 10.0 (×0.50) | 500 (×1.25) |",
        )

    def test_a_failed_cell_says_why(self):
        results = {
            "asio": every_point(lambda point: cell(measured(1000))),
            "art": every_point(
                lambda point: cell(ClientRun(failure="3 error(s), first: wrong echo"))
            ),
        }
        row = self.rows(self.table(results))[1]
        self.assertIn("failed: 3 error(s), first: wrong echo | – | – |", row)

    def test_a_failed_reference_leaves_the_ratios_out(self):
        results = {
            "asio": every_point(lambda point: cell(ClientRun(failure="client timed out"))),
            "art": every_point(lambda point: cell(measured(1000))),
        }
        row = self.rows(self.table(results))[1]
        self.assertIn("| 1,000 (–) |", row)


class TargetsTest(unittest.TestCase):
    def test_met_when_throughput_is_as_high_and_p99_as_low_everywhere(self):
        results = {
            "asio": every_point(lambda point: cell(measured(1000, p99_us=100))),
            "art": every_point(lambda point: cell(measured(1000, p99_us=100))),
        }
        self.assertEqual(
            targets(results, ["asio", "art"], "asio"),
            ["- art: throughput at or above asio's and p99 no worse: met at every point"],
        )

    def test_each_miss_is_named_with_its_point_and_ratio(self):
        slow = Point(1000, 4096)
        results = {
            "asio": every_point(lambda point: cell(measured(1000, p99_us=100))),
            "art": every_point(
                lambda point: cell(measured(900, p99_us=150))
                if point == slow
                else cell(measured(1000, p99_us=100))
            ),
        }
        [line] = targets(results, ["asio", "art"], "asio")
        self.assertIn("missed at 1,000 connections, 4 KiB (throughput ×0.90, p99 ×1.50)", line)
        self.assertNotIn("64 B", line)


class MachineNoteTest(unittest.TestCase):
    def test_two_cores_are_shared_by_client_and_server(self):
        note = machine_note(1, 2, (1.5, 1.0, 0.5))
        self.assertIn("2 cores", note)
        self.assertIn("share them", note)
        self.assertIn("1.50, 1.00, 0.50", note)
        self.assertIn("the client's 1 thread and", note)

    def test_enough_cores_for_everyone(self):
        self.assertIn("enough", machine_note(1, 8, (0.0, 0.0, 0.0)))


# A server that keeps the contract, written in Python: binds 127.0.0.1 port 0, prints the
# port, echoes one connection at a time, exits 0 on SIGTERM. BEHAVIOUR changes what it does.
FAKE_SERVER = textwrap.dedent(
    """
    import signal, socket, sys, time
    behaviour = sys.argv[1]
    if behaviour == "exit":
        sys.exit(3)
    if behaviour == "silent":
        time.sleep(60)
    if behaviour == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.create_server(("127.0.0.1", 0))
    if behaviour == "garbage":
        print("listening!", flush=True)
    else:
        print(listener.getsockname()[1], flush=True)
    print("more output after the port", flush=True)
    while True:
        connection, _ = listener.accept()
        while data := connection.recv(4096):
            connection.sendall(data)
        connection.close()
    """
)


class RunningServerTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.script = Path(self.directory.name) / "server.py"
        self.script.write_text(FAKE_SERVER)
        timeouts = mock.patch.multiple(echo_bench, STARTUP_TIMEOUT_S=2.0, STOP_TIMEOUT_S=1.0)
        timeouts.start()
        self.addCleanup(timeouts.stop)
        self.addCleanup(self.directory.cleanup)

    def server(self, behaviour):
        return Server(behaviour, (sys.executable, str(self.script), behaviour))

    def test_a_server_that_keeps_the_contract(self):
        instance = RunningServer(self.server("good"))
        try:
            with socket.create_connection(("127.0.0.1", instance.port), timeout=5) as client:
                client.sendall(b"ping")
                self.assertEqual(client.recv(4), b"ping")
        finally:
            self.assertEqual(instance.stop(), "")

    def test_a_server_that_prints_something_else_is_refused_and_stopped(self):
        with self.assertRaisesRegex(ContractError, "garbage: .*'listening!'"):
            RunningServer(self.server("garbage"))

    def test_a_server_that_exits_first_is_named_with_its_status(self):
        with self.assertRaisesRegex(ContractError, "exit: exited with status 3"):
            RunningServer(self.server("exit"))

    def test_a_server_that_prints_nothing_times_out(self):
        with self.assertRaisesRegex(ContractError, "silent: printed no port within 2 s"):
            RunningServer(self.server("silent"))

    def test_a_server_that_ignores_sigterm_is_killed_and_reported(self):
        instance = RunningServer(self.server("ignore-sigterm"))
        self.assertEqual(
            instance.stop(), "ignore-sigterm did not stop within 1 s of SIGTERM"
        )
        self.assertIsNotNone(instance.process.poll())


# A client that echoes nothing: it logs the port it was given and reports it as its figure.
FAKE_CLIENT = textwrap.dedent(
    """
    import json, sys
    port = int(sys.argv[1].rsplit(":", 1)[1])
    with open(sys.argv[0] + ".log", "a") as log:
        log.write(f"{port}\\n")
    print(json.dumps({"messages_per_s": port, "mb_per_s": 1.0, "p50_us": 1.0, "p99_us": 2.0,
                      "max_us": 3.0, "errors": 0, "connect_failures": 0}))
    """
)


class RunBenchmarkTest(unittest.TestCase):
    def test_servers_take_turns_in_reversed_order_each_repetition(self):
        with tempfile.TemporaryDirectory() as directory:
            server_script = Path(directory) / "server.py"
            server_script.write_text(FAKE_SERVER)
            client = Path(directory) / "client"
            client.write_text(f"#!{sys.executable}\n" + FAKE_CLIENT)
            client.chmod(0o755)
            servers = [
                Server(name, (sys.executable, str(server_script), "good")) for name in "ab"
            ]
            options = argparse.Namespace(
                client=client, duration=0.1, warmup=0.0, client_threads=1, repetitions=2
            )
            point = Point(1, 64)
            with mock.patch.object(echo_bench, "POINTS", (point,)):
                results, broken = echo_bench.run_benchmark(servers, options)
            self.assertEqual(broken, [])
            ports = [int(line) for line in Path(f"{client}.log").read_text().split()]
        port_a = results["a"][point].runs[0].messages_per_s
        port_b = results["b"][point].runs[0].messages_per_s
        self.assertEqual(ports, [port_a, port_b, port_b, port_a])
        self.assertEqual(len(results["a"][point].runs), 2)


if __name__ == "__main__":
    unittest.main()
