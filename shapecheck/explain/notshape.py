"""Messages that are not about shapes: dtypes, devices, memory, autograd, asynchronous CUDA
asserts. Each says so (`NOT_SHAPE`) and gives the usual fix, so that a paste with a shape in its
text (`[torch.FloatTensor [64, 10]]` of an in-place error) does not get a shape story.

These templates come before the shape families: their messages can quote shapes.
"""

from __future__ import annotations

import re

from .explanation import NOT_SHAPE, Explanation
from .templates import Template

_CUDA = re.compile(r"cuda|gpu", re.IGNORECASE)


# a dtype's names in messages (`Double`, `torch.cuda.DoubleTensor`, `float64`, `c10::Half`,
# `unsigned char`), by kind; the first name that fits wins, so `float64` is not read as float
_DTYPE_KINDS = (
    ("double", re.compile(r"double|float64", re.IGNORECASE)),
    ("half", re.compile(r"half|float16|bfloat16|bf16", re.IGNORECASE)),
    ("byte", re.compile(r"byte|uint8|unsigned char|bool", re.IGNORECASE)),
    ("integer", re.compile(r"long|int64|\bint\b|int32|IntTensor|short", re.IGNORECASE)),
    ("float", re.compile(r"float", re.IGNORECASE)),
)

# each reading: when (the kinds it needs among the two named), its cause, its fix
_DTYPE_READINGS = (
    (
        {"double"},
        "numpy arrays are float64 (Double): `torch.from_numpy` keeps that, while the model's weights are "
        "float32 (Float)",
        "convert where the data enters: `x = x.float()` (or `torch.as_tensor(a, dtype=torch.float32)`); "
        "`model.double()` only if float64 is really wanted",
    ),
    (
        {"integer"},
        "a target or an index of another dtype than the op takes: class indices for CrossEntropyLoss/NLLLoss and "
        "Embedding ids are Long, while MSELoss/BCELoss targets are floats (labels loaded as ints, or ids made "
        "floats by a division or `.float()`)",
        "targets of CrossEntropyLoss/NLLLoss and Embedding inputs as `.long()`; targets of MSELoss/BCELoss as "
        "`.float()`; class weights as `.float()`",
    ),
    (
        {"half"},
        "half-precision (or bfloat16) weights meet float32 inputs (or the reverse): a model loaded in float16 or "
        "bfloat16, or a tensor made outside autocast",
        "keep the inputs and the weights in one dtype (`x.to(model.dtype)`, `model.half()` with `x.half()`), or "
        "run under `torch.autocast`",
    ),
    (
        {"byte"},
        "uint8 (Byte) images or a bool mask reach a layer with float weights: the pixels were never converted "
        "(no `ToTensor()`, an image read with OpenCV or numpy)",
        "convert the images: `x = x.float() / 255` (or `transforms.ToTensor()`), a mask with `.float()`",
    ),
)


def _dtype_kind(name: str) -> str:
    return next((kind for kind, pattern in _DTYPE_KINDS if pattern.search(name)), "")


def dtype(a: str, b: str, where: str = "") -> Explanation:
    """Two dtypes that meet in one op: the readings of the pair named (float64 from numpy, an integer
    target or index, half precision, uint8 pixels); all of them when the message names none."""
    pair = f" ({a} and {b})" if a and b else ""
    kinds = {_dtype_kind(a), _dtype_kind(b)}
    readings = [r for r in _DTYPE_READINGS if r[0] & kinds] or list(_DTYPE_READINGS)
    return Explanation(
        NOT_SHAPE,
        f"a dtype mismatch: two dtypes meet in one op{pair}{where}",
        "the dtype check of matmul / Linear, conv, the losses and autograd",
        [],
        [cause for _, cause, _ in readings],
        [fix for _, _, fix in readings],
    )


_DTYPE_NAME = re.compile(
    r"torch\.(?:cuda\.)?[A-Z]\w{0,12}Tensor|\bCUDA(?:Int|Long|Float|Double|Half|Byte|Short)Tensor\b|c10::\w{3,12}|\b(?:BFloat16|Float|Double|Half|Long|Int|Short|Byte|Bool"
    r"|float64|float32|float16|bfloat16|int64|int32|uint8)\b"
)


def named_dtypes(text: str) -> tuple[str, str]:
    """The last two dtypes of different kinds a message names (`but got BFloat16 and Float`, `scalar type
    Long; but got torch.FloatTensor`), for a template that has no fields for them: ("", "") when fewer."""
    names = _DTYPE_NAME.findall(text[-400:])
    for i in range(len(names) - 1, 0, -1):
        for j in range(i - 1, -1, -1):
            if _dtype_kind(names[j]) != _dtype_kind(names[i]):
                return names[j], names[i]
    # two integer types (Long against a 32-bit Int): a width, which an index or a target must have
    ints_named = [n for n in names if _dtype_kind(n) == "integer"]
    if len(set(ints_named)) >= 2 and len(set(names)) == len(set(ints_named)):
        return ints_named[-2], ints_named[-1]
    return "", ""


def _dtype_fields(f: dict) -> Explanation:
    a, b = f.get("a") or "", f.get("b") or ""
    if not (a and b):
        a, b = named_dtypes(f.get("_text", ""))
    if (_CUDA.search(a) and not _CUDA.search(b)) or (_CUDA.search(b) and not _CUDA.search(a)):
        return device(a, b)
    return dtype(a, b)


def device(a: str, b: str) -> Explanation:
    pair = f" ({a} and {b})" if a and b else ""
    return Explanation(
        NOT_SHAPE,
        f"a device mismatch: tensors on two devices meet in one op{pair}",
        "the device check of every op with several tensor arguments",
        [],
        [
            "the model was moved with `.to(device)` / `.cuda()` but the input, the target or the hidden state "
            "was not (or the reverse)",
            "a tensor made inside forward without `device=` (torch.zeros, a mask, a layer built in forward), or a "
            "constant tensor kept as a plain attribute, which `model.to()` does not move",
        ],
        [
            "move inputs and targets with the model: `x = x.to(device)`; make new tensors with `device=x.device`",
            "register constant tensors with `register_buffer` and sub-layers as attributes or in "
            "`nn.ModuleList`, so `model.to(device)` moves them",
        ],
    )


def _device_fields(f: dict) -> Explanation:
    return device(f.get("a") or "", f.get("b") or "")


