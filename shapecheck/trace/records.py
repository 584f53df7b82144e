"""The trace as plain data: what each layer and functional op received and returned.

Nothing here imports torch, so rules and renderers can be tested on hand-built traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..words import Word


@dataclass(frozen=True)
class Location:
    """A place in source code: the user's call or a layer's definition."""

    file: str
    line: int
    source: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class TensorInfo:
    """One tensor seen by the trace.

    `key` is its path inside a nested argument (`[0]`, `['out']`, `x=`), `tid` a lineage id
    that stays the same while only its values change, and `source` the index of the row that
    first produced it (None for model inputs and tensors of unknown origin).
    """

    shape: tuple[int, ...]
    dtype: str = "float32"
    key: str = ""
    tid: int | None = None
    source: int | None = None
    contiguous: bool = True  # recorded for op inputs: `view` needs it
    stride: tuple[int, ...] | None = None  # recorded for op inputs
    symbolic: tuple[str, ...] | None = None  # the shape as expressions of the input dims (--symbolic)
    from_input: bool | None = None  # computed from a model input (False: from weights, buffers or constants)
    formula: tuple | None = None  # `symbolic` as domain.formulas formulas, to evaluate at other sizes
    values: tuple[int, int] | None = None  # smallest and largest value, when known (torch.arange positions)

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        total = 1
        for d in self.shape:
            total *= d
        return total


class RowKind(Word):
    """What a row of the trace records."""

    MODULE = "module"  # one call of an nn.Module
    OP = "op"  # one functional op called in model code (torch.cat, x.view, F.relu)


class RowStatus(Word):
    """How a row's call ended."""

    OK = "ok"
    FAILED = "failed"  # it raised: the row the trace stopped at
    RUNNING = "running"  # entered and not yet returned, while the trace runs
    ABORTED = "aborted"  # entered, and a later row inside it failed: it never returned


MODULE, OP = RowKind.MODULE, RowKind.OP


@dataclass
class LayerRecord:
    """A row of the trace: one call of a module, or one functional op in model code."""

    index: int
    name: str  # qualified module name; for an op, the op's short name
    type: str  # `Linear`, `torch.flatten`
    kind: RowKind
    depth: int
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    params: int = 0
    trainable: int = 0
    status: RowStatus = RowStatus.OK
    call: int = 1  # 2, 3, … for repeated calls of the same module, or of the same op line
    parent: int | None = None  # the enclosing module's row
    attrs: dict = field(default_factory=dict)  # in_features, kernel_size, … ; op arguments
    defined_at: Location | None = None  # where the module was created
    called_at: Location | None = None  # the model-code line that called it

    def __post_init__(self) -> None:
        self.kind, self.status = RowKind(self.kind), RowStatus(self.status)

    @property
    def failed(self) -> bool:
        return self.status == RowStatus.FAILED

    def dim_argument(self) -> int:
        """The `dim` an op row was called with (`torch.cat(xs, 1)`, `dim=1`); 0 when not given."""
        dim = self.attrs.get("dim")
        args = self.attrs.get("args", [])
        if dim is None and len(args) > 1 and isinstance(args[1], int):
            dim = args[1]
        return dim or 0

    @property
    def location(self) -> Location | None:
        """The most useful place to point at: an op's call, a module's definition."""
        if self.kind == OP:
            return self.called_at
        return self.defined_at or self.called_at


@dataclass
class TraceError:
    """The exception that stopped the forward pass."""

    type: str
    message: str  # as the engine raised it (meta messages differ from a real run)
    layer: int | None  # index of the failing row
    engine_limit: bool = False  # raised because the engine cannot run this op, not by the model
    user_frames: list[Location] = field(default_factory=list)


@dataclass(frozen=True)
class Construction:
    """The model could not be built: the layer whose own check refused its sizes (`layer`, its
    type, "" for the user's own code) with the arguments it was given, the user's line that
    builds it (`call`) and the user's frames out to the model (`frames`, outermost first)."""

    layer: str
    arguments: tuple[tuple[str, int], ...] = ()
    call: Location | None = None
    frames: tuple[Location, ...] = ()
    name: str = ""  # the qualified name it would have had (`b3.norm`), from the frames' `self.x =`

    def argument(self, name: str) -> int | None:
        return dict(self.arguments).get(name)


@dataclass
class TraceWarning:
    """A warning PyTorch (or a library) raised while the model ran: `UserWarning: Using a target
    size (torch.Size([4])) that is different to the input size (torch.Size([4, 1]))`."""

    category: str
    message: str
    row: int | None  # the module running when it was raised
    location: Location | None = None  # the model-code line that led to it


