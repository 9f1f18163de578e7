"""Draws assets/ch12-timer-race.svg: a timer armed on a worker while the
reactor sleeps towards a later deadline (chapter 12, timer_driver.cpp).
Without the wake callback the reactor oversleeps by the difference; with it,
register_timer writes the eventfd and the reactor sleeps again for less.
Run from the repository root: `make diagrams`. Standard library only."""

import _svg

W = 740
LANE_X = (20, 300)  # a worker's lane, the reactor thread's lane
NOTE_X = 580        # the wheel's earliest slot after each step
ROW = 36
PANELS = [  # (title, colour, [(lane, text, note[, continues])], ending)
    ("1. no wake callback", "#fbeaea", [
        (1, "next_timeout → 500 ms", "500 ms"),
        (1, "epoll_wait(…, 500)", "500 ms"),
        (0, "sleep(10ms): register_timer", "10 ms"),
        (0, "the task is Pending", "10 ms"),
        (1, "… still asleep; wakes at 500 ms", "10 ms"),
        (1, "fire_due: the sleep is woken", "none"),
    ], "a sleep of 10 ms took 500 ms: the reactor slept on the old deadline"),
    ("2. register_timer calls the wake callback", "#eaf6ea", [
        (1, "next_timeout → 500 ms (reported)", "500 ms"),
        (1, "epoll_wait(…, 500)", "500 ms"),
        (0, "register_timer: slot 10 &lt; 500", "10 ms"),
        (0, "unlock, then the callback:", "10 ms"),
        (0, "write(eventfd)", "", True),
        (1, "epoll_wait returns (eventfd)", "10 ms"),
        (1, "next_timeout → 10 ms", "10 ms"),
        (1, "at 10 ms, fire_due wakes it", "none"),
    ], "on time; a timer later than the reported slot writes nothing"),
]


def svg() -> str:
    headings = ("a worker (a task's poll)", "the reactor thread", "earliest slot")
    return _svg.two_lane_panels(headings, LANE_X, NOTE_X, PANELS, width=W, row=ROW)


if __name__ == "__main__":
    _svg.write_beside(__file__, svg())