def _oom(f: dict) -> Explanation:
    e = Explanation(
        NOT_SHAPE,
        "out of memory: the tensors of this step do not fit in the device's memory",
        "the CUDA caching allocator (torch.cuda.OutOfMemoryError) or the CPU allocator",
        [],
        [
            "the batch (or the image / sequence size) is too large for the GPU: activations grow with batch × "
            "size, attention with the sequence length squared",
            "memory held across steps: a loss accumulated with its graph (`total += loss` instead of "
            "`loss.item()`), evaluation without `torch.no_grad()`, another process on the same GPU",
        ],
        [
            "a smaller batch size (gradient accumulation keeps the effective batch), smaller inputs",
            "mixed precision (`torch.autocast`), gradient checkpointing, `torch.no_grad()` for evaluation",
            "`PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True` when reserved memory is much larger than "
            "allocated (fragmentation)",
        ],
    )
    if f.get("size"):
        e.numbers.append((f["size"], "the allocation that failed"))
    return e


def _inplace(f: dict) -> Explanation:
    e = Explanation(
        NOT_SHAPE,
        "autograd: a tensor needed for backward was modified in place (the shape in the message is only the tensor's)",
        "autograd's saved-tensor version check (torch/csrc/autograd/saved_variable.cpp)",
        [],
        [
            "an in-place op on a tensor the forward saved: `x += …`, `x[mask] = …`, `relu_`, "
            "`nn.ReLU(inplace=True)` or `LeakyReLU(inplace=True)` after a layer that needs its output",
            "`optimizer.step()` between a forward and its backward (GAN training with two optimizers, a second "
            "backward after a step): the step changes the weights in place",
        ],
        [
            "`torch.autograd.set_detect_anomaly(True)` names the forward op whose input changed",
            "write the op out of place: `x = x + y`, `x = x.clone()` before an indexed assignment, `inplace=False`",
            "call backward on every loss before `optimizer.step()`, or recompute the forward after it",
        ],
    )
    if f.get("shape"):
        e.numbers.append((f["shape"], "the shape of the modified tensor: a name for it, not a mismatch"))
    return e


def _autograd(what: str, causes: list[str], fixes: list[str]) -> Explanation:
    return Explanation(NOT_SHAPE, f"autograd: {what}", "torch.autograd", [], causes, fixes)


def _graph_twice(f: dict) -> Explanation:
    return _autograd(
        "backward through a graph whose saved tensors were already freed",
        [
            "a second backward through the same graph: a hidden state kept across batches (RNN), or a tensor "
            "computed once outside the loop and used in every step"
        ],
        [
            "detach what is carried across steps (`h = h.detach()`), recompute the forward each step",
            "`backward(retain_graph=True)` only if two backward passes through one graph are meant",
        ],
    )


def _no_grad(f: dict) -> Explanation:
    return _autograd(
        "the loss does not require grad (no grad_fn)",
        [
            "the forward ran under `torch.no_grad()` or with frozen parameters (`requires_grad=False`), or the "
            "output was rebuilt from numbers (`torch.tensor(...)`, `.item()`, `.detach()`, `argmax`)"
        ],
        ["keep the computation in torch from the parameters to the loss; unfreeze what must be trained"],
    )


def _leaf(f: dict) -> Explanation:
    return _autograd(
        "an in-place op on a leaf tensor that requires grad",
        ["a parameter or a `requires_grad=True` tensor changed in place outside `torch.no_grad()`"],
        ["wrap initialisation or manual updates in `with torch.no_grad():`"],
    )


def _scalar_grad(f: dict) -> Explanation:
    return _autograd(
        "backward() on a tensor with more than one value",
        ["the loss was left unreduced (`reduction='none'`, or an output used as the loss)"],
        ["reduce it first: `loss.mean().backward()` (or pass a gradient of the same shape)"],
    )


def _numpy(f: dict) -> Explanation:
    if "cuda" in (f.get("x") or "").lower() or f.get("dev") or f.get("cuda"):
        # a conversion, not an op between two devices: numpy arrays live in host memory only
        where = (f.get("x") or "cuda").strip()
        return Explanation(
            NOT_SHAPE,
            f"a tensor on the GPU ({where}) converted to numpy, which holds arrays in host memory only",
            "Tensor.numpy (also np.array(t), matplotlib and sklearn given a tensor)",
            [],
            [
                "a result of the model on the GPU (an output, a loss, a metric's input) handed to numpy, a plot or "
                "a scikit-learn metric without coming back to the CPU"
            ],
            ["`t.detach().cpu().numpy()` (or `.item()` for one value)"],
        )
    return _autograd(
        "numpy() on a tensor that requires grad",
        ["a tensor still in the autograd graph converted to numpy"],
        ["`t.detach().cpu().numpy()`"],
    )


def device_assert(text: str) -> Explanation:
    """A CUDA device-side assert: the kernel's assertion, when the paste shows it, tells which."""
    e = Explanation(
        NOT_SHAPE,
        "a CUDA device-side assert: a kernel found an invalid value (the error is asynchronous, so the "
        "Python line shown may be a later one)",
        "a CUDA kernel's assertion (reported at the next synchronising call)",
        [],
        [],
        [
            "run the same batch on the CPU (or with `CUDA_LAUNCH_BLOCKING=1`): the CPU raises the real error, "
            "at the real line",
        ],
    )
    low = text.lower()
    if "srcindex < srcselectdimsize" in low or "indexselect" in low or "index out of bounds" in low:
        e.causes.append(
            "an index past the end of a table: token ids ≥ the Embedding's num_embeddings (a tokenizer larger "
            "than the model's vocabulary), or positions past max_position_embeddings"
        )
        e.fixes.append("`resize_token_embeddings(len(tokenizer))`, truncate to the model's max length")
    elif "n_classes" in low or "cur_target" in low or "target" in low:
        e.causes.append(
            "a class label outside [0, num_classes): labels 1..C instead of 0..C-1, an ignore value other than "
            "-100, or a head with fewer outputs than there are classes"
        )
        e.fixes.append("check `target.min()`, `target.max()` against the model's number of classes")
    elif "input_val" in low or "between 0 and 1" in low:
        e.causes.append("BCELoss got a value outside [0, 1]: logits without a sigmoid")
        e.fixes.append("`nn.BCEWithLogitsLoss` on the logits")
    else:
        e.causes.append(
            "most often an index out of range: a class label ≥ num_classes (or negative) in a loss, or a token "
            "id ≥ num_embeddings in an Embedding"
        )
        e.fixes.append("check `target.max() < num_classes` and `ids.max() < num_embeddings`")
    return e


