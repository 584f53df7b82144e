"""Resolve a model name or file into an `nn.Module`, offline and without allocating weights.

Parameters and buffers are moved to the meta device as they are registered, so a model's
`__init__` can still compute with ordinary tensors (torchvision's `regnet_*` does) while its
weights never take memory. Pretrained weights that model code asks for are never downloaded.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import importlib.util
import inspect
import os
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from ..errors import DryRunStopped, LoadError
from ..spec import InputSpec
from ..trace.requests import SourceNotPatched
from . import construction
from .construction import ConstructionFailed as ConstructionFailed
from .construction import construction_error as construction_error

if TYPE_CHECKING:
    from torch import nn


@dataclass
class LoadedModel:
    module: nn.Module
    label: str
    family: str = "user"
    default_inputs: list[InputSpec] | None = None
    takes_image_list: bool = False
    notes: list[str] = field(default_factory=list)
    def_sites: MutableMapping = field(default_factory=weakref.WeakKeyDictionary)  # module → Location
    # Builds the same model again with real (random) weights, for the real engine:
    # returns (module, def_sites).
    rebuild: Callable[[], tuple] | None = None
    kind: str = "module"  # module | torchscript | export (a saved program, traced its own way)
    # Keyword inputs passed as FakeTensors on meta, given or default (InputSpec.fake):
    # transformers' attention_mask, whose values it reads except while tracing.
    fake_inputs: frozenset[str] = frozenset()
    # A program (a script's dry run) brings its own batch: (batch,), None when --batch applies.
    own_batch: tuple[int | None] | None = None
    # A model read from a file: the same model built again from the file with these lines changed
    # (a fix of a constructor line, checked as written) and these constructor arguments instead.
    # Raises ConstructionFailed when it cannot be built so.
    patched: Callable[[tuple[LinePatch, ...], dict], LoadedModel] | None = None
    # The whole numbers the model's class was built with (its defaults, then --arg), by name.
    arguments: tuple[tuple[str, int], ...] = ()


# -- offline --------------------------------------------------------------------------------
class SkippedWeights(dict):
    """Stands in for a downloaded state dict; loading it changes nothing."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url


def _hub_offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None and hasattr(constants, "HF_HUB_OFFLINE"):
        setattr(constants, "HF_HUB_OFFLINE", True)  # noqa: B010 - not every version has it


@contextlib.contextmanager
def offline(notes: list[str]):
    """Serve pretrained-weight requests with `SkippedWeights`; refuse other downloads."""
    import torch.hub
    import torch.utils.model_zoo
    from torch import nn

    def fake_load(url, *args, **kwargs):
        note = f"pretrained weights skipped (offline; weights do not change shapes): {url}"
        if note not in notes:
            notes.append(note)
        return SkippedWeights(url)

    def refuse(*args, **kwargs):
        raise LoadError(
            "the model tries to download files; shapecheck never downloads anything",
            hint="build the model without torch.hub.load / download calls",
        )

    original_lsd = nn.Module.load_state_dict

    def load_state_dict(self, state_dict, *args, **kwargs):
        if isinstance(state_dict, SkippedWeights):
            return nn.modules.module._IncompatibleKeys([], [])
        return original_lsd(self, state_dict, *args, **kwargs)

    patches = [
        (torch.hub, "load_state_dict_from_url", fake_load),
        (torch.hub, "download_url_to_file", refuse),
        (torch.hub, "load", refuse),
        (torch.utils.model_zoo, "load_url", fake_load),
        (nn.Module, "load_state_dict", load_state_dict),
    ]
    api = sys.modules.get("torchvision.models._api")
    if api is not None:
        patches.append((api, "load_state_dict_from_url", fake_load))
    builder = sys.modules.get("timm.models._builder")
    if builder is not None and hasattr(builder, "load_pretrained"):

        def skip_timm(model, pretrained_cfg=None, *args, **kwargs):
            cfg = pretrained_cfg or getattr(model, "pretrained_cfg", None) or {}
            fake_load(cfg.get("hf_hub_id") or cfg.get("url") or "timm pretrained weights")

        patches.append((builder, "load_pretrained", skip_timm))
    # The Hugging Face hub (timm's and transformers' downloads) fails at once instead of
    # retrying for a minute and a half against a network that is not there.
    _hub_offline()
    original_url_loader = torch.hub.load_state_dict_from_url
    try:
        with _patched(patches, this_thread_only=True):
            yield
    finally:
        # torchvision imported inside the block binds our stand-in: give it the real loader.
        api = sys.modules.get("torchvision.models._api")
        bound = getattr(api, "load_state_dict_from_url", None) if api is not None else None
        if bound is fake_load or getattr(bound, "stand_in", False):
            setattr(api, "load_state_dict_from_url", original_url_loader)  # noqa: B010 - not every torchvision has it


