"""Find the model-code line behind a call: skip frames in torch, shapecheck and library ops."""

from __future__ import annotations

import functools
import linecache
import os
import sys
import sysconfig
from types import FrameType

import torch

from .records import Location

_STDLIB = sysconfig.get_paths()["stdlib"] + os.sep

_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_LIBRARY_MARKERS = (os.sep + "torchvision" + os.sep + "ops" + os.sep,)
# Python-level wrappers that forward to __torch_function__: the real caller sits above them.
_DISPATCH_FILES = {
    os.path.join(_TORCH_DIR, name)
    for name in (
        "overrides.py",
        "functional.py",
        "_tensor.py",
        "_jit_internal.py",
        os.path.join("nn", "functional.py"),
        os.path.join("utils", "_device.py"),
        os.path.join("utils", "_contextlib.py"),
    )
}


def is_library(filename: str) -> bool:
    """True for torch itself, torchvision's ops and shapecheck: code that is not the model's."""
    return (
        filename.startswith(_TORCH_DIR)
        or filename.startswith(_OWN_DIR)
        or any(marker in filename for marker in _LIBRARY_MARKERS)
        or filename.startswith("<frozen")
    )


def op_caller(frame: FrameType | None) -> FrameType | None:
    """The frame that called a torch function, or None when torch or a library called it.

    Ops called by torch.nn modules or library internals belong to the calling module and are
    not listed; ops called from model code (a user's forward, torchvision's model files) are.
    """
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_OWN_DIR) or name in _DISPATCH_FILES:
            frame = frame.f_back
            continue
        return None if is_library(name) else frame
    return None


_CALL_FILE = os.path.join(_TORCH_DIR, "nn", "modules", "module.py")


def module_caller(frame: FrameType | None) -> FrameType | None:
    """The model-code frame that called a module directly, or None (a container called it)."""
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_OWN_DIR) or name == _CALL_FILE:
            frame = frame.f_back
            continue
        return None if is_library(name) else frame
    return None


def user_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame outside torch, shapecheck and library ops."""
    while frame is not None and is_library(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def display_path(filename: str) -> str:
    """A short path: relative to the working directory, or from the package root."""
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        rel = filename
    if not rel.startswith(".."):
        return rel
    marker = os.sep + "site-packages" + os.sep
    if marker in filename:
        return filename.split(marker, 1)[1]
    return filename


def location_of(frame: FrameType | None) -> Location | None:
    if frame is None:
        return None
    filename = frame.f_code.co_filename
    line = frame.f_lineno or 0
    return Location(display_path(filename), line, linecache.getline(filename, line).strip())


_CONTAINERS = ("Sequential", "ModuleList")


def registration_location(depth: int, name: str) -> Location | None:
    """Where the model code that is registering a submodule called `name` runs now: for a child
    of `nn.Sequential(...)` or `nn.ModuleList([...])` written over several lines, the line of
    that child's own argument, not the line the container's call starts on."""
    frame = user_frame(sys._getframe(depth + 1))
    return child_location(frame, name) if frame is not None else None


def child_location(frame: FrameType, name: str) -> Location | None:
    """The frame's location; for a container's child `name` ("0", "1", …) built in a call over
    several lines, the line of that child's argument."""
    where = location_of(frame)
    if where is None or not name.isdigit():
        return where
    line = argument_line(frame.f_code.co_filename, where.line, int(name), frame.f_globals)
    if line is None or line == where.line:
        return where
    return Location(where.file, line, linecache.getline(frame.f_code.co_filename, line).strip())


def source_tree(filename: str, module_globals=None):
    """The syntax tree of a file as linecache holds it (a notebook cell too); None when it does
    not parse. Parsed once per text: the registration hooks and the program slicer ask often."""
    return _tree_of("".join(linecache.getlines(filename, module_globals)))


@functools.lru_cache(maxsize=32)
def _tree_of(text: str):
    import ast

    try:
        return ast.parse(text) if text else None
    except (SyntaxError, ValueError):
        return None


def argument_line(filename: str, line: int, index: int, module_globals) -> int | None:
    """The line of the `index`-th child in the `nn.Sequential(...)`/`nn.ModuleList([...])` call
    that starts on `line` of the file; None when there is no such call or the children are
    unpacked (`*layers`)."""
    import ast

    tree = source_tree(filename, module_globals)
    if tree is None:
        return None
    for node in ast.walk(tree):
        items = _children_of(node) if isinstance(node, ast.Call) and node.lineno == line else None
        if items is None:
            continue
        if any(isinstance(a, ast.Starred) for a in items) or index >= len(items):
            return None
        return items[index].lineno
    return None


def _children_of(call) -> list | None:
    """The children a container's call lists (`nn.Sequential(a, b)`, `nn.ModuleList([a, b])`);
    None for any other call."""
    import ast

    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called not in _CONTAINERS or not call.args:
        return None
    items = call.args
    if len(items) == 1 and isinstance(items[0], (ast.List, ast.Tuple)):
        return items[0].elts
    return items


def caller_location(depth: int = 1) -> Location | None:
    """Location of the model code that is running now, skipping library frames."""
    return location_of(user_frame(sys._getframe(depth)))


def user_traceback(tb) -> list[Location]:
    """The frames of a traceback that are in the user's own code, outermost first."""
    out = []
    while tb is not None:
        frame = tb.tb_frame
        name = frame.f_code.co_filename
        if not (
            is_library(name)
            or name.startswith("<")
            or name.startswith(_STDLIB)
            or os.sep + "site-packages" + os.sep in name
        ):
            filename = name
            out.append(
                Location(display_path(filename), tb.tb_lineno, linecache.getline(filename, tb.tb_lineno).strip())
            )
        tb = tb.tb_next
    return out


def caller_in_package(depth: int = 1) -> bool:
    """True when the model code running now is an installed package (site-packages)."""
    frame = user_frame(sys._getframe(depth))
    return frame is not None and (os.sep + "site-packages" + os.sep) in frame.f_code.co_filename
