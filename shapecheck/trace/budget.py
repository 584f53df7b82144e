"""Budgets of the searches a check makes, and the stop of a symbolic trace.

Every search that decides a finding, a fix, a verified mark or an accepted range counts what it
does: re-traces (`MAX_RERUNS` per diagnosis), probes of input sizes (`MAX_PROBES`), tries of
one repair search. The same command then gives the same report on a quiet laptop and on a busy
CI runner. Time is only a far safety cap (`SafetyCap`): CPU seconds of this process, which
other processes on the machine barely change, at ten times what the old time budgets allowed.
A search that reaches it stops, and the report says so: a finding is never changed in silence.

A trace's own `--timeout` (the worker's) is a limit of the user's and stays in wall seconds; it
ends the check with an error, it never shapes a report.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_RERUNS = 128  # re-traces of one diagnosis (its rules' probes and its fixes' checks)
MAX_PROBES = 128  # concrete meta traces of the accepted-input analysis (--symbolic)
CAP_FACTOR = 10  # the safety cap is this many times the seconds a caller gives (--budget, probe_budget_s)
DEFAULT_RERUN_S = 3.0  # what `probe_budget_s` defaulted to: the re-runs' cap is 10× this
DEFAULT_SYMBOLIC_S = 5.0  # what `budget_s` (--budget) defaults to: the symbolic analysis' cap is 10× this


def cpu_clock() -> float:
    """CPU seconds of this process: the clock of the safety caps. Busy neighbours stretch the
    wall clock, not this one."""
    return time.process_time()


class BudgetSpent(BaseException):
    """Raised from a hook (or a timer) when a symbolic trace reaches its safety cap.

    A BaseException, so that a model's own `except Exception` does not swallow it.
    """


class RerunsSpent(TimeoutError):
    """The counted budget of a search is spent: deterministic, the same on every machine."""


class CapReached(TimeoutError):
    """The safety cap (CPU seconds) is reached: the report says so."""


class SafetyCap:
    """A far limit on the CPU time of a search, shared by the searches nested in it.

    `seconds` None: no cap. The clock starts when the cap is made; `reached` stays True once it
    was reached, so whoever makes the report can say so (`note`).
    """

    def __init__(self, seconds: float | None, what: str = "the re-runs", clock: Callable[[], float] | None = None):
        self.seconds = seconds
        self.what = what
        self.clock = clock or (lambda: cpu_clock())  # looked up at each call: tests replace it
        self.started = self.clock()
        self.reached = False

    def over(self) -> bool:
        if self.seconds is None:
            return False
        if not self.reached and self.clock() - self.started > self.seconds:
            self.reached = True
        return self.reached

    def check(self) -> None:
        """CapReached when the cap is reached."""
        if self.over():
            raise CapReached(f"{self.what} reached the safety cap")

    def left(self) -> float | None:
        """CPU seconds left (None: no cap)."""
        if self.seconds is None:
            return None
        return max(self.seconds - (self.clock() - self.started), 0.0)

    @property
    def deadline(self) -> float | None:
        """The clock's value at the cap (None: no cap)."""
        return None if self.seconds is None else self.started + self.seconds

    @property
    def note(self) -> str:
        return (
            f"{self.what} reached the safety cap of {self.seconds:g} s of CPU time and stopped there: what was "
            "left is unchecked (every search counts its traces; the cap only stops a model whose traces are "
            "extremely slow)"
        )


def cap_seconds(seconds: float | None) -> float | None:
    """The safety cap for a time given the old way (`probe_budget_s`, `--budget`): 10× it."""
    return None if seconds is None else seconds * CAP_FACTOR


def projected_overrun(deadline: float, pace: tuple[float, int] | None, rows_done: int, now: float) -> float | None:
    """The seconds a pass would need, when at its pace so far it would need more than twice its
    time; None while it may go on. Used against the symbolic trace's safety cap (30 s of CPU by
    default) and checked from a tenth of it on, past the first rows, which cost more than later
    ones while caches warm up (convnext_base projects 5 s at 0.6 s and finishes in 2 s): a trace
    that would take minutes (swin_t, maxvit_t) stops after 3 s, one that finishes runs to its end.
    """
    if pace is None or not rows_done:
        return None
    start, expected = pace
    given = deadline - start
    elapsed = now - start
    if elapsed <= 0.1 * given:
        return None
    projected = elapsed * expected / rows_done
    return projected if projected > 2 * given else None