@contextlib.contextmanager
def weightless(def_sites: MutableMapping, meta: bool = True):
    """Put parameters and buffers on meta as they are registered; note where modules are made."""
    import torch
    from torch import nn
    from torch.nn.parameter import UninitializedBuffer, UninitializedParameter

    from ..trace.sources import caller_in_package, registration_location

    def is_library_site():
        return caller_in_package(3)

    register_parameter = nn.Module.register_parameter
    register_buffer = nn.Module.register_buffer

    def to_meta_parameter(self, name, param):
        if param is not None and not isinstance(param, UninitializedParameter) and not param.is_meta:
            param = nn.Parameter(param.to("meta"), requires_grad=param.requires_grad)
        return register_parameter(self, name, param)

    def to_meta_buffer(self, name, tensor, persistent=True):
        if tensor is not None and not isinstance(tensor, UninitializedBuffer) and not tensor.is_meta:
            tensor = tensor.to("meta")
        return register_buffer(self, name, tensor, persistent)

    def on_register(module, name, submodule):
        # The first registration wins, except that the user's own code beats a library's:
        # `self.features = vgg16().features` points at the user's line.
        if submodule is None:
            return
        old = def_sites.get(submodule)
        if old is None or (old.file.startswith(_LIBRARY_PREFIXES) and not is_library_site()):
            def_sites[submodule] = registration_location(2, name)

    owner = threading.get_ident()

    def on_register_here(module, name, submodule):
        if threading.get_ident() == owner:  # modules other threads of the caller build are theirs
            on_register(module, name, submodule)

    handle = torch.nn.modules.module.register_module_module_registration_hook(on_register_here)
    try:
        # only in this thread: another thread of the caller building a Linear meanwhile keeps
        # its weight on the CPU
        with _patched(
            [(nn.Module, "register_parameter", to_meta_parameter), (nn.Module, "register_buffer", to_meta_buffer)]
            if meta
            else [],
            this_thread_only=True,
        ):
            yield
    finally:
        handle.remove()


_LIBRARY_PREFIXES = ("torchvision" + os.sep, "torch" + os.sep, os.sep)


# -- resolution -----------------------------------------------------------------------------
def resolve(
    target: str, args: dict | None = None, trust_pickle: bool = False, patches: Sequence[LinePatch] = ()
) -> LoadedModel:
    """`vgg16`, `timm:NAME`, `hf:bert`, `path/to/file.py[:Name]`, `package.module:Name`, or a saved
    file → a model. `patches` are lines of a model file to read otherwise as it is imported (a
    fix of a constructor line, checked by building the model with it)."""
    args = dict(args or {})
    prefix, colon, rest = target.partition(":")
    if colon and prefix in ("timm", "hf") and rest:
        from . import zoo

        return zoo.from_timm(rest, args) if prefix == "timm" else zoo.from_hf(rest, args)
    if os.path.isfile(target) and not target.endswith(".py"):  # a folder named resnet18/ is not a file
        if args:
            raise LoadError("--arg applies to model classes and functions, not to saved files")
        return _from_saved(target, trust_pickle)
    return _from_code(target, args, patches)


def _from_code(target: str, args: dict, patches: Sequence[LinePatch]) -> LoadedModel:
    """A model file (`path/to/file.py[:Name]`), an importable `package.module:Name`, or a
    torchvision name."""
    path, _, name = target.partition(":")
    if path.endswith(".py") or os.sep in path or (name and os.path.exists(path)):
        return _from_file(path, name or None, args, target, patches)
    if name:
        return _from_import(path, name, args, target)
    return _from_torchvision(target, args)


