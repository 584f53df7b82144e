"""`[tool.shapecheck]` in pyproject.toml, or a `shapecheck.toml`: the checks to run in CI.

    [tool.shapecheck]
    ignore = ["SC103"]          # for every check
    strict = false
    format = "table"
    timeout = 300               # seconds, for each check's worker process
    memory_limit = 8192         # MB, for each check's worker process

    [[tool.shapecheck.checks]]
    model = "models/head.py:Net"   # relative to the config file
    inputs = ["3x224x224"]
    args = { num_classes = 10 }
    batch = 2
    train = false
    ignore = ["SC106"]

In `shapecheck.toml` the same keys stand at the top level (`[[checks]]`).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from .errors import ShapecheckError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TOP_KEYS = {"checks", "ignore", "strict", "format", "engine", "timeout", "memory_limit"}
CHECK_KEYS = {"model", "inputs", "args", "batch", "train", "weights", "ignore", "name", "no_batch", "engine"}
FORMATS = ("table", "json", "github", "sarif", "junit", "markdown", "html")


class ConfigError(ShapecheckError):
    """A config file that cannot be used: names the key, file and line."""


@dataclass
class CheckSpec:
    model: str
    inputs: list[str] | None = None
    args: dict = field(default_factory=dict)
    batch: int = 1
    no_batch: bool = False
    train: bool = False
    engine: str | None = None
    ignore: list[str] = field(default_factory=list)
    weights: str | None = None
    name: str = ""
    line: int | None = None


@dataclass
class Config:
    path: str
    checks: list[CheckSpec]
    ignore: list[str] = field(default_factory=list)
    strict: bool = False
    format: str | None = None
    engine: str | None = None
    timeout: float | None = None  # seconds for each check's worker
    memory_limit: int | None = None  # MB for each check's worker


def find_config(start: str | None = None) -> str | None:
    """The nearest shapecheck.toml, or pyproject.toml with [tool.shapecheck], from `start` upwards."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        own = os.path.join(folder, "shapecheck.toml")
        if os.path.isfile(own):
            return own
        project = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(project):
            # A pyproject.toml that does not parse may hold this folder's [tool.shapecheck]:
            # refused, rather than skipped for a parent folder's config.
            try:
                with open(project, "rb") as fh:
                    if "shapecheck" in tomllib.loads(fh.read().decode("utf-8-sig")).get("tool", {}):
                        return project
            except OSError:
                pass
            except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(
                    f"{os.path.relpath(project)}: not valid TOML: {err}",
                    hint="fix it, or pass --config FILE to use another config",
                ) from None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _line_of(text: str, key: str, section: str | None, index: int = 0) -> int | None:
    """The line of `key = …` inside the index-th `section` header (a best effort)."""
    lines = text.splitlines()
    start = 0 if section is None else _section_start(lines, section, index)
    if start is None:
        return None
    key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start, len(lines)):
        if i > start and lines[i].lstrip().startswith("["):
            break
        if key_re.match(lines[i]):
            return i + 1
    return start or None


def _section_start(lines: list[str], section: str, index: int) -> int | None:
    """The line after the index-th `[section]` (or `[[section]]`) header; None without one."""
    pattern = re.compile(rf"^\s*\[+\s*{re.escape(section)}\s*\]+\s*(#.*)?$")
    headers = [i for i, line in enumerate(lines) if pattern.match(line)]
    return headers[index] + 1 if index < len(headers) else None


def load_config(path: str) -> Config:
    display = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    text, data = _read_toml(path, display)
    own = os.path.basename(path) != "pyproject.toml"
    if own:
        table, top, checks_section = data, None, "checks"
    else:
        table = data.get("tool", {}).get("shapecheck")
        top, checks_section = "tool.shapecheck", "tool.shapecheck.checks"
        if table is None:
            raise ConfigError(f"{display} has no [tool.shapecheck] table")

    def fail(message: str, key: str, section: str | None, index: int = 0) -> NoReturn:
        line = _line_of(text, key, section, index)
        where = f"{display}:{line}" if line else display
        raise ConfigError(f"{where}: {message}")

    config = _top_level(path, table, lambda message, key: fail(message, key, top))
    checks = table.get("checks", [])
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        fail("'checks' must be an array of tables ([[checks]])", "checks", top)
    if not checks:
        fail("no checks: add a [[" + checks_section + "]] table with a 'model'", "checks", top)
    folder = os.path.dirname(os.path.abspath(path))
    for index, entry in enumerate(checks):
        config.checks.append(_check(entry, index, folder, functools.partial(_fail_at, fail, checks_section, index)))
        config.checks[-1].line = _line_of(text, "model", checks_section, index)
    return config


def _read_toml(path: str, display: str) -> tuple[str, dict]:
    """The file's text and its TOML; ConfigError for a folder, a missing or unreadable file, or
    text that is not TOML."""
    if os.path.isdir(path):
        raise ConfigError(
            f"{display} is a folder; --config takes a file",
            hint=f"pass {os.path.join(display, 'shapecheck.toml')} or a pyproject.toml",
        )
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8-sig")  # a byte order mark is not TOML, but editors write one
        return text, tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"no such config file: {display}") from None
    except OSError as err:
        raise ConfigError(f"{display} cannot be read: {err.strerror or err}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{display}: not valid TOML: {err}") from None


