"""The operands of an op as the user wrote them on its line: which text is `a` and which `b` in
`h + self.temb(t)`, `att.masked_fill(mask == 0, v)`, `q @ k`, `torch.mul(a, b)`, so that a fix
can rewrite one operand of every such call on the line, as the verifying re-run does."""

from __future__ import annotations

import ast

from ..numbers import char_span

_BINOPS = {"add": ast.Add, "sub": ast.Sub, "mul": ast.Mult, "truediv": ast.Div, "div": ast.Div, "matmul": ast.MatMult}


def operand_spans(row, text: str, tree) -> list[list[tuple[int, int]]] | None:
    """For each call of the op on the stripped line `text`, in the order they run (operands run
    before the op), the character spans of its tensor operands in the order the op receives
    them: `h + self.temb(t)`, `att.masked_fill(mask == 0, v)`, `torch.mul(a, b)`."""
    name = row.type.rsplit(".", 1)[-1].strip("_")
    swapped = name.startswith("r") and name[1:] in _BINOPS
    base = name[1:] if (swapped or name.startswith("i")) and name[1:] in _BINOPS else name
    kind = _BINOPS.get(base)
    found: list[list] = []

    def visit(node) -> None:
        for child in ast.iter_child_nodes(node):
            visit(child)
        if kind is not None and isinstance(node, ast.BinOp) and isinstance(node.op, kind):
            found.append([node.right, node.left] if swapped else [node.left, node.right])
        elif kind is not None and isinstance(node, ast.AugAssign) and isinstance(node.op, kind):
            found.append([node.target, node.value])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in (name, base, f"{name}_")
        ):
            receiver = node.func.value
            module = isinstance(receiver, ast.Name) and receiver.id in ("torch", "F")
            found.append(list(node.args) if module else [receiver, *node.args])

    visit(tree)
    every = [[char_span(text, n) for n in nodes] for nodes in found]
    if not every or any(sp is None for spans in every for sp in spans):
        return None
    return every  # type: ignore[return-value]


def this_call(row, every: list | None) -> list[tuple[int, int]] | None:
    """The operands of the op run `row.call`-th on the line."""
    if not every:
        return None
    return every[row.call - 1] if len(every) >= row.call else every[0]


def rewrite_operands(parsed, row, index: int, change) -> str | None:
    """The line with operand `index` of every call of the op on it replaced by `change(text, other)`
    (`other` the text of the call's other operand): the re-run's edit changes every call at the
    line too, so what is verified is what is written."""
    if parsed is None:
        return None
    indent, text, tree = parsed
    every = operand_spans(row, text, tree)
    if not every or any(len(spans) < 2 for spans in every):
        return None
    edits = []
    for spans in every:
        (start, end), (o_start, o_end) = spans[index], spans[1 - index]
        new = change(text[start:end], text[o_start:o_end])
        if new is None:
            return None
        edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return indent + text


def operand_receiver(text: str) -> tuple[str, str]:
    """An operand's text split around what a method call applies to: `self.mask == 0` →
    (`self.mask`, ` == 0`); an expression bracketed (`(a + b)`, ``); a name, attribute, call or
    subscript as written."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text, ""
    if isinstance(node, ast.Compare) and len(node.comparators) == 1 and isinstance(node.comparators[0], ast.Constant):
        left = ast.get_source_segment(text, node.left) or ""
        return (f"({left})" if not isinstance(node.left, (ast.Name, ast.Attribute)) else left), text[len(left) :]
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
        return text, ""
    return f"({text})", ""
