"""Sizes that are the signatures of a domain, read for every paste: audio (a stereo waveform's 2, mel
bins, FFT bins), detection (a YOLO layer's anchors × (5 + classes), a dataset's class count), an empty
tensor (a sample with no boxes), an optimizer's state, a sequence cut after its image tokens were
counted, labels per token for a model with one output per sequence.

Each reader takes an explanation and the paste (`context._Paste`), and puts its story first when the
numbers (and, where said, the paste's words) fit it; a story the numbers rule out is taken away.
"""

from __future__ import annotations

import re
from typing import Protocol

from .explanation import Explanation
from .templates import ints


class Paste(Protocol):
    """What a reader reads of the paste (`context._Paste`): the whole paste, the message matched, its code
    lines and its frames' functions."""

    @property
    def message(self) -> str: ...

    @property
    def matched(self) -> str: ...

    @property
    def lines(self) -> list[str]: ...

    @property
    def frames(self) -> list[str]: ...


# samples in a waveform: a second of audio at 8 kHz and more; mel-bin counts of speech models
_SAMPLES = 4000
_MELS = {40: "", 64: "", 80: "Whisper before large-v3, most ASR and TTS models", 128: "Whisper large-v3"}
_WHISPER_FRAMES = 3000  # Whisper's 30-second window, in 10 ms frames


def _put_first(e: Explanation, cause: str, fix: str, drop: tuple[str, ...] = ()) -> None:
    """`cause` and `fix` said first; the causes (and their fixes) that start with `drop` taken away."""
    if drop:
        e.causes = [c for c in e.causes if not c.startswith(drop)]
        e.fixes = [f for f in e.fixes if not f.startswith(("drop the extra dim", "fold them into the batch"))]
    e.causes.insert(0, cause)
    e.fixes.insert(0, fix)


def _said(e: Explanation, cause: str, fix: str, first: bool, aside: str = "or ") -> None:
    """`cause` and `fix` said first when the paste makes them the story (`first`); else added last,
    as one reading of several (`aside` + the cause)."""
    if first:
        _put_first(e, cause, fix)
    else:
        e.causes.append(aside + cause)
        e.fixes.append(fix)


_MONO = (
    "mix the audio down to mono before the model: `wav = wav.mean(dim=0, keepdim=True)` for torchaudio's "
    "[channels, samples] (`.mean(-1)` for soundfile's [samples, channels]), or load it mono (`librosa.load(p, "
    "mono=True)`, `ffmpeg -i in.wav -ac 1 out.wav`)"
)


def audio_rank(e: Explanation, p: Paste) -> None:
    """A conv given a dim too many where a 2 is a stereo waveform's channels: [N, 1, samples, 2] (samples
    last, as soundfile and scipy load), [N, 2, mels, frames] (a spectrogram per channel), or a trailing 2
    of a spectrogram that is also a complex one's real and imaginary parts."""
    dims = _input_dims(e)
    if len(dims) < 3:
        return
    if dims[-1] == 2 and dims[-2] >= _SAMPLES:
        _put_first(
            e,
            f"the last dim, 2, is a stereo waveform's two channels: {dims[-2]} samples × 2 channels, samples first, "
            "as soundfile, scipy.io.wavfile and `librosa.load(mono=False).T` give it; the model takes mono audio "
            "[batch, samples] (it adds the channel dim of 1 itself)",
            _MONO,
            drop=("an extra dim of 1", "or one clip of", "one dim too many"),
        )
        if not _AUDIO_WORDS.search(p.message):
            e.causes.insert(
                1,
                f"or, if the data is no audio, a 2-channel signal stored samples first ([{dims[-2]}, 2]) where the "
                "conv takes [channels, length]",
            )
            e.fixes.insert(
                1, "for a model of 2 input channels: `x.transpose(-1, -2)` puts the channels before the samples"
            )
    elif dims[-1] == 2 and len(dims) >= 5:
        e.causes.insert(
            0,
            f"a trailing 2 on a {len(dims)}-D input: either the two channels of stereo audio (a spectrogram made "
            "per channel), or a complex spectrogram stored as real and imaginary parts (`torch.view_as_real`, "
            "`stft(return_complex=False)`); the model's own data loading tells which: a model for mono "
            "audio, or one that takes the complex pair in its channel dim",
        )
        e.fixes.insert(
            0,
            f"stereo: {_MONO}; a real/imaginary pair: make it complex (`torch.view_as_complex`) or move it into "
            "the channels (`x.movedim(-1, 2).flatten(1, 2)`) as the model expects",
        )
    elif len(dims) == 4 and dims[1] == 2 and dims[2] in _MELS and dims[3] >= 100:
        _put_first(
            e,
            f"[{dims[0]}, 2, {dims[2]}, {dims[3]}]: {dims[0]} clips of 2 channels, each a spectrogram of {dims[2]} "
            f"mel bins × {dims[3]} frames: stereo files in the data give one spectrogram per channel where the "
            "model takes mono [batch, mels, frames]",
            "convert the dataset to mono (`ffmpeg -ac 1`, or `wav.mean(0)` before the features)",
            drop=("one dim too many", "or the layer is an"),
        )


