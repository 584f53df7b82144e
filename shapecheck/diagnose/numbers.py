"""Turn shapes into the arithmetic a finding explains: 3584 = 1·512·7."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from ..domain.records import dim_names
from ..trace.records import LayerRecord, TensorInfo
from .context import Context
from .probes import grow, largest_where, smallest_where, with_size


def prod(dims: Iterable[int]) -> int:
    return math.prod(dims)


def dot(dims: Iterable[int]) -> str:
    return "·".join(str(d) for d in dims)


def shape(dims: Iterable[int]) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"


def size_text(dims: Iterable[int]) -> str:
    return "×".join(str(d) for d in dims)


def matmul_message(input_shape: tuple[int, ...], n_in: int, n_out: int) -> str:
    """The message a real (CPU/CUDA) run prints for a Linear whose in_features don't fit."""
    rows = prod(input_shape[:-1]) if len(input_shape) > 1 else 1
    return f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input_shape[-1]} and {n_in}x{n_out})"


def pool_size(channels: int, target: int, current: tuple[int, ...]) -> tuple[int, ...] | None:
    """An adaptive pool output size with channels·∏size == target, closest to the current map."""
    if channels <= 0 or target % channels:
        return None
    per_channel = target // channels
    ndim = len(current)
    if ndim == 1:
        return (per_channel,)
    candidates = [
        candidate
        for first in range(1, per_channel + 1)
        if not per_channel % first and (candidate := _pool_candidate(first, per_channel // first, ndim)) is not None
    ]
    return min(candidates, key=lambda candidate: _pool_distance(candidate, current), default=None)


def _pool_candidate(first: int, rest: int, ndim: int) -> tuple[int, ...] | None:
    """`first` by `rest` spread evenly over the other dims; None when `rest` is no such power."""
    if ndim == 2:
        return (first, rest)
    side = round(rest ** (1 / (ndim - 1)))
    if side ** (ndim - 1) != rest:
        return None
    return (first,) + (side,) * (ndim - 1)


def _pool_distance(candidate: tuple[int, ...], current: tuple[int, ...]) -> float:
    """How far a pool size is from the current map, and between equally close ones from its
    aspect ratio (1024 per channel from a 16×16 map: 32×32, not 16×64)."""
    score = sum(abs(math.log(c / max(cur, 1))) for c, cur in zip(candidate, current, strict=True))
    return score + abs(math.log(candidate[0] / candidate[1]) - math.log(max(current[0], 1) / max(current[1], 1))) / 8


def parsed_line(source: str):
    """(indent, the line without it, its syntax tree) for one source line; None when the line
    does not parse on its own."""
    import ast

    text = source.strip()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    return source[: len(source) - len(source.lstrip())], text, tree


def char_span(text: str, node) -> tuple[int, int] | None:
    """(start, end) in characters of a node parsed from the one line `text` (the tree counts
    UTF-8 bytes); None when the node runs over several lines."""
    if getattr(node, "lineno", None) != 1 or getattr(node, "end_lineno", None) != 1 or node.end_col_offset is None:
        return None
    raw = text.encode()
    return len(raw[: node.col_offset].decode(errors="ignore")), len(raw[: node.end_col_offset].decode(errors="ignore"))


def call_argument(source: str) -> str:
    """The user's tensor variable on a line: the receiver of `out.view(...)`, else the variable
    passed in `x = self.fc(x)` or `torch.flatten(h, 1)`, else the name assigned to, else `x`."""
    method = re.search(
        r"(?<![\w.])([A-Za-z_]\w*)\s*\.\s*(?:view|reshape|flatten|permute|transpose|"
        r"contiguous|squeeze|unsqueeze|mean|sum)\(",
        source,
    )
    if method and method.group(1) not in ("self", "torch", "nn", "F"):
        return method.group(1)
    match = re.search(r"\(\s*([A-Za-z_]\w*)\s*[,)]", source)
    if match:
        return match.group(1)
    target = re.match(r"\s*([A-Za-z_]\w*)\s*=[^=]", source)
    return target.group(1) if target else "x"


def replace_first_argument(source: str, call: str, value: int, factors: tuple[int, ...] | None = None) -> str | None:
    """`nn.Linear(512 * 7 * 7, 100)` → `nn.Linear(41472, 100)`; None when not found. With
    `factors` (the feature map's C, h, w) and an argument written as a product of numbers, the
    new value is written the same way: `nn.Linear(512 * 8 * 8, 10)` → `nn.Linear(512 * 7 * 7, 10)`."""
    match = re.search(rf"\b{call}\(\s*", source)
    end = _argument_end(source, match.end()) if match else None
    if match is None or end is None:
        return None
    start = match.end()
    arg = source[start:end]
    if "=" in arg and not arg.strip().startswith("in_"):
        return None
    text = _product_text(value, factors, arg.split("=", 1)[-1].strip())
    if arg.strip().startswith("in_features="):
        return source[:start] + f"in_features={text}" + source[end:]
    return source[:start] + text + source[end:]


def _argument_end(source: str, start: int) -> int | None:
    """Where the argument that starts at `start` ends: the comma or closing bracket at its own
    depth; None when the line ends first."""
    depth = 0
    for i in range(start, len(source)):
        ch = source[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif depth == 0 and ch in ",)]}":
            return i
    return None


def _product_text(value: int, factors: tuple[int, ...] | None, written: str) -> str:
    """`value`, written as the product of `factors` when they make it and the argument was
    written as a product of numbers (`512 * 7 * 7`)."""
    if factors and prod(factors) == value and re.fullmatch(r"\d+(\s*\*\s*\d+)+", written):
        return " * ".join(str(f) for f in factors)
    return str(value)


def spatial_dims(ctx: Context) -> tuple[int, ...]:
    """Indexes (in per-sample dims) of the dims that scale: everything after channels."""
    dims = ctx.sample_dims
    return tuple(range(1, len(dims))) if len(dims) >= 2 else ()


def accepted_range(
    ctx: Context,
    layer: LayerRecord,
    measure: Callable[[list[TensorInfo]], int],
    target: int,
    axes: tuple[int, ...],
) -> tuple[int, int | None] | None:
    """The interval of sizes s (given to every dim in `axes`) where measure(layer inputs) == target.

    measure must not decrease as the input grows (true for conv/pool chains); a trace that
    fails before the layer counts as too small. None when no size fits or probing is off;
    an upper end of None means no limit was found.
    """
    base = ctx.sample_dims

    def value(size: int) -> int:
        got = ctx.probe_at(layer, with_size(base, axes, size))
        return -1 if not got else measure(got)

    try:
        hi, _ = grow(lambda s: value(s) > target, max(base[a] for a in axes))
        low = smallest_where(lambda s: value(s) >= target, 1, hi)
        if value(low) != target:
            return None
        if value(hi) == target:
            return low, None
        return low, largest_where(lambda s: value(s) <= target, low, hi)
    except (LookupError, TimeoutError):
        return None


def per_sample_range(ctx: Context, row: LayerRecord, target: int, square_only: bool = False) -> str | None:
    """The input sizes at which one sample reaching `row` has exactly `target` values.

    "H = W from 224 to 255"; per dim ("H from … and W from …") when the input is not square,
    unless `square_only`. None when probing is off or no size fits.
    """
    axes = spatial_dims(ctx)
    if not axes:
        return None
    dims = ctx.sample_dims
    square = len({dims[a] for a in axes}) == 1
    if not square and square_only:
        return None
    exact = symbolic_range(ctx, row, target, axes if square else None)
    if exact is not None or ctx.runner is None:
        return exact
    return _probed_range(ctx, row, target, [axes] if square else [(a,) for a in axes])


def _probed_range(ctx: Context, row: LayerRecord, target: int, groups: list[tuple[int, ...]]) -> str | None:
    """per_sample_range found by probing, for each group of dims sized together."""
    parts = []
    for group in groups:
        found = accepted_range(ctx, row, lambda ins: prod(ins[0].shape[1:]), target, group)
        if found is None:
            return None
        parts.append(range_text(ctx, found[0], found[1], group))
    return " and ".join(parts)


def per_sample_expression(ctx: Context, row: LayerRecord) -> str | None:
    """`512·(H//32)·(W//32)`: the values per sample of the row's first input (--symbolic)."""
    t = row.inputs[0] if row.inputs else None
    if t is None or t.symbolic is None:
        return None
    texts = t.symbolic[1:] if ctx.trace.batch is not None else t.symbolic
    if not any(ch.isalpha() for text in texts for ch in text):
        return None
    return "·".join(_bracketed(x) if len(texts) > 1 else x for x in texts)


def _bracketed(factor: str) -> str:
    """A factor of a product in brackets when it is itself an expression (`H//32`)."""
    return f"({factor})" if " " in factor or "//" in factor else factor


def symbolic_range(ctx: Context, row: LayerRecord, target: int, square: tuple[int, ...] | None) -> str | None:
    """per_sample_range from the row's shape expression (--symbolic): exact, with no probes.

    A size also has to get through the layers before: the accepted minimum of each dim
    (ctx.domain) is the floor of the search.
    """
    formulas = _per_sample_formulas(ctx, row)
    if formulas is None:
        return None
    from ..domain.formulas import sizes_where

    names = dim_names(len(ctx.sample_dims), False)
    axes = spatial_dims(ctx)
    parts = []
    for group in [square] if square else [(a,) for a in axes]:
        floor = _accepted_floor(ctx, names, group)
        found = sizes_where(formulas, names, ctx.sample_dims, group, lambda n: n == target, floor)
        if found is None or not found[0]:
            return None
        parts.append(_first_run_text(ctx, *found, group))
    return " and ".join(parts)


def _per_sample_formulas(ctx: Context, row: LayerRecord):
    """The formula of each per-sample dim of the row's first input (--symbolic); None without one."""
    t = row.inputs[0] if row.inputs else None
    if t is None or t.formula is None or len(t.formula) != t.rank:
        return None
    return t.formula[1:] if ctx.trace.batch is not None else t.formula


def _accepted_floor(ctx: Context, names: list[str], group: tuple[int, ...]) -> int:
    """The smallest size the layers before accept for these dims (ctx.domain), at least 1."""
    floor = 1
    if ctx.domain is None:
        return floor
    for a in group:
        d = ctx.domain.dim(names[a])
        if d is not None and d.settled and d.min is not None:
            floor = max(floor, d.min if d.values is None else min(d.values))
    return floor


def _first_run_text(ctx: Context, sizes: list[int], hi: int, group: tuple[int, ...]) -> str:
    """The first run of consecutive sizes as a range (open when it reaches `hi`, the search's
    end), and where the next one starts."""
    run = [sizes[0]]
    for s in sizes[1:]:
        if s != run[-1] + 1:
            break
        run.append(s)
    high = None if run[-1] >= hi else run[-1]
    text = range_text(ctx, run[0], high, group)
    if len(run) < len(sizes):
        text += f" (and others, from {sizes[len(run)]})"
    return text


def range_text(ctx: Context, low: int, high: int | None, axes: tuple[int, ...]) -> str:
    names = dim_names(len(ctx.sample_dims), False)
    label = " = ".join(names[a] for a in axes)
    if high is None:
        return f"{label} ≥ {low}"
    if low == high:
        return f"{label} = {low} only"
    return f"{label} from {low} to {high}"


def _call_arguments(source: str, call: str) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(start of the arguments, closing paren, [(start, end) of each argument]) of `call(...)`."""
    match = re.search(rf"\b{re.escape(call)}\(", source)
    if not match:
        return None
    start = match.end()
    depth, spans, begin = 0, [], start
    for i in range(start, len(source)):
        ch = source[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif ch == ")":
            if source[begin:i].strip():
                spans.append((begin, i))
            return start, i, spans
        elif ch == "," and depth == 0:
            spans.append((begin, i))
            begin = i + 1
    return None


def call_arguments(source: str, call: str) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(start of the arguments, closing paren, [(start, end) of each argument]) of the first
    `call(...)` on a source line: `x.view(-1)` with call `view`."""
    return _call_arguments(source, call)


def set_argument(source: str, call: str, position: int | None, keyword: str, value) -> str | None:
    """Set one constructor argument on a source line, keeping everything else as written:
    the keyword if given, else the positional argument at `position`, else `keyword=value` is
    added. `nn.LSTM(32, 32)` with batch_first → `nn.LSTM(32, 32, batch_first=True)`."""
    found = _call_arguments(source, call)
    if found is None:
        return None
    _, close, spans = found
    text = repr(value) if isinstance(value, (bool, str)) else str(value)
    named, positional = keyword_or_positional(source, spans, keyword)
    if named is not None:
        return written_over(source, named, f"{keyword}={text}")
    if position is not None and position < len(positional):
        return written_over(source, positional[position], text)
    sep = ", " if spans else ""
    return source[:close] + f"{sep}{keyword}={text}" + source[close:]


def keyword_or_positional(
    source: str, spans: list[tuple[int, int]], keyword: str
) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """Of a call's argument spans on a source line: (the one written `keyword=…`, or None; the
    positional ones before it, `*args` left out)."""
    positional: list[tuple[int, int]] = []
    for begin, end in spans:
        name = re.match(r"\s*([A-Za-z_]\w*)\s*=(?!=)", source[begin:end])
        if name and name.group(1) == keyword:
            return (begin, end), positional
        if not name and not source[begin:end].strip().startswith("*"):
            positional.append((begin, end))
    return None, positional


def written_over(source: str, span: tuple[int, int], text: str) -> str:
    """The line with the argument at `span` replaced by `text`, the space before it kept."""
    begin, end = span
    arg = source[begin:end]
    return source[:begin] + arg[: len(arg) - len(arg.lstrip())] + text + source[end:]


def module_call_argument(source: str, name: str) -> str | None:
    """The first argument of a module call in a source line, as written: `self.conv(x)` → `x`,
    `self.bn(self.fc(x))` → `self.fc(x)`."""
    attr = name.rsplit(".", 1)[-1]
    found = _call_arguments(source, attr)
    if found is None or not found[2]:
        return None
    begin, end = found[2][0]
    arg = source[begin:end].strip()
    return arg if arg and "=" not in arg.split("(")[0] else None
