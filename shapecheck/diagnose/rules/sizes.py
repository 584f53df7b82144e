"""Sizes written into an op's call that do not fit the tensor it gets (SC113's family beside
`view`): `unflatten` into sizes whose product is not the dim, `split` into sizes that do not sum
to it, `expand` of a dim that is not 1. The numbers are said, with the row that made the tensor;
a fix is offered only where the numbers point to one (three equal parts of `qkv` but one), as
the user's line rewritten and checked as written; otherwise each reading is display-only."""

from __future__ import annotations

import re

from ...trace.records import OP
from ..context import Context
from ..findings import DISPLAY_ONLY, SAFE, Finding, Fix, Label, line_fix
from ..numbers import prod, shape
from .common import ref


def sizes_finding(ctx: Context, row) -> Finding | None:
    """The finding for a failing `unflatten`, `split` or `expand` whose sizes do not fit."""
    if row.kind != OP or not row.inputs:
        return None
    read = _READERS.get(row.type.rsplit(".", 1)[-1])
    return read(ctx, row, row.attrs.get("args", [])[1:]) if read is not None else None


def _ints(values) -> list[int] | None:
    if isinstance(values, list) and values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return list(values)
    return None


def _dim(t, dim) -> int | None:
    if not isinstance(dim, int) or isinstance(dim, bool) or not -t.rank <= dim < t.rank:
        return None
    return dim % t.rank


def _made_by(ctx: Context, t, n: int) -> list[Label]:
    """Where the tensor's size comes from: the row that made it."""
    src = ctx.trace.row(t.source)
    if src is None:
        return []
    return [Label(src.name, f"{n} comes from {ref(src)}", src.location)]


def _finding(ctx: Context, row, message: str, why: list[str], labels, note: str, fixes: list[Fix]) -> Finding:
    """SC113's finding (the running rule's code and severity, from `@rule`)."""
    return ctx.finding(
        layer=row.name,
        message=message,
        location=row.location,
        row=row.index,
        why=why,
        labels=labels,
        notes=[f"PyTorch reports: {note}"],
        fixes=fixes,
    )


def _unflatten(ctx: Context, row, args) -> Finding | None:
    t = row.inputs[0]
    dim = _dim(t, args[0] if args else row.attrs.get("dim"))
    sizes = _ints(args[1] if len(args) > 1 else row.attrs.get("sizes"))
    if dim is None or sizes is None:
        return None
    n = t.shape[dim]
    known = prod([s for s in sizes if s != -1])
    if _fits(sizes, known, n):
        return None
    labels = _made_by(ctx, t, n)
    asked = " × ".join(str(s) for s in sizes)
    why = [f"{ref(row)} splits dim {dim} of {shape(t.shape)}, {n} values, into {asked} = {known}"]
    fixes = _one_size_kept(row, sizes, n) if len(sizes) == 2 and -1 not in sizes else []
    note = (
        f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({n}) in the input tensor"
    )
    message = f"{ref(row)} splits {n} values into {asked} = {known}"
    return _finding(ctx, row, message, why, labels, note, fixes)


def _fits(sizes: list[int], known: int, n: int) -> bool:
    """The sizes make `n` values: their product, or a divisor of it with a -1 for the rest."""
    if -1 in sizes:
        return bool(known) and n % known == 0
    return known == n


def _one_size_kept(row, sizes: list[int], n: int) -> list[Fix]:
    """For each of two sizes that divides `n`: that size kept and the other written -1 (display-only)."""
    fixes: list[Fix] = []
    source = row.called_at.source if row.called_at is not None else ""
    written = re.compile(r"[(\[]\s*" + r"\s*,\s*".join(str(s) for s in sizes) + r"\s*,?\s*[)\]]")
    for i, size in enumerate(sizes):
        if size <= 0 or n % size:
            continue
        kept = ", ".join(str(s) if j == i else "-1" for j, s in enumerate(sizes))
        after = written.sub(f"({kept})", source) if len(written.findall(source)) == 1 else None
        fixes.append(
            line_fix(
                f"{'or ' if fixes else ''}if {size} is the size that is right, let the other follow: "
                f"{n} = {size} × {n // size}",
                row.called_at,
                source,
                after,
                f"({kept})",
                safety=DISPLAY_ONLY,
            )
        )
    return fixes