def audio_channels(e: Explanation, p: Paste) -> None:
    """A 1-D conv whose channel counts read as audio: 1 against 2 over a waveform's length (mono and
    stereo), two mel-bin counts (Whisper large-v3's 128 against 80), two FFT bin counts (n_fft/2 + 1)."""
    weight, x = _weight_and_input(e)
    if len(weight) < 3 or len(weight) != len(x):
        return
    want, got, length = weight[1], x[1], x[-1]
    waveform = _waveform(weight, length)
    # any conv's input (a spectrogram's) when the paste speaks of audio
    if {want, got} == {1, 2} and (waveform or _AUDIO_WORDS.search(p.message)):
        _put_first(e, *_mono_stereo(got, _extent(x, waveform)))
        e.fixes = [f for f in e.fixes if not f.startswith(("if the layers are yours", "add the channel dim"))]
        return
    if len(weight) != 3 or want == got:
        return
    if want in _MELS and got in _MELS:
        _put_first(e, *_mel_bins(want, got, length))
    elif _fft_bins(want) and _fft_bins(got):
        _put_first(
            e,
            f"{got} = {2 * (got - 1)}/2 + 1 and {want} = {2 * (want - 1)}/2 + 1 are a linear spectrogram's frequency "
            f"bins: the features were made with n_fft (filter_length) {2 * (got - 1)}, the model built for "
            f"{2 * (want - 1)}: the audio config (sample rate, n_fft) of the data differs from the model's",
            f"use the model's own audio config to make the spectrogram (n_fft={2 * (want - 1)}, and its sample rate)",
        )


def _waveform(weight: list[int], length: int) -> bool:
    """A 1-D conv's input is a waveform: seconds of samples, or frames of one cut by a front end with a long
    kernel (8 samples and more)."""
    return len(weight) == 3 and (length >= _SAMPLES or (weight[2] >= 8 and length >= 256))


def _mono_stereo(got: int, extent: str) -> tuple[str, str]:
    """The cause and fix of `got` audio channels (1 or 2) where the model takes the other count."""
    if got == 2:
        return (
            f"stereo audio (2 channels × {extent}) reaches a model for mono "
            "audio (1 channel): most speech and enhancement models take one channel"
        ), _MONO
    return (
        f"mono audio (1 channel × {extent}) reaches a model for stereo "
        "audio (2 channels, as music source separation models and stereo audio encoders take)"
    ), (
        "make it two channels: `wav = wav.repeat(2, 1)` (or `expand(2, -1)`), or convert the file "
        "(`ffmpeg -i in.wav -ac 2 out.wav`)"
    )


