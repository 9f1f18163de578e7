#!/usr/bin/env python3
"""Draws a runtime's trace as an SVG timeline: one lane per thread.

Reads Chrome trace-event JSON as art::trace writes it (ART_TRACE=run.json) and
draws, per thread, a bar for each poll coloured by its task (a task keeps its
colour in every lane, so a task that moves between workers shows), parked time
as a thin grey band, instants (spawn, steal...) as ticks, and a time axis.

    tools/trace_timeline.py run.json                  # writes run.svg
    tools/trace_timeline.py run.json -o t.svg --from 1.5 --to 3 --width 720

--from/--to are milliseconds since the trace's first event. The default width
fits the book's column. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assets"))

from _svg import document  # noqa: E402

# Distinct colours for tasks, in order of each task's first poll; none is the
# grey of parked time. Past the twelfth task they repeat.
PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#a0cbe8", "#8cd17d", "#d37295",
]
PARKED_FILL = "#b5b5b5"
INSTANT_STROKE = "#333333"
LABEL_FONT = 13  # lane names
SMALL_FONT = 12  # axis, legend, task ids: the smallest text legible in the book

TITLE_HEIGHT = 34
LANE_HEIGHT = 38
BAR_HEIGHT = 22
AXIS_HEIGHT = 34
LEGEND_HEIGHT = 26
MARGIN = 12


class TraceError(Exception):
    """The trace cannot be drawn; the message says why and what to do."""


@dataclass
class Span:
    begin: float  # microseconds
    end: float
    task: int | None = None
    depth: int = 0  # how many polls of the same lane enclose it


@dataclass
class Instant:
    at: float
    name: str
    task: int | None = None


@dataclass
class Lane:
    key: tuple  # (pid, tid)
    name: str
    order: float | None = None  # thread_sort_index, if the trace gives one
    named: bool = False
    polls: list[Span] = field(default_factory=list)
    parked: list[Span] = field(default_factory=list)
    instants: list[Instant] = field(default_factory=list)


# ---- Reading ---------------------------------------------------------------------------


def load_events(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file; give the JSON that ART_TRACE named") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TraceError(f"{path}: not a JSON trace ({error}); is it the whole file?") from None
    events = data.get("traceEvents") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise TraceError(f'{path}: no "traceEvents" list; expected Chrome trace-event JSON')
    return [event for event in events if isinstance(event, dict)]


def task_of(event: dict) -> int | None:
    task = event.get("args", {}).get("task") if isinstance(event.get("args"), dict) else None
    return task if isinstance(task, int) else None


def number(event: dict, key: str, path: Path) -> float:
    value = event.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TraceError(f"{path}: event {event.get('name')!r} has no numeric {key!r}")
    return float(value)


def read_lanes(path: Path) -> list[Lane]:
    """The trace's lanes in display order, with their spans and instants."""
    lanes: dict[tuple, Lane] = {}

    def lane_of(event: dict) -> Lane:
        key = (event.get("pid", 0), event.get("tid", 0))
        if key not in lanes:
            lanes[key] = Lane(key, f"thread {key[1]}")
        return lanes[key]

    open_spans: dict[tuple, list[tuple[str, float, int | None]]] = {}
    for event in load_events(path):
        phase, name = event.get("ph"), event.get("name")
        if phase == "M":
            lane, args = lane_of(event), event.get("args", {})
            if name == "thread_name" and isinstance(args.get("name"), str):
                lane.name, lane.named = args["name"], True
            elif name == "thread_sort_index" and isinstance(args.get("sort_index"), (int, float)):
                lane.order = float(args["sort_index"])
        elif phase == "X" and name in ("poll", "parked"):
            begin = number(event, "ts", path)
            span = Span(begin, begin + number(event, "dur", path), task_of(event))
            lane = lane_of(event)
            (lane.polls if name == "poll" else lane.parked).append(span)
        elif phase == "B" and name in ("poll", "parked"):
            stack = open_spans.setdefault(lane_of(event).key, [])
            stack.append((name, number(event, "ts", path), task_of(event)))
        elif phase == "E":
            lane = lane_of(event)
            stack = open_spans.get(lane.key, [])
            if stack:
                begun, begin, task = stack.pop()
                span = Span(begin, number(event, "ts", path), task)
                (lane.polls if begun == "poll" else lane.parked).append(span)
        elif phase in ("i", "I"):
            lane_of(event).instants.append(
                Instant(number(event, "ts", path), str(name), task_of(event)))
    drawn = [lane for lane in lanes.values()
             if lane.named or lane.polls or lane.parked or lane.instants]
    if not any(lane.polls or lane.parked or lane.instants for lane in drawn):
        raise TraceError(f"{path}: the trace holds no polls, parked spans or instants")
    for lane in drawn:
        nest(lane.polls)
    return sorted(drawn, key=display_order)


