"""Draws assets/ch11-starvation.svg: how late the probe of bench/starvation.cpp
wakes beside a hog, with and without the cooperative budget, at 1 and 2
workers. The numbers are three runs of

    build/default/bench/starvation 1.5 --json

one after the other, kept in assets/ch11-starvation.jsonl (four lines a run);
each bar is the median of the three runs. Log scale: the lateness spans five
orders of magnitude. Run from the repository root: `make diagrams`.
Standard library only."""

import json
import math
import statistics
from pathlib import Path

import _svg

DATA = Path(__file__).with_suffix(".jsonl")
CASES = [(1, "budget"), (1, "unconstrained"), (2, "budget"), (2, "unconstrained")]
METRICS = [("p50", "p50_us", "#6a9bd1"), ("p99", "p99_us", "#e0a040"),
           ("max", "max_us", "#c0504d")]
LABELS, WIDTH, RIGHT = 200, 740, 80
BAR, GAP, GROUP_GAP, TOP = 18, 3, 18, 70
LOW, HIGH = 1, 7  # 10 us to 10 s, as powers of ten


def medians() -> dict:
    runs: dict = {}
    for line in DATA.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            runs.setdefault((row["workers"], row["hog"]), []).append(row)
    return {case: {key: statistics.median(r[key] for r in rows)
                   for _, key, _ in METRICS} | {"runs": len(rows)}
            for case, rows in runs.items()}


def x(us: float) -> float:
    exponent = min(max(math.log10(max(us, 1.0)), LOW), HIGH)
    return LABELS + (WIDTH - LABELS - RIGHT) * (exponent - LOW) / (HIGH - LOW)


def readable(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e3:
        return f"{us / 1e3:.1f} ms"
    return f"{us:.0f} µs"


def tick(exponent: int) -> str:
    units = [(6, "s"), (3, "ms"), (0, "µs")]
    shift, unit = next((s, u) for s, u in units if exponent >= s)
    return f"{10 ** (exponent - shift)} {unit}"


def chart() -> str:
    values = medians()
    out = [_svg.text(20, 22, "How late the 1 ms probe wakes beside a hog "
                     "(median of 3 runs, log scale)", ' font-weight="bold"')]
    legend_x = LABELS
    for name, _, colour in METRICS:
        out.append(f'<rect x="{legend_x}" y="36" width="14" height="14" fill="{colour}"/>')
        out.append(_svg.text(legend_x + 20, 48, name))
        legend_x += 70
    group = len(METRICS) * (BAR + GAP) + GROUP_GAP
    bottom = TOP + group * len(CASES)
    for exponent in range(LOW, HIGH + 1):
        gx = x(10 ** exponent)
        out.append(f'<line x1="{gx:.1f}" y1="{TOP - 6}" x2="{gx:.1f}" y2="{bottom - 10}" '
                   'stroke="#dddddd"/>')
        out.append(f'<text x="{gx:.1f}" y="{bottom + 8}" text-anchor="middle" '
                   f'font-size="13" fill="#555555">{tick(exponent)}</text>')
    for c, case in enumerate(CASES):
        workers, hog = case
        y0 = TOP + group * c
        middle = y0 + len(METRICS) * (BAR + GAP) / 2
        name = f"{workers} worker{'s' if workers > 1 else ''}, {hog}"
        out.append(f'<text x="{LABELS - 10}" y="{middle + 5}" text-anchor="end" '
                   f'fill="#333333">{name}</text>')
        for m, (_, key, colour) in enumerate(METRICS):
            us = values[case][key]
            y = y0 + m * (BAR + GAP)
            out.append(f'<rect x="{LABELS}" y="{y}" width="{x(us) - LABELS:.1f}" '
                       f'height="{BAR}" fill="{colour}"/>')
            out.append(f'<text x="{x(us) + 5:.1f}" y="{y + 14}" font-size="13" '
                       f'fill="#333333">{readable(us)}</text>')
    return _svg.document(WIDTH, bottom + 24, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, chart())
