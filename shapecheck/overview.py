"""`shapecheck.summary(...)`: torchinfo's `summary` call, answered by a meta trace.

Accepts torchinfo's main arguments, so swapping `from torchinfo import summary` for
`from shapecheck import summary` keeps a user's code working; the returned object prints the
table and exposes `total_params`, `trainable_params`, `total_mult_adds` and `summary_list`.
Unlike torchinfo it allocates no weights and runs no arithmetic, counts shared parameters once,
includes the work of matmul and attention in Mult-Adds, and carries shapecheck's findings.
"""

from __future__ import annotations

from .render.common import column_names
from .report import Report
from .spec import InputSpec

_TORCHINFO_DEFAULT = ("output_size", "num_params")


class ModelSummary:
    def __init__(self, report: Report, depth: int | None, columns: list[str]):
        from .trace.costs import total_macs

        self.report = report
        self.depth = depth
        self.columns = columns
        self.summary_list = report.layers
        self.total_params = report.trace.total_params
        self.trainable_params = report.trace.trainable_params
        self.total_mult_adds = total_macs(report.trace)
        self.findings = report.findings

    def __str__(self) -> str:
        import io

        from .render.text import render

        out = io.StringIO()
        render(self.report, out, depth=self.depth, color="never", columns=self.columns)
        return out.getvalue()

    __repr__ = __str__


def summary(
    model,
    input_size=None,
    input_data=None,
    *,
    depth: int = 3,
    col_names=None,
    dtypes=None,
    device=None,
    verbose: int = 1,
    mode: str | None = None,
    **options,
) -> ModelSummary:
    """The table of `model` for `input_size` (with the batch dim, as torchinfo takes it: a tuple
    or a list of tuples, one per input) or `input_data` (tensors, a list, or a dict of keyword
    inputs). `col_names` in torchinfo's names; `dtypes` one per input; `mode="train"` traces in
    training mode. `device` is accepted and ignored: the trace runs on meta. `verbose=0` returns
    without printing."""
    from .api import check
    from .errors import SpecError
    from .spec import DTYPES, from_tensors

    del device  # meta: no device needed
    if (input_size is None) == (input_data is None):
        raise SpecError("summary() takes input_size or input_data")
    if input_size is not None:
        sizes = [input_size] if input_size and isinstance(input_size[0], int) else list(input_size)
        names = [str(d).replace("torch.", "") for d in (dtypes or [])]
        names += ["float32"] * (len(sizes) - len(names))
        for name in names:
            if name not in DTYPES.values():
                raise SpecError(f"dtype {name} has no --input name")
        batches = {next(iter(s)) for s in sizes}
        batched = len(batches) == 1 and all(len(s) > 1 for s in sizes)
        specs: list = [InputSpec(tuple(s)[1:] if batched else tuple(s), d) for s, d in zip(sizes, names, strict=True)]
        batch = next(iter(batches)) if batched else None
    else:
        args: tuple
        if isinstance(input_data, dict):
            args, kwargs = (), dict(input_data)
        elif isinstance(input_data, (list, tuple)):
            args, kwargs = tuple(input_data), {}
        else:
            args, kwargs = (input_data,), {}
        found, batch, why = from_tensors(args, kwargs)
        if found is None:
            raise SpecError(f"input_data: {why}")
        specs = found
    columns = column_names(col_names or _TORCHINFO_DEFAULT)
    report = check(model, specs, batch=batch or 1, no_batch=batch is None, train=mode == "train", **options)
    result = ModelSummary(report, depth, columns)
    if verbose:
        print(result)
    return result
