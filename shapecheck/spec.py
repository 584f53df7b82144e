"""Parse `--input` specs (`3x224x224`, `64:long`) and `--arg KEY=VALUE` pairs."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from fractions import Fraction

from .errors import SpecError

# Accepted dtype suffixes, mapped to torch dtype attribute names.
DTYPES = {
    "float": "float32",
    "float32": "float32",
    "float16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "float64": "float64",
    "double": "float64",
    "long": "int64",
    "int64": "int64",
    "int": "int32",
    "int32": "int32",
    "int16": "int16",
    "int8": "int8",
    "uint8": "uint8",
    "bool": "bool",
}


MAX_DIM = 2**31 - 1  # a size PyTorch's kernels index with 32-bit ints in places
MAX_ELEMENTS = 2**40  # one sample: far beyond any real input, far below int64 overflow


@dataclass(frozen=True)
class InputSpec:
    """One input of `forward`: its per-sample dims and dtype, and its parameter name when it is
    passed by keyword (`mask=100:bool`)."""

    dims: tuple[int, ...]
    dtype: str = "float32"
    name: str | None = None
    # On meta, pass it as a FakeTensor: libraries that read values only outside a trace
    # (transformers' `if attention_mask.all()`) then skip the read. For default masks.
    fake: bool = False
    # The caller's own tensor (`summary(input_data=...)`): the real engine runs on its values,
    # which a model may read (a packed sequence's lengths). Not part of the spec's identity.
    value: object = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        text = "x".join(str(d) for d in self.dims) or SCALAR
        text = text if self.dtype == "float32" else f"{text}:{self.dtype}"
        return f"{self.name}={text}" if self.name else text

    def shape(self, batch: int | None) -> tuple[int, ...]:
        """The full tensor shape: a batch dim in front unless `batch` is None."""
        return self.dims if batch is None else (batch, *self.dims)


@dataclass(frozen=True)
class Nested:
    """An argument of `forward` that is a list, tuple or dict of tensors (`forward(self, batch)`
    with `batch = {"image": …, "boxes": […]}`): InputSpecs in that structure. Only from a live
    call (`shapecheck run`, `summary(input_data=…)`): --input has no syntax for it."""

    value: object  # list | tuple | dict of InputSpec or Nested
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.name}=(nested)" if self.name else "(nested)"


@dataclass(frozen=True)
class Constant:
    """An argument of `forward` that is not a tensor (an int, a string, None, a flag): passed to
    the model as it is, on every engine. Only from Python (`summary(..., scale_factor=5)`)."""

    value: object
    name: str | None = None

    def __str__(self) -> str:
        text = repr(self.value)
        text = text if len(text) <= 40 else text[:37] + "..."
        return f"{self.name}={text}" if self.name else text


SCALAR = "scalar"  # `--input scalar`: one value per sample, a tensor of shape [batch]


def parse_input(text: str) -> InputSpec:
    """Parse `3x300x300`, `1024`, `64:long`, `3x224x224:float16`, `mask=100:bool` (by keyword),
    `scalar` or `t=scalar:long` (one value per sample: [batch])."""
    raw = text
    name, text = _keyword(text.strip(), raw)
    if not text:
        raise SpecError("empty --input spec; write per-sample dims joined by 'x', e.g. 3x224x224")
    _refuse_other_separators(text, raw)
    dims_text, sep, dtype_text = text.partition(":")
    dtype = _dtype(dtype_text, raw) if sep else "float32"
    if dims_text.strip().lower() == SCALAR:  # one value per sample: a diffusion timestep, a label
        return InputSpec((), dtype, name)
    dims = [_dimension(token.strip(), raw) for token in dims_text.lower().split("x")]
    total = 1
    for value in dims:
        total *= value
    if total > MAX_ELEMENTS:
        raise SpecError(
            f"--input '{raw}' has {total:.3g} values per sample, more than any tensor can hold here (at most 2^40)"
        )
    return InputSpec(tuple(dims), dtype, name)


def _keyword(text: str, raw: str) -> tuple[str | None, str]:
    """`mask=100:bool` → ("mask", "100:bool"); a spec without `=` has no name."""
    key, eq, rest = text.partition("=")
    if not eq:
        return None, text
    if not key.strip().isidentifier():
        raise SpecError(
            f"'{key.strip()}' in --input '{raw}' is not a parameter name",
            hint="a keyword input reads NAME=DIMS, e.g. --input mask=100:bool",
        )
    return key.strip(), rest.strip()


def _refuse_other_separators(text: str, raw: str) -> None:
    """`3,224,224`, `(3, 224, 224)`: dims written as a tuple or list, answered with the x form."""
    if not any(c in text for c in ",()[] "):
        return
    words = [t for t in text.strip("()[]").replace(",", " ").split() if t]
    if words and all(t.strip().isdigit() for t in words):
        raise SpecError(
            f"--input '{raw}' separates dims with commas, spaces or brackets",
            hint=f"join per-sample dims with 'x': --input {'x'.join(d.strip() for d in words)}",
        )


def _dtype(text: str, raw: str) -> str:
    key = text.strip().lower()
    if key not in DTYPES:
        known = ", ".join(sorted(set(DTYPES)))
        raise SpecError(f"unknown dtype '{text}' in --input '{raw}'; known dtypes: {known}")
    return DTYPES[key]


def _dimension(token: str, raw: str) -> int:
    if not token:
        raise SpecError(f"missing dimension in --input '{raw}'; write e.g. 3x224x224")
    # ASCII digits only: int() also reads "３２" and "3_2", which no one means as a size.
    if not (token.isascii() and token.lstrip("-").isdigit()):
        raise SpecError(f"'{token}' in --input '{raw}' is not a whole number (digits 0-9)")
    if len(token.lstrip("-")) > len(str(MAX_DIM)):  # never int() of thousands of digits
        raise SpecError(f"a dimension of {len(token.lstrip('-'))} digits in --input is too large (at most {MAX_DIM})")
    value = int(token)
    if value <= 0:
        raise SpecError(f"dimension {value} in --input '{raw}' must be at least 1")
    if value > MAX_DIM:
        raise SpecError(f"dimension {value} in --input '{raw}' is too large (at most {MAX_DIM})")
    return value


def parse_arg(text: str) -> tuple[str, object]:
    """Parse `KEY=VALUE`; VALUE as a Python literal, else kept as a string."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise SpecError(f"--arg '{text}' must look like KEY=VALUE, e.g. num_classes=10")
    try:
        return key, ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        return key, value