def cuda_library(name: str) -> Explanation:
    """A CUDA library call that failed (cuBLAS, cuDNN, NCCL): not a shape check; a GEMM that fails to execute
    is most often an earlier kernel's invalid index reported late, or a build that does not fit the GPU."""
    e = Explanation(
        NOT_SHAPE,
        f"a CUDA library failure ({name[:60]})",
        "cuBLAS / cuDNN / NCCL, reported through PyTorch",
        [],
        [
            "most often not about the shapes: a driver or build that does not fit the GPU, memory "
            "exhausted while the library set up, or an earlier invalid index reported late (asynchronous)",
            "half or bfloat16 on a GPU or a library release that lacks kernels for it",
        ],
        [
            "rerun with `CUDA_LAUNCH_BLOCKING=1` (or on the CPU) to see the real failing op and message",
            "check that the torch build matches the driver and GPU (`torch.version.cuda`, "
            "`torch.cuda.get_device_capability()`); try float32",
        ],
    )
    if "EXECUTION_FAILED" in name.upper():
        e.title = "a cuBLAS matrix multiply failed to run on the GPU (not a shape check: cuBLAS got sizes it accepted)"
        e.causes = [
            "an earlier kernel failed and CUDA reports it at this matmul (errors are asynchronous): most often an "
            "index out of range before it (token ids ≥ an Embedding's size, labels ≥ the classes)",
            "the torch build (or a custom CUDA extension) does not fit this GPU or driver: a wheel for an older CUDA "
            "on a newer card (CUDA 10 on an RTX 30xx), an extension compiled for another CUDA than torch's",
            "half precision (`CUDA_R_16F`, cublasGemmEx) on a GPU or cuBLAS release without those kernels",
        ]
    return e


def _cublas_fields(f: dict) -> Explanation:
    m = re.search(r"CUBLAS_STATUS_\w+", f.get("_text", "")[-600:])
    return cuda_library(m.group(0) if m else "CUBLAS_STATUS_EXECUTION_FAILED")


def _cast_result(f: dict) -> Explanation:
    """`result type Float can't be cast to the desired output type Long`: an in-place op (or `out=`) whose
    result has a dtype its destination cannot hold."""
    a, b = f.get("a") or "", f.get("b") or ""
    e = dtype(a, b)
    e.title = f"an in-place op (or `out=`) makes a {a} result that its {b} destination cannot hold"
    e.raised_by = "aten/src/ATen/TensorIterator.cpp: compute_types (an in-place op or out=)"
    e.causes = [
        f"the op writes into an existing {b} tensor (`x.add_(y)`, `x += y`, `x.clamp_(lo, hi)`, `x.mul_(0.5)`, "
        f"`out=x`) and the result is {a}: an operand or a bound of the wider type (a float tensor, a float from "
        "a division), or a running buffer kept as an integer (BatchNorm's `num_batches_tracked` averaged with "
        "floats)"
    ]
    e.fixes = [
        f"make the other operand {b} (`gain[3].long()`, `int(...)`), or write it out of place (`x = x + y` makes a "
        "new tensor of the wider type); skip integer buffers when averaging weights"
    ]
    return e


def _index_put_dtypes(f: dict) -> Explanation:
    """`x[idx] = v` with v of another dtype than x (since 1.x index_put does not convert)."""
    dest, src = f.get("a") or "", f.get("b") or ""
    e = dtype(dest, src)
    e.title = f"an indexed assignment `x[idx] = v` puts a {src} value into a {dest} tensor"
    e.raised_by = "aten/src/ATen/native/TensorAdvancedIndexing.cpp: index_put_"
    e.causes = [
        f"assignment through an index (a mask, a list of indices) does not convert: the value is {src} and the "
        f"tensor {dest} (an int32 array from numpy or a dataset against int64 labels, a float16 output written "
        "into a float32 buffer, a Python int result of another width)"
    ]
    e.fixes = [
        "convert the value to the tensor's dtype: `x[idx] = v.to(x.dtype)` "
        f"(here `.{_METHOD.get(dest, 'to(x.dtype)')}`)"
    ]
    return e


_METHOD = {
    "Long": "long()",
    "Int": "int()",
    "Float": "float()",
    "Double": "double()",
    "Half": "half()",
    "BFloat16": "bfloat16()",
    "Bool": "bool()",
    "Byte": "byte()",
}


def _assert_fields(f: dict) -> Explanation:
    return device_assert(f.get("_text", ""))


def _worker(f: dict) -> Explanation:
    return Explanation(
        NOT_SHAPE,
        "a DataLoader worker process died",
        "torch/utils/data/dataloader.py (the worker's exit, not its error)",
        [],
        [
            "the worker was killed, most often for want of shared memory (Docker's 64 MB `/dev/shm`) or RAM, or it "
            "crashed in the dataset's code; the message hides the worker's own error"
        ],
        [
            "`num_workers=0` to see the dataset's real error; for shared memory, `--shm-size` (or `--ipc=host`) in "
            "Docker, fewer workers or a smaller batch"
        ],
    )


def _generate_length(f: dict) -> Explanation:
    n, most = f.get("n") or "?", f.get("m") or "?"
    return Explanation(
        NOT_SHAPE,
        f"generate's max_length ({most}) is shorter than the prompt ({n} tokens)",
        "transformers/generation/utils.py (a length setting, not a shape check)",
        [(str(n), "tokens of the prompt"), (str(most), "max_length: prompt and new tokens together")],
        ["`max_length` counts the prompt too: a prompt of its length or longer leaves no room for new tokens"],
        ["set `max_new_tokens` (the tokens to generate) instead of `max_length`, or truncate the prompt"],
    )


def _degenerate_box(f: dict) -> Explanation:
    # the box as the paste shows it (torchvision's older releases wrote "Found invaid box")
    found = re.search(r"invai?l?id box (\[[^\]]{1,200}\])", f.get("_text", "")[-800:])
    box = found.group(1) if found else ""
    return Explanation(
        NOT_SHAPE,
        f"a detection target has a box of no width or height: {box}",
        "torchvision/models/detection/generalized_rcnn.py (the boxes' values, not their shape)",
        [(box, "the box [x1, y1, x2, y2]")] if box else [],
        [
            "a box whose x2 ≤ x1 or y2 ≤ y1: boxes given as [x, y, width, height] where torchvision takes "
            "[x1, y1, x2, y2], a zero-sized annotation, or a box clipped to nothing by a crop or resize"
        ],
        [
            "convert xywh to xyxy (`torchvision.ops.box_convert(b, 'xywh', 'xyxy')`) and drop boxes with "
            "`(b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1])` false, in the dataset"
        ],
    )