SEARCH_LIMIT = 1 << 24  # `--fit` looks for the largest batch up to this one


@dataclass
class MemoryUse:
    """Bytes a model holds, as measured on meta at two batch sizes (`trace.memory`): weights,
    what autograd keeps for backward, and the most activation bytes alive at once in an
    inference pass. Activations grow linearly with the batch; every other size follows."""

    weight_bytes: int  # parameters and buffers
    trainable_bytes: int  # parameters that get a gradient
    saved_fixed: float  # bytes kept for backward = saved_fixed + saved_per_sample · batch
    saved_per_sample: float
    live_fixed: float  # most activation bytes alive at once without gradients, likewise
    live_per_sample: float
    # per module, in the order modules first run: (name, kept fixed, kept per sample, gradient
    # bytes of its own parameters); backward visits them in reverse
    segments: list[tuple[str, float, float, int]] = field(default_factory=list)
    batch_dim: bool = True  # False: the input has no batch dim; nothing scales
    budget: int | None = None  # bytes, from --fit: the report states the largest batch within it
    # most activation bytes alive at once in the training pass's forward: what it keeps for
    # backward so far and the temporaries of the op running (a wide intermediate never kept)
    forward_fixed: float = 0.0
    forward_per_sample: float = 0.0

    def saved(self, batch: int) -> int:
        return round(self.saved_fixed + self.saved_per_sample * batch)

    def inference(self, batch: int) -> int:
        """Peak bytes of a forward pass under no_grad (eval): weights and live activations."""
        return self.weight_bytes + round(self.live_fixed + self.live_per_sample * batch)

    def saved_by_layer(self, batch: int) -> dict[str, int]:
        """Bytes each module keeps for backward at `batch` (ops called in a module's own forward
        count for it; "" is the model's own forward)."""
        scale = batch if self.batch_dim else 1
        return {name: round(fixed + per * scale) for name, fixed, per, _ in self.segments}

    def training(self, batch: int, optimizer_states: int = 2) -> int:
        """Peak bytes of a training step: weights, the optimizer's states per weight (2 for
        Adam/AdamW, 1 for SGD with momentum, 0 for plain SGD), and at the worst moment of
        backward the activations still kept plus the gradients already made. Backward visits
        the modules in reverse: in module k's backward, the activations of it and those before
        it are alive and the gradients of it and those after it exist (the optimizer step, at
        the end, has every gradient and no activation). The forward's own peak, temporaries
        included, counts too."""
        scale = batch if self.batch_dim else 1
        kept = [fixed + per * scale for _, fixed, per, _ in self.segments]
        grads = [g for *_, g in self.segments]
        worst = total_kept = sum(kept)
        worst = max(worst, self.forward_fixed + self.forward_per_sample * scale)
        if not self.segments:  # measured without per-module detail
            worst = max(worst, self.saved(batch) + self.trainable_bytes)
        made = 0.0
        for k in range(len(self.segments) - 1, -1, -1):
            made += grads[k]  # during module k's backward: its gradients and its kept tensors
            worst = max(worst, total_kept + made)
            total_kept -= kept[k]
        worst = max(worst, made)
        return self.weight_bytes + optimizer_states * self.trainable_bytes + round(worst)

    def largest_batch(
        self, budget: int, training: bool, optimizer_states: int = 2, limit: int = SEARCH_LIMIT
    ) -> int | None:
        """The largest batch whose peak fits in `budget` bytes (0: not even one sample), found
        by bisection (peaks grow with the batch). None when `limit` fits too: no batch up to
        the search's end is the largest, so none is stated as if it were."""
        at = (lambda b: self.training(b, optimizer_states)) if training else self.inference
        if at(1) > budget:
            return 0
        if at(limit) <= budget:
            return None
        low, high = 1, limit  # at(low) fits, at(high) does not
        while high - low > 1:
            middle = (low + high) // 2
            if at(middle) <= budget:
                low = middle
            else:
                high = middle
        return low


@dataclass(frozen=True)
class HiddenModules:
    """Modules an attribute holds in a plain Python list, tuple or dict (`self.blocks = [...]`):
    PyTorch does not register them, so `.to()`, `parameters()`, `state_dict()` and the trace's
    module rows do not see them."""

    owner: str  # the qualified name of the module that holds them ("" for the model)
    attribute: str  # `blocks`
    container: str  # list | tuple | dict
    types: tuple[str, ...]  # the class of each module held, in order
    params: int  # their parameters, each counted once
    location: Location | None = None  # the line that assigns the attribute


