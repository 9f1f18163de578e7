"""Draws assets/state-word-bits.svg: chapter 07's TaskStateWord, six flag
bits and a reference count in one 64-bit atomic word, with the word of a
new task. Run from the repository root: `make diagrams`. Standard library
only."""

import _svg

W, H = 740, 230
LEFT, TOP, CELL, REFS, ROW = 20, 50, 62, 328, 44
FLAGS = [  # from bit 5 down to bit 0: (letter, name, value of a new task)
    ("W", "JOIN_WAKER", "0"), ("J", "JOIN_INTEREST", "1"), ("X", "CANCELLED", "0"),
    ("N", "NOTIFIED", "1"), ("C", "COMPLETE", "0"), ("R", "RUNNING", "0"),
]
FILLS = {"W": "#eaf6ea", "J": "#eaf6ea", "X": "#fbeaea", "N": "#fbf1dc",
         "C": "#e8f1fb", "R": "#e8f1fb"}


def cell(x, w, fill, top, bottom):
    return (f'<rect x="{x}" y="{TOP}" width="{w}" height="{ROW}" fill="{fill}" '
            f'stroke="#555555" stroke-width="1.4"/>'
            f'<text x="{x + w / 2}" y="{TOP + 28}" text-anchor="middle" '
            f'font-weight="bold">{top}</text>'
            f'<text x="{x + w / 2}" y="{TOP + ROW + 24}" text-anchor="middle" '
            f'fill="#444444">{bottom}</text>')


def svg() -> str:
    out = ['<text x="20" y="24" font-weight="bold">one std::atomic&lt;uint64_t&gt; '
           'per task: six flags and the reference count</text>']
    out.append(f'<text x="{LEFT}" y="{TOP - 8}" fill="#444444">bit 63</text>')
    out.append(cell(LEFT, REFS, "#f3f3f3", "references (bits 6 to 63)", "3 for a new task"))
    for i, (letter, name, value) in enumerate(FLAGS):
        x = LEFT + REFS + CELL * i
        out.append(cell(x, CELL, FILLS[letter], letter, value))
        out.append(f'<text x="{x + CELL / 2}" y="{TOP - 8}" text-anchor="middle" '
                   f'fill="#444444">{5 - i}</text>')
    y = TOP + ROW + 62
    out.append(f'<text x="{LEFT}" y="{y}" font-weight="bold">who may set or clear it</text>')
    notes = [
        "R, C: the worker that claims the task (to_running, to_idle, to_complete), or shutdown",
        "N: any waker (to_notified_*), cleared by the worker that takes the queue entry",
        "X: an abort from any thread, or shutdown; J, W: the JoinHandle (the completer reads W)",
    ]
    for i, note in enumerate(notes):
        out.append(f'<text x="{LEFT}" y="{y + 22 * (i + 1)}">{note}</text>')
    return _svg.document(W, H, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