def _bce_range(f: dict) -> Explanation:
    return Explanation(
        NOT_SHAPE,
        "BCELoss got values outside [0, 1]",
        "F.binary_cross_entropy",
        [],
        ["logits (any real number) passed to BCELoss, which expects probabilities"],
        ["`nn.BCEWithLogitsLoss` on the logits (or a sigmoid before BCELoss)"],
    )


_INTEGERS = {"Int", "Short", "Byte", "Char", "Bool"}
_FLOATS = {"Float", "Double", "Half", "BFloat16"}
_WIDTHS = {"Int": "int32", "Short": "int16", "Byte": "uint8", "Char": "int8", "Bool": "bool"}


def _not_implemented(f: dict) -> Explanation:
    kind = f.get("t") or ""
    op = (f.get("op") or "").lower()
    e = dtype("", "", f": an op has no kernel for {kind}" if kind else "")
    reading = _kernel_reading(op, kind)
    e.causes.insert(
        0,
        reading[0]
        if reading
        else f"the op has no kernel for dtype {kind} on this device: Half on the CPU, or an integer tensor where "
        "a float one is needed (or a float target where class indices are)",
    )
    if reading:
        e.fixes.insert(0, reading[1])
    return e


def _kernel_reading(op: str, kind: str) -> tuple[str, str] | None:
    """The kernel's name says which tensor has the dtype: a loss's class indices, an Embedding's ids,
    half precision on the CPU, integers into a float op."""
    if re.search(r"nll_loss|cross_entropy|multi_margin|multilabel_margin", op) and kind != "Long":
        what = "floats" if kind in _FLOATS else f"{_WIDTHS.get(kind, kind)} integers"
        return (
            f"the loss's target holds {what}: class indices for CrossEntropyLoss/NLLLoss must be int64 (Long)",
            "`target = target.long()` (labels made with numpy or `torch.tensor(..., dtype=torch.int32)` are not)",
        )
    if re.search(r"embedding|index_select|index_put|gather|scatter", op) and kind in _FLOATS:
        return (
            f"the indices (token ids, an index tensor) are {kind}: indexing takes int64 (Long)",
            "`ids = ids.long()` where they are made",
        )
    if kind in ("Half", "BFloat16") and re.search(r"cpu", op):
        return (
            f"{kind} (half precision) on the CPU, which has no {kind} kernel for this op: a model loaded in "
            "float16 but run without a GPU",
            "run on the GPU, or `model.float()` / `x.float()` on the CPU",
        )
    if kind in _INTEGERS | {"Long"} and re.search(r"addmm|matmul|\bmm|conv|softmax|norm|gelu|sigmoid|tanh|mean", op):
        return (
            f"an integer ({kind}) tensor into a float op: data loaded as integers (pixels as uint8, numpy ints)",
            "`x = x.float()` (and scale pixels to [0, 1]) before the model",
        )
    return None


def _ambiguous(f: dict) -> Explanation:
    return Explanation(
        NOT_SHAPE,
        "a tensor of several values used as a Python bool",
        "Tensor.__bool__",
        [],
        ["`if x == y:`, `and`/`or`, or `assert` on a tensor of more than one element"],
        ["reduce it: `(x == y).all()`, `.any()`, or `torch.equal(x, y)`"],
    )


def _wrong_type(f: dict) -> Explanation:
    """`'tuple' object has no attribute 'size'`: a Python object where a tensor was expected; what it
    usually is, by its type."""
    kind, attr = f["t"], f["a"]
    e = Explanation(
        NOT_SHAPE,
        f"a {kind} where a tensor was expected (`.{attr}` asked of it)",
        "Python attribute lookup (the value is not a torch.Tensor)",
    )
    if kind == "tuple":
        e.causes = [
            "a module that returns a tuple, passed on as if it were a tensor: an RNN/LSTM/GRU returns "
            "`(output, h_n)` / `(output, (h_n, c_n))`; Inception/GoogLeNet in training returns (logits, aux_logits); "
            "a Hugging Face model's outputs taken with `return_dict=False`; a DataLoader batch is a tuple of "
            "(inputs, labels)"
        ]
        e.fixes = [
            "take the tensor out of the tuple: `out, _ = self.lstm(x)` (or `out = self.lstm(x)[0]`), "
            "`logits = outputs[0]` / `outputs.logits`, `x, y = batch`"
        ]
    elif kind == "list":
        e.causes = [
            "a list of tensors (or numbers) where one tensor is expected: samples collected in a Python list, a "
            "batch the DataLoader collated into a list (variable-size items), a ModuleList's outputs"
        ]
        e.fixes = ["join them: `torch.stack(xs)` (same shapes) or `torch.cat(xs)`, or `torch.tensor(values)`"]
    elif kind == "NoneType":
        e.causes = [
            "the value is None: an image that failed to load (`cv2.imread` returns None for a wrong path or an "
            "unreadable file), or a `forward`/function without a `return`, or a layer returning None"
        ]
        e.fixes = ["check the path exists (and the file reads), or add the missing `return x`"]
    elif kind == "str":
        e.causes = [
            "strings where tensors are expected: a Hugging Face model's output (a ModelOutput, dict-like) unpacked "
            "as a tuple (`_, pooled = bert(ids)`) gives its keys, since transformers 4 returns ModelOutput by "
            "default; or a batch of raw texts or file names not yet tokenized or loaded"
        ]
        e.fixes = [
            "take the fields by name (`outputs.last_hidden_state`, `outputs.pooler_output`) or pass "
            "`return_dict=False`; tokenize or load the strings first"
        ]
    else:
        e.causes = [
            "a NumPy array where a tensor is expected (data prepared in numpy, or a tensor turned into numpy earlier)"
        ]
        e.fixes = ["convert it: `torch.from_numpy(a)` (then `.float()`), or keep it a tensor"]
    return e


