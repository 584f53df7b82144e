"""Which ops of a saved program shapecheck lets run: shape arithmetic only, nothing that reaches
outside the process.

A saved program (.pt2, TorchScript) is someone else's code. It is interpreted on the meta
device, where an op computes shapes and touches no storage, and only if every op it holds is
on this list. An ATen or prims op works on tensors; the few that do more are refused by name:
they open files (`from_file` with `shared=True` creates or overwrites one, `save`), or print.
Ops of any other namespace (distributed collectives, the profiler, debug loaders, custom
libraries whose kernels are arbitrary code) are refused, as are TorchScript calls that leave
the graph (Python ops, methods of custom classes).
"""

from __future__ import annotations

from ..errors import LoadError

# Namespaces whose ops only compute on the tensors they are given.
TENSOR_NAMESPACES = ("aten", "prims")

# ATen ops that reach outside the process: files, standard output.
REFUSED = {
    "from_file": "reads and, with shared=True, creates or overwrites a file",
    "save": "writes a file",
    "_print": "prints",
}

# TorchScript's own instructions: control flow, constants, containers, attribute access.
SCRIPT_REFUSED = {
    "prim::PythonOp": "calls Python code",
    "prim::CallFunction": "calls a function outside the graph",
    "prim::CallMethod": "calls a method of an object outside the graph",
}

# torch.export's higher-order ops whose subgraphs are checked like the main graph.
HIGHER_ORDER = ("wrap_with_set_grad_enabled", "wrap_with_autocast")


def refusal(namespace: str, name: str) -> str | None:
    """Why an op may not run, or None when it may. `name` has no overload (`from_file`)."""
    if namespace not in TENSOR_NAMESPACES:
        return f"is a `{namespace}` op, not a tensor op shapecheck can run shape-only"
    return REFUSED.get(name)


def script_refusal(kind: str) -> str | None:
    """The same for a TorchScript node kind (`aten::from_file`, `prim::If`)."""
    if kind in SCRIPT_REFUSED:
        return SCRIPT_REFUSED[kind]
    namespace, _, name = kind.partition("::")
    if namespace == "prim":
        return None
    return refusal(namespace, name)


def refuse(path: str, op: str, why: str) -> LoadError:
    return LoadError(
        f"{path} holds `{op}`, which {why}: shapecheck does not run it",
        hint="a saved program is checked shape-only; export the model without that op, or check its .py source",
    )
