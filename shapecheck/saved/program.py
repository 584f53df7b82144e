"""Open a torch.export archive (.pt2) without running code from it.

`torch.export.load` unpickles with `weights_only=False` three kinds of member: weights and
tensor constants marked `use_pickle`, and the stored example inputs (it falls back to a full
unpickle when the safe one fails); custom and opaque objects are unpickled whole. A crafted
archive runs code through any of them. Here the program's graph is read from its JSON, plain
tensors from their raw bytes, and a pickled tensor only with PyTorch's restricted unpickler
(`weights_only=True`); the example inputs are never read, since shapes come from `--input` or
from the graph. Anything else needs `--trust-pickle`.

The archive layout and the deserializer are torch internals (`torch.export.pt2_archive`,
`torch._export.serde`); when they move, the archive is refused with a hint instead of being
opened the unsafe way.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
import zipfile

from ..errors import LoadError

MODEL = "model"  # the name torch.export.save gives the one program it writes

TRUST_HINT = "if you trust where the file comes from, pass --trust-pickle"


def open_program(path: str, trust_pickle: bool = False):
    """The ExportedProgram in `path`; only with `trust_pickle` may its pickles run code."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if trust_pickle:
            caught: list[BaseException] = []
            try:
                with _errors_logged_by("torch.export", caught):
                    return torch.export.load(path)
            except Exception as exc:
                # torch.export.load logs the reader's error with its traceback and raises "check
                # the warnings above": the logged error is the cause, said in one line
                cause = caught[0] if caught else exc
                raise LoadError(f"{path} is a torch.export program that does not load: {_first_line(cause)}") from None
        return _open_safely(path)


@contextlib.contextmanager
def _errors_logged_by(name: str, caught: list):
    """Records of logger `name` are kept from the terminal; the exceptions they carry go to `caught`."""
    import logging

    def keep(record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            caught.append(record.exc_info[1])
        return False

    logger = logging.getLogger(name)
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _internals():
    """torch's archive reader and deserializer, or None when this torch lacks them."""
    try:
        from torch._export.serde import schema
        from torch._export.serde.serialize import (
            ExportedProgramDeserializer,
            _bytes_to_dataclass,
            deserialize_size,
            deserialize_storage_offset,
            deserialize_stride,
        )
        from torch.export.pt2_archive import _package
        from torch.export.pt2_archive.constants import (
            ARCHIVE_VERSION_PATH,
            CONSTANTS_CONFIG_FILENAME_FORMAT,
            CONSTANTS_DIR,
            MODELS_FILENAME_FORMAT,
            TENSOR_CONSTANT_FILENAME_PREFIX,
            WEIGHTS_CONFIG_FILENAME_FORMAT,
            WEIGHTS_DIR,
        )
    except ImportError:
        return None
    names = dict(locals())  # the imports above are used through this mapping
    for helper in ("PT2ArchiveReader", "_build_file_map", "_load_payload_config"):
        if not hasattr(_package, helper):
            return None
        names[helper] = getattr(_package, helper)
    return names


def _open_safely(path: str):
    api = _internals()
    if api is None:
        raise LoadError(f"{path}: this version of torch reads .pt2 archives only by unpickling them", hint=TRUST_HINT)
    if _older_layout(path):
        raise LoadError(
            f"{path} is a .pt2 of the older (torch < 2.8) layout, which is read only by unpickling it",
            hint=TRUST_HINT + "; or export and save the program again with this torch",
        )
    try:
        reader_cm = api["PT2ArchiveReader"](path)
    except Exception as exc:
        raise LoadError(f"{path} is a torch.export archive that does not open: {_first_line(exc)}") from None
    with reader_cm as reader:
        names = set(reader.get_file_names())
        model_file = api["MODELS_FILENAME_FORMAT"].format(MODEL)
        if model_file not in names or api["ARCHIVE_VERSION_PATH"] not in names:
            raise LoadError(
                f"{path} is an older or foreign .pt2 layout, which is read only by unpickling it",
                hint=TRUST_HINT + "; or export and save the program again with this torch",
            )
        try:
            serialized = api["_bytes_to_dataclass"](api["schema"].ExportedProgram, reader.read_bytes(model_file))
        except Exception as exc:
            raise LoadError(f"{path}: the program's graph does not read: {_first_line(exc)}") from None
        state_dict = _tensors(
            api, reader, path, names, api["WEIGHTS_CONFIG_FILENAME_FORMAT"].format(MODEL), api["WEIGHTS_DIR"], "weight"
        )
        constants = _tensors(
            api,
            reader,
            path,
            names,
            api["CONSTANTS_CONFIG_FILENAME_FORMAT"].format(MODEL),
            api["CONSTANTS_DIR"],
            "constant",
        )
    try:
        # No example inputs: they are a pickle, and shapes come from --input or the graph.
        return api["ExportedProgramDeserializer"]().deserialize(serialized, state_dict, constants, None)
    except Exception as exc:
        raise LoadError(f"{path} is a torch.export program that does not load: {_first_line(exc)}") from None


def _tensors(api, reader, path: str, names: set, config_file: str, folder: str, what: str) -> dict:
    """Weights or constants by name: raw tensors as stored, pickled ones through the safe unpickler."""
    import torch

    if config_file not in names:
        raise LoadError(
            f"{path} has no {config_file}: an older .pt2 layout, read only by unpickling it", hint=TRUST_HINT
        )
    config = api["_load_payload_config"](reader, config_file)
    raw = api["_build_file_map"](reader, config, folder)  # reads bytes only, skips pickled payloads
    out = {}
    for name, payload in config.config.items():
        if payload.use_pickle:
            out[name] = _unpickled(api, reader, path, folder, what, name, payload)
            continue
        meta = payload.tensor_meta
        if meta is None or payload.path_name not in raw:
            raise LoadError(f"{path}: {what} `{name}` has no data in the archive")
        tensor = torch.as_strided(
            raw[payload.path_name],
            size=api["deserialize_size"](meta.sizes),
            stride=api["deserialize_stride"](meta.strides),
            storage_offset=api["deserialize_storage_offset"](meta.storage_offset),
        )
        if what == "weight" and payload.is_param:
            tensor = torch.nn.Parameter(tensor, requires_grad=meta.requires_grad)
        out[name] = tensor
    return out


def _unpickled(api, reader, path: str, folder: str, what: str, name: str, payload):
    """A pickled tensor through the safe unpickler; LoadError for a pickled constant that is not
    a tensor constant, or anything more than a tensor."""
    import torch

    if what == "constant" and not payload.path_name.startswith(api["TENSOR_CONSTANT_FILENAME_PREFIX"]):
        raise LoadError(
            f"{path} holds a pickled Python object ({what} `{name}`): unpickling it runs code from the file",
            hint=TRUST_HINT,
        )
    data = reader.read_bytes(os.path.join(folder, payload.path_name))
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception:
        raise LoadError(
            f"{path} holds a pickled {what} `{name}` that is more than a tensor: unpickling it runs code from the file",
            hint=TRUST_HINT,
        ) from None


def _older_layout(path: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.rsplit("/", 1)[-1] == "serialized_exported_program.json" for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]