def _scalar_index(f: dict) -> Explanation:
    """`loss.data[0]` on a 0-D tensor: code written for PyTorch 0.3, run on 0.4 or later."""
    return Explanation(
        "SC131",
        "a 0-D tensor (a scalar) indexed as if it had a dim",
        "Tensor.__getitem__ on a 0-dim tensor",
        [],
        [
            "`loss.data[0]` or `loss[0]` on a scalar: since PyTorch 0.4 a reduction (a loss, `sum()`, an accuracy) "
            "returns a 0-D tensor, not a 1-element vector, so code written for 0.3 indexes a tensor without dims"
        ],
        ["`loss.item()` for the Python number (or `loss` itself); drop the `[0]`"],
    )


def _one_element(f: dict) -> Explanation:
    return Explanation(
        NOT_SHAPE,
        "a tensor of several values read as one Python number",
        "Tensor.item / float() / int() (c10::Scalar conversion)",
        [],
        [
            "`.item()`, `float(x)` or `int(x)` on a tensor of more than one element: a loss left unreduced "
            "(`reduction='none'`), a batch of predictions or accuracies, or a list of tensors passed to numpy or a "
            "plotting call"
        ],
        ["reduce it first (`x.mean().item()`, `x.sum()`), take one element (`x[0].item()`), or `x.tolist()`"],
    )


def _deserialize(f: dict) -> Explanation:
    return device("cuda (the checkpoint)", "cpu (this machine)")


def _said(title: str, raised_by: str, causes: list[str], fixes: list[str]):
    """A builder for a message that is not about shapes: what it is, and its usual fix."""

    def build(f: dict) -> Explanation:
        return Explanation(NOT_SHAPE, title, raised_by, [], list(causes), list(fixes))

    return build


_OVERLAP = _said(
    "an in-place write into a tensor whose elements share memory (an expanded or broadcast view)",
    "ATen's memory-overlap check of in-place ops",
    ["`expand`, `broadcast_to` or a stride-0 view written in place (`x += …`, `x[…] = …`, an in-place activation)"],
    ["`.clone()` (or `.contiguous()`) the expanded tensor before writing into it, or use the out-of-place op"],
)
_NAN = _said(
    "autograd's anomaly detection found NaN in a backward",
    "torch.autograd.detect_anomaly",
    ["a value that is NaN or infinite: log of 0, sqrt of 0's gradient, division by 0, a too-large learning rate"],
    ["clamp the inputs of log/sqrt/division (`x.clamp_min(1e-8)`), lower the learning rate, check the data for NaN"],
)
_META = _said(
    "a model whose weights were never loaded (meta tensors have no data)",
    "the meta device (accelerate's init_empty_weights, device_map, low_cpu_mem_usage)",
    ["a model built on the meta device and moved with `.to()` before its weights were loaded"],
    ["load the weights into it (`load_state_dict(..., assign=True)`) or use `model.to_empty(device=…)` first"],
)
_FLASH = _said(
    "FlashAttention does not run on this GPU",
    "the FlashAttention kernels (flash-attn, SDPA's flash backend)",
    ["a GPU older than Ampere (compute capability < 8.0), or a dtype it does not support (float32)"],
    ["use SDPA's math or memory-efficient backend (`attn_implementation='sdpa'` or `'eager'`), or half precision"],
)
_TARGET_GRAD = _said(
    "the loss's target requires grad",
    "the loss's derivative, which is defined for its input only",
    ["the target was computed from tensors in the graph (another model's output, a transform with grad)"],
    ["detach the target: `loss_fn(output, target.detach())`"],
)
_NO_PARAMETERS = _said(
    "the optimizer got a model without parameters",
    "torch.optim.Optimizer",
    [
        "the layers were kept in a plain list or dict, which nn.Module does not register (use nn.ModuleList / "
        "nn.ModuleDict), or every parameter was filtered out (`requires_grad=False`)"
    ],
    ["register the layers (`nn.ModuleList`), and check `len(list(model.parameters()))` before the optimizer"],
)

_FP16_SCALER = _said(
    "GradScaler was given float16 parameters",
    "torch.amp.GradScaler.unscale_",
    ["the model was converted with `.half()`: mixed precision keeps float32 weights and lets autocast use float16"],
    ["keep the model in float32 and wrap the forward in `torch.autocast('cuda', dtype=torch.float16)`"],
)
_BAD_PROBABILITIES = _said(
    "sampling from probabilities that hold inf, NaN or negative values",
    "torch.multinomial (text generation's sampling)",
    ["logits that overflowed (float16 on a model that needs bfloat16 or float32), or a temperature of 0"],
    ["generate in bfloat16 or float32, check the logits for NaN, and keep temperature > 0 (or greedy decoding)"],
)
_NO_GPU = _said(
    "no CUDA GPU is visible to this process",
    "the CUDA runtime",
    ["a machine or container without a GPU, CUDA_VISIBLE_DEVICES set to nothing, or a driver that does not load"],
    ["check `nvidia-smi` and `torch.cuda.is_available()`; run on the CPU (`map_location='cpu'`, `.to('cpu')`)"],
)


def _call_arguments(f: dict) -> Explanation:
    """A function (a module's forward, most often) called with another number of arguments than it takes:
    Python counts `self`, so a forward that takes 2 takes one input."""
    name, takes, given = f["fn"], int(f["takes"]), int(f["given"])
    method = name in ("forward", "__call__", "__init__")
    inputs = (takes - 1, given - 1) if method else (takes, given)
    return Explanation(
        NOT_SHAPE,
        f"{name}() called with {inputs[1]} argument{'s' if inputs[1] != 1 else ''} where it takes {inputs[0]}"
        + (" (Python counts `self`)" if method else ""),
        "Python's call of the function (no tensor was looked at)",
        [(str(takes), "positional arguments it takes"), (str(given), "positional arguments given")],
        [_call_cause(name, *inputs)],
        [
            f"call it as its signature reads (`def {name}(self, …)`): pass only what it takes, or add the parameter; "
            "in an nn.Sequential keep one tensor between layers (a small module that takes `out, _ = lstm(x)`)"
        ],
    )


def _call_cause(name: str, takes: int, given: int) -> str:
    if name == "__init__":
        return (
            "the class is built with arguments its __init__ does not take (a size or config passed to a class "
            "that takes none, or `self` missing from `def __init__(…)`)"
            if given > takes
            else "the class is built without an argument its __init__ needs"
        )
    if given > takes:
        return (
            "the model is called with more inputs than its forward takes: labels or a mask passed with the input "
            "(`model(x, y)`), an LSTM's (output, state) tuple handed on inside an nn.Sequential, or a layer's "
            "`__init__` arguments given to the call"
        )
    return "an input the function takes was left out of the call (or a module was called where its class was)"


