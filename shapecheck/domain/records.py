"""The accepted input domain as plain data: which sizes of each input dim a model runs with.

Nothing here imports torch: renderers and rules read these, and tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The largest input size any search tries (or 4 × the traced size, where that is larger): the
# accepted-input scan, the symbolic formulas and the probe searches of diagnose all stop there,
# so "no upper limit" means the same in each.
SIZE_LIMIT = 1024


def size_limit(traced: int) -> int:
    return max(SIZE_LIMIT, 4 * traced)


SYMBOLIC = "symbolic"  # from the guards of a symbolic trace, boundaries confirmed by probes
PROBING = "probing"  # from concrete meta traces at chosen sizes only


@dataclass
class Constraint:
    """One condition a layer puts on the input: `512·(H//32)·(W//32) = 25088`."""

    text: str
    dims: tuple[str, ...]  # the input dims it involves
    layer: str | None = None  # `classifier.0 (Linear)`
    row: int | None = None  # the trace row that imposes it
    kind: str = "other"  # exact | minimum | multiple | fixed | other

    def to_dict(self) -> dict:
        return {"text": self.text, "dims": list(self.dims), "layer": self.layer, "row": self.row, "kind": self.kind}


@dataclass
class DimDomain:
    """The sizes one input dim accepts, the other dims held at `AcceptedInputs.base`.

    `values` lists them when there are only a few (`exact`), `multiple`/`offset` when they step
    (`size % multiple == offset`), `max` None when no upper limit was found up to `searched`.
    """

    name: str  # B, C, H, W, T, L, D1…
    index: int  # position in the input shape; the batch dim is 0 when there is one
    given: int
    min: int | None = None
    max: int | None = None
    multiple: int = 1
    offset: int = 0
    values: tuple[int, ...] | None = None  # only these sizes (exact-only constraints)
    searched: int | None = None  # the largest size considered
    imposed_by: str | None = None  # the layer behind the tightest bound (shown in the table)
    min_by: str | None = None  # the layer that sets the minimum
    max_by: str | None = None  # the layer that sets the maximum (or the exact size)
    settled: bool = True  # False: the budget ran out before this dim was worked out
    note: str | None = None

    @property
    def accepts_nothing(self) -> bool:
        return self.settled and self.min is None and not self.values

    def accepts(self, size: int) -> bool | None:
        """Whether `size` is in the domain; None when it was not worked out."""
        if not self.settled:
            return None
        if self.values is not None:
            return size in self.values
        if self.min is None or size < self.min or (self.max is not None and size > self.max):
            return False
        return size % self.multiple == self.offset % self.multiple

    def nearest(self, size: int, count: int = 2) -> list[int]:
        """The accepted sizes closest to `size` (one below and one above when both exist)."""
        if not self.settled or self.accepts_nothing:
            return []
        if self.values is not None:
            return sorted(sorted(self.values, key=lambda v: (abs(v - size), v))[:count])
        return self._nearest_in_range(size, count)

    def _nearest_in_range(self, size: int, count: int) -> list[int]:
        """`nearest` for a range of multiples: the one below `size`, then those above it."""
        step, first = self.multiple, self.min or 1
        below = size - 1 if self.max is None else min(size - 1, self.max)
        below -= (below - self.offset) % step  # the nearest accepted size under `size`
        found = [below] if below >= first and self.accepts(below) else []
        above = size + 1 + (self.offset - size - 1) % step
        above = max(above, first + (self.offset - first) % step)
        while len(found) < count and (self.max is None or above <= self.max):
            found.append(above)
            above += step
        return sorted(found)

    def text(self) -> str:
        """`H ≥ 32`, `C = 3`, `H from 224 to 255`, `H a multiple of 16 (≥ 16)`, `any B`."""
        n = self.name
        if not self.settled:
            return f"{n} not worked out"
        if self.accepts_nothing:
            return f"no {n} works"
        if self.values is not None:
            return self._values_text()
        if self.min == self.max:
            return f"{n} = {self.min}"
        return self._range_text()

    def _values_text(self) -> str:
        """`C = 3`, `B ∈ {2, 3, 8}`: only these sizes."""
        values = self.values or ()
        if len(values) == 1:
            return f"{self.name} = {values[0]}"
        return f"{self.name} ∈ {{{', '.join(str(v) for v in values)}}}"

    def _range_text(self) -> str:
        """`H ≥ 32`, `H a multiple of 16 (from 16 to 512)`, `any B`: a step, bounds, or neither."""
        n = self.name
        parts = [text for text in (self._step_text(), self._bounds_text()) if text]
        if not parts:
            return "any batch" if n == "B" else f"any {n}"
        parts[0] = f"{n} {parts[0]}"
        return f"{parts[0]} ({parts[1]})" if len(parts) == 2 else parts[0]

    def _step_text(self) -> str | None:
        """`a multiple of 16`, `≡ 1 mod 4`: the sizes step by more than 1."""
        if self.multiple <= 1:
            return None
        return f"a multiple of {self.multiple}" if self.offset == 0 else f"≡ {self.offset} mod {self.multiple}"

    def _bounds_text(self) -> str | None:
        """`from 224 to 255`, `≥ 32`: no lower bound said when it is 1, or the step already says it."""
        if self.max is not None:
            return f"from {self.min} to {self.max}"
        if (self.min or 1) > 1 and not (self.multiple > 1 and self.min == self.multiple):
            return f"≥ {self.min}"
        return None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "index": self.index,
            "given": self.given,
            "min": self.min,
            "max": self.max,
            "multiple": self.multiple,
            "offset": self.offset,
            "values": list(self.values) if self.values is not None else None,
            "searched": self.searched,
            "imposed_by": self.imposed_by,
            "min_by": self.min_by,
            "max_by": self.max_by,
            "settled": self.settled,
            "note": self.note,
        }


@dataclass
class AcceptedInputs:
    """Which sizes input 0 accepts: one `DimDomain` per dim (batch first), and the constraints."""

    dims: list[DimDomain]
    constraints: list[Constraint] = field(default_factory=list)
    method: str = SYMBOLIC
    base: tuple[int, ...] = ()  # the full input shape the per-dim ranges hold the other dims at
    given_ok: bool = True  # whether the input as given runs
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    symbolic_trace: object = field(default=None, repr=False)  # the symbolic run's Trace, for display

    def dim(self, name: str) -> DimDomain | None:
        return next((d for d in self.dims if d.name == name), None)

    @property
    def complete(self) -> bool:
        return all(d.settled for d in self.dims)

    def sentence(self) -> str:
        """`accepts C = 3, H ≥ 32, W ≥ 32, any batch`."""
        batch = [d for d in self.dims if d.name == "B"]
        rest = [d for d in self.dims if d.name != "B"]
        parts = [d.text() for d in rest + batch]
        if not any(d.settled for d in self.dims):
            return "not worked out"
        if any(d.accepts_nothing for d in self.dims):
            return "accepts no size near the given input: " + ", ".join(parts)
        return "accepts " + ", ".join(parts)

    def to_dict(self) -> dict:
        return {
            "sentence": self.sentence(),
            "method": self.method,
            "base": list(self.base),
            "given_ok": self.given_ok,
            "complete": self.complete,
            "seconds": round(self.seconds, 4),
            "dims": [d.to_dict() for d in self.dims],
            "constraints": [c.to_dict() for c in self.constraints],
            "notes": list(self.notes),
        }


def dim_names(rank: int, batched: bool) -> list[str]:
    """Names for the dims of an input of this rank: B, then C, H, W / C, T, H, W / C, L / L."""
    per_sample = rank - (1 if batched else 0)
    names = {1: ["L"], 2: ["C", "L"], 3: ["C", "H", "W"], 4: ["C", "T", "H", "W"]}.get(
        per_sample, [f"D{i + 1}" for i in range(per_sample)]
    )
    return (["B"] if batched else []) + names
