"""Work out which input sizes a model accepts, within a counted budget of probes.

With symbolic shapes: one symbolic trace gives guards over the input dims; each dim's accepted
sizes are read off by evaluating the guards at every size up to a limit (microseconds each),
and every boundary is then confirmed with a concrete meta trace, because a guard can also be a
path choice (a kernel that branches on a size) rather than a limit. Without them, or when the
symbolic trace is slow or fails: concrete meta traces at chosen sizes only (a search for the
step, a binary search for the minimum, doubling for the maximum).

The probes are counted (`max_probes`), never timed, so the ranges are the same on every machine.
Time is only a safety cap, in CPU seconds: the symbolic trace stops there (or when at its pace
it would need twice the cap), and so do the probes, and the notes say so.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections.abc import Callable

from ..trace.budget import DEFAULT_SYMBOLIC_S, MAX_PROBES, SafetyCap, cap_seconds
from ..trace.records import LayerRecord
from .formulas import summarize
from .records import PROBING, SYMBOLIC, AcceptedInputs, Constraint, DimDomain, dim_names, size_limit

SYMBOLIC_SHARE = 0.6  # of the safety cap, for the symbolic trace: the rest is left to the probes

Probe = Callable[[tuple[int, ...]], bool]  # full input shape → runs without error


class _OutOfTime(Exception):
    """The probes are spent (their count), or the safety cap is reached."""


def layer_label(row: LayerRecord | None) -> str | None:
    if row is None:
        return None
    if row.kind == "op":
        where = f" at line {row.called_at.line}" if row.called_at else ""
        return f"{row.type}{where}"
    return row.name if row.name == row.type else f"{row.name} ({row.type})"


def analyze(
    model,
    specs,
    *,
    batch: int | None,
    probe: Probe,
    given_ok: bool,
    given_failing: str | None = None,
    budget_s: float = DEFAULT_SYMBOLIC_S,
    symbolic: bool = True,
    train: bool = False,
    as_list: bool = False,
    label: str | None = None,
    def_sites=None,
    expected_rows: int | None = None,
    max_probes: int = MAX_PROBES,
    cap: SafetyCap | None = None,
) -> AcceptedInputs:
    """The accepted sizes of input 0, each dim with the others held at a working size.

    `probe` runs a concrete (meta) trace at a full input shape; `given_failing` names the row
    where the given input fails, so a symbolic failure can be told from the model's own;
    `expected_rows` (the concrete trace's row count) lets a hopelessly slow symbolic trace
    stop early. At most `max_probes` probes; `cap` (default: 10× `budget_s` CPU seconds) is
    the safety cap of the whole analysis, the symbolic trace included.
    """
    started = time.perf_counter()
    if cap is None:
        cap = SafetyCap(cap_seconds(budget_s), "the accepted-input analysis (--symbolic)")
    given = ((batch,) if batch is not None else ()) + tuple(specs[0].dims)
    names = dim_names(len(given), batch is not None)
    notes: list[str] = []
    runs = _Probes(probe, max_probes, cap, given, given_ok)
    run = shown = None  # shown: the first symbolic run's trace, whose rows carry expressions
    base = given if given_ok else None
    if as_list:
        notes.append("this model takes a list of images: only their sizes were probed")
    elif symbolic:
        run, base, shown = _symbolic_run(
            model,
            specs,
            batch,
            given,
            given_ok,
            given_failing,
            runs,
            cap,
            notes,
            expected_rows,
            train=train,
            label=label,
            def_sites=def_sites,
        )
    if base is None:
        base = _probed_base(given, names, runs)
    dims, constraints, spent = _domains(given, names, base, run, runs, notes)
    return AcceptedInputs(
        dims,
        constraints=_dedupe(constraints),
        method=SYMBOLIC if run is not None else PROBING,
        base=base or given,
        given_ok=given_ok,
        seconds=time.perf_counter() - started,
        notes=_with_stop(notes, cap, spent, max_probes),
        symbolic_trace=shown,
    )


def _domains(given, names, base, run, runs: _Probes, notes: list[str]):
    """(each dim's accepted sizes, the constraints found, whether the analysis stopped short),
    the other dims held at `base`; every dim unsettled when no base runs."""
    constraints: list[Constraint] = []
    if base is None:
        notes.append("no input size near the given one runs, so the accepted sizes could not be worked out")
        return [DimDomain(n, i, given[i], settled=False) for i, n in enumerate(names)], constraints, runs.spent
    if base != given:
        notes.append(
            f"the given input {_shape(given)} does not run; the ranges hold the other dims at "
            f"{_shape(base)}, which does"
        )
    dims = [_domain(DimDomain(name, i, given[i]), run, base, runs, constraints, notes) for i, name in enumerate(names)]
    return dims, constraints, runs.spent or any(not d.settled for d in dims)


def _probed_base(given, names, runs) -> tuple[int, ...] | None:
    """A size near the given one that runs, found by probes; None when none does (or the probes run out)."""
    try:
        return _find_base(given, names, runs)
    except _OutOfTime:
        return None


class _Probes:
    """`runs(shape)`: whether the model runs at a full input shape, by a concrete probe, cached;
    _OutOfTime past `max_probes` probes (`spent`: deterministic, unlike the cap) or at the cap."""

    def __init__(self, probe: Probe, max_probes: int, cap: SafetyCap, given: tuple[int, ...], given_ok: bool):
        self.probe, self.max_probes, self.cap = probe, max_probes, cap
        self.cache: dict[tuple[int, ...], bool] = {given: given_ok}
        self.spent = False

    def __call__(self, shape: tuple[int, ...]) -> bool:
        if shape not in self.cache:
            if len(self.cache) - 1 >= self.max_probes:  # the given shape is in the cache without a probe
                self.spent = True
                raise _OutOfTime()
            if self.cap.over():
                raise _OutOfTime()
            self.cache[shape] = self.probe(shape)
        return self.cache[shape]


def _domain(dim: DimDomain, run, base, runs: _Probes, constraints: list[Constraint], notes: list[str]) -> DimDomain:
    """One dim's accepted sizes, the others held at `base`: the batch, a dim the symbolic trace
    followed (from its guards), or any other (by probes); unsettled when the probes run out."""
    name = dim.name
    try:
        if name == "B" and run is not None and "B" in run.symbols:
            _batch_from_guards(dim, run, base, runs, constraints)
        elif name == "B":
            _batch(dim, base, runs)
        elif run is not None and (name in run.symbols or name in run.fixed):
            _from_guards(dim, run, base, runs, constraints, notes)
        else:
            _by_probes(dim, base, runs)
    except _OutOfTime:
        dim.settled = False
        what = "the safety cap was reached" if runs.cap.reached else "the probe budget ran out"
        dim.note = f"{what} before {name} was worked out"
    return dim


def _with_stop(notes: list[str], cap: SafetyCap, spent: bool, max_probes: int) -> list[str]:
    """The notes, and why the analysis stopped short: the safety cap (said whenever it was
    reached), else the count of probes."""
    if cap.reached:
        return [*notes, cap.note]
    if spent:
        traces = f"{max_probes} trace" + ("" if max_probes == 1 else "s")
        return [*notes, f"the probe budget ({traces}) ran out: raise it with max_probes"]
    return notes


def _shape(dims) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"


def _dedupe(constraints: list[Constraint]) -> list[Constraint]:
    seen, out = set(), []
    for c in constraints:
        if (c.text, c.row) not in seen:
            seen.add((c.text, c.row))
            out.append(c)
    return out


def _with(shape: tuple[int, ...], i: int, size: int) -> tuple[int, ...]:
    return shape[:i] + (size,) + shape[i + 1 :]


# -- symbolic --------------------------------------------------------------------------------


def _symbolic_run(model, specs, batch, given, given_ok, given_failing, runs, cap, notes, expected_rows, **common):
    """(the symbolic run to read guards from or None, the base shape or None, the trace to show).
    The symbolic trace runs to its end, or to its share of the safety cap (CPU seconds)."""
    limit = None if cap.seconds is None else cap.seconds * SYMBOLIC_SHARE
    deadline = None if limit is None else cap.started + limit
    run = _traced_symbolically(model, specs, batch, deadline, expected_rows, notes, common)
    if run is None:
        return None, None, None
    shown = run.trace
    if run.budget_spent:
        notes.append(_stopped_note(run, limit))
        return None, None, shown
    if run.trace.error is None:  # it ran at the hints: the given sizes, with a batch of at least 2
        return run, given if given_ok else run.hints, shown
    failing = run.trace.failing
    if given_ok or failing is None or failing.name != given_failing:
        notes.append(_failed_note(run))
        return None, None, shown
    # The model fails at the given size: find a size it runs at, then trace symbolically there.
    again, shape = _symbolic_where_it_runs(model, specs, batch, given, run, runs, deadline, common)
    return again, shape, shown


def _traced_symbolically(model, specs, batch, deadline, expected_rows, notes: list[str], common: dict):
    """The symbolic run, or None (and a note why) when symbolic shapes are unavailable or the
    trace breaks inside torch."""
    from . import symbolic

    try:
        return symbolic.run(model, specs, batch=batch, deadline=deadline, expected_rows=expected_rows, **common)
    except symbolic.Unavailable as exc:
        notes.append(f"symbolic shapes are unavailable ({exc}); sizes come from probing")
    except Exception as exc:
        notes.append(
            f"the symbolic trace broke inside torch {_torch_version()} ({type(exc).__name__}: "
            f"{str(exc)[:100]}); sizes come from probing"
        )
    return None


def _stopped_note(run, limit) -> str:
    if run.projected is not None:
        return (
            f"the symbolic trace was stopped early: at its pace it would have needed over twice its safety cap "
            f"of {limit:g} s of CPU time; sizes come from probing"
        )
    return (
        f"the symbolic trace was stopped at its safety cap of {limit:g} s of CPU time "
        f"({SYMBOLIC_SHARE:.0%} of the analysis' cap); sizes come from probing"
    )


def _failed_note(run) -> str:
    """The symbolic trace failed where the concrete one runs (or elsewhere than it fails)."""
    error, failing = run.trace.error, run.trace.failing
    first = error.message.strip().splitlines()[0] if error.message.strip() else error.type
    first = re.sub(r"^\S+\.(?:cpp|h):\d+: ", "", first)[:120]  # a C++ source path says nothing here
    where = f" at {layer_label(failing)}" if failing is not None else ""
    return f"the symbolic trace failed{where} where the model runs ({error.type}: {first}); sizes come from probing"


def _symbolic_where_it_runs(model, specs, batch, given, run, runs, deadline, common: dict):
    """(the symbolic run at a size the model runs at or None, that size or None)."""
    from . import symbolic

    shape = _running_shape(run, given, runs)
    if shape is None:
        return None, None
    from ..spec import InputSpec

    moved = [InputSpec(tuple(shape[1:] if batch is not None else shape), specs[0].dtype, specs[0].name), *specs[1:]]
    try:
        again = symbolic.run(model, moved, batch=shape[0] if batch is not None else None, deadline=deadline, **common)
    except Exception:
        return None, shape
    if again.budget_spent or again.trace.error is not None:
        return None, shape
    return again, shape


def _running_shape(run, given: tuple[int, ...], runs) -> tuple[int, ...] | None:
    """A size the model runs at: where the failing layer would accept its inputs, else near the
    given one; None when none does (or the probes run out)."""
    try:
        shape = next((c for c in _candidates_from_failure(run, given) if runs(c)), None)
        return shape if shape is not None else _find_base(given, run.names, runs)
    except _OutOfTime:
        return None


def _torch_version() -> str:
    import torch

    return torch.__version__


def _spatial(names: list[str]) -> list[int]:
    return [i for i, n in enumerate(names) if n not in ("B", "C")]


def _candidates_from_failure(run, given: tuple[int, ...], count: int = 4) -> list[tuple[int, ...]]:
    """Sizes where the failing layer would accept its inputs, read from their expressions."""
    from .expressions import compile_expr

    failing = run.trace.failing
    spatial = [i for i in _spatial(run.names) if run.names[i] in run.symbols]
    if failing is None or not run.failing_inputs or not spatial or len({given[i] for i in spatial}) != 1:
        return []
    accept = _acceptor(failing, run.failing_inputs)
    if accept is None:
        return []
    compiled = [tuple(compile_expr(e) for e in shape) for shape in run.failing_inputs]
    return _accepted_near(run, given, spatial, compiled, accept, count)


def _accepted_near(run, given: tuple[int, ...], spatial: list[int], compiled, accept, count: int):
    """Up to `count` inputs, nearest the given size first, whose spatial dims (all one size) give
    the failing layer inputs it accepts, by the compiled expressions of those inputs."""
    env = {run.symbols[n]: given[i] for i, n in enumerate(run.names) if n in run.symbols}
    start = given[spatial[0]]
    found: list[tuple[int, ...]] = []
    for s in sorted(range(1, size_limit(start) + 1), key=lambda v: (abs(v - start), v)):
        env.update({run.symbols[run.names[i]]: s for i in spatial})
        shapes = _evaluated(compiled, env)
        if shapes is not None and accept(shapes):
            found.append(tuple(s if i in spatial else d for i, d in enumerate(given)))
            if len(found) >= count:
                break
    return found


def _evaluated(compiled: list[tuple], env: dict) -> list[tuple[int, ...]] | None:
    """The shapes the compiled expressions give in `env`; None where one is undefined there."""
    try:
        return [tuple(int(f(env)) for f in shape) for shape in compiled]
    except (ZeroDivisionError, TypeError, ValueError):
        return None


def _acceptor(row: LayerRecord, inputs: list[tuple]):
    """A test of the failing layer's input shapes, for the layers whose rule is plain arithmetic."""
    if row.kind == "module" and row.type == "Linear" and "in_features" in row.attrs:
        return _last_dim_is(row.attrs["in_features"])
    if row.type in ("F.linear", "torch._C._nn.linear") and len(row.inputs) > 1:
        return _last_dim_is(row.inputs[1].shape[-1])
    category = row.attrs.get("category")
    if category == "join":
        return _joinable(row.dim_argument(), "stack" in row.type)
    return _broadcastable if category == "elementwise" else None


def _last_dim_is(need: int):
    """A linear layer's test: the first input's last dim is its in_features."""
    return lambda shapes: bool(shapes) and shapes[0][-1] == need


def _joinable(dim: int, stack: bool):
    """A cat's test (a stack's): one rank, and the same sizes but along `dim` (everywhere)."""

    def same(shapes) -> bool:
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            return False
        d = dim % next(iter(ranks))
        cut = [s if stack else s[:d] + s[d + 1 :] for s in shapes]
        return all(c == cut[0] for c in cut)

    return same


def _broadcastable(shapes) -> bool:
    """An elementwise op's test: at each dim from the end, one size besides 1 at most."""
    return all(len({d for d in dims if d != 1}) <= 1 for dims in zip(*(reversed(s) for s in shapes), strict=False))


class _Guards:
    """The guards on one input dim, with the other dims held at `base`: which guard a size
    fails, and the constraint a guard states (with the layer that added it)."""

    def __init__(self, run, base, name: str, constraints: list[Constraint]):
        from .expressions import compile_expr

        self.run, self.constraints = run, constraints
        self.sym = run.symbols[name]
        self.names = {sym: n for n, sym in run.symbols.items()}
        known = set(run.symbols.values())
        relevant = [g for g in run.guards if self.sym in g.expr.free_symbols]
        self.unknown = sum(not g.expr.free_symbols <= known for g in relevant)
        self.everything = [(compile_expr(g.expr), g) for g in relevant if g.expr.free_symbols <= known]
        # `x ≠ 1` / `x = 1` guards are kernels branching on a size of 1 (broadcasting,
        # squeezing): nearly always another path, not a limit.
        self.loose = [(c, g) for c, g in self.everything if not _size_one(g.expr)]
        self.checks = self.everything
        self.env = {sym: base[j] for j, n in enumerate(run.names) if (sym := run.symbols.get(n)) is not None}

    def failing(self, size: int):
        """The first guard that `size` breaks, or None."""
        self.env[self.sym] = size
        for check, guard in self.checks:
            try:
                if not check(self.env):
                    return guard
            except (ZeroDivisionError, TypeError, ValueError):
                return guard
        return None

    def text(self, guard) -> str:
        from .expressions import to_text

        return to_text(guard.expr, self.names)

    def constraint(self, guard, kind: str) -> Constraint:
        rows = self.run.trace.layers
        row = rows[guard.row] if guard.row is not None and guard.row < len(rows) else None
        dims = tuple(sorted(self.names[s] for s in guard.expr.free_symbols if s in self.names))
        c = Constraint(self.text(guard), dims, layer_label(row), guard.row, kind)
        self.constraints.append(c)
        return c


def _from_guards(dim: DimDomain, run, base, runs, constraints, notes) -> None:
    """A dim's accepted sizes from the symbolic trace's guards, each boundary checked by a probe:
    a guard whose other side still runs was a path choice, and probes look further."""
    name = dim.name
    if name in run.fixed:
        _pinned(dim, run, base, runs, constraints)
        return
    guards = _Guards(run, base, name, constraints)
    if guards.unknown:
        notes.append(f"{guards.unknown} guard(s) on {name} involve sizes computed from tensor values and were left out")
    hi = size_limit(base[dim.index])
    valid = _valid_sizes(dim, guards, base, runs, hi)
    _apply(dim, summarize(valid, hi))
    dim.searched = hi
    if dim.min is None:
        return
    if dim.min == 2 and runs(_with(base, dim.index, 1)):
        _with_size_one(dim)
    # Each boundary is a guard; crossing it must really fail, or the guard was a path choice
    # (a kernel branching on a size), and probes look further.
    if _multiple_holds(dim, guards, base, runs):
        _check_bounds(dim, guards, base, runs, bool(valid), hi)


def _with_size_one(dim: DimDomain) -> None:
    """Size 1 runs: it is outside what a symbolic trace covers (PyTorch treats it as a constant)."""
    dim.min = 1
    if dim.values is not None:
        dim.values = (1, *dim.values)


def _check_bounds(dim: DimDomain, guards: _Guards, base, runs, any_valid: bool, hi: int) -> None:
    _check_minimum(dim, guards, base, runs)
    if dim.max is not None:
        _check_maximum(dim, guards, base, runs)
    elif any_valid and dim.note is None:
        dim.note = f"no upper limit up to {hi}"
    dim.imposed_by = dim.imposed_by or dim.max_by or dim.min_by


def _valid_sizes(dim: DimDomain, guards: _Guards, base, runs, hi: int) -> list[int]:
    """The sizes from 2 to `hi` every guard accepts. Size-1 guards (a map 1 wide) are set aside
    unless the first size they would exclude really fails; `guards.checks` is left as decided."""
    name = dim.name
    guards.checks = guards.loose
    valid = [s for s in range(2, hi + 1) if guards.failing(s) is None]
    if len(guards.loose) == len(guards.everything):
        return valid
    guards.checks = guards.everything
    strict = [s for s in valid if guards.failing(s) is None]
    other_path = sorted(set(valid) - set(strict))
    if other_path and not runs(_with(base, dim.index, other_path[0])):
        return strict  # a size-1 case that really fails: keep every guard
    guards.checks = guards.loose
    if other_path:
        dim.note = _other_path_note(name, strict, other_path)
    return valid


def _other_path_note(name: str, strict: list[int], other_path: list[int]) -> str:
    """Sizes a size-1 guard excludes that run all the same: where the traced path changes."""
    if strict and other_path[-1] < strict[0]:
        where = f"below {name} = {strict[0]}"
    else:
        where = f"at some sizes from {name} = {other_path[0]}"
    return f"{where} a map is 1 wide and the traced path changes; a probe at {name} = {other_path[0]} runs"


def _multiple_holds(dim: DimDomain, guards: _Guards, base, runs) -> bool:
    """A size between two accepted multiples must fail; when it runs, the sizes come from probes
    instead (False)."""
    step = dim.multiple
    if step <= 1:
        return True
    assert dim.min is not None  # _from_guards returns first
    odd = next(s for s in range(dim.min + 1, dim.min + step) if not dim.accepts(s))
    guard = guards.failing(odd)
    if runs(_with(base, dim.index, odd)):
        _by_probes(dim, base, runs)
        dim.note = f"{dim.name} = {odd} runs although the guards want a multiple of {step}: sizes from probes"
        return False
    if guard is not None:
        dim.imposed_by = guards.constraint(guard, _kind(guard, "multiple")).layer
    return True


def _check_minimum(dim: DimDomain, guards: _Guards, base, runs) -> None:
    """One step below the minimum must fail; when it runs, probes find the real minimum."""
    step, low = dim.multiple, dim.min
    assert low is not None  # _from_guards returns first
    if low - step < 1:
        return
    guard = guards.failing(low - step)
    if runs(_with(base, dim.index, low - step)):
        dim.min = _lowest(base, dim.index, runs, low - step, step)
        dim.values = None
        why = guards.text(guard) if guard is not None else "a size-1 case"
        dim.note = (
            f"below {dim.name} = {low} the traced path changes ({why}) but the model still runs: "
            "the minimum is from probes"
        )
    elif guard is not None:
        dim.min_by = guards.constraint(guard, _kind(guard, "minimum")).layer


def _check_maximum(dim: DimDomain, guards: _Guards, base, runs) -> None:
    """One step above the maximum must fail; when it runs, probes find the real maximum."""
    step, top = dim.multiple, dim.max
    assert top is not None  # the caller checks
    guard = guards.failing(top + step)
    if runs(_with(base, dim.index, top + step)):
        dim.max, dim.searched = _highest(base, dim.index, runs, top + step, step)
        dim.values = None
        dim.note = (
            f"above {dim.name} = {top} the traced path changes but the model still runs: the maximum is from probes"
        )
    elif guard is not None:
        dim.max_by = guards.constraint(guard, _kind(guard, "maximum")).layer


def _pinned(dim: DimDomain, run, base, runs, constraints) -> None:
    """A dim the trace pinned to one size (`conv1` needs C = 3): exact, unless a neighbour runs."""
    i, name, value = dim.index, dim.name, run.fixed[dim.name]
    if any(runs(_with(base, i, v)) for v in (value - 1, value + 1) if v >= 1):
        _by_probes(dim, base, runs)
        dim.note = f"the symbolic trace pinned {name} to {value}, but other sizes run too: sizes from probes"
        return
    dim.min = dim.max = value
    dim.values = (value,)
    sym = run.symbols.get(name)
    pinned = next((g for g in run.guards if sym is not None and g.expr.free_symbols == {sym}), None)
    if pinned is not None:
        dim.imposed_by = dim.min_by = dim.max_by = (
            _Guards(run, base, name, constraints).constraint(pinned, "fixed").layer
        )


def _size_one(expr) -> bool:
    import sympy

    return (
        isinstance(expr, (sympy.Ne, sympy.Eq))
        and any(a == 1 for a in expr.args)
        and not any(isinstance(a, sympy.Symbol) for a in expr.args)
    )


def _kind(guard, boundary: str) -> str:
    import sympy

    from .expressions import is_divisibility

    if is_divisibility(guard.expr):
        return "multiple"
    if isinstance(guard.expr, sympy.Eq):
        return "exact"
    return boundary


def _farthest(base, i, runs, known: int, step: int, count: int) -> int:
    """The largest j ≤ count with known + j·step running (step < 0 walks down), by binary search:
    sizes past a failing one fail too."""
    lo_j, hi_j = 0, count
    while lo_j < hi_j:
        mid = (lo_j + hi_j + 1) // 2
        if runs(_with(base, i, known + mid * step)):
            lo_j = mid
        else:
            hi_j = mid - 1
    return known + lo_j * step


def _lowest(base, i, runs, known: int, step: int) -> int:
    """The smallest size known - j·step that runs."""
    return _farthest(base, i, runs, known, -step, (known - 1) // step)


def _highest(base, i, runs, known: int, step: int) -> tuple[int | None, int]:
    """(the largest size known + j·step that runs, or None up to size_limit(base); the size searched).

    Tries known + step, then doubles the distance (at least to 2·known), then binary-searches
    the last gap.
    """
    good, offset = known, step
    limit = size_limit(base[i])
    while known + offset <= limit:
        size = known + offset
        if not runs(_with(base, i, size)):
            return _farthest(base, i, runs, good, step, (size - good) // step - 1), size
        good = size
        offset = max(2 * offset, known) // step * step if offset == step else 2 * offset
    return None, good


def _apply(dim: DimDomain, found: dict) -> None:
    dim.min = found.get("min")
    dim.max = found.get("max")
    dim.multiple = found.get("multiple", 1)
    dim.offset = found.get("offset", 0)
    dim.values = found.get("values")
    if found.get("note"):
        dim.note = found["note"]


def _batch_from_guards(dim: DimDomain, run, base, runs, constraints) -> None:
    """Batch sizes 2…64 from the guards on B (the symbolic trace ran at a batch of 2 or more),
    and batch 1 from a probe: PyTorch treats a size of 1 as a constant."""
    guards = _Guards(run, base, "B", constraints)
    hi = 64
    valid = ([1] if runs(_with(base, 0, 1)) else []) + [b for b in range(2, hi + 1) if guards.failing(b) is None]
    _apply(dim, summarize(valid, hi))
    dim.searched = hi
    if dim.max is not None:
        guard = guards.failing(dim.max + 1)
        if guard is not None:
            dim.max_by = dim.imposed_by = guards.constraint(guard, "maximum").layer


# -- probing ---------------------------------------------------------------------------------


def _batch(dim: DimDomain, base, runs) -> None:
    """Batch sizes 1, 2, 3 and 8: enough to see `batch ≥ 2` (BatchNorm) or `batch = 1` (a view)."""
    tried = {b: runs(_with(base, 0, b)) for b in (1, 2, 3, 8)}
    ok = [b for b, good in tried.items() if good]
    dim.searched = 8
    if len(ok) == 4:
        dim.min = 1
    elif ok == [2, 3, 8]:
        dim.min = 2
        dim.imposed_by = None
    elif ok:
        dim.values = tuple(ok)
        dim.min, dim.max = ok[0], ok[-1]
        dim.note = "batch sizes tried: 1, 2, 3 and 8"
    else:
        dim.min = None


def _by_probes(dim: DimDomain, base, runs) -> None:
    """Concrete traces only: the step between accepted sizes, then the minimum and maximum."""
    i = dim.index
    b = base[i]
    dim.values = None
    dim.multiple, dim.offset, dim.max = 1, 0, None

    def ok(size: int) -> bool:
        return size >= 1 and runs(_with(base, i, size))

    # channel counts do not come in steps
    steps = (1,) if dim.name == "C" else (1, 2, 4, 8, 16, 32, 64)
    step = next((k for k in steps if ok(b + k) or ok(b - k)), None)
    if step is None:
        _only_given(dim, b)
        return
    dim.multiple, dim.offset = step, b % step
    dim.min = _lowest(base, i, runs, b, step)
    dim.max, dim.searched = _highest(base, i, runs, b, step)
    if dim.max is None:
        dim.note = f"no upper limit up to {dim.searched}"
    if step == 1:
        dim.offset = 0


def _only_given(dim: DimDomain, b: int) -> None:
    """No size near the given one runs, nor one a step from it."""
    dim.min = dim.max = b
    dim.values = (b,)
    dim.searched = b + 1 if dim.name == "C" else b + 64
    if dim.name == "C":
        dim.note = f"{b - 1} and {b + 1} fail"
    else:
        dim.note = f"only {b} runs among {max(b - 64, 1)}…{b + 64} (and the steps tried)"


def _find_base(given, names, runs) -> tuple[int, ...] | None:
    """A size near the given one that runs: the spatial dims rounded to multiples of 32, 16, …"""
    spatial = _spatial(names)
    if not spatial:
        return None
    found = next((shape for shape in _near(given, spatial) if runs(shape)), None)
    if found is None and names[0] == "B" and given[0] == 1 and runs((2, *given[1:])):
        return (2, *given[1:])  # a batch of one is the problem (BatchNorm in training)
    return found


def _near(given: tuple[int, ...], spatial: list[int]):
    """Shapes to try, each once: the spatial dims rounded to multiples of 32, 16, 8, 64 and 2,
    then at common image sizes."""
    rounded = (
        tuple(max(k, int(rounding(g / k)) * k) if i in spatial else g for i, g in enumerate(given))
        for k in (32, 16, 8, 64, 2)
        for rounding in (round, math.floor, math.ceil)
    )
    common = (tuple(size if i in spatial else g for i, g in enumerate(given)) for size in (224, 256, 128, 64, 32))
    yield from dict.fromkeys(itertools.chain(rounded, common))
