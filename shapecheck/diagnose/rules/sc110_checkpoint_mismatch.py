"""SC110 checkpoint-mismatch.

What it does: compares a checkpoint (`--weights`) with the model's state dict, key by key and
shape by shape, grouped by module, and says what configuration the checkpoint was trained
with: `fc.weight` [1000, 2048] in the file against [50, 2048] in the model means
`num_classes=1000`; a first conv with 1 input channel means grayscale training.

Why is this bad? `load_state_dict` fails with `size mismatch for fc.weight: copying a param with
shape torch.Size([1000, 2048]) from checkpoint, the shape in current model is
torch.Size([50, 2048])`, and `strict=False` does not skip size mismatches.

Example:
    model = resnet50(num_classes=50)
    model.load_state_dict(torch.load("imagenet.pth"))

Use instead:
    model = resnet50(num_classes=1000)
    model.load_state_dict(torch.load("imagenet.pth"))
    model.fc = nn.Linear(2048, 50)

Fix safety: building the model as the checkpoint was trained is safe; dropping keys leaves
those layers randomly initialised (unsafe).
"""

from __future__ import annotations

from collections import defaultdict

from ...saved.records import CheckpointReport
from ...trace.records import MODULE
from ..context import Context
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix, FixKind
from ..numbers import shape
from ..registry import rule


def shown(text: str) -> str:
    """A key from a checkpoint as it reads in a message: control characters (a newline that
    would start a line of its own in a CI log) written as escapes."""
    if all(c.isprintable() for c in text):
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _attribute_path(module: str) -> bool:
    """`model.{module}` is Python only for a dotted path of identifiers."""
    return all(part.isidentifier() for part in module.split("."))


def _module(key: str) -> str:
    return key.rsplit(".", 1)[0] if "." in key else key


@rule("SC110", ERROR)
def check(ctx: Context) -> list[Finding]:
    ck = ctx.checkpoint
    if ck is None or ck.matches:
        return []
    inferred: list[str] = []
    fixes: list[Fix] = []
    head, stem = _head_and_stem(ck)
    if head and head in ck.mismatched:
        _read_head(ck, head, inferred, fixes)
    if stem and stem in ck.mismatched:
        _read_stem(ck, stem, inferred, fixes)
    _read_keys(ck, head, inferred, fixes)
    first = (ck.mismatched or ck.missing or ck.unexpected)[0]
    row = next((r for r in ctx.trace.layers if r.kind == MODULE and r.name == _module(first)), None)
    location, index = (row.location, row.index) if row is not None else (None, None)
    return [
        ctx.finding(
            layer=_module(first),
            message=f"the checkpoint {ck.path} does not fit the model: {_counts(ck)}",
            location=location,
            row=index,
            why=inferred + _differences(ck),
            notes=_notes(ck),
            fixes=fixes,
        )
    ]


def _head_and_stem(ck: CheckpointReport) -> tuple[str | None, str | None]:
    """The model's last Linear weight and its first conv weight, by shape."""
    linear_weights = [k for k, s in ck.model.items() if k.endswith(".weight") and len(s) == 2]
    conv_weights = [k for k, s in ck.model.items() if k.endswith(".weight") and len(s) >= 3]
    return (linear_weights[-1] if linear_weights else None), (conv_weights[0] if conv_weights else None)


def _differences(ck: CheckpointReport) -> list[str]:
    """Each shape difference, grouped by module; then the modules with missing and unexpected
    keys (six of each, and how many more)."""
    by_module = defaultdict(list)
    for key in ck.mismatched:
        by_module[_module(key)].append(
            f"`{shown(key)}` is {shape(ck.checkpoint[key])} in the checkpoint, {shape(ck.model[key])} in the model"
        )
    why = [line for lines in by_module.values() for line in lines]
    for label, keys in (
        ("missing from the checkpoint", ck.missing),
        ("in the checkpoint but not the model", ck.unexpected),
    ):
        groups = defaultdict(list)
        for key in keys:
            groups[_module(key)].append(key.rsplit(".", 1)[-1])
        for module, names in list(groups.items())[:6]:
            why.append(f"{label}: `{shown(module)}` ({shown(', '.join(names))})")
        if len(groups) > 6:
            why.append(f"… and {len(groups) - 6} more modules {label}")
    return why


