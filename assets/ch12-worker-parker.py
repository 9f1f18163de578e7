"""Draws assets/ch12-worker-parker.svg: the four states of a WorkerParker
(chapter 12) and the transitions between them, with what an unpark does in
each. Run from the repository root: `make diagrams`. Standard library only."""

import _svg

WIDTH = 740
AWAKE, SLEEP, TOLD = "#6fb36f", "#6a9bd1", "#d19a4a"


def state(x: float, y: float, w: float, fill: str, name: str, detail: str) -> list[str]:
    return [f'<rect x="{x}" y="{y}" width="{w}" height="54" rx="6" fill="{fill}" '
            'stroke="#333333"/>',
            _svg.text(x + w / 2, y + 23, name,
                      ' text-anchor="middle" fill="white" font-weight="bold"'),
            _svg.text(x + w / 2, y + 42, detail,
                      ' text-anchor="middle" fill="white" font-size="13"')]


def arrow(x1: float, y1: float, x2: float, y2: float, label: str, lx: float, ly: float,
          anchor: str = "middle") -> list[str]:
    return [f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333333" '
            'stroke-width="1.5" marker-end="url(#head)"/>',
            _svg.text(lx, ly, label, f' text-anchor="{anchor}" font-size="13"')]


def drawing() -> str:
    out = ['<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333333"/></marker></defs>',
           _svg.text(20, 24, "A worker's parker: one atomic byte, four states",
                     ' font-weight="bold"')]
    out += state(90, 150, 170, AWAKE, "empty", "awake, nothing pending")
    out += state(500, 60, 200, SLEEP, "parked_driver", "asleep in epoll_wait")
    out += state(500, 240, 200, SLEEP, "parked_condvar", "asleep on its condvar")
    out += state(90, 330, 170, TOLD, "notified", "an unpark not yet used")
    # Parking: a CAS from empty to where it sleeps.
    out += arrow(260, 160, 498, 82, "park, driver free: CAS", 370, 108)
    out += arrow(260, 192, 498, 262, "park, driver held: CAS", 335, 286, "start")
    # Waking by itself: the turn returned.
    out += arrow(498, 100, 262, 172, "turn returned (events, timer)", 380, 152)
    # Unparks.
    out += arrow(600, 296, 262, 352, "unpark: lock, notify", 440, 346)
    out += arrow(520, 116, 255, 328, "", 0, 0)
    out += [_svg.text(470, 190, "unpark: interrupt", ' font-size="13"'),
            _svg.text(470, 206, "(the eventfd)", ' font-size="13"')]
    out += arrow(175, 206, 175, 326, "unpark", 183, 270, "start")
    out += arrow(145, 328, 145, 208, "park: consume", 137, 270, "end")
    out += [_svg.text(20, 418, "An unpark is one exchange to notified; the state it replaced "
                      "says where the worker sleeps,", ' font-size="13" font-style="italic"'),
            _svg.text(20, 436, "so a wake meant for epoll_wait is never sent to the condition "
                      "variable, or the other way round.", ' font-size="13" font-style="italic"')]
    return _svg.document(WIDTH, 450, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, drawing())
