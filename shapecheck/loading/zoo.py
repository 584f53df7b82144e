"""Models by name beyond torchvision: `timm:NAME` and `hf:MODEL_TYPE` / `hf:path/to/dir`.

Both libraries are optional extras. Models are built without pretrained weights, on meta
where they allow it, and never download: timm gets `pretrained=False`; transformers runs with
its offline switches set and reads a config only from a local folder or the local cache.
"""

from __future__ import annotations

import difflib
import inspect
import os
import weakref

from ..errors import LoadError
from ..spec import InputSpec

TEXT_LENGTH = 128  # the default sequence length of a text model's dummy input


def _extra(package: str, extra: str):
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        raise LoadError(
            f"models by {extra}: name need the {package} package",
            hint=f"pip install {package} (or the '{extra}' extra: pip install -e '.[{extra}]' in shapecheck's source)",
        ) from None


# -- timm -----------------------------------------------------------------------------------------


def from_timm(name: str, args: dict):
    from . import LoadedModel, _construct, _with_sites

    timm = _extra("timm", "timm")
    known = timm.list_models()
    if name not in known:
        close = difflib.get_close_matches(name, known, n=3)
        raise LoadError(
            f"'{name}' is not a timm model name",
            hint=("closest names: " + ", ".join(close)) if close else "run `shapecheck list timm`",
        )
    notes: list[str] = []
    if args.get("pretrained"):
        notes.append("pretrained weights skipped (offline; weights do not change shapes): --arg pretrained=True")
    kwargs = {**args, "pretrained": False}

    def build(meta: bool, sites):
        return _construct(lambda: timm.create_model(name, **kwargs), f"timm:{name}", notes, sites, meta)

    sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    module = build(True, sites)
    cfg = getattr(module, "pretrained_cfg", None) or {}
    size = tuple(cfg.get("input_size") or (3, 224, 224))
    if "img_size" in args:  # a model built for another size takes that size
        side = args["img_size"]
        size = (size[0], *(side if isinstance(side, (tuple, list)) else (side, side)))
    return LoadedModel(
        module,
        f"timm:{name}",
        "timm",
        [InputSpec(size)],
        notes=notes,
        def_sites=sites,
        rebuild=lambda: _with_sites(build),
    )


def timm_names() -> list[str]:
    return list(_extra("timm", "timm").list_models())


# -- Hugging Face transformers --------------------------------------------------------------------


def _offline() -> None:
    """transformers and huggingface_hub read these when imported: set them first."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def hf_names() -> list[str]:
    _offline()
    _extra("transformers", "hf")
    from transformers import CONFIG_MAPPING

    return sorted(CONFIG_MAPPING.keys())


# Config fields that are sizes: a word there fails only later, as a tensor is built, on older
# transformers (newer ones refuse it when the config is made).
_SIZES = (
    "hidden_size",
    "intermediate_size",
    "num_attention_heads",
    "num_hidden_layers",
    "num_key_value_heads",
    "vocab_size",
    "max_position_embeddings",
    "n_embd",
    "n_head",
    "n_layer",
    "d_model",
)


def _config(target: str, args: dict):
    _offline()
    _extra("transformers", "hf")
    local = os.path.isdir(target) or "/" in target
    config = _saved_config(target) if local else _model_type_config(target)
    _set_fields(config, target, args)
    return config


def _saved_config(target: str):
    """The config.json of a folder or of a model in the local cache, never downloaded, with its
    sizes numbers."""
    from transformers import AutoConfig

    where = "folder" if os.path.isdir(target) else "local cache"
    _refuse_remote_code(target)
    try:
        config = AutoConfig.from_pretrained(target, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise LoadError(
            f"hf:{target}: no config.json in the {where} ({str(exc).splitlines()[0][:120]})",
            hint="shapecheck never downloads: use hf:MODEL_TYPE (hf:bert) or a folder with config.json",
        ) from None
    except Exception as exc:  # transformers validates fields with its own exception types
        raise LoadError(f"hf:{target}: config.json has a value transformers refuses ({_first_line(exc)})") from None
    bad = next((k for k in _SIZES if isinstance(getattr(config, k, None), str)), None)
    if bad is not None:  # older transformers take any value and fail later, building a tensor
        raise LoadError(
            f"hf:{target}: config.json has a value transformers refuses "
            f"({bad}={_short(repr(getattr(config, bad)))} is not a number)"
        )
    return config


def _model_type_config(target: str):
    """The default config of a transformers model type (`bert`), or the closest names to it."""
    from transformers import CONFIG_MAPPING, AutoConfig

    if target not in CONFIG_MAPPING:
        close = difflib.get_close_matches(target, list(CONFIG_MAPPING.keys()), n=3)
        raise LoadError(
            f"'{target}' is not a transformers model type",
            hint=("closest: " + ", ".join(close)) if close else "run `shapecheck list hf`",
        )
    return AutoConfig.for_model(target)


def _set_fields(config, target: str, args: dict) -> None:
    """--arg key=value on the config's fields: only fields it has, sizes only as numbers."""
    for key, value in args.items():
        if not hasattr(config, key):
            raise LoadError(
                f"hf:{target}: the config has no field '{key}'",
                hint="--arg sets fields of the model's config, e.g. --arg num_hidden_layers=2",
            )
        try:
            setattr(config, key, value)
            if key in _SIZES and isinstance(value, str):
                raise ValueError(f"{key} is a size, not {type(value).__name__}")
        except Exception as exc:
            raise LoadError(
                f"hf:{target}: --arg {key}={_short(repr(value))} is refused by the config ({_first_line(exc)})"
            ) from None


