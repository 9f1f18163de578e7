"""Draws assets/lost-wake-race.svg: the end of a poll racing a wake from
another thread (chapter 04). Read-then-write loses the wake; one
compare-and-swap keeps it. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

WIDTH = 720
EXEC_X, STATE_X, WAKE_X = 16, 298, 432  # left edges: executor box, state pill, waker box
BOX_W, PILL_W, ROW = 258, 110, 44
BAD, GOOD = "#b03a2e", "#3f7f3f"

PANELS = [  # (title, steps, outcome, colour); a step is (lane, action, state after)
    ("finish_poll reads, then writes: the wake is lost", [
        ("exec", "finish_poll loads: running", "running"),
        ("wake", "wake: running → notified", "notified"),
        ("exec", "finish_poll stores idle", "idle"),
    ], "idle in no queue, its wake spent: never polled again", BAD),
    ("finish_poll is one compare-and-swap: the wake counts", [
        ("wake", "wake: running → notified", "notified"),
        ("exec", "swap running → idle fails", "notified"),
        ("exec", "stores scheduled, requeues", "scheduled"),
    ], "queued once: exactly one more poll", GOOD),
]


def box(x: float, y: float, w: float, text: str, fill: str, stroke: str) -> list[str]:
    return [f'<rect x="{x}" y="{y}" width="{w}" height="30" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.4"/>',
            f'<text x="{x + w / 2}" y="{y + 20}" text-anchor="middle">{text}</text>']


def arrow(x1: float, x2: float, y: float) -> str:
    head = -7 if x2 > x1 else 7
    return (f'<path d="M {x1} {y} L {x2} {y} M {x2 + head} {y - 5} L {x2} {y} '
            f'L {x2 + head} {y + 5}" fill="none" stroke="#555555" stroke-width="1.4"/>')


def panel(top: float, title: str, steps, outcome: str, colour: str) -> list[str]:
    out = [f'<text x="{EXEC_X}" y="{top + 16}" font-weight="bold">{title}</text>']
    heads = top + 30
    for x, w, name in ((EXEC_X, BOX_W, "executor's thread"), (STATE_X, PILL_W, "state"),
                       (WAKE_X, BOX_W, "another thread")):
        out.append(f'<text x="{x + w / 2}" y="{heads + 16}" text-anchor="middle" '
                   f'fill="#555555">{name}</text>')
    first = heads + 28
    last = first + ROW * len(steps)
    for x in (EXEC_X + BOX_W / 2, WAKE_X + BOX_W / 2):
        out.append(f'<line x1="{x}" y1="{first - 4}" x2="{x}" y2="{last}" '
                   'stroke="#cccccc" stroke-dasharray="4,4"/>')
    for i, (lane, action, state) in enumerate(steps):
        y = first + ROW * i
        final = i == len(steps) - 1
        if lane == "exec":
            out += box(EXEC_X, y, BOX_W, action, "#e8f1fb", "#6a9bd1")
            out.append(arrow(EXEC_X + BOX_W, STATE_X, y + 15))
        else:
            out += box(WAKE_X, y, BOX_W, action, "#fbf1dc", "#a87812")
            out.append(arrow(WAKE_X, STATE_X + PILL_W, y + 15))
        stroke = colour if final else "#888888"
        out += box(STATE_X, y, PILL_W, state, "white", stroke)
    out.append(f'<text x="{STATE_X + PILL_W / 2}" y="{last + 14}" text-anchor="middle" '
               f'font-weight="bold" fill="{colour}">{outcome}</text>')
    return out


def svg() -> str:
    out = []
    top = 8
    for title, steps, outcome, colour in PANELS:
        out += panel(top, title, steps, outcome, colour)
        top += 58 + ROW * len(steps) + 40
    return _svg.document(WIDTH, top - 16, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
