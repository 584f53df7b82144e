"""A file as a script: whether it defines model classes, what of it a model's definitions need,
and its dry run.

`shapecheck FILE.py` on a file with no `nn.Module` class runs it as `python FILE.py` would, on meta
tensors (`loading._from_program`); the `Watcher` keeps the program around its first shape error
(also one the script's own try/except catches) and around its last torch call, built by
`program.slice_program` from the live frames. A model file that also runs a program at top level
is imported, when a class is named, as `definitions_only` of it.
"""

from __future__ import annotations

import ast
import contextlib
import os
from dataclasses import dataclass
from types import FrameType

from .program import (
    _assigned_by_caller,
    _on_gpu,
    _without_gpu,
    assignment_line,
    build,
    is_user_file,
    names_read,
    outermost_module_call,
    program_frame,
    root_name,
    slice_program,
)


def defines_modules(source: str) -> bool:
    """Whether a file defines an nn.Module class, read from its syntax: a class whose base is
    named `...Module`, `Sequential`, `ModuleList` or `ModuleDict`, or another such class."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return True  # the import says what is wrong with it
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    modules: set[str] = set()
    while True:  # until no class has a base among the modules found
        found = {c.name for c in classes if c.name not in modules and _module_base(c, modules)}
        if not found:
            return bool(modules)
        modules |= found


def _module_base(cls: ast.ClassDef, modules: set[str]) -> bool:
    """Whether a base of the class is named as a module: `...Module`, a container, or one of `modules`."""
    for base in cls.bases:
        name = ast.unparse(base).rpartition(".")[2]
        if name.endswith("Module") or name in ("Sequential", "ModuleList", "ModuleDict") or name in modules:
            return True
    return False


def _bound(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement binds, at any depth outside nested functions and classes."""
    names: set[str] = set()
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return names


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def definitions_only(source: str) -> tuple[ast.Module, list[tuple[int, int]]] | None:
    """A model file with top-level program code (training, a demo) as the module its definitions
    need: imports, functions and classes, and of the other statements only those that bind a
    name the definitions read (a config, a device, an import in a try). Returns the module and
    the line ranges left out; None when nothing is left out."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    keep = _kept(body)
    skipped = [(s.lineno, s.end_lineno or s.lineno) for s, kept in zip(body, keep, strict=True) if not kept]
    if not skipped:
        return None
    kept_body = [s for s, kept in zip(body, keep, strict=True) if kept]
    return ast.Module(body=kept_body, type_ignores=[]), skipped


def _kept(body: list[ast.stmt]) -> list[bool]:
    """For each top-level statement, whether the definitions need it."""
    needed = set().union(*(_loaded(s) for s in body if isinstance(s, _DEFINITIONS)))
    defined = set().union(*(_bound(s) for s in body if isinstance(s, _DEFINITIONS)))
    keep = [isinstance(s, _DEFINITIONS) or _is_docstring(s) or _is_main_guard(s) for s in body]
    # From the end up: a statement kept for what it binds makes what it reads needed above it.
    for index in range(len(body) - 1, -1, -1):
        stmt = body[index]
        if not keep[index] and _needed(stmt, needed, defined):
            keep[index] = True
            needed |= names_read(stmt) | _loaded(stmt)
    return keep


def _loaded(stmt: ast.stmt) -> set[str]:
    """Every name the statement reads, in nested functions and classes too."""
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _needed(stmt: ast.stmt, needed: set[str], defined: set[str]) -> bool:
    """Whether program code stays: it binds a needed name, changes sys.path or configures
    something the file defines."""
    return bool(_bound(stmt) & needed) or "sys.path" in ast.unparse(stmt) or _configures(stmt, defined)


def _configures(stmt: ast.stmt, defined: set[str]) -> bool:
    """A statement that sets up what the definitions use: an attribute of a class or module of
    the file's (`Net.act = nn.ReLU`, `torch.backends.cudnn.benchmark = True`), or a library's
    setter (`torch.set_default_dtype(torch.float64)`)."""
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return any(isinstance(t, (ast.Attribute, ast.Subscript)) and root_name(t) in defined for t in targets)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return (
            isinstance(func, ast.Attribute)
            and root_name(func) in defined
            and func.attr.startswith(("set_", "use_", "use", "register"))
        )
    return False


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_main_guard(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and "__name__" in ast.unparse(stmt.test) and "__main__" in ast.unparse(stmt.test)


# Tensor methods that read values, which a dry run on meta tensors cannot give.
_VALUE_READS = frozenset(
    {"item", "tolist", "numpy", "__bool__", "__int__", "__float__", "__index__", "__array__", "__complex__"}
)


def _factories() -> frozenset:
    """The functions that make new tensors (and take a device)."""
    try:
        from torch.utils._device import _device_constructors

        return frozenset(_device_constructors())
    except ImportError:  # a torch without it: every factory call follows the default device
        return frozenset()


def _library_caller() -> bool:
    """Whether the code that called the torch function running now is torch's own."""
    import sys

    import torch

    torch_dir = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
    frame = sys._getframe(2)  # above _library_caller and the mode's __torch_function__
    return frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(torch_dir)


