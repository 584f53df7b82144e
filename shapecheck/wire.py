"""What a worker sends its parent: plain data as JSON, never a pickle.

The worker runs model code, so whatever it sends may have been forged; unpickling it would run
code in the parent, which has no limits. A message here is JSON. Dataclass instances travel as
`{"@": "module:Class", ...fields}` and come back only as dataclasses that shapecheck itself
defines; anything else is refused (`WireError`). Tuples, sets, dicts with keys that are not
strings and floats JSON cannot hold (inf, nan) are tagged so they come back as they went.
Text that UTF-8 cannot hold (a lone surrogate in a checkpoint key) is sent with it escaped
(`render.escape.encodable`): this is where names from a model or a file enter the command.
A field typed with a vocabulary (`words.Word`: a severity, a row's status) travels as its word
and comes back as the member, or is refused when it is not a word of that vocabulary.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import math
import sys

from .render.escape import encodable
from .words import Word

_TAG = "@"


class WireError(ValueError):
    """A message that is not what a worker sends."""


def dumps(value) -> bytes:
    return json.dumps(_encode(value), ensure_ascii=False, allow_nan=False).encode("utf-8")


def loads(data: bytes):
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"not JSON: {exc}") from None
    except RecursionError:
        raise WireError("nested too deeply") from None
    return _decode(raw, 0)


def _encode(value):
    if isinstance(value, str):
        return encodable(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {_TAG: "float", "v": repr(value)}
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return _encode_collection(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_record(value)
    raise WireError(f"cannot send a {type(value).__name__}")


def _encode_record(value) -> dict:
    """A dataclass: its fields, tagged with its class (`module:Name`)."""
    cls = type(value)
    out = {_TAG: f"{cls.__module__}:{cls.__qualname__}"}
    for field in dataclasses.fields(value):
        out[field.name] = _encode(getattr(value, field.name))
    return out


def _encode_collection(value: list | tuple | set | frozenset | dict):
    """A list and a dict with string keys are JSON's own; the rest are tagged with their type."""
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return _encode_dict(value)
    tag = "tuple" if isinstance(value, tuple) else type(value).__name__  # a namedtuple goes as a tuple
    return {_TAG: tag, "v": [_encode(v) for v in value]}


def _encode_dict(value: dict) -> dict:
    """A dict of string keys as JSON's own object; any other (or one holding the tag as a key)
    as its pairs, tagged."""
    if all(isinstance(k, str) for k in value) and _TAG not in value:
        return {encodable(k): _encode(v) for k, v in value.items()}
    return {_TAG: "dict", "v": [[_encode(k), _encode(v)] for k, v in value.items()]}


_DEPTH = 400  # nested modules make deep traces; a forged message could nest without end


def _decode(raw, depth: int):
    if depth > _DEPTH:
        raise WireError("nested too deeply")
    if raw is None or isinstance(raw, (bool, int, float, str)):
        return raw
    if isinstance(raw, list):
        return [_decode(v, depth + 1) for v in raw]
    if not isinstance(raw, dict):
        raise WireError(f"unexpected {type(raw).__name__}")
    tag = raw.get(_TAG)
    if tag is None:
        return {k: _decode(v, depth + 1) for k, v in raw.items()}
    return _tagged(tag, raw, depth)


def _tagged(tag, raw: dict, depth: int):
    """A value JSON has no type for: a special float, a tuple, a set, a dict with other keys, a record."""
    if tag == "float":
        if raw.get("v") not in ("inf", "-inf", "nan"):
            raise WireError("bad float")
        return float(raw["v"])
    if tag in ("tuple", "set", "frozenset"):
        items = [_decode(v, depth + 1) for v in _list(raw)]
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in (_pair(p) for p in _list(raw))}
    return _instance(tag, raw, depth)


def _list(raw: dict) -> list:
    items = raw.get("v")
    if not isinstance(items, list):
        raise WireError("bad container")
    return items


def _pair(item) -> tuple:
    if not isinstance(item, list) or len(item) != 2:
        raise WireError("bad dict item")
    return item[0], item[1]


# The modules whose dataclasses make up a report: the only ones a message may name.
RECORD_MODULES = frozenset(
    {
        "shapecheck.report",
        "shapecheck.trace.records",
        "shapecheck.diagnose.findings",
        "shapecheck.trace.requests",
        "shapecheck.domain.records",
        "shapecheck.saved.records",
        "shapecheck.spec",
    }
)


def _instance(tag, raw: dict, depth: int):
    """A dataclass of one of RECORD_MODULES."""
    cls = _record_class(tag)
    name = str(tag).partition(":")[2]
    fields = {f.name for f in dataclasses.fields(cls)}
    extra = set(raw) - fields - {_TAG}
    if extra:
        raise WireError(f"{name} has no field {sorted(extra)[0]}")
    instance: object = object.__new__(cls)
    for field in dataclasses.fields(cls):
        value = _field_value(field, raw, depth, name)
        vocabulary = _vocabularies(cls).get(field.name)
        if vocabulary is not None and isinstance(value, str):
            value = _word(vocabulary, value, f"{name}.{field.name}")
        object.__setattr__(instance, field.name, value)
    return instance


def _record_class(tag) -> type:
    """The dataclass a tag names (`module:Name`), defined in one of RECORD_MODULES; WireError for any other."""
    module_name, _, name = str(tag).partition(":")
    if module_name not in RECORD_MODULES or "." in name:
        raise WireError(f"refused type {tag}")
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module_name):
        raise WireError(f"refused type {tag}")
    return cls


def _field_value(field: dataclasses.Field, raw: dict, depth: int, name: str):
    """A field's value as sent, or its default when not sent."""
    if field.name in raw:
        return _decode(raw[field.name], depth + 1)
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    raise WireError(f"{name} lacks field {field.name}")


@functools.cache
def _vocabularies(cls: type) -> dict[str, type[Word]]:
    """The fields of a record class typed with a vocabulary (`status: RowStatus`, `action:
    EditAction | str`), read from the annotations' names in the class's module, never evaluated."""
    module = sys.modules[cls.__module__]
    found = {}
    for field in dataclasses.fields(cls):
        for name in str(field.type).split("|"):
            named = getattr(module, name.strip(), None)
            if isinstance(named, type) and issubclass(named, Word):
                found[field.name] = named
    return found


def _word(vocabulary: type[Word], value: str, where: str) -> Word:
    try:
        return vocabulary(value)
    except ValueError:
        raise WireError(f"{where} is not a {vocabulary.__name__}") from None
