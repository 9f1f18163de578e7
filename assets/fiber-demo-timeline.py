"""Draws assets/fiber-demo-timeline.svg: chapter 06's demo over time, from
the timestamps of the output shown on book/src/06-stackful-fibers/running-it.md:
three tasks on one thread, the fiber suspended in the middle of its loop
while each timer runs. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

END_MS = 30
LEFT, RIGHT, TOP, ROW, BAR_H = 150, 30, 56, 50, 26
WIDTH = 720
WAIT, RUN = "#e8f1fb", "#3f6fa8"

ROWS = [  # (task, waits as (from ms, to ms, label), what it says when it runs at the end)
    ("fiber: fetch_all", [(0, 5, "fetch(1) waits"), (5, 15, "fetch(2) waits"),
                          (15, 30, "fetch(3) waits")], "returns 600"),
    ("coroutine", [(0, 30, "co_await on the fiber's JoinHandle")], "got 600"),
    ("second fiber", [(0, 30, "art::await on the coroutine's handle")], "got 601"),
]
POLLS = [0, 5, 15, 30]  # when the thread ran: the start and each timer's wake


def x(ms: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT - 60) * ms / END_MS


def svg() -> str:
    out = ['<text x="20" y="22" font-weight="bold">'
           "the demo's three tasks on the executor's thread</text>"]
    for ms in range(0, END_MS + 1, 5):
        out.append(f'<line x1="{x(ms):.1f}" y1="{TOP - 8}" x2="{x(ms):.1f}" '
                   f'y2="{TOP + ROW * (len(ROWS) + 1) - 14}" stroke="#dddddd"/>')
        out.append(f'<text x="{x(ms):.1f}" y="{TOP - 14}" text-anchor="middle" '
                   f'font-size="13" fill="#555555">{ms} ms</text>')
    for r, (task, waits, result) in enumerate(ROWS):
        y = TOP + ROW * r
        out.append(f'<text x="{LEFT - 12}" y="{y + 18}" text-anchor="end" '
                   f'fill="#333333">{task}</text>')
        for start, end, label in waits:
            out.append(f'<rect x="{x(start):.1f}" y="{y}" width="{x(end) - x(start):.1f}" '
                       f'height="{BAR_H}" fill="{WAIT}" stroke="#6a9bd1"/>')
            out.append(f'<text x="{(x(start) + x(end)) / 2:.1f}" y="{y + 18}" '
                       f'text-anchor="middle" font-size="13">{label}</text>')
        out.append(f'<text x="{x(END_MS) + 8:.1f}" y="{y + 18}" font-weight="bold">'
                   f'{result}</text>')
    y = TOP + ROW * len(ROWS)
    out.append(f'<text x="{LEFT - 12}" y="{y + 18}" text-anchor="end" '
               'fill="#333333">executor\'s thread</text>')
    for ms in POLLS:
        out.append(f'<rect x="{x(ms) - 3:.1f}" y="{y}" width="6" height="{BAR_H}" '
                   f'fill="{RUN}"/>')
    out.append(f'<text x="{x(7.5):.1f}" y="{y + BAR_H + 20}" text-anchor="middle" '
               'font-size="13" fill="#555555">and sleeps in between</text>')
    return _svg.document(WIDTH, y + BAR_H + 34, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
