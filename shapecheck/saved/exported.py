"""Trace a torch.export program (.pt2): per-node shapes from its own graph.

Nodes are grouped by the module path they came from (`nn_module_stack`). At the exported
input the shapes are read from the graph; at another `--input` the graph is interpreted again
on the meta device (shapes only, no storage), which its dynamic dims must allow. Either way
every op in it must be on the allow-list of `allowed`: the file is someone else's program.
"""

from __future__ import annotations

import time

import torch

from ..errors import LoadError
from ..spec import InputSpec
from ..trace.engines import make_inputs
from ..trace.records import MODULE, OP, LayerRecord, RowStatus, TensorInfo, Trace, TraceError
from . import allowed


def _user_inputs(program) -> list:
    from torch.export.graph_signature import InputKind

    names = [s.arg.name for s in program.graph_signature.input_specs if s.kind == InputKind.USER_INPUT]
    nodes = {n.name: n for n in program.graph.nodes if n.op == "placeholder"}
    return [nodes[n] for n in names]


def _shape(value) -> tuple | None:
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    return tuple(d if isinstance(d, int) else str(d) for d in shape)


def check_inputs(program, specs: list[InputSpec] | None, batch: int | None, path: str) -> list[tuple]:
    """The shapes to run at: the exported ones, or the requested ones if the program allows them."""
    exported = _exported_shapes(program, path)
    if specs is None:
        if any(any(isinstance(d, str) for d in s) for s in exported):
            raise LoadError(f"{path} has dynamic dims {exported}; pass --input to choose sizes")
        return exported
    wanted = [spec.shape(batch) for spec in specs]
    if len(wanted) != len(exported):
        raise LoadError(f"{path} takes {len(exported)} inputs, --input gave {len(wanted)}")
    for i, (want, have) in enumerate(zip(wanted, exported, strict=True)):
        if not _allows(have, want):
            raise LoadError(
                f"{path} was exported with fixed sizes: input {i} is {list(have)}, and --input asks for {list(want)}",
                hint="export again with dynamic_shapes=… for the dims that should vary",
            )
    return wanted


def _exported_shapes(program, path: str) -> list[tuple]:
    exported: list[tuple] = []
    for node in _user_inputs(program):
        shape = _shape(node.meta.get("val"))
        if shape is None:
            raise LoadError(f"{path}: the program records no shape for its input {node.name}")
        exported.append(shape)
    return exported


def _allows(exported: tuple, wanted: tuple) -> bool:
    """An exported input's shape allows a wanted one of its rank whose fixed dims it keeps (dynamic
    dims, written as names, take any size)."""
    if len(wanted) != len(exported):
        return False
    return all(not isinstance(h, int) or w == h for w, h in zip(wanted, exported, strict=True))


def _rows(program, values: dict, trace: Trace, failing: str | None = None) -> None:
    """Module and op rows from the graph, with shapes from `values` (node name → tensor)."""
    rows = trace.layers
    open_modules: list[tuple[str, int]] = []  # (module path, its row), outermost first
    params = dict(program.state_dict)
    node_rows: dict[str, int] = {}
    # Parameters and buffers are placeholders too; rows show the data flowing, not the weights.
    weights = {s.arg.name for s in program.graph_signature.input_specs if s.target}
    for node in program.graph.nodes:
        if node.op != "call_function":
            continue
        _enter_modules(rows, open_modules, _module_paths(node), params)
        inputs = _node_inputs(node, values, weights, node_rows)
        row = _op_row(node, values.get(node.name), inputs, len(rows), open_modules, failing)
        rows.append(row)
        node_rows[node.name] = row.index
        _into_modules(row, [rows[index] for _, index in open_modules], node, values)
        if node.name == failing:
            break


def _node_inputs(node, values: dict, weights: set[str], node_rows: dict[str, int]) -> list[TensorInfo]:
    """The tensors an op node reads, with the rows that made them: its data, not its weights."""
    return [
        TensorInfo(_shape(values[arg.name]) or (), key=arg.name, tid=hash(arg.name), source=node_rows.get(arg.name))
        for arg in node.args
        if isinstance(arg, torch.fx.Node) and arg.name in values and arg.name not in weights
    ]