def display_order(lane: Lane) -> tuple:
    """By thread_sort_index if given, else by name with numbers compared as numbers:
    main, worker 2, worker 10."""
    words = re.split(r"(\d+)", lane.name)
    natural = [(0, int(word), "") if word.isdigit() else (1, 0, word) for word in words if word]
    return (lane.order is None, lane.order or 0.0, natural, str(lane.key))


def nest(polls: list[Span]) -> None:
    """Sorts a lane's polls by start and sets each one's depth of nesting."""
    polls.sort(key=lambda span: (span.begin, -span.end))
    enclosing: list[Span] = []
    for span in polls:
        while enclosing and enclosing[-1].end <= span.begin:
            enclosing.pop()
        span.depth = len(enclosing)
        enclosing.append(span)


def task_colours(lanes: list[Lane]) -> dict[int, str]:
    """Each task's colour, by order of its first poll in the whole trace."""
    first_poll = sorted((span.begin, span.task) for lane in lanes for span in lane.polls
                        if span.task is not None)
    colours: dict[int, str] = {}
    for _, task in first_poll:
        if task not in colours:
            colours[task] = PALETTE[len(colours) % len(PALETTE)]
    return colours


# ---- Drawing -----------------------------------------------------------------------------


def nice_step(span_us: float, max_ticks: int) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving at most max_ticks ticks."""
    raw = span_us / max(max_ticks, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def time_label(us: float, step_us: float) -> str:
    """A tick label in µs or ms, with as many decimals as the step needs."""
    unit, scale = ("ms", 1000.0) if step_us >= 100 else ("µs", 1.0)
    value, step = us / scale, step_us / scale
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:.{decimals}f} {unit}"


def text_colour(fill: str) -> str:
    red, green, blue = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#ffffff"


def element(tag: str, content: str = "", **attributes) -> str:
    """An SVG element; class_ and data_task become class and data-task, floats 2 decimals."""
    def value(v):
        return f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
    names = " ".join(f"{name.rstrip('_').replace('_', '-')}={quoteattr(value(v))}"
                     for name, v in attributes.items())
    return f"<{tag} {names}>{content}</{tag}>" if content else f"<{tag} {names}/>"


def tooltip(text: str) -> str:
    return f"<title>{escape(text)}</title>"


@dataclass
class Layout:
    plot_left: float
    plot_right: float
    start: float  # µs, absolute
    end: float

    def x(self, us: float) -> float:
        fraction = (us - self.start) / (self.end - self.start)
        return self.plot_left + fraction * (self.plot_right - self.plot_left)

    def clip(self, begin: float, end: float) -> tuple[float, float] | None:
        """The span's x extent inside the window, or None if outside."""
        if end < self.start or begin > self.end:
            return None
        return self.x(max(begin, self.start)), self.x(min(end, self.end))


def draw_lane(lane: Lane, top: float, layout: Layout, colours: dict[int, str]) -> list[str]:
    bottom = top + LANE_HEIGHT
    shapes = [
        element("text", escape(lane.name), class_="lane-label", x=layout.plot_left - 8,
                y=top + LANE_HEIGHT / 2 + 4, text_anchor="end", font_size=LABEL_FONT),
        element("line", x1=layout.plot_left, y1=bottom, x2=layout.plot_right, y2=bottom,
                stroke="#e4e4e4"),
    ]
    bar_top = top + (LANE_HEIGHT - BAR_HEIGHT) / 2
    for span in lane.parked:
        if extent := layout.clip(span.begin, span.end):
            left, right = extent
            shapes.append(element(
                "rect", tooltip(f"parked {span.end - span.begin:.1f} µs"), class_="parked",
                x=left, y=bar_top + BAR_HEIGHT / 2 - 2, width=max(right - left, 1.0), height=4,
                fill=PARKED_FILL))
    for span in lane.polls:
        if extent := layout.clip(span.begin, span.end):
            shapes.extend(draw_poll(span, extent, bar_top, lane, colours))
    for instant in lane.instants:
        if layout.start <= instant.at <= layout.end:
            x = layout.x(instant.at)
            about = instant.name + ("" if instant.task is None else f" task {instant.task}")
            shapes.append(element("line", tooltip(about), class_="instant", x1=x, y1=bar_top - 6,
                                  x2=x, y2=bar_top + 3, stroke=INSTANT_STROKE,
                                  stroke_width=1.2))
    return shapes


def draw_poll(span: Span, extent: tuple[float, float], bar_top: float, lane: Lane,
              colours: dict[int, str]) -> list[str]:
    left, right = extent
    width = max(right - left, 0.8)
    inset = min(span.depth * 4, BAR_HEIGHT / 2 - 3)
    fill = colours[span.task] if span.task is not None else "#888888"
    task = "" if span.task is None else str(span.task)
    about = f"task {task or '?'}: poll of {span.end - span.begin:.1f} µs"
    shapes = [element("rect", tooltip(about), class_="poll", data_task=task,
                      data_lane=lane.name, x=left, y=bar_top + inset, width=width,
                      height=float(BAR_HEIGHT - 2 * inset), fill=fill,
                      # A white edge parts neighbours; on a bar a few px wide it would pale it.
                      **({"stroke": "#ffffff", "stroke_width": 0.5} if width >= 4 else {}))]
    if task and span.depth == 0 and width >= 7.5 * len(task) + 4:
        shapes.append(element("text", task, class_="task-id", x=left + width / 2,
                              y=bar_top + BAR_HEIGHT / 2 + 4, text_anchor="middle",
                              font_size=SMALL_FONT, fill=text_colour(fill)))
    return shapes


