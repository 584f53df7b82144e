"""The time budget of a trace: past its deadline, or at a pace that cannot finish in time, a
trace stops with BudgetSpent."""

from __future__ import annotations


class BudgetSpent(BaseException):
    """Raised from a hook (or a timer) when the trace has run past its deadline.

    A BaseException, so that a model's own `except Exception` does not swallow it.
    """


def projected_overrun(deadline: float, pace: tuple[float, int] | None, rows_done: int, now: float) -> float | None:
    """The seconds a pass would need, when at its pace so far it would need more than twice its
    time; None while it may go on. Checked from half time on: early rows cost more than later ones
    while caches warm up (convnext_base projects 5 s at 20 % of a 3 s allowance and finishes in 2 s).
    """
    if pace is None or not rows_done:
        return None
    start, expected = pace
    given = deadline - start
    elapsed = now - start
    if elapsed <= 0.5 * given:
        return None
    projected = elapsed * expected / rows_done
    return projected if projected > 2 * given else None