def _into_modules(row: LayerRecord, modules: list[LayerRecord], node, values: dict) -> None:
    """A module's input is its first op's, its output its last op's; a linear op gives the
    innermost module its sizes."""
    for module_row in modules:
        if not module_row.inputs:
            module_row.inputs = row.inputs
        module_row.outputs = row.outputs
    if node.target in (torch.ops.aten.linear.default,) and len(node.args) > 1 and modules:
        _linear_sizes(modules[-1], node.args[1], values)


def _module_paths(node) -> list[tuple[str, str]]:
    """The modules an op node was called in, outermost first: (path, class name)."""
    stack = list((node.meta.get("nn_module_stack") or {}).values())
    return [(p, t.rsplit(".", 1)[-1] if isinstance(t, str) else getattr(t, "__name__", str(t))) for p, t in stack if p]


def _enter_modules(rows: list[LayerRecord], open_modules: list, paths: list[tuple[str, str]], params: dict) -> None:
    """Close the open modules the node is not in, and open a row for each module it enters."""
    depth = 0
    while depth < len(open_modules) and depth < len(paths) and open_modules[depth][0] == paths[depth][0]:
        depth += 1
    del open_modules[depth:]
    for path, kind in paths[depth:]:
        index = len(rows)
        count = sum(v.numel() for k, v in params.items() if k.startswith(path + "."))
        rows.append(
            LayerRecord(
                index=index,
                name=path,
                type=kind,
                kind=MODULE,
                depth=len(open_modules) + 1,
                params=count,
                parent=open_modules[-1][1] if open_modules else 0,
            )
        )
        open_modules.append((path, index))


def _op_row(node, out, inputs: list[TensorInfo], index: int, open_modules: list, failing: str | None) -> LayerRecord:
    out_shape = _shape(out)
    return LayerRecord(
        index=index,
        name=node.name,
        type=str(node.target).replace(".default", ""),
        kind=OP,
        depth=len(open_modules) + 1,
        inputs=inputs,
        parent=open_modules[-1][1] if open_modules else 0,
        outputs=[TensorInfo(out_shape, key="", tid=hash(node.name), source=index)] if out_shape is not None else [],
        status=RowStatus.FAILED if node.name == failing else RowStatus.OK,
    )


def _linear_sizes(module_row: LayerRecord, weight, values: dict) -> None:
    """A linear op's weight gives its module's in_features and out_features."""
    shape = _shape(values.get(weight.name)) if isinstance(weight, torch.fx.Node) else None
    if shape and len(shape) == 2:
        module_row.attrs.update(in_features=shape[1], out_features=shape[0])


def check_ops(program, path: str) -> None:
    """LoadError unless every op of every graph in the program (the main one and the subgraphs
    of higher-order ops) may run shape-only."""
    for module in program.graph_module.modules():
        graph = getattr(module, "graph", None)
        if not isinstance(graph, torch.fx.Graph):
            continue
        for node in graph.nodes:
            if node.op in ("call_module", "call_method"):
                raise allowed.refuse(path, str(node.target), "calls code outside the graph")
            if node.op == "call_function":
                why = _refusal(node.target)
                if why is not None:
                    raise allowed.refuse(path, _op_name(node.target), why)


def _op_name(target) -> str:
    if isinstance(target, torch._ops.OpOverload):
        return target.name().replace("::", ".")
    return getattr(target, "__qualname__", None) or str(target)


def _refusal(target) -> str | None:
    if isinstance(target, torch._ops.OpOverload):
        namespace, _, name = target._schema.name.partition("::")
        return allowed.refusal(namespace, name)
    if isinstance(target, torch._ops.HigherOrderOperator):
        return None if target.name() in allowed.HIGHER_ORDER else "is a higher-order op shapecheck does not interpret"
    # Size arithmetic between ops: operator.mul on SymInts, math.ceil, torch.sym_max.
    module = getattr(target, "__module__", None)
    if module in ("_operator", "math") or (module == "torch" and getattr(target, "__name__", "").startswith("sym_")):
        return None
    return "is a Python function, not a tensor op"


