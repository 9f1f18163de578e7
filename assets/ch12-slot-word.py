"""Draws assets/ch12-slot-word.svg: the 64-bit word of one IoSlot (chapter
12), generation | tick | readiness, with the readiness bits spelled out and
who changes which part. Run from the repository root: `make diagrams`.
Standard library only."""

import _svg

WIDTH = 740
GEN, TICK, BITS = "#8c6bb1", "#6a9bd1", "#6fb36f"


def field(x: float, w: float, fill: str, name: str, bits: str) -> list[str]:
    return [f'<rect x="{x}" y="60" width="{w}" height="50" fill="{fill}" stroke="#333333"/>',
            _svg.text(x + w / 2, 91, name,
                      ' text-anchor="middle" fill="white" font-weight="bold"'),
            _svg.text(x + w / 2, 52, bits, ' text-anchor="middle" font-size="13"')]


def drawing() -> str:
    out = [_svg.text(20, 24, "One slot's word: std::atomic&lt;std::uint64_t&gt;",
                     ' font-weight="bold"')]
    out += field(20, 260, GEN, "generation", "bits 63–32")
    out += field(280, 250, TICK, "tick", "bits 31–8 (wraps)")
    out += field(530, 190, BITS, "readiness", "bits 7–0")
    names = ["readable", "writable", "read_closed", "write_closed", "error", "shutdown"]
    for i, name in enumerate(names):
        y = 142 + 20 * i
        out.append(_svg.text(560, y, f"{1 << i:>2}  {name}",
                             ' font-family="monospace" font-size="13"'))
    out.append(_svg.text(560, 142 + 20 * 6, "the first two clearable",
                         ' font-size="13" font-style="italic"'))
    rows = [
        (GEN, "generation", "reuse() (the slab frees the slot): +1, tick and bits 0;",
         "an event carries the generation of its registration: no match, ignored"),
        (TICK, "tick", "set_readiness (the reactor, per event): +1;",
         "clear_readiness succeeds only at the tick the reader saw"),
        (BITS, "readiness", "set_readiness ORs bits in; clear_readiness",
         "takes out only readable/writable; the rest stays"),
    ]
    for i, (fill, name, first, second) in enumerate(rows):
        y = 150 + 52 * i
        out.append(f'<rect x="20" y="{y - 12}" width="12" height="12" fill="{fill}"/>')
        out.append(_svg.text(40, y, first, ' font-size="13"'))
        out.append(_svg.text(40, y + 18, second, ' font-size="13"'))
    out.append(_svg.text(20, 318, "Every change is one compare-and-swap of the whole word.",
                         ' font-style="italic"'))
    return _svg.document(WIDTH, 334, out)


if __name__ == "__main__":
    _svg.write_beside(__file__, drawing())