def _mel_bins(want: int, got: int, length: int) -> tuple[str, str]:
    """The cause and fix of features of `got` mel bins for a model that takes `want`."""
    if not (length == _WHISPER_FRAMES or {want, got} == {80, 128}):
        return (
            f"{got} and {want} are mel-bin counts: the features were computed with n_mels={got}, the model takes {want}"
        ), f"compute the features with n_mels={want}, as the model was trained"
    return (
        f"{got} and {want} are mel-bin counts: the features were computed with n_mels={got}, the model takes "
        f"{want} ({length} frames = Whisper's 30 s window: large-v3 takes 128 mel bins, the earlier Whisper "
        "models 80): the feature extractor of another checkpoint than the model's"
    ), (
        "compute the features with the model's own feature extractor (`WhisperFeatureExtractor.from_pretrained("
        "<the model's checkpoint>)`, `whisper.log_mel_spectrogram(audio, n_mels=model.dims.n_mels)`)"
    )


def _extent(x: list[int], waveform: bool) -> str:
    """What one channel of the input holds: `69048 samples`, or a spectrogram's `1895×66` map."""
    return f"{x[-1]} samples" if waveform else "×".join(map(str, x[2:])) + " values (a spectrogram or feature map)"


_AUDIO_WORDS = re.compile(
    r"\b(?:audio|wav|waveform|mono|stereo|spectrogram|mel|torchaudio|librosa|sample_rate)\b", re.IGNORECASE
)


def _fft_bins(n: int) -> bool:
    return n >= 65 and (n - 1) & (n - 2) == 0


def _input_dims(e: Explanation) -> list[int]:
    """The input shape an explanation's numbers give (`the input`)."""
    for text, what in e.numbers:
        if what.startswith("the input"):
            return ints(text)
    return []


def _weight_and_input(e: Explanation) -> tuple[list[int], list[int]]:
    weight = next((ints(t) for t, what in e.numbers if what.startswith("the weight")), [])
    return weight, _input_dims(e)


def yolo_view(e: Explanation, p: Paste) -> None:
    """A view to a YOLO layer's [batch, anchors, 5 + classes, grid, grid] (or the classes last) that does not
    fit: the conv before the layer gives anchors × (5 + other classes) channels per cell."""
    m = re.search(r"\[([-\d, ]+)\] does not fit (\d+) values", e.title)
    if not m:
        return
    dims, total = ints(m.group(1)), int(m.group(2))
    if len(dims) != 5 or min(dims) < 1:
        return
    batch, anchors = dims[0], dims[1]
    layout = _yolo_layout(dims)
    if not layout:
        return
    outputs, side = layout
    cells = batch * side * side
    if anchors not in (3, 5, 9) or total % cells or side > 160:
        return
    channels = total // cells
    story = _yolo_story(anchors, outputs, side, channels)
    fix = (
        f"in the cfg, set classes= to your dataset's count in every [yolo] layer and filters = {anchors}·(classes + 5) "
        "on the conv just before each (YOLOv5+: `nc` in the model yaml and data yaml)"
    )
    # COCO's and VOC's heads (85 or 25 per anchor, 255 or 75 per cell) or a detection paste make it the story; else
    # [batch, 3, frames, H, W] of an RGB clip fits the same numbers, and it is one reading of two
    signature = outputs in (85, 25) or channels in (255, 75)
    detection = signature or bool(re.search(r"yolo|anchor|detect|darknet|\.cfg\b|bbox_attrs", p.message, re.I))
    _said(e, story, fix, detection, "or, if this is a detection head's view: ")


def _yolo_layout(dims: list[int]) -> tuple[int, int] | None:
    """(outputs per anchor, grid side) of a 5-D view with the outputs before the grid or after it."""
    if dims[3] == dims[4] and dims[2] > 5:
        return dims[2], dims[3]
    if dims[2] == dims[3] and dims[4] > 5:
        return dims[4], dims[2]
    return None


