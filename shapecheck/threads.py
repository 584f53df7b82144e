"""Checks from several threads of one process (the Python API): one at a time, and what a
check changes for the whole process is changed under one lock, put back when it ends, and,
where Python allows it, seen by the checking thread only.

- `exclusive()`: a whole check runs holding `LOCK` (re-entrant), so the recursion limit,
  torch's logger levels and the attention fast-path flag it changes are restored in order:
  two checks can no longer save each other's values and leave them behind.
- `for_this_thread(patch, original)`: a function that stands in for `original` while a check
  runs (torch.hub's download, `nn.Module.register_parameter`) calls `patch` in the thread that
  installed it only; another thread of the caller building a `Linear` meanwhile gets its
  weight on the CPU, and after the block the stand-in calls `original` everywhere.
- `stdout_to_stderr()`: what model code prints goes to stderr, in the checking thread only;
  `output_to(sink)`: stdout and stderr both to `sink`, in that thread only.

What stays process-wide while a check runs is listed in docs/security.md.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading

LOCK = threading.RLock()


@contextlib.contextmanager
def exclusive():
    """Hold the lock for a whole check (other threads' checks wait)."""
    with LOCK:
        yield


def for_this_thread(patch, original):
    """(a stand-in for `original` that calls `patch` in this thread while active, `original`
    elsewhere; a function that ends that). Values that are not plain functions are returned
    as they are, with nothing to end."""
    if not (callable(patch) and callable(original)) or isinstance(original, type):
        return patch, lambda: None
    owner = threading.get_ident()
    active = [True]

    @functools.wraps(original)
    def dispatch(*args, **kwargs):
        if active[0] and threading.get_ident() == owner:
            return patch(*args, **kwargs)
        return original(*args, **kwargs)

    def end() -> None:
        active[0] = False

    dispatch.stand_in = True  # what `offline` puts back if a module kept it
    return dispatch, end


class _ThreadStream:
    """sys.stdout while a check runs: the checking thread writes to stderr, others where they
    wrote before."""

    def __init__(self, mine, theirs):
        self._owner = threading.get_ident()
        self._mine, self._theirs = mine, theirs
        self.active = True

    def _target(self):
        return self._mine if self.active and threading.get_ident() == self._owner else self._theirs

    def write(self, text):
        return self._target().write(text)

    def flush(self):
        return self._target().flush()

    def __getattr__(self, name):
        return getattr(self._target(), name)


@contextlib.contextmanager
def output_to(sink):
    """stdout and stderr to `sink`, in this thread only: other threads write where they did."""
    saved = sys.stdout, sys.stderr
    out, err = _ThreadStream(sink, saved[0]), _ThreadStream(sink, saved[1])
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        out.active = err.active = False
        if sys.stdout is out:  # not if the caller set its own meanwhile: theirs stays
            sys.stdout = saved[0]
        if sys.stderr is err:
            sys.stderr = saved[1]


@contextlib.contextmanager
def stdout_to_stderr():
    """Model code's prints to stderr (stdout belongs to the report), in this thread only."""
    before = sys.stdout
    stream = _ThreadStream(sys.stderr, before)
    sys.stdout = stream
    try:
        yield
    finally:
        stream.active = False
        if sys.stdout is stream:  # not if the caller set sys.stdout meanwhile: theirs stays
            sys.stdout = before
