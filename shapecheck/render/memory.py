"""The memory section of a report (`--memory`, `--fit`): plain data for JSON, lines for text."""

from __future__ import annotations

from ..report import Report
from ..trace.records import SEARCH_LIMIT, MemoryUse
from .common import binary_bytes

_BATCHES = (1, 8, 32, 128)
_OPTIMIZER = "Adam (2 states per weight)"


def batches(memory: MemoryUse, traced: int | None) -> list[int]:
    if not memory.batch_dim:
        return [1]
    return sorted({*_BATCHES, traced or 1})


def subtree_saved(memory: MemoryUse, name: str, batch: int) -> int:
    """A module's bytes kept for backward with everything inside it."""
    own = memory.saved_by_layer(batch)
    if name == "":
        return sum(own.values())
    return sum(v for k, v in own.items() if k == name or k.startswith(name + "."))


def fits(memory: MemoryUse) -> dict[str, int | None] | None:
    """The largest batch in the budget, for training and inference (None: every batch up to
    the search's end fits; with no batch dim, 1 or 0: the one size fits or not)."""
    if memory.budget is None:
        return None
    if not memory.batch_dim:  # the input has no batch dim: one size, which fits or not
        return {
            "training": int(memory.training(1) <= memory.budget),
            "inference": int(memory.inference(1) <= memory.budget),
        }
    return {
        "training": memory.largest_batch(memory.budget, training=True),
        "inference": memory.largest_batch(memory.budget, training=False),
    }


def memory_dict(report: Report) -> dict | None:
    memory = report.trace.memory
    if memory is None:
        return None
    batch = report.trace.batch or 1
    return {
        "weights": memory.weight_bytes,
        "trainable": memory.trainable_bytes,
        "optimizer": "adam",
        "kept_for_backward_per_sample": round(memory.saved_per_sample),
        "by_batch": [
            {"batch": b, "inference": memory.inference(b), "training": memory.training(b)}
            for b in batches(memory, report.trace.batch)
        ],
        "kept_for_backward": {k: v for k, v in memory.saved_by_layer(batch).items() if v},
        "fit": None if memory.budget is None else {"budget": memory.budget, "largest_batch": fits(memory)},
    }


def memory_lines(report: Report) -> list[str]:
    memory = report.trace.memory
    if memory is None:
        return []
    lines = [
        f"memory (measured on fake tensors, nothing allocated): weights {binary_bytes(memory.weight_bytes)}; "
        f"a training step adds gradients and {_OPTIMIZER}, and keeps activations for backward",
        *_batch_table(memory, report.trace.batch),
    ]
    if memory.batch_dim and memory.saved_per_sample > 0:
        lines.append(_kept_line(memory, report.trace.batch or 1))
    found = fits(memory)
    if found is not None:
        lines.append(_fit_line(memory, found))
    return lines


def _batch_table(memory: MemoryUse, traced: int | None) -> list[str]:
    """Inference and training bytes per batch size, right-aligned columns."""
    rows = [
        (
            str(b) if memory.batch_dim else "as given",
            binary_bytes(memory.inference(b)),
            binary_bytes(memory.training(b)),
        )
        for b in batches(memory, traced)
    ]
    header = ("batch", "inference", "training")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    return ["  " + "   ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in [header, *rows]]


def _kept_line(memory: MemoryUse, batch: int) -> str:
    """Bytes kept for backward per sample, and the three top-level modules that keep most."""
    own = memory.saved_by_layer(batch)
    top = sorted(
        ((subtree_saved(memory, name, batch) if name else own.get("", 0), name) for name in _top_level(memory)),
        reverse=True,
    )[:3]
    most = ", ".join(f"{name or 'the model’s own forward'} {binary_bytes(size)}" for size, name in top if size)
    return f"  kept for backward: {binary_bytes(memory.saved_per_sample)} per sample" + (
        f"; at batch {batch} most in {most}" if most else ""
    )


def _fit_line(memory: MemoryUse, found: dict[str, int | None]) -> str:
    """What fits in the budget: yes or no without a batch dim, else the largest batches."""
    budget = binary_bytes(memory.budget or 0)
    if not memory.batch_dim:
        verdict = {1: "fits", 0: "does not fit", None: "fits"}
        return (
            f"  in {budget} (no batch dim): training {verdict[found['training']]}, "
            f"inference {verdict[found['inference']]}"
        )
    line = (
        f"  largest batch in {budget}: training {_largest(found['training'])}, inference {_largest(found['inference'])}"
    )
    if found["training"] == 0:
        line += (
            f" (not even one sample trains: weights, gradients and Adam alone take {binary_bytes(memory.training(0))})"
        )
    return line


def _largest(batch: int | None) -> str:
    return f"{batch:,}" if batch is not None else f"none found (every batch up to {SEARCH_LIMIT:,} fits)"


def _top_level(memory: MemoryUse) -> set[str]:
    """The model's direct children (and its own forward): where the bytes go, at a glance."""
    return {name.split(".")[0] for name, *_ in memory.segments}