def _yolo_story(anchors: int, outputs: int, side: int, channels: int) -> str:
    """The YOLO view read: the conv before it made for another class count, or another channel count."""
    classes = outputs - 5
    said = f"{outputs} = 5 + {classes}: 4 box + 1 objectness + {classes} classes" + (" (COCO)" if classes == 80 else "")
    view = f"a YOLO layer's view [batch, {anchors} anchors, {said}, {side}×{side} grid]: the conv before it gives "
    if channels % anchors or channels // anchors <= 5:
        return view + f"{channels} channels per cell where {anchors}·{outputs} = {anchors * outputs} are needed"
    theirs = channels // anchors - 5
    return view + (
        f"{channels} = {anchors}·(5 + {theirs}) channels per cell, made for {theirs} classes, while the YOLO "
        f"layer reads {classes}: the classes and the conv's filters (= anchors·(classes + 5)) disagree in the "
        "model's config"
    )


# class counts that read as a pretrained dataset's whatever else the message holds
_DATASET_COUNTS = {
    81: "COCO's 80 classes + background",
    91: "COCO's 90 category ids + background (torchvision's and DETR's COCO heads)",
    1000: "ImageNet's 1000 classes",
    1001: "ImageNet's 1000 classes + background",
    21843: "ImageNet-21k's classes",
    1203: "LVIS's classes",
}
# words of a paste about classes or detection, which make a dataset's class count the first reading
_CLASS_WORDS = re.compile(
    r"class|logit|label|head|detect|yolo|coco|imagenet|pretrained|mmdet|detectron|roi_|bbox|num_classes"
    r"|distill|teacher|student|kl_div|softmax",
    re.I,
)
_PAIR = re.compile(
    r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)"
)
_OPTIMIZER = re.compile(r"torch[/\\]optim[/\\]|exp_avg|momentum_buffer|\boptimizer\.step\b|\bstate_steps\b")


def broadcast_sizes(e: Explanation, p: Paste) -> None:
    """A broadcast whose sizes are a dataset's class count (a head, config or state left at the pretrained
    dataset's), an empty tensor (a sample with nothing in it), or an optimizer's state of another shape."""
    m = _PAIR.search(p.matched)
    if not m:
        return
    a, b, dim = (int(g) for g in m.groups())
    if _OPTIMIZER.search(p.message):
        _optimizer_state(e, a, b)
    elif (big := max(a, b)) in _DATASET_COUNTS and min(a, b) > 1:
        cause = (
            f"{big} is {_DATASET_COUNTS[big]}: one side was made for the pretrained dataset's classes and the other "
            f"for yours ({min(a, b)}): a head, a config value or a loaded tensor left at the pretrained count (in a "
            "config with several heads, each has its num_classes)"
        )
        fix = (
            f"set num_classes to your count everywhere it is given (every head of the config), and do not load "
            f"tensors sized for {big} classes into it"
        )
        # alone, 91 or 1000 may as well be a length or a count of samples
        _said(e, cause, fix, bool(_CLASS_WORDS.search(p.message)), f"or, if {big} counts classes, ")
    small, large = sorted((a, b))
    if small >= 8 and large == small * small:
        _put_first(
            e,
            f"{large} = {small}·{small}: one operand is a [{small}, {small}] map (an attention mask or score matrix) "
            f"flattened into one dim, met by the other's {small}: a `view(batch, -1)` or `flatten` on the 2-D mask "
            "where the op wants it as two dims",
            f"keep the mask 2-D: [batch, 1, {small}, {small}] (`mask[:, None, :, :]`), not flattened to {large}",
        )
    if large == small + 1 and small >= 256 and small & (small - 1) == 0:
        generating = bool(re.search(r"\bgenerate\b|past_key_values|max_new_tokens|greedy_search|\bsample\(", p.message))
        cause = (
            f"a sequence one token past a {small}-token context: the prompt and the tokens generated so far reach "
            f"{large} while a causal-mask or position buffer holds {small} (the model's max positions)"
        )
        fix = f"keep prompt + max_new_tokens within {small} (truncate the prompt to {small} minus max_new_tokens)"
        _said(e, cause, fix, generating)
    if 0 in (a, b) and a != b:
        _empty_side(e, max(a, b), dim)