T = Template
NOT_SHAPE_TEMPLATES: list[Template] = [
    T(
        "{fn:word}() takes {takes:int} positional arguments but {given:int} were given",
        NOT_SHAPE,
        "Python's function call",
        _call_arguments,
        dict(fn="forward", takes=2, given=3),
    ),
    T(
        "{fn:word}() takes {takes:int} positional argument but {given:int} were given",
        NOT_SHAPE,
        "Python's function call",
        _call_arguments,
        dict(fn="forward", takes=1, given=2),
    ),
    T(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[{x:word} {shape:shape}]",
        NOT_SHAPE,
        "torch/csrc/autograd/saved_variable.cpp: SavedVariable::unpack",
        _inplace,
        dict(x="torch.FloatTensor", shape="[64, 10]"),
    ),
    T(
        "one of the variables needed for gradient computation has been modified by an inplace operation",
        NOT_SHAPE,
        "torch/csrc/autograd/saved_variable.cpp: SavedVariable::unpack",
        _inplace,
        {},
    ),
    T(
        "a leaf Variable that requires grad {x:text} in-place operation",
        NOT_SHAPE,
        "torch/csrc/autograd: check_inplace",
        _leaf,
        dict(x="is being used in an"),
    ),
    T(
        "Trying to backward through the graph a second time",
        NOT_SHAPE,
        "torch/csrc/autograd/saved_variable.cpp",
        _graph_twice,
        {},
    ),
    T(
        "element 0 of tensors does not require grad and does not have a grad_fn",
        NOT_SHAPE,
        "torch/csrc/autograd/autograd.cpp: run_backward",
        _no_grad,
        {},
    ),
    T(
        "grad can be implicitly created only for scalar outputs",
        NOT_SHAPE,
        "torch/autograd/__init__.py: _make_grads",
        _scalar_grad,
        {},
    ),
    T(
        "CUDA out of memory. Tried to allocate {size:text} (",
        NOT_SHAPE,
        "c10/cuda/CUDACachingAllocator.cpp",
        _oom,
        dict(size="20.00 MiB"),
    ),
    T(
        "out of memory. Tried to allocate {size:text} (",
        NOT_SHAPE,
        "c10 allocators (CUDA, HIP, XPU)",
        _oom,
        dict(size="2.00 GiB"),
    ),
    T("CUDA out of memory", NOT_SHAPE, "c10/cuda/CUDACachingAllocator.cpp", _oom, {}),
    T("CUDA error: out of memory", NOT_SHAPE, "a CUDA call", _oom, {}),
    T("OutOfMemoryError", NOT_SHAPE, "torch.cuda.OutOfMemoryError", _oom, {}),
    T("MPS backend out of memory", NOT_SHAPE, "the MPS allocator", _oom, {}),
    T(
        "DefaultCPUAllocator: not enough memory: you tried to allocate {size:int} bytes",
        NOT_SHAPE,
        "c10/core/impl/alloc_cpu.cpp",
        _oom,
        dict(size=123456789),
    ),
    T("CUBLAS_STATUS_ALLOC_FAILED", NOT_SHAPE, "cuBLAS handle creation", _oom, {}),
    T("device-side assert triggered", NOT_SHAPE, "a CUDA kernel assertion", _assert_fields, {}),
    T("device-side assertions", NOT_SHAPE, "a CUDA kernel assertion", _assert_fields, {}),
    T("an illegal memory access was encountered", NOT_SHAPE, "a CUDA kernel", _assert_fields, {}),
    T("CUBLAS_STATUS_EXECUTION_FAILED", NOT_SHAPE, "cuBLAS (often after an invalid index)", _cublas_fields, {}),
    T("CUBLAS_STATUS_NOT_INITIALIZED", NOT_SHAPE, "cuBLAS handle creation", _oom, {}),
    T("all elements of input should be between 0 and 1", NOT_SHAPE, "F.binary_cross_entropy", _bce_range, {}),
    T(
        "input value should be between 0~1",
        NOT_SHAPE,
        "aten/src/ATen/native/cuda/Loss.cu: binary_cross_entropy (its CUDA kernel's assertion)",
        _bce_range,
        {},
    ),
    T(
        "CUDA kernel errors might be asynchronously reported at some other API call",
        NOT_SHAPE,
        "a CUDA kernel's error, reported at a later call",
        _assert_fields,
        {},
    ),
    T(
        "DataLoader worker (pid(s) {p:text}) exited unexpectedly",
        NOT_SHAPE,
        "torch/utils/data/dataloader.py: _MultiProcessingDataLoaderIter",
        _worker,
        dict(p="1234"),
    ),
    T(
        "Input length of input_ids is {n:int}, but `max_length` is set to {m:int}",
        NOT_SHAPE,
        "transformers/generation/utils.py: _validate_generated_length",
        _generate_length,
        dict(n=1024, m=512),
    ),
    T(
        "All bounding boxes should have positive height and width",
        NOT_SHAPE,
        "torchvision/models/detection/generalized_rcnn.py: GeneralizedRCNN.forward",
        _degenerate_box,
        {},
    ),
    T(
        "Expected all tensors to be on the same device, but found at least two devices, {a:word} and {b:word}",
        NOT_SHAPE,
        "aten/src/ATen/native/TensorIterator / TensorCompare device checks",
        _device_fields,
        dict(a="cuda:0", b="cpu"),
    ),
    T("Expected all tensors to be on the same device", NOT_SHAPE, "the device check of ops", _device_fields, {}),
    T(
        "Input type ({a:text}) and weight type ({b:text}) should be the same",
        NOT_SHAPE,
        "aten/src/ATen/native/Convolution.cpp: check_input_same_type_as_parameters",
        _dtype_fields,
        dict(a="torch.cuda.DoubleTensor", b="torch.cuda.FloatTensor"),
    ),
    T(
        "Input type ({a:text}) and bias type ({b:text}) should be the same",
        NOT_SHAPE,
        "aten/src/ATen/native/Convolution.cpp: check_input_same_type_as_parameters",
        _dtype_fields,
        dict(a="double", b="float"),
    ),
    T(
        "Expected object of device type {a:word} but got device type {b:word}",
        NOT_SHAPE,
        "ATen device checks (PyTorch 1.x)",
        _device_fields,
        dict(a="cuda", b="cpu"),
    ),
    T(
        "Expected object of backend {a:word} but got backend {b:word}",
        NOT_SHAPE,
        "ATen backend checks (PyTorch ≤ 1.4)",
        _device_fields,
        dict(a="CUDA", b="CPU"),
    ),
    T(
        "Tensor for argument #{n:int} '{w:word}' is on {a:word}, but expected it to be on {b:word}",
        NOT_SHAPE,
        "ATen checkSameGPU / checkAllSameGPU",
        _device_fields,
        dict(n=2, w="weight", a="CPU", b="GPU"),
    ),
    T(
        "Expected tensor for argument #{n:int} '{w:word}' to have the same device as tensor for argument",
        NOT_SHAPE,
        "ATen checkSameGPU",
        _device_fields,
        dict(n=1, w="input"),
    ),
    T(
        "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False",
        NOT_SHAPE,
        "torch/serialization.py: validate_cuda_device",
        _deserialize,
        {},
    ),
    T(
        "can't convert {x:text} device type tensor to numpy",
        NOT_SHAPE,
        "Tensor.numpy",
        _numpy,
        dict(x="cuda:0"),
    ),
    T(
        "can't convert CUDA tensor to numpy",
        NOT_SHAPE,
        "Tensor.numpy (PyTorch before 1.9)",
        lambda f: _numpy(dict(f, cuda="1")),
        {},
    ),
    T(
        "Can't call numpy() on Tensor that requires grad",
        NOT_SHAPE,
        "Tensor.numpy",
        _numpy,
        {},
    ),
    T(
        "mat1 and mat2 must have the same dtype",
        NOT_SHAPE,
        "aten/src/ATen/native/LinearAlgebra.cpp: addmm / mm",
        _dtype_fields,
        {},
    ),
    T(
        "expected m1 and m2 to have the same dtype, but got: {a:word} != {b:word}",
        NOT_SHAPE,
        "aten/src/ATen/native/cuda/Blas.cpp (PyTorch 1.x)",
        _dtype_fields,
        dict(a="double", b="float"),
    ),
    T(
        "expected mat1 and mat2 to have the same dtype, but got: {a:word} != {b:word}",
        NOT_SHAPE,
        "aten/src/ATen/native/cuda/Blas.cpp",
        _dtype_fields,
        dict(a="double", b="float"),
    ),
    T(
        "self and mat2 must have the same dtype",
        NOT_SHAPE,
        "aten/src/ATen/native/LinearAlgebra.cpp: mm / bmm",
        _dtype_fields,
        {},
    ),
    T(
        "expected scalar type {a:word} but found {b:word}",
        NOT_SHAPE,
        "c10 ScalarType checks",
        _dtype_fields,
        dict(a="Float", b="Double"),
    ),
    T(
        "Found dtype {a:word} but expected {b:word}",
        NOT_SHAPE,
        "torch/csrc/autograd/engine.cpp: validate_outputs (the gradient of a loss whose target has another dtype)",
        _dtype_fields,
        dict(a="Long", b="Float"),
    ),
    T(
        "Expected object of scalar type {a:word} but got scalar type {b:word}",
        NOT_SHAPE,
        "ATen checkScalarType (PyTorch ≤ 1.5)",
        _dtype_fields,
        dict(a="Long", b="Float"),
    ),
    T(
        "expected {a:word} tensor (got {b:word} tensor)",
        NOT_SHAPE,
        "THNN type checks (PyTorch 0.2)",
        _dtype_fields,
        dict(a="Double", b="Float"),
    ),
    T(
        "result type {a:word} can't be cast to the desired output type {b:word}",
        NOT_SHAPE,
        "aten/src/ATen/TensorIterator.cpp: compute_types",
        _cast_result,
        dict(a="Float", b="Long"),
    ),
    T(
        "Index put requires the source and destination dtypes match, got {a:word} for the destination and "
        "{b:word} for the source",
        NOT_SHAPE,
        "aten/src/ATen/native/TensorAdvancedIndexing.cpp: index_put_",
        _index_put_dtypes,
        dict(a="Long", b="Int"),
    ),
    T(
        "\"{op:word}\" not implemented for '{t:word}'",
        NOT_SHAPE,
        "ATen dispatch macros (AT_DISPATCH_*): no kernel for this dtype",
        _not_implemented,
        dict(op="addmm_impl_cpu_", t="Half"),
    ),
    T(
        "Expected floating point type for target with class probabilities, got {a:word}",
        NOT_SHAPE,
        "aten/src/ATen/native/LossNLL.cpp: cross_entropy",
        _dtype_fields,
        dict(a="Long"),
    ),
    T(
        "Boolean value of Tensor with more than one value is ambiguous",
        NOT_SHAPE,
        "Tensor.__bool__",
        _ambiguous,
        {},
    ),
    T(
        "The truth value of an array with more than one element is ambiguous",
        NOT_SHAPE,
        "numpy.ndarray.__bool__",
        _ambiguous,
        {},
    ),
    T(
        "'tuple' object has no attribute '{a:word}'",
        NOT_SHAPE,
        "Python attribute lookup",
        lambda f: _wrong_type({**f, "t": "tuple"}),
        dict(a="size"),
    ),
    T(
        "'list' object has no attribute '{a:word}'",
        NOT_SHAPE,
        "Python attribute lookup",
        lambda f: _wrong_type({**f, "t": "list"}),
        dict(a="shape"),
    ),
    T(
        "'NoneType' object has no attribute '{a:word}'",
        NOT_SHAPE,
        "Python attribute lookup",
        lambda f: _wrong_type({**f, "t": "NoneType"}),
        dict(a="shape"),
    ),
    T(
        "'numpy.ndarray' object has no attribute '{a:word}'",
        NOT_SHAPE,
        "Python attribute lookup",
        lambda f: _wrong_type({**f, "t": "numpy.ndarray"}),
        dict(a="unsqueeze"),
    ),
    T(
        "'str' object has no attribute '{a:word}'",
        NOT_SHAPE,
        "Python attribute lookup",
        lambda f: _wrong_type({**f, "t": "str"}),
        dict(a="size"),
    ),
    T(
        "invalid index of a 0-dim tensor",
        "SC131",
        "torch/csrc/autograd/python_variable_indexing.cpp: applySlicing",
        _scalar_index,
        {},
    ),
    T(
        "only one element tensors can be converted to Python scalars",
        NOT_SHAPE,
        "Tensor.item / float() / int()",
        _one_element,
        {},
    ),
    T(
        "Torch not compiled with CUDA enabled",
        NOT_SHAPE,
        "torch/cuda/__init__.py: _lazy_init",
        lambda f: device("cuda (asked for)", "a torch build without CUDA"),
        {},
    ),
    T(
        "is_same_size received an invalid combination of arguments",
        NOT_SHAPE,
        "PyTorch 0.2 autograd",
        lambda f: dtype("ByteTensor (the target)", "FloatTensor"),
        {},
    ),
    T(
        "more than one element of the written-to tensor refers to a single memory location",
        NOT_SHAPE,
        "aten/src/ATen/MemoryOverlap.cpp: assert_no_internal_overlap",
        _OVERLAP,
        {},
    ),
    T(
        "Function '{f:word}' returned nan values in its {n:int}th output",
        NOT_SHAPE,
        "torch/csrc/autograd",
        _NAN,
        dict(f="MulBackward0", n=0),
    ),
    T(
        "Cannot copy out of meta tensor; no data",
        NOT_SHAPE,
        "torch/_tensor.py / aten: copy from meta",
        _META,
        {},
    ),
    T("FlashAttention only supports Ampere GPUs or newer", NOT_SHAPE, "flash-attn / SDPA", _FLASH, {}),
    T(
        "the derivative for 'target' is not implemented",
        NOT_SHAPE,
        "tools/autograd/derivatives.yaml: the losses",
        _TARGET_GRAD,
        {},
    ),
    T(
        "optimizer got an empty parameter list",
        NOT_SHAPE,
        "torch/optim/optimizer.py: Optimizer.__init__",
        _NO_PARAMETERS,
        {},
    ),
    T("Attempting to unscale FP16 gradients", NOT_SHAPE, "torch/amp/grad_scaler.py: unscale_", _FP16_SCALER, {}),
    T(
        "probability tensor contains either `inf`, `nan` or element < 0",
        NOT_SHAPE,
        "aten/src/ATen/native/Distributions.cpp: multinomial",
        _BAD_PROBABILITIES,
        {},
    ),
    T("No CUDA GPUs are available", NOT_SHAPE, "torch/cuda/__init__.py: _lazy_init", _NO_GPU, {}),
]