def _first_line(exc: Exception) -> str:
    """`TypeName: first line`, at most 200 characters: a value quoted in it may be huge."""
    lines = str(exc).strip().splitlines()
    return _short(f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__, 200)


def _short(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _refuse_remote_code(folder: str) -> None:
    """A config with `auto_map` names classes in the folder's own Python files, which
    transformers runs only with trust_remote_code: refused, and said so (not 'no config.json')."""
    import json

    path = os.path.join(folder, "config.json")
    if not os.path.isfile(path):
        return
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError):
        raise LoadError(f"hf:{folder}: config.json is not valid JSON") from None
    if isinstance(config, dict) and config.get("auto_map"):
        names = ", ".join(sorted(str(v) for v in config["auto_map"].values())[:3])
        raise LoadError(
            f"hf:{folder} defines its model in the folder's own code (auto_map: {names}), which shapecheck "
            "does not run",
            hint="check the model class from its .py file instead: shapecheck path/to/modeling_x.py:ClassName",
        )


def from_hf(target: str, args: dict):
    from . import LoadedModel, _construct, _with_sites

    config = _config(target, args)
    from transformers import AutoModel

    notes: list[str] = []
    label = f"hf:{target}"

    def build(meta: bool, sites):
        return _construct(lambda: AutoModel.from_config(config), label, notes, sites, meta)

    sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    try:
        module = build(True, sites)
    except LoadError as err:
        if "Unrecognized configuration class" in err.message or "no attribute" in err.message:
            raise LoadError(
                f"{label}: transformers has no base model (AutoModel) for this config", detail=err.detail
            ) from None
        raise
    return LoadedModel(
        module,
        label,
        "hf",
        hf_inputs(module, config),
        notes=notes,
        def_sites=sites,
        rebuild=lambda: _with_sites(build),
        fake_inputs=frozenset({"attention_mask"}),
    )


def hf_inputs(module, config) -> list[InputSpec] | None:
    """A family's usual dummy input, by the names `forward` takes: token ids and their attention
    mask for text, `pixel_values` for vision, a second of audio at 16 kHz for speech. The mask
    goes in as a FakeTensor on meta (LoadedModel.fake_inputs): transformers reads a mask's values
    (`if mask.all()`) except while tracing, which a FakeTensor tells it it is."""
    try:
        params = inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        return None
    text = getattr(config, "text_config", None) or config
    vision = getattr(config, "vision_config", None) or config
    specs = _text_inputs(params, text) + _speech_inputs(params, config) + _image_inputs(params, vision)
    if not specs and "input_values" in params:
        specs.append(InputSpec((16000,), "float32", "input_values"))
    return specs or None


def _text_inputs(params, text) -> list[InputSpec]:
    """Token ids (and their mask), as long as the model's positions allow, at most TEXT_LENGTH."""
    if "input_ids" not in params:
        return []
    limit = getattr(text, "max_position_embeddings", None) or getattr(text, "n_positions", None) or TEXT_LENGTH
    length = min(TEXT_LENGTH, limit) if isinstance(limit, int) and limit > 0 else TEXT_LENGTH
    specs = [InputSpec((length,), "int64", "input_ids")]
    if "attention_mask" in params:
        specs.append(InputSpec((length,), "int64", "attention_mask"))
    return specs


def _speech_inputs(params, config) -> list[InputSpec]:
    """A log-mel spectrogram for a speech encoder, and the decoder's ids for an encoder-decoder."""
    specs = []
    if "input_features" in params and getattr(config, "num_mel_bins", None):
        frames = 2 * (getattr(config, "max_source_positions", None) or 1500)
        specs.append(InputSpec((config.num_mel_bins, frames), "float32", "input_features"))
    if getattr(config, "is_encoder_decoder", False) and "decoder_input_ids" in params:
        length = min(TEXT_LENGTH, getattr(config, "max_target_positions", TEXT_LENGTH))
        specs.append(InputSpec((length,), "int64", "decoder_input_ids"))
    return specs


def _image_inputs(params, vision) -> list[InputSpec]:
    if "pixel_values" not in params:
        return []
    side = getattr(vision, "image_size", None) or 224
    side = side if isinstance(side, int) else side[0]
    return [InputSpec((getattr(vision, "num_channels", 3), side, side), "float32", "pixel_values")]