def _optimizer_state(e: Explanation, a: int, b: int) -> None:
    """A broadcast raised in the optimizer's step: its state against the parameter's gradient."""
    big = max(a, b)
    _put_first(
        e,
        f"raised in the optimizer's step: its state (Adam's exp_avg, SGD's momentum) has {a} where the "
        f"parameter's gradient has {b}: the optimizer state was loaded from a checkpoint of a model whose "
        "layer had another shape (resuming after the model changed: a head resized for your classes)"
        + (f"; {big} reads as {_DATASET_COUNTS[big]}" if big in _DATASET_COUNTS else ""),
        "do not load the optimizer state when the model changed (load the model weights only; start the "
        "optimizer anew), or build the model as the checkpoint was",
    )


def _empty_side(e: Explanation, other: int, dim: int) -> None:
    """One side of size 0 against `other`: a sample with nothing in it."""
    boxes = " (a box's 4 coordinates)" if other == 4 else ""
    _put_first(
        e,
        f"one side is empty in dim {dim} (size 0) against {other}{boxes}: a sample with nothing in it, such as "
        "an image without objects, whose boxes come out as shape [0] instead of [0, 4], an empty mask or "
        "an empty selection",
        "skip samples without objects in the dataset, or make their empty tensors with the full shape "
        "(`torch.zeros((0, 4))`)",
    )


_ANCHOR_LINE = re.compile(r"\banchors?\b.{0,80}\bstride|\bstride.{0,80}\banchors?\b")


def anchors_line(e: Explanation, p: Paste) -> None:
    """The raising line divides a YOLO model's anchors by its strides: one anchor set per detection layer."""
    line = p.lines[-1] if p.lines else ""
    m = _PAIR.search(p.matched)
    if not (m and _ANCHOR_LINE.search(line)):
        return
    a, b = int(m.group(1)), int(m.group(2))
    _put_first(
        e,
        f"the line pairs the anchors with the detection layers' strides: {a} anchor sets against {b} detection "
        "layers (strides); a detection layer added (or removed) in the model's yaml without its anchors",
        f"give one anchor set per detection layer ({b}), or `anchors: 3` in the yaml to have AutoAnchor make them",
    )
    e.causes = [c for c in e.causes if "channel counts of images" not in c]
    e.fixes = [f for f in e.fixes if "Image.open" not in f]


_INDEX_PUT = re.compile(
    r"value tensor of shape \[([\d, ]+)\] cannot be broadcast to indexing result of shape \[([\d, ]+)\]"
)
# a line putting positions where a sequence's attention mask is set (Qwen2-VL's, GLM-4V's rope index)
_MASKED_POSITIONS = re.compile(r"\battention_mask\b")


def cut_sequence(e: Explanation, p: Paste) -> None:
    """An indexed assignment of positions computed for the whole sequence into the place a mask keeps,
    where the sequence was cut after its image (or video) tokens were counted."""
    m = _INDEX_PUT.search(p.matched)
    if not m:
        return
    value, place = ints(m.group(1)), ints(m.group(2))
    if len(value) != len(place) or value[:-1] != place[:-1] or value[-1] <= place[-1]:
        return
    line = " ".join(p.lines[-2:])
    # a cut at a round length (2048, 4095 = 4096 - 1), the value not a whole multiple of it (a doubled batch)
    near_cut = any(abs(place[-1] - 2**k) <= 1 for k in range(9, 17)) and value[-1] % place[-1] != 0
    if not (_MASKED_POSITIONS.search(line) or near_cut):
        return
    cause = (
        f"positions computed for the whole sequence ({value[-1]} tokens) go into the places its attention mask keeps "
        f"({place[-1]}): the sequence was cut (cutoff_len, max_length, truncation) after its image or video tokens "
        "were counted, so a multimodal sample longer than the cut loses tokens the positions still count"
    )
    fix = (
        "raise the cut above the longest sample (`cutoff_len`, `max_length`), or make samples shorter: fewer image "
        "tokens (`image_resolution`, `max_pixels`), fewer frames"
    )
    _said(e, cause, fix, bool(_MASKED_POSITIONS.search(line)))


