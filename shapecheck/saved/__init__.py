"""Files people save: what kind a file is, and reading it without running code from it.

`torch.save` pickles; unpickling a whole model runs code from the file, so only
`weights_only=True` loads happen unless the user passes `--trust-pickle`.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile

from ..errors import LoadError

TORCH_ZIP = "torch"  # torch.save: a state dict, or a pickled object
SCRIPT = "torchscript"  # torch.jit.save
EXPORT = "export"  # torch.export.save
SAFETENSORS = "safetensors"
LEGACY = "legacy"  # torch.save before the zip format (protocol 2 pickle)
PYTHON = "python"


def kind_of(path: str) -> str:
    """Which kind of saved file this is; LoadError (exit 2) for anything unusable."""
    if not os.path.exists(path):
        raise LoadError(f"no such file: {path}")
    if os.path.isdir(path):
        raise LoadError(f"{path} is a directory; pass a model file (.py, .pt, .pth, .pt2, .safetensors)")
    if path.endswith(".py"):
        return PYTHON
    size = os.path.getsize(path)
    if size == 0:
        raise LoadError(f"{path} is empty (0 bytes): an interrupted save?")
    with open(path, "rb") as fh:
        head = fh.read(16)
    return _zip_kind(path, size) if head[:4] == b"PK\x03\x04" else _header_kind(path, head, size)


def _header_kind(path: str, head: bytes, size: int) -> str:
    """A file that is not a zip archive: safetensors (a header's length, then its JSON) or a
    legacy pickle."""
    if len(head) >= 9:
        (length,) = struct.unpack("<Q", head[:8])
        if 2 <= length <= size - 8 and head[8:9] == b"{":
            return SAFETENSORS
    if head[:1] == b"\x80" or head[:2] == b"\x8a\x0a":  # a pickle protocol marker / legacy magic
        return LEGACY
    raise LoadError(
        f"{path} is not a PyTorch file (no zip, pickle or safetensors header)",
        hint="pass a .py file, a torch.save/torch.jit.save/torch.export.save file or .safetensors",
    )


def _script_member(name: str) -> bool:
    return "/code/" in name or name.endswith("constants.pkl")


def _export_member(name: str) -> bool:
    return name.endswith("archive_format") or ("/models/" in name and name.endswith(".json"))


def _save_member(name: str) -> bool:
    return name.endswith("data.pkl")


# A zip archive's kind, by a member only that kind writes: the first kind with one wins.
_ZIP_MEMBERS = ((SCRIPT, _script_member), (EXPORT, _export_member), (TORCH_ZIP, _save_member))


def _zip_kind(path: str, size: int) -> str:
    """A zip archive: TorchScript (its code), torch.export (its format), or torch.save."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        raise LoadError(f"{path} is a truncated or corrupt zip archive ({size} bytes): save it again") from None
    for kind, member in _ZIP_MEMBERS:
        if any(member(n) for n in names):
            return kind
    raise LoadError(f"{path} is a zip archive but not one PyTorch writes")


def safetensors_shapes(path: str) -> dict:
    """Tensor shapes from a .safetensors header: the weights themselves are never read."""
    try:
        with open(path, "rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(length))
    except (OSError, struct.error, ValueError, UnicodeDecodeError, RecursionError):
        raise LoadError(f"{path}: the safetensors header is truncated or corrupt") from None
    if not isinstance(header, dict):
        raise LoadError(f"{path}: the safetensors header is not a table of tensors")
    return {key: _header_shape(path, key, value) for key, value in header.items() if key != "__metadata__"}


def _header_shape(path: str, key: str, entry) -> tuple[int, ...]:
    shape = entry.get("shape") if isinstance(entry, dict) else None
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise LoadError(f"{path}: the safetensors header gives tensor {key!r} no shape (a list of sizes)")
    return tuple(shape)
