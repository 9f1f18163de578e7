"""Draws assets/ch11-budget-poll.svg: one worker, a hog whose receives are
always ready and a probe woken by a timer. Each poll of the hog starts with a
full bucket; each ready receive spends a token; the receive that finds none
wakes its own task and answers Pending, so the probe, queued meanwhile, runs
before the hog's next poll. A drawing, not a trace. Run from the repository
root: `make diagrams`. Standard library only."""

import _svg

WIDTH = 740
HOG, PROBE, REFUSED = "#6a9bd1", "#6fb36f", "#c0504d"


def box(x: float, y: float, w: float, h: float, fill: str, label: str) -> list[str]:
    return [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{fill}" '
            'stroke="#333333"/>',
            _svg.text(x + w / 2, y + h / 2 + 5, label,
                      ' text-anchor="middle" fill="white" font-weight="bold"')]


def arrow(x1: float, y1: float, x2: float, y2: float, colour: str = "#333333") -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
            f'stroke-width="1.5" marker-end="url(#head)"/>')


def drawing() -> str:
    out = ['<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333333"/></marker></defs>',
           _svg.text(20, 24, "One worker, a budget of 128 tokens a poll",
                     ' font-weight="bold"')]
    lanes = {"worker": 110, "run queue": 226, "timer thread": 290}
    for name, y in lanes.items():
        out.append(_svg.text(110, y + 5, name, ' text-anchor="end" fill="#333333"'))
    out.append('<line x1="120" y1="290" x2="720" y2="290" stroke="#bbbbbb"/>')

    # The hog's first poll: tokens spent one ready receive at a time.
    out += box(120, 90, 350, 40, HOG, "hog: poll 1")
    ticks = [(135, "128"), (175, "127"), (215, "126"), (330, "…"), (395, "2"),
             (430, "1")]
    for x, left in ticks:
        if left != "…":
            out.append(f'<line x1="{x}" y1="130" x2="{x}" y2="140" stroke="#333333"/>')
        out.append(_svg.text(x, 156, left, ' text-anchor="middle" font-size="13"'))
    out.append(_svg.text(120, 78, "each ready recv spends a token (below: tokens before it)",
                         ' font-size="13" fill="#333333"'))
    # The refusal.
    out.append(f'<rect x="470" y="90" width="26" height="40" fill="{REFUSED}" '
               'stroke="#333333"/>')
    out.append(_svg.text(483, 156, "0", ' text-anchor="middle" font-size="13"'))
    out.append(_svg.text(488, 50, "recv finds no token: wake_by_ref,",
                         f' font-size="13" fill="{REFUSED}"'))
    out.append(_svg.text(488, 66, "answer Pending, item stays queued",
                         f' font-size="13" fill="{REFUSED}"'))
    out.append(arrow(496, 162, 496, 212, REFUSED))
    # The probe, then the hog again with a full bucket.
    out += box(506, 90, 70, 40, PROBE, "probe")
    out += box(586, 90, 134, 40, HOG, "hog: poll 2")
    out.append(_svg.text(653, 156, "128 again", ' text-anchor="middle" font-size="13"'))

    # The timer fires during the hog's poll and queues the probe.
    out.append('<circle cx="250" cy="290" r="5" fill="#333333"/>')
    out.append(_svg.text(260, 306, "probe's deadline: wake(probe)", ' font-size="13"'))
    out.append(arrow(250, 284, 250, 240))
    # The run queue, at three moments.
    queue = [(250, "[probe]"), (483, "[probe, hog]"), (586, "[hog]")]
    for x, body in queue:
        out.append(_svg.text(x + 6, 231, body, ' font-size="13"'))
    out.append(_svg.text(20, 342, "The probe waits only for the rest of one poll: at most "
                         "128 ready leaves, not the whole loop.",
                         ' font-style="italic"'))
    return _svg.document(WIDTH, 356, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, drawing())