@dataclass(frozen=True)
class UncalledModule:
    """A module with parameters that a complete forward pass never called, inside a module of
    an installed library (a torchvision model) whose own code never names it: a layer the user
    added under a name the library's forward does not use (`resnet.classifier = ...` where
    ResNet ends in `fc`, `mobilenet.fc = ...` where MobileNetV2 ends in `classifier`)."""

    name: str  # `backbone.fc`
    type: str  # `Linear`
    params: int
    owner: str  # `backbone` ("" for the model itself)
    owner_type: str  # `MobileNetV2`
    attrs: dict = field(default_factory=dict)  # the module's sizes (in_features, out_features, …)
    location: Location | None = None  # the user's line that made it


@dataclass(frozen=True)
class UnusedParameter:
    """A parameter set directly on a module of the user's own class that its forward (and the
    methods forward calls) never reads: `self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))`
    with no `self.cls_token` in forward (a position table built for it then has a position too
    many, SC112), a projection read only by a method forward does not call (SC128)."""

    owner: str  # the module's qualified name ("" for the model)
    name: str  # `cls_token`
    shape: tuple[int, ...]
    location: Location | None = None  # the line that assigns it


@dataclass
class Trace:
    """Everything recorded while running one input through a model."""

    model: str
    inputs: list[TensorInfo]
    engine: str  # meta | real
    training: bool = False
    layers: list[LayerRecord] = field(default_factory=list)
    error: TraceError | None = None
    total_params: int = 0
    trainable_params: int = 0
    batch: int | None = 1
    seconds: float = 0.0
    probe_inputs: list[TensorInfo] | None = None  # set by a probe run that stopped at a layer
    image_list: bool = False  # the input is a list of images (detection models), not a batch
    warnings: list[TraceWarning] = field(default_factory=list)  # UserWarnings raised while tracing
    memory: MemoryUse | None = None  # measured when asked (--memory, --fit)
    input_names: tuple[str, ...] = ()  # the caller's names for the inputs (`net(img)` → img), when known
    # modules held in plain lists, tuples or dicts: not submodules, so not in the rows (SC129)
    hidden_modules: list[HiddenModules] = field(default_factory=list)
    # layers added inside a library's module under a name its code never uses (SC132); only
    # for a pass that completed
    uncalled: list[UncalledModule] = field(default_factory=list)
    # parameters of the user's own classes that their code never reads (SC112's class token)
    unused_params: list[UnusedParameter] = field(default_factory=list)
    # the model could not be built: no rows; `error` holds what building it raised
    construction: Construction | None = None
    # the whole numbers the model's class was built with, by name (its defaults, then --arg):
    # what the repair search may build it with instead (`img_size`, `max_len`)
    arguments: tuple[tuple[str, int], ...] = ()

    @property
    def failing(self) -> LayerRecord | None:
        if self.error is None or self.error.layer is None:
            return None
        return self.layers[self.error.layer]

    def row(self, index: int | None) -> LayerRecord | None:
        return None if index is None else self.layers[index]

    def upstream(self, row: LayerRecord):
        """The rows that made `row`'s first input, nearest first, back to the model input."""
        seen = set()
        current = self.row(row.inputs[0].source) if row.inputs else None
        while current is not None and current.index not in seen:
            seen.add(current.index)
            yield current
            current = self.row(current.inputs[0].source) if current.inputs else None

    def is_model_input(self, tensor: TensorInfo) -> bool:
        return tensor.source is None and any(i.tid == tensor.tid for i in self.inputs)

    def ancestors(self, row: LayerRecord):
        """The row itself, then each enclosing module's row out to the root."""
        current: LayerRecord | None = row
        while current is not None:
            yield current
            current = self.row(current.parent)

    def children(self, index: int) -> list[LayerRecord]:
        return [r for r in self.layers if r.parent == index]

    def outermost_producer(self, tensor: TensorInfo) -> LayerRecord | None:
        """The outermost row that returned this tensor (`features` rather than `features.30`)."""
        best = None
        for row in self.layers:
            produced = tensor.tid is not None and any(o.tid == tensor.tid for o in row.outputs)
            if produced and (best is None or row.depth < best.depth):
                best = row
        return best


def call_key(row: LayerRecord) -> tuple:
    """What identifies one call across traces of the same model at other sizes: the module and
    its call number, or the op at its line and occurrence. Not the row's position: an elementwise
    op is a row only where it broadcasts, so a size that makes two shapes equal (a [7, 1] divided
    by its row sums at batch 1) has fewer rows, and every later row sits elsewhere."""
    at = (row.called_at.file, row.called_at.line) if row.kind == OP and row.called_at is not None else None
    return (row.kind, row.name, row.type, row.call, at)
