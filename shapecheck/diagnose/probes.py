"""Searches over input sizes by probing (tracing again at other sizes), in one place.

Each search gives every dim in `axes` the same size and asks a yes/no question of the trace
there. They all stop at `domain.records.size_limit`, the limit the accepted-input analysis uses.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.records import size_limit

Test = Callable[[int], bool]

POWERS_OF_TWO = tuple(2**k for k in range(1, 8))  # the multiples a size requirement is looked for in


def with_size(base: tuple[int, ...] | list[int], axes: tuple[int, ...], size: int) -> tuple[int, ...]:
    """The per-sample dims `base` with every dim in `axes` set to `size`."""
    return tuple(size if i in axes else d for i, d in enumerate(base))


def grow(test: Test, start: int) -> tuple[int, bool]:
    """Double `start` until `test` holds or the size limit is reached: (the size reached, whether
    `test` holds there)."""
    limit = size_limit(start)
    size = start
    while not test(size):
        if size >= limit:
            return size, False
        size *= 2
    return size, True


def smallest_where(test: Test, lo: int, hi: int) -> int:
    """The smallest size in [lo, hi] where a test that turns from False to True holds (hi when
    none does)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if test(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def largest_where(test: Test, lo: int, hi: int) -> int:
    """The largest size in [lo, hi] where a test that turns from True to False holds (lo when none
    does)."""
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if test(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def required_multiple(runs: Test, size: int) -> tuple[int, int, int] | None:
    """(m, size rounded down to m, rounded up) for the smallest power of two m such that both
    roundings run and m/2 steps past them do not: the multiple a model requires. None if none of
    POWERS_OF_TWO is."""
    for m in POWERS_OF_TWO:
        up = -(-size // m) * m
        down = size // m * m
        if not runs(up) or (down > 0 and not runs(down)):
            continue
        if m >= 4 and runs(up + m // 2):
            continue  # a finer multiple works too: not the requirement
        return m, down, up
    return None