@contextlib.contextmanager
def _building(notes: list[str], def_sites: MutableMapping, meta: bool):
    """While model code builds the model: offline, warnings hushed, prints to stderr, weights
    to meta as they are registered."""
    with offline(notes), contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        from .. import threads

        stack.enter_context(threads.stdout_to_stderr())
        stack.enter_context(weightless(def_sites, meta))
        yield


def _construct(factory: Callable[[], object], label: str, notes: list[str], def_sites: MutableMapping, meta: bool):
    from torch import nn

    try:
        module = _built_on_meta(factory, notes, def_sites) if meta else None
        if module is None:
            with _building(notes, def_sites, meta):
                module = factory()
        notes[:] = list(dict.fromkeys(notes))  # a second build notes the same things again
    except (LoadError, SourceNotPatched):
        raise
    except TypeError as exc:
        raise LoadError(
            f"could not construct {label}: {exc}",
            hint="pass constructor arguments with --arg KEY=VALUE",
            detail=_user_frames(exc),
        ) from None
    except Exception as exc:
        failure = construction.failed(exc, label, _user_frames(exc))
        if failure is not None:  # a model bug: a finding where the caller diagnoses it
            raise failure from None
        raise LoadError(f"constructing {label} raised {type(exc).__name__}: {exc}", detail=_user_frames(exc)) from None
    if not isinstance(module, nn.Module):
        raise LoadError(f"{label} returned {type(module).__name__}, not an nn.Module")
    return module


def _built_on_meta(factory: Callable[[], object], notes: list[str], def_sites: MutableMapping) -> object:
    """The model built on the meta device, where `nn.Linear(100000, 100000)` allocates nothing;
    None when its code needs values while building (`.item()`, `torch.load`): it is built again."""
    import torch

    try:
        with _building(notes, def_sites, True), torch.device("meta"):
            return factory()
    except (LoadError, SourceNotPatched, KeyboardInterrupt, SystemExit):
        raise
    except Exception:
        def_sites.clear()
        return None


def _from_torchvision(name: str, args: dict) -> LoadedModel:
    from .catalog import named_models

    models = named_models()
    if name not in models:
        # compared in lower case: `VGG16` is three edits from `vgg16` as written, none as meant
        lowered = {m.lower(): m for m in models}
        close = [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=3)]
        hint = ("closest names: " + ", ".join(close)) if close else "run `shapecheck list` to see them"
        raise LoadError(f"'{name}' is not a torchvision model name, a .py file or module:Name", hint=hint)
    import torchvision.models as tvm

    entry = models[name]
    builder = tvm.get_model_builder(name)
    kwargs = {"weights": None}
    if "weights_backbone" in inspect.signature(builder).parameters:
        kwargs["weights_backbone"] = None
    kwargs.update(args)
    notes: list[str] = []
    def_sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def build(meta: bool, sites: MutableMapping):
        return _construct(lambda: builder(**kwargs), name, notes, sites, meta)

    module = build(True, def_sites)
    return LoadedModel(
        module,
        name,
        entry.family,
        entry.specs(),
        entry.takes_image_list,
        notes,
        def_sites,
        rebuild=lambda: _with_sites(build),
    )


def _from_saved(path: str, trust_pickle: bool) -> LoadedModel:
    """A TorchScript archive, a torch.export program, or (with --trust-pickle) a pickled model."""
    from .. import saved
    from ..saved.state import load_weights_only, unwrap

    kind = saved.kind_of(path)
    if kind == saved.SCRIPT:
        import torch

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.jit.load is deprecated in favour of torch.export
                # On meta: the weights are never read, and the program runs shape-only.
                module = torch.jit.load(path, map_location="meta")
        except Exception as exc:
            raise LoadError(
                f"{path} is a TorchScript archive that does not load: {str(exc).strip().splitlines()[0][:160]}"
            ) from None
        from ..saved.scripted import check_ops

        check_ops(module, path)
        return LoadedModel(module, path, kind="torchscript")
    if kind == saved.EXPORT:
        from ..saved.program import open_program

        notes = [f"{path} was unpickled with --trust-pickle"] if trust_pickle else []
        return LoadedModel(open_program(path, trust_pickle), path, kind="export", notes=notes)
    if kind == saved.SAFETENSORS:
        raise LoadError(
            f"{path} holds weights only (safetensors)", hint=f"pass the architecture: shapecheck MODEL --weights {path}"
        )
    if trust_pickle:
        import torch

        try:
            obj = torch.load(path, map_location="cpu", weights_only=False)
        except Exception as exc:
            raise LoadError(f"unpickling {path} raised {type(exc).__name__}: {exc}") from None
        if isinstance(obj, torch.nn.Module):
            return LoadedModel(obj, path, notes=[f"{path} was unpickled with --trust-pickle"])
        state, _ = unwrap(obj, path)
        raise LoadError(
            f"{path} holds weights only (a state dict of {len(state)} tensors)",
            hint=f"pass the architecture: shapecheck MODEL --weights {path}",
        )
    state, _ = unwrap(load_weights_only(path, kind), path)
    raise LoadError(
        f"{path} holds weights only (a state dict of {len(state)} tensors)",
        hint=f"pass the architecture: shapecheck MODEL --weights {path}",
    )


