"""A checkpoint compared with a model, as plain data (no torch): what `--weights` found, for SC110."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CheckpointReport:
    """A checkpoint's tensor shapes next to the model's (from `--weights`), for SC110."""

    path: str
    model: dict  # state-dict key → shape (tuple) the model expects
    checkpoint: dict  # key → shape in the file, after unwrapping and prefix removal
    wrapper: str | None = None  # the key the state dict sat under ("state_dict", "model", …)
    prefix: str | None = None  # the prefix removed from every key ("module.")
    format: str = "torch"  # torch | safetensors
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [k for k in self.model if k not in self.checkpoint]

    @property
    def unexpected(self) -> list[str]:
        return [k for k in self.checkpoint if k not in self.model]

    @property
    def mismatched(self) -> list[str]:
        return [k for k in self.model if k in self.checkpoint and tuple(self.model[k]) != tuple(self.checkpoint[k])]

    @property
    def matches(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)
