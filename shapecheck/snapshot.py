"""The user's files as a check read them, so `--fix` edits the text that was traced or nothing.

A check quotes source lines from `linecache`, which reads a file when a line of it is first
asked for; a file saved again while the check runs would then be quoted (and edited) as it is
now, not as it was imported. So right after the model's file is imported, the bytes of every
file of the working tree that the check has imported are read once: their digest goes into the
report (`Report.sources`), and linecache is filled from those same bytes. `--fix` edits a file
only while its bytes still have that digest (`apply`).
"""

from __future__ import annotations

import hashlib
import io
import linecache
import os
import tokenize

_TAKEN: dict[str, str] = {}  # absolute path → sha256 of its bytes as read


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reset() -> None:
    """Forget what an earlier check read (the API runs many checks in one process)."""
    _TAKEN.clear()


def _own(path: str) -> bool:
    """A Python file of the working tree, not an installed package's."""
    here = os.path.realpath(os.getcwd()) + os.sep
    marker = os.sep + "site-packages" + os.sep
    return path.endswith(".py") and os.path.realpath(path).startswith(here) and marker not in path


def take(paths=(), modules=()) -> None:
    """Read `paths` and the files of `modules` that are in the working tree, unless read
    already. (The caller passes the modules a check imported, not all of `sys.modules`: a test
    suite or a notebook has imported many files of the tree that the model is not. A file
    reached through a link from elsewhere is read when a fix names it, by `digests`.)"""
    here = os.path.abspath(os.getcwd()) + os.sep
    found = [os.path.abspath(p) for p in paths]
    for module in modules:
        name = getattr(module, "__file__", None)
        if isinstance(name, str) and name.endswith(".py"):
            path = os.path.abspath(name)
            if path.startswith(here):
                found.append(path)
    for path in found:
        if path not in _TAKEN and _own(path):
            _read(path)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            data = f.read()
            mtime = os.fstat(f.fileno()).st_mtime
    except OSError:
        return None
    _TAKEN[path] = digest(data)
    try:  # what linecache would hold: decoded as Python decodes source, universal newlines
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        lines = io.TextIOWrapper(io.BytesIO(data), encoding=encoding).readlines()
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return _TAKEN[path]
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[path] = (len(data), mtime, lines, path)
    return _TAKEN[path]


def digests(files) -> dict[str, str]:
    """The digest of each of these files (as reports name them: relative to the working
    directory) as the check read them; read now if the check had not."""
    out = {}
    for name in files:
        path = os.path.abspath(name)
        found = _TAKEN.get(path) or (_read(path) if _own(path) else None)
        if found is not None:
            out[name] = found
    return out