def _import_file(path: str, as_main: bool = False, skipped: list | None = None, patches: Sequence[LinePatch] = ()):
    """Import a file as a module; `as_main`: run it as `python path` does (`__name__ ==
    "__main__"`, `sys.argv` the path alone). With `skipped` (a list), top-level program code
    the definitions do not need is left out and its line ranges appended there."""
    full, mod_name, spec = _module_spec(path)
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(full)
    sys.path.insert(0, folder)
    known = set(sys.modules)
    sys.modules[mod_name] = module
    argv = sys.argv[:]
    try:
        module = _execute(module, spec.loader, full, as_main, skipped, patches)
        from .. import snapshot

        # as imported, with the files of the tree it imported, before the model is built and its lines quoted
        snapshot.take((full,), [m for name, m in list(sys.modules.items()) if name not in known])
    except (LoadError, SourceNotPatched):
        del sys.modules[mod_name]
        raise
    except BaseException as exc:
        del sys.modules[mod_name]
        if isinstance(exc, KeyboardInterrupt):
            raise
        if isinstance(exc, SystemExit) and as_main:
            return exc  # the script ended, as `python script.py` would: how, for the caller to say
        _raise_import_error(exc, path)
    finally:
        sys.argv = argv
        if as_main:
            sys.modules.pop(mod_name, None)
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def _module_spec(path: str) -> tuple[str, str, importlib.machinery.ModuleSpec]:
    """The file's absolute path, a module name of its own, and how to import it."""
    if not os.path.exists(path):
        raise LoadError(f"no such file: {path}")
    if os.path.isdir(path):
        raise LoadError(f"{path} is a directory; pass a .py file, optionally with :Name")
    full = os.path.abspath(path)
    mod_name = "shapecheck_user_" + "".join(c if c.isalnum() else "_" for c in full)
    spec = importlib.util.spec_from_file_location(mod_name, full)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot import {path}: not a Python file")
    return full, mod_name, spec


def _execute(module, loader, full: str, as_main: bool, skipped: list | None, patches: Sequence[LinePatch] = ()):
    """Run the file's code: as `__main__` (its namespace is returned), only its definitions
    (with `skipped`, when the file parses), or as an ordinary import; with `patches`, the file's
    text with those lines changed."""
    if patches:
        return _execute_patched(module, full, skipped, patches)
    if as_main:  # as `python FILE.py` runs it: its __builtins__, __loader__ and sys.modules["__main__"]
        from . import as_main as main_module

        main = main_module.for_script(full)
        with main_module.installed(main, []):
            main_module.execute(main)
        return main.module.__dict__
    if skipped is not None and (definitions := _definitions(full)) is not None:
        tree, left_out = definitions
        skipped.extend(left_out)
        exec(compile(tree, full, "exec"), module.__dict__)
    else:
        loader.exec_module(module)
    return module


@dataclass(frozen=True)
class LinePatch:
    """One line of a model file as it should read: `before` at `file:line` becomes `after`."""

    file: str
    line: int
    before: str
    after: str


