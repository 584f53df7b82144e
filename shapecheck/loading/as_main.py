"""Run a file or a module as `python FILE.py` and `python -m MODULE` run it, in this process.

`runpy.run_path` is close but not the same: it sets `sys.argv[0]` to the path it was given (python
keeps it as typed), gives the script a `__builtins__` dict (python gives the module: old scripts
set `__builtins__.profile = ...`), no `__loader__`, and a syntax error in the script comes with
runpy's frames. Here the script's `__main__` is built as python builds it:

- `__file__` is the path joined to the working directory as typed (not normalized: python shows
  `/work/./train.py` for `python ./train.py`), `sys.argv[0]` the path as typed, and `sys.path[0]`
  the script's folder with links resolved;
- `__builtins__` the builtins module, `__loader__` a `SourceFileLoader`, `__spec__` and
  `__cached__` None, `__annotations__` an empty dict;
- for `-m`, the module is found as `python -m` finds it (the working directory first on
  `sys.path`), and one that cannot be found is python's one line and exit 1.

`sys.modules["__main__"]` is the script's module while it runs (pickle, multiprocessing and
unittest look it up there), and the caller's again afterwards.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.machinery
import io
import os
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass


class NotFound(Exception):
    """`python -m NAME` would not find NAME, or `python FILE` not open FILE: the message is
    python's (`python: No module named x`, `python: can't open file '/abs/x.py': [Errno 2] No
    such file or directory`), `code` the exit status python gives (1 and 2)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


@dataclass
class Main:
    """What `python` would run: the code, the `__main__` module to run it in, `sys.argv[0]`, and
    the folder python puts first on `sys.path`."""

    code: types.CodeType
    module: types.ModuleType
    argv0: str
    path0: str
    module_name: str | None = None  # `-m NAME`: run through runpy, as python -m runs it


def script_filename(target: str) -> str:
    """The script's `__file__` as python sets it: absolute, but not normalized."""
    return target if os.path.isabs(target) else os.path.join(os.getcwd(), target)


def for_script(target: str) -> Main:
    """The script's code and `__main__`. A syntax error in it propagates (SyntaxError), before
    anything of the script ran. One that cannot be read is NotFound, with python's message."""
    filename = script_filename(target)
    try:
        with io.open_code(filename) as f:
            source = f.read()
    except OSError as exc:
        message = f"{sys.executable}: can't open file {filename!r}: [Errno {exc.errno}] {exc.strerror}"
        raise NotFound(message, 2) from None
    code = compile(source, filename, "exec", dont_inherit=True)
    module = _new_main(filename, importlib.machinery.SourceFileLoader("__main__", filename), None)
    module.__dict__["__cached__"] = None
    return Main(code, module, target, os.path.dirname(os.path.realpath(filename)))


def for_module(name: str) -> Main:
    """A module's code and `__main__` as `python -m name` runs it; NotFound with python's
    message when it cannot be found (the working directory is searched first, as python does)."""
    import runpy

    cwd = os.getcwd()
    sys.path.insert(0, cwd)
    try:
        error = getattr(runpy, "_Error", ImportError)
        try:
            mod_name, spec, code = runpy._get_module_details(name, error)  # type: ignore[attr-defined]
        except error as exc:
            raise NotFound(f"{sys.executable}: {exc}") from None
    finally:
        sys.path.remove(cwd)
    module = _new_main(spec.origin, spec.loader, spec)
    module.__dict__["__cached__"] = spec.cached
    module.__dict__["__package__"] = mod_name.rpartition(".")[0]
    return Main(code, module, spec.origin or name, cwd, module_name=name)


def _new_main(filename: str | None, loader, spec) -> types.ModuleType:
    module = types.ModuleType("__main__")
    # in python's order (`list(globals())` prints it): the module's own five, then these
    module.__dict__.update(
        __package__=None,
        __loader__=loader,
        __spec__=spec,
        __annotations__={},
        __builtins__=builtins,
        __file__=filename,
    )
    return module


@contextlib.contextmanager
def installed(main: Main, argv: list[str]) -> Iterator[None]:
    """`sys.argv` (`argv0` then `argv`), `sys.path[0]` and `sys.modules["__main__"]` as python
    sets them, for the block; the caller's back after it."""
    saved_main = sys.modules.get("__main__")
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    if sys.path and saved_argv and sys.path[0] == os.path.dirname(os.path.realpath(saved_argv[0])):
        # the console script's folder (`bin/`), which python put first for `shapecheck` itself:
        # the program's python would have its own folder there instead
        del sys.path[0]
    sys.argv = [main.argv0, *argv]
    sys.path.insert(0, main.path0)
    sys.modules["__main__"] = main.module
    # typer put its own hook in sys.excepthook for the command: the program starts with python's
    # (`sys.excepthook is sys.__excepthook__`), and one it sets stays for its end
    saved_hook = sys.excepthook
    sys.excepthook = sys.__excepthook__
    try:
        yield
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
        sys.argv, sys.path[:] = saved_argv, saved_path
        if sys.excepthook is sys.__excepthook__:
            sys.excepthook = saved_hook


def execute(main: Main) -> None:
    """Run the code in its `__main__` (inside `installed(main)`). A module runs through runpy's
    own `_run_module_as_main`, as `python -m` runs it: its traceback opens with runpy's two
    frames, as python's does."""
    free: list[int] = []
    exec(_FREE_AT_THE_TOP, {"free": free, "_free_depth": _free_depth})
    # python -m calls runpy from C, which took a level more than this call of it from Python
    # before 3.12 (since 3.12 the limit counts Python frames only)
    from_c = 1 if main.module_name is not None and sys.version_info < (3, 12) else 0
    at_the_top = free[0] + from_c
    bottom = main.code if main.module_name is None else _runpy_entry_code()
    with (
        _warnings_past_the_top_as_sys(sys._getframe(1)),
        _recursion_limit_as_at_the_top(at_the_top),
        _stack_ends_at(bottom),
    ):
        if main.module_name is None:
            exec(main.code, main.module.__dict__)
            return
        import runpy

        runpy._run_module_as_main(main.module_name, alter_argv=False)  # type: ignore[attr-defined]


@contextlib.contextmanager
def _recursion_limit_as_at_the_top(free: int) -> Iterator[None]:
    """Python starts a script with no frame above it; here shapecheck's own (the command line,
    typer, this module) use some of the recursion limit. Without that given back, a deep
    recursion python runs fails here, and one without end stops some levels early: its
    traceback is shorter and says `[Previous line repeated 980 more times]` where python says
    996. `free` is what is left at the script's own level (`_free_depth` run there); the limit
    is raised by what is missing, for the run only. A limit the script sets is its own."""
    limit = sys.getrecursionlimit()
    extra = max(0, limit - _PYTHONS_OWN_USE - free)
    raised = limit + extra
    real_get, real_set = sys.getrecursionlimit, sys.setrecursionlimit
    real_set(raised)

    # The script sees and sets the limit python would show (`sys.getrecursionlimit()` is 1000, not
    # 1016) and one it sets itself (`sys.setrecursionlimit(100)`) keeps the headroom: it recurses
    # as deep as under python.
    def getrecursionlimit() -> int:
        return real_get() - extra

    def setrecursionlimit(new_limit: int) -> None:
        if type(new_limit) is not int or new_limit < 1:  # python's own TypeError or ValueError
            return real_set(new_limit)
        return real_set(new_limit + extra)

    sys.getrecursionlimit, sys.setrecursionlimit = getrecursionlimit, setrecursionlimit
    try:
        yield
    finally:
        sys.getrecursionlimit, sys.setrecursionlimit = real_get, real_set
        if real_get() == raised:
            real_set(limit)
        else:  # a limit the script set stays, as python shows it to the script
            real_set(max(1, real_get() - extra))


# What a script's top level has used of the recursion limit under `python` when it calls
# `_free_depth` (the same in every python release from 3.6 to 3.13).
_PYTHONS_OWN_USE = 2


def _free_depth(n: int = 0) -> int:
    """How many more nested calls fit under the recursion limit from where it is called."""
    try:
        return _free_depth(n + 1)
    except RecursionError:
        return n


# Run with exec where the script's code runs, so it measures from the script's own level.
_FREE_AT_THE_TOP = compile("free.append(_free_depth())", "<shapecheck>", "exec")


@contextlib.contextmanager
def _warnings_past_the_top_as_sys(caller) -> Iterator[None]:
    """Python runs a script with no frame above it: a warning whose stacklevel reaches past the
    script's top level (`warnings.warn(..., stacklevel=2)` there, a library's helper called
    there) is shown as `sys:1: UserWarning: ...`. Here shapecheck's frames are above it: a
    warning placed on one of them (this file, or a line a frame above is suspended at) is
    shown as python shows it."""
    import warnings

    above = {(__file__, None)}
    frame = caller
    while frame is not None:
        above.add((frame.f_code.co_filename, frame.f_lineno))
        frame = frame.f_back
    shown = warnings._showwarnmsg  # type: ignore[attr-defined]
    top_file, top_line = _past_the_top()

    def as_python_shows(msg) -> None:
        if (msg.filename, None) in above or (msg.filename, msg.lineno) in above:
            msg.filename, msg.lineno, msg.line = top_file, top_line, None
        shown(msg)

    warnings._showwarnmsg = as_python_shows  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if warnings._showwarnmsg is as_python_shows:  # type: ignore[attr-defined]
            warnings._showwarnmsg = shown  # type: ignore[attr-defined]


@contextlib.contextmanager
def _stack_ends_at(bottom: types.CodeType | None) -> Iterator[None]:
    """Under python the script's top level is the bottom of the stack (for -m, runpy's two frames
    under it); here shapecheck's own frames are below it. A stack the script prints or reads
    (`traceback.print_stack()`, `traceback.extract_stack()`, `inspect.stack()`, a log record's
    `stack_info=True`) stops at `bottom`'s frame, as python's does. A frame walked by hand
    (`f_back`) still reaches shapecheck's."""
    import functools
    import inspect
    import traceback

    walk_stack, getouterframes = traceback.walk_stack, inspect.getouterframes

    def until_bottom(frames: Iterator) -> Iterator:
        for item in frames:
            yield item
            if item[0].f_code is bottom:
                return

    @functools.wraps(walk_stack)
    def walk_from(f):
        # walk_stack(None) measures its start from its own frame: given as it is (not cut)
        return walk_stack(None) if f is None else until_bottom(walk_stack(f))

    @functools.wraps(getouterframes)
    def outer_frames(frame, context=1):
        frames = getouterframes(frame, context)
        for i, info in enumerate(frames):
            if info.frame.f_code is bottom:
                return frames[: i + 1]
        return frames

    traceback.walk_stack, inspect.getouterframes = walk_from, outer_frames
    try:
        yield
    finally:
        if traceback.walk_stack is walk_from:
            traceback.walk_stack = walk_stack
        if inspect.getouterframes is outer_frames:
            inspect.getouterframes = getouterframes


def _runpy_entry_code() -> types.CodeType | None:
    import runpy

    entry = getattr(runpy, "_run_module_as_main", None)
    return getattr(entry, "__code__", None)


def _past_the_top() -> tuple[str, int]:
    """Where python places a warning whose stacklevel reaches past every frame: `sys:1` before
    3.13, `<sys>:0` from 3.13 (its warnings module's own choice). Not asked of the warnings
    module by warning once: that probe, made inside the script's run, left a ResourceWarning
    shown at shutdown that python hides."""
    return ("<sys>", 0) if sys.version_info >= (3, 13) else ("sys", 1)


def is_runpy_entry(code: types.CodeType) -> bool:
    """Whether a frame's code is runpy's `_run_module_as_main`: where `python -m`'s traceback
    starts."""
    import runpy

    entry = getattr(runpy, "_run_module_as_main", None)
    return entry is not None and code is getattr(entry, "__code__", None)
