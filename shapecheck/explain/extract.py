"""Extract PyTorch's shape-check messages from its sources into `table.py`.

    python -m shapecheck.explain.extract           # rewrite the table from the installed torch
    python -m shapecheck.explain.extract --check   # exit 1 when the committed table differs

A tool, never run by `explain` (which only reads the JSON, without torch). It reads, without
importing torch:

- the installed torch's Python: `torch._check*(cond, lambda: f"…")`, `raise ValueError/
  RuntimeError/IndexError/AssertionError(f"…")`, `.format()` and `%` messages, in
  torch/nn/functional.py, torch/nn/modules, torch/_meta_registrations.py, torch/_refs,
  torch/_decomp, torch/_prims_common, torch.export's and the symbolic-shape guards' modules, and the
  DataLoader's default collate;
- the C++ headers the wheel ships (torch/include/ATen/native/**, c10): `TORCH_CHECK(cond, "…",
  value, "…")`, each value written `{}`;
- `data/aten_cpp.txt`, the TORCH_CHECK messages of ATen's .cpp files (not in the wheel, read from
  pytorch/pytorch), and `data/older.txt`, older releases' and libraries' wordings.

Each message whose words name a shape family (`FAMILY_RULES`) becomes a row: the family, the
message with `{}` for each value, and where PyTorch raises it. The rows are sorted, so the file
changes only when a release changes its messages or a rule changes.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TABLE = HERE / "table.py"

PYTHON_SOURCES = (
    "nn/functional.py",
    "nn/modules",
    "_meta_registrations.py",
    "_refs",
    "_decomp",
    "_prims_common",
    "export/dynamic_shapes.py",
    "export/_unlift.py",
    "_export/non_strict_utils.py",
    "fx/experimental/symbolic_shapes.py",
    "utils/data/_utils/collate.py",
)
HEADER_SOURCES = (
    "include/ATen/native",
    "include/ATen/ExpandUtils.h",
    "include/ATen/TensorUtils.h",
    "include/ATen/InferSize.h",
)

# (family, a regex its message matches): the first rule that matches names the family; a message
# no rule matches is not a shape check `explain` reads, and is left out.
FAMILY_RULES: list[tuple[str, str]] = [
    ("not-shape", r"dtype|scalar type|same device|on the same device|requires_grad|out of memory"),
    # grid_sample's own checks: the grid against the input (batch, rank, the coordinates in the last dim)
    ("grid-sample", r"^grid_sampler\(\): expected (?:grid|\{\}d|[45]d|input to have non-empty)"),
    # einops (rearrange / reduce / repeat), which diffusion and vision code call where PyTorch's own ops would
    (
        "einops",
        r"can't divide axis of length|dims\. received \{\}-dim|^shape mismatch, \{\} != \{\}"
        r"|^expected \{\} dimensions, got \{\}|identifiers only on one side",
    ),
    ("data-dependent", r"data-dependent expression"),
    # load_state_dict's key lists (names, not shapes: read for the prefix or the architecture they show)
    ("state-dict-keys", r"key\(s\) in state_dict|error\(s\) in loading state_dict"),
    # a pool's padding larger than half its kernel (a configuration, not an input that is too small)
    ("pool-padding", r"half of kernel size"),
    # a nested Python list whose rows differ in length, made into one tensor (torch.tensor, LongTensor)
    ("ragged", r"expected sequence of length"),
    # a factory or a layer's weight asked for a size computed negative (at::empty's check)
    ("negative-size", r"negative dimension"),
    (
        "export",
        r"constraints violated|inferred to be a constant|expected input at .*shape\[|dynamic_shapes|recompile"
        r"|shapes_spec|shapes assigned to input|tensorspec has|expected \{\} shapes, got",
    ),
    (
        "attention-mask",
        r"attn_mask|key_padding_mask|key_padded_mask|attention mask should|attention weights should|attn_output",
    ),
    (
        "attention",
        r"embedding dimension of|embed_dim|num_heads|query, key|query should be|key and value|key shape"
        r"|key's sequence|expecting (?:query|key|value) (?:weights|bias)|static_[kv]|`query`|src and tgt",
    ),
    # a ConvTranspose's output_padding (given, or computed from forward's output_size) not below its stride
    ("output-padding", r"output padding must be smaller"),
    ("conv-transposed", r"given transposed="),
    ("conv-channels", r"given groups=.*channels|expected weight to be at least|expected bias to be 1-dimensional"),
    (
        "conv-rank",
        r"input to conv|-dimensional input for .*-dimensional weight|weight should have at least"
        r"|same dimension as tensor for 'result'",
    ),
    ("instance-norm", r"spatial element"),
    ("norm-single", r"more than 1 value per channel"),
    (
        "norm-channels",
        r"running_mean should|number of channels in input|same shape as normalized_shape|match num_features",
    ),
    ("layernorm", r"normalized_shape="),
    ("fold", r"divisible by the product of kernel_size|number of sliding blocks"),
    ("groups", r"divisible by (?:num_)?groups|divisible by the square|divisible by downscale"),
    (
        "norm-rank",
        r"^expected (?:\{\}|\d)d (?:or \dd )?input \(got|^expected \dd or \dd input|at least 2 dimensions for input"
        r"|3d or higher dimensionality|^dropout[123]d: expected",
    ),
    ("rnn-lengths", r"len\(lengths\)"),
    # nn.DataParallel gathering its replicas' outputs along dim 0 (torch/csrc/cuda/comm.cpp)
    ("parallel-gather", r"gather got an input of invalid size|input tensor at index \{\} has invalid shape"),
    ("rnn-hidden", r"\bhx\b|\bcx\b|hidden\[|hidden0|hidden size|hidden_size"),
    ("rnn-rank", r"expected input to be 2-?d or 3-?d"),
    ("rnn-input", r"input_size"),
    ("einsum", r"einsum|for operand \{\}: equation"),
    ("bmm", r"batch1|batch2|number of batches|wrong matrix size"),
    ("mm-rank", r"must be a matrix|matrices expected|at least 1d|[12]d tensors expected|vector \+ matrix"),
    ("t-rank", r"^t\(\) expects"),
    (
        "matmul",
        r"mat1|mat2|m1:|inconsistent tensor size, expected tensor|size mismatch, got input|incompatible matrix sizes"
        r"|incompatible shapes of a and b|input1 size does not match weight",
    ),
    # a class label past the classes: the loss's check, and F.one_hot's (`Class values must be …`)
    ("target-range", r"target \{\} (?:is )?out of bounds|n_classes|class values must be"),
    ("gather-rank", r"index tensor must have (?:the )?same (?:number of )?dimensions"),
    # gather / scatter: an index of another size than the source in a dim other than `dim` (index shape)
    (
        "gather-size",
        r"apart from dimension|to be no larger than src|to be smaller size than src"
        r"|does not match at dimension \{\} get",
    ),
    (
        "index-range",
        r"out of bounds for dimension|index out of range|index \{\} out of range|out of range for tensor"
        r"|too many indices|srcindex|index out of bounds|index_select|index tensor must have|expected index \{\}"
        r"|out of bounds for axis|maximum sequence length for this model|invalid index in (?:scatter|gather)"
        r"|indices in 'edge_index'",
    ),
    ("mask-index", r"shape of the mask"),
    ("split", r"split_with_sizes|split_sizes|don't multiply up"),
    (
        "cat",
        r"cannot be concatenated|same number of dimensions: got|non-empty list of tensors|sizes of tensors must"
        r"|stack expects|storage that is not resizable|inconsistent tensor sizes|batched tensors with the same length"
        r"|element in list of batch should be of equal size",
    ),
    (
        "broadcast",
        r"value tensor of shape|broadcast shape|expanded size|size of tensor a|number of sizes provided"
        r"|repeat dims|indexing tensors could not be broadcast|shifts and dimensions must align"
        r"|attempting to broadcast a dimension of length",
    ),
    (
        "too-small",
        r"maximum size for tensor at dimension|sliding blocks|padding size should be less|kernel size can't"
        r"|output size is too small|sizes should be greater than 0|exceeds dimension size|padding size is expected"
        r"|must be >= 1 in every dimension|output spatial size to be positive|calculated output size .*too small"
        r"|padding should be at most half",
    ),
    (
        "pad-rank",
        r"padding with non-constant|length of pad|\(batch mode\) tensor|only 3d, 4d and 5d|only 4d input tensors"
        r"|mode needs \dd"
        r"|expected input to be \dd|expected 3d or 4d tensor|output_size must be|same number of spatial dimensions"
        r"|output_size equals to|size shape must match input shape|padding length",
    ),
    ("view", r"is invalid for input|view size is not compatible|invalid for input with|cannot reshape tensor of 0"),
    ("dim-range", r"dimension out of range|dimension is not of size 1|permute"),
    ("ctc", r"input_lengths|target_lengths|ctc_loss"),
    (
        "loss-target",
        r"target size|target batch_size|spatial targets|spatial inputs|multi-target|target and input"
        r"|target nelement|input tensor should be 1d or 2d|2 or more dimensions|targets'|target tensor expects"
        r"|same size in the batch dimension|input tensors should have same dimension|anchor, positive, and negative"
        r"|size mismatch \(got input|weight tensor should be defined|spatial sizes don't match",
    ),
    ("normalize", r"boxes should be of shape|target boxes to be a tensor of shape"),
]
_RULES = [(family, re.compile(rule, re.IGNORECASE)) for family, rule in FAMILY_RULES]


def family_of(message: str) -> str | None:
    for family, rule in _RULES:
        if rule.search(message):
            return family
    return None


# -- Python sources ---------------------------------------------------------------------------


_ESCAPE_BRACES = str.maketrans({"{": "{{", "}": "}}"})


def _text(node: ast.AST) -> str | None:
    """A message expression as text with `{}` for each value, or None when it is not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.translate(_ESCAPE_BRACES)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value.translate(_ESCAPE_BRACES) if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _operator_text(node)
    if isinstance(node, ast.Call):
        return _format_text(node)
    if isinstance(node, ast.Lambda):
        return _text(node.body)
    return None