def run(program, specs, *, batch: int | None, label: str, path: str) -> Trace:
    check_ops(program, path)
    shapes = check_inputs(program, specs, batch, path)
    trace = Trace(model=label, inputs=[TensorInfo(tuple(s)) for s in shapes], engine="meta", batch=batch)
    total = sum(v.numel() for v in program.state_dict.values())
    trace.total_params = trace.trainable_params = total
    root = LayerRecord(index=0, name=label, type="ExportedProgram", kind=MODULE, depth=0, params=total)
    trace.layers.append(root)
    start = time.perf_counter()
    values = {n.name: n.meta.get("val") for n in program.graph.nodes}
    failing = None
    if [tuple(s) for s in shapes] != _exported_shapes(program, path):  # other sizes: interpreted again
        values, failing, trace.error = _rerun(program, specs, batch)
    _rows(program, values, trace, failing)
    root.inputs = trace.inputs
    if trace.error is None:
        root.outputs = _program_outputs(program, values)
    else:
        root.status = RowStatus.ABORTED
        trace.error.layer = _last_failed(trace.layers, trace.error.layer)
    trace.seconds = time.perf_counter() - start
    return trace


def _last_failed(rows: list[LayerRecord], otherwise: int | None) -> int | None:
    failed = [r.index for r in rows if r.status == RowStatus.FAILED]
    return failed[-1] if failed else otherwise


def _program_outputs(program, values: dict) -> list[TensorInfo]:
    """The shapes of what the graph's output node returns (its tensors; none without one)."""
    outputs = [n for n in program.graph.nodes if n.op == "output"]
    if not outputs:
        return []
    results = outputs[0].args[0]
    results = results if isinstance(results, (list, tuple)) else [results]
    return [
        TensorInfo(_shape(values.get(r.name)) or ())
        for r in results
        if isinstance(r, torch.fx.Node) and _shape(values.get(r.name)) is not None
    ]


def _rerun(program, specs, batch):
    """Interpret the graph on meta at new sizes, recording each node's output; stops at the
    failing node. Weights and constants become meta tensors of their shapes, and factory ops
    (`zeros`, `arange`) are sent to meta too, so no op touches real storage."""
    from torch.export.graph_signature import InputKind

    meta = torch.device("meta")
    inputs = make_inputs(specs, batch, device="meta", as_list=False)
    tensors = {**program.state_dict, **program.constants}
    args = []
    users = iter(inputs)
    for spec in program.graph_signature.input_specs:
        if spec.kind == InputKind.USER_INPUT:
            args.append(next(users, None))
        elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER, InputKind.CONSTANT_TENSOR):
            value = tensors.get(spec.target)
            args.append(torch.empty_like(value, device=meta) if isinstance(value, torch.Tensor) else value)
        else:  # custom objects and effect tokens hold no shapes
            raise LoadError(f"the program takes a {spec.kind.name.lower()} input, which shapecheck does not interpret")
    values: dict = {}
    current = {"name": None}

    class Recorder(torch.fx.Interpreter):
        def run_node(self, n):
            current["name"] = n.name
            out = super().run_node(n)
            values[n.name] = out
            return out

        def call_function(self, target, args, kwargs):
            if "device" in kwargs:
                kwargs = {**kwargs, "device": meta}
            if kwargs.get("pin_memory"):
                kwargs = {**kwargs, "pin_memory": False}
            return super().call_function(target, args, kwargs)

    try:
        with torch.no_grad():
            Recorder(program.graph_module).run(*args)
        return values, None, None
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        limit = isinstance(exc, NotImplementedError)  # an op with no meta kernel
        return values, current["name"], TraceError(type(exc).__name__, message, None, engine_limit=limit)