def _top_level(path: str, table: dict, fail: Callable[[str, str], NoReturn]) -> Config:
    """The settings above the checks, each checked: `fail(message, key)` for a bad one."""
    for key in table:
        if key not in TOP_KEYS:
            fail(f"unknown key '{key}' (known: {', '.join(sorted(TOP_KEYS))})", key)
    config = Config(path=path, checks=[])
    config.ignore = _str_list(table.get("ignore", []), "ignore", lambda m: fail(m, "ignore"))
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        fail("'strict' must be true or false", "strict")
    config.strict = strict
    fmt = table.get("format")
    if fmt is not None and fmt not in FORMATS:
        fail(f"'format' must be one of {', '.join(FORMATS)}, not {fmt!r}", "format")
    config.format = fmt
    engine = table.get("engine")
    if engine is not None and engine not in ("auto", "meta", "real"):
        fail(f"'engine' must be auto, meta or real, not {engine!r}", "engine")
    config.engine = engine
    config.timeout, config.memory_limit = _limits(table, fail)
    return config


def _limits(table: dict, fail: Callable[[str, str], NoReturn]) -> tuple[float | None, int | None]:
    """Each check's time (seconds) and memory (MB) limits, when the config sets them."""
    timeout = table.get("timeout")
    if timeout is not None and not _seconds(timeout):
        fail("'timeout' must be a positive number of seconds", "timeout")
    memory = table.get("memory_limit")
    if memory is not None and not _whole(memory, 64):
        fail("'memory_limit' must be a whole number of MB, at least 64", "memory_limit")
    return timeout, memory


def _seconds(value) -> bool:
    """A positive, finite number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return value > 0 and value != float("inf")


def _whole(value, least: int) -> bool:
    """A whole number (not a bool) of at least `least`."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _str_list(value, key: str, fail) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(f"'{key}' must be a list of strings")
    return list(value)


def _fail_at(fail: Callable[..., NoReturn], section: str, index: int, message: str, key: str) -> NoReturn:
    fail(message, key, section, index)


def _check(entry: dict, index: int, folder: str, fail: Callable[[str, str], NoReturn]) -> CheckSpec:
    for key in entry:
        if key not in CHECK_KEYS:
            fail(f"check {index + 1}: unknown key '{key}' (known: {', '.join(sorted(CHECK_KEYS))})", key)
    model = _model(entry, index, folder, fail)
    spec = CheckSpec(model=model, name=str(entry.get("name") or model))
    if "inputs" in entry:
        spec.inputs = _str_list(entry["inputs"], "inputs", lambda m: fail(f"check {index + 1}: {m}", "inputs"))
    args = entry.get("args", {})
    if not isinstance(args, dict):
        fail(f"check {index + 1}: 'args' must be a table, e.g. args = {{ num_classes = 10 }}", "args")
    spec.args = dict(args)
    _batch_settings(spec, entry, index, fail)
    spec.engine = _engine(entry, index, fail)
    spec.weights = _weights(entry, index, folder, fail)
    spec.ignore = _str_list(entry.get("ignore", []), "ignore", lambda m: fail(f"check {index + 1}: {m}", "ignore"))
    return spec


def _batch_settings(spec: CheckSpec, entry: dict, index: int, fail: Callable[[str, str], NoReturn]) -> None:
    """`batch`, `train` and `no_batch`, each checked."""
    batch = entry.get("batch", 1)
    if not _whole(batch, 1):
        fail(f"check {index + 1}: 'batch' must be a whole number ≥ 1", "batch")
    spec.batch = batch
    for key in ("train", "no_batch"):
        value = entry.get(key, False)
        if not isinstance(value, bool):
            fail(f"check {index + 1}: '{key}' must be true or false", key)
        setattr(spec, key, value)


def _model(entry: dict, index: int, folder: str, fail: Callable[[str, str], NoReturn]) -> str:
    """The check's model; a file's path made relative to here from the config's folder."""
    model = entry.get("model")
    if not isinstance(model, str) or not model.strip():
        fail(f"check {index + 1}: 'model' is missing (a torchvision name, file.py[:Name] or module:Name)", "model")
    path, sep, name = model.partition(":")
    if path.endswith(".py") or os.sep in path or "/" in path:
        return os.path.relpath(os.path.normpath(os.path.join(folder, path))) + (sep + name if sep else "")
    return model


def _engine(entry: dict, index: int, fail: Callable[[str, str], NoReturn]) -> str | None:
    engine = entry.get("engine")
    if engine is not None and engine not in ("auto", "meta", "real"):
        fail(f"check {index + 1}: 'engine' must be auto, meta or real", "engine")
    return engine


def _weights(entry: dict, index: int, folder: str, fail: Callable[[str, str], NoReturn]) -> str | None:
    """The checkpoint's path, relative to here from the config's folder."""
    weights = entry.get("weights")
    if weights is None:
        return None
    if not isinstance(weights, str) or not weights:
        fail(f"check {index + 1}: 'weights' must be a path to a checkpoint", "weights")
    return os.path.relpath(os.path.normpath(os.path.join(folder, weights)))
