"""A model file as it is at a git commit: `shapecheck diff HEAD~1:model.py:Net model.py:Net`.

`REF:path/to/file.py[:Name]` is read with git itself: the Python files of that file's folder
(and below) at REF are written to a folder of the caller's choosing, so the file's imports of
its neighbours see the same commit. Nothing of the working tree changes.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile

from ..errors import LoadError


def split(target: str) -> tuple[str, str, str] | None:
    """(ref, path, name) for `REF:path.py[:Name]`; None for any other target."""
    parts = target.split(":")
    if len(parts) not in (2, 3) or not parts[1].endswith(".py") or parts[0] in ("timm", "hf", ""):
        return None
    if os.path.exists(parts[0]):
        return None
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def _git(*args: str, binary: bool = False):
    try:
        done = subprocess.run(["git", *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LoadError(f"git could not run: {exc}", hint="install git, or pass the model file itself") from None
    if done.returncode != 0:
        return None
    return done.stdout if binary else done.stdout.decode("utf-8", "replace").strip()


def checkout(target: str, into: str) -> str | None:
    """The local target that loads `target`'s file as it is at its commit (written under
    `into`), or None when `target` does not name a commit."""
    found = split(target)
    if found is None:
        return None
    ref, path, name = found
    top, relative = _in_repository(target, ref, path)
    folder = os.path.dirname(relative)
    spec = f":(glob){folder}/**/*.py" if folder else ":(glob)**/*.py"
    archive = _git("-C", top, "archive", "--format=tar", ref, "--", spec, binary=True)
    if archive is None:
        raise LoadError(f"{path} does not exist at {ref}")
    _extract(archive, relative, into, path, ref)
    local = os.path.join(into, relative)
    return f"{local}:{name}" if name else local


def _in_repository(target: str, ref: str, path: str) -> tuple[str, str]:
    """(the repository's top folder, the file's path in it); LoadError outside a repository, for
    a ref that names no commit, or a file outside the repository."""
    if _git("rev-parse", "--is-inside-work-tree") != "true":
        raise LoadError(f"'{target}' names a git commit, but {os.getcwd()} is not in a git repository")
    if _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        raise LoadError(f"'{ref}' is not a commit, branch or tag of this repository", hint="git log --oneline")
    top = _git("rev-parse", "--show-toplevel")
    relative = os.path.relpath(os.path.abspath(path), top).replace(os.sep, "/")
    if relative.startswith("../"):
        raise LoadError(f"{path} is outside the repository ({top})")
    return top, relative


def _extract(archive: bytes, relative: str, into: str, path: str, ref: str) -> None:
    """The archive's files written under `into`; LoadError when the file is not in it, or is not
    a plain file tarfile's `data` filter lets through."""
    refused: dict[str, str] = {}

    def only_data(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        """tarfile's `data` filter, with what it refuses (a link to an absolute path or out of
        the folder, a device) left out instead of ending the extraction."""
        try:
            return tarfile.data_filter(member, dest)
        except tarfile.FilterError as exc:
            refused[member.name] = str(exc)
            return None

    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if relative not in tar.getnames():
                raise LoadError(f"{path} does not exist at {ref}")
            tar.extractall(into, filter=only_data)
    except (tarfile.TarError, OSError) as exc:
        raise LoadError(f"{path} at {ref} could not be copied out of git ({type(exc).__name__}: {exc})") from None
    if relative in refused:
        raise LoadError(f"{path} at {ref} is not a file shapecheck copies out of git: {refused[relative]}")
