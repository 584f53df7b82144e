"""Real shape bugs from public threads, rebuilt as small models: the corpus `benchmarks/corpus_score.py`
measures shapecheck on.

Each file holds the models of one family of bugs and a list `BUGS` of entries (the fields of `Bug`). A bug's model
reproduces what the thread reports (its numbers where the thread gives them); `layer` is where the
bug is, and `fixes` are texts of which at least one must appear in a right fix (the edit the thread
settled on, or the one that keeps the model's intent when the thread left it open). No rule was
written for an entry: entries were written from the threads first, then measured.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
ERROR = "error"  # the model fails when run: shapecheck must place and explain it
SILENT = "silent"  # the model runs and computes the wrong thing: shapecheck must flag it
CONSTRUCTION = "construction"  # building the model fails (GroupNorm groups): shapecheck must say why


@dataclass(frozen=True)
class Bug:
    id: str
    source: str  # the thread the bug comes from
    model: str  # class name in the family's file
    inputs: tuple[str, ...]  # --input specs
    layer: str  # qualified name of the layer (or op row) where the bug is; for a model that
    # cannot be built, the text of the line that builds the layer
    fixes: tuple[str, ...] = ()  # any one of these in the first fix's text makes it right
    kind: str = ERROR
    batch: int = 1  # the batch the thread's failure needs (a silent bug over the batch needs 2)
    family: str = ""
    file: str = ""
    note: str = ""
    args: dict = field(default_factory=dict)

    @property
    def target(self) -> str:
        return f"{self.file}:{self.model}"


FAMILIES = (
    "flatten",
    "channels",
    "features",
    "layout",
    "views",
    "skips",
    "small_inputs",
    "positions",
    "rank",
    "silent",
    "construction",
    "sequences",
    "families2",
    "families3",
)


def load_family(family: str):
    """The family's file as a module (it is a model file too: shapecheck loads it by path)."""
    path = HERE / f"{family}.py"
    spec = importlib.util.spec_from_file_location(f"corpus_{family}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_bugs() -> list[Bug]:
    """Every entry of every family, in file order. Entries are plain dicts in the family files,
    so a family file imports nothing but torch."""
    bugs = []
    for family in FAMILIES:
        module = load_family(family)
        for entry in module.BUGS:
            bugs.append(Bug(**entry, family=family, file=str(HERE / f"{family}.py")))
    return bugs
