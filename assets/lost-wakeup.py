"""Chapter 07: the interleaving that loses a wake-up, and why the shared
queue's next_task cannot run it. Two panels, time going down; each has a
worker's lane and a spawning thread's lane. Render with `make diagrams`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _svg import document, write_beside  # noqa: E402

LANE_W = 196
GAP = 24
PANEL_W = 2 * LANE_W + 12
ROW_H = 50
TOP = 86

BLUE = ("#e8f1fb", "#6a9bd1")
RED = ("#fbeaea", "#b03a2e")
GREEN = ("#eaf6ea", "#6fb36f")
GREY = ("#f2f2f2", "#999999")


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def box(x: float, y: float, lines: list[str], colours: tuple[str, str]) -> list[str]:
    fill, stroke = colours
    out = [f'<rect x="{x}" y="{y}" width="{LANE_W - 8}" height="{ROW_H - 10}" rx="6" '
           f'fill="{fill}" stroke="{stroke}" stroke-width="1.4"/>']
    first = y + (ROW_H - 10) / 2 - 8 * (len(lines) - 1) + 5
    for i, line in enumerate(lines):
        out.append(f'<text x="{x + (LANE_W - 8) / 2}" y="{first + 16 * i}" '
                   f'text-anchor="middle">{esc(line)}</text>')
    return out


def panel(x0: float, title: str, steps: list[tuple[int, int, list[str], tuple]]) -> list[str]:
    out = [f'<text x="{x0 + PANEL_W / 2}" y="26" text-anchor="middle" font-size="16" '
           f'font-weight="bold">{esc(title)}</text>']
    for lane, name in enumerate(["worker (next_task)", "spawner (schedule)"]):
        cx = x0 + lane * (LANE_W + 12) + LANE_W / 2
        out.append(f'<text x="{cx}" y="{TOP - 22}" text-anchor="middle" '
                   f'font-weight="bold">{name}</text>')
        bottom = TOP + ROW_H * (max(s[0] for s in steps) + 1)
        out.append(f'<line x1="{cx}" y1="{TOP - 12}" x2="{cx}" y2="{bottom}" '
                   f'stroke="#bbbbbb" stroke-dasharray="4 4"/>')
    for row, lane, lines, colours in steps:
        out += box(x0 + lane * (LANE_W + 12) + 4, TOP + row * ROW_H, lines, colours)
    return out


BROKEN = [
    (0, 0, ["lock; queue empty"], BLUE),
    (1, 0, ["unlock"], BLUE),
    (2, 1, ["lock; push T"], BLUE),
    (3, 1, ["no sleeper counted:", "no notify; unlock"], RED),
    (4, 0, ["lock; ++sleepers;", "wait()"], BLUE),
    (5, 0, ["asleep, T queued:", "nobody runs T"], RED),
]

SHARED = [
    (0, 0, ["lock; queue empty"], BLUE),
    (1, 1, ["lock: blocks,", "the worker holds it"], GREY),
    (2, 0, ["++sleepers; wait():", "unlock + sleep, one step"], GREEN),
    (3, 1, ["gets the lock; push T;", "sleepers == 1"], BLUE),
    (4, 1, ["unlock; notify_one"], GREEN),
    (5, 0, ["wakes, relocks;", "--sleepers; pops T"], GREEN),
]

width = 2 * PANEL_W + GAP + 16
height = TOP + ROW_H * 6 + 12
shapes = panel(8, "check and sleep in two steps", BROKEN)
shapes += panel(8 + PANEL_W + GAP, "SharedQueueScheduler", SHARED)
shapes.append(f'<line x1="{8 + PANEL_W + GAP / 2}" y1="10" x2="{8 + PANEL_W + GAP / 2}" '
              f'y2="{height - 8}" stroke="#dddddd" stroke-width="2"/>')
write_beside(__file__, document(width, height, shapes))