def _read_head(ck: CheckpointReport, head: str, inferred: list[str], fixes: list[Fix]) -> None:
    """The last Linear has another number of outputs: the checkpoint's number of classes."""
    got, want = ck.checkpoint[head], ck.model[head]
    if not (len(got) == 2 and got[1] == want[1] and got[0] != want[0] and _attribute_path(_module(head))):
        return
    inferred.append(f"the checkpoint was trained with num_classes={got[0]} (the model has {want[0]})")
    fixes.append(
        Fix(
            description=f"build the model as the checkpoint was trained: `--arg num_classes={got[0]}`",
            code=f"--arg num_classes={got[0]}",
            kind=FixKind.OPTION,
            safety=SAFE,
            check_note=f"check it: run again with --arg num_classes={got[0]}",
            build_args=(("num_classes", got[0]),),
        )
    )
    fixes.append(
        Fix(
            description=f"or load it as trained, then replace the head with a new {want[0]}-way layer",
            code=(
                f"model = build(num_classes={got[0]})\nmodel.load_state_dict(state)\n"
                f"model.{_module(head)} = nn.Linear({got[1]}, {want[0]})"
            ),
            safety=SAFE,
        )
    )


def _read_stem(ck: CheckpointReport, stem: str, inferred: list[str], fixes: list[Fix]) -> None:
    """The first conv takes another number of channels: grayscale images, or another stem."""
    got, want = ck.checkpoint[stem], ck.model[stem]
    if not (len(got) == len(want) and got[0] == want[0] and got[2:] == want[2:] and got[1] != want[1]):
        return
    name = shown(_module(stem))
    if got[1] == 1:
        inferred.append(f"`{name}` takes 1 channel in the checkpoint: it was trained on grayscale images")
        fixes.append(
            Fix(
                description=f"feed 1-channel images and build `{name}` with in_channels=1",
                code="--input 1xHxW",
                kind=FixKind.INPUT,
                safety=SAFE,
                check_note="check it: change the first conv and run with a 1-channel --input",
            )
        )
    else:
        inferred.append(f"`{name}` takes {got[1]} channels in the checkpoint, the model {want[1]}")
    fixes.append(
        Fix(
            description="or adapt the stem weights: average over the input channels",
            code=f"state[{stem!r}] = state[{stem!r}].mean(1, keepdim=True).repeat(1, {want[1]}, 1, 1)",
            safety=UNSAFE,
        )
    )


def _read_keys(ck: CheckpointReport, head: str | None, inferred: list[str], fixes: list[Fix]) -> None:
    """Keys only one side has: a checkpoint saved without its head, modules the model lacks; and
    the keys to drop before loading."""
    if head and _saved_without_head(ck, head):
        inferred.append(f"the checkpoint has no weights for `{shown(_module(head))}`: it was saved without its head")
        fixes.append(
            Fix(
                description="load the rest and keep the new head: missing keys are what strict=False skips",
                code="model.load_state_dict(state, strict=False)",
                safety=SAFE,
            )
        )
    if ck.unexpected and not ck.missing:
        modules = sorted({_module(k).split(".")[0] for k in ck.unexpected})
        inferred.append(f"the checkpoint has modules the model lacks: {', '.join(f'`{shown(m)}`' for m in modules)}")
    drop = [*ck.mismatched, *ck.unexpected]
    if drop:
        fixes.append(_drop_keys_fix(drop))


def _saved_without_head(ck: CheckpointReport, head: str) -> bool:
    """The only differences are missing keys, all of the head's module."""
    if not ck.missing or ck.mismatched or ck.unexpected:
        return False
    return all(_module(k) == _module(head) for k in ck.missing)


def _drop_keys_fix(drop: list[str]) -> Fix:
    """The keys that do not fit left out of the state before loading (six named, then `…`)."""
    # repr: a key is data from the file, and the fix is Python someone pastes
    listed = ", ".join(repr(k) for k in drop[:6]) + (", …" if len(drop) > 6 else "")
    return Fix(
        description="or drop the keys that do not fit before loading (those layers stay randomly "
        "initialised; strict=False alone does not skip size mismatches)",
        code=f"state = {{k: v for k, v in state.items() if k not in {{{listed}}}}}\n"
        "model.load_state_dict(state, strict=False)",
        safety=UNSAFE,
    )


def _notes(ck: CheckpointReport) -> list[str]:
    """The checkpoint's own notes, and PyTorch's message for the first size mismatch."""
    notes = list(ck.notes)
    if ck.mismatched:
        k = ck.mismatched[0]
        notes.append(
            f"PyTorch reports: size mismatch for {shown(k)}: copying a param with shape "
            f"torch.Size({list(ck.checkpoint[k])}) from checkpoint, the shape in current model is "
            f"torch.Size({list(ck.model[k])})"
        )
    return notes


def _counts(ck: CheckpointReport) -> str:
    """`2 shape differences, 1 missing key`."""
    counts = []
    for count, what in ((len(ck.mismatched), "shape difference"), (len(ck.missing), "missing key")):
        if count:
            counts.append(f"{count} {what}{'s' * (count != 1)}")
    if ck.unexpected:
        counts.append(f"{len(ck.unexpected)} unexpected key{'s' * (len(ck.unexpected) != 1)}")
    return ", ".join(counts)