def _operator_text(node: ast.BinOp) -> str | None:
    """`"expected " + str(n)` as `expected {}`; `"got %d dims" % n` as `got {} dims`."""
    if isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    if isinstance(node.op, ast.Mod):
        left = _text(node.left)
        return re.sub(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrx]", "{}", left) if left else None
    return None


def _format_text(node: ast.Call) -> str | None:
    """`"got {} dims".format(n)` as `got {} dims`, every replacement field a `{}`."""
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
        return None
    base = node.func.value
    if isinstance(base, ast.Constant) and isinstance(base.value, str):
        return re.sub(r"\{[^{}]*\}", "{}", base.value)
    return None


def _unescape(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


_CHECKS = {"_check", "_check_with", "_check_index", "_check_value", "_check_type", "check", "_check_is_size"}
_RAISES = {"ValueError", "RuntimeError", "IndexError", "AssertionError", "TypeError"}


def python_messages(path: Path, name: str) -> list[tuple[str, str]]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return []
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            message = None
            if isinstance(child, ast.Call):
                f = child.func
                called = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                args = child.args[1:] if called != "_check_with" else child.args[2:]
                if called in _CHECKS and args:
                    message = _text(args[0])
                elif called in _CHECKS:
                    msg = [k.value for k in child.keywords if k.arg in ("message", "msg")]
                    message = _text(msg[0]) if msg else None
                elif (called in _RAISES or called.endswith(("Error", "Exception"))) and child.args:
                    # torch.export's UserError(kind, message): the first argument that is text
                    message = next((t for t in map(_text, child.args[:2]) if t), None)
            if message:
                found.append((_unescape(message), f"torch/{name}: {function or '<module>'}"))
            visit(child, inner)

    visit(tree, "")
    return found


# -- C++ sources ------------------------------------------------------------------------------

_TORCH_CHECK = re.compile(
    r"\b(?:TORCH_CHECK|TORCH_CHECK_VALUE|TORCH_CHECK_INDEX|TORCH_CHECK_TYPE|TORCH_MAYBE_SYM_CHECK|TORCH_SYM_CHECK|AT_ASSERTM)\s*\("
)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FUNCTION = re.compile(r"^[\w:<>,\s*&]+?\b(\w+)\s*\([^;{}]*\)\s*(?:const\s*)?\{", re.MULTILINE)


_KEYWORDS = {"if", "for", "while", "switch", "return", "catch", "else", "do", "sizeof"}


def _arguments(source: str, start: int) -> list[str] | None:
    """The top-level arguments of a call whose `(` is just before `start`."""
    depth, args, current, i, quote = 1, [], [], start, ""
    while i < len(source) and i - start < 4000:
        ch = source[i]
        if quote:
            current.append(ch)
            if ch == "\\":
                current.append(source[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(current).strip())
                return args
            current.append(ch)
        elif ch == "," and depth == 1:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    return None


def cpp_messages(source: str, name: str) -> list[tuple[str, str]]:
    found = []
    functions = [(m.start(), m.group(1)) for m in _FUNCTION.finditer(source) if m.group(1) not in _KEYWORDS]
    for m in _TORCH_CHECK.finditer(source):
        args = _arguments(source, m.end())
        if not args or len(args) < 2:
            continue
        parts = []
        for arg in args[1:]:
            strings = _STRING.findall(arg)
            if strings and re.fullmatch(r'(?:\s*"(?:[^"\\]|\\.)*"\s*)+', arg):
                parts.append("".join(s.encode().decode("unicode_escape", "ignore") for s in strings))
            else:
                parts.append("{}")
        message = "".join(parts)
        if not re.search(r"[A-Za-z]{3}", message):
            continue
        function = next((f for pos, f in reversed(functions) if pos < m.start()), "")
        found.append((message, f"{name}: {function}" if function else name))
    return found


def listed_messages(path: Path) -> list[tuple[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where, function, message = (p.strip() for p in line.split(" | ", 2))
        found.append((message, f"{where}: {function}"))
    return found


# -- the table ----------------------------------------------------------------------------------


def torch_root() -> Path:
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("torch is not installed: the extraction reads its sources")
    return Path(next(iter(spec.submodule_search_locations)))


def _files(root: Path, entry: str, suffixes: tuple[str, ...]) -> list[Path]:
    path = root / entry
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in suffixes) if path.is_dir() else []


def _normal(message: str) -> str:
    message = " ".join(message.split())
    message = re.sub(r"(\{\}\s*){2,}", "{} ", message).strip()
    return message


def _usable(message: str) -> bool:
    """Enough literal text to be recognised on its own (not `{}: {}`)."""
    from .extracted import anchor_of  # the run of words `explain` looks for first

    literal = re.sub(r"\{\}", " ", message)
    return len(re.findall(r"[A-Za-z]", literal)) >= 12 and len(anchor_of(message)) >= 8


def extract(root: Path | None = None) -> list[list[str]]:
    root = root or torch_root()
    messages: list[tuple[str, str]] = []
    for entry in PYTHON_SOURCES:
        for path in _files(root, entry, (".py",)):
            messages += python_messages(path, path.relative_to(root).as_posix())
    for entry in HEADER_SOURCES:
        for path in _files(root, entry, (".h", ".cuh")):
            text = path.read_text(encoding="utf-8", errors="replace")
            messages += cpp_messages(text, "torch/" + path.relative_to(root).as_posix())
    messages += listed_messages(DATA / "aten_cpp.txt")
    messages += listed_messages(DATA / "older.txt")
    rows: dict[tuple[str, str], str] = {}
    for message, where in messages:
        message = _normal(message)
        family = family_of(message)
        if family is None or not _usable(message):
            continue
        key = (family, message)
        rows[key] = min(rows.get(key, where), where)  # one place per message, the same on every run
    return sorted([family, message, where] for (family, message), where in rows.items())


def _quoted(text: str) -> str:
    """A string literal as ruff's formatter writes it (double quotes unless that needs escapes)."""
    if '"' in text and "'" not in text:
        return "'" + text.replace("\\", "\\\\") + "'"
    return json.dumps(text, ensure_ascii=False)


def torch_version() -> str:
    from importlib.metadata import version

    return version("torch")


def render(rows: list[list[str]], torch: str | None = None) -> str:
    head = [
        "# ruff: noqa: E501",
        '"""PyTorch\'s shape-check messages, extracted from its sources: (family, message, where).',
        "",
        "Generated by `python -m shapecheck.explain.extract`; do not edit (tests/test_explain_extract.py",
        "reruns the extraction and compares).",
        '"""',
        "",
        f"TORCH = {_quoted(torch or torch_version())}  # the release the table was extracted from",
        "",
        "ROWS: list[tuple[str, str, str]] = [",
    ]
    body = [f"    (\n        {_quoted(f)},\n        {_quoted(m)},\n        {_quoted(w)},\n    )," for f, m, w in rows]
    return "\n".join(head + body + ["]", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed table differs")
    options = parser.parse_args(argv)
    rows = extract()
    text = render(rows)
    if options.check:
        same = TABLE.exists() and TABLE.read_text(encoding="utf-8") == text
        print("the table is up to date" if same else f"{TABLE} differs from the extraction: rerun without --check")
        return 0 if same else 1
    TABLE.write_text(text, encoding="utf-8")
    print(f"{TABLE}: {len(rows)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
