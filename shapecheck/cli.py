"""The command line: wires spec → loading → trace → diagnose → render, nothing more.

torch is imported only by the commands that trace; `--help` stays fast.
"""

import os
import sys
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import ShapecheckError


def _untyped_help(option):
    """`-h, --help` without a type: typer labels the flag `<bool>`, as if it took a value."""
    if option is not None:
        option.metavar = ""
    return option


class _Command(TyperCommand):
    def get_help_option(self, ctx):
        return _untyped_help(super().get_help_option(ctx))


class _DefaultToCheck(TyperGroup):
    """`shapecheck vgg16 …` means `shapecheck check vgg16 …`; bare `shapecheck` runs the config."""

    def get_help_option(self, ctx):
        return _untyped_help(super().get_help_option(ctx))

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


# The options of `check`, declared once each: the command below lists them in --help's order.
ModelArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="MODEL",
        help="torchvision name (vgg16), path/to/file.py[:Name], or package.module:Name; "
        "omit it to run the checks of the config",
    ),
]
InputOption = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        "-i",
        help="per-sample dims of one forward argument, e.g. 3x224x224, 64:long or scalar ([batch]); repeat for each",
        metavar="SPEC",
    ),
]
BatchOption = Annotated[
    int | None, typer.Option(metavar="N", help="batch size put in front of every input (default 1)")
]
NoBatchOption = Annotated[
    bool, typer.Option("--no-batch", help="feed the shapes exactly as written (no batch dim)", metavar="")
]
ArgOption = Annotated[
    list[str] | None,
    typer.Option(
        "--arg",
        help="constructor keyword argument KEY=VALUE (VALUE as a Python literal); repeatable",
        metavar="KEY=VALUE",
    ),
]
TrainOption = Annotated[bool, typer.Option("--train", help="trace in training mode (default: eval)", metavar="")]
EngineOption = Annotated[
    Engine | None,
    typer.Option(help="meta: shapes only, no weights; real: random weights; auto (default): meta, real when needed"),
]
DeviceOption = Annotated[str, typer.Option(metavar="DEVICE", help="device for the real engine: cpu or cuda")]
DepthOption = Annotated[int | None, typer.Option(metavar="N", help="fold the table below this depth")]
ColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="table columns, comma-separated: type, input, output, params, params_percent, mult_adds, "
        "param_bytes, output_bytes, saved_bytes, kernel, trainable (torchinfo's col_names too)",
        metavar="NAMES",
    ),
]
FormatOption = Annotated[
    Format | None, typer.Option("--format", "-f", help="output format (default table, or the config's)")
]
StrictOption = Annotated[bool | None, typer.Option("--strict/--no-strict", help="exit 1 on warnings too", metavar="")]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore", help="a rule code or name to suppress (SC103, size-locked-head); repeatable", metavar="CODE"
    ),
]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="a checkpoint (state dict, wrapped, or .safetensors) to compare with MODEL",
        metavar="FILE",
    ),
]
TrustPickleOption = Annotated[
    bool,
    typer.Option(
        "--trust-pickle", help="allow unpickling a whole saved model: this runs code from the file", metavar=""
    ),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        help="config file (default: shapecheck.toml or pyproject.toml [tool.shapecheck], searched upwards)",
        metavar="FILE",
    ),
]
ColorOption = Annotated[Color, typer.Option(help="colour in the table output")]
SymbolicOption = Annotated[
    bool,
    typer.Option(
        "--symbolic",
        help="trace with symbolic dims (B, C, H, W): show each row's shape as an expression "
        "and which input sizes the model accepts",
        metavar="",
    ),
]
BudgetOption = Annotated[
    float,
    typer.Option(
        "--budget",
        metavar="SECONDS",
        help="safety cap for --symbolic: it stops at 10× this many seconds of CPU time and says so "
        "(its probes are counted, not timed)",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", metavar="SECONDS", help="time limit for each check's worker process (default 300)"),
]
MemoryLimitOption = Annotated[
    int | None,
    typer.Option(
        "--memory-limit",
        metavar="MB",
        help="memory limit for each check's worker process "
        "(default: 8 GiB or 3/4 of the machine's memory, whichever is less)",
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="config checks run side by side (default: the number of cores)", metavar="N"),
]
FixOption = Annotated[
    bool,
    typer.Option("--fix", help="apply verified safe fixes that edit your own files, then check again", metavar=""),
]
UnsafeFixesOption = Annotated[
    bool,
    typer.Option(
        "--unsafe-fixes",
        help="with --fix or --diff: unsafe fixes too (they change layer sizes: checkpoints no longer load)",
        metavar="",
    ),
]
DiffOption = Annotated[
    bool, typer.Option("--diff", help="print the unified diff --fix would write, and change nothing", metavar="")
]
MemoryOption = Annotated[
    bool,
    typer.Option(
        "--memory",
        help="measure memory: activations kept for backward per layer, peak inference and training "
        "memory by batch size",
        metavar="",
    ),
]
FitOption = Annotated[
    str | None,
    typer.Option(
        "--fit",
        metavar="SIZE",
        help="the largest batch whose training and inference peaks fit in SIZE (16GiB, 80GB); implies --memory",
    ),
]


@app.command("check")
def check_command(
    model: ModelArgument = None,
    input: InputOption = None,
    batch: BatchOption = None,
    no_batch: NoBatchOption = False,
    arg: ArgOption = None,
    train: TrainOption = False,
    engine: EngineOption = None,
    device: DeviceOption = "cpu",
    depth: DepthOption = None,
    columns: ColumnsOption = None,
    format: FormatOption = None,
    strict: StrictOption = None,
    ignore: IgnoreOption = None,
    weights: WeightsOption = None,
    trust_pickle: TrustPickleOption = False,
    config: ConfigOption = None,
    color: ColorOption = Color.auto,
    symbolic: SymbolicOption = False,
    budget: BudgetOption = 5.0,
    timeout: TimeoutOption = None,
    memory_limit: MemoryLimitOption = None,
    jobs: JobsOption = None,
    fix: FixOption = False,
    unsafe_fixes: UnsafeFixesOption = False,
    show_diff: DiffOption = False,
    memory: MemoryOption = False,
    fit: FitOption = None,
) -> None:
    """Trace MODEL on a dummy input, print per-layer shapes and diagnose shape errors.

    Without MODEL, runs every check of the config with one summary.

    Exit codes: 0 no error findings, 1 error findings (or warnings with --strict),
    2 bad usage, input spec, config, model loading or internal error.
    """
    from . import apply
    from .api import parse_inputs
    from .options import Given
    from .spec import parse_bytes

    _tolerant_streams()
    try:
        cfg = _config(config, explicit_model=model is not None)
        settings = _run_settings(model, cfg, format, strict, timeout, memory_limit, jobs, depth)
        chosen = _columns(columns, measured=memory or fit is not None)
        # Malformed --input, --arg and --fit values fail here, before any worker starts.
        given = Given(
            inputs=parse_inputs(input or None),
            batch=batch,
            no_batch=no_batch,
            train=train,
            engine=engine.value if engine else None,
            device=device,
            args=dict(_parsed_args(arg)),
            ignore=tuple(ignore or ()),
            weights=weights,
            trust_pickle=trust_pickle,
            symbolic=symbolic,
            budget_s=budget,
            memory=memory,
            fit=parse_bytes(fit) if fit is not None else None,
        )
        work = _jobs(model, cfg, given)
        results = settings.run(work)
    except ShapecheckError as err:
        _failed_document(format, model, err.message, err.hint)
        raise _fail(err) from None
    except KeyboardInterrupt:
        _die_by_sigint()
    except Exception as exc:
        raise _internal_error(exc, format, model) from None
    if show_diff:
        _print_diff(results, settings, work, unsafe_fixes)
    if fix:
        results = apply.fix_rounds(results, lambda: settings.run(work), unsafe_fixes, say=_to_stderr)
    _show(results, model, settings, depth=depth, color=color.value, columns=chosen)


@dataclass(frozen=True)
class _RunSettings:
    """How a `check` run goes, apart from each check's options: the output and the workers."""

    format: str
    strict: bool
    limits: Any  # worker.Limits
    parallel: int

    def run(self, work: list) -> list:
        from . import worker

        return worker.run(work, self.limits, parallel=self.parallel, progress=_progress())


def _run_settings(model, cfg, format, strict, timeout, memory_limit, jobs, depth) -> _RunSettings:
    """The run's settings, command line first, then the config; ShapecheckError for bad values."""
    if model is None and cfg is None:
        raise ShapecheckError(
            "no MODEL given and no config found",
            hint="pass a model (shapecheck vgg16 --input 3x224x224) or add [tool.shapecheck] checks to pyproject.toml",
        )
    limits = _limits(_given_or_config(timeout, cfg, "timeout"), _given_or_config(memory_limit, cfg, "memory_limit"))
    _check_counts(jobs, depth)
    return _RunSettings(
        format=(format.value if format else None) or _given_or_config(None, cfg, "format") or "table",
        strict=_given_or_config(strict, cfg, "strict", False),
        limits=limits,
        parallel=jobs or os.cpu_count() or 1,
    )


def _check_counts(jobs: int | None, depth: int | None) -> None:
    if jobs is not None and jobs < 1:
        raise ShapecheckError(f"--jobs must be at least 1, got {jobs}")
    if depth is not None and depth < 0:
        raise ShapecheckError(f"--depth must be 0 or more, got {depth}")


def _given_or_config(given, cfg, key: str, default: Any = None) -> Any:
    """A run setting: the command line's value, else the config's, else `default` without one."""
    if given is not None:
        return given
    return getattr(cfg, key) if cfg else default


def _parsed_args(arg: list[str] | None) -> list[tuple[str, object]]:
    from .spec import parse_arg

    return [parse_arg(a) for a in arg or []]


def _jobs(model: str | None, cfg, given) -> list:
    """One worker job per check: the model on the command line, or every check of the config;
    bad option values are exit 2 here, before any worker starts."""
    from .api import parse_inputs
    from .options import options_for
    from .worker import Job

    if model is None:
        work = [Job(spec.name, spec.model, options_for(cfg, spec, given)) for spec in cfg.checks]
    else:
        work = [Job(model, model, options_for(cfg, None, given))]
    for job in work:
        job.options.validate()
        parse_inputs(job.options.inputs)
    if model is not None:  # a missing file or --input: said before torch is imported
        from .early import check_target

        check_target(model, work[0].options.inputs)
    return work


def _internal_error(exc: Exception, format, model: str | None) -> typer.Exit:
    """An exception no part of shapecheck expected: one line (and exit 2), or the traceback with
    SHAPECHECK_DEBUG=1."""
    if os.environ.get("SHAPECHECK_DEBUG"):
        raise exc
    from .worker import first_line

    message = f"internal error: {type(exc).__name__}: {first_line(exc)} (set SHAPECHECK_DEBUG=1 for the traceback)"
    _failed_document(format, model, message, None)
    print(_error_text(message, None, None), file=sys.stderr)
    return typer.Exit(2)


def _print_diff(results: list, settings: _RunSettings, work: list, unsafe: bool) -> NoReturn:
    """`--diff`: the unified diff `--fix` would write (its later rounds included), then the run's
    exit code."""
    from . import apply
    from .report import run_exit_code
    from .worker import removed_on_signals

    sys.stdout.write(apply.diff_rounds(results, lambda: settings.run(work), unsafe, _to_stderr, removed_on_signals))
    raise typer.Exit(run_exit_code(results, settings.strict))


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _show(results: list, model: str | None, settings: _RunSettings, **how) -> NoReturn:
    """Render the results in the run's format and exit with the run's code. A single model that
    could not be checked is its error on stderr and exit 2; a machine format still gets a
    document that carries the error."""
    from .render import MACHINE_FORMATS, renderer
    from .report import run_exit_code

    if model is not None and results[0].error is not None:
        failed = results[0]
        print(_error_text(failed.error or "", failed.hint, failed.detail), file=sys.stderr)
        if settings.format not in MACHINE_FORMATS:
            raise typer.Exit(2)
    renderer(settings.format)(results, sys.stdout, strict=settings.strict, config_run=model is None, **how)
    raise typer.Exit(run_exit_code(results, settings.strict))


def _columns(text: str | None, measured: bool = False):
    """`--columns input_size,mult_adds` → our column names, in order; saved_bytes needs a
    measurement (`measured`: --memory or --fit)."""
    if text is None:
        return None
    from .render.common import column_names

    chosen = column_names(w.strip() for w in text.split(","))
    if chosen and "saved_bytes" in chosen and not measured:
        raise ShapecheckError("the saved_bytes column needs --memory (or --fit)")
    return chosen


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
    import functools

    from . import live

    target, argv = _program_target(script, module, list(ctx.args))
    emit = functools.partial(_emit_diagnosis, fmt=format.value if format else "table", report=report)
    global _RAN_PROGRAM
    _RAN_PROGRAM = True
    try:
        code = live.run_program(target, argv, as_module=module is not None, emit=emit)
    except KeyboardInterrupt:  # Ctrl-C: the script's exit handlers, then end by SIGINT as python does
        import atexit

        atexit._run_exitfuncs()
        _die_by_sigint()
    raise typer.Exit(code)


def _program_target(script: str | None, module: str | None, args: list[str]) -> tuple[str, list[str]]:
    """What `run` runs (a script, or a module with -m) and the program's arguments; exit 2 when
    neither is given."""
    if (script is None) == (module is None) and not (module and script):
        print("error: give a script (shapecheck run train.py ...) or -m module", file=sys.stderr)
        raise typer.Exit(2)
    if module is not None and script is not None:
        args.insert(0, script)  # with -m, the first word after the module is the program's
    return module or script or "", args  # a script that is not there: python's own line, exit 2


def _emit_diagnosis(found, fmt: str, report: str | None) -> None:
    """A failing program's diagnosis, in `fmt`, to stderr or to the `report` file."""
    import json

    from .render.live import live_dict, live_markdown, live_text

    text = {
        "table": lambda: live_text(found),
        "markdown": lambda: live_markdown(found),
        "json": lambda: json.dumps(live_dict(found), indent=2) + "\n",
    }[fmt]()
    if report:
        with open(report, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"shapecheck: the diagnosis is in {report}", file=sys.stderr)
    else:
        sys.stderr.write(text + "\n")


@app.command("list")
def list_command(
    source: Annotated[str | None, typer.Argument(help="timm or hf: list that library's names instead")] = None,
) -> None:
    """List the torchvision model names, grouped by family, with each one's default input
    (`list timm`: timm's names, `list hf`: transformers' model types)."""
    if source is None:
        _list_torchvision()
    else:
        _list_library(source)


def _list_library(source: str) -> None:
    """timm's model names, or transformers' model types: one a line."""
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


def _list_torchvision() -> None:
    """torchvision's model names by family, each with its default input."""
    from .loading.catalog import family_order, named_models

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
    from .api import parse_inputs
    from .options import CheckOptions

    _tolerant_streams()
    if depth is not None and depth < 0:
        print(f"error: --depth must be 0 or more, got {depth}", file=sys.stderr)
        raise typer.Exit(2)
    try:
        options = CheckOptions(inputs=parse_inputs(input or None), batch=batch, args=dict(_parsed_args(arg)))
        results, renames = _check_both(a, b, options)
    except ShapecheckError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        _die_by_sigint()
    _exit_unless_both_loaded(results, renames)
    from .diff import compare

    reports = [r.report for r in results if r.report is not None]
    for report, result in zip(reports, results, strict=True):
        report.model = result.name  # the target as given (a commit's file is read from a temporary copy)
    found = compare(reports[0], reports[1])
    _print_model_diff(found, format, depth, color)
    raise typer.Exit(0 if found.same else 1)


def _print_model_diff(found, format: RunFormat, depth: int | None, color: Color) -> None:
    """`diff`'s result on stdout as JSON, Markdown or the table."""
    from .render import diff as show
    from .render import guarded

    # layer names are the models': no line of theirs is a CI command
    with guarded(sys.stdout, kind="json" if format == RunFormat.json else "text") as out:
        if format == RunFormat.json:
            show.render_json(found, out)
        elif format == RunFormat.markdown:
            show.render_markdown(found, out, depth)
        else:
            show.render_table(found, out, color=color.value, depth=depth)


def _exit_unless_both_loaded(results: list, renames: dict[str, str]) -> None:
    """Exit 2 with the error of a model that did not load, named as the user gave it (not as
    the temporary copy of a commit's file it was read from)."""
    for result in results:
        if result.report is None:
            message = result.error or ""
            for local, given in renames.items():
                message = message.replace(local, given)
            print(_error_text(message, result.hint, result.detail), file=sys.stderr)
            raise typer.Exit(2)


def _check_both(a: str, b: str, options) -> tuple[list, dict[str, str]]:
    """`diff`'s two checks, side by side; a model at a commit (REF:file.py) is checked from a
    temporary copy, and `renames` maps each copy's path back to how the user named it."""
    import tempfile

    from . import worker
    from .loading import gitref

    with worker.removed_on_signals(tempfile.mkdtemp(prefix="shapecheck-diff-")) as folder:
        targets, renames = [], {}
        for side, target in (("a", a), ("b", b)):
            local = gitref.checkout(target, os.path.join(folder, side))
            if local:  # messages name the file as the user did, not the temporary copy
                ref, path, _ = gitref.split(target) or ("", "", "")
                renames[local.partition(":")[0]] = f"{ref}:{path}"
            targets.append(local or target)
        options.validate()
        work = [worker.Job(name, target, options) for name, target in zip((a, b), targets, strict=True)]
        return worker.run(work, _limits(None, None), parallel=2, progress=_progress()), renames


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
        # no stdin at all (a closed descriptor): nothing to explain
        message, cut = _stdin_tail(sys.stdin.buffer) if sys.stdin is not None else ("", False)
        if cut:
            print(
                f"shapecheck: read the first {STDIN_LIMIT // 2**20} MiB of stdin only; explaining the end of that",
                file=sys.stderr,
            )
    found = explain(message or "")
    if found is None:
        print(
            "shapecheck does not recognise this message as a PyTorch shape error it knows; run "
            "`shapecheck MODEL --input SPEC` on the model to trace it",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    print(found.text())


STDIN_LIMIT = 16 * 2**20  # `explain` reads at most this much of a pipe
STDIN_TAIL = 256 * 1024  # and keeps its end: explain() reads the last 64 K characters of a paste


def _stdin_tail(stream) -> tuple[str, bool]:
    """The end of what stdin holds, as far as `explain` uses it: of a file, only its last
    STDIN_TAIL bytes are read; of a pipe, at most STDIN_LIMIT bytes, the last STDIN_TAIL of
    them kept. True when the pipe held more than that (the rest is not read)."""
    try:
        size = os.fstat(stream.fileno()).st_size if stream.seekable() else None
    except (OSError, ValueError, AttributeError):
        size = None
    if size:
        stream.seek(max(0, size - STDIN_TAIL))
        return stream.read(STDIN_TAIL).decode("utf-8", "replace"), False
    tail, read = b"", 0
    while read < STDIN_LIMIT:
        chunk = stream.read(min(2**16, STDIN_LIMIT - read))
        if not chunk:
            return tail.decode("utf-8", "replace"), False
        read += len(chunk)
        tail = (tail + chunk)[-STDIN_TAIL:]
    return tail.decode("utf-8", "replace"), bool(stream.read(1))


@app.command("mcp")
def mcp_command() -> None:
    """Serve shapecheck's tools to coding agents over stdio: the Model Context Protocol.

    Tools: check_model, check_program, explain_error and propose_fixes, each answering with
    JSON (the report of `--format json`). Needs the mcp extra: pip install 'torch-shapecheck[mcp]'.
    """
    try:
        from .mcp_server import serve

        serve()
    except ImportError as err:
        print(f"shapecheck: {err}", file=sys.stderr)
        raise typer.Exit(2) from None


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


def _die_by_sigint() -> NoReturn:
    """After Ctrl-C (workers already stopped), end as a process killed by SIGINT does, so a shell
    or make running shapecheck in a loop stops too (an exit status of 130 does not tell it)."""
    import signal

    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    raise typer.Exit(130)  # where the signal does not end the process


for _info in app.registered_commands:  # each command's -h/--help too
    if _info.cls in (None, TyperCommand):
        _info.cls = _Command


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
    if _RAN_PROGRAM:
        from . import live

        if live.PROGRAM_MAIN:  # python shuts down with the script as `__main__`
            sys.modules["__main__"] = live.PROGRAM_MAIN[0]
    if "triton" not in sys.modules:
        return
    if _RAN_PROGRAM:
        import atexit
        import threading

        if live.PROGRAM_IMPORTED_TRITON:
            # the script imported it (torchvision does): `python script.py` shuts down in full,
            # waiting for its threads, finalizing its objects, flushing the files it left open
            return
        # as python: wait for the script's threads, then run its exit handlers
        getattr(threading, "_shutdown", lambda: None)()
        atexit._run_exitfuncs()
    status = _exit_status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to write
            pass
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status python leaves with for `SystemExit(code)`: a code that is not a number is
    printed to stderr, and the status is 1."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