# -- messages no template reads: the family their words name -----------------------------------

_LAST_ERROR = re.compile(r"(?:\w*(?:Error|Exception)\b:?\s*)([^\n]{0,400})$")
_DTYPE_WORDS = re.compile(
    r"\bdtypes?\b|scalar type|\b(?:Long|Float|Double|Half|BFloat16|Byte|Bool|int64|float32|float16)\b"
    r"|must be long, int, byte or bool|valid indices",
    re.IGNORECASE,
)
_DEVICE_WORDS = re.compile(r"\b(?:cuda:?\d*|cpu|mps|device|gpu)\b", re.IGNORECASE)
_CUDA_LIBRARY = re.compile(
    r"CUBLAS_STATUS_\w+|CUDNN_STATUS_\w+|cuDNN error|NCCL (?:error|WARN)|no kernel image is available"
    r"|CUDA error: [\w ]+|Unable to find a valid cuDNN algorithm|unable to find an engine",
    re.IGNORECASE,
)


_NAN_WORDS = re.compile(r"\bNaN\b.{0,40}\binf(?:inity)?\b|\bcontains? NaN\b|\bnan or inf\b", re.IGNORECASE)


def fallback(text: str) -> Explanation | None:
    """A message no template reads, said not to be a shape problem when its words name a dtype, a
    device or a CUDA library failure, and nothing else: its last line is the error."""
    last = text[-600:]
    found = _CUDA_LIBRARY.search(last)
    if found:
        return cuda_library(found.group(0))
    if re.search(r"\b(?:shape|size|dim|dimension)s?\b|\[\d", last, re.IGNORECASE):
        return None  # a message about sizes that no template knows: not said to be anything else
    if _NAN_WORDS.search(last):
        return Explanation(
            NOT_SHAPE,
            "the values hold NaN or infinity",
            "a check of the values (scikit-learn's check_array, torch.isfinite / anomaly checks, a metric)",
            [],
            [
                "a loss that diverged (a learning rate too high, no gradient clipping, log of 0), a division by "
                "zero or a normalisation by a zero std, missing values in the data, or float16 overflow",
            ],
            [
                "find the first NaN (`torch.isnan(x).any()` after each step, `torch.autograd.set_detect_anomaly"
                "(True)`); clean the data (`np.nan_to_num`, drop rows); a lower learning rate, gradient clipping, "
                "an epsilon in divisions and logs",
            ],
        )
    if (assigned := _SETATTR.search(last)) is not None:
        return module_attribute(*assigned.groups())
    if _DTYPE_WORDS.search(last):
        return dtype(*named_dtypes(last))
    if _DEVICE_WORDS.search(last) and re.search(r"expected|must|should|same|not", last, re.IGNORECASE):
        return device("", "")
    return None


