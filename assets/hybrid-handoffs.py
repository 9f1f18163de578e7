"""Draws assets/hybrid-handoffs.svg: the first polls of chapter 10's demo on
one worker, under work stealing and under the hybrid scheduler. 64
contenders c0..c63 (c63 spawned last) each take one resource 20 times and
hold it across one yield. Each bar is drawn to scale, 3 px per poll: green
polls make progress (take, give back), red ones lose. The sequence is what
the two schedulers' rules give for this workload on one worker; the demo's
loss counts (min, median, max) come out the same. Run from the repository
root: `make diagrams`. Standard library only."""

import _svg

WIDTH = 740
BAR_X, TEXT_X, PX = 30, 226, 3
ROW = 30
GOOD, LOST = "#6fb36f", "#d9534f"


def bar(x0: float, y: float, polls: int, colour: str) -> str:
    return (f'<rect x="{x0}" y="{y - 13}" width="{polls * PX}" height="16" '
            f'fill="{colour}" stroke="white" stroke-width="0.5"/>')


def panel(title: str, fill: str, top: float, rows: list, ending: str) -> tuple[list[str], float]:
    height = 40 + ROW * len(rows) + 26
    out = [f'<rect x="10" y="{top}" width="{WIDTH - 20}" height="{height}" rx="6" '
           f'fill="{fill}" stroke="#bbbbbb"/>',
           _svg.text(20, top + 24, title, ' font-weight="bold"')]
    for i, (segments, body) in enumerate(rows):
        y = top + 40 + ROW * i + 14
        x0 = BAR_X
        for polls, colour in segments:
            out.append(bar(x0, y, polls, colour))
            x0 += polls * PX
        out.append(_svg.text(TEXT_X, y, body))
    out.append(_svg.text(20, top + height - 12, "→ " + ending, ' font-style="italic"'))
    return out, top + height + 12


def svg() -> str:
    out = [_svg.text(20, 24, "Who runs on one worker: the demo's first polls, to scale",
                     ' font-weight="bold"'),
           bar(20, 48, 4, GOOD), _svg.text(38, 48, "a poll that takes or gives back", ' font-size="13"'),
           bar(250, 48, 4, LOST), _svg.text(268, 48, "a poll that loses", ' font-size="13"'),
           _svg.text(400, 48, "(3 px per poll)", ' font-size="13" fill="#555555"')]
    stealing, y = panel("Work stealing: newest first, a guard every 61 ticks", "#f7f7f7", 64, [
        ([(41, GOOD)], "c63: all 20 rounds in a row (it is always the newest)"),
        ([(18, GOOD)], "c62: takes it, gives it back, takes it again…"),
        ([(41, GOOD)], "tick 61, the guard takes the oldest, c0: free, so all 20 rounds"),
        ([(19, GOOD)], "c62 again: takes it, yields still holding it"),
        ([(61, LOST)], "tick 122, the guard takes c1: it loses, is the newest, loses…"),
        ([(61, LOST)], "tick 183, the guard takes c2: the same, 61 losses"),
    ], "c3 to c61 the same, 61 losses each, while c62 holds it, under them all")
    hybrid, y = panel("Hybrid: batches of the older half, each task once per batch", "#fdf6f5", y, [
        ([(1, GOOD), (31, LOST)], "batch 1: c0 takes it; c1 to c31 lose"),
        ([(32, LOST)], "batch 2: c32 to c63 lose"),
        ([(2, GOOD), (30, LOST)], "batch 3: c0 gives it back, c1 takes it; the rest lose"),
        ([(32, LOST)], "batch 4: c32 to c63 lose"),
    ], "one hand-off per 64 polls, 1,280 in all: every task finishes near the end")
    return _svg.document(WIDTH, y, out + stealing + hybrid)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
