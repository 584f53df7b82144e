"""Every rule code, reserved, active or removed. Codes are a public contract: never reused."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

ACTIVE = "active"
RESERVED = "reserved"  # the code is taken; the rule is not written yet
REMOVED = "removed"  # kept listed so the code is never given to another rule


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str  # reads naturally after "ignore": missing-flatten
    summary: str
    status: str = RESERVED
    severity: str | None = None
    page: str = "docs/rules.md"  # the document whose `#scNNN-name` section shows the rule at work

    @property
    def anchor(self) -> str:
        """The section of `page` about the rule: its heading is `### SC101 missing-flatten`."""
        return f"{self.code.lower()}-{self.name}"

    @property
    def doc(self) -> str:
        """Where the rule is shown at work, from the repository's root: `docs/rules.md#sc101-…`."""
        return f"{self.page}#{self.anchor}"


SEQUENCE_PAGE = "docs/sequence-models.md"

CODES: dict[str, RuleInfo] = {
    info.code: info
    for info in (
        RuleInfo("SC100", "unclassified-error", "the forward pass failed in a way no rule explains"),
        RuleInfo("SC101", "missing-flatten", "a Linear receives a conv/pool feature map that was never flattened"),
        RuleInfo("SC102", "in-features-mismatch", "a Linear's in_features differs from the size that reaches it"),
        RuleInfo(
            "SC103",
            "size-locked-head",
            "a Linear head only fits one input size: no adaptive pooling before the flatten",
        ),
        RuleInfo("SC104", "channel-mismatch", "a conv's in_channels differs from the channels it receives"),
        RuleInfo("SC105", "rank-mismatch", "a batch or channel dim is missing"),
        RuleInfo("SC106", "batch-mixing", "an op mixes samples of the batch (cat on dim 0, view(-1, n))"),
        RuleInfo("SC107", "input-too-small", "a feature map shrinks below a kernel's size"),
        RuleInfo("SC108", "batchnorm-single-value", "BatchNorm in training mode sees one value per channel"),
        RuleInfo("SC109", "concat-mismatch", "tensors joined by cat differ outside the cat dim"),
        RuleInfo("SC110", "checkpoint-mismatch", "a checkpoint's keys or shapes differ from the model's"),
        RuleInfo("SC111", "view-non-contiguous", "view on a tensor made non-contiguous by permute/transpose"),
        RuleInfo("SC112", "broadcast-mismatch", "an elementwise op between shapes that do not broadcast"),
        RuleInfo("SC113", "invalid-view", "a view/reshape size that does not divide the tensor"),
        RuleInfo(
            "SC114",
            "channels-last-layout",
            "a conv or norm layer receives its channels in the last dim",
            page=SEQUENCE_PAGE,
        ),
        RuleInfo(
            "SC115", "rnn-input-size", "an RNN's input_size differs from the features that reach it", page=SEQUENCE_PAGE
        ),
        RuleInfo(
            "SC116",
            "batch-first-confusion",
            "the batch reaches an RNN or attention layer in its time dim",
            page=SEQUENCE_PAGE,
        ),
        RuleInfo(
            "SC117",
            "attention-shape",
            "attention inputs or masks do not fit embed_dim, kdim, vdim or the heads",
            page=SEQUENCE_PAGE,
        ),
        RuleInfo("SC118", "embedding-input", "an Embedding receives indices that are not integers", page=SEQUENCE_PAGE),
        RuleInfo(
            "SC119", "batch-broadcast", "an elementwise op broadcasts the batch against another dim", page=SEQUENCE_PAGE
        ),
        RuleInfo("SC120", "softmax-dim", "a softmax normalises over the batch dim or over a dim of size 1"),
        RuleInfo("SC121", "view-regroups-dims", "a view/reshape mixes dims it neither merges whole nor splits"),
        RuleInfo("SC122", "batch-pairs", "broadcasting pairs every sample with every other ([B, 1] with [B])"),
        RuleInfo("SC123", "pytorch-warning", "PyTorch warned while the model ran"),
        RuleInfo("SC124", "embedding-range", "an Embedding receives positions past its table"),
        RuleInfo("SC125", "loss-target-shape", "an elementwise loss gets input and target of different shapes"),
        RuleInfo("SC126", "batch-lost", "the model's output has no dim that follows the batch"),
        RuleInfo("SC127", "structured-output", "a module's tuple, named or dict output is used as one tensor"),
        RuleInfo("SC128", "matmul-shape", "a matrix product between tensors whose dims do not fit"),
        RuleInfo(
            "SC129",
            "plain-container-submodule",
            "modules kept in a plain list, tuple or dict: the model does not hold them",
        ),
        RuleInfo("SC130", "index-shape", "gather or scatter gets an index with fewer dims than the data"),
        RuleInfo("SC131", "dim-out-of-range", "an op is given a dim its tensor does not have"),
        RuleInfo("SC132", "unused-layer", "a layer put in a library's model under a name its forward never calls"),
    )
}

# code → check function, filled by the @rule decorator as rule modules are imported.
CHECKS: dict[str, Callable] = {}
# Codes whose fixes are verified by a whole diagnosis of the fixed model, re-runs included
# (another batch size, …): a fix must keep what the layer means, not only make it run.
INTENT_CHECKED: set[str] = set()


def rule(code: str, severity: str, intent: bool = False):
    """Register a check function under a reserved code and mark the code active. While the check
    runs, `ctx.rule` is its RuleInfo, so `ctx.finding(...)` takes the code and severity from here."""

    def register(fn: Callable) -> Callable:
        if intent:
            INTENT_CHECKED.add(code)
        CODES[code] = replace(CODES[code], status=ACTIVE, severity=severity)

        @functools.wraps(fn)
        def check(ctx, *args, **kwargs):
            outer, ctx.rule = ctx.rule, CODES[code]
            try:
                return fn(ctx, *args, **kwargs)
            finally:
                ctx.rule = outer  # a rule that runs another rule's check gets its own back

        CHECKS[code] = check
        return check

    return register