def _execute_patched(module, full: str, skipped: list | None, patches: Sequence[LinePatch]):
    """The file's code with `patches` applied, compiled under the file's own name (tracebacks and
    rows quote the file as it is on disk)."""
    from .script import definitions_only

    with open(full, encoding="utf-8-sig") as f:
        lines = f.read().splitlines(keepends=True)
    for patch in dict.fromkeys(patches):  # a line two fixes write alike is written once
        at = patch.line - 1
        if os.path.realpath(patch.file) != os.path.realpath(full):
            raise SourceNotPatched(f"{patch.file}:{patch.line} is not in the model's file")
        if not 0 <= at < len(lines) or lines[at].strip() != patch.before.strip():
            raise SourceNotPatched(f"{patch.file}:{patch.line} no longer reads as the fix's line")
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines[at] = indent + patch.after.strip() + "\n"
    source = "".join(lines)
    definitions = definitions_only(source) if skipped is not None else None
    if definitions is not None:
        tree, left_out = definitions
        skipped.extend(left_out)  # type: ignore[union-attr]
        exec(compile(tree, full, "exec"), module.__dict__)
    else:
        exec(compile(source, full, "exec"), module.__dict__)
    return module


def _raise_import_error(exc: BaseException, path: str) -> NoReturn:
    """An import that raised, as a LoadError."""
    if isinstance(exc, SystemExit):
        raise LoadError(
            f"model code called sys.exit({exc.code!r}) at import of {path}",
            hint="a model file should define the model, not run a program: guard script "
            'code with `if __name__ == "__main__":`',
            detail=_user_frames(exc),
        ) from None
    raise LoadError(f"importing {path} raised {type(exc).__name__}: {exc}", detail=_user_frames(exc)) from None


def _definitions(path: str):
    from .script import definitions_only

    try:
        with open(path, encoding="utf-8-sig") as f:
            return definitions_only(f.read())
    except (OSError, UnicodeDecodeError):
        return None


def _module_classes(module) -> list[str]:
    from torch import nn

    return [
        n
        for n, obj in vars(module).items()
        if inspect.isclass(obj) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__
    ]


def _from_file(path: str, name: str | None, args: dict, target: str, patches: Sequence[LinePatch] = ()) -> LoadedModel:
    import linecache

    if name is None and path.endswith(".py") and os.path.isfile(path):
        from . import script

        try:
            with open(path, encoding="utf-8-sig") as f:
                source = f.read()
        except (OSError, UnicodeDecodeError):
            source = ""
        if source and not script.defines_modules(source):
            if args:
                raise LoadError("--arg applies to model classes and functions; a script makes its own model")
            return _from_program(path, target)
    notes: list[str] = []
    def_sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    # Source lines are quoted from linecache: a file edited since (--fix, a notebook) is read anew.
    linecache.checkcache()

    def load(meta: bool, sites: MutableMapping):
        # Import inside the guards: module-level code may build a model or fetch weights.
        def factory():
            skipped: list[tuple[int, int]] = []
            module = _import_file(path, skipped=skipped, patches=patches)
            note = _skipped_note(path, skipped) if skipped else None
            if note is not None and note not in notes:
                notes.append(note)
            chosen = name if name is not None else _only_class(module, path)
            built_with[:] = _whole_arguments(getattr(module, chosen, None), args)
            return _instantiate(module, chosen, args, f"{path}:{chosen}")

        return _construct(factory, target, notes, sites, meta)

    built_with: list[tuple[str, int]] = []

    module = load(True, def_sites)
    return LoadedModel(
        module,
        target,
        notes=notes,
        def_sites=def_sites,
        rebuild=lambda: _with_sites(load),
        patched=lambda more, extra: _from_file(path, name, {**args, **extra}, target, (*patches, *more)),
        arguments=tuple(built_with),
    )


def _skipped_note(path: str, skipped: list[tuple[int, int]]) -> str:
    """The note for the top-level code left out of a file's import, at lines `skipped` (spans)."""
    spans = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in skipped)
    return (
        f"not run: the top-level code of {path} at line{'s' if ',' in spans or '-' in spans else ''} "
        f"{spans}, which building the model does "
        'not need (a program under `if __name__ == "__main__":` is not run either)'
    )


def _only_class(module, path: str) -> str:
    """The name of the one nn.Module class a file defines; LoadError naming them when it is not one."""
    classes = _module_classes(module)
    if len(classes) != 1:
        found = ", ".join(classes) if classes else "none"
        raise LoadError(f"{path} defines {len(classes)} nn.Module classes ({found})", hint=f"name one: {path}:NAME")
    return classes[0]


