"""Draws assets/ch12-event-path.svg: the path of one event in chapter 12,
from the kernel to the task's next poll. Top row, the reactor thread's side:
the kernel's edge, epoll, the reactor thread, the slot named by the token.
Bottom row, the runtime's side: the waker, the scheduler, a worker, the poll
that reads the bytes. A drawing, not a trace. Run from the repository root:
`make diagrams`. Standard library only."""

import _svg

WIDTH = 740
KERNEL, REACTOR, RUNTIME = "#8c8c8c", "#6a9bd1", "#6fb36f"


def box(x: float, y: float, w: float, h: float, fill: str, title: str,
        detail: str) -> list[str]:
    return [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" fill="{fill}" '
            'stroke="#333333"/>',
            _svg.text(x + w / 2, y + 22, title,
                      ' text-anchor="middle" fill="white" font-weight="bold"'),
            _svg.text(x + w / 2, y + 42, detail,
                      ' text-anchor="middle" fill="white" font-size="13"')]


def arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333333" '
            'stroke-width="1.5" marker-end="url(#head)"/>')


def drawing() -> str:
    out = ['<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333333"/></marker></defs>',
           _svg.text(20, 24, "One event, from the kernel to the task's next poll",
                     ' font-weight="bold"'),
           ]
    legend = [(KERNEL, "the kernel"), (REACTOR, "the reactor thread"),
              (RUNTIME, "a worker thread")]
    for i, (fill, name) in enumerate(legend):
        x = 20 + 200 * i
        out.append(f'<rect x="{x}" y="36" width="14" height="14" fill="{fill}"/>')
        out.append(_svg.text(x + 20, 48, name, ' font-size="13"'))
    w, h, top, bottom = 158, 56, 70, 196
    xs = [20, 200, 380, 560]
    top_row = [("kernel", "bytes arrive: an edge", KERNEL),
               ("epoll_wait returns", "event + token (u64)", KERNEL),
               ("reactor: dispatch", "token → index, gen", REACTOR),
               ("slot", "set_readiness: tick+1", REACTOR)]
    bottom_row = [("poll", "read() → bytes", RUNTIME),
                  ("worker", "unparks, takes task", RUNTIME),
                  ("scheduler", "task into a queue", REACTOR),
                  ("waker", "wake(): taken, woken", REACTOR)]
    for x, (title, detail, fill) in zip(xs, top_row):
        out += box(x, top, w, h, fill, title, detail)
    for x, (title, detail, fill) in zip(xs, bottom_row):
        out += box(x, bottom, w, h, fill, title, detail)
    for a, b in zip(xs, xs[1:]):
        out.append(arrow(a + w, top + h / 2, b - 2, top + h / 2))
        out.append(arrow(b, bottom + h / 2, a + w + 2, bottom + h / 2))
    out.append(arrow(xs[3] + w / 2, top + h, xs[3] + w / 2, bottom - 2))
    out.append(_svg.text(xs[3] + w / 2 - 8, 160, "then wake(bits)",
                         ' text-anchor="end" font-size="13" fill="#333333"'))
    out.append(_svg.text((xs[1] + w + xs[2]) / 2, bottom + h + 20,
                         "unpark: the one thread hop",
                         ' text-anchor="middle" font-size="13" fill="#333333"'))
    out.append(_svg.text(20, 300, "Stale token (the fd was closed, its slot reused): "
                         "set_readiness fails on the generation,", ' font-style="italic"'))
    out.append(_svg.text(20, 320, "and the event stops at the slot. No waker stored yet: "
                         "the readiness stays for the first poll.", ' font-style="italic"'))
    return _svg.document(WIDTH, 336, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, drawing())