def from_tensors(args, kwargs) -> tuple[list | None, int | None, str | None]:
    """Input specs for the values a model was (or will be) called with, and the batch: the first
    dim all tensors share (None when they do not share one). Lists, tuples and dicts of tensors
    become Nested specs. (None, None, why) when a value is neither a tensor nor such a structure,
    or has a dtype --input cannot name."""
    values = [(None, a) for a in args] + [(k, v) for k, v in kwargs.items() if v is not None]
    if not values:
        return None, None, "the model was called without tensor arguments"
    leaves: list[tuple] = []
    try:
        for name, value in values:
            _leaf_shapes(value, f"argument `{name}`" if name else "a positional argument", leaves)
    except ValueError as err:
        return None, None, str(err)
    batch = _shared_batch(leaves)
    return [_spec_of(v, batch is not None, n) for n, v in values], batch, None


def _leaf_shapes(value, where: str, leaves: list[tuple]) -> None:
    """Collect the tensors' shapes; ValueError for anything shapecheck cannot make a dummy of."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        if str(value.dtype).replace("torch.", "") not in set(DTYPES.values()):
            raise ValueError(f"{where} has dtype {value.dtype}, which shapecheck cannot make a dummy of")
        leaves.append(tuple(value.shape))
    elif isinstance(value, (list, tuple, dict)) and value:
        for key, v in value.items() if isinstance(value, dict) else enumerate(value):
            _leaf_shapes(v, f"{where}[{key!r}]", leaves)  # `[0]`, `['mask']`
    else:
        raise ValueError(f"{where} is a {type(value).__name__}, not a tensor: shapecheck checks tensor inputs")


def _shared_batch(leaves: list[tuple]):
    """The first dim every tensor shares, or None. A lone 1-D tensor is one sample (`Linear(10,
    2)` given [10]); 1-D tensors beside others that share their first dim are per-sample values
    (labels [B] with images [B, C, H, W], ids [B])."""
    firsts = {shape[0] if shape else None for shape in leaves}
    if len(firsts) != 1 or None in firsts:
        return None
    return next(iter(firsts)) if len(leaves) > 1 or all(len(shape) > 1 for shape in leaves) else None


def _spec_of(value, batched: bool, name=None):
    """The spec of a tensor (its per-sample shape when batched), or of a structure of them."""
    if hasattr(value, "shape"):
        shape = tuple(value.shape)
        return InputSpec(shape[1:] if batched else shape, str(value.dtype).replace("torch.", ""), name)
    if isinstance(value, dict):
        return Nested({k: _spec_of(v, batched) for k, v in value.items()}, name)
    if hasattr(value, "_fields"):
        return Nested([_spec_of(v, batched) for v in value], name)
    return Nested(type(value)(_spec_of(v, batched) for v in value), name)


# Bytes per unit, decimal and binary (`16G` is read as `16Gi` before it is looked up here).
_SCALES = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}


def parse_bytes(text: str) -> int:
    """A memory size: `16GiB`, `16GB`, `16G` (read as GiB, as nvidia-smi and PyTorch print
    them), `512MiB`, `80 GB`, or a plain number of bytes."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?(b)?\s*", text, re.IGNORECASE | re.ASCII)
    if not m:
        raise SpecError(f"'{text}' is not a memory size", hint="write it like 16GiB, 80GB or 512MiB")
    whole = m.group(1).partition(".")[0].lstrip("0")
    if len(whole) > 19:  # a float would turn 400 digits into inf, and int() balks at 4,300
        raise SpecError(f"--fit: a size of {len(whole)} digits is more memory than any machine has (at most {MAX_FIT})")
    number, unit, b = Fraction(m.group(1)), (m.group(2) or "").lower(), m.group(3)
    if unit and not unit.endswith("i") and not b:
        unit += "i"  # `16G` is what `nvidia-smi` calls 16 GiB
    size = int(number * _SCALES[unit])
    if size < 1:
        raise SpecError(f"--fit {text.strip()} is no memory at all")
    if size > 2**60:
        raise SpecError(f"--fit {text.strip()} is more memory than any machine has (at most {MAX_FIT})")
    return size


MAX_FIT = "1 EiB"  # 2**60 bytes: a budget past it is a typo, and the search would not end in it