def _split(ctx: Context, row, args) -> Finding | None:
    t = row.inputs[0]
    sizes = _ints(args[0] if args else row.attrs.get("split_size_or_sections"))
    dim = _dim(t, args[1] if len(args) > 1 else row.attrs.get("dim", 0))
    if sizes is None or dim is None:
        return None
    n = t.shape[dim]
    total = sum(sizes)
    if total == n:
        return None
    labels = _made_by(ctx, t, n)
    why = [f"{ref(row)} splits dim {dim} of {shape(t.shape)}, {n} values, into {sizes}, which sum to {total}"]
    fixes: list[Fix] = []
    equal = _equal_parts(sizes, n)
    if equal is not None:
        odd, part = equal
        why.append(f"{n} = {len(sizes)} × {part}: every part but part {odd} is {part}")
        fixes.append(_equal_split_fix(row, sizes, odd, part))
    note = (
        f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension "
        f"{args[1] if len(args) > 1 else row.attrs.get('dim', 0)}), but got split_sizes={sizes}"
    )
    message = f"{ref(row)} splits {n} values into parts that sum to {total}"
    return _finding(ctx, row, message, why, labels, note, fixes)


def _equal_parts(sizes: list[int], n: int) -> tuple[int, int] | None:
    """(the one part that differs, the size of the others) when the others are equal and the
    dim holds exactly that many parts of their size (`[32, 32, 16]` of 96)."""
    if len(sizes) < 3:
        return None
    for odd in range(len(sizes)):
        others = {s for i, s in enumerate(sizes) if i != odd}
        if len(others) == 1:
            part = others.pop()
            if part * len(sizes) == n and sizes[odd] != part:
                return odd, part
    return None


def _equal_split_fix(row, sizes: list[int], odd: int, part: int) -> Fix:
    """The line with the split's list written with equal parts, checked as written; display-only
    where the list is not written as those numbers."""
    source = row.called_at.source if row.called_at is not None else ""
    written = re.compile(r"\[\s*" + r"\s*,\s*".join(str(s) for s in sizes) + r"\s*\]")
    found = written.findall(source)
    fixed = [part if i == odd else s for i, s in enumerate(sizes)]
    after = written.sub(f"[{', '.join(map(str, fixed))}]", source) if len(found) == 1 else None
    return line_fix(
        f"split into {len(sizes)} equal parts of {part}: part {odd} is written {sizes[odd]}",
        row.called_at,
        source,
        after,
        f"split({fixed}, dim=...)",
        safety=SAFE if after else DISPLAY_ONLY,
    )


def _expand(ctx: Context, row, args) -> Finding | None:
    t = row.inputs[0]
    target = _ints(args[0] if len(args) == 1 and isinstance(args[0], list) else args)
    if target is None or len(target) < t.rank:
        return None
    lead = len(target) - t.rank
    bad = _not_repeatable(t.shape, target)
    if not bad:
        return None
    d, have, want = bad[0]
    labels = _made_by(ctx, t, have)
    grows = "grow" if want > have else "change"
    why = [
        f"{ref(row)} expands {shape(t.shape)} to {target}: dim {d} holds {have}, and expand only repeats a dim of "
        f"size 1; it cannot {grows} {have} to {want}",
    ]
    fixes = [Fix(description=_expand_reading(d, lead, have, want), safety=DISPLAY_ONLY, location=row.called_at)]
    note = (
        f"The expanded size of the tensor ({want}) must match the existing size ({have}) at non-singleton dimension "
        f"{d}.  Target sizes: {target}.  Tensor sizes: {list(t.shape)}"
    )
    message = f"{ref(row)} cannot expand dim {d} from {have} to {want}"
    return _finding(ctx, row, message, why, labels, note, fixes)


def _not_repeatable(sizes: tuple[int, ...], target: list[int]) -> list[tuple[int, int, int]]:
    """(dim of the target, the size there, the size asked) for each dim `expand` cannot make:
    one that is not 1 asked for another size (not -1)."""
    lead = len(target) - len(sizes)
    return [
        (d, sizes[d - lead], size)
        for d, size in enumerate(target)
        if d >= lead and size != -1 and sizes[d - lead] != 1 and sizes[d - lead] != size
    ]


def _expand_reading(d: int, lead: int, have: int, want: int) -> str:
    """What a dim that cannot expand likely means: a table longer than what arrives, or shorter."""
    if have > want:
        return (
            f"if the tensor is a table longer than what arrives (positions, a mask built for a maximum length), "
            f"take its first {want} in dim {d - lead} before expanding"
        )
    return (
        f"what arrives has {want} in dim {d} where the tensor holds {have}: build the tensor for {want} (a "
        f"table for a longer sequence), or give it at most {have}"
    )


# Each op's reading of its sizes, by the op's name.
_READERS = {"unflatten": _unflatten, "split": _split, "split_with_sizes": _split, "expand": _expand}