def _from_program(path: str, target: str) -> LoadedModel:
    """A file that defines no nn.Module class is a program: run on meta tensors (weights skipped,
    nothing downloaded), it is the program around its first shape error (also one its own
    try/except catches) that is traced, or when it has none, around its last module call."""
    from ..spec import from_tensors
    from . import program, script

    notes: list[str] = []
    def_sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    watcher = script.Watcher(path)
    stopped, ended = _dry_run(path, watcher, notes, def_sites)
    if stopped is not None and watcher.failure is None and watcher.value_read is None:
        # not a shape error of a torch call, nor a value read: what stopped it, at its line
        raise _stopped(path, stopped)
    captured = watcher.failure or watcher.last
    if captured is None or captured.module is None:
        raise _nothing_to_trace(path, watcher, stopped, ended)
    sites = program.Sites(captured.sites, def_sites)
    specs, batch, why = from_tensors(tuple(captured.values), {}) if captured.values else ([], None, None)
    if specs is None:
        raise LoadError(f"the dry run of {path} reached {captured.at}, but {why}")
    _dry_run_notes(notes, path, captured.at, watcher, ended)
    module = captured.module
    return LoadedModel(
        module,  # type: ignore[arg-type]
        target,
        default_inputs=specs,
        notes=notes,
        def_sites=sites,  # type: ignore[arg-type]
        own_batch=(batch,),
    )


def _dry_run(path: str, watcher, notes: list[str], def_sites: weakref.WeakKeyDictionary):
    """Run the program on meta tensors, watched: (the LoadError that stopped it or None, what
    its import ended with: a SystemExit or None). The folder it started in is put back."""
    import torch

    cwd = os.getcwd()
    ended = None
    try:
        with (
            _building(notes, def_sites, True),
            torch.device("meta"),
            _no_writes(notes),
            _in_this_process(notes),
            watcher,
        ):
            ended = _import_file(path, as_main=True)
    except LoadError as err:
        return err, ended
    finally:
        if os.path.isdir(cwd):  # the script may have moved: paths are shown from where it started
            os.chdir(cwd)
    return None, ended


def _nothing_to_trace(path: str, watcher, stopped: LoadError | None, ended) -> LoadError:
    """Why a dry run left no module call to trace: a failure in code that cannot be replayed, a
    value read, another error, or no module called at all."""
    if watcher.failure is not None:
        return LoadError(
            f"the dry run of {path} failed at {watcher.failure.at} with {watcher.failure.error}, "
            "in code shapecheck cannot replay on its own",
            detail=stopped.detail if stopped else None,
        )
    if watcher.value_read is not None:
        return LoadError(
            f"the dry run of {path} stopped at {watcher.value_read}: it reads a tensor's value, and a dry "
            "run has shapes only (meta tensors); no shape error before that line",
            hint=f"run it for real: shapecheck run {path}",
        )
    if stopped is not None:
        return LoadError(
            f"the dry run of {path} stopped before any shape error: {stopped.message}",
            hint="it is not a shape error; a dry run runs the script on meta tensors (no data, no weights)",
            detail=stopped.detail,
        )
    how = f" (it ended with sys.exit({ended.code!r}))" if isinstance(ended, SystemExit) else ""
    return LoadError(
        f"{path} defines no nn.Module class and calls no module{how}",
        hint=f"name a model: {path}:NAME, or a function that builds one",
    )


def _dry_run_notes(notes: list[str], path: str, at: str, watcher, ended) -> None:
    """What the report says of a dry run: where it traced, and where the program stopped short."""
    notes.insert(0, f"dry run of {path} on meta tensors: the code around {at}")
    if watcher.failure is None and watcher.value_read is not None:
        notes.insert(
            1,
            f"the dry run stopped at {watcher.value_read}: it reads a tensor's value, which meta tensors do not "
            "have; the code after it was not run",
        )
    if watcher.gpu:
        notes.append('dry run: tensors moved to a GPU (`.cuda()`, `.to("cuda")`) stayed on meta')
    if isinstance(ended, SystemExit) and ended.code not in (None, 0):
        notes.insert(1, f"the script ended early with sys.exit({ended.code!r}); the code after it was not run")