def draw_axis(top: float, layout: Layout, origin: float) -> list[str]:
    plot_width = layout.plot_right - layout.plot_left
    step = nice_step(layout.end - layout.start, int(plot_width // 80))
    shapes = [element("line", x1=layout.plot_left, y1=top, x2=layout.plot_right, y2=top,
                      stroke="#333333")]
    tick = math.ceil((layout.start - origin) / step - 1e-9) * step + origin
    while tick <= layout.end + 1e-9:
        x = layout.x(tick)
        shapes.append(element("line", class_="tick", x1=x, y1=top, x2=x, y2=top + 5,
                              stroke="#333333"))
        shapes.append(element("text", time_label(tick - origin, step), class_="tick-label",
                              x=x, y=top + 19, text_anchor="middle", font_size=SMALL_FONT))
        tick += step
    return shapes


def draw_legend(top: float, layout: Layout) -> list[str]:
    x, y = layout.plot_left, top + LEGEND_HEIGHT / 2
    return [
        element("rect", x=x, y=y - 7, width=14, height=14, fill=PALETTE[0]),
        element("text", "poll (colour: task)", x=x + 19, y=y + 4, font_size=SMALL_FONT),
        element("rect", x=x + 150, y=y - 2, width=22, height=4, fill=PARKED_FILL),
        element("text", "parked", x=x + 177, y=y + 4, font_size=SMALL_FONT),
        element("line", x1=x + 240, y1=y - 7, x2=x + 240, y2=y + 4, stroke=INSTANT_STROKE,
                stroke_width=1.2),
        element("text", "instant (spawn, steal…)", x=x + 246, y=y + 4, font_size=SMALL_FONT),
    ]


def render(path: Path, start_ms: float | None = None, end_ms: float | None = None,
           width: int = 720, title: str | None = None) -> str:
    """The SVG timeline of the trace in `path`."""
    if width < 320:
        raise TraceError(f"--width {width} is too narrow for lanes and labels; use 320 or more")
    lanes = read_lanes(path)
    times = [t for lane in lanes for span in lane.polls + lane.parked
             for t in (span.begin, span.end)]
    times += [instant.at for lane in lanes for instant in lane.instants]
    origin, last = min(times), max(times)
    start = origin + (start_ms * 1000 if start_ms is not None else 0)
    end = origin + end_ms * 1000 if end_ms is not None else last
    if end <= start:
        raise TraceError(f"the window is empty: --from must be less than --to "
                         f"(the trace lasts {(last - origin) / 1000:.3f} ms)")
    label_width = min(max(len(lane.name) for lane in lanes) * 7.6 + 16, width * 0.3)
    layout = Layout(MARGIN + label_width, width - MARGIN - 8, start, end)
    colours = task_colours(lanes)

    shown = (f"{(start - origin) / 1000:.3f}–{(end - origin) / 1000:.3f} ms"
             if start_ms is not None or end_ms is not None else f"{(end - start) / 1000:.3f} ms")
    heading = title or f"{path.stem}: {len(lanes)} threads, {shown}"
    shapes = [element("text", escape(heading), class_="title", x=MARGIN, y=22, font_size=16,
                      font_weight="bold")]
    top = TITLE_HEIGHT
    for lane in lanes:
        shapes.extend(draw_lane(lane, top, layout, colours))
        top += LANE_HEIGHT
    shapes.extend(draw_axis(top + 4, layout, origin))
    shapes.extend(draw_legend(top + AXIS_HEIGHT, layout))
    return document(width, top + AXIS_HEIGHT + LEGEND_HEIGHT + 4, shapes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", type=Path, help="Chrome trace-event JSON (ART_TRACE's file)")
    parser.add_argument("-o", "--output", type=Path,
                        help="the SVG to write (default: beside the trace)")
    parser.add_argument("--from", dest="start", type=float, metavar="MS",
                        help="window start, ms since the first event")
    parser.add_argument("--to", dest="end", type=float, metavar="MS",
                        help="window end, ms since the first event")
    parser.add_argument("--width", type=int, default=720, help="pixels (default 720)")
    parser.add_argument("--title", help="the heading (default: file, threads, duration)")
    args = parser.parse_args(argv)
    try:
        svg = render(args.trace, args.start, args.end, args.width, args.title)
    except TraceError as error:
        print(f"trace_timeline: {error}", file=sys.stderr)
        return 2
    output = args.output or args.trace.with_suffix(".svg")
    output.write_text(svg, encoding="utf-8")
    print(f"trace_timeline: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
