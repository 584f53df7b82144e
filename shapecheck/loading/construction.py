"""A model whose constructor raised: what was built wrong, read from the frames of the layer
that refused its sizes (not from the message), and the user's lines that built it. A layer's
own size check (attention heads that do not divide embed_dim, groups that do not divide the
channels) and a shape error in the user's `__init__` are model bugs, reported as findings on a
trace with no rows (`Trace.construction`); anything else stays a load error."""

from __future__ import annotations

import math

from ..errors import LoadError
from ..trace.records import Construction, TraceError


class ConstructionFailed(LoadError):
    """Building the model raised at the user's line: `error` is what it raised (the user's
    frames included), `construction` what was being built. Printed as a LoadError where no one
    diagnoses it."""

    def __init__(
        self, message: str, hint: str | None, detail: str | None, error: TraceError, construction: Construction
    ):
        super().__init__(message, hint=hint, detail=detail)
        self.error = error
        self.construction = construction


def failed(exc: BaseException, label: str, detail: str | None) -> ConstructionFailed | None:
    """The failure as a model bug, or None when it is not one shapecheck can read (no frame of
    the user's on the way, or an exception that is not a size check or a shape error)."""
    from ..trace.sources import user_traceback

    frames = tuple(user_traceback(exc.__traceback__))
    layer = _refusing_layer(exc)
    if not frames or (layer is None and not _shape_error(exc)):
        return None
    said = construction_error(exc)
    message = said[0] if said else f"constructing {label} raised {type(exc).__name__}: {exc}"
    kind, arguments = layer if layer is not None else ("", ())
    error = TraceError(type=type(exc).__name__, message=str(exc), layer=None, user_frames=list(frames))
    built = Construction(kind, arguments, call=frames[-1], frames=frames, name=_qualified_name(frames))
    return ConstructionFailed(message, said[1] if said else None, detail, error, built)


def _qualified_name(frames) -> str:
    """`b3.norm` from the frames `self.b3 = Block(96, 100)` → `self.norm = nn.GroupNorm(32, cout)`:
    the attribute each frame's line assigns on `self`, outermost first."""
    import re

    names = []
    for frame in frames:
        assigned = re.match(r"\s*self\.([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)", frame.source or "")
        if assigned:
            names.append(assigned.group(1))
    return ".".join(names)


def _shape_error(exc: BaseException) -> bool:
    """What an op raises for sizes that do not fit: a RuntimeError from the op called on the user's
    own line (the innermost frame is theirs, and it is not their own `raise`). Not a recursion
    without end, an op the build cannot run, nor one raised in library Python (`.cuda()` on a
    machine without a GPU)."""
    if not isinstance(exc, RuntimeError) or isinstance(exc, (RecursionError, NotImplementedError)):
        return False
    from ..trace.sources import user_traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    innermost = user_traceback(tb)
    return bool(innermost) and not innermost[-1].source.lstrip().startswith(("raise", "assert"))


def _refusing_layer(exc: BaseException) -> tuple[str, tuple[tuple[str, int], ...]] | None:
    """(the layer's type, its size arguments) when a layer's own __init__ refused them."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        found = _sizes_refused(tb.tb_frame.f_locals) or found
        tb = tb.tb_next
    return found


def _sizes_refused(local: dict) -> tuple[str, tuple[tuple[str, int], ...]] | None:
    from torch import nn

    layer = local.get("self")
    if _attention_sizes_in(local) is not None:
        return type(layer).__name__, (("embed_dim", local["embed_dim"]), ("num_heads", local["num_heads"]))
    grouping = _bad_grouping(local)
    if grouping is None:
        return None
    if isinstance(layer, nn.GroupNorm):
        return type(layer).__name__, (("num_groups", local["num_groups"]), ("num_channels", local["num_channels"]))
    names = ("in_channels", "out_channels", "groups")
    return type(layer).__name__, tuple((n, local[n]) for n in names)


def _attention_sizes_in(local: dict) -> tuple[int, int] | None:
    from torch import nn

    if (
        isinstance(local.get("self"), nn.MultiheadAttention)
        and isinstance(local.get("embed_dim"), int)
        and isinstance(local.get("num_heads"), int)
        and local["num_heads"] > 0
    ) and local["embed_dim"] % local["num_heads"]:
        return local["embed_dim"], local["num_heads"]
    return None


def _attention_sizes(exc: BaseException) -> tuple[int, int] | None:
    """(embed_dim, num_heads) when the failure is nn.MultiheadAttention's own size check: read from
    its frame's arguments, not from the message."""
    tb = exc.__traceback__
    while tb is not None:
        sizes = _attention_sizes_in(tb.tb_frame.f_locals)
        if sizes is not None:
            return sizes
        tb = tb.tb_next
    return None


