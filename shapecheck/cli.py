"""The command line: wires spec → loading → trace → diagnose → render, nothing more.

torch is imported only by the commands that trace; `--help` stays fast.
"""

import os
import sys
from enum import Enum
from typing import Annotated, NoReturn

import typer
from typer.core import TyperGroup

from .errors import ShapecheckError


class _DefaultToCheck(TyperGroup):
    """`shapecheck vgg16 …` means `shapecheck check vgg16 …`; bare `shapecheck` runs the config."""

    def parse_args(self, ctx, args):
        top_level = {"--help", "-h", "--version", "--install-completion", "--show-completion"}
        if not args or (args[0] not in self.commands and args[0] not in top_level):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"shapecheck {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    cls=_DefaultToCheck,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find tensor shape mismatches in PyTorch models, explain them, and suggest fixes.\n\n"
    "Usage: shapecheck MODEL [--input SPEC ...] (MODEL: a torchvision name, file.py[:Name], "
    "package.module:Name or a saved file); `shapecheck check --help` lists the options. "
    "Without MODEL, shapecheck runs the checks of the tool.shapecheck table in pyproject.toml.",
)


@app.callback(help=app.info.help)
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print shapecheck's version and exit", metavar=""
        ),
    ] = False,
) -> None:
    pass  # options of the program itself; each command has its own


class Engine(str, Enum):
    auto = "auto"
    meta = "meta"
    real = "real"


class Format(str, Enum):
    table = "table"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"
    html = "html"


class RunFormat(str, Enum):
    """What `shapecheck run` writes: one diagnosis, not a CI document."""

    table = "table"
    json = "json"
    markdown = "markdown"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _fail(err: ShapecheckError) -> typer.Exit:
    print(_error_text(err.message, err.hint, err.detail), file=sys.stderr)
    return typer.Exit(err.exit_code)