@dataclass
class Captured:
    """The program around one call of a script's dry run."""

    error: str | None  # `RuntimeError: ...` for a failure; None for the last call that ran
    module: object  # the Program nn.Module (None when the stack held no code of the user's)
    values: list
    sites: dict
    label: str
    at: str  # `script.py:12`


def _built_at(frame: FrameType, module, line: int) -> tuple[str, int]:
    """(file, line) a failing module is reported at: where it was built when it holds parameters
    (its sizes are set there, as `run` says), else the line that called it."""
    filename = frame.f_code.co_filename
    if not any(True for _ in module.parameters()):
        return filename, line
    built = assignment_line(frame, module, line) or _assigned_by_caller(frame, module)
    if isinstance(built, tuple):
        return built
    return filename, built if built is not None else line


class Watcher:
    """While a script runs on meta tensors: the program around its first shape error (also one
    its own try/except catches) and around the last module call its own code made. A call
    counter, not a clock, bounds the work: the programs of the first `most` calls are kept."""

    def __init__(self, path: str, most: int = 200):

        self.path = os.path.abspath(path)
        self.most = most
        self.calls = 0
        self.failure: Captured | None = None
        self.last: Captured | None = None
        self.value_read: str | None = None  # `script.py:14: .item()`: where the script read a value
        self._last_op: tuple | None = None
        self.cwd = os.getcwd()  # paths are shown from here, wherever the script moves to
        self.gpu = False  # the script moved tensors to a GPU: they stayed on meta

    def __enter__(self):
        import torch
        from torch.overrides import TorchFunctionMode

        watcher = self

        factories = _factories()
        moves = {torch.Tensor.cuda, torch.Tensor.to}
        # gradient bookkeeping (`loss.backward()`): it makes no shapes of its own, and a replay
        # of the program around it runs without gradients, so it is never "the last call"
        gradients = {torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad}

        class _Mode(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                if func in factories and kwargs.get("device") is None and _library_caller():
                    # torch's own bookkeeping (a DataLoader's seed, a sampler's order) reads
                    # values: its tensors stay real; the script's are meta
                    kwargs = {**kwargs, "device": "cpu"}
                elif func in factories and _on_gpu(kwargs.get("device")):
                    watcher.gpu = True
                    kwargs = {**kwargs, "device": "meta"}
                elif func in moves and (kept := _without_gpu(func, args, kwargs)) is not None:
                    # `.cuda()`, `.to("cuda")`: shapes are the same on any device, and a dry run
                    # needs no GPU; the tensor stays on meta
                    watcher.gpu = True
                    args, kwargs = kept
                    if len(args) == 1 and not kwargs:
                        return args[0]
                try:
                    out = func(*args, **kwargs)
                except Exception as exc:
                    watcher._failed(func, exc)
                    raise
                if func not in gradients:
                    watcher._op_called()
                return out

        self._mode = _Mode()
        self._mode.__enter__()
        self._hook = torch.nn.modules.module.register_module_forward_pre_hook(self._called)
        return self

    def __exit__(self, *exc) -> None:
        self._hook.remove()
        self._mode.__exit__(None, None, None)

    def _stack(self):
        import sys

        frames = []
        frame = sys._getframe(2)
        while frame is not None:
            frames.append((frame, frame.f_lineno))
            frame = frame.f_back
        return frames[::-1]

    def _capture(self, frames, called, error: str | None) -> Captured | None:
        with self._from_start():
            return self._captured(frames, called, error)

    @contextlib.contextmanager
    def _from_start(self):
        """In the folder the dry run started in, for the block: the script may have moved
        (`os.chdir`), and the paths shapecheck shows are from where the user ran it."""

        try:
            moved = os.getcwd()
        except OSError:  # the script removed the folder it moved to
            moved = None
        if moved == self.cwd or not os.path.isdir(self.cwd):
            yield
            return
        os.chdir(self.cwd)
        try:
            yield
        finally:
            if moved is not None:
                os.chdir(moved)

    def _captured(self, frames, called, error: str | None) -> Captured | None:
        from ..trace.sources import display_path

        where = program_frame(frames, called)
        if where is None:
            return None
        frame, line = where
        at = f"{display_path(frame.f_code.co_filename)}:{line}"
        found = slice_program(frame, line)
        try:
            if found is not None:
                module, values, sites, label = build(found, frame)
                return Captured(error, module, values, sites, label, at)
        except Exception:
            pass
        return self._module_alone(error, called, frame, line, at)

    @staticmethod
    def _module_alone(error: str | None, called, frame: FrameType, line: int, at: str) -> Captured:
        """The failing module by itself, called with the tensors it got, when the code around it
        cannot be replayed (`nn.MSELoss()(out, y)` builds the module on the failing line): as
        `run` checks it, located at the user's line that called it."""
        import linecache

        import torch

        from ..trace.records import Location
        from ..trace.sources import display_path

        if error is None or called is None:
            return Captured(error, None, [], {}, "", at)
        module, args, kwargs, _ = called
        if kwargs or not args or not all(isinstance(a, torch.Tensor) for a in args):
            return Captured(error, None, [], {}, "", at)
        filename, line = _built_at(frame, module, line)
        where = Location(display_path(filename), line, linecache.getline(filename, line).strip())
        return Captured(error, module, list(args), {module: where}, type(module).__name__, at)

    def _failed(self, func, exc: BaseException) -> None:
        if self.failure is not None or self.value_read is not None:
            return
        frames = self._stack()
        if getattr(func, "__name__", "") in _VALUE_READS:
            user = program_frame(frames, None)
            if user is not None:
                from ..trace.sources import display_path

                frame, line = user
                with self._from_start():
                    shown = display_path(frame.f_code.co_filename)
                self.value_read = f"{shown}:{line}: .{func.__name__}()"
            return
        first = (str(exc).strip().splitlines() or [""])[0]
        self.failure = self._capture(frames, outermost_module_call(frames), f"{type(exc).__name__}: {first}")

    def _op_called(self) -> None:
        """A torch function the script's own code called (`X @ W`, `F.mse_loss(out, y)`): the
        program around it, once per line, after the op ran (a later silent bug is seen)."""
        import sys

        if not self._recording:
            return
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and not is_user_file(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None or not self._in_script(frame):
            return
        key = (frame.f_code, frame.f_lineno)
        if key != self._last_op:
            self._last_op = key
            self._count(self._stack(), None)

    def _called(self, module, args) -> None:
        if not self._recording:
            return
        frames = self._stack()
        called = outermost_module_call(frames)
        if called is None or called[0] is not module:
            return  # a layer inside a module: its caller is the module, not the program
        caller = program_frame(frames, called)
        if caller is not None and self._in_script(caller[0]):
            self._count(frames, called)

    @property
    def _recording(self) -> bool:
        """Calls are still captured: nothing failed yet, and fewer than `most` were."""
        return self.failure is None and self.calls < self.most

    def _in_script(self, frame: FrameType) -> bool:
        return os.path.abspath(frame.f_code.co_filename) == self.path

    def _count(self, frames, called) -> None:
        """One more call of the script's: the program around it kept as the last, when it calls a module."""
        self.calls += 1
        captured = self._capture(frames, called, None)
        if captured is not None and captured.module is not None:
            self.last = captured