def _stopped(path: str, stopped: LoadError) -> LoadError:
    """The error that ended a dry run before any shape error of a torch call: not a shape error,
    unless the layer that knows PyTorch's messages reads it as one (`DryRunStopped`)."""
    message = stopped.message.partition(" raised ")[2] or stopped.message
    return DryRunStopped(
        f"the dry run of {path} stopped before any shape error: {stopped.message}",
        hint="it is not a shape error; a dry run runs the script on meta tensors (no data, no weights)",
        detail=stopped.detail,
        path=path,
        error=message,
    )


@contextlib.contextmanager
def _in_this_process(notes: list[str]):
    """While a script is dry-run: its DataLoaders load in this process (`num_workers=0`: a
    worker process cannot send meta tensors back, and the dry run's own process may not start
    children), and `set_start_method` may set again what shapecheck's worker already set."""
    import inspect
    import multiprocessing.context

    from torch.utils.data import DataLoader

    real_init = DataLoader.__init__
    signature = inspect.signature(real_init)

    def init(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        if bound.arguments.get("num_workers", 0):
            note = "dry run: DataLoaders load in the main process (num_workers=0)"
            if note not in notes:
                notes.append(note)
            bound.arguments["num_workers"] = 0
            for name, value in (("prefetch_factor", None), ("persistent_workers", False), ("timeout", 0)):
                if name in bound.arguments:
                    bound.arguments[name] = value
            bound.arguments.pop("multiprocessing_context", None)
        real_init(*bound.args, **bound.kwargs)

    default = multiprocessing.context._default_context

    def set_start_method(method, force=False):
        return default.set_start_method(method, force=True)

    patches: list[tuple[Any, str, Any]] = [(DataLoader, "__init__", init)]
    # `mp.set_start_method("spawn")` as the script's first line: bound into each module that exports it
    for name in ("multiprocessing", "torch.multiprocessing"):
        exporter = sys.modules.get(name)
        if exporter is not None and hasattr(exporter, "set_start_method"):
            patches.append((exporter, "set_start_method", set_start_method))
    with _patched(patches):
        yield


@contextlib.contextmanager
def _no_writes(notes: list[str]):
    """While a script is dry-run: it changes no file. `torch.save` saves nothing (its tensors are
    meta: a trained checkpoint would be overwritten with empty ones), files opened for writing
    are the null device, and removing or renaming files does nothing; a note says what was skipped."""
    import builtins
    import io
    import shutil

    import torch

    def skipped(what: str) -> None:
        note = f"dry run: {what} skipped (a dry run changes no file)"
        if note not in notes:
            notes.append(note)

    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
            skipped(f"writing {os.fsdecode(file)}")
            return real_open(os.devnull, mode.replace("x", "w"), *args, **kwargs)
        return real_open(file, mode, *args, **kwargs)

    def no_op(name: str, at: int = 0, real=None):
        def skip(*args, **kwargs):
            target = args[at] if len(args) > at else kwargs.get("f", "")
            if real is not None and isinstance(target, io.BytesIO):
                return real(*args, **kwargs)  # into memory: no file changes, and the script reads it back
            skipped(f"{name}({os.fsdecode(target) if isinstance(target, (str, bytes, os.PathLike)) else ''})")

        return skip

    patches = [
        (builtins, "open", guarded_open),
        (io, "open", guarded_open),
        (torch, "save", no_op("torch.save", at=1, real=torch.save)),
        (os, "remove", no_op("os.remove")),
        (os, "unlink", no_op("os.unlink")),
        (os, "rename", no_op("os.rename")),
        (os, "replace", no_op("os.replace")),
        (os, "rmdir", no_op("os.rmdir")),
        (shutil, "rmtree", no_op("shutil.rmtree")),
        (shutil, "move", no_op("shutil.move")),
    ]
    with _patched(patches):
        yield


@contextlib.contextmanager
def _patched(patches: Sequence[tuple[Any, str, Any]], this_thread_only: bool = False):
    """Each (object, attribute, value) set for the block; the old values back after it. With
    `this_thread_only`, a function set so is seen by this thread only (`threads.for_this_thread`):
    the caller's other threads, and anything that kept a reference to it, get the original.
    A dry run's guards are for every thread: the script's own threads must not write files."""
    from .. import threads

    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    ends = []
    for (obj, name, value), (_, _, original) in zip(patches, saved, strict=True):
        if this_thread_only:
            value, end = threads.for_this_thread(value, original)
            ends.append(end)
        setattr(obj, name, value)
    try:
        yield
    finally:
        for end in ends:
            end()
        for obj, name, value in saved:
            setattr(obj, name, value)


def _with_sites(build):
    sites = weakref.WeakKeyDictionary()
    return build(False, sites), sites


def _from_import(module_name: str, name: str, args: dict, target: str) -> LoadedModel:
    notes: list[str] = []
    def_sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    _search_cwd()

    def load(meta: bool, sites: MutableMapping):
        def factory():
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and module_name.startswith(exc.name):
                    raise LoadError(
                        f"no module named '{module_name}'", hint="check the name, or pass a path to a .py file"
                    ) from None
                raise
            return _instantiate(module, name, args, target)

        return _construct(factory, target, notes, sites, meta)

    module = load(True, def_sites)
    return LoadedModel(module, target, notes=notes, def_sites=def_sites, rebuild=lambda: _with_sites(load))


def _search_cwd() -> None:
    """`shapecheck cifar_cnn:Net` finds `cifar_cnn.py` in the current folder, as `python -c
    "import cifar_cnn"` does (the `shapecheck` command's own folder is first on its path, not
    the current one). Searched last: a local file does not shadow an installed package."""
    here = os.getcwd()
    if here not in {os.path.abspath(p or os.curdir) for p in sys.path}:
        sys.path.append(here)


def _instantiate(module, name: str, args: dict, label: str):
    from torch import nn

    if not hasattr(module, name):
        classes = _module_classes(module)
        hint = ("nn.Module classes there: " + ", ".join(classes)) if classes else None
        raise LoadError(f"{label}: no attribute '{name}' in {getattr(module, '__file__', module.__name__)}", hint=hint)
    obj = getattr(module, name)
    if isinstance(obj, nn.Module):
        if args:
            raise LoadError(f"{label} is a module instance; --arg applies to classes and functions")
        return obj
    if not callable(obj):
        raise LoadError(f"{label} is a {type(obj).__name__}, not an nn.Module class or function")
    return obj(**args)


def _whole_arguments(cls, args: dict) -> list[tuple[str, int]]:
    """The whole-number arguments a class is built with: its __init__'s int defaults, then the
    given ones (`--arg`); booleans are not sizes."""
    if not inspect.isclass(cls):
        return []
    try:
        parameters = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return []
    values = {n: p.default for n, p in parameters.items() if n != "self"}
    values.update(args)
    return [(n, v) for n, v in values.items() if type(v) is int]


def _user_frames(exc: BaseException) -> str | None:
    from ..trace.sources import user_traceback

    frames = user_traceback(exc.__traceback__)
    if not frames:
        return None
    lines = ["Traceback (your code only):", *frame_lines(frames), f"{type(exc).__name__}: {exc}"]
    return "\n".join(lines)


SHOWN_FRAMES = 10  # of a longer traceback (code that recursed without end), the first and last this many


def frame_lines(frames) -> list[str]:
    """Traceback lines for these frames, trimmed as a recursion needs: a frame repeated in a row
    is shown three times, then counted (as Python does), and of more than 2 × SHOWN_FRAMES
    frames left after that, the first and the last SHOWN_FRAMES are shown."""
    shown = _repeats_counted(frames)
    if len(shown) > 2 * SHOWN_FRAMES:
        left_out = len(shown) - 2 * SHOWN_FRAMES
        shown = [*shown[:SHOWN_FRAMES], f"  [… {left_out} frames left out …]", *shown[-SHOWN_FRAMES:]]
    return [line for loc in shown for line in _frame_text(loc)]


def _repeats_counted(frames) -> list:
    """The frames, a frame repeated in a row shown three times and then counted in a line."""
    import itertools

    shown: list = []
    for loc, run in itertools.groupby(frames):
        times = sum(1 for _ in run)
        shown += [loc] * min(times, 3)
        if times > 3:
            shown.append(f"  [Previous line repeated {times - 3} more times]")
    return shown


def _frame_text(loc) -> list[str]:
    """A frame's lines as a traceback shows them (a line of text as it is)."""
    if isinstance(loc, str):
        return [loc]
    where = f'  File "{loc.file}", line {loc.line}'
    return [where, f"    {loc.source}"] if loc.source else [where]