_TOKEN_LABELS = re.compile(
    r"DataCollatorForLanguageModeling|DataCollatorForTokenClassification|DataCollatorForWholeWordMask|mlm=True|"
    r"labels\s*=\s*\w*input_ids"
)
_SEQUENCE_HEAD = re.compile(r"\b(\w+)For(SequenceClassification|MultipleChoice)\b")


def label_granularity(e: Explanation, p: Paste) -> None:
    """A sequence classifier given one label per token: the paste names the model and a token-level collator."""
    head = _SEQUENCE_HEAD.search(p.message)
    m = re.search(r"input batch_size \((\d+)\) to match target batch_size \((\d+)\)", p.matched)
    if not (head and m and _TOKEN_LABELS.search(p.message)):
        return
    rows, targets = int(m.group(1)), int(m.group(2))
    per = f" ({targets} = {rows}·{targets // rows} tokens)" if rows and targets % rows == 0 else ""
    _put_first(
        e,
        f"the labels are one per token{per}, as a language-modelling (or token-classification) collator makes "
        f"them, while `{head.group(0)}` gives one output per sequence: the task of the data and of the model differ",
        f"for masked-language-model training use `{head.group(1)}ForMaskedLM` with that collator; for "
        "classification give one label per sequence (and `DataCollatorWithPadding`)",
    )


_CLIP_CONTEXT = 77  # CLIP's text context: a prompt of at most 75 tokens plus its start and end tokens
_PROMPT_WORDS = re.compile(
    r"comfy|diffus|\bclip|prompt|text_?enc|cond|context|attn|attention|unet|stable|sdxl|\bsd\b|webui|mask",
    re.IGNORECASE,
)
_EXPANDED_PAIR = re.compile(r"expanded size of the tensor \((\d+)\) must match the existing size \((\d+)\)")


def prompt_chunks(e: Explanation, p: Paste) -> None:
    """77 against a multiple of 77: a long prompt encoded as several CLIP chunks of 77 tokens, met by code that
    assumes one. First when the paste speaks of prompts, attention or diffusion; else one reading of several."""
    m = _PAIR.search(p.matched) or _EXPANDED_PAIR.search(p.matched)
    if not m:
        return
    small, large = sorted(int(g) for g in m.groups()[:2])
    if small % _CLIP_CONTEXT or large % _CLIP_CONTEXT or large == small or large > 20 * _CLIP_CONTEXT:
        return
    k, j = large // _CLIP_CONTEXT, small // _CLIP_CONTEXT
    chunks = f"{large} = {k}·77" + (f" and {small} = {j}·77" if j > 1 else "")
    cause = (
        f"{chunks}: CLIP's text context is 77 tokens, and a prompt longer than 75 tokens is encoded in chunks of 77 "
        f"and concatenated ({k} chunks here): the conditioning of one prompt ({large} tokens) meets a tensor made for "
        f"{'one chunk (77)' if j == 1 else f'{j} chunks'} (a mask, a regional or attention patch, the other prompt "
        "of a positive/negative pair)"
    )
    fix = (
        "shorten the prompt to 75 tokens (one chunk), give both prompts the same number of chunks, or build the "
        "mask from the conditioning's length (`cond.shape[1]`)"
    )
    _said(e, cause, fix, bool(_PROMPT_WORDS.search(p.message)))
