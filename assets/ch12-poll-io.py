"""Draws assets/ch12-poll-io.svg: the loop every IO future of chapter 12
runs (IoWrapper::poll_io): wait for readiness, try the call, retry on EINTR,
clear the readiness with its tick on EAGAIN and look again, throw on any
other error. Run from the repository root: `make diagrams`. Standard library
only."""

import _svg

WIDTH = 740
STEP, READY, FAIL, WAIT = "#6a9bd1", "#6fb36f", "#c0504d", "#8c8c8c"


def box(x: float, y: float, w: float, h: float, fill: str, label: str) -> list[str]:
    return [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="5" fill="{fill}" '
            'stroke="#333333"/>',
            _svg.text(x + w / 2, y + h / 2 + 5, label,
                      ' text-anchor="middle" fill="white" font-weight="bold"')]


def arrow(points: list[tuple[float, float]]) -> str:
    path = " ".join(f"{x},{y}" for x, y in points)
    return (f'<polyline points="{path}" fill="none" stroke="#333333" stroke-width="1.5" '
            'marker-end="url(#head)"/>')


def label(x: float, y: float, body: str, anchor: str = "start") -> str:
    return _svg.text(x, y, body, f' font-size="13" text-anchor="{anchor}"')


def drawing() -> str:
    out = ['<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333333"/></marker></defs>',
           _svg.text(20, 24, "poll_io: one poll of an IO future", ' font-weight="bold"')]
    out += box(60, 50, 220, 44, STEP, "poll_ready(direction)")
    out += box(480, 50, 240, 44, WAIT, "Pending (waker stored)")
    out += box(60, 150, 220, 44, STEP, "call()")
    out += box(480, 150, 240, 44, READY, "Ready(result)")
    out += box(480, 240, 240, 44, FAIL, "throw std::system_error")
    out += box(60, 260, 220, 44, STEP, "clear_readiness(seen)")
    out.append(arrow([(280, 72), (476, 72)]))
    out.append(label(378, 64, "nothing kept", "middle"))
    out.append(arrow([(170, 94), (170, 146)]))
    out.append(label(180, 126, "Ready: (tick t, bits)"))
    out.append(arrow([(280, 165), (476, 165)]))
    out.append(label(378, 157, "result ≥ 0", "middle"))
    out.append(arrow([(280, 185), (400, 185), (400, 262), (476, 262)]))
    out.append(label(408, 230, "other errno"))
    # EINTR: back into call()
    out.append(arrow([(60, 160), (30, 160), (30, 184), (56, 184)]))
    out.append(label(26, 142, "EINTR: again", "start"))
    out.append(arrow([(170, 194), (170, 256)]))
    out.append(label(180, 230, "EAGAIN: used up"))
    # clear, then back to poll_ready
    out.append(arrow([(60, 282), (14, 282), (14, 72), (56, 72)]))
    out.append(label(100, 328, "a newer event (tick ≠ t) is kept: the next look sees it"))
    return _svg.document(WIDTH, 344, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, drawing())
