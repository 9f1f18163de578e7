"""Draws assets/schedulers-compared.svg: chapter 11's three schedulers, each with and
without the cooperative budget, on every row of the comparison table. A row is one
workload at one worker count; each configuration is a mark at its figure divided by the
lowest figure of the row (x1 = the best of the six; log scale), so rows with different
units share one axis. The figures are assets/schedulers-compared.json, which
`make compare-book` (tools/compare_schedulers.py --book) writes from a run of
build/default/bench/compare-schedulers. Run from the repository root: `make diagrams`.
Standard library only."""

import json
import math
from pathlib import Path

import _svg

DATA = Path(__file__).with_suffix(".json")
COLOURS = {"round-robin": "#d55e00", "work-stealing": "#0072b2", "hybrid": "#009e73"}
NAMES = {"round-robin": "round robin", "work-stealing": "work stealing", "hybrid": "hybrid"}
LABELS, WIDTH, RIGHT = 250, 740, 30
LANE, ROW_GAP, TOP = 6, 10, 104
MARK = 5  # half the size of a mark


def mark(scheduler: str, budget: bool, x: float, y: float) -> str:
    """A square, circle or diamond in the scheduler's colour; filled with the budget,
    hollow without it."""
    colour = COLOURS[scheduler]
    fill = colour if budget else "white"
    style = f'fill="{fill}" stroke="{colour}" stroke-width="1.8"'
    if scheduler == "round-robin":
        return (f'<rect x="{x - MARK + 0.5:.1f}" y="{y - MARK + 0.5:.1f}" '
                f'width="{2 * MARK - 1}" height="{2 * MARK - 1}" {style}/>')
    if scheduler == "work-stealing":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{MARK}" {style}/>'
    points = f"{x:.1f},{y - MARK - 1:.1f} {x + MARK + 1:.1f},{y:.1f} " \
             f"{x:.1f},{y + MARK + 1:.1f} {x - MARK - 1:.1f},{y:.1f}"
    return f'<polygon points="{points}" {style}/>'


def chart(summary: dict) -> str:
    names = summary["configurations"]
    ratios = []
    for row in summary["rows"]:
        best = min(row["values"][n] for n in names)
        ratios.append([row["values"][n] / best for n in names])
    decades = max(1, math.ceil(math.log10(max(max(r) for r in ratios)) - 1e-9))

    def x(ratio: float) -> float:
        return LABELS + (WIDTH - LABELS - RIGHT) * math.log10(ratio) / decades

    out = [_svg.text(20, 22, "Each configuration against the best of its row "
                     "(lower is better; log scale)", ' font-weight="bold"')]
    legend_x = 20
    for scheduler, colour in COLOURS.items():
        out.append(mark(scheduler, True, legend_x + MARK, 42))
        out.append(_svg.text(legend_x + 14, 47, NAMES[scheduler]))
        legend_x += 30 + 7.2 * len(NAMES[scheduler])
    out.append(_svg.text(legend_x + 10, 47, "filled: with the budget; hollow: without",
                         ' fill="#333333"'))
    out.append(_svg.text(20, 70, "A row is one workload at 1 or 2 workers; "
                         "its figure is in the table (CPU, wall-clock or lateness).",
                         ' font-size="13" fill="#555555"'))
    row_height = LANE * len(names) + ROW_GAP
    bottom = TOP + row_height * len(summary["rows"])
    for power in range(decades + 1):
        for step in (1, 2, 5):
            ratio = step * 10 ** power
            if ratio > 10 ** decades:
                break
            gx = x(ratio)
            strong = step == 1
            out.append(f'<line x1="{gx:.1f}" y1="{TOP - 8}" x2="{gx:.1f}" y2="{bottom}" '
                       f'stroke="{"#bbbbbb" if strong else "#e6e6e6"}"/>')
            if strong or decades <= 2:
                out.append(f'<text x="{gx:.1f}" y="{TOP - 14}" text-anchor="middle" '
                           f'font-size="13" fill="#555555">×{ratio:g}</text>')
    for r, (row, row_ratios) in enumerate(zip(summary["rows"], ratios)):
        y0 = TOP + row_height * r
        if row["workers"] == 1:
            out.append(f'<line x1="20" y1="{y0 - ROW_GAP / 2:.1f}" x2="{WIDTH - 10}" '
                       f'y2="{y0 - ROW_GAP / 2:.1f}" stroke="#999999"/>')
            out.append(_svg.text(20, y0 + 14, row["workload"], ' font-weight="bold"'))
        middle = y0 + LANE * len(names) / 2
        out.append(f'<text x="{LABELS - 12}" y="{middle + 4:.1f}" text-anchor="end" '
                   f'font-size="13" fill="#333333">{row["workers"]} worker'
                   f'{"s" if row["workers"] > 1 else ""}</text>')
        for lane, (name, ratio) in enumerate(zip(names, row_ratios)):
            scheduler, budget = name.split("/")
            out.append(mark(scheduler, budget == "budget", x(ratio), y0 + LANE * lane + 3))
    out.append(f'<line x1="20" y1="{bottom + ROW_GAP / 2:.1f}" x2="{WIDTH - 10}" '
               f'y2="{bottom + ROW_GAP / 2:.1f}" stroke="#999999"/>')
    return _svg.document(WIDTH, bottom + 20, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, chart(json.loads(DATA.read_text())))
