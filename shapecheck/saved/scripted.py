"""Trace a TorchScript archive (torch.jit.save).

Compiled code runs inside the TorchScript interpreter, where Python hooks cannot see. What is
visible: the module tree, parameter counts, and every step of an `nn.Sequential` (shapecheck
calls its children one by one). Other modules show their own input and output only.

The archive is loaded onto the meta device and run there on meta inputs, after every
instruction of its compiled code (method calls inlined, nested blocks included) was checked
against the allow-list of `allowed`: no file, print or foreign op runs.
"""

from __future__ import annotations

import time

import torch

from ..errors import LoadError
from ..spec import InputSpec
from ..trace.arguments import module_attrs, tensors_in
from ..trace.engines import make_inputs
from ..trace.records import MODULE, LayerRecord, RowStatus, TensorInfo, Trace, TraceError
from . import allowed


def _message(exc: BaseException) -> str:
    """The last line of a TorchScript interpreter error: PyTorch's own message."""
    text = str(exc)
    # A meta kernel written in Python appends its own stack after "At:".
    text = text.split("\nAt:\n", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def check_ops(module, path: str) -> None:
    """LoadError unless every instruction the module's forward can reach may run shape-only."""
    for submodule in module.modules():
        try:
            graph = submodule.forward.graph.copy()
        except (AttributeError, RuntimeError):  # a submodule never called has no compiled forward
            continue
        torch._C._jit_pass_inline(graph)
        blocks = [graph.block()]
        while blocks:
            for node in blocks.pop().nodes():
                why = allowed.script_refusal(node.kind())
                if why is not None:
                    raise allowed.refuse(path, node.kind().replace("::", "."), why)
                blocks.extend(node.blocks())


def run(module, specs: list[InputSpec], *, batch: int | None, label: str) -> Trace:
    if any(t.device.type != "meta" for t in [*module.parameters(), *module.buffers()]):
        raise LoadError(f"{label}: a TorchScript program is run only on the meta device")
    inputs = make_inputs(specs, batch, device="meta", as_list=False)
    trace = Trace(model=label, inputs=[], engine="meta", batch=batch)
    scripted = _Pass(trace.layers, inputs)
    trace.inputs = scripted.infos(inputs)
    params = list(module.parameters())
    trace.total_params = sum(p.numel() for p in params)
    trace.trainable_params = sum(p.numel() for p in params if p.requires_grad)
    start = time.perf_counter()
    try:
        with torch.no_grad():
            scripted.call(module, "", tuple(inputs))
    except Exception as exc:
        trace.error = scripted.failed(exc)
    trace.seconds = time.perf_counter() - start
    return trace


class _Pass:
    """One run of a TorchScript module: a row per module called, the children of a Sequential
    called one by one (each gets its row); the compiled code of any other module runs whole."""

    def __init__(self, rows: list[LayerRecord], inputs) -> None:
        self.rows = rows
        self.stack: list[int] = []  # the rows running, outermost first
        self.producer: dict[int, int] = {}  # tensor id → the row that made it
        self.keep: list = [inputs]  # and every output: ids stay unique while the run lasts

    def infos(self, obj, key: str = "") -> list[TensorInfo]:
        return [
            TensorInfo(tuple(t.shape), str(t.dtype).replace("torch.", ""), k, id(t), self.producer.get(id(t)))
            for k, t in tensors_in(obj, key)
        ]

    def call(self, mod, name: str, args):
        index = len(self.rows)
        kind_name = getattr(mod, "original_name", type(mod).__name__)
        row = LayerRecord(
            index=index,
            name=name or kind_name,
            type=kind_name,
            kind=MODULE,
            depth=len(self.stack),
            inputs=self.infos(args),
            params=sum(p.numel() for p in mod.parameters()),
            parent=self.stack[-1] if self.stack else None,
            attrs=module_attrs(mod),
            status=RowStatus.RUNNING,
        )
        self.rows.append(row)
        self.stack.append(index)
        children = list(mod.named_children())
        if kind_name == "Sequential" and children:
            out = args[0]
            for child_name, child in children:
                out = self.call(child, f"{name}.{child_name}" if name else child_name, (out,))
        else:
            out = mod(*args)
        self.stack.pop()
        for _, t in tensors_in(out):
            self.producer.setdefault(id(t), index)
        row.outputs = self.infos(out)
        row.status = RowStatus.OK
        self.keep.append(out)
        return out

    def failed(self, exc: Exception) -> TraceError:
        """The run's error, its rows still running marked aborted and the innermost failed."""
        for i in self.stack:
            self.rows[i].status = RowStatus.ABORTED
        failing = self.stack[-1] if self.stack else None
        if failing is not None:
            self.rows[failing].status = RowStatus.FAILED
        limit = isinstance(exc, NotImplementedError) or "meta tensors" in _message(exc)
        return TraceError(type(exc).__name__, _message(exc), failing, engine_limit=limit)