@app.command("check")
def check_command(
    model: Annotated[
        str | None,
        typer.Argument(
            metavar="MODEL",
            help="torchvision name (vgg16), path/to/file.py[:Name], or package.module:Name; "
            "omit it to run the checks of the config",
        ),
    ] = None,
    input: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            "-i",
            help="per-sample dims of one forward argument, e.g. 3x224x224 or 64:long; repeat for each argument",
            metavar="SPEC",
        ),
    ] = None,
    batch: Annotated[
        int | None, typer.Option(metavar="N", help="batch size put in front of every input (default 1)")
    ] = None,
    no_batch: Annotated[
        bool, typer.Option("--no-batch", help="feed the shapes exactly as written (no batch dim)", metavar="")
    ] = False,
    arg: Annotated[
        list[str] | None,
        typer.Option(
            "--arg",
            help="constructor keyword argument KEY=VALUE (VALUE as a Python literal); repeatable",
            metavar="KEY=VALUE",
        ),
    ] = None,
    train: Annotated[bool, typer.Option("--train", help="trace in training mode (default: eval)", metavar="")] = False,
    engine: Annotated[
        Engine | None,
        typer.Option(
            help="meta: shapes only, no weights; real: random weights; auto (default): meta, real when needed"
        ),
    ] = None,
    device: Annotated[str, typer.Option(metavar="DEVICE", help="device for the real engine: cpu or cuda")] = "cpu",
    depth: Annotated[int | None, typer.Option(metavar="N", help="fold the table below this depth")] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="table columns, comma-separated: type, input, output, params, params_percent, mult_adds, "
            "param_bytes, output_bytes, saved_bytes, kernel, trainable (torchinfo's col_names too)",
            metavar="NAMES",
        ),
    ] = None,
    format: Annotated[
        Format | None, typer.Option("--format", "-f", help="output format (default table, or the config's)")
    ] = None,
    strict: Annotated[
        bool | None, typer.Option("--strict/--no-strict", help="exit 1 on warnings too", metavar="")
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", help="a rule code or name to suppress (SC103, size-locked-head); repeatable", metavar="CODE"
        ),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="a checkpoint (state dict, wrapped, or .safetensors) to compare with MODEL",
            metavar="FILE",
        ),
    ] = None,
    trust_pickle: Annotated[
        bool,
        typer.Option(
            "--trust-pickle", help="allow unpickling a whole saved model: this runs code from the file", metavar=""
        ),
    ] = False,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="config file (default: shapecheck.toml or pyproject.toml [tool.shapecheck], searched upwards)",
            metavar="FILE",
        ),
    ] = None,
    color: Annotated[Color, typer.Option(help="colour in the table output")] = Color.auto,
    symbolic: Annotated[
        bool,
        typer.Option(
            "--symbolic",
            help="trace with symbolic dims (B, C, H, W): show each row's shape as an expression "
            "and which input sizes the model accepts",
            metavar="",
        ),
    ] = False,
    budget: Annotated[
        float,
        typer.Option(
            "--budget",
            metavar="SECONDS",
            help="safety cap for --symbolic: it stops at 10× this many seconds of CPU time and says so "
            "(its probes are counted, not timed)",
        ),
    ] = 5.0,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", metavar="SECONDS", help="time limit for each check's worker process (default 300)"),
    ] = None,
    memory_limit: Annotated[
        int | None,
        typer.Option(
            "--memory-limit",
            metavar="MB",
            help="memory limit for each check's worker process "
            "(default: 8 GiB or 3/4 of the machine's memory, whichever is less)",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="config checks run side by side (default: the number of cores)", metavar="N"),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="apply verified safe fixes that edit your own files, then check again", metavar=""),
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes",
            help="with --fix or --diff: unsafe fixes too (they change layer sizes: checkpoints no longer load)",
            metavar="",
        ),
    ] = False,
    show_diff: Annotated[
        bool, typer.Option("--diff", help="print the unified diff --fix would write, and change nothing", metavar="")
    ] = False,
    memory: Annotated[
        bool,
        typer.Option(
            "--memory",
            help="measure memory: activations kept for backward per layer, peak inference and training "
            "memory by batch size",
            metavar="",
        ),
    ] = False,
    fit: Annotated[
        str | None,
        typer.Option(
            "--fit",
            metavar="SIZE",
            help="the largest batch whose training and inference peaks fit in SIZE (16GiB, 80GB); implies --memory",
        ),
    ] = None,
) -> None:
    """Trace MODEL on a dummy input, print per-layer shapes and diagnose shape errors.

    Without MODEL, runs every check of the config with one summary.

    Exit codes: 0 no error findings, 1 error findings (or warnings with --strict),
    2 bad usage, input spec, config, model loading or internal error.
    """
    from .spec import parse_arg

    _tolerant_streams()
    try:
        cfg = _config(config, explicit_model=model is not None)
        if model is None and cfg is None:
            raise ShapecheckError(
                "no MODEL given and no config found",
                hint="pass a model (shapecheck vgg16 --input 3x224x224) or add "
                "[tool.shapecheck] checks to pyproject.toml",
            )
        fmt = (format.value if format else None) or (cfg.format if cfg else None) or "table"
        strict_mode = strict if strict is not None else (cfg.strict if cfg else False)
        limits = _limits(
            timeout if timeout is not None else (cfg.timeout if cfg else None),
            memory_limit if memory_limit is not None else (cfg.memory_limit if cfg else None),
        )
        if jobs is not None and jobs < 1:
            raise ShapecheckError(f"--jobs must be at least 1, got {jobs}")
        if depth is not None and depth < 0:
            raise ShapecheckError(f"--depth must be 0 or more, got {depth}")
        chosen = _columns(columns)
        if chosen and "saved_bytes" in chosen and not (memory or fit):
            raise ShapecheckError("the saved_bytes column needs --memory (or --fit)")
        from .api import parse_inputs

        # Malformed --input and --arg values fail here, before any worker starts.
        specs = parse_inputs(input or None)
        args = dict(parse_arg(a) for a in arg or [])
        from .spec import parse_bytes
        from .worker import Job

        budget_bytes = parse_bytes(fit) if fit is not None else None
        common = dict(device=device, budget_s=budget, symbolic=symbolic, memory=memory, fit=budget_bytes)
        if model is None:
            work = [
                Job(
                    spec.name,
                    spec.model,
                    dict(
                        inputs=spec.inputs,
                        batch=spec.batch if batch is None else batch,
                        no_batch=spec.no_batch,
                        train=spec.train if not train else True,
                        engine=(engine.value if engine else None) or spec.engine or cfg.engine or "auto",
                        args=spec.args,
                        ignore=[*cfg.ignore, *spec.ignore, *(ignore or [])],
                        weights=spec.weights,
                        **common,
                    ),
                )
                for spec in cfg.checks
            ]
        else:
            work = [
                Job(
                    model,
                    model,
                    dict(
                        inputs=specs,
                        batch=1 if batch is None else batch,
                        no_batch=no_batch,
                        train=train,
                        engine=engine.value if engine else (cfg.engine if cfg and cfg.engine else "auto"),
                        args=args,
                        ignore=[*(cfg.ignore if cfg else []), *(ignore or [])],
                        weights=weights,
                        trust_pickle=trust_pickle,
                        **common,
                    ),
                )
            ]
        from . import worker
        from .api import check_options

        for job in work:
            check_options(**job.options)  # bad option values are exit 2 before any worker starts
        results = worker.run(work, limits, parallel=jobs or os.cpu_count() or 1, progress=_progress())
    except ShapecheckError as err:
        _failed_document(format, model, err.message, err.hint)
        raise _fail(err) from None
    except KeyboardInterrupt:
        _die_by_sigint()
    except Exception as exc:
        if os.environ.get("SHAPECHECK_DEBUG"):
            raise
        from .worker import first_line

        message = f"internal error: {type(exc).__name__}: {first_line(exc)} (set SHAPECHECK_DEBUG=1 for the traceback)"
        _failed_document(format, model, message, None)
        print(_error_text(message, None, None), file=sys.stderr)
        raise typer.Exit(2) from None
    from .render import MACHINE_FORMATS, renderer
    from .report import run_exit_code

    if show_diff or fix:
        from . import apply

        edits = apply.planned_edits(results, unsafe=unsafe_fixes)
        if show_diff:
            sys.stdout.write(apply.diff(edits))
            raise typer.Exit(run_exit_code(results, strict_mode))
        # To a fixpoint: a fix can reveal the next finding (a flatten, then the Linear's size),
        # so check again after each round of edits, until a round edits nothing.
        for _ in range(FIX_ROUNDS):
            done, refused = apply.write(edits)
            for edit in done:
                print(f"fixed {edit.code} at {edit.file}:{edit.line}", file=sys.stderr)
            for edit, why in refused:
                print(f"not fixed {edit.code} at {edit.file}:{edit.line}: {why}; edit it by hand", file=sys.stderr)
            if not done:
                break
            results = worker.run(work, limits, parallel=jobs or os.cpu_count() or 1, progress=_progress())
            edits = apply.planned_edits(results, unsafe=unsafe_fixes)
            if not edits:
                break
    if model is not None and results[0].error is not None:
        failed = results[0]
        print(_error_text(failed.error or "", failed.hint, failed.detail), file=sys.stderr)
        if fmt not in MACHINE_FORMATS:  # a machine format still gets a document that carries the error
            raise typer.Exit(2)
    renderer(fmt)(
        results,
        sys.stdout,
        depth=depth,
        color=color.value,
        strict=strict_mode,
        config_run=model is None,
        columns=chosen,
    )
    raise typer.Exit(run_exit_code(results, strict_mode))