# nn.Module.__setattr__'s type check: a name registered as a parameter, a child module or a buffer given another type
_SETATTR = re.compile(
    r"cannot assign '([\w.]{1,80})' as (parameter|child module|buffer) '(\w{1,80})' \(([\w.]{1,80}) or None expected\)"
)


def module_attribute(got: str, kind: str, name: str, expected: str) -> Explanation:
    """A module attribute registered as a parameter (child module, buffer) assigned a value of another type."""
    wrap = {
        "parameter": f"`self.{name} = nn.Parameter(tensor)` (or `self.{name}.data.copy_(tensor)` to keep it)",
        "child module": f"assign an nn.Module to `self.{name}`, or first `del self.{name}`",
        "buffer": f"assign a tensor to `self.{name}` (`register_buffer` once in __init__)",
    }[kind]
    return Explanation(
        NOT_SHAPE,
        f"a {kind} of a module assigned a value of another type: `{name}` is registered as a {kind}, it got {got}",
        "nn.Module.__setattr__ (parameters, child modules and buffers keep their type)",
        [(got, "what was assigned"), (expected, "what the attribute takes")],
        [
            f"`{name}` is a registered {kind} and a plain {got} was assigned to it (`.cuda()` or an arithmetic "
            f"result of a Parameter is a plain tensor, not a Parameter)",
        ],
        [wrap],
    )
