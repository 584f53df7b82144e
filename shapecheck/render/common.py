"""Formatting shared by the renderers."""

from __future__ import annotations

from ..trace.records import TensorInfo


def shape_text(t: TensorInfo) -> str:
    return "[" + ", ".join(str(d) for d in t.shape) + "]"


def shapes_text(tensors: list[TensorInfo], limit: int = 3) -> str:
    if not tensors:
        return ""
    keyed = len(tensors) > 1
    parts = [(f"{t.key.rstrip('=')}: " if keyed and t.key else "") + shape_text(t) for t in tensors[:limit]]
    if len(tensors) > limit:
        parts.append(f"+{len(tensors) - limit} more")
    return "\n".join(parts) if keyed else parts[0]


def count(n: int) -> str:
    return f"{n:,}"


def seconds(s: float) -> str:
    return f"{s:.2f} s"


def visible_rows(report, depth: int | None):
    """The rows at or above `depth`, and the failing row wherever it is."""
    failing = report.trace.error.layer if report.trace.error else None
    for row in report.layers:
        if depth is None or row.depth <= depth or row.index == failing:
            yield row


def codes_by_row(report) -> dict[int, list[str]]:
    """row index → the codes of the findings on that row, in finding order."""
    codes: dict[int, list[str]] = {}
    for f in report.findings:
        if f.row is not None:
            codes.setdefault(f.row, []).append(f.code)
    return codes


def quantity(n: float, unit: str = "") -> str:
    """3628167888 → `3.63 G`; bytes with unit="B" → `44.7 MB`."""
    for size, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:.2f} {prefix}{unit}"
    return f"{n:g} {unit}".rstrip()


def binary_bytes(n: float) -> str:
    """Memory as nvidia-smi and PyTorch print it: 17179869184 → `16.0 GiB`."""
    for size, prefix in ((2**40, "Ti"), (2**30, "Gi"), (2**20, "Mi"), (2**10, "Ki")):
        if n >= size:
            return f"{n / size:.1f} {prefix}B"
    return f"{n:.0f} B"


# `--columns`: our names, and torchinfo's col_names for the same thing.
COLUMNS = {
    "input": "input",
    "input_size": "input",
    "output": "output",
    "output_size": "output",
    "params": "params",
    "num_params": "params",
    "params_percent": "params_percent",
    "mult_adds": "mult_adds",
    "macs": "mult_adds",
    "kernel": "kernel",
    "kernel_size": "kernel",
    "groups": "groups",
    "trainable": "trainable",
    "param_bytes": "param_bytes",
    "output_bytes": "output_bytes",
    "saved_bytes": "saved_bytes",
    "type": "type",
}
DEFAULT_COLUMNS = ("type", "input", "output", "params")


def column_names(names) -> list[str]:
    """`["input_size", "mult_adds"]` (ours or torchinfo's) → our column names, in order, once each."""
    from ..errors import SpecError

    chosen = []
    for name in names:
        if name not in COLUMNS:
            raise SpecError(f"unknown column '{name}'", hint="columns: " + ", ".join(sorted(set(COLUMNS))))
        if COLUMNS[name] not in chosen:
            chosen.append(COLUMNS[name])
    return chosen