def _columns(text: str | None):
    """`--columns input_size,mult_adds` → our column names, in order."""
    if text is None:
        return None
    from .render.common import column_names

    return column_names(w.strip() for w in text.split(","))


def _failed_document(format, model: str | None, message: str, hint: str | None) -> None:
    """--format json/sarif/junit: a run that stops before any check still writes a document
    that carries the error, so `> out.sarif` never uploads an empty file."""
    from .render import MACHINE_FORMATS, renderer
    from .report import CheckResult

    if format is None or format.value not in MACHINE_FORMATS:
        return
    renderer(format.value)(
        [CheckResult(model or "shapecheck", error=message, hint=hint)], sys.stdout, config_run=model is None
    )


def _tolerant_streams() -> None:
    """A terminal or pipe whose encoding lacks ✓, · or × (PYTHONIOENCODING=ascii) gets `?` in
    their place instead of a crash halfway through the report."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]  # AttributeError below
        except (AttributeError, ValueError, OSError):
            pass


def _config(path: str | None, explicit_model: bool):
    """The config to use. One found by searching upwards that cannot be read does not stop an
    explicit `shapecheck MODEL`: it is skipped with a warning."""
    from .config import find_config, load_config

    if path:
        return load_config(path)
    found = find_config()
    if not found:
        return None
    try:
        return load_config(found)
    except ShapecheckError as err:
        if not explicit_model:
            raise
        print(f"warning: ignoring the config {os.path.relpath(found)}: {err.message}", file=sys.stderr)
        return None


def _limits(timeout: float | None, memory_mb: int | None):
    import math

    from .worker import DEFAULT_TIMEOUT_S, Limits

    if timeout is not None and (not math.isfinite(timeout) or timeout <= 0):
        raise ShapecheckError(f"--timeout must be a positive number of seconds, got {timeout}")
    if memory_mb is not None and memory_mb < 64:
        raise ShapecheckError(f"--memory-limit is in MB and must be at least 64, got {memory_mb}")
    return Limits(
        timeout_s=timeout if timeout is not None else DEFAULT_TIMEOUT_S,
        memory_bytes=memory_mb * 1024 * 1024 if memory_mb else None,
    )


def _error_text(message: str, hint: str | None, detail: str | None) -> str:
    """An error for stderr. Its message may quote a name from a model, a file or a config (a
    timm name, a checkpoint key): the message and hint stay one line each, control characters
    shown as escapes, and no line reads as a CI command."""
    from .render.escape import encodable, neutralized, one_line

    lines = [f"error: {one_line(message)}"]
    if hint:
        lines.append(f"  hint: {one_line(hint)}")
    if detail:
        lines.append(encodable(detail))
    return neutralized("\n".join(lines))


@app.command(
    "run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "allow_interspersed_args": False}
)
def run_command(
    ctx: typer.Context,
    script: Annotated[
        str | None, typer.Argument(metavar="SCRIPT", help="the Python script to run, then its own arguments")
    ] = None,
    module: Annotated[
        str | None, typer.Option("-m", help="run a module as `python -m` does, then its arguments", metavar="MODULE")
    ] = None,
    format: Annotated[
        RunFormat | None, typer.Option("--format", "-f", help="table (default), json or markdown")
    ] = None,
    report: Annotated[
        str | None, typer.Option("--report", help="write the diagnosis to this file instead of stderr", metavar="FILE")
    ] = None,
) -> None:
    """Run a script as `python` would; when it fails with a shape error, diagnose it there.

    The model is found from the traceback (the outermost nn.Module on the failing stack, and the
    arguments it was called with) and checked on meta tensors; the findings, the verified fixes
    and a command that repeats the check come before the original traceback. The script's output
    and exit code are its own. Options for shapecheck go before the script.
    """
    from . import live

    if (script is None) == (module is None) and not (module and script):
        print("error: give a script (shapecheck run train.py ...) or -m module", file=sys.stderr)
        raise typer.Exit(2)
    argv = list(ctx.args)
    if module is not None and script is not None:
        argv.insert(0, script)  # with -m, the first word after the module is the program's
    target = module or script or ""
    if module is None and not os.path.isfile(target):
        print(f"error: no such script: {target}", file=sys.stderr)
        raise typer.Exit(2)
    fmt = format.value if format else "table"

    def emit(found) -> None:
        import json

        text = {
            "table": found.text,
            "markdown": found.markdown,
            "json": lambda: json.dumps(found.to_dict(), indent=2) + "\n",
        }[fmt]()
        if report:
            with open(report, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"shapecheck: the diagnosis is in {report}", file=sys.stderr)
        else:
            sys.stderr.write(text + "\n")

    global _RAN_PROGRAM
    _RAN_PROGRAM = True
    try:
        code = live.run_program(target, argv, as_module=module is not None, emit=emit)
    except KeyboardInterrupt:  # Ctrl-C: the script's exit handlers, then end by SIGINT as python does
        import atexit

        atexit._run_exitfuncs()
        _die_by_sigint()
    raise typer.Exit(code)


@app.command("list")
def list_command(
    source: Annotated[str | None, typer.Argument(help="timm or hf: list that library's names instead")] = None,
) -> None:
    """List the torchvision model names, grouped by family, with each one's default input
    (`list timm`: timm's names, `list hf`: transformers' model types)."""
    if source is not None:
        from .loading import zoo

        if source not in ("timm", "hf"):
            print(f"error: list takes timm or hf, not {source!r}", file=sys.stderr)
            raise typer.Exit(2)
        try:
            names = zoo.timm_names() if source == "timm" else zoo.hf_names()
        except ShapecheckError as err:
            raise _fail(err) from None
        print(f"{source} ({len(names)}): use as {source}:NAME")
        for name in names:
            print(f"  {name}")
        return
    from .catalog import family_order, named_models

    try:
        models = named_models()
    except ShapecheckError as err:
        raise _fail(err) from None
    for family in family_order():
        names = sorted(n for n, m in models.items() if m.family == family)
        if not names:
            continue
        print(f"{family} ({len(names)})")
        width = max(len(n) for n in names)
        for name in names:
            print(f"  {name:<{width}}  {'  '.join(models[name].default_inputs)}")


@app.command("diff")
def diff_command(
    a: Annotated[str, typer.Argument(metavar="A", help="a model as `check` takes it, or REF:path/to/file.py[:Name]")],
    b: Annotated[str, typer.Argument(metavar="B", help="the model to compare with A, likewise")],
    input: Annotated[
        list[str] | None,
        typer.Option("--input", "-i", help="per-sample dims of one forward argument, for both models", metavar="SPEC"),
    ] = None,
    batch: Annotated[int, typer.Option(metavar="N", help="batch size for both (default 1)")] = 1,
    arg: Annotated[
        list[str] | None,
        typer.Option("--arg", help="constructor keyword argument KEY=VALUE for both; repeatable", metavar="KEY=VALUE"),
    ] = None,
    depth: Annotated[
        int | None, typer.Option(metavar="N", help="show differing layers down to this depth (table, markdown)")
    ] = None,
    format: Annotated[RunFormat, typer.Option("--format", "-f", help="output format")] = RunFormat.table,
    color: Annotated[Color, typer.Option(help="colour in the table output")] = Color.auto,
) -> None:
    """Compare two models traced on the same input: the layers whose output shapes, parameters
    or Mult-Adds differ, and those only one has. A model at a git commit is REF:file.py[:Name]
    (HEAD~1:model.py:Net).

    Exit codes: 0 the same, 1 they differ, 2 bad usage or a model that does not load.
    """
    import tempfile

    from .spec import parse_arg

    _tolerant_streams()
    if depth is not None and depth < 0:
        print(f"error: --depth must be 0 or more, got {depth}", file=sys.stderr)
        raise typer.Exit(2)
    try:
        from .api import check_options, parse_inputs
        from .loading import gitref
        from .worker import Job

        specs = parse_inputs(input or None)
        args = dict(parse_arg(x) for x in arg or [])
        with tempfile.TemporaryDirectory(prefix="shapecheck-diff-") as folder:
            targets, renames = [], {}
            for side, target in (("a", a), ("b", b)):
                local = gitref.checkout(target, os.path.join(folder, side))
                if local:  # messages name the file as the user did, not the temporary copy
                    ref, path, _ = gitref.split(target) or ("", "", "")
                    renames[local.partition(":")[0]] = f"{ref}:{path}"
                targets.append(local or target)
            options = dict(inputs=specs, batch=batch, args=args)
            work = [Job(name, target, dict(options)) for name, target in zip((a, b), targets, strict=True)]
            for job in work:
                check_options(**job.options)
            from . import worker

            results = worker.run(work, _limits(None, None), parallel=2, progress=_progress())
    except ShapecheckError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        _die_by_sigint()
    for result in results:
        if result.report is None:
            message = result.error or ""
            for local, given in renames.items():
                message = message.replace(local, given)
            print(_error_text(message, result.hint, result.detail), file=sys.stderr)
            raise typer.Exit(2)
    from .diff import compare
    from .render import diff as show

    reports = [r.report for r in results if r.report is not None]
    for report, result in zip(reports, results, strict=True):
        report.model = result.name  # the target as given (a commit's file is read from a temporary copy)
    found = compare(reports[0], reports[1])
    from .render import guarded

    # layer names are the models': no line of theirs is a CI command
    with guarded(sys.stdout, kind="json" if format == RunFormat.json else "text") as out:
        if format == RunFormat.json:
            show.render_json(found, out)
        elif format == RunFormat.markdown:
            show.render_markdown(found, out, depth)
        else:
            show.render_table(found, out, color=color.value, depth=depth)
    raise typer.Exit(0 if found.same else 1)


@app.command("explain")
def explain_command(
    message: Annotated[str | None, typer.Argument(help="the error message; read from stdin when omitted or -")] = None,
) -> None:
    """Explain a pasted PyTorch shape error without a model.

    Says which layer type raised it, what each number means, likely causes and fixes. Exit 1
    when the message is not one shapecheck knows.
    """
    from .explain import explain

    if message is None or message == "-":
        message = sys.stdin.read()
    found = explain(message or "")
    if found is None:
        print(
            "shapecheck does not recognise this message as a PyTorch shape error it knows; run "
            "`shapecheck MODEL --input SPEC` on the model to trace it",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    print(found.text())


@app.command("rule")
def rule_command(
    code: Annotated[
        str | None, typer.Argument(help="a rule code (SC101) or name (missing-flatten); all when omitted")
    ] = None,
) -> None:
    """Print what a rule checks, why, an example, the fix, and how safe the fix is."""
    import importlib

    from .diagnose.registry import CHECKS, CODES

    if code is None:
        for info in CODES.values():
            print(f"{info.code}  {info.name:<24} {info.status:<9} {info.summary}")
        return
    found = CODES.get(code.upper()) or next((i for i in CODES.values() if i.name == code), None)
    if found is None:
        print(f"error: no rule '{code}'; run `shapecheck rule` to list them", file=sys.stderr)
        raise typer.Exit(2)
    print(f"{found.code} {found.name} ({found.status}{', ' + found.severity if found.severity else ''})")
    if found.code in CHECKS:
        doc = importlib.import_module(CHECKS[found.code].__module__).__doc__ or ""
        print("\n".join(doc.strip().splitlines()[1:]).strip())
    else:
        print(found.summary)


def _progress():
    """A status line on stderr for work that takes more than a second, where stderr is a
    terminal (never in CI logs, pipes or files): which check, and what it is doing."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    import time

    start = time.monotonic()
    state: dict = {"status": None}

    def show(text: str | None) -> None:
        status = state["status"]
        if text is None:
            if status is not None:
                status.stop()
                state["status"] = None
            return
        if status is None:
            if time.monotonic() - start < 1.0:
                return
            from rich.console import Console

            status = state["status"] = Console(stderr=True).status(text)
            status.start()
        status.update(text)

    return show


FIX_ROUNDS = 5  # --fix checks again after each round of edits, at most this many times


def _die_by_sigint() -> NoReturn:
    """After Ctrl-C (workers already stopped), end as a process killed by SIGINT does, so a shell
    or make running shapecheck in a loop stops too (an exit status of 130 does not tell it)."""
    import signal

    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    raise typer.Exit(130)  # where the signal does not end the process


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        _exit_quietly(exc)
        raise


# Set by `shapecheck run`: the process then holds the script's own exit handlers.
_RAN_PROGRAM = False


def _exit_quietly(exc: SystemExit) -> None:
    """Torch 2.15 imports triton, whose nanobind bindings print some 20 lines of leak reports
    when the interpreter shuts down, after the command's own output. Once triton is imported,
    leave without the interpreter's shutdown: the output is flushed, workers are gone and files
    closed, and shapecheck registers nothing to run at exit; the handlers a script run by `shapecheck run`
    registered run first, as python runs them."""
    if "triton" not in sys.modules:
        return
    if _RAN_PROGRAM:  # a script's own exit handlers (shapecheck run): python runs them on exit
        import atexit

        atexit._run_exitfuncs()
    code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to write
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    main()