def _heads_error(exc: BaseException) -> str | None:
    sizes = _attention_sizes(exc)
    if sizes is None:
        return None
    embed, heads = sizes
    return (
        f"nn.MultiheadAttention(embed_dim={embed}, num_heads={heads}): {embed} does not split into {heads} "
        f"heads ({embed} = {heads}·{embed // heads} + {embed % heads}) [SC117]"
    )


def _heads_hint(exc: BaseException) -> str:
    sizes = _attention_sizes(exc)
    if sizes is None:
        return ""
    embed, heads = sizes
    divisors = [d for d in range(1, embed + 1) if embed % d == 0 and d <= 64]
    near = sorted({embed - embed % heads, embed - embed % heads + heads} - {0})
    return (
        f"num_heads among the divisors of {embed} ({', '.join(map(str, divisors[-8:]))}), "
        f"or embed_dim {' or '.join(map(str, near))}"
    )


def construction_error(exc: BaseException) -> tuple[str, str | None] | None:
    """(what was built wrong, the sizes that work) for an exception raised while a layer was
    built: attention heads that do not divide embed_dim, groups that do not divide channels. Read
    from the layer's frames, not the message; None for anything else."""
    heads = _heads_error(exc)
    if heads is not None:
        return heads, _heads_hint(exc)
    return _groups_error(exc)


def _groups_error(exc: BaseException) -> tuple[str, str] | None:
    """A GroupNorm or grouped conv whose groups do not divide its channels, read from the
    layer's own frame (not the message): what was built, at which line of the user's code, and
    the group counts that work."""
    from ..trace.sources import user_traceback

    found: tuple[str, str, int, int, int, str] | None = None
    tb = exc.__traceback__
    while tb is not None:
        found = _bad_grouping(tb.tb_frame.f_locals) or found
        tb = tb.tb_next
    if found is None:
        return None
    kind, built, g, divides, channels, arg = found
    frames = user_traceback(exc.__traceback__)
    line = frames[-1] if frames else None
    where = f"`{line.source.strip()}` ({line.file}:{line.line}) builds " if line is not None and line.source else ""
    message = f"{where}{kind}({built}): {channels} channels do not split into {g} groups"
    return message, _groups_hint(g, divides, channels, arg)


def _groups_hint(g: int, divides: int, channels: int, arg: str) -> str:
    """The nearest group counts below and above `g` that divide, or the channels that split."""
    below = max(d for d in range(1, min(g, divides) + 1) if divides % d == 0)
    above = next((d for d in range(g + 1, divides + 1) if divides % d == 0), None)
    options = [f"{arg}={below}"] + ([f"{arg}={above}"] if above else [])
    return (
        f"use {' or '.join(options)} (groups must divide "
        + ("the channels" if arg == "num_groups" else "in_channels and out_channels")
        + f"), or {channels // g * g + g if channels > g else g} channels"
    )


def _bad_grouping(local: dict) -> tuple[str, str, int, int, int, str] | None:
    """In a GroupNorm's or a conv's __init__ frame, groups that do not divide the channels: the
    layer's type, its arguments as built, the groups, what they must divide, the channels that
    do not split, and the argument to change. None in any other frame."""
    from torch import nn

    layer = local.get("self")
    if isinstance(layer, nn.GroupNorm):
        return _bad_norm_groups(type(layer).__name__, _ints(local, "num_groups", "num_channels"))
    if isinstance(layer, nn.modules.conv._ConvNd):
        return _bad_conv_groups(type(layer).__name__, _ints(local, "groups", "in_channels", "out_channels"))
    return None


def _bad_norm_groups(kind: str, sizes: tuple[int, ...] | None) -> tuple[str, str, int, int, int, str] | None:
    """A GroupNorm's (num_groups, num_channels) when the groups do not divide the channels."""
    if sizes is None or sizes[0] <= 0 or not sizes[1] % sizes[0]:
        return None
    g, c = sizes
    return kind, f"num_groups={g}, num_channels={c}", g, c, c, "num_groups"


def _bad_conv_groups(kind: str, sizes: tuple[int, ...] | None) -> tuple[str, str, int, int, int, str] | None:
    """A conv's (groups, in_channels, out_channels) when the groups do not divide both."""
    if sizes is None or sizes[0] <= 0:
        return None
    g, cin, cout = sizes
    if not (cin % g or cout % g):
        return None
    built = f"in_channels={cin}, out_channels={cout}, groups={g}"
    return kind, built, g, math.gcd(cin, cout), (cin if cin % g else cout), "groups"


def _ints(local: dict, *names: str) -> tuple[int, ...] | None:
    """The frame's values of `names`, when each is an int."""
    values = tuple(local.get(name) for name in names)
    return values if all(isinstance(v, int) for v in values) else None  # type: ignore[return-value]
