"""What the demo timelines in assets/ share: one row per task with the
spans it waits, what it says when it ends, and a last row with the moments
the polling thread runs. Standard library only; not a diagram itself
(make diagrams skips _*.py)."""

import _svg

LEFT, RIGHT, TOP, ROW, BAR_H = 150, 90, 56, 44, 26
WIDTH = 720
WAIT, RUN = "#e8f1fb", "#3f6fa8"


def timeline(title: str, end_ms: int, step_ms: int,
             rows: list[tuple[str, list[tuple[float, float, str]], str]],
             runs: list[float], note: str, runs_label: str = "executor's thread") -> str:
    """`rows` holds (task, waits as (from ms, to ms, label), what it says at
    its end); `runs` the moments the thread named `runs_label` polls."""

    def x(ms: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * ms / end_ms

    bottom = TOP + ROW * (len(rows) + 1)
    out = [f'<text x="20" y="22" font-weight="bold">{title}</text>']
    for ms in range(0, end_ms + 1, step_ms):
        out.append(f'<line x1="{x(ms):.1f}" y1="{TOP - 8}" x2="{x(ms):.1f}" '
                   f'y2="{bottom - 14}" stroke="#dddddd"/>')
        out.append(f'<text x="{x(ms):.1f}" y="{TOP - 14}" text-anchor="middle" '
                   f'font-size="13" fill="#555555">{ms} ms</text>')
    for r, (task, waits, result) in enumerate(rows):
        y = TOP + ROW * r
        out.append(f'<text x="{LEFT - 12}" y="{y + 18}" text-anchor="end" '
                   f'fill="#333333">{task}</text>')
        end = 0.0
        for start, stop, label in waits:
            out.append(f'<rect x="{x(start):.1f}" y="{y}" width="{x(stop) - x(start):.1f}" '
                       f'height="{BAR_H}" fill="{WAIT}" stroke="#6a9bd1"/>')
            out.append(f'<text x="{(x(start) + x(stop)) / 2:.1f}" y="{y + 18}" '
                       f'text-anchor="middle" font-size="13">{label}</text>')
            end = max(end, stop)
        out.append(f'<text x="{x(end) + 8:.1f}" y="{y + 18}" font-weight="bold">'
                   f'{result}</text>')
    y = bottom - ROW
    out.append(f'<text x="{LEFT - 12}" y="{y + 18}" text-anchor="end" '
               f'fill="#333333">{runs_label}</text>')
    for ms in runs:
        out.append(f'<rect x="{x(ms) - 3:.1f}" y="{y}" width="6" height="{BAR_H}" '
                   f'fill="{RUN}"/>')
    out.append(f'<text x="{LEFT}" y="{y + BAR_H + 20}" font-size="13" '
               f'fill="#555555">{note}</text>')
    return _svg.document(WIDTH, y + BAR_H + 34, out)
